"""Where a network gains and loses against its baseline, by motion:
``python -m benchmarks.by_motion --task extrapolate``.

Each built-in scene's whole default path at 640x360: per frame, the mean squared error
(tone-mapped, against the reference) of the task's baseline and of the full network, and
the frame's mean motion-vector length; printed per band of motion, with the sequence PSNR
difference (from the mean squared error, as eval scores a path). Also the error of what
the network corrects (``Task.start``: the guided reprojection for extrapolation, the
baseline otherwise), so the network's own part shows. ``--weights`` scores a candidate
weight file before it replaces the shipped one.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from benchmarks import runtime
from common.tonemap import tonemap
from evaluation.reference_cache import default_cache_dir
from evaluation.runner import Baseline, Runner
from networks.method import NetworkMethod
from networks.tasks import TASKS
from networks.weights import load_network
from renderer.lights import ShadowQuality
from renderer.pathgen import resolve_path
from renderer.player import RenderSettings
from renderer.scenes import load_scene

BANDS = ((0.0, 0.05), (0.05, 0.5), (0.5, 2.0), (2.0, float("inf")))
"""Mean motion per frame, pixels: still, creeping, moving, fast."""


def per_frame(name: str, task_name: str, weights: Path | None) -> np.ndarray:
    """(frames, 4): mean motion (px), baseline MSE, start MSE, network MSE."""
    task = TASKS[task_name]
    net, _ = load_network(task_name, "unet", weights)
    methods = [Baseline(task), NetworkMethod(task, net, name="full")]
    scene = load_scene(name)
    settings = RenderSettings(size=(640, 360), quality=ShadowQuality())
    runner = Runner(
        scene, resolve_path("default", scene), task, methods, settings, default_cache_dir()
    )
    rows = []
    try:
        for r in runner.run():
            ref = tonemap(r.frame.reference)
            base = (tonemap(r.outputs["baseline"]) - ref).square().mean().item()
            start = (tonemap(task.start(r.frame, r.history)) - ref).square().mean().item()
            net = (tonemap(r.outputs["full"]) - ref).square().mean().item()
            rows.append((r.frame.motion.norm(dim=0).mean().item(), base, start, net))
    finally:
        runner.close()
    return np.array(rows)


def main() -> None:
    parser = runtime.parser(__doc__)
    parser.add_argument("--task", choices=sorted(TASKS), default="extrapolate")
    parser.add_argument("--scenes", nargs="*", default=["temple", "garden", "arena"])
    parser.add_argument("--weights", type=Path, help="weight file (default: the shipped one)")
    args = runtime.start(parser)
    print(
        "| scene | motion (px) | frames | baseline MSE | start MSE | network MSE "
        "| start / baseline | network / baseline |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for name in args.scenes:
        a = per_frame(name, args.task, args.weights)
        for lo, hi in BANDS:
            band = (a[:, 0] >= lo) & (a[:, 0] < hi)
            if band.any():
                print(_row(name, f"{lo:g}–{hi:g}", a[band], lambda x, b: f"{x / b:.2f}"))
        print(_row(name, "all", a, lambda x, b: f"{10 * np.log10(b / x):+.2f} dB"))


def _row(name: str, band: str, a: np.ndarray, ratio) -> str:
    base, start, net = a[:, 1].mean(), a[:, 2].mean(), a[:, 3].mean()
    return (
        f"| {name} | {band} | {len(a)} | {base:.3g} | {start:.3g} | {net:.3g} | "
        f"{ratio(start, base)} | {ratio(net, base)} |"
    )


if __name__ == "__main__":
    main()
