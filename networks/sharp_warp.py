"""The last frame brought into this one without the blur of a bilinear warp.

A bilinear warp by a sub-pixel motion averages neighbouring pixels: texture and geometry
edges soften by up to half a pixel, and FLIP, which weighs edges, reads it on every moving
frame (most of what extrapolation's start lost to the reference on garden and arena,
BENCHMARKS.md, issue #22). Two things undo most of it:

- a bicubic warp, clamped to the range of the source's 3x3 neighbourhood so that it cannot
  ring around bright edges;
- where the previous frame's shading (colour / (albedo + floor)) is smooth around the
  source pixel, the shading is warped instead and multiplied by this frame's albedo: texture
  edges then come from this frame's G-buffer, which is exact, rather than from a resampled
  image. Where the shading is not smooth (shadow and light edges, emitters, moving
  lights), the split does not hold and the clamped bicubic warp is kept.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from common.warping import backward_warp
from renderer.frame import Frame

SMOOTH = 0.3
"""Shading counts as smooth around a source pixel where its 3x3 neighbourhood's luminance
spread (max - min) is at most this share of its mean (max + min) / 2. Measured over whole
default paths at 320x180, extrapolation's start against reprojection in FLIP (temple /
garden / arena): 0.1 gave 0.81 on garden; 0.3 gave 0.69 / 0.79 / 0.78."""


def sharp_warp(
    previous_image: torch.Tensor,
    current: Frame,
    previous_modulation: torch.Tensor,
    modulation: torch.Tensor,
) -> torch.Tensor:
    """(C, H, W): ``previous_image`` (linear HDR, of frame t-1) warped into frame t by its
    motion vectors (``current.motion``), as the module describes; sky (``current.depth``
    0) is never demodulated. ``previous_modulation`` and ``modulation``: the (C, H, W)
    albedo plus floor of frame t-1 and of frame t."""
    motion = current.motion
    cubic = backward_warp(previous_image, motion, "bicubic")
    low = backward_warp(_local(previous_image, -1), motion, "nearest")
    high = backward_warp(_local(previous_image, 1), motion, "nearest")
    sharp = torch.minimum(torch.maximum(cubic, low), high)
    shading = previous_image / previous_modulation
    luminance = shading.mean(0, keepdim=True)
    low = backward_warp(_local(luminance, -1), motion, "nearest")
    high = backward_warp(_local(luminance, 1), motion, "nearest")
    smooth = ((high - low) <= SMOOTH * 0.5 * (high + low)) & (current.depth > 0)
    demodulated = backward_warp(shading, motion) * modulation
    return torch.where(smooth, demodulated, sharp)


def _local(image: torch.Tensor, sign: int) -> torch.Tensor:
    """The 3x3 neighbourhood's maximum (``sign`` 1) or minimum (-1) of a (C, H, W) image."""
    return sign * F.max_pool2d((sign * image).unsqueeze(0), 3, stride=1, padding=1)[0]
