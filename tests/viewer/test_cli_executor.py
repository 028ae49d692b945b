"""``--executor``: a sweep on a local Ray instance gives the local executor's results, a
killed sweep resumes with the units left, and without Ray the local executor still runs."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from evaluation import eval_unit
from viewer.cli import main

SWEEP = ["eval", "--scene", "temple", "--scene", "garden", "--policy", "delta-H"]
SWEEP += ["--resolution", "64x36", "--quiet"]
TIMES = ("ms",)
SCORES = ("psnr_vs_ref", "ssim_vs_ref", "flip_vs_ref", "psnr_vs_full", "ssim_vs_full")
SCORES += ("flip_vs_full",)


def frames_of(out: Path) -> list[dict]:
    with open(out / "frames.csv", newline="") as f:
        return list(csv.DictReader(f))


def untimed_summary(out: Path) -> list[dict]:
    rows = json.loads((out / "summary.json").read_text())["runs"]
    timed = ("baseline_ms_median", "full_ms_median", "cached_ms_median", "speedup")
    return [{k: v for k, v in r.items() if k not in timed} for r in rows]


def test_four_units_on_two_ray_workers_equal_the_local_executor(tmp_path):
    args = [*SWEEP, "--task", "denoise", "--task", "supersample", "--frames", "3"]
    args += ["--cache", str(tmp_path / "cache")]
    assert main([*args, "--out", str(tmp_path / "local")]) == 0
    assert (
        main([*args, "--out", str(tmp_path / "ray"), "--executor", "ray", "--ray-cpus", "2"]) == 0
    )
    units = sorted(p.name for p in (tmp_path / "ray" / "units").iterdir())
    assert units == [
        f"{scene}.brief.{task}.json"
        for scene in ("garden", "temple")
        for task in ("denoise", "supersample")
    ]
    local, ray = frames_of(tmp_path / "local"), frames_of(tmp_path / "ray")
    assert len(local) == len(ray) == 2 * 2 * 3 * 3  # scenes, tasks, frames, methods
    for a, b in zip(local, ray, strict=True):
        same = ("task", "scene", "path", "frame", "method", "refresh", "tau")
        assert {k: a[k] for k in same} == {k: b[k] for k in same}, "identical decisions"
        for k in SCORES:
            if a[k]:
                assert float(b[k]) == pytest.approx(float(a[k]), rel=1e-4, abs=1e-5), (k, a, b)
    assert (tmp_path / "ray" / "denoise_garden_quality.png").is_file()


def _run_in_background(args: list[str], cwd: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "viewer.cli", *args],
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def test_a_killed_sweep_resumes_with_the_units_left_and_ends_as_an_uninterrupted_one(tmp_path):
    args = [*SWEEP, "--scene", "arena", "--path", "default", "--task", "denoise"]
    args += ["--frames", "6", "--cache", str(tmp_path / "cache")]
    out = tmp_path / "killed"
    units = out / "units"
    run = _run_in_background([*args, "--out", str(out)], tmp_path)
    try:
        deadline = time.monotonic() + 120
        while not list(units.glob("*.json")):
            assert run.poll() is None, "the sweep ended before it could be killed"
            assert time.monotonic() < deadline
            time.sleep(0.01)
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
        run.wait()
    kept = {p.name: p.stat().st_mtime_ns for p in units.glob("*.json")}
    assert 1 <= len(kept) < 3, kept
    assert not (out / "summary.json").exists()
    assert main([*args, "--out", str(out)]) == 0
    assert {p.name: p.stat().st_mtime_ns for p in units.glob("*.json") if p.name in kept} == kept
    assert len(list(units.glob("*.json"))) == 3
    whole = tmp_path / "whole"
    assert main([*args, "--out", str(whole)]) == 0
    assert untimed_summary(out) == untimed_summary(whole)
    strip = [{k: v for k, v in r.items() if k not in TIMES} for r in frames_of(out)]
    assert strip == [{k: v for k, v in r.items() if k not in TIMES} for r in frames_of(whole)]


def test_a_finished_unit_is_read_back_and_fresh_runs_it_again(tmp_path, capsys, monkeypatch):
    args = ["eval", "--task", "denoise", "--policy", "full", "--frames", "2"]
    args += ["--resolution", "64x36", "--out", str(tmp_path / "o"), "--cache", str(tmp_path / "c")]
    assert main(args) == 0
    before = (tmp_path / "o" / "frames.csv").read_text()

    def no_rendering(*args, **kwargs):
        raise AssertionError("rendered")

    monkeypatch.setattr(eval_unit, "FrameFeed", no_rendering)
    assert main(args) == 0
    assert "1 of 1 eval units already done" in capsys.readouterr().out
    assert (tmp_path / "o" / "frames.csv").read_text() == before
    assert main([*args, "--fresh"]) == 1
    assert "task denoise: AssertionError: rendered" in capsys.readouterr().err


BLOCK_RAY = """
import sys
tried = []

class Block:
    def find_spec(self, name, path=None, target=None):
        if name == "ray" or name.startswith("ray."):
            tried.append(name)
            raise ImportError(f"No module named {name!r}", name=name)

sys.modules.pop("ray", None)
sys.meta_path.insert(0, Block())
from evaluation import eval_unit
from viewer.cli import main
args = ["eval", "--task", "denoise", "--policy", "full", "--frames", "2", "--resolution",
        "64x36", "--quiet", "--out", sys.argv[1], "--cache", sys.argv[2]]
assert main(args) == 0
assert not tried, tried
assert main([*args, "--executor", "ray"]) == 2
print("tried", tried)
"""


def test_without_ray_the_local_executor_runs_and_ray_is_one_line(tmp_path):
    done = subprocess.run(
        [sys.executable, "-c", BLOCK_RAY, str(tmp_path / "o"), str(tmp_path / "c")],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "tried ['ray']" in done.stdout, "the local executor imported nothing of Ray"
    err = [line for line in done.stderr.splitlines() if line.strip()]
    assert err == [
        "reframe-rt: error: --executor ray needs Ray: pip install 'reframe-rt[ray]' "
        "(or --executor local)"
    ]


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--ray-address", "auto"], "--ray-address need --executor ray"),
        (["--executor", "ray", "--unit-cpus", "0"], "--unit-cpus must be positive"),
        (["--executor", "ray", "--ray-cpus", "0"], "--ray-cpus must be at least 1"),
        (["--frames-dir", "{tmp}", "--scene", "garden"], "give no --scene or --path"),
        (["--unit-cpus", "2"], "--unit-cpus need --executor ray"),
        # garden has no brief tour: 'brief' is its own path, played twice.
        (["--scene", "garden", "--path", "brief", "--path", "default"], "garden, path garden:"),
    ],
)
def test_bad_executor_options_exit_2_before_any_unit(args, says, tmp_path, capsys):
    args = [a.format(tmp=tmp_path) for a in args]
    assert main(["eval", "--quiet", "--out", str(tmp_path / "o"), *args]) == 2
    err = capsys.readouterr().err
    assert says in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "o" / "units").exists()
