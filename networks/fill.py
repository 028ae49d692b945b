"""Filling disocclusions from the current frame's G-buffers.

Most of what reprojection gets wrong sits in the few pixels it cannot reproject (measured
on the built-in paths, first 200 frames: 75% / 34% / 45% of its squared error in 1.5% /
0.8% / 1.7% of the pixels on temple / garden / arena), and a plain pull-push fills them with
a blur of whatever is around: the occluder's colour and the sky's included. The current
frame's G-buffers say more: which valid pixels lie on the same surface (depth, normal), and
what the revealed surface's albedo is. So holes are filled in demodulated shading
(colour / (albedo + floor)), from valid pixels of the same surface where there are any
nearby, and otherwise by a pull-push that keeps sky and geometry apart; the current albedo
is then multiplied back in.
"""

from __future__ import annotations

import torch

from common.warping import backward_warp
from networks.reproject import carried_over, fill_holes
from networks.sharp_warp import sharp_warp
from renderer.frame import Frame

RADIUS = 4
"""Each search step looks at a (2 RADIUS + 1)^2 grid of pixels around a hole pixel..."""
STRIDES = (1, 3, 9)
"""...spaced this far apart, the finest first, up to 36 pixels away."""
DEPTH_SIGMA = 0.05
"""Relative depth difference at which a neighbour's weight falls to 1/e."""
NORMAL_POWER = 8.0
"""Neighbours weigh (n . n')^power: 0.5 at 23 degrees apart."""
MIN_WEIGHT = 1e-3
"""Below this total weight a hole pixel has no neighbour on its surface."""


def fill_from_surface(
    shading: torch.Tensor, valid: torch.Tensor, depth: torch.Tensor, normal: torch.Tensor
) -> torch.Tensor:
    """Fill the holes of ``shading`` from valid pixels on the same surface.

    Args:
        shading: (C, H, W), meaningful where ``valid``.
        valid: (1, H, W) bool.
        depth: (1, H, W) of the frame the holes are in; 0 is sky.
        normal: (3, H, W) of that frame.

    Returns:
        (C, H, W): valid pixels unchanged; a hole pixel takes the weighted mean of the valid
        pixels at similar depth and normal (sky from sky) over the strides of
        :data:`STRIDES`, finest first, up to the one where their weight reaches
        :data:`MIN_WEIGHT`; holes where no stride does are filled by a pull-push of valid
        pixels (sky and geometry kept apart).
    """
    _check(shading, valid, depth, normal)
    ys, xs = torch.nonzero(~valid[0], as_tuple=True)
    if len(ys) == 0:
        return shading.clone()
    _, h, w = shading.shape
    log_depth = torch.log(depth[0].clamp(min=1e-4))
    sky = depth[0] <= 0
    device = shading.device
    offsets = torch.arange(-RADIUS, RADIUS + 1, device=device)
    oy, ox = (o.flatten() for o in torch.meshgrid(offsets, offsets, indexing="ij"))
    total = torch.zeros(shading.shape[0], len(ys), dtype=shading.dtype, device=device)
    weight = torch.zeros(len(ys), dtype=shading.dtype, device=device)
    # The holes still without a neighbour on their surface:
    search = torch.arange(len(ys), device=device)
    for stride in STRIDES:
        py, px = ys[search], xs[search]
        qy = (py[:, None] + oy * stride).clamp(0, h - 1)
        qx = (px[:, None] + ox * stride).clamp(0, w - 1)
        same_kind = sky[qy, qx] == sky[py, px][:, None]
        near = torch.exp(-(((log_depth[qy, qx] - log_depth[py, px][:, None]) / DEPTH_SIGMA) ** 2))
        facing = (normal[:, qy, qx] * normal[:, py, px][:, :, None]).sum(0).clamp(min=0.0)
        # Sky has no depth or normal to compare: any sky pixel will do.
        similar = torch.where(sky[py, px][:, None], 1.0, near * facing**NORMAL_POWER)
        wq = valid[0][qy, qx] * same_kind * similar
        total[:, search] += (shading[:, qy, qx] * wq).sum(-1)
        weight[search] += wq.sum(-1)
        search = search[weight[search] < MIN_WEIGHT]
        if len(search) == 0:
            break
    open_ = torch.zeros(len(ys), dtype=torch.bool, device=device)
    open_[search] = True
    # The pull-push (two pyramids) only when some hole found nothing.
    out = split_pull_push(shading, valid, depth) if open_.any() else shading.clone()
    found = ~open_
    out[:, ys[found], xs[found]] = total[:, found] / weight[found]
    return out


def split_pull_push(image: torch.Tensor, valid: torch.Tensor, depth: torch.Tensor) -> torch.Tensor:
    """:func:`~networks.reproject.fill_holes` run twice: sky holes from valid sky, the
    rest from valid geometry (demodulated sky is 20x brighter than anything lit)."""
    sky = depth <= 0
    geometry = fill_holes(image, valid & ~sky) if (valid & ~sky).any() else image
    if not (sky & ~valid).any():
        return geometry
    heaven = fill_holes(image, valid & sky) if (valid & sky).any() else geometry
    return torch.where(sky, heaven, geometry)


def reproject_guided(
    previous_image: torch.Tensor,
    previous: Frame,
    current: Frame,
    modulation: torch.Tensor,
    seen: torch.Tensor | None = None,
    previous_modulation: torch.Tensor | None = None,
) -> torch.Tensor:
    """(3, H, W): ``previous_image`` (linear HDR, of frame t-1) warped into frame t by its
    motion vectors; disoccluded and off-screen pixels filled by :func:`fill_from_surface`
    in shading (colour / ``modulation``, frame t's (3, H, W) albedo plus a floor), then
    modulated back. ``seen``: ``carried_over(previous, current)``, if the caller has it.

    The warp is :func:`~networks.sharp_warp.sharp_warp` given ``previous_modulation``
    (frame t-1's albedo plus the floor); without it a bilinear one, and the result then
    equals :func:`~networks.reproject.reproject` wherever frame t-1 saw the surface."""
    if previous_modulation is None:
        warped = backward_warp(previous_image, current.motion)
    else:
        warped = sharp_warp(previous_image, current, previous_modulation, modulation)
    valid = carried_over(previous, current) if seen is None else seen
    filled = fill_from_surface(warped / modulation, valid, current.depth, current.normal)
    return torch.where(valid, warped, filled * modulation)


def _check(shading, valid, depth, normal) -> None:
    size = shading.shape[-2:]
    for name, x, c in (("valid", valid, 1), ("depth", depth, 1), ("normal", normal, 3)):
        if x.dim() != 3 or x.shape[0] != c or x.shape[-2:] != size:
            raise ValueError(f"{name} must be ({c}, {size[0]}, {size[1]}), got {tuple(x.shape)}")
    if valid.dtype != torch.bool:
        raise ValueError(f"valid must be bool, got {valid.dtype}")
