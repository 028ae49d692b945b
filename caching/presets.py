"""The taus behind the named presets, per task.

``delta-H`` refreshes often (high sensitivity, small error), ``delta-L`` rarely (low
sensitivity, more speed); ``motion-H`` and ``motion-L`` likewise in pixels of accumulated
motion. They were chosen on random training scenes, never on the built-in evaluation paths,
by ``python -m benchmarks.calibrate`` (BENCHMARKS.md has its table and targets).
"""

from __future__ import annotations

PRESETS: dict[str, dict[str, float]] = {
    "denoise": {"delta-H": 0.20, "delta-L": 0.30, "motion-H": 4.0, "motion-L": 12.0},
    "supersample": {"delta-H": 0.05, "delta-L": 0.15, "motion-H": 4.0, "motion-L": 12.0},
    "extrapolate": {"delta-H": 0.05, "delta-L": 0.15, "motion-H": 4.0, "motion-L": 12.0},
}


def presets_for(task: str) -> dict[str, float]:
    return PRESETS.get(task, {})
