"""OpenGL contexts: a headless EGL context of the renderer's own (render, eval, tests), or
one that a window made current, wrapped so the renderer draws into it (the viewer opens its
window in :mod:`viewer.app.gl_window`; the renderer knows no GUI library).

Everything in the renderer needs OpenGL 3.3 core; llvmpipe gives 4.5, so the same shaders
run on a laptop GPU, on macOS and on a CPU-only server.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import moderngl

from renderer.errors import GLContextError

GL_REQUIRE = 330
EGL_HINT = "install the Mesa EGL libraries (Debian: libegl1 libgl1 libegl-mesa0 libgl1-mesa-dri)"


@dataclass
class GLContext:
    """A moderngl context and what else goes when it is closed."""

    ctx: moderngl.Context
    kind: str = "egl"
    """``egl`` for a headless context of its own, else what wrapped it (``window``)."""
    on_close: Callable[[], None] | None = field(default=None, repr=False)
    """Called once the context is released: a window's owner destroys the window here."""
    _closed: bool = field(default=False, repr=False)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self.ctx.release()
        if self.on_close is not None:
            self.on_close()

    def __enter__(self) -> GLContext:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def create_context(kind: str = "egl") -> GLContext:
    """A headless OpenGL 3.3+ context (EGL), owned by the caller.

    ``kind`` must be ``egl``; it stays an argument so that callers say what they get.

    Raises:
        GLContextError: EGL is missing or gives no usable context.
    """
    if kind != "egl":
        raise ValueError(
            f"unknown context kind {kind!r}: the renderer creates headless EGL contexts; "
            "wrap a window's current context with wrap_current_context"
        )
    try:
        ctx = moderngl.create_standalone_context(backend="egl", require=GL_REQUIRE)
    except Exception as error:  # glcontext raises plain Exceptions with the EGL reason
        raise GLContextError(f"headless EGL context failed: {error}; {EGL_HINT}") from None
    return GLContext(ctx=ctx, kind="egl")


def wrap_current_context(
    kind: str = "window", on_close: Callable[[], None] | None = None
) -> GLContext:
    """The OpenGL context current on this thread (a window's, made current by whoever
    opened it) as a ``GLContext``; ``on_close`` runs after it is released.

    Raises:
        GLContextError: no current context, or one older than OpenGL 3.3 core.
    """
    try:
        ctx = moderngl.create_context(require=GL_REQUIRE)
    except Exception as error:
        raise GLContextError(f"the window's OpenGL context is unusable: {error}") from None
    return GLContext(ctx=ctx, kind=kind, on_close=on_close)


def bind_default_framebuffer(ctx: moderngl.Context) -> None:
    """Bind framebuffer 0 (the window, or nothing for a headless context).

    Do this before releasing the bound framebuffer: moderngl restores the previous binding
    after creating a framebuffer, and restoring a deleted one is a GL error.
    """
    ctx.detect_framebuffer(0).use()
