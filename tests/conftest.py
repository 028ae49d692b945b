"""Shared fixtures: one headless GL context for the whole session, checked for GL errors
around every test that uses it (the moderngl test-suite pattern); no test reads the user's
own calibration file."""

from __future__ import annotations

import pytest

from evaluation.calibrated import ENV as CALIBRATION_ENV
from renderer.context import GLContext, create_context
from renderer.lights import PREVIEW_QUALITY

TEST_QUALITY = PREVIEW_QUALITY


@pytest.fixture(scope="session")
def gl_session() -> GLContext:
    gl = create_context("egl")
    yield gl
    gl.close()


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
