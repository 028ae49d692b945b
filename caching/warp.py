"""Motion-compensated reuse: the cached deep features brought into the current frame.

Motion vectors follow docs/DESIGN.md: the surface at pixel ``p`` of frame t was at
``p + motion[p]`` in frame t-1. Chained since the refresh frame r, the *composed* flow says
where each pixel of frame t was in frame r; the features built on frame r are warped by it,
once, at their own resolution (warping the previous frame's warped features instead would
blur them a little more every frame).

The warp takes each pixel's nearest source pixel: one gather of whole pixels, which on a
channels-last tensor is one pass over memory in order of the output. The bilinear warp
(``grid_sample``) of the U-Nets' quarter-size feature and its up-sampling, which it
replaced, cost 3.5x as much at 640x360 and gave the same FLIP (BENCHMARKS.md). The
composed flow itself stays fractional, so the rounding never adds up over frames: a
warped feature is at most half a pixel from where it belongs.
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F

from caching.measures import read_host
from common.warping import backward_warp


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


def source_index(flow: torch.Tensor) -> torch.Tensor | None:
    """(B, H*W) flat index of each pixel's nearest source ``p + flow[p]`` (clamped to the
    image, as ``backward_warp``'s border padding), or None where every pixel's source is
    itself (the warp would copy the tensor unchanged).

    Args:
        flow: (B, 2, H, W) pixels.
    """
    b, _, h, w = flow.shape
    xs = torch.arange(w, dtype=flow.dtype, device=flow.device)
    ys = torch.arange(h, dtype=flow.dtype, device=flow.device).view(h, 1)
    sx = (flow[:, 0] + xs).round_().clamp_(0, w - 1)
    sy = (flow[:, 1] + ys).round_().clamp_(0, h - 1)
    moves = (sx != xs).any() | (sy != ys).any()
    if not read_host(moves)[0]:
        return None
    # In integers: a float32 flat index is exact only up to 2^24 pixels.
    return (sy.to(torch.long) * w + sx.to(torch.long)).view(b, h * w)


def gather_pixels(t: torch.Tensor, index: torch.Tensor | None) -> torch.Tensor:
    """``t`` (B, C, H, W) with pixel ``i`` taken from pixel ``index[:, i]``, in ``t``'s
    memory format; ``t`` itself for a None index."""
    if index is None:
        return t
    b, c, h, w = t.shape
    if t.is_contiguous(memory_format=torch.channels_last) and c > 1:
        rows = t.permute(0, 2, 3, 1).reshape(b, h * w, c)
        picked = rows.new_empty(b, h * w, c)
        for i in range(b):
            torch.index_select(rows[i], 0, index[i], out=picked[i])
        return picked.view(b, h, w, c).permute(0, 3, 1, 2)
    flat = t.reshape(b, c, h * w)
    return flat.gather(2, index.view(b, 1, -1).expand(b, c, -1)).view(b, c, h, w)


def warp_nearest(t: torch.Tensor, flow: torch.Tensor) -> torch.Tensor:
    """``out[p] = t[round(p + flow[p])]``: (B, C, H, W) by a (B, 2, H, W) flow of its size."""
    if t.shape[-2:] != flow.shape[-2:] or flow.shape[1] != 2:
        raise ValueError(f"tensor {tuple(t.shape)} and flow {tuple(flow.shape)} do not match")
    return gather_pixels(t, source_index(flow))


def warp_features(features: Any, flow: torch.Tensor, padded: tuple[int, int]) -> Any:
    """Every tensor of the ``features`` pytree (a tensor, or lists/tuples of them) warped by
    ``flow`` (B, 2, H, W) of the unpadded input, each at its own resolution (one source
    index per resolution: a U-Net++ keeps several features of the same size)."""
    indices: dict[tuple[int, int], torch.Tensor | None] = {}

    def warp(t: Any) -> Any:
        if isinstance(t, (list, tuple)):
            return type(t)(warp(f) for f in t)
        size = tuple(t.shape[-2:])
        if size not in indices:
            indices[size] = source_index(flow_at(flow, padded, size))
        return gather_pixels(t, indices[size])

    return warp(features)
