"""The sRGB transfer function (IEC 61966-2-1), both directions, written once.

Scene files store their colors sRGB-encoded (numpy, decoded as a scene loads), FLIP decodes
display images (torch) and the tone mapping encodes them (torch): every one of them uses
these two functions, on numpy arrays and torch tensors alike, so the curve cannot drift
between them. Inputs are clamped to [0, 1] first; the result has the input's type, shape and
(floating) dtype.
"""

from __future__ import annotations

from typing import TypeVar

import numpy as np
import torch

Values = TypeVar("Values", np.ndarray, torch.Tensor)

LINEAR_KNEE = 0.0031308
"""Largest linear value on the straight piece of the curve."""
ENCODED_KNEE = 0.04045
"""The same point encoded (12.92 x ``LINEAR_KNEE``, rounded as the standard has it)."""


def srgb_to_linear(x: Values) -> Values:
    """Decode sRGB values in [0, 1] to linear ones.

    Args:
        x: a torch tensor or anything numpy reads (non-float input becomes float64).
    """
    if isinstance(x, torch.Tensor):
        x = x.clamp(0.0, 1.0)
        return torch.where(x <= ENCODED_KNEE, x / 12.92, ((x + 0.055) / 1.055).pow(2.4))
    x = np.asarray(x)
    if not np.issubdtype(x.dtype, np.floating):
        x = x.astype(np.float64)
    x = np.clip(x, 0.0, 1.0)
    return np.where(x <= ENCODED_KNEE, x / 12.92, ((x + 0.055) / 1.055) ** 2.4)


def linear_to_srgb(x: Values) -> Values:
    """Encode linear values in [0, 1] as sRGB.

    The power piece sees only its own domain: at 0 its gradient is infinite, and ``where``
    would turn that into NaN even where it picks the straight piece.

    Args:
        x: a torch tensor or anything numpy reads (non-float input becomes float64).
    """
    if isinstance(x, torch.Tensor):
        x = x.clamp(0.0, 1.0)
        curve = 1.055 * x.clamp(min=LINEAR_KNEE).pow(1.0 / 2.4) - 0.055
        return torch.where(x <= LINEAR_KNEE, 12.92 * x, curve)
    x = np.asarray(x)
    if not np.issubdtype(x.dtype, np.floating):
        x = x.astype(np.float64)
    x = np.clip(x, 0.0, 1.0)
    curve = 1.055 * np.maximum(x, LINEAR_KNEE) ** (1.0 / 2.4) - 0.055
    return np.where(x <= LINEAR_KNEE, 12.92 * x, curve)
