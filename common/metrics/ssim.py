"""SSIM (Wang et al. 2004) with an 11-tap Gaussian window (sigma 1.5), as in the paper and
in scikit-image's ``structural_similarity(gaussian_weights=True, sigma=1.5,
use_sample_covariance=False)``; the mean is taken over pixels whose window lies inside the
image, as scikit-image does."""

from __future__ import annotations

import math
from functools import lru_cache

import torch
import torch.nn.functional as F

from common.metrics.checks import check_image_pair

SIGMA = 1.5
RADIUS = 5
K1, K2 = 0.01, 0.03


@lru_cache(maxsize=8)
def _window(channels: int, device: str, dtype: str) -> tuple[torch.Tensor, torch.Tensor]:
    x = torch.arange(-RADIUS, RADIUS + 1, dtype=torch.float64)
    g = torch.exp(-(x**2) / (2 * SIGMA**2))
    g = (g / g.sum()).to(device=device, dtype=getattr(torch, dtype.split(".")[-1]))
    return g.view(1, 1, 1, -1).repeat(channels, 1, 1, 1), g.view(1, 1, -1, 1).repeat(
        channels, 1, 1, 1
    )


def ssim_map(test: torch.Tensor, reference: torch.Tensor, data_range: float = 1.0) -> torch.Tensor:
    """Per-pixel SSIM averaged over channels, over the valid region (windows inside the
    image).

    Args:
        test: (B, C, H, W) or (C, H, W).
        reference: same shape.
        data_range: the value range (1 for LDR images in [0, 1]).

    Returns:
        (B, 1, H - 10, W - 10) or (1, H - 10, W - 10).
    """
    check_image_pair(test, reference)
    batched = test.dim() == 4
    x = (test if batched else test.unsqueeze(0)).float()
    y = (reference if batched else reference.unsqueeze(0)).float()
    if min(x.shape[-2:]) <= 2 * RADIUS:
        raise ValueError(
            f"SSIM needs images larger than {2 * RADIUS + 1} pixels, got {tuple(x.shape[-2:])}"
        )
    c = x.shape[1]
    wx, wy = _window(c, x.device.type, str(x.dtype))
    stack = torch.cat([x, y, x * x, y * y, x * y], dim=1)
    blurred = F.conv2d(
        F.conv2d(stack, wx.repeat(5, 1, 1, 1), groups=5 * c), wy.repeat(5, 1, 1, 1), groups=5 * c
    )
    ux, uy, uxx, uyy, uxy = blurred.split(c, dim=1)
    vx, vy, vxy = uxx - ux * ux, uyy - uy * uy, uxy - ux * uy
    c1, c2 = (K1 * data_range) ** 2, (K2 * data_range) ** 2
    s = ((2 * ux * uy + c1) * (2 * vxy + c2)) / ((ux * ux + uy * uy + c1) * (vx + vy + c2))
    # SSIM is at most 1; the float32 blurs of two near-identical images can land a hair
    # above it (1 + 8e-8 measured), which summary.json's schema rightly refuses.
    s = s.mean(dim=1, keepdim=True).clamp(max=1.0)
    return s if batched else s[0]


def ssim(test: torch.Tensor, reference: torch.Tensor, data_range: float = 1.0) -> torch.Tensor:
    """Mean SSIM: (B,) for batches, a scalar otherwise."""
    s = ssim_map(test, reference, data_range)
    return s.mean(dim=tuple(range(1, s.dim()))) if test.dim() == 4 else s.mean()


class SSIM(torch.nn.Module):
    """:func:`ssim` as a module."""

    def __init__(self, data_range: float = 1.0) -> None:
        super().__init__()
        self.data_range = data_range

    def forward(self, test: torch.Tensor, reference: torch.Tensor) -> torch.Tensor:
        return ssim(test, reference, self.data_range)


assert math.isclose(RADIUS, int(3.5 * SIGMA + 0.5)), "scikit-image truncates at 3.5 sigma"
