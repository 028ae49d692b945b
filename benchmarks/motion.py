"""How well motion vectors bring the previous frame's reference into the current one:
``python -m benchmarks.motion``.

For every built-in path, at 640x360, over the frames where the camera or an object moves
(never across a cut): the mean absolute error of frame t's reference against frame t-1's
reference warped by frame t's motion (bilinear), and against it unwarped, over the pixels a
bilinear warp can reproduce (geometry in both frames, reprojected depth within 2%). Frames
are grouped by how far the image moves, since the ratio depends mostly on that.
"""

from __future__ import annotations

import numpy as np

from benchmarks import runtime
from renderer.lights import PREVIEW_QUALITY
from renderer.motion import WarpCheck, moving_frames, warp_check
from renderer.pathgen import resolve_path
from renderer.player import PathPlayer, RenderSettings
from renderer.scenes import BUILTIN_SCENES, load_scene

BANDS = ((0.0, 1.0), (1.0, 4.0), (4.0, np.inf))


def measure(name: str, size: tuple[int, int], stride: int) -> list[WarpCheck]:
    scene = load_scene(name)
    path = resolve_path("default", scene)
    with PathPlayer(scene, RenderSettings(size=size, quality=PREVIEW_QUALITY)) as player:
        return [
            warp_check(player.render(path, i - 1), player.render(path, i))
            for i in moving_frames(path, scene)[::stride]
        ]


def main() -> None:
    parser = runtime.parser(__doc__)
    parser.add_argument("--resolution", default="640x360")
    parser.add_argument("--stride", type=int, default=3, help="measure every n-th moving frame")
    parser.add_argument("--scenes", nargs="*", default=list(BUILTIN_SCENES))
    args = runtime.start(parser)
    size = args.size
    print(
        f"reference warped by motion vs unwarped, {size[0]}x{size[1]}, "
        f"every {args.stride}. moving frame"
    )
    print("| path | image motion | frames | MAE warped | MAE unwarped | ratio |")
    print("|---|---|---|---|---|---|")
    for name in args.scenes:
        rows = np.array(
            [(c.motion, c.warped, c.unwarped, c.pixels) for c in measure(name, size, args.stride)]
        )
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
