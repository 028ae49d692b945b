"""A glfw window with an OpenGL 3.3 core context, handed to the renderer as a
:class:`~renderer.context.GLContext` (the renderer draws into whatever context it gets and
knows no GUI library).

Headless runs put the window on GLFW's null platform with an EGL context: no display
server needed, and the window's framebuffer still reads back.
"""

from __future__ import annotations

import os
from typing import Any

# isort: off
import imgui_bundle  # noqa: F401  # ships its own libglfw and points pyGLFW at it: first
import glfw

# isort: on
from renderer.context import EGL_HINT, GLContext, wrap_current_context
from renderer.errors import GLContextError


def open_window(
    size: tuple[int, int],
    title: str,
    visible: bool = True,
    null_platform: bool | None = None,
) -> tuple[Any, GLContext]:
    """A window of ``size`` screen pixels and its context, made current.

    Closing the context destroys the window and ends glfw.

    Args:
        null_platform: put the window on GLFW's null platform (no display server); by
            default when ``DISPLAY`` and ``WAYLAND_DISPLAY`` are both unset.

    Returns:
        The glfw window handle and the context.

    Raises:
        GLContextError: naming why glfw, the window or its context failed.
    """
    # Failures are reported once, by the GLContextError below, not as warnings too.
    glfw.ERROR_REPORTING = "ignore"
    if null_platform is None:
        null_platform = not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    if null_platform:
        glfw.init_hint(glfw.PLATFORM, glfw.PLATFORM_NULL)
    if not glfw.init():
        raise GLContextError(f"glfw could not initialise: {_glfw_error()}")
    glfw.window_hint(glfw.CONTEXT_VERSION_MAJOR, 3)
    glfw.window_hint(glfw.CONTEXT_VERSION_MINOR, 3)
    glfw.window_hint(glfw.OPENGL_PROFILE, glfw.OPENGL_CORE_PROFILE)
    glfw.window_hint(glfw.OPENGL_FORWARD_COMPAT, True)
    glfw.window_hint(glfw.VISIBLE, visible)
    if null_platform:
        glfw.window_hint(glfw.CONTEXT_CREATION_API, glfw.EGL_CONTEXT_API)
    window = glfw.create_window(size[0], size[1], title, None, None)
    if not window:
        reason = _glfw_error()
        glfw.terminate()
        raise GLContextError(f"glfw could not open an OpenGL 3.3 window: {reason}; {EGL_HINT}")
    glfw.make_context_current(window)

    def destroy() -> None:
        glfw.destroy_window(window)
        glfw.terminate()

    try:
        return window, wrap_current_context("window", on_close=destroy)
    except GLContextError:
        destroy()
        raise


def _glfw_error() -> str:
    code, description = glfw.get_error()
    if not code:
        return "unknown reason"
    if isinstance(description, bytes):
        description = description.decode(errors="replace")
    return str(description)
