"""The magma color map for error heatmaps, from matplotlib's table, applied in torch."""

from __future__ import annotations

from functools import lru_cache

import torch


@lru_cache(maxsize=4)
def _magma(device: str) -> torch.Tensor:
    from matplotlib import colormaps

    table = colormaps["magma"].resampled(256)(torch.linspace(0, 1, 256).numpy())[:, :3]
    return torch.tensor(table, dtype=torch.float32, device=device)


def magma(values: torch.Tensor) -> torch.Tensor:
    """(..., 1, H, W) or (..., H, W) values in [0, 1] -> (..., 3, H, W) sRGB colors in [0, 1]."""
    v = values.squeeze(-3) if values.dim() >= 3 and values.shape[-3] == 1 else values
    index = (v.clamp(0.0, 1.0) * 255.0 + 0.5).long()
    return _magma(v.device.type)[index].movedim(-1, -3)
