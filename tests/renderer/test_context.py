"""GL contexts: headless EGL, a clear error for anything else, and a renderer that needs no
GUI library (windows are the viewer's: ``tests/viewer/test_view_window.py``)."""

import subprocess
import sys
import textwrap

import pytest

from renderer import context


def test_headless_egl_context_is_opengl_33_or_newer(gl):
    major, minor = (int(v) for v in gl.ctx.info["GL_VERSION"].split()[0].split(".")[:2])
    assert (major, minor) >= (3, 3)
    assert gl.kind == "egl" and gl.on_close is None


def test_unknown_kind_is_rejected():
    with pytest.raises(ValueError, match="unknown context kind"):
        context.create_context("window")


GUI_FREE_SCRIPT = textwrap.dedent(
    """
    import importlib, pkgutil, sys
    import renderer
    for info in pkgutil.walk_packages(renderer.__path__, "renderer."):
        importlib.import_module(info.name)
    from renderer.scenes import BUILTIN_SCENES
    for name in BUILTIN_SCENES:
        importlib.import_module(f"renderer.scenes.{name}")
    print(sorted({m.split(".")[0] for m in sys.modules} & {"glfw", "imgui_bundle"}))
    """
)


def test_the_renderer_imports_no_gui_library():
    # A fresh process: this one may have imported the viewer already.
    result = subprocess.run(
        [sys.executable, "-c", GUI_FREE_SCRIPT], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
