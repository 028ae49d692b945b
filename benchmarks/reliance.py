"""How much each shipped network leans on its deep features: ``python -m benchmarks.reliance``.

On the moving frames of each built-in scene's default path (mean motion at least
:data:`MOVING` px), each network runs in full, and its top decoder runs again on the deep
features (what a layer cache keeps, ReFrame's cut) of 1, 4 and 16 frames earlier, with this
frame's skips: FLIP and PSNR (tone-mapped) between that output and the full one. A network
that corrects a strong start changes little when its deep features are stale, and a cache
skips most of its frames whatever it does: that is what this measures. Features from
before a cut are not used (a cache refreshes there). Printed as a markdown table, per
network and scene and over all scenes, with each network's ratio to the U-Net of its task
at every lag.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence

import numpy as np
import torch
from tqdm import tqdm

from benchmarks import runtime
from common.metrics.flip import flip
from common.metrics.psnr import psnr
from common.metrics.sequence import sequence_psnr
from common.padding import pad_to
from common.tonemap import tonemap
from evaluation.reference_cache import default_cache_dir
from evaluation.runner import Runner
from networks.method import NetworkMethod
from networks.model import ARCH_TASKS, ARCHS
from networks.tasks import TASKS
from networks.weights import load_network, weights_path
from renderer.lights import ShadowQuality
from renderer.pathgen import resolve_path
from renderer.player import RenderSettings
from renderer.scenes import load_scene

LAGS = (1, 4, 16)
MOVING = 0.05
"""Mean motion-vector length (px) from which a frame counts as moving (as in
``benchmarks.by_motion``: below it the camera and the objects are still)."""


class StaleDecoder(NetworkMethod):
    """The full network, which also decodes this frame's skips with the deep features of
    ``lags`` frames earlier (``stale``: lag -> the network's raw output)."""

    def __init__(self, task, net, lags: Sequence[int]) -> None:
        super().__init__(task, net, name="full")
        self.lags = tuple(lags)
        self.kept: deque = deque(maxlen=max(self.lags))
        self.stale: dict[int, torch.Tensor] = {}
        self.inputs: torch.Tensor | None = None

    def reset(self) -> None:
        super().reset()
        self.kept.clear()

    def run_network(self, x, frame, history):
        if frame.cut:
            self.kept.clear()
        h, w = x.shape[-2:]
        skips = self.net.top_encoder(pad_to(x, self.net.alignment))
        deep = self.net.deep(skips)
        self.stale = {
            lag: self.net.top_decoder(self.kept[-lag], skips)[..., :h, :w]
            for lag in self.lags
            if len(self.kept) >= lag
        }
        self.kept.append(deep)
        self.inputs = x
        return self.net.top_decoder(deep, skips)[..., :h, :w]


def measure(
    task_name: str, arch: str, scene_name: str, size: tuple[int, int], frames: int | None
) -> dict[int, tuple[list[float], list[float]]]:
    """lag -> (FLIP per moving frame, PSNR per moving frame) on one scene's default path."""
    task = TASKS[task_name]
    net, _ = load_network(task_name, arch)
    method = StaleDecoder(task, net, LAGS)
    scene = load_scene(scene_name)
    path = resolve_path("default", scene)
    settings = RenderSettings(size=size, quality=ShadowQuality())
    runner = Runner(scene, path, task, [method], settings, default_cache_dir())
    scores: dict[int, tuple[list[float], list[float]]] = {lag: ([], []) for lag in LAGS}
    count = len(path) if frames is None else min(frames, len(path))
    try:
        bar = tqdm(
            runner.run(count, against_reference=False),
            total=count,
            desc=f"{task_name}-{arch} {scene_name}",
        )
        for r in bar:
            if r.frame.motion.norm(dim=0).mean().item() < MOVING:
                continue
            full = tonemap(r.outputs["full"])
            for lag, raw in method.stale.items():
                with torch.inference_mode():
                    y = task.to_hdr(task.finish(raw, method.inputs)[0], r.frame)
                    stale = tonemap(y)
                    scores[lag][0].append(float(flip(stale, full)[1]))
                    scores[lag][1].append(float(psnr(stale, full)))
    finally:
        runner.close()
    return scores


def shipped() -> list[tuple[str, str]]:
    """(task, arch) of every weight file that ships."""
    return [
        (task, arch)
        for task in TASKS
        for arch in ARCHS
        if task in ARCH_TASKS.get(arch, (task,)) and weights_path(task, arch).exists()
    ]


def main() -> None:
    parser = runtime.parser(__doc__)
    parser.add_argument("--scenes", nargs="*", default=["temple", "garden", "arena"])
    parser.add_argument(
        "--networks", nargs="*", help="task-arch names, e.g. extrapolate-extranet (default: all)"
    )
    parser.add_argument("--resolution", default="640x360")
    parser.add_argument(
        "--frames", type=int, default=150, help="frames from each path's start (0: all)"
    )
    args = runtime.start(parser)
    nets = shipped()
    if args.networks:
        nets = [n for n in nets if f"{n[0]}-{n[1]}" in args.networks]
    lag_cols = (
        " | ".join(f"FLIP @{k}" for k in LAGS) + " | " + " | ".join(f"PSNR @{k}" for k in LAGS)
    )
    rows: dict[tuple[str, str], dict] = {}
    lines = []
    for task_name, arch in nets:
        every: dict[int, tuple[list[float], list[float]]] = {lag: ([], []) for lag in LAGS}
        for scene in args.scenes:
            scores = measure(task_name, arch, scene, args.size, args.frames or None)
            lines.append(_row(f"{task_name}-{arch}", scene, scores))
            for lag in LAGS:
                every[lag][0].extend(scores[lag][0])
                every[lag][1].extend(scores[lag][1])
        rows[(task_name, arch)] = every
        lines.append(_row(f"{task_name}-{arch}", "all", every))
    print(f"| network | scene | moving frames | {lag_cols} |")
    print("|---|---|---|" + "---|" * (2 * len(LAGS)))
    print("\n".join(lines))
    print()
    print("| network | FLIP ratio to its task's U-Net, " + " / ".join(f"@{k}" for k in LAGS) + " |")
    print("|---|---|")
    for (task_name, arch), every in rows.items():
        unet = rows.get((task_name, "unet"))
        if arch == "unet" or unet is None:
            continue
        ratios = [np.mean(every[k][0]) / max(np.mean(unet[k][0]), 1e-12) for k in LAGS]
        print(f"| {task_name}-{arch} | " + " / ".join(f"{r:.1f}x" for r in ratios) + " |")


def _row(name: str, scene: str, scores: dict[int, tuple[list[float], list[float]]]) -> str:
    n = len(scores[LAGS[0]][0])
    # Three significant digits: a network that leans on its deep features barely moves in
    # the fourth decimal, and a ratio of two such numbers needs them to be read.
    flips = " | ".join(f"{np.mean(scores[k][0]):.3g}" if scores[k][0] else "–" for k in LAGS)
    # PSNR of the mean squared error over the frames, as eval scores a path.
    psnrs = " | ".join(f"{sequence_psnr(scores[k][1]):.2f}" if scores[k][1] else "–" for k in LAGS)
    return f"| {name} | {scene} | {n} | {flips} | {psnrs} |"


if __name__ == "__main__":
    main()
