"""Input checks shared by the metrics: one clear ValueError instead of a shape error deep
inside a convolution."""

from __future__ import annotations

import torch


def check_image(x: torch.Tensor, name: str = "image", channels: int | None = None) -> None:
    """``x`` must be a floating (C, H, W) or (B, C, H, W) tensor, with ``channels`` channels."""
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {type(x).__name__}")
    if x.dim() not in (3, 4):
        raise ValueError(f"{name} must be (C, H, W) or (B, C, H, W), got shape {tuple(x.shape)}")
    if channels is not None and x.shape[-3] != channels:
        raise ValueError(f"{name} must have {channels} channels, got {x.shape[-3]}")
    if not x.is_floating_point():
        raise ValueError(f"{name} must be floating point, got {x.dtype}")


def check_image_pair(
    test: torch.Tensor, reference: torch.Tensor, channels: int | None = None
) -> None:
    check_image(test, "test", channels)
    check_image(reference, "reference", channels)
    if test.shape != reference.shape:
        raise ValueError(
            f"test and reference differ in shape: {tuple(test.shape)} vs {tuple(reference.shape)}"
        )
