"""Choose the named presets' taus on training-style scenes: ``python -m benchmarks.calibrate``.

The sweep of ``evaluation.calibration`` (random procedural scenes, never the built-in scenes
or their paths), with two FLIP targets per task: a preset's tau is the largest whose mean
FLIP against the full network stays under its target (the targets are set against the
paper's numbers, which are means over sequences). The results go, by hand, into
``caching/presets.py``. The worst still, walk or turn stretch is printed beside the mean;
``reframe-rt calibrate``, which stores the ``-auto`` presets itself, holds its one budget
on every stretch instead.
"""

from __future__ import annotations

import os

os.environ.setdefault("GOMP_SPINCOUNT", "10000")  # as the reframe-rt command sets it

import argparse
from dataclasses import replace

from evaluation.calibration import choose, sweep, sweep_specs
from evaluation.reference_cache import default_cache_dir
from networks.tasks import TASKS

TARGETS = {
    # FLIP against the full network: below the paper's numbers, with room for the unknown.
    "extrapolate": {"H": 0.012, "L": 0.024},
    "supersample": {"H": 0.035, "L": 0.085},
    "denoise": {"H": 0.02, "L": 0.04},
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenes", type=int, default=2)
    parser.add_argument("--seed", type=int, default=9001)
    parser.add_argument("--tasks", nargs="*", default=list(TASKS))
    args = parser.parse_args()
    chosen = {}
    for task in args.tasks:
        rows = sweep(task, sweep_specs(task), args.scenes, args.seed, cache_dir=default_cache_dir())
        print(f"\n{task}: {args.scenes} random scenes x 45 frames")
        print("| policy | tau | FLIP vs full | worst stretch | refresh rate | speedup |")
        print("|---|---|---|---|---|---|")
        for r in rows:
            print(
                f"| {r.family} | {r.tau:g} | {r.flip:.4f} | {r.judged_flip:.4f} | "
                f"{r.refresh_rate:.2f} | {r.speedup:.2f}x |"
            )
        targets = TARGETS[task]
        chosen[task] = {}
        for family in ("delta", "motion"):
            # By the mean, as the presets were chosen: the stretches only print.
            these = [replace(r, worst_flip=None) for r in rows if r.family == family]
            for level in ("H", "L"):
                row = choose(these, targets[level])
                # None fits: the smallest tau of the sweep, as close as it gets.
                tau = row.tau if row else min(r.tau for r in these)
                chosen[task][f"{family}-{level}"] = tau
        print(f"targets {targets} -> {chosen[task]}")
    print("\nPRESETS =", chosen)


if __name__ == "__main__":
    main()
