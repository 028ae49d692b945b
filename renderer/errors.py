"""The renderer's user errors (``UserError`` itself lives in :mod:`common.errors`)."""

from common.errors import UserError

__all__ = ["GLContextError", "PathError", "SceneError", "UserError"]


class SceneError(UserError):
    """A scene name or scene file that cannot be used."""


class PathError(UserError):
    """A camera path that cannot be loaded or is invalid."""


class GLContextError(UserError):
    """No OpenGL context could be created on this machine."""
