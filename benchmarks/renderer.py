"""Renderer cost per frame on each built-in scene: ``python -m benchmarks.renderer``.

Measures, at 640x360 with the default shadow quality, along each scene's built-in path:
the time of one 1-spp frame with every G-buffer read back into torch (what a network
pipeline pays per frame), its stages (each timed with the GL queue drained around it),
and the cost of the converged reference. Times are medians and minima over the frames.
"""

from __future__ import annotations

import statistics
import time

from benchmarks import runtime
from renderer.pathgen import resolve_path
from renderer.player import PathPlayer, RenderSettings
from renderer.renderer import View
from renderer.scenes import BUILTIN_SCENES, load_scene

STAGES = ("shadows", "gbuffer", "shade", "read")


def bench_scene(name: str, size: tuple[int, int], frames: int, references: int) -> dict:
    scene = load_scene(name)
    path = resolve_path("default", scene)
    start = time.perf_counter()
    player = PathPlayer(scene, RenderSettings(size=size, reference=False))
    player.gl.ctx.finish()
    setup = time.perf_counter() - start
    renderer = player.renderer
    picks = [round(i * (len(path) - 1) / max(frames - 1, 1)) for i in range(frames)]
    player.render(path, picks[0])  # warm-up: shader compilation, first allocations
    totals, stages = [], {s: [] for s in STAGES}
    for i in picks:
        start = time.perf_counter()
        player.render(path, i)
        totals.append(time.perf_counter() - start)
    renderer.profile = True
    for i in picks:
        player.render(path, i)
        for s in STAGES:
            stages[s].append(renderer.stage_times.get(s, 0.0))
    renderer.profile = False
    reference = []
    for i in picks[:references]:
        f = path.frames[i]
        start = time.perf_counter()
        renderer.render(View(f.camera, f.time), None, index=i, reference=True)
        reference.append(time.perf_counter() - start)
    player.close()
    return {
        "scene": name,
        "triangles": scene.triangle_count,
        "moving": len(scene.dynamic),
        "setup_s": setup,
        "frame_ms": statistics.median(totals) * 1e3,
        "frame_min_ms": min(totals) * 1e3,
        **{f"{s}_ms": statistics.median(v) * 1e3 for s, v in stages.items()},
        "reference_ms": statistics.median(reference) * 1e3,
    }


def main() -> None:
    parser = runtime.parser(__doc__)
    parser.add_argument("--resolution", default="640x360")
    parser.add_argument("--frames", type=int, default=24, help="frames timed per scene")
    parser.add_argument("--references", type=int, default=3, help="references timed per scene")
    parser.add_argument("--scenes", nargs="*", default=list(BUILTIN_SCENES))
    args = runtime.start(parser)
    size = args.size
    rows = [bench_scene(s, size, args.frames, args.references) for s in args.scenes]
    print(
        f"renderer at {size[0]}x{size[1]}, 1 spp, default shadow quality; "
        f"{args.frames} frames along each built-in path"
    )
    header = (
        "scene",
        "triangles",
        "moving",
        "setup s",
        "frame ms (median)",
        "frame ms (min)",
        *(f"{s} ms" for s in STAGES),
        "reference ms",
    )
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for r in rows:
        values = (
            r["scene"],
            r["triangles"],
            r["moving"],
            f"{r['setup_s']:.2f}",
            f"{r['frame_ms']:.1f}",
            f"{r['frame_min_ms']:.1f}",
            *(f"{r[f'{s}_ms']:.1f}" for s in STAGES),
            f"{r['reference_ms']:.0f}",
        )
        print("| " + " | ".join(str(v) for v in values) + " |")


if __name__ == "__main__":
    main()
