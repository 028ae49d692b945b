"""OpenGL contexts: headless EGL (render, eval, tests) or a glfw window (the viewer).

Everything in the renderer needs OpenGL 3.3 core; llvmpipe gives 4.5, so the same shaders
run on a laptop GPU, on macOS and on a CPU-only server.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, Literal

import moderngl

from renderer.errors import GLContextError

GL_REQUIRE = 330
ContextKind = Literal["auto", "egl", "window"]

_EGL_HINT = "install the Mesa EGL libraries (Debian: libegl1 libgl1 libegl-mesa0 libgl1-mesa-dri)"


@dataclass
class GLContext:
    """A moderngl context and, for ``window``, the glfw window that owns it."""

    ctx: moderngl.Context
    kind: Literal["egl", "window"]
    window: Any = None
    """The glfw window handle, or ``None`` for a headless context."""
    null_platform: bool = False
    """True when the window lives on GLFW's null platform (no display server)."""
    _closed: bool = field(default=False, repr=False)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self.ctx.release()
        if self.window is not None:
            import glfw

            glfw.destroy_window(self.window)
            glfw.terminate()

    def __enter__(self) -> GLContext:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def create_context(
    kind: ContextKind = "auto",
    size: tuple[int, int] = (1280, 720),
    title: str = "reframe-rt",
    visible: bool = True,
    null_platform: bool | None = None,
) -> GLContext:
    """Create an OpenGL 3.3+ context.

    Args:
        kind: ``egl`` for a headless context, ``window`` for a glfw window, ``auto`` for
            EGL with a hidden window as the fallback.
        size: window size in screen pixels (``window`` only).
        title: window title (``window`` only).
        visible: show the window (``window`` only).
        null_platform: put the window on GLFW's null platform (no X server); by default
            when ``DISPLAY`` and ``WAYLAND_DISPLAY`` are both unset.

    Raises:
        GLContextError: naming why each kind that was tried failed.
    """
    if kind == "egl":
        return _create_egl()
    if kind == "window":
        return _create_window(size, title, visible, null_platform)
    if kind != "auto":
        raise ValueError(f"unknown context kind {kind!r}")
    try:
        return _create_egl()
    except GLContextError as egl_error:
        try:
            return _create_window(size, title, False, null_platform)
        except GLContextError as window_error:
            raise GLContextError(
                f"no OpenGL context: EGL failed ({egl_error}); a window failed ({window_error})"
            ) from None


def _create_egl() -> GLContext:
    try:
        ctx = moderngl.create_standalone_context(backend="egl", require=GL_REQUIRE)
    except Exception as error:  # glcontext raises plain Exceptions with the EGL reason
        raise GLContextError(f"headless EGL context failed: {error}; {_EGL_HINT}") from None
    return GLContext(ctx=ctx, kind="egl")


def _create_window(
    size: tuple[int, int], title: str, visible: bool, null_platform: bool | None
) -> GLContext:
    # imgui_bundle ships its own libglfw and points pyGLFW at it; it must come first.
    # isort: off
    import imgui_bundle  # noqa: F401
    import glfw
    # isort: on

    # Failures are reported once, by the GLContextError below, not as warnings too.
    glfw.ERROR_REPORTING = "ignore"

    if null_platform is None:
        null_platform = not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    if null_platform:
        glfw.init_hint(glfw.PLATFORM, glfw.PLATFORM_NULL)
    if not glfw.init():
        raise GLContextError(f"glfw could not initialise: {_glfw_error(glfw)}")
    glfw.window_hint(glfw.CONTEXT_VERSION_MAJOR, 3)
    glfw.window_hint(glfw.CONTEXT_VERSION_MINOR, 3)
    glfw.window_hint(glfw.OPENGL_PROFILE, glfw.OPENGL_CORE_PROFILE)
    glfw.window_hint(glfw.OPENGL_FORWARD_COMPAT, True)
    glfw.window_hint(glfw.VISIBLE, visible)
    if null_platform:
        glfw.window_hint(glfw.CONTEXT_CREATION_API, glfw.EGL_CONTEXT_API)
    window = glfw.create_window(size[0], size[1], title, None, None)
    if not window:
        reason = _glfw_error(glfw)
        glfw.terminate()
        raise GLContextError(f"glfw could not open an OpenGL 3.3 window: {reason}; {_EGL_HINT}")
    glfw.make_context_current(window)
    try:
        ctx = moderngl.create_context(require=GL_REQUIRE)
    except Exception as error:
        glfw.destroy_window(window)
        glfw.terminate()
        raise GLContextError(f"the window's OpenGL context is unusable: {error}") from None
    return GLContext(ctx=ctx, kind="window", window=window, null_platform=null_platform)


def _glfw_error(glfw: Any) -> str:
    code, description = glfw.get_error()
    if not code:
        return "unknown reason"
    if isinstance(description, bytes):
        description = description.decode(errors="replace")
    return str(description)


def bind_default_framebuffer(ctx: moderngl.Context) -> None:
    """Bind framebuffer 0 (the window, or nothing for a headless context).

    Do this before releasing the bound framebuffer: moderngl restores the previous binding
    after creating a framebuffer, and restoring a deleted one is a GL error.
    """
    ctx.detect_framebuffer(0).use()
