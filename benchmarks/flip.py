"""Our torch FLIP against NVIDIA's flip-evaluator: ``python -m benchmarks.flip``.

Pairs from our renderer at 640x360: on each built-in path, at three frames, the noisy
1-spp input and the super-resolution and extrapolation baselines against the reference
(tone-mapped). For each pair: both
mean FLIPs, their relative difference, the Pearson correlation of the two error maps, and
both times (median of 3 runs each, the two called in turn in the same process, 2 threads).
"""

from __future__ import annotations

import statistics

import flip_evaluator
import numpy as np

from benchmarks import runtime
from common.metrics.flip import flip
from common.timing import paired_median_ms
from common.tonemap import tonemap
from networks.tasks import TASKS
from renderer.lights import PREVIEW_QUALITY
from renderer.pathgen import resolve_path
from renderer.player import PathPlayer, RenderSettings
from renderer.scenes import BUILTIN_SCENES, load_scene


def pairs(size: tuple[int, int], frames: tuple[int, ...]):
    for name in BUILTIN_SCENES:
        scene = load_scene(name)
        path = resolve_path("default", scene)
        settings = RenderSettings(size=size, low_res=True, quality=PREVIEW_QUALITY)
        with PathPlayer(scene, settings) as player:
            for i in frames:
                previous, frame = player.render(path, i - 1), player.render(path, i)
                ref = tonemap(frame.reference).contiguous()
                yield f"{name} {i} noisy", tonemap(frame.color).contiguous(), ref
                for task_name, task in TASKS.items():
                    if task_name == "denoise":
                        continue  # its baseline is the noisy input, already in
                    out = tonemap(task.baseline(frame, [previous])).contiguous()
                    yield f"{name} {i} {task_name}", out, ref


def main() -> None:
    parser = runtime.parser(__doc__)
    parser.add_argument("--resolution", default="640x360")
    parser.add_argument("--frames", type=int, nargs="*", default=[100, 200, 300])
    # The allocator untuned: the FLIP times in BENCHMARKS.md were taken so.
    args = runtime.start(parser, allocator=False, threads=2)
    size = args.size
    rows = []
    for label, test, ref in pairs(size, tuple(args.frames)):
        t_np = np.ascontiguousarray(test.permute(1, 2, 0).numpy())
        r_np = np.ascontiguousarray(ref.permute(1, 2, 0).numpy())

        def theirs(r=r_np, t=t_np):
            return flip_evaluator.evaluate(r, t, "LDR", applyMagma=False)

        def ours(t=test, r=ref):
            return flip(t, r)

        their_map, their_mean, _ = theirs()
        our_map, our_mean = ours()
        # In turn: the machine's speed drifts, and the speedup is a ratio of the two.
        their_ms, our_ms = paired_median_ms(theirs, ours, 3, warmup=0)
        pearson = float(np.corrcoef(np.asarray(their_map).ravel(), our_map.numpy().ravel())[0, 1])
        rel = abs(float(our_mean) - their_mean) / their_mean
        rows.append((label, their_mean, float(our_mean), rel, pearson, their_ms, our_ms))
    print(f"FLIP parity and speed, {size[0]}x{size[1]}, {len(rows)} pairs")
    print("| pair | flip-evaluator | ours | rel. diff | Pearson | their ms | our ms | speedup |")
    print("|---|---|---|---|---|---|---|---|")
    for label, theirs, ours, rel, r, t_ms, o_ms in rows:
        print(
            f"| {label} | {theirs:.5f} | {ours:.5f} | {rel:.1e} | {r:.6f} | {t_ms:.0f} | "
            f"{o_ms:.0f} | {t_ms / o_ms:.1f}x |"
        )
    rel = max(r[3] for r in rows)
    corr = min(r[4] for r in rows)
    speed = statistics.median(r[5] / r[6] for r in rows)
    print(
        f"\nworst relative difference {rel:.1e}, lowest Pearson {corr:.6f}, "
        f"median speedup {speed:.1f}x (ours {statistics.median(r[6] for r in rows):.0f} ms, "
        f"flip-evaluator {statistics.median(r[5] for r in rows):.0f} ms)"
    )


if __name__ == "__main__":
    main()
