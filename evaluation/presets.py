"""The taus behind the named presets, per task: the policies' spec parser
(:func:`caching.spec.parse_policy`) is handed them, the cache itself knows no task.

``delta-H`` refreshes often (high sensitivity, small error), ``delta-L`` rarely (low
sensitivity, more speed); ``motion-H`` and ``motion-L`` likewise in pixels of accumulated
motion. ``reframe-rt calibrate --presets`` chooses them on random training scenes, never on
the built-in evaluation paths: per task, the largest tau of a sweep whose mean FLIP against
the full network stays under a target below the paper's numbers (:data:`TARGETS`), and
writes them into the calibration file beside the ``-auto`` presets. The presets in effect
are read from the calibration files (the user's, then the shipped ``assets/calibration.json``)
when a command asks for them; :data:`PRESETS` are the built-in numbers, the fallback where a
file has none, and the same numbers the shipped file holds.

Where the shipped numbers come from (BENCHMARKS.md has the sweeps):

- ``extrapolate``: swept with the shipped network; every tau up to the sweep's top (0.25,
  16 px) stayed far under both targets (FLIP vs full at most 0.0007), so ``L`` is the top
  of that sweep and ``H`` one step below it. The wider sweep run since (up to 1.0, kept in
  ``assets/calibration.json``) stays under both targets everywhere (FLIP 0.0011 at 1.0);
  moving the presets there waits for a run that can redo the paper table with them.
- ``supersample`` (a correction to the guided upsampling): swept again with that network,
  up to 1.0 and 32 px; every tau stays far under both targets (FLIP vs full at most 0.0052
  at 1.0, 0.0027 at 32 px), so ``L`` is the top of the sweep and ``H`` one step below,
  as for extrapolation. (The network before, on bilinear upsampling: 0.18 / 0.25 and
  8 / 16 px, at most 0.0084.)
- ``denoise`` (a correction to six noisy frames accumulated): FLIP vs full 0.0172 at 0.05
  and 0.0350 at 0.1, the largest under the targets 0.02 (``H``) and 0.04 (``L``). Motion
  meets ``L``'s target only at 2 px (0.0380; 4 px: 0.0441) and ``H``'s nowhere; ``H``
  stays 2 px and ``L`` 4 px.
"""

from __future__ import annotations

from evaluation.calibrated import auto_presets, named_presets

PRESETS: dict[str, dict[str, float]] = {
    "denoise": {"delta-H": 0.05, "delta-L": 0.1, "motion-H": 2.0, "motion-L": 4.0},
    "supersample": {"delta-H": 0.7, "delta-L": 1.0, "motion-H": 16.0, "motion-L": 32.0},
    "extrapolate": {"delta-H": 0.18, "delta-L": 0.25, "motion-H": 8.0, "motion-L": 16.0},
}

TARGETS: dict[str, dict[str, float]] = {
    # Mean FLIP against the full network: below the paper's numbers (means over sequences),
    # with room for the unknown.
    "extrapolate": {"H": 0.012, "L": 0.024},
    "supersample": {"H": 0.035, "L": 0.085},
    "denoise": {"H": 0.02, "L": 0.04},
}
"""The FLIP target of each level of a task's named presets."""


def presets_for(task: str) -> dict[str, float]:
    """The named taus of ``task``: the H and L presets (from the calibration files, else
    :data:`PRESETS`), and the ``-auto`` ones that ``reframe-rt calibrate`` chose for a FLIP
    budget (:mod:`evaluation.calibrated`).

    Raises:
        CalibrationError: a calibration file that cannot be read.
    """
    return {**PRESETS.get(task, {}), **named_presets(task), **auto_presets(task)}
