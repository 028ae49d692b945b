"""Is the path-tracing stub's noise real and unbiased? ``python -m benchmarks.noise``.

For each built-in scene's default view: PSNR (tone-mapped, against the reference) of one
1-spp render and of the mean of 64 independent 1-spp renders (seeds 0..63), and the mean
radiance of those 64 relative to the reference's (bias).
"""

from __future__ import annotations

import torch

from benchmarks import runtime
from common.metrics.psnr import psnr
from common.tonemap import tonemap
from renderer.context import create_context
from renderer.gpu_scene import GpuScene
from renderer.lights import PREVIEW_QUALITY, ShadowQuality
from renderer.renderer import Renderer, View
from renderer.scenes import BUILTIN_SCENES, load_scene


def measure(gl, name: str, size: tuple[int, int], quality: ShadowQuality, renders: int) -> dict:
    scene = load_scene(name)
    gpu = GpuScene(gl.ctx, scene, quality)
    renderer = Renderer(gpu, size)
    view = View(scene.camera, 0.0)
    reference = renderer.render(view, None, reference=True).reference
    noisy = torch.stack([renderer.render(view, None, seed=s).color for s in range(renders)])
    renderer.release()
    gpu.release()
    one = float(psnr(tonemap(noisy[0]), tonemap(reference)))
    mean = float(psnr(tonemap(noisy.mean(0)), tonemap(reference)))
    bias = float(noisy.mean() / reference.mean() - 1.0)
    return {"scene": name, "one": one, "mean": mean, "bias": bias}


def main() -> None:
    parser = runtime.parser(__doc__)
    parser.add_argument("--resolution", default="160x90")
    parser.add_argument("--renders", type=int, default=64)
    parser.add_argument("--full-quality", action="store_true", help="default shadow quality")
    args = runtime.start(parser)
    size = args.size
    quality = ShadowQuality() if args.full_quality else PREVIEW_QUALITY
    with create_context("egl") as gl:
        rows = [measure(gl, n, size, quality, args.renders) for n in BUILTIN_SCENES]
    print(
        f"noise at {size[0]}x{size[1]}, {'default' if args.full_quality else 'preview'} "
        f"shadow quality, {args.renders} renders"
    )
    print(f"| scene | PSNR 1 spp | PSNR mean of {args.renders} | gain | mean bias |")
    print("|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['scene']} | {r['one']:.2f} dB | {r['mean']:.2f} dB | "
            f"{r['mean'] - r['one']:+.2f} dB | {100 * r['bias']:+.2f}% |"
        )


if __name__ == "__main__":
    main()
