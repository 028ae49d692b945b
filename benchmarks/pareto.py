"""Speed against quality over tau sweeps: ``python -m benchmarks.pareto``.

Per task and built-in scene, the shipped U-Net runs in full and behind one layer cache per
policy spec of a tau sweep, all on the same frames of the scene's default path (640x360;
by default frames 100-147, where every default path moves);
per spec, the mean FLIP against the full network and the speedup (total full time over total
cached time). Prints the sweeps, writes a plot per task (``docs/pareto-<task>.png``: one
curve per policy family) and, for the motion-compensated ``+warp`` families, their speedup
at equal or lower FLIP than the plain family's front (issue #7's goal: 10% more).

Each task and scene is a unit (``--executor ray`` runs them on Ray), kept in
``--out/units`` as it finishes: a sweep interrupted and run again does only what was left.
"""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks import runtime
from evaluation.calibration import SweepRow, SweepUnit, pool
from evaluation.executors import run_all
from evaluation.fingerprint import inputs_stamp
from evaluation.pareto import gains, gains_at_equal_flip, plot
from evaluation.reference_cache import default_cache_dir
from evaluation.units import UnitsFailed

SCENES = ("temple", "garden", "arena")
TASKS = ("extrapolate", "supersample", "denoise")
# Few taus per family: every spec costs a cached network and a FLIP per frame (a sweep of
# 23 specs ran at 8 s per frame).
DELTA = {
    "extrapolate": (0.1, 0.3, 0.5, 1.0),
    "supersample": (0.1, 0.3, 0.5, 1.0),
    "denoise": (0.11, 0.14, 0.22),
}
MOTION = {"extrapolate": (8, 32), "supersample": (8, 32), "denoise": (2, 8, 32)}
LFD = {"extrapolate": (0.05,), "supersample": (0.05,), "denoise": (0.02, 0.05)}
EVERY = {"extrapolate": (2,), "supersample": (2,), "denoise": (2, 4)}
WARPED = ("extrapolate", "supersample")
"""Tasks swept with +warp too (the goal is theirs; the denoiser's reuse is ruled by noise)."""
WARP_TAUS = {"delta": (0.03, 0.1, 0.3, 1.0), "motion": (32, 128)}
"""+warp's own taus: its delta compares against the cached input moved like the features,
so at a given tau it refreshes less than plain delta and reaches lower FLIP only with
smaller taus; its features follow the motion, so motion's taus go further."""
GAIN = 1.10


def specs_for(task: str) -> list[str]:
    specs = [f"every-{n}" for n in EVERY[task]] + [f"lfd-{t:g}" for t in LFD[task]]
    for family, taus in (("delta", DELTA[task]), ("motion", MOTION[task])):
        specs += [f"{family}-{t:g}" for t in taus]
        if task in WARPED:
            specs += [f"{family}-{t:g}+warp" for t in WARP_TAUS[family]]
    return specs


def main() -> None:
    parser = runtime.parser(__doc__)
    parser.add_argument("--tasks", nargs="*", default=list(TASKS))
    parser.add_argument("--scenes", nargs="*", default=list(SCENES))
    parser.add_argument("--start", type=int, default=100, help="first frame of each path")
    parser.add_argument("--frames", type=int, default=48, help="frames from there")
    parser.add_argument("--out", type=Path, default=Path("out/pareto"))
    parser.add_argument("--docs", type=Path, default=Path("docs"))
    runtime.add_executor(parser)
    args = runtime.start(parser)
    options, executor = runtime.executor_options(parser, args)
    # One unit per task and scene; the default paths open on a still camera: start where
    # they move.
    units = {
        (task, name): SweepUnit(
            task,
            tuple(specs_for(task)),
            name,
            path="default",
            start=args.start,
            frames=args.frames,
            threads=executor.threads(),
            inputs=inputs_stamp([task], "unet", None),
            cache_dir=str(default_cache_dir()),
            quiet=executor.elsewhere,
        )
        for task in args.tasks
        for name in args.scenes
    }
    store = options.unit_store(args.out / "units")
    try:
        measured = run_all(list(units.values()), executor, store, what="pareto units")
        failed = None
    except UnitsFailed as error:  # the tasks whose scenes all finished still get their plots
        measured, failed = error.done, error
    for task in args.tasks:
        if any(units[task, name].key() not in measured for name in args.scenes):
            continue
        runs: dict[str, list[SweepRow]] = {}
        for name in args.scenes:
            unit = units[task, name]
            runs[name] = pool([measured[unit.key()]], unit.specs, None)
            file = args.out / task / f"{name}.json"
            file.parent.mkdir(parents=True, exist_ok=True)
            file.write_text(json.dumps([r.__dict__ for r in runs[name]], indent=1))
        report(task, runs, args.start, args.frames)
        title = (
            f"{task}: speedup vs FLIP over tau sweeps, frames {args.start}-"
            f"{args.start + args.frames - 1} of each default path, 640x360"
        )
        print(f"wrote {plot(runs, title, args.docs / f'pareto-{task}.png')}")
    if failed is not None:
        raise SystemExit(f"benchmarks.pareto: {failed}")


def sweep_table(title: str, runs: dict[str, list[SweepRow]]) -> None:
    """The sweeps, a row per scene and policy."""
    print(f"\n{title}")
    print("| scene | policy | FLIP vs full | refresh rate | speedup |")
    print("|---|---|---|---|---|")
    for name, rows in runs.items():
        for r in rows:
            print(f"| {name} | {r.spec} | {r.flip:.4f} | {r.refresh_rate:.2f} | {r.speedup:.2f}x |")


def report(task: str, runs: dict[str, list[SweepRow]], start: int, frames: int) -> None:
    sweep_table(f"{task}, frames {start}-{start + frames - 1} of each default path, 640x360", runs)
    if task not in WARPED:
        return
    print(f"\n{task}: +warp against plain reuse at equal or lower FLIP (goal ≥ {GAIN:.2f}x);")
    print("each side's front over all its policies")
    print("| scene | plain | its FLIP, speedup | best +warp there | its FLIP, speedup | gain |")
    print("|---|---|---|---|---|---|")
    for name, plain, warped in _pairs(runs):
        for p, w in gains(plain, warped):
            there = f"{w.spec} | {w.flip:.4f}, {w.speedup:.2f}x" if w else "none | –"
            gain = f"{w.speedup / p.speedup:.2f}x" if w else "–"
            print(f"| {name} | {p.spec} | {p.flip:.4f}, {p.speedup:.2f}x | {there} | {gain} |")
    print(f"\n{task}: each +warp front point against plain reuse's front at the same FLIP")
    print("(linear between the plain front's measured points)")
    print("| scene | +warp | its FLIP, speedup | plain there | gain |")
    print("|---|---|---|---|---|")
    for name, plain, warped in _pairs(runs):
        for w, speed in gains_at_equal_flip(plain, warped):
            there = f"{speed:.2f}x | {w.speedup / speed:.2f}x" if speed else "nothing that low | –"
            print(f"| {name} | {w.spec} | {w.flip:.4f}, {w.speedup:.2f}x | {there} |")


def _pairs(runs: dict[str, list[SweepRow]]):
    """(scene, every plain spec's row, every +warp spec's row): each side's front over all
    its families, so that a +warp point meets the best plain reuse there is at its FLIP,
    whichever policy gives it."""
    for name, rows in runs.items():
        warped = [r for r in rows if r.family.endswith("+warp")]
        yield name, [r for r in rows if r not in warped], warped


if __name__ == "__main__":
    main()
