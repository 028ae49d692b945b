"""Shared fixtures: one headless GL context for the whole session, checked for GL errors
around every test that uses it (the moderngl test-suite pattern); no test reads the user's
own calibration file."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import torch

from evaluation.calibrated import ENV as CALIBRATION_ENV
from renderer.context import GLContext, create_context
from renderer.gpu_scene import GpuScene
from renderer.lights import PREVIEW_QUALITY
from renderer.renderer import Renderer, View
from renderer.scenes import load_scene

TEST_QUALITY = PREVIEW_QUALITY


@pytest.fixture(scope="session")
def gl_session() -> GLContext:
    gl = create_context("egl")
    yield gl
    gl.close()


@contextmanager
def temple_renderer(gl: GLContext, size: tuple[int, int]) -> Iterator[tuple[Renderer, View]]:
    """A renderer of temple at ``size`` and the view from its camera, released after."""
    scene = load_scene("temple")
    gpu = GpuScene(gl.ctx, scene, TEST_QUALITY)
    renderer = Renderer(gpu, size)
    try:
        yield renderer, View(scene.camera, 0.0)
    finally:
        renderer.release()
        gpu.release()


@pytest.fixture
def gl(gl_session: GLContext) -> GLContext:
    """The session's context; fails the test if it leaves a GL error behind."""
    assert gl_session.ctx.error == "GL_NO_ERROR", "a GL error was pending before the test"
    yield gl_session
    assert gl_session.ctx.error == "GL_NO_ERROR", "the test left a GL error"


@pytest.fixture(autouse=True)
def no_user_calibration(tmp_path_factory, monkeypatch):
    """Point the user's calibration file somewhere empty: only the shipped one is read."""
    empty = tmp_path_factory.mktemp("calibration") / "calibration.json"
    monkeypatch.setenv(CALIBRATION_ENV, str(empty))
    return empty


@pytest.fixture(autouse=True)
def elsewhere(tmp_path_factory, monkeypatch):
    """Run each test in an empty directory: a command's default --out (out/eval,
    out/calibrate: where finished units are kept and read back) is never the checkout's."""
    monkeypatch.chdir(tmp_path_factory.mktemp("cwd"))


def pytest_collection_modifyitems(config, items):
    """Tests marked ``cuda`` skip where torch sees no GPU (CI has none)."""
    if torch.cuda.is_available():
        return
    skip = pytest.mark.skip(reason="needs a CUDA GPU")
    for item in items:
        if "cuda" in item.keywords:
            item.add_marker(skip)
