"""The viewer's window: a glfw window on the null platform whose context the renderer
draws into, and a window that cannot open is one clear error."""

import subprocess
import sys
import textwrap

import pytest

from renderer.errors import GLContextError
from viewer.app import gl_window

WINDOW_SCRIPT = textwrap.dedent(
    """
    from viewer.app.gl_window import open_window
    window, gl = open_window((64, 48), "test", visible=False, null_platform=True)
    with gl:
        gl.ctx.screen.use()
        gl.ctx.clear(0.25, 0.5, 1.0, 1.0)
        pixel = gl.ctx.screen.read(viewport=(0, 0, 1, 1), components=3)
        gl.ctx.error  # the read leaves a stale error behind on some drivers
        print(gl.kind, bool(window), list(pixel))
    """
)


def test_window_context_on_the_null_platform():
    # A process that holds an EGL context cannot open a window: use a fresh one.
    result = subprocess.run(
        [sys.executable, "-c", WINDOW_SCRIPT], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    kind, opened, pixel = result.stdout.split(" ", 2)
    assert kind == "window" and opened == "True"
    assert pixel.strip() == "[64, 128, 255]"


def test_a_window_that_cannot_open_is_one_clear_error(monkeypatch):
    glfw = gl_window.glfw  # imgui_bundle's own, as the viewer loads it
    monkeypatch.setattr(glfw, "init", lambda: False)
    monkeypatch.setattr(glfw, "init_hint", lambda *args: None)
    monkeypatch.setattr(glfw, "get_error", lambda: (65542, b"no platform"))
    with pytest.raises(GLContextError, match="glfw could not initialise: no platform"):
        gl_window.open_window((64, 48), "test", visible=False, null_platform=True)
