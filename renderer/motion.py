"""Using motion vectors: which frames move, and how well warping reproduces them (the
warp and the disocclusion mask themselves live in :mod:`common.warping`).

Convention (docs/DESIGN.md): motion is in pixels, x right, y down; the surface seen at pixel
centre ``p`` of frame t was at ``p + motion`` in frame t-1.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from common.warping import backward_warp, disocclusion_mask
from renderer.frame import Frame
from renderer.path import CameraPath
from renderer.scenes.scene import Scene

__all__ = ["WarpCheck", "backward_warp", "disocclusion_mask", "moving_frames", "warp_check"]


def moving_frames(path: CameraPath, scene: Scene) -> list[int]:
    """Indices of the frames where the camera or a moving object moved since the previous
    frame (frames after a cut excluded)."""
    moving = []
    for i in range(1, len(path)):
        a, b = path.frames[i - 1], path.frames[i]
        if b.cut:
            continue
        camera_moves = not np.array_equal(a.camera_to_world, b.camera_to_world)
        objects_move = any(
            not np.allclose(o.transform(a.time), o.transform(b.time)) for o in scene.dynamic
        )
        if camera_moves or objects_move:
            moving.append(i)
    return moving


@dataclass(frozen=True)
class WarpCheck:
    """How well frame t-1's reference warped by frame t's motion matches frame t's."""

    warped: float
    """Summed absolute error (mean over channels) of the warped reference."""
    unwarped: float
    """The same for frame t-1's reference as it is."""
    pixels: int
    """Pixels compared: those a bilinear warp can reproduce (see disocclusion_mask)."""
    motion: float
    """Their mean motion length in pixels."""


def warp_check(previous: Frame, current: Frame, moving_only: bool = False) -> WarpCheck:
    """Compare ``current.reference`` with ``previous.reference``, warped and not.

    ``moving_only`` keeps only pixels that moved by more than half a pixel.
    """
    if previous.reference is None or current.reference is None:
        raise ValueError("both frames need their reference")
    valid = disocclusion_mask(current.depth, current.prev_depth, previous.depth, current.motion)
    speed = current.motion.norm(dim=0, keepdim=True)
    if moving_only:
        valid &= speed > 0.5
    warped = backward_warp(previous.reference, current.motion)
    err_warped = (warped - current.reference).abs().mean(0, keepdim=True)[valid]
    err_still = (previous.reference - current.reference).abs().mean(0, keepdim=True)[valid]
    count = int(valid.sum())
    return WarpCheck(
        float(err_warped.sum()),
        float(err_still.sum()),
        count,
        float(speed[valid].mean()) if count else 0.0,
    )
