"""The viewer's live speedup is eval's: the same methods on the same frames, so on the same
path, policy and resolution the refresh decisions match frame for frame, and both measure
a speedup. How close the two speedups are is a timing, measured by ``benchmarks.viewer``
(BENCHMARKS.md), not asserted here."""

from __future__ import annotations

import csv
import json
import subprocess
import sys

from tests.viewer.view_runs import run_view

FRAMES, RESOLUTION, POLICY = 12, "160x90", "delta-L"


def _eval(tmp_path) -> tuple[float, list[int]]:
    """``reframe-rt eval`` in its own process, as the viewer runs in its own: both start
    with the same process-wide settings (``viewer/cli.py`` sets them before torch loads)."""
    out = tmp_path / "eval"
    args = [sys.executable, "-m", "viewer.cli", "eval", "--task", "denoise",
            "--path", "default", "--policy", "full", "--policy", POLICY, "--frames", str(FRAMES),
            "--resolution", RESOLUTION, "--quiet", "--out", str(out),
            "--cache", str(tmp_path / "references")]  # fmt: skip
    done = subprocess.run(args, cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    row = json.loads((out / "summary.json").read_text())["runs"][0]
    with open(out / "frames.csv", newline="") as f:
        refresh = [int(r["refresh"]) for r in csv.DictReader(f) if r["method"] == POLICY]
    return row["speedup"], refresh


def test_live_speedup_is_measured_on_evals_decisions(tmp_path):
    eval_speedup, eval_refresh = _eval(tmp_path)
    report = run_view(
        tmp_path, "--path", "default", "--frames", str(FRAMES), "--resolution", RESOLUTION,
        "--policy", POLICY, name="view",
    )  # fmt: skip
    assert [int(h[3]) for h in report["hashes"]] == eval_refresh
    assert 0 < sum(eval_refresh) < FRAMES, "delta-L both refreshes and reuses here"
    assert report["network_frames"] == FRAMES
    assert report["speedup"] > 0 and eval_speedup > 0


def test_view_takes_a_network_and_shows_what_the_builtin_staging_shows(tmp_path):
    """Our denoiser through --network (wrapped from its graph): the viewer's frames hash
    and refresh as with the built-in staging."""
    (tmp_path / "user_nets.py").write_text(
        "from networks.weights import load_network\n\n\n"
        "def denoiser():\n    return load_network('denoise', 'unet')[0]\n"
    )
    args = ["--path", "default", "--frames", "4", "--resolution", "64x36", "--policy", POLICY]
    builtin = run_view(tmp_path, *args, name="builtin")
    wrapped = run_view(tmp_path, *args, "--network", "user_nets:denoiser", name="wrapped")
    assert wrapped["error"] is None and wrapped["network_frames"] == 4
    assert wrapped["hashes"] == builtin["hashes"]


def test_view_plays_a_frames_dir_as_eval_does(tmp_path):
    frames = tmp_path / "frames"
    run = [sys.executable, "-m", "viewer.cli"]
    render = [*run, "render", "--path", "default", "--frames", "8", "--resolution", "64x36",
              "--quiet", "--out", str(frames)]  # fmt: skip
    assert subprocess.run(render, cwd=tmp_path, capture_output=True, timeout=600).returncode == 0
    out = tmp_path / "eval"
    evaluate = [*run, "eval", "--frames-dir", str(frames), "--task", "denoise", "--policy",
                "full", "--policy", POLICY, "--quiet", "--out", str(out)]  # fmt: skip
    assert subprocess.run(evaluate, cwd=tmp_path, capture_output=True, timeout=600).returncode == 0
    with open(out / "frames.csv", newline="") as f:
        refresh = [int(r["refresh"]) for r in csv.DictReader(f) if r["method"] == POLICY]
    report = run_view(
        tmp_path, "--frames-dir", str(frames), "--frames", "8", "--policy", POLICY, name="dir"
    )
    assert report["error"] is None and report["network_frames"] == 8
    assert [int(h[3]) for h in report["hashes"]] == refresh
