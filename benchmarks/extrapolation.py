"""Extrapolation networks against reprojection, per stretch: ``python -m benchmarks.extrapolation``.

On each built-in scene's default path and temple's brief tour (the main job's), every frame
extrapolation applies to: PSNR (of the mean squared error over frames, as eval scores a
path) and mean FLIP against the reference, of plain reprojection (the baseline) and of each
architecture's shipped network, over all frames and per stretch
(:mod:`evaluation.stretches`). Then the goals of issue #22 per network and path: PSNR at
least +1.5 dB and FLIP at most 0.8x reprojection's over all frames, no stretch where its FLIP
is above reprojection's, and on still frames (where reprojection is exact) within FLIP 0.002
of it. ``--unet`` / ``--extranet`` score candidate weight files instead of the shipped ones.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from tqdm import tqdm

from benchmarks import runtime
from common.metrics.flip import flip
from common.metrics.sequence import sequence_psnr
from common.tonemap import tonemap
from evaluation.reference_cache import default_cache_dir
from evaluation.runner import Baseline, Runner
from evaluation.stretches import STRETCHES, stretch_of
from networks.method import NetworkMethod
from networks.tasks import TASKS
from networks.weights import load_network
from renderer.lights import ShadowQuality
from renderer.pathgen import resolve_path
from renderer.player import RenderSettings
from renderer.scenes import load_scene

PATHS = (("temple", "brief"), ("temple", "default"), ("garden", "default"), ("arena", "default"))
ARCHS = ("unet", "extranet")
GAIN_DB, FLIP_RATIO, STILL_FLIP = 1.5, 0.8, 0.002


def play(scene_name: str, path_name: str, nets: dict, size, frames: int | None) -> list[dict]:
    """Per scored frame: its stretch, and each method's PSNR and FLIP; on still frames each
    network's FLIP against reprojection too."""
    task = TASKS["extrapolate"]
    methods = [Baseline(task)] + [NetworkMethod(task, net, name=a) for a, net in nets.items()]
    scene = load_scene(scene_name)
    path = resolve_path(path_name, scene)
    settings = RenderSettings(size=size, quality=ShadowQuality())
    runner = Runner(scene, path, task, methods, settings, default_cache_dir())
    count = len(path) if frames is None else min(frames, len(path))
    rows = []
    try:
        for r in tqdm(runner.run(count), total=count, desc=f"{scene_name} {path_name}"):
            row = {"stretch": stretch_of(r.frame, r.history[-1] if r.history else None)}
            for name, s in r.vs_reference.items():
                row[name] = (s.psnr, s.flip)
            if row["stretch"] == "still":
                exact = tonemap(r.outputs["baseline"])
                for name in nets:
                    row[f"{name}_vs_exact"] = float(flip(tonemap(r.outputs[name]), exact)[1])
            rows.append(row)
    finally:
        runner.close()
    return rows


def summary(rows: list[dict], name: str) -> tuple[float, float]:
    return sequence_psnr([r[name][0] for r in rows]), float(np.mean([r[name][1] for r in rows]))


def main() -> None:
    parser = runtime.parser(__doc__)
    parser.add_argument("--resolution", default="320x180")
    parser.add_argument("--frames", type=int, default=0, help="frames per path (0: all)")
    parser.add_argument("--paths", nargs="*", help="scene:path pairs (default: all four)")
    for arch in ARCHS:
        parser.add_argument(f"--{arch}", type=Path, help=f"{arch} weight file (default: shipped)")
    args = runtime.start(parser)
    paths = [tuple(p.split(":")) for p in args.paths] if args.paths else PATHS
    nets = {a: load_network("extrapolate", a, getattr(args, a))[0] for a in ARCHS}
    label = {"baseline": "reprojection", "unet": "U-Net", "extranet": "ExtraNet"}
    names = ["baseline", *ARCHS]
    table = ["| path | stretch | frames | " + " | ".join(label[n] for n in names) + " |"]
    table.append("|---|---|---|" + "---|" * len(names))
    goals = [
        "| network | path | PSNR gain | FLIP ratio | worst stretch (FLIP ratio) "
        "| still: max FLIP vs reprojection | goals |",
        "|---|---|---|---|---|---|---|",
    ]
    for scene, path in paths:
        rows = play(scene, path, nets, args.size, args.frames or None)
        parts = {"all": rows} | {
            s: [r for r in rows if r["stretch"] == s]
            for s in STRETCHES
            if any(r["stretch"] == s for r in rows)
        }
        for stretch, part in parts.items():
            cells = []
            for n in names:
                p, f = summary(part, n)
                cells.append(f"{p:.2f} dB / {f:.4f}")
            table.append(
                f"| {scene} {path} | {stretch} | {len(part)} | " + " | ".join(cells) + " |"
            )
        base_psnr, base_flip = summary(rows, "baseline")
        for arch in ARCHS:
            p, f = summary(rows, arch)
            # Still frames are held to their own bar (reprojection's FLIP there is 0).
            ratios = {
                s: summary(part, arch)[1] / max(summary(part, "baseline")[1], 1e-12)
                for s, part in parts.items()
                if s not in ("all", "still")
            }
            worst = max(ratios, key=ratios.get)
            still = [r[f"{arch}_vs_exact"] for r in rows if f"{arch}_vs_exact" in r]
            still_max = max(still) if still else 0.0
            met = (
                p - base_psnr >= GAIN_DB
                and f <= FLIP_RATIO * base_flip
                and ratios[worst] <= 1.0
                and still_max <= STILL_FLIP
            )
            goals.append(
                f"| {label[arch]} | {scene} {path} | {p - base_psnr:+.2f} dB | {f / base_flip:.2f} "
                f"| {worst} ({ratios[worst]:.2f}) | {still_max:.4f} "
                f"| {'met' if met else 'missed'} |"
            )
    print("\n".join(table))
    print()
    print("\n".join(goals))


if __name__ == "__main__":
    main()
