"""``reframe-rt view --headless``: scripted interaction through ImGui's own input path,
resize and task switches, recording a flight and playing it back frame-exactly, and the
screenshot. Each app run is a subprocess (see view_runs.py); the runs are shared by the
tests of this module."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from renderer.path import load_path
from tests.viewer.view_runs import WINDOW, run_view

SCRIPT = [
    {"wait": 1}, {"log": "start"},
    {"click": "task:supersample"}, {"wait": 1}, {"log": "task"},
    {"click": "policy:motion"}, {"frames": 2}, {"log": "policy"},
    {"drag": "threshold", "to": 0.25}, {"frames": 2}, {"log": "slider"},
    {"click": "warp"}, {"frames": 2}, {"log": "warp"},
    {"click": "online"}, {"frames": 2}, {"log": "online"},
    {"click": "view:heatmap"}, {"wait": 1}, {"log": "heatmap"},
    {"key": "H"}, {"frames": 2}, {"log": "heatmap off"},
    {"click": "split"}, {"frames": 2}, {"log": "split"},
    # The divider sits mid-image (x = 512 of 1024): drag it right.
    {"mouse": [512, 300]}, {"button": "left", "action": "press"}, {"mouse": [600, 300]},
    {"button": "left", "action": "release"}, {"log": "divider"},
    {"key": "W", "action": "press"}, {"wait": 2}, {"key": "W", "action": "release"},
    {"log": "moved"},
    {"mouse": [500, 560]}, {"button": "right", "action": "press"}, {"mouse": [540, 560]},
    {"button": "right", "action": "release"}, {"log": "looked"},
    # Small windows from here on, the render following them at half size.
    {"resize": [200, 120]}, {"key": "F"}, {"wait": 2}, {"log": "follow"},
    {"resize": [180, 100]}, {"wait": 2}, {"log": "resized"},
    {"key": "3"}, {"wait": 2}, {"log": "extrapolate"},
]  # fmt: skip


@pytest.fixture(scope="module")
def work(tmp_path_factory):
    return tmp_path_factory.mktemp("view")


@pytest.fixture(scope="module")
def scripted(work):
    """A flight with clicks, keys, a drag and resizes, recorded into a path file."""
    report = run_view(
        work, "--resolution", "64x36", "--record", str(work / "flight.json"),
        script=SCRIPT, name="scripted",
    )  # fmt: skip
    return report, {entry["label"]: entry for entry in report["script_log"]}


@pytest.fixture(scope="module")
def played(work, scripted):
    """The recorded flight played twice (loop) with delta-L, then a screenshot."""
    frames = len(load_path(work / "flight.json"))
    shot = work / "played.png"
    report = run_view(
        work, "--path", str(work / "flight.json"), "--loop", "--frames", str(2 * frames),
        "--resolution", "64x36", "--policy", "delta-L", "--screenshot", str(shot),
        name="played",
    )  # fmt: skip
    return report, shot, frames


def test_scripted_clicks_keys_and_drags_change_the_state(scripted):
    _, log = scripted
    assert log["start"]["task"] == "denoise" and log["start"]["policy"] == "delta-L"
    assert log["task"]["task"] == "supersample"
    # delta-L stays delta-L across the task switch, at the new task's tau.
    assert log["task"]["policy"] == "delta-L"
    assert log["policy"]["family"] == "motion" and log["policy"]["policy"] == "motion-L"
    # A press at a quarter of the slider sets tau near a quarter of its 0..32 px range.
    tau = log["slider"]["taus"]["motion"]
    assert 5.0 < tau < 11.0 and log["slider"]["policy"] == f"motion-{tau:.5g}"
    assert log["warp"]["policy"] == f"motion-{tau:.5g}+warp"
    assert log["online"]["policy"] == f"motion-{tau:.5g}+warp+online"
    assert log["heatmap"]["view"] == "heatmap" and log["heatmap off"]["view"] == "cached"
    assert not log["heatmap off"]["split"] and log["split"]["split"]
    assert log["split"]["divider"] == 0.5
    assert log["divider"]["divider"] == pytest.approx(600 / 1024)
    moved = np.subtract(log["moved"]["camera_position"], log["split"]["camera_position"])
    assert np.linalg.norm(moved) > 0.01
    assert log["looked"]["yaw"] == pytest.approx(log["moved"]["yaw"] - 40 * 0.2)
    assert log["extrapolate"]["task"] == "extrapolate"


def test_resize_and_task_switch_restart_the_networks_cleanly(scripted):
    report, log = scripted
    assert report["error"] is None
    [message] = report["messages"]  # nothing went wrong; the recording was saved
    assert message.startswith("saved ") and message.endswith("flight.json")
    assert log["follow"]["resolution"] == [100, 60] and log["resized"]["resolution"] == [90, 50]
    assert log["follow"]["generation"] < log["resized"]["generation"]
    assert log["resized"]["generation"] < log["extrapolate"]["generation"]
    # Every restart's first frame ran the whole network at the size of its frame.
    starts = {s["generation"]: s for s in report["starts"]}
    assert {log[k]["generation"] for k in ("follow", "resized", "extrapolate")} <= set(starts)
    assert all(s["refresh"] for s in starts.values())
    assert starts[log["resized"]["generation"]]["size"] == [90, 50]
    assert report["output_size"] == [90, 50]
    assert report["state"]["network_frames"] >= 1


def test_the_recorded_flight_is_a_camera_path_with_keyframes_and_frames(work, scripted):
    path = load_path(work / "flight.json")
    assert path.scene == "temple" and len(path.keyframes) >= 2
    # One baked frame per frame the network saw (the recording starts with the app).
    assert len(path) >= 10
    positions = np.array([f.camera_to_world[:3, 3] for f in path.frames])
    assert np.ptp(positions, axis=0).max() > 0.01  # the flight moved


def test_playing_a_recorded_path_twice_gives_the_same_frames(played):
    report, _, frames = played
    passes = {0: {}, 1: {}}
    for loop, index, digest, _ in report["hashes"]:
        passes[loop][index] = digest
    assert sorted(passes[0]) == list(range(frames)) == sorted(passes[1])
    assert passes[0] == passes[1]
    assert len(set(passes[0].values())) > frames // 2  # the frames differ from each other


def test_headless_screenshot_shows_the_scene_panels_and_a_live_speedup(played):
    report, shot, frames = played
    image = np.asarray(Image.open(shot).convert("RGB")).astype(np.float64)
    width, height = (int(v) for v in WINDOW.split("x"))
    assert image.shape == (height, width, 3)
    widgets = report["widgets"]
    for title in ("Scene & camera", "Network", "Caching", "Live stats", "View"):
        x0, y0, x1, y1 = (int(v) for v in widgets[f"panel:{title}"])
        panel = image[max(y0, 0) : min(y1, height), max(x0, 0) : min(x1, width)]
        assert panel.size, title
        assert (panel.min(axis=2) > 200).sum() > 30, f"no text in the {title} panel"
    # Between the panel columns: the rendered scene, not a flat color.
    left = int(widgets["panel:Scene & camera"][2]) + 10
    right = int(widgets["panel:Live stats"][0]) - 10
    scene = image[50 : height - 50, left:right]
    assert scene.std() > 8.0 and np.ptp(scene.mean(axis=2)) > 40
    # The app's stats: delta-L reused features, and the speedup was measured.
    assert report["network_frames"] == frames and report["error"] is None
    assert 1 <= report["refreshes"] < frames
    assert report["speedup"] is not None and report["speedup"] > 0
    assert report["speedup"] == pytest.approx(report["full_ms_total"] / report["cached_ms_total"])


def test_an_odd_size_evens_for_supersample_and_networks_that_cannot_run_end_a_headless_run(work):
    script = [
        {"wait": 1}, {"click": "task:supersample"}, {"wait": 1}, {"log": "supersample"},
        {"click": "arch:unetpp"}, {"wait": 1}, {"log": "never reached"},
    ]  # fmt: skip
    report = run_view(
        work, "--resolution", "65x37", script=script, name="stuck", returncode=2
    )  # fmt: skip
    (logged,) = report["script_log"]
    assert logged["label"] == "supersample" and logged["resolution"] == [64, 36]
    assert "supersample needs even sides: rendering at 64x36" in report["messages"]
    assert report["state"]["arch"] == "unetpp" and "no weights" in report["error"]
