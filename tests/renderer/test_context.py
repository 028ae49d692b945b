"""GL contexts: headless EGL, a glfw window on the null platform, and a clear error."""

import subprocess
import sys
import textwrap

import pytest

from renderer import context
from renderer.errors import GLContextError


def test_headless_egl_context_is_opengl_33_or_newer(gl):
    major, minor = (int(v) for v in gl.ctx.info["GL_VERSION"].split()[0].split(".")[:2])
    assert (major, minor) >= (3, 3)
    assert gl.kind == "egl" and gl.window is None


WINDOW_SCRIPT = textwrap.dedent(
    """
    from renderer.context import create_context
    with create_context("window", size=(64, 48), visible=False, null_platform=True) as gl:
        gl.ctx.screen.use()
        gl.ctx.clear(0.25, 0.5, 1.0, 1.0)
        pixel = gl.ctx.screen.read(viewport=(0, 0, 1, 1), components=3)
        gl.ctx.error  # the read leaves a stale error behind on some drivers
        print(gl.kind, gl.null_platform, list(pixel))
    """
)


def test_window_context_on_the_null_platform():
    # A process that holds an EGL context cannot open a window: use a fresh one.
    result = subprocess.run(
        [sys.executable, "-c", WINDOW_SCRIPT], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    kind, null_platform, pixel = result.stdout.split(" ", 2)
    assert kind == "window" and null_platform == "True"
    assert pixel.strip() == "[64, 128, 255]"


def test_no_context_at_all_is_one_clear_error(monkeypatch):
    def no_egl():
        raise GLContextError("headless EGL context failed: no display")

    def no_window(*args):
        raise GLContextError("glfw could not initialise: no platform")

    monkeypatch.setattr(context, "_create_egl", no_egl)
    monkeypatch.setattr(context, "_create_window", no_window)
    with pytest.raises(GLContextError) as info:
        context.create_context("auto")
    message = str(info.value)
    assert "EGL failed" in message and "a window failed" in message and "\n" not in message


def test_unknown_kind_is_rejected():
    with pytest.raises(ValueError, match="unknown context kind"):
        context.create_context("vulkan")  # type: ignore[arg-type]
