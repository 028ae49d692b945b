"""The taus behind the named presets, per task.

``delta-H`` refreshes often (high sensitivity, small error), ``delta-L`` rarely (low
sensitivity, more speed); ``motion-H`` and ``motion-L`` likewise in pixels of accumulated
motion. ``python -m benchmarks.calibrate`` chooses them on random training scenes, never on
the built-in evaluation paths. Until its sweep has run with the shipped weights, these are
provisional values set by hand (for denoise above the noise floor: a 1-spp input differs
from the last one by about 0.1 in SMAPE on a still camera, measured on temple).
"""

from __future__ import annotations

PRESETS: dict[str, dict[str, float]] = {
    "denoise": {"delta-H": 0.13, "delta-L": 0.16, "motion-H": 4.0, "motion-L": 12.0},
    "supersample": {"delta-H": 0.05, "delta-L": 0.15, "motion-H": 4.0, "motion-L": 12.0},
    "extrapolate": {"delta-H": 0.05, "delta-L": 0.15, "motion-H": 4.0, "motion-L": 12.0},
}


def presets_for(task: str) -> dict[str, float]:
    return PRESETS.get(task, {})
