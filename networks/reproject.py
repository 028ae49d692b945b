"""Reprojection with hole filling: the previous frame brought into this one, and what to do
where it saw nothing."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from common.warping import backward_warp, disocclusion_mask
from renderer.frame import Frame


def fill_holes(image: torch.Tensor, valid: torch.Tensor, levels: int = 12) -> torch.Tensor:
    """Pull-push hole filling: invalid pixels take the average of the valid pixels around
    them, from the finest pyramid level that has any.

    Args:
        image: (C, H, W).
        valid: (1, H, W) bool.

    Returns:
        (C, H, W) with valid pixels unchanged.
    """
    weight = valid.to(image.dtype).unsqueeze(0)
    premult = image.unsqueeze(0) * weight
    pyramid = [(premult, weight)]
    for _ in range(levels):
        p, w = pyramid[-1]
        if min(p.shape[-2:]) <= 1:
            break
        pyramid.append((F.avg_pool2d(p, 2, ceil_mode=True), F.avg_pool2d(w, 2, ceil_mode=True)))
    filled_p, filled_w = pyramid[-1]
    for p, w in reversed(pyramid[:-1]):
        up_p = F.interpolate(filled_p, size=p.shape[-2:], mode="bilinear", align_corners=False)
        up_w = F.interpolate(filled_w, size=w.shape[-2:], mode="bilinear", align_corners=False)
        # Where this level has weight, keep it; the rest comes from the coarser level.
        filled_p = p + (1.0 - w) * up_p
        filled_w = w + (1.0 - w) * up_w
    out = (filled_p / filled_w.clamp(min=1e-8))[0]
    return torch.where(valid, image, out)


def reproject(previous_image: torch.Tensor, previous: Frame, current: Frame) -> torch.Tensor:
    """``previous_image`` (C, H, W) of frame t-1 warped into frame t by its motion vectors,
    with disoccluded and off-screen pixels filled from their surroundings."""
    warped = backward_warp(previous_image, current.motion)
    return fill_holes(warped, carried_over(previous, current))


def carried_over(previous: Frame, current: Frame) -> torch.Tensor:
    """(1, H, W) bool: where frame t-1's image, warped, shows what frame t sees: surfaces
    visible in both frames, and sky that was sky before too (it has no depth, but its
    motion is exact)."""
    valid = disocclusion_mask(
        current.depth, current.prev_depth, previous.depth, current.motion, mode="nearest"
    )
    sky = (current.depth <= 0) & (backward_warp(previous.depth, current.motion, "nearest") <= 0)
    return valid | sky
