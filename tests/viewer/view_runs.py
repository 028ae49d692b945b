"""Running ``reframe-rt view --headless`` in a subprocess: a process that has held an EGL
standalone context (as the test session's does) cannot open a window (docs/DESIGN.md,
where things run)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

WINDOW = "1024x600"
"""Big enough for every panel, so scripted clicks find their widgets."""


def run_view(
    tmp: Path, *args: str, script: list | None = None, name: str = "run", returncode: int = 0
) -> dict:
    """Run the viewer headless with ``args``; returns its report (the app's own stats)."""
    report = tmp / f"{name}.report.json"
    cmd = [sys.executable, "-m", "viewer.cli", "view", "--headless", "--window", WINDOW]
    if script is not None:
        file = tmp / f"{name}.script.json"
        file.write_text(json.dumps(script), encoding="utf-8")
        cmd += ["--script", str(file)]
    cmd += [*args, "--report", str(report)]
    done = subprocess.run(cmd, cwd=tmp, capture_output=True, text=True, timeout=600)
    assert done.returncode == returncode, done.stderr[-3000:]
    assert not (tmp / "imgui.ini").exists(), "ImGui wrote its ini file into the cwd"
    return json.loads(report.read_text(encoding="utf-8"))
