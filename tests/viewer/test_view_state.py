"""The viewer's parts that need no window: the fly camera, the policy state, the actions,
recording, and the network runner and worker (in-process, on the session's EGL context)."""

from __future__ import annotations

import json
from types import SimpleNamespace

import numpy as np
import pytest
import torch

from caching.spec import parse_policy
from evaluation.presets import presets_for
from renderer.camera import Camera
from renderer.path import PathFrame, load_path
from renderer.pathgen import resolve_path
from renderer.player import PathPlayer, RenderSettings
from renderer.scenes import load_scene
from tests.conftest import TEST_QUALITY
from viewer.app import actions, requests
from viewer.app.fly import FlyCamera
from viewer.app.inference import Job, NetConfig, NetworkRunner
from viewer.app.recording import recorded_path, save_recording
from viewer.app.source import FrameSource
from viewer.app.state import AppState, CacheState
from viewer.app.stats import LiveStats
from viewer.app.worker import NetworkWorker
from viewer.cli import main

DENOISE = NetConfig("denoise", "unet", "delta-L")


def test_fly_camera_takes_a_pose_and_gives_it_back():
    camera = Camera.look_at((3.0, 2.0, 5.0), (0.0, 1.0, 0.0), fov=50.0)
    fly = FlyCamera()
    fly.set_from(camera)
    assert np.allclose(fly.camera().camera_to_world, camera.camera_to_world, atol=1e-9)
    assert fly.camera().fov == 50.0


def test_fly_camera_moves_where_it_looks_and_turns_with_the_mouse():
    fly = FlyCamera(position=np.zeros(3), yaw=90.0, speed=2.0)  # looking down -X
    assert not fly.advance(0.5)
    fly.held |= {"W"}
    assert fly.advance(0.5)
    assert np.allclose(fly.position, [-1.0, 0.0, 0.0])
    fly.held = {"E", "SHIFT"}
    fly.advance(0.25)
    assert np.allclose(fly.position, [-1.0, 2.0, 0.0])
    fly.look(50, 1000)
    assert fly.yaw == pytest.approx(80.0) and fly.pitch == -89.0


def test_policy_state_names_presets_and_taus_as_specs():
    c = CacheState()
    assert c.spec("denoise") == "delta-L"
    c.taus["delta"] = float(np.float32(presets_for("denoise")["delta-H"]))  # a slider's float32
    assert c.spec("denoise") == "delta-H"
    c.taus["delta"] = 0.2
    assert c.spec("denoise") == "delta-0.2"
    for spec in ("full", "every-3", "delta-H", "delta-0.07", "motion-L", "motion-5", "lfd-0.04"):
        c.set_spec(spec, "supersample")
        assert c.spec("supersample") == spec
        parse_policy(spec, presets_for("supersample"))
    # The shipped calibration gives the denoiser a delta-auto tau (a tau of 0, where none
    # fits, is a preset too: tests/viewer/test_cli_calibrate.py).
    auto = presets_for("denoise")["delta-auto"]
    c.set_spec("delta-auto+warp", "denoise")
    assert c.taus["delta"] == auto and c.warp and c.spec("denoise").endswith("+warp")
    c.set_spec("delta-0.07+warp+online", "supersample")
    assert c.online and c.spec("supersample") == "delta-0.07+warp+online"
    c.family = "every"  # every-N has no tau to adapt: the flag stays out of its spec
    assert c.spec("supersample") == "every-3+warp"  # N from the every-3 set above
    c.set_spec("lfd-0.04+depth", "supersample")
    assert c.depth and c.spec("supersample") == "lfd-0.04+depth"
    c.warp = True  # +depth takes no other modifier: the spec keeps it alone
    assert c.spec("supersample") == "lfd-0.04+depth"
    parse_policy(c.spec("supersample"), presets_for("supersample"))
    c.family = "motion"  # motion has no level measure: no +depth
    assert "+depth" not in c.spec("supersample")


