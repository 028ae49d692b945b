"""The one tone mapping from linear HDR radiance to display sRGB in [0, 1].

Every LDR metric and every PNG uses it, so that numbers and pictures agree:
``linear_to_srgb(aces(exposure * x))`` with Narkowicz's fit of the ACES filmic curve and the
exact sRGB transfer function (:mod:`common.srgb`).
"""

from __future__ import annotations

import torch

from common.srgb import linear_to_srgb

EXPOSURE = 1.0
"""Multiplier applied to linear radiance before the curve; our scenes are lit so that a
sunlit white surface reaches about 1."""


def aces(x: torch.Tensor) -> torch.Tensor:
    """Narkowicz's ACES filmic fit: linear [0, inf) -> [0, 1]."""
    x = x.clamp(min=0.0)
    return ((x * (2.51 * x + 0.03)) / (x * (2.43 * x + 0.59) + 0.14)).clamp(0.0, 1.0)


def tonemap(x: torch.Tensor, exposure: float = EXPOSURE) -> torch.Tensor:
    """Linear HDR (any shape) -> display sRGB in [0, 1], same shape."""
    return linear_to_srgb(aces(x * exposure))


class ToneMap(torch.nn.Module):
    """:func:`tonemap` as a module."""

    def __init__(self, exposure: float = EXPOSURE) -> None:
        super().__init__()
        self.exposure = exposure

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return tonemap(x, self.exposure)
