"""``reframe-rt dump``: docs/DESIGN.md's file names, and an interrupted dump finishes with the very
files of an uninterrupted one."""

import subprocess
import sys
import time

from evaluation.exr import read_exr
from viewer.cli import main

FRAMES = 6
ARGS = ["dump", "--task", "denoise", "--frames", str(FRAMES), "--resolution", "64x36", "--quiet"]


def files(directory):
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir())}


def test_dump_names_and_channels(tmp_path):
    assert main([*ARGS, "--out", str(tmp_path / "d"), "--no-cache"]) == 0
    names = set(files(tmp_path / "d"))
    for i in range(FRAMES):
        stem = f"frame_{i:04d}"
        assert {
            f"{stem}.exr",
            f"{stem}_input.png",
            f"{stem}_reference.png",
            f"{stem}_baseline.png",
            f"{stem}_baseline_flip.png",
            f"{stem}_full.png",  # the shipped network, the default method
            f"{stem}_full_flip.png",
        } <= names
    channels = read_exr(tmp_path / "d" / "frame_0002.exr")
    assert {
        "baseline.R",
        "baseline.G",
        "baseline.B",
        "baseline_flip.Y",
        "full.R",
        "full_flip.Y",
        "reference.R",
        "motion.X",
        "depth.Z",
    } <= set(channels)
    assert len(names) == 7 * FRAMES


def test_interrupted_dump_ends_with_the_same_files(tmp_path):
    whole, broken = tmp_path / "whole", tmp_path / "broken"
    assert main([*ARGS, "--out", str(whole), "--no-cache"]) == 0
    command = [sys.executable, "-m", "viewer.cli", *ARGS, "--out", str(broken), "--no-cache"]
    process = subprocess.Popen(command)
    deadline = time.monotonic() + 120
    while not (broken / "frame_0002.exr").exists() and time.monotonic() < deadline:
        if process.poll() is not None:
            break
        time.sleep(0.02)
    process.kill()  # no chance to clean up: as if the machine went down
    process.wait()
    written = set(files(broken)) if broken.exists() else set()
    assert 0 < len({n for n in written if n.endswith(".exr")}) < FRAMES, "killed mid-way"
    assert main([*ARGS, "--out", str(broken), "--no-cache"]) == 0
    assert files(broken) == files(whole)
