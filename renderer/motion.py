"""Using motion vectors: backward warping and disocclusion masks.

Convention (DESIGN.md): motion is in pixels, x right, y down; the surface seen at pixel
centre ``p`` of frame t was at ``p + motion`` in frame t-1.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from common.warping import backward_warp
from renderer.frame import Frame
from renderer.path import CameraPath
from renderer.scenes.scene import Scene


def disocclusion_mask(
    depth: torch.Tensor,
    prev_depth: torch.Tensor,
    previous_depth: torch.Tensor,
    motion: torch.Tensor,
    tolerance: float = 0.02,
    mode: str = "bilinear",
) -> torch.Tensor:
    """True where the surface of frame t was visible in frame t-1.

    Args:
        depth: (1, H, W) frame t's depth (0 on background).
        prev_depth: (1, H, W) frame t's ``prev_depth``: each surface's depth in frame t-1.
        previous_depth: (1, H, W) frame t-1's depth.
        motion: (2, H, W) frame t's motion.
        tolerance: allowed relative depth difference.
        mode: how frame t-1's depth is sampled. ``bilinear`` also rejects pixels whose
            bilinear footprint straddles a silhouette (the depths mix there), so it marks
            exactly the pixels a bilinear warp can reproduce.

    Returns:
        (1, H, W) bool: geometry in both frames, landing inside frame t-1, at the depth it
        is expected to have there.
    """
    _, h, w = depth.shape
    seen = backward_warp(previous_depth, motion, mode=mode)
    ys = torch.arange(h, device=depth.device).view(1, h, 1) + 0.5 + motion[1:2]
    xs = torch.arange(w, device=depth.device).view(1, 1, w) + 0.5 + motion[0:1]
    inside = (xs >= 0) & (xs <= w) & (ys >= 0) & (ys <= h)
    agree = (seen - prev_depth).abs() <= tolerance * prev_depth.abs().clamp(min=1e-6)
    return (depth > 0) & (seen > 0) & (prev_depth > 0) & inside & agree


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
