"""Motion-compensated reuse: the cached deep features brought into the current frame.

Motion vectors follow DESIGN.md: the surface at pixel ``p`` of frame t was at
``p + motion[p]`` in frame t-1. Chained since the refresh frame r, the *composed* flow says
where each pixel of frame t was in frame r; the features built on frame r are warped by it,
once, at their own resolution (warping the previous frame's warped features instead would
blur them a little more every frame).
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F

from renderer.motion import backward_warp

STILL = 1e-3
"""Composed flows shorter than this (pixels) everywhere are not worth warping by: a bilinear
warp by nothing would only cost time."""


def is_still(flow: torch.Tensor) -> bool:
    return float(flow.abs().max()) < STILL


def compose_flow(flow: torch.Tensor | None, motion: torch.Tensor) -> torch.Tensor:
    """The flow from frame t to the refresh frame, from frame t-1's (``flow``, None at the
    refresh frame itself) and frame t's motion vectors.

    Args:
        flow: (B, 2, H, W) pixels, or None.
        motion: (B, 2, H, W) pixels.

    Returns:
        (B, 2, H, W): ``motion + flow`` sampled where each pixel was in frame t-1.
    """
    if flow is None:
        return motion.clone()
    return motion + backward_warp(flow, motion)


def flow_at(flow: torch.Tensor, padded: tuple[int, int], size: tuple[int, int]) -> torch.Tensor:
    """``flow`` (B, 2, H, W) of the unpadded input, for a feature map of ``size`` (h, w) of
    the network's padded input of ``padded`` (Hp, Wp): padded like the input, box-filtered
    down to the feature's grid and scaled to its pixels."""
    h, w = flow.shape[-2:]
    full = F.pad(flow, (0, padded[1] - w, 0, padded[0] - h), mode="replicate")
    factor = padded[0] // size[0]
    if factor == 1:
        return full
    if padded[0] != size[0] * factor or padded[1] != size[1] * factor:
        raise ValueError(f"a feature of {size} is not a power-of-two grid of {padded}")
    return F.avg_pool2d(full, factor) / factor


def warp_features(features: Any, flow: torch.Tensor, padded: tuple[int, int]) -> Any:
    """Every tensor of the ``features`` pytree (a tensor, or lists/tuples of them) warped by
    ``flow`` (B, 2, H, W), each at its own resolution, kept in its memory format."""
    if isinstance(features, (list, tuple)):
        return type(features)(warp_features(f, flow, padded) for f in features)
    warped = backward_warp(features, flow_at(flow, padded, tuple(features.shape[-2:])))
    if features.is_contiguous(memory_format=torch.channels_last):
        # grid_sample writes NCHW; the top decoder with a mixed-layout concatenation is
        # slower than this copy (measured: reuse frame 122 against 103 ms at 640x360).
        warped = warped.contiguous(memory_format=torch.channels_last)
    return warped