def test_actions_change_the_state_and_restart_the_networks_when_they_must():
    state = AppState()
    actions.set_task(state, "supersample")
    assert state.generation == 1 and state.policy_spec() == "delta-L"
    assert state.cache.taus["delta"] == presets_for("supersample")["delta-L"]
    actions.cycle_policy(state)
    assert state.cache.family == "motion" and state.generation == 1
    for _ in range(100):
        actions.nudge_threshold(state, 1)
    assert state.cache.taus["motion"] == 32.0
    actions.toggle_heatmap(state)
    assert state.view.mode == "heatmap"
    actions.toggle_heatmap(state)
    assert state.view.mode == "cached"
    state.scene.follow_window = True
    actions.window_resized(state, 301, 171)
    assert state.scene.size == (150, 84) and state.generation == 2


def test_a_recording_saves_frames_and_keyframes_and_loads_back(tmp_path):
    fly = FlyCamera(position=np.zeros(3))
    fly.held = {"W"}
    frames = []
    for i in range(20):
        fly.advance(0.1)
        fly.look(3, 0)
        c = fly.camera()
        frames.append(PathFrame(c.camera_to_world, c.fov, i / 30, cut=i == 0))
    path = save_recording(frames, "temple", tmp_path / "rec.json")
    loaded = load_path(tmp_path / "rec.json")
    assert len(loaded) == 20 and loaded.scene == "temple"
    assert [k.time for k in loaded.keyframes] == pytest.approx([0.0, 0.5, 19 / 30])
    for a, b in zip(loaded.frames, path.frames, strict=True):
        assert np.allclose(a.camera_to_world, b.camera_to_world, atol=1e-8)
        assert a.time == pytest.approx(b.time, abs=1e-6)
    assert not loaded.frames[0].cut
    # Animation paused: every frame at one time, which keyframes cannot express.
    frozen = [PathFrame(f.camera_to_world, f.fov, 1.0) for f in frames]
    assert recorded_path(frozen, "temple").keyframes == []


@pytest.fixture(scope="module")
def frames(gl_session):
    scene = load_scene("temple")
    path = resolve_path("default", scene)
    out = {}
    for size in ((64, 36), (48, 28)):
        settings = RenderSettings(size=size, reference=False, quality=TEST_QUALITY)
        with PathPlayer(scene, settings, gl=gl_session) as player:
            out[size] = [player.render(path, i) for i in range(3)]
    return out


def test_the_runner_restarts_cleanly_on_a_new_size_and_a_new_policy(frames):
    runner = NetworkRunner()
    first = [runner.run(Job(f, DENOISE, 0, tag=i)) for i, f in enumerate(frames[(64, 36)])]
    assert [r.fresh for r in first] == [True, False, False] and first[0].refresh
    assert {r.tau for r in first} == {presets_for("denoise")["delta-L"]}
    assert all(r.error is None and r.cached.shape == (3, 36, 64) for r in first)
    # A resize: a new generation; the first frame at the new size refreshes.
    resized = runner.run(Job(frames[(48, 28)][1], DENOISE, 1))
    assert resized.fresh and resized.refresh and resized.cached.shape == (3, 28, 48)
    # Another policy: new methods, a fresh start, the same network output on a refresh.
    other = runner.run(Job(frames[(48, 28)][1], NetConfig("denoise", "unet", "every-2"), 1))
    assert other.fresh and [m.name for m in runner.methods] == ["baseline", "full", "every-2"]
    assert torch.equal(other.cached, resized.outputs["full"])
    assert other.tau is None  # every-N has no tau
    # The same frames from a fresh start give the same outputs.
    again = [runner.run(Job(f, DENOISE, 2, tag=i)) for i, f in enumerate(frames[(64, 36)])]
    assert [r.digest for r in again] == [r.digest for r in first]
    # Adaptive depth: the same frame twice reuses at depth 1 and shows in the live stats.
    depth = NetConfig("denoise", "unet", "delta-0.1+depth")
    same = frames[(64, 36)][0]
    results = [runner.run(Job(same, depth, 3, tag=i)) for i in range(2)]
    assert [r.refresh for r in results] == [True, False] and results[1].depth == 1
    stats = LiveStats()
    for r in results:
        stats.add_network(1.0, 1.0, r.refresh, r.depth)
    assert stats.report()["reuse_depths"] == {"1": 1} and stats.depth == 1


