"""Backward warping by motion vectors, and where it can be trusted (disocclusion masks).

Convention (docs/DESIGN.md): motion is in pixels, x right, y down; the surface seen at pixel
centre ``p`` of frame t was at ``p + motion`` in frame t-1.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F


def _sample_grid(motion: torch.Tensor) -> torch.Tensor:
    """(B, 2, H, W) motion -> grid_sample's (B, H, W, 2) normalised source positions."""
    _, _, h, w = motion.shape
    ys = torch.arange(h, dtype=motion.dtype, device=motion.device) + 0.5
    xs = torch.arange(w, dtype=motion.dtype, device=motion.device) + 0.5
    x = (xs.view(1, 1, w) + motion[:, 0]) * (2.0 / w) - 1.0
    y = (ys.view(1, h, 1) + motion[:, 1]) * (2.0 / h) - 1.0
    return torch.stack([x, y], dim=-1)


def backward_warp(
    previous: torch.Tensor, motion: torch.Tensor, mode: str = "bilinear"
) -> torch.Tensor:
    """Bring frame t-1 into frame t: ``out[p] = previous[p + motion[p]]``.

    Args:
        previous: (B, C, H, W) or (C, H, W) image of frame t-1.
        motion: (B, 2, H, W) or (2, H, W) motion vectors of frame t, same H, W.
        mode: ``bilinear``, ``nearest`` or ``bicubic`` (which may overshoot near edges).

    Returns:
        The warped image, shaped like ``previous``; samples from outside the image take
        the nearest border pixel.
    """
    batched = previous.dim() == 4
    prev = previous if batched else previous.unsqueeze(0)
    mv = motion if batched else motion.unsqueeze(0)
    if prev.shape[-2:] != mv.shape[-2:] or mv.shape[1] != 2:
        raise ValueError(f"image {tuple(prev.shape)} and motion {tuple(mv.shape)} do not match")
    out = F.grid_sample(
        prev, _sample_grid(mv.to(prev.dtype)), mode=mode, padding_mode="border", align_corners=False
    )
    return out if batched else out.squeeze(0)


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
