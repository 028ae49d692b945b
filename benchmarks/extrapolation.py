"""Where extrapolation gains and loses against reprojection: ``python -m benchmarks.extrapolation``.

Each built-in scene's whole default path at 640x360: per frame, the mean squared error
(tone-mapped, against the reference) of the reprojection baseline and of the network, and
the frame's mean motion-vector length; printed per band of motion, with the sequence PSNR
difference (from the mean squared error, as eval scores a path).
"""

from __future__ import annotations

import os

os.environ.setdefault("GOMP_SPINCOUNT", "10000")  # as the reframe-rt command sets it

import argparse

import numpy as np

from evaluation.methods import methods_for
from evaluation.reference_cache import default_cache_dir
from evaluation.runner import Runner
from evaluation.tonemap import tonemap
from networks.tasks import TASKS
from renderer.lights import ShadowQuality
from renderer.pathgen import resolve_path
from renderer.player import RenderSettings
from renderer.scenes import load_scene

BANDS = ((0.0, 0.05), (0.05, 0.5), (0.5, 2.0), (2.0, float("inf")))
"""Mean motion per frame, pixels: still, creeping, moving, fast."""


def per_frame(name: str) -> np.ndarray:
    """(frames, 3): mean motion (px), baseline MSE, network MSE."""
    task = TASKS["extrapolate"]
    scene = load_scene(name)
    settings = RenderSettings(size=(640, 360), quality=ShadowQuality())
    runner = Runner(
        scene, resolve_path("default", scene), task, methods_for(task, ["full"], "unet"),
        settings, default_cache_dir(),
    )  # fmt: skip
    rows = []
    try:
        for r in runner.run():
            ref = tonemap(r.frame.reference)
            base = (tonemap(r.outputs["baseline"]) - ref).square().mean().item()
            net = (tonemap(r.outputs["full"]) - ref).square().mean().item()
            rows.append((r.frame.motion.norm(dim=0).mean().item(), base, net))
    finally:
        runner.close()
    return np.array(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenes", nargs="*", default=["temple", "garden", "arena"])
    args = parser.parse_args()
    print(
        "| scene | motion (px) | frames | reprojection MSE | network MSE | network / reprojection |"
    )
    print("|---|---|---|---|---|---|")
    for name in args.scenes:
        a = per_frame(name)
        for lo, hi in BANDS:
            band = (a[:, 0] >= lo) & (a[:, 0] < hi)
            if band.any():
                base, net = a[band, 1].mean(), a[band, 2].mean()
                print(
                    f"| {name} | {lo:g}–{hi:g} | {band.sum()} | {base:.3g} | {net:.3g} | "
                    f"{net / base:.2f} |"
                )
        gain = 10 * np.log10(a[:, 1].mean() / a[:, 2].mean())
        print(f"| {name} | all | {len(a)} | {a[:, 1].mean():.3g} | {a[:, 2].mean():.3g} | "
              f"{gain:+.2f} dB |")  # fmt: skip


if __name__ == "__main__":
    main()
