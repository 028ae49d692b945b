"""Peak signal-to-noise ratio."""

from __future__ import annotations

import torch


def psnr(image: torch.Tensor, reference: torch.Tensor, peak: float = 1.0) -> torch.Tensor:
    """PSNR in dB over all but the leading batch dimension.

    Args:
        image: (B, C, H, W) or (C, H, W), values in [0, peak] (LDR) or any range with a
            matching ``peak``.
        reference: same shape.
        peak: the largest possible value.

    Returns:
        (B,) or a scalar tensor; ``inf`` for identical images.
    """
    if image.shape != reference.shape:
        raise ValueError(f"shapes differ: {tuple(image.shape)} vs {tuple(reference.shape)}")
    dims = tuple(range(1, image.dim())) if image.dim() == 4 else tuple(range(image.dim()))
    mse = (image.float() - reference.float()).pow(2).mean(dim=dims)
    return 10.0 * torch.log10(peak**2 / mse)


class PSNR(torch.nn.Module):
    """:func:`psnr` as a module."""

    def __init__(self, peak: float = 1.0) -> None:
        super().__init__()
        self.peak = peak

    def forward(self, image: torch.Tensor, reference: torch.Tensor) -> torch.Tensor:
        return psnr(image, reference, self.peak)
