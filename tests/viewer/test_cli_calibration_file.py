"""A broken calibration file of the user's: every command stops at its start with exit
status 2 and one line naming the file, not a traceback, whether or not it reads presets.

Each run is a fresh ``python -m viewer.cli`` process: a file read while the modules import
(before the command line's error handling) shows only there.
"""

import os
import subprocess
import sys

import pytest

SMALL = ["--frames", "1", "--resolution", "64x36"]
COMMANDS = {
    "render": ["render", *SMALL, "--quiet", "--out", "out"],
    "eval": ["eval", *SMALL, "--quiet", "--out", "out"],
    "view": ["view", "--headless", *SMALL],
}


@pytest.mark.parametrize("command", list(COMMANDS))
def test_a_malformed_calibration_file_is_one_line_and_status_2(command, tmp_path):
    broken = tmp_path / "calibration.json"
    broken.write_text("{not json")
    env = {**os.environ, "REFRAME_RT_CALIBRATION": str(broken)}
    env["REFRAME_RT_CACHE"] = str(tmp_path / "cache")
    done = subprocess.run(
        [sys.executable, "-m", "viewer.cli", *COMMANDS[command]],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 2, done.stderr[-3000:]
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr[-3000:]
    assert lines[0].startswith("reframe-rt: error: ")
    assert f"{broken} is not a calibration file" in lines[0]
    assert not (tmp_path / "out").exists()
