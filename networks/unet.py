"""U-Net (Ronneberger et al. 2015) as explicit stages, for layer caching.

For a cut at level k (k = 1: ReFrame's cut), the plain forward is exactly
``top_decoder(deep(skips, k), skips, k)`` with ``skips = top_encoder(x, k)``:

- ``top_encoder``: encoder blocks 0..k-1, the skips they keep (X0 for k = 1);
- ``deep``: everything below: the rest of the encoder, the bottleneck and the decoder up to
  level k, up-sampled to level k-1 — the feature ``C`` that a cache keeps. It is
  ``lift(deep_core(skips, k), k)``: the decoder's output at level k, then its up-sampling;
- ``top_decoder``: decoder blocks k-1..0 on ``concat(C, skip)``, then the 1x1 head (Xn).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
import torch.nn.functional as F
from torch import nn

from common.padding import aligned
from networks.blocks import ConvBlock, StagedUNet, Up, conv_flops


@dataclass(frozen=True)
class UNetConfig:
    """Shape of a U-Net or U-Net++."""

    in_channels: int
    """Input channels (the task's)."""
    out_channels: int = 3
    widths: tuple[int, ...] = (16, 32, 48, 64, 96)
    """Channels per level, top first; the number of levels is its length."""
    upsampling: str = "bilinear"
    """bilinear, nearest or transpose (a learned 2x2 transposed convolution)."""
    arch: str = "unet"
    """unet or unetpp."""
    activation: str = "relu"
    """relu or leaky (LeakyReLU 0.1)."""

    @property
    def levels(self) -> int:
        return len(self.widths)

    def to_dict(self) -> dict:
        return {**asdict(self), "widths": list(self.widths)}


class UNet(StagedUNet):
    """(B, in, H, W) -> (B, out, H, W); any H, W (padded to 2^(levels-1), cropped back)."""

    def __init__(self, config: UNetConfig) -> None:
        super().__init__()
        if config.levels < 2:
            raise ValueError("a U-Net needs at least two levels")
        self.config = config
        w, act = config.widths, config.activation
        self.encoders = nn.ModuleList(
            [ConvBlock(config.in_channels, w[0], act)]
            + [ConvBlock(w[i - 1], w[i], act) for i in range(1, len(w))]
        )
        # ups[i] brings level i+1 up to level i; decoders[i] works at level i.
        self.ups = nn.ModuleList([Up(w[i + 1], config.upsampling) for i in range(len(w) - 1)])
        self.decoders = nn.ModuleList(
            [ConvBlock(w[i] + w[i + 1], w[i], act) for i in range(len(w) - 1)]
        )
        self.head = nn.Conv2d(w[0], config.out_channels, 1)

    def top_encoder(self, x: torch.Tensor, k: int = 1) -> list[torch.Tensor]:
        """Skips of levels 0..k-1 of an aligned input."""
        self._check_cut(k)
        skips = [self.encode_level(x, 0)]
        for i in range(1, k):
            skips.append(self.encode_level(skips[-1], i))
        return skips

    def deep(self, skips: list[torch.Tensor], k: int = 1) -> torch.Tensor:
        """The cached feature C: the decoder at level k, up-sampled to level k-1."""
        return self.lift(self.deep_core(skips, k), k)

    def deep_core(self, skips: list[torch.Tensor], k: int = 1) -> torch.Tensor:
        """The decoder's output at level k (half the resolution of C)."""
        self._check_cut(k)
        h = skips[k - 1]
        below = []
        for i in range(k, self.config.levels):
            h = self.encode_level(h, i)
            below.append(h)
        # below[-1] is the bottleneck; climb back to level k.
        h = below[-1]
        for i in range(self.config.levels - 2, k - 1, -1):
            h = self.decoders[i](torch.cat([self.ups[i](h), below[i - k]], dim=1))
        return h

    def lift(self, core: torch.Tensor, k: int = 1) -> torch.Tensor:
        """C from :meth:`deep_core`'s output: its up-sampling to level k-1."""
        return self.ups[k - 1](core)

    def top_decoder(self, c: torch.Tensor, skips: list[torch.Tensor], k: int = 1) -> torch.Tensor:
        """The output from C and the skips of levels 0..k-1."""
        return self.climb(c, skips, k)[0]

    @property
    def max_cut(self) -> int:
        """The deepest cut: above the bottleneck."""
        return self.config.levels - 1

    def encode_level(self, h: torch.Tensor, i: int) -> torch.Tensor:
        """Encoder level ``i`` from level ``i - 1``'s output (the aligned input for 0)."""
        return self.encoders[0](h) if i == 0 else self.encoders[i](F.max_pool2d(h, 2))

    def climb(
        self, c: torch.Tensor, skips: list[torch.Tensor], k: int
    ) -> tuple[torch.Tensor, dict[int, torch.Tensor]]:
        """:meth:`top_decoder`'s output and the cached feature ``C_j`` of every level
        ``j < k`` it passes: what :meth:`deep` would give for a cut at ``j`` on these
        skips."""
        self._check_cut(k)
        passed = {}
        h = self.decoders[k - 1](torch.cat([c, skips[k - 1]], dim=1))
        for i in range(k - 2, -1, -1):
            passed[i + 1] = self.ups[i](h)
            h = self.decoders[i](torch.cat([passed[i + 1], skips[i]], dim=1))
        return self.head(h), passed

    def _check_cut(self, k: int) -> None:
        if not 1 <= k < self.config.levels:
            raise ValueError(f"cut level must be within 1..{self.config.levels - 1}, got {k}")

    def stage_flops(self, height: int, width: int, k: int = 1) -> dict[str, int]:
        """FLOPs of the three stages for an input of (height, width), padding included."""
        self._check_cut(k)
        h0, w0 = aligned(height, self.alignment), aligned(width, self.alignment)

        def size(level: int) -> tuple[int, int]:
            return h0 >> level, w0 >> level

        top = sum(self.encoders[i].flops(*size(i)) for i in range(k))
        deep = sum(self.encoders[i].flops(*size(i)) for i in range(k, self.config.levels))
        deep += sum(self.decoders[i].flops(*size(i)) for i in range(k, self.config.levels - 1))
        deep += sum(self.ups[i].flops(*size(i)) for i in range(k - 1, self.config.levels - 1))
        bottom = sum(self.decoders[i].flops(*size(i)) for i in range(k))
        bottom += sum(self.ups[i].flops(*size(i)) for i in range(k - 1))
        bottom += conv_flops(h0, w0, self.config.widths[0], self.config.out_channels, 1)
        return {"top_encoder": top, "deep": deep, "top_decoder": bottom}