def test_the_runner_reports_missing_weights_instead_of_raising(frames):
    result = NetworkRunner().run(Job(frames[(64, 36)][0], NetConfig("extrapolate", "unetpp",
                                                                     "full"), 0))  # fmt: skip
    assert result.error and "no weights" in result.error and not result.outputs


def test_the_worker_hands_results_back_without_blocking(frames):
    worker = NetworkWorker(threads=2)
    try:
        assert worker.idle and worker.take() is None
        worker.submit(Job(frames[(64, 36)][0], DENOISE, 0))
        assert not worker.idle
        with pytest.raises(RuntimeError):
            worker.submit(Job(frames[(64, 36)][1], DENOISE, 0))
        assert worker.wait_idle(timeout=60)
        result = worker.take()
        assert result is not None and result.error is None and worker.idle
    finally:
        worker.close()


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--frames", "1", "--policy", "delta-X"], "bad policy"),
        (["--frames", "1", "--resolution", "64"], "bad resolution"),
        (["--frames", "1", "--task", "supersample", "--resolution", "65x37"], "even"),
        (["--frames", "0"], "--frames"),
        ([], "--headless needs"),
        (["--frames", "1", "--cut", "5"], "--cut"),
        (["--frames", "1", "--scene", "nowhere.obj"], "nowhere.obj"),
        (["--frames", "1", "--path", "nowhere.json"], "nowhere.json"),
        (["--frames", "1", "--task", "supersample", "--arch", "unetpp"], "no weights"),
        (["--frames", "1", "--path", "default", "--record", "f.json"], "--record"),
    ],
)
def test_bad_options_exit_2_before_any_window(args, says, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the relative files named above, were any written
    assert main(["view", "--headless", *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith("reframe-rt: error:") and len(err.strip().splitlines()) == 1
    assert says in err


def test_scene_and_path_requests_switch_or_report_without_crashing(tmp_path):
    app = SimpleNamespace(source=FrameSource(None))
    state = AppState()
    actions.request(state, "scene", "arena")
    requests.handle(app, state)
    assert state.scene.name == "arena" and state.generation == 1
    actions.request(state, "scene", str(tmp_path / "missing.obj"))
    requests.handle(app, state)
    assert state.scene.name == "arena" and "missing.obj" in state.messages[-1]
    # A path file names its scene: loading it brings the scene along and plays from 0.
    camera = Camera.look_at((0.0, 2.0, 5.0), (0.0, 1.0, 0.0))
    frames = [PathFrame(camera.camera_to_world, 50.0, i / 30) for i in range(3)]
    save_recording(frames, "temple", tmp_path / "p.json")
    actions.request(state, "load", str(tmp_path / "p.json"))
    requests.handle(app, state)
    p = state.playback
    assert state.scene.name == "temple" and len(p.path) == 3 and p.index == 0 and p.playing


@pytest.mark.parametrize(
    ("step", "says"),
    [
        ({"key": "NOPE"}, "no key 'NOPE'"),
        ({"key": "W", "action": "hold"}, "action"),
        ({"wait": "x"}, "needs a count"),
        ({"frames": -1}, "needs a count"),
        ({"mouse": [1]}, "needs [x, y]"),
        ({"button": "middle", "action": "press"}, "button"),
        ({"resize": [0, 10]}, "needs [width, height]"),
        ({"drag": "threshold", "to": "half"}, "share"),
        ({"frobnicate": 1}, "unknown step"),
    ],
)
def test_a_bad_script_step_is_named_before_any_window(step, says, tmp_path, capsys):
    script = tmp_path / "s.json"
    script.write_text(json.dumps([{"wait": 1}, step]))
    assert main(["view", "--headless", "--script", str(script)]) == 2
    err = capsys.readouterr().err
    assert "step 2" in err and says in err and len(err.strip().splitlines()) == 1
