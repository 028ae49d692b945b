"""Padding to a network's alignment: what the cache does to every input, and what our
U-Nets do in their forward."""

from __future__ import annotations

import torch
import torch.nn.functional as F


def pad_to(x: torch.Tensor, alignment: int) -> torch.Tensor:
    """Replicate-pad (B, C, H, W) on the right and bottom to multiples of ``alignment``."""
    h, w = x.shape[-2:]
    ph, pw = (-h) % alignment, (-w) % alignment
    return F.pad(x, (0, pw, 0, ph), mode="replicate") if ph or pw else x


def aligned(size: int, alignment: int) -> int:
    return size + (-size) % alignment
