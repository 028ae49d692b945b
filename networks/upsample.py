"""Upsampling a half-resolution render to full resolution, plain or guided by G-buffers.

A half-resolution image already averages its 2x2 footprint, so most of what bilinear
upsampling loses is not in the image at all but in the full-resolution G-buffers: texture
(albedo) and edges (depth, normal). :func:`upsample_guided` divides the texture out at low
resolution, upsamples the smooth shading that is left with each low-res sample weighted by
how much its surface resembles the full-res pixel's (a joint bilateral upsampling), and
multiplies the full-resolution texture back in.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from renderer.frame import Frame

DEPTH_SIGMA = 0.1
"""Relative depth difference at which a low-res sample's weight falls to 1/e."""
NORMAL_POWER = 8.0
"""Weight of a low-res sample: the cosine between its normal and the pixel's, to this power."""


def upsample_jittered(
    low: torch.Tensor, jitter: tuple[float, float], size: tuple[int, int]
) -> torch.Tensor:
    """Bilinear upsampling of a (C, h, w) image whose pixel centres were sampled at
    ``+jitter`` (low-res pixels), to (C, H, W) = ``size`` (width, height)."""
    _, h, w = low.shape
    # grid_sample's align_corners=False puts sample i at i + 0.5.
    xs, ys = _sample_coordinates(size, (w, h), jitter, low.dtype, 0.5, low.device)
    grid = torch.stack(torch.meshgrid(ys / h * 2 - 1, xs / w * 2 - 1, indexing="ij")[::-1], dim=-1)
    out = F.grid_sample(
        low.unsqueeze(0),
        grid.unsqueeze(0),
        mode="bilinear",
        padding_mode="border",
        align_corners=False,
    )
    return out[0]


def upsample_guided(
    image: torch.Tensor,
    low: Frame,
    frame: Frame,
    floor: float,
    depth_sigma: float = DEPTH_SIGMA,
    normal_power: float = NORMAL_POWER,
) -> torch.Tensor:
    """Joint bilateral upsampling of a half-resolution render.

    Args:
        image: (3, h, w) linear HDR color rendered with ``low``'s camera and jitter.
        low: the half-resolution frame (its albedo, normal, depth and jitter).
        frame: the full-resolution frame (its albedo, normal, depth; (3, H, W) etc.).
        floor: added to albedo before dividing by it (keeps black and sky finite).

    Returns:
        (3, H, W) linear HDR color. Each pixel blends its 2x2 nearest low-res samples of
        ``log1p(image / (albedo + floor))`` with bilinear weights times a depth and a
        normal similarity (background only blends background), then multiplies by its own
        ``albedo + floor``. Where no neighbour resembles it, it falls back to bilinear.
    """
    _check_pair(image, low, frame)
    _, h, w = image.shape
    shading = torch.log1p((image / (low.albedo + floor)).clamp(min=0.0))
    xs, ys = _sample_coordinates(frame.size, (w, h), low.jitter, image.dtype, 0.0, image.device)
    x0, y0 = xs.floor(), ys.floor()
    fx, fy = xs - x0, ys - y0
    depth, normal = frame.depth[0], frame.normal
    background = depth == 0
    total = torch.zeros_like(frame.albedo)
    weights = torch.zeros_like(depth)
    for dy in (0, 1):
        rows = (y0.long() + dy).clamp(0, h - 1)
        wy = fy if dy else 1.0 - fy
        for dx in (0, 1):
            cols = (x0.long() + dx).clamp(0, w - 1)
            wx = fx if dx else 1.0 - fx
            bilinear = wy[:, None] * wx[None, :]
            near_depth = low.depth[0][rows][:, cols]
            near_normal = low.normal[:, rows][:, :, cols]
            relative = (depth - near_depth).abs() / (depth * depth_sigma).clamp(min=1e-6)
            alike = torch.exp(-relative.square())
            alike = alike * (normal * near_normal).sum(0).clamp(min=0.0).pow(normal_power)
            alike = torch.where(background, torch.ones_like(alike), alike)
            alike = alike * (background == (near_depth == 0))
            # The tiny bilinear term is the fallback where no neighbour resembles the pixel.
            weight = bilinear * (alike + 1e-6)
            total += weight * shading[:, rows][:, :, cols]
            weights += weight
    return torch.expm1(total / weights) * (frame.albedo + floor)


def _sample_coordinates(
    size: tuple[int, int],
    low_size: tuple[int, int],
    jitter: tuple[float, float],
    dtype: torch.dtype,
    first: float,
    device: torch.device | str = "cpu",
) -> tuple[torch.Tensor, torch.Tensor]:
    """Where the full-resolution pixel centres (``size``, width and height) fall among the
    samples of a ``low_size`` image rendered with ``jitter``: (W,) and (H,) coordinates in
    which sample i sits at i + ``first``. Full-res centre X is at low-res coordinate
    (X + 0.5) w / W, and sample i of the jittered image at i + 0.5 + jitter."""
    (width, height), (w, h) = size, low_size
    shift = 0.5 - first
    xs = (torch.arange(width, dtype=dtype, device=device) + 0.5) * (w / width) - shift - jitter[0]
    ys = (torch.arange(height, dtype=dtype, device=device) + 0.5) * (h / height) - shift - jitter[1]
    return xs, ys


def _check_pair(image: torch.Tensor, low: Frame, frame: Frame) -> None:
    if image.dim() != 3 or image.shape[0] != 3:
        raise ValueError(f"upsample_guided: image must be (3, h, w), got {tuple(image.shape)}")
    if tuple(image.shape[-2:]) != tuple(low.depth.shape[-2:]):
        raise ValueError(
            f"upsample_guided: image {tuple(image.shape[-2:])} and low-res G-buffers "
            f"{tuple(low.depth.shape[-2:])} differ in size"
        )
