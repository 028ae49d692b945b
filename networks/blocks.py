"""Building blocks shared by the U-Nets: the 3x3 conv block, 2x up-sampling, the FLOP count
of a convolution, and the aligned forward both U-Nets share."""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from common.padding import pad_to

UPSAMPLING = ("bilinear", "nearest", "transpose")
ACTIVATIONS = ("relu", "leaky")


def activation(name: str) -> nn.Module:
    """``relu``, or ``leaky`` (LeakyReLU 0.1: no unit can die for good, which matters for
    residual networks whose zero-initialised head sees no gradient at first)."""
    if name == "relu":
        return nn.ReLU(inplace=True)
    if name == "leaky":
        return nn.LeakyReLU(0.1, inplace=True)
    raise ValueError(f"unknown activation {name!r}; known: {', '.join(ACTIVATIONS)}")


class ConvBlock(nn.Sequential):
    """Two 3x3 convolutions, each followed by ``act`` (see :func:`activation`):
    (B, in, H, W) -> (B, out, H, W)."""

    def __init__(self, in_channels: int, out_channels: int, act: str = "relu") -> None:
        super().__init__(
            nn.Conv2d(in_channels, out_channels, 3, padding=1),
            activation(act),
            nn.Conv2d(out_channels, out_channels, 3, padding=1),
            activation(act),
        )
        self.in_channels, self.out_channels = in_channels, out_channels

    def flops(self, height: int, width: int) -> int:
        return conv_flops(height, width, self.in_channels, self.out_channels, 3) + conv_flops(
            height, width, self.out_channels, self.out_channels, 3
        )


class Up(nn.Module):
    """2x up-sampling: (B, C, H, W) -> (B, C, 2H, 2W)."""

    def __init__(self, channels: int, mode: str) -> None:
        super().__init__()
        if mode not in UPSAMPLING:
            raise ValueError(f"unknown up-sampling {mode!r}; known: {', '.join(UPSAMPLING)}")
        self.mode = mode
        self.channels = channels
        self.transpose = (
            nn.ConvTranspose2d(channels, channels, 2, stride=2) if mode == "transpose" else None
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.transpose is not None:
            return self.transpose(x)
        if self.mode == "nearest":
            return F.interpolate(x, scale_factor=2.0, mode="nearest")
        return F.interpolate(x, scale_factor=2.0, mode="bilinear", align_corners=False)

    def flops(self, height: int, width: int) -> int:
        """At the output resolution (height, width)."""
        if self.transpose is not None:
            return 2 * height * width * self.channels * self.channels
        return 8 * height * width * self.channels if self.mode == "bilinear" else 0


def conv_flops(height: int, width: int, in_channels: int, out_channels: int, kernel: int) -> int:
    """Multiply-adds times two of a stride-1 'same' convolution, bias included."""
    return 2 * height * width * out_channels * (in_channels * kernel * kernel + 1)


class StagedUNet(nn.Module):
    """What the U-Net, the U-Net++ and ExtraNet share: their alignment, and a forward that
    pads the input to it, runs ``top_encoder``, ``deep`` and ``top_decoder``, and crops
    back."""

    config: Any  # a networks.unet.UNetConfig

    @property
    def alignment(self) -> int:
        return 2 ** (self.config.levels - 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h, w = x.shape[-2:]
        skips = self.top_encoder(pad_to(x, self.alignment))
        return self.top_decoder(self.deep(skips), skips)[..., :h, :w]
