"""What more samples per pixel can buy the denoiser: ``python -m benchmarks.spp``.

The full network (no cache, so no reuse error) with every frame rendered at one spp, for
each spp given, on each built-in default path: its FLIP and PSNR against the reference, and
the noisy input's. The best a frame budget can do for a cached denoiser is below the full
network's gain at the spp its reuse frames get, so this bounds the equal-time comparison of
``reframe-rt eval --frame-budget``.
"""

from __future__ import annotations

import statistics

from benchmarks import runtime
from common.metrics.sequence import sequence_psnr
from evaluation.methods import methods_for
from evaluation.playback import scene_playback
from evaluation.reference_cache import default_cache_dir
from evaluation.runner import Runner
from networks.tasks import TASKS
from renderer.player import RenderSettings
from renderer.scenes import BUILTIN_SCENES


def measure(scene: str, size: tuple[int, int], frames: int, spp: int) -> dict:
    task = TASKS["denoise"]
    play = scene_playback(scene, "default", size, frames)
    methods = methods_for(task, ["full"], "unet", size=size)
    settings = RenderSettings(size=size, spp=spp)
    runner = Runner(play.scene, play.path, task, methods, settings, default_cache_dir())
    scores: dict[str, list] = {"baseline": [], "full": []}
    try:
        for result in runner.run(play.count):
            for name in scores:
                scores[name].append(result.vs_reference[name])
    finally:
        runner.close()
    return {
        "scene": scene,
        "spp": spp,
        **{f"flip_{n}": statistics.fmean(s.flip for s in v) for n, v in scores.items()},
        **{f"psnr_{n}": sequence_psnr([s.psnr for s in v]) for n, v in scores.items()},
    }


def main() -> None:
    parser = runtime.parser(__doc__)
    parser.add_argument("--resolution", default="640x360")
    parser.add_argument("--frames", type=int, default=150)
    parser.add_argument("--spp", type=int, nargs="+", default=[1, 2, 4, 8, 16])
    parser.add_argument("--scenes", nargs="+", default=list(BUILTIN_SCENES))
    args = runtime.start(parser)
    rows = [
        measure(scene, args.size, args.frames, spp) for scene in args.scenes for spp in args.spp
    ]
    w, h = args.size
    print(f"denoise U-Net, every frame at one spp, {args.frames} frames at {w}x{h}")
    print("| scene | spp | FLIP input | FLIP full | vs 1 spp | PSNR input | PSNR full |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        one = next(o for o in rows if o["scene"] == r["scene"] and o["spp"] == min(args.spp))
        print(
            f"| {r['scene']} | {r['spp']} | {r['flip_baseline']:.4f} | {r['flip_full']:.4f} | "
            f"{100 * (r['flip_full'] / one['flip_full'] - 1):+.1f}% | "
            f"{r['psnr_baseline']:.2f} dB | {r['psnr_full']:.2f} dB |"
        )


if __name__ == "__main__":
    main()
