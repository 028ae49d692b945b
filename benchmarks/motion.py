"""How well motion vectors bring the previous frame's reference into the current one:
``python -m benchmarks.motion``.

For every built-in path, at 640x360, over the frames where the camera or an object moves
(never across a cut): the mean absolute error of frame t's reference against frame t-1's
reference warped by frame t's motion (bilinear), and against it unwarped, over the pixels a
bilinear warp can reproduce (geometry in both frames, reprojected depth within 2%). Frames
are grouped by how far the image moves, since the ratio depends mostly on that.
"""

from __future__ import annotations

import argparse

import numpy as np

from renderer.lights import ShadowQuality
from renderer.motion import backward_warp, disocclusion_mask
from renderer.pathgen import resolve_path
from renderer.player import PathPlayer, RenderSettings
from renderer.scenes import BUILTIN_SCENES, load_scene
from viewer.options import parse_resolution

QUALITY = ShadowQuality(
    light_samples=8,
    sky_samples=16,
    light_tile=256,
    sky_tile=128,
    frame_light_samples=8,
    frame_sky_samples=16,
)
BANDS = ((0.0, 1.0), (1.0, 4.0), (4.0, np.inf))


def moving_frames(scene, path) -> list[int]:
    frames = []
    for i in range(1, len(path)):
        a, b = path.frames[i - 1], path.frames[i]
        if b.cut:
            continue
        camera = not np.array_equal(a.camera_to_world, b.camera_to_world)
        objects = any(
            not np.allclose(o.transform(a.time), o.transform(b.time)) for o in scene.dynamic
        )
        if camera or objects:
            frames.append(i)
    return frames


def measure(name: str, size: tuple[int, int], stride: int) -> list[tuple[float, float, float, int]]:
    """Per measured frame: (mean image motion px, warped error sum, unwarped error sum, pixels)."""
    scene = load_scene(name)
    path = resolve_path("default", scene)
    rows = []
    with PathPlayer(scene, RenderSettings(size=size, quality=QUALITY)) as player:
        for i in moving_frames(scene, path)[::stride]:
            prev, cur = player.render(path, i - 1), player.render(path, i)
            valid = disocclusion_mask(cur.depth, cur.prev_depth, prev.depth, cur.motion)
            warped = backward_warp(prev.reference, cur.motion)
            ew = (warped - cur.reference).abs().mean(0, keepdim=True)[valid]
            eu = (prev.reference - cur.reference).abs().mean(0, keepdim=True)[valid]
            speed = float(cur.motion.norm(dim=0, keepdim=True)[valid].mean())
            rows.append((speed, float(ew.sum()), float(eu.sum()), int(valid.sum())))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resolution", default="640x360")
    parser.add_argument("--stride", type=int, default=3, help="measure every n-th moving frame")
    parser.add_argument("--scenes", nargs="*", default=list(BUILTIN_SCENES))
    args = parser.parse_args()
    size = parse_resolution(args.resolution)
    print(
        f"reference warped by motion vs unwarped, {size[0]}x{size[1]}, "
        f"every {args.stride}. moving frame"
    )
    print("| path | image motion | frames | MAE warped | MAE unwarped | ratio |")
    print("|---|---|---|---|---|---|")
    for name in args.scenes:
        rows = np.array(measure(name, size, args.stride))
        bands = [
            (
                f"{lo:g}-{hi:g} px" if np.isfinite(hi) else f">= {lo:g} px",
                (rows[:, 0] >= lo) & (rows[:, 0] < hi),
            )
            for lo, hi in BANDS
        ]
        for label, sel in [*bands, ("all moving", np.ones(len(rows), bool))]:
            if not sel.any():
                continue
            w, u, n = rows[sel, 1].sum(), rows[sel, 2].sum(), rows[sel, 3].sum()
            print(
                f"| {name} | {label} | {int(sel.sum())} | {w / n:.5f} | {u / n:.5f} "
                f"| {u / w:.1f}x |"
            )


if __name__ == "__main__":
    main()
