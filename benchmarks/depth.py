"""Adaptive depth against fixed cuts at equal FLIP: ``python -m benchmarks.depth``.

Per built-in scene, the shipped U-Net (or U-Net++) of a task runs in full, behind plain
``delta`` caches at the fixed cut 1 (ReFrame's) and at cut 2, and behind ``delta+depth``
caches, each over a tau sweep, on the first frames of the scene's default path (one unit
per scene and fixed cut: ``--executor ray`` runs them on Ray). Prints the FLOPs of a frame
served at each depth against the full network, the sweeps, and for each point of the
``+depth`` front the fixed cuts' speedup at the same mean FLIP against the full network
(read off the front of both fixed cuts between measured points; issue #26's goal: 10% more
for the denoiser).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import torch

from benchmarks import runtime
from benchmarks.pareto import sweep_table
from common.padding import pad_to
from common.timing import paired_median_ms
from evaluation.calibration import SweepRow, SweepUnit, pool
from evaluation.executors import run_all
from evaluation.fingerprint import inputs_stamp
from evaluation.pareto import gains_at_equal_flip, plot
from evaluation.reference_cache import default_cache_dir
from networks.weights import load_network

SCENES = ("temple", "garden", "arena")
FIXED = {
    "denoise": (0.02, 0.03, 0.05, 0.08, 0.11, 0.14, 0.2, 0.3),
    "supersample": (0.1, 0.3, 0.5, 1.0, 2.0),
    "extrapolate": (0.1, 0.3, 0.5, 1.0, 2.0),
}
"""Taus of the fixed cuts, reaching the FLIP of the largest ``+depth`` taus."""
ADAPTIVE = {
    "denoise": (0.03, 0.06, 0.1, 0.15, 0.2, 0.3),
    "supersample": (0.05, 0.1, 0.2, 0.3, 0.5),
    "extrapolate": (0.05, 0.1, 0.2, 0.3, 0.5),
}
"""Taus of ``+depth``: compared with features, whose SMAPE runs higher than the input's."""
DEEPER = 2
"""The fixed cut below ReFrame's that is swept as a family of its own."""
GAIN = 1.10


def main() -> None:
    parser = runtime.parser(__doc__)
    parser.add_argument("--task", default="denoise", choices=sorted(FIXED))
    parser.add_argument("--arch", default="unet", choices=("unet", "unetpp"))
    parser.add_argument("--scenes", nargs="*", default=list(SCENES))
    parser.add_argument("--frames", type=int, default=150)
    parser.add_argument("--resolution", default="320x180")
    parser.add_argument("--out", type=Path, default=Path("out/depth"))
    parser.add_argument("--docs", type=Path, default=Path("docs"))
    runtime.add_executor(parser)
    args = runtime.start(parser)
    options, executor = runtime.executor_options(parser, args)
    flops_per_depth(args.task, args.arch, args.size)
    specs = [f"delta-{t:g}" for t in FIXED[args.task]]
    adaptive = [f"delta-{t:g}+depth" for t in ADAPTIVE[args.task]]
    units = {
        (name, cut): SweepUnit(
            args.task,
            tuple(specs + (adaptive if cut == 1 else [])),
            name,
            path="default",
            start=0,
            frames=args.frames,
            size=args.size,
            arch=args.arch,
            cut=cut,
            threads=executor.threads(),
            inputs=inputs_stamp([args.task], args.arch, None),
            cache_dir=str(default_cache_dir()),
            quiet=executor.elsewhere,
        )
        for name in args.scenes
        for cut in (1, DEEPER)
    }
    store = options.unit_store(args.out / "units")
    measured = run_all(list(units.values()), executor, store, what="depth units")
    runs: dict[str, list[SweepRow]] = {}
    for (name, cut), unit in units.items():
        rows = pool([measured[unit.key()]], unit.specs, None)
        if cut != 1:  # the deeper fixed cut: a family of its own
            rows = [replace(r, spec=f"{r.spec} cut {cut}", family=f"delta cut {cut}") for r in rows]
        runs.setdefault(name, []).extend(rows)
    report(args.task, runs, args.frames, args.resolution)
    title = (
        f"{args.task} ({args.arch}): fixed cuts (delta) and adaptive depth (delta+depth), "
        f"{args.resolution}"
    )
    print(f"wrote {plot(runs, title, args.docs / f'depth-{args.task}-{args.arch}.png')}")


def flops_per_depth(task: str, arch: str, size: tuple[int, int], repeats: int = 15) -> None:
    """The FLOPs and time of a frame served at each depth, as shares of the full network's
    (timed against it in turn, on a random input of the task's width)."""
    net, _ = load_network(task, arch)
    width, height = size
    full = sum(net.stage_flops(height, width, 1).values())
    x = pad_to(torch.randn(1, net.config.in_channels, height, width), net.alignment)
    x = x.contiguous(memory_format=torch.channels_last)
    print(f"\n{task} {arch} at {width}x{height}: a frame served at each depth")
    print("| depth | FLOPs vs full | time vs full |")
    print("|---|---|---|")
    with torch.inference_mode():
        for k in range(1, net.max_cut + 1):
            flops = net.stage_flops(height, width, k)
            kept = net.deep(net.top_encoder(x, k), k)

            def served(k=k, kept=kept):
                return net.climb(kept, net.top_encoder(x, k), k)

            ms, whole = paired_median_ms(served, lambda: net(x), repeats)
            print(f"| {k} | {(full - flops['deep']) / full:.3f} | {ms / whole:.3f} |")
    print(f"| {net.max_cut + 1} (refresh) | 1.000 | 1.000 |")


def report(task: str, runs: dict[str, list[SweepRow]], frames: int, resolution: str) -> None:
    sweep_table(f"{task}, the first {frames} frames of each default path, {resolution}", runs)
    print(
        f"\nEach +depth front point against the fixed cut's front at the same FLIP (goal {GAIN}x)"
    )
    print("| scene | +depth | its FLIP, speedup | fixed cut there | gain |")
    print("|---|---|---|---|---|")
    for name, rows in runs.items():
        # The fixed cuts' front: the best either cut gives at each FLIP.
        fixed = [r for r in rows if r.family.startswith("delta") and "+depth" not in r.family]
        adaptive = [r for r in rows if r.family == "delta+depth"]
        for a, speed in gains_at_equal_flip(fixed, adaptive):
            there = f"{speed:.2f}x | {a.speedup / speed:.2f}x" if speed else "nothing that low | –"
            print(f"| {name} | {a.spec} | {a.flip:.4f}, {a.speedup:.2f}x | {there} |")


if __name__ == "__main__":
    main()
