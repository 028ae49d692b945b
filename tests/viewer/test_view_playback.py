"""Path playback through the viewer's pipeline (the real worker and networks, frames from
a stand-in source): play, pause, step, scrub and loop, frame by frame."""

from __future__ import annotations

import pytest

from renderer.path import CameraPath
from renderer.pathgen import resolve_path
from renderer.player import PathPlayer, RenderSettings
from renderer.scenes import load_scene
from tests.conftest import TEST_QUALITY
from viewer.app import actions
from viewer.app.pipeline import Pipeline
from viewer.app.state import AppState
from viewer.app.worker import NetworkWorker

LENGTH = 4


class Source:
    """Pre-rendered frames in place of the window's renderer; logs what was asked for."""

    def __init__(self, frames):
        self.frames = frames
        self.asked: list[int] = []

    def render(self, state, path, index):
        self.asked.append(index)
        return self.frames[index]


@pytest.fixture(scope="module")
def frames(gl_session):
    scene = load_scene("temple")
    path = resolve_path("default", scene)
    settings = RenderSettings(size=(64, 36), reference=False, quality=TEST_QUALITY)
    with PathPlayer(scene, settings, gl=gl_session) as player:
        return [player.render(path, i) for i in range(LENGTH)]


@pytest.fixture
def app(frames):
    state = AppState()
    state.playback.path = CameraPath(fps=30, frames=[None] * LENGTH)  # the source ignores it
    source = Source(frames)
    worker = NetworkWorker()
    pipeline = Pipeline(source, worker)

    def ui_frames(n: int = 1) -> None:
        for _ in range(n):
            pipeline.step(state, False)
            pipeline.hand_over()
            assert worker.wait_idle(timeout=60)  # a test may wait; the UI loop never does

    yield state, source, ui_frames
    worker.close()


def test_play_pause_step_scrub_and_loop(app):
    state, source, ui_frames = app
    p = state.playback
    ui_frames(2)
    assert source.asked == [0, 1]
    actions.toggle_play(state)
    ui_frames(3)
    assert source.asked == [0, 1]  # paused: nothing new
    actions.step(state, 1)
    ui_frames(3)
    assert source.asked == [0, 1, 2]
    actions.step(state, -1)  # back one: frame 1 again, the networks afresh
    ui_frames(2)
    assert source.asked == [0, 1, 2, 1] and p.index == 2
    actions.seek(state, 3)
    ui_frames(2)
    assert source.asked[-1] == 3 and not p.playing
    hashes = {(h[0], h[1]): h[2] for h in p.hashes}
    # Frame 1 replayed after a jump starts afresh: the same as when it followed frame 0
    # only if that one refreshed too; frame 0 from the start is always reproducible.
    actions.seek(state, 0)
    actions.toggle_loop(state)
    actions.toggle_play(state)
    ui_frames(2 * LENGTH)
    again = [h for h in p.hashes if h[0] == 1]
    assert p.passes >= 1 and [h[1] for h in again][:2] == [0, 1]
    assert again[0][2] == hashes[(0, 0)]
    firsts = [h[2] for h in p.hashes if h[0] == 0 and h[1] == 0]
    assert len(set(firsts)) == 1


def test_a_settings_change_while_paused_shows_the_same_frame_again(app):
    state, source, ui_frames = app
    ui_frames(2)
    actions.toggle_play(state)
    ui_frames(1)
    asked = len(source.asked)
    actions.set_task(state, "extrapolate")
    ui_frames(2)
    assert source.asked[asked:] == [1]  # the frame on screen, run by the new networks
    assert state.stats.error is None


def test_paused_views_get_what_they_need_and_bad_networks_stop_asking(app):
    state, source, ui_frames = app
    ui_frames(1)
    actions.toggle_play(state)
    ui_frames(1)
    actions.set_view(state, "heatmap")  # the shown frame ran without its heatmap
    ui_frames(2)
    assert source.asked == [0, 0] and state.stats.flip_mean is not None
    actions.set_arch(state, "unetpp")
    actions.set_task(state, "extrapolate")  # no weights for this pair
    ui_frames(3)
    assert source.asked == [0, 0, 0] and "no weights" in state.stats.error
    actions.set_arch(state, "unet")
    ui_frames(2)
    assert source.asked == [0, 0, 0, 0] and state.stats.error is None
