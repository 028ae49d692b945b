"""ExtraNet (Guo et al., "ExtraNet: Real-time Extrapolated Rendering for Low-latency
Temporal Supersampling", SIGGRAPH Asia 2021), the network ReFrame cached for frame
extrapolation, rebuilt from its paper and its authors' description of the layers, with its
inputs mapped to extrapolation's (:class:`networks.tasks.Extrapolate`).

- A 4-level U-Net whose encoder is made of lightweight gated convolutions (features times
  a one-channel sigmoid gate, :class:`GatedConv`), down-sampled by stride-2 gated
  convolutions, widths 24 / 24 / 32 / 32; a plain decoder (convolution, batch norm, ReLU)
  after bilinear up-sampling, and a 1x1 head.
- A history encoder: each of three earlier frames, warped into this one (demodulated log
  shading and its validity mask, 4 channels), goes through the same three stride-2 stages
  (24 / 32 / 32 wide); the three results are fused by one gated convolution to 32 channels
  and joined to the bottleneck.
- Inputs, mapped to our G-buffers: ExtraNet's two warps of the last frame (plain, and with
  its holes filled) are our filled reprojection and the same with its holes zeroed; its
  G-buffers (normal, depth, roughness, metallic) are our normal, depth and, for the
  material, albedo; the mask is the reprojection's. Its history frames i-1, i-3, i-5 are
  ours i-1, i-2, i-3 (what extrapolation's input carries).
- Output: a correction to the filled reprojection, in demodulated log space, like every
  extrapolation network here (the task gates it to the holes).

Staged for layer caching at ReFrame's cut: the cached feature is the decoder's output at
half resolution (before the last up-sampling block). The history encoder feeds only the
bottleneck, so it is part of the deep stage and a reuse frame does not run it (ReFrame's
own sample ran it there and threw its result away).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from common.padding import aligned
from networks.blocks import StagedUNet, conv_flops
from networks.tasks import SEEN, TASKS

WIDTHS = (24, 24, 32, 32)
"""The main encoder's widths by level, top first (the paper's)."""
HISTORY_WIDTHS = (24, 32, 32)
"""The history encoder's widths by stage (each at half the resolution of the one before)."""
DECODER_WIDTHS = (32, 24, 24)
"""The decoder's output widths, from the bottleneck up to full resolution."""
IN_CHANNELS = TASKS["extrapolate"].in_channels
"""Extrapolation's input: filled reprojection (3), albedo (3), normal (3), depth (1),
reprojection mask (1, channel :data:`~networks.tasks.SEEN`), then two older frames' shading
and mask (4 each)."""
HISTORY_FRAMES = 3
MAIN_CHANNELS = 14
"""What the main encoder reads: the filled reprojection, the same with its holes zeroed,
normal, depth, albedo and the mask."""


class GatedConv(nn.Module):
    """Lightweight gated convolution: ``conv(x) * sigmoid(gate(x))`` with a one-channel gate
    shared by every output channel. (B, in, H, W) -> (B, out, H / stride, W / stride)."""

    def __init__(self, in_channels: int, out_channels: int, stride: int = 1) -> None:
        super().__init__()
        self.feature = nn.Conv2d(in_channels, out_channels, 3, stride, padding=1)
        self.gate = nn.Conv2d(in_channels, 1, 3, stride, padding=1)
        self.in_channels, self.out_channels, self.stride = in_channels, out_channels, stride

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.feature(x) * torch.sigmoid(self.gate(x))

    def flops(self, height: int, width: int) -> int:
        """At the output resolution."""
        return conv_flops(height, width, self.in_channels, self.out_channels + 1, 3)


def _norm_relu(channels: int) -> list[nn.Module]:
    return [nn.BatchNorm2d(channels), nn.ReLU(inplace=True)]


class GatedBlock(nn.Sequential):
    """Two gated 3x3 convolutions, each with batch norm and ReLU (an encoder level)."""

    def __init__(self, in_channels: int, out_channels: int) -> None:
        super().__init__(
            GatedConv(in_channels, out_channels),
            *_norm_relu(out_channels),
            GatedConv(out_channels, out_channels),
            *_norm_relu(out_channels),
        )

    def flops(self, height: int, width: int) -> int:
        return self[0].flops(height, width) + self[3].flops(height, width)


class Down(nn.Sequential):
    """A stride-2 gated convolution, then a :class:`GatedBlock`."""

    def __init__(self, in_channels: int, out_channels: int) -> None:
        super().__init__(
            GatedConv(in_channels, in_channels, 2), GatedBlock(in_channels, out_channels)
        )

    def flops(self, height: int, width: int) -> int:
        """At the output resolution."""
        return self[0].flops(height, width) + self[1].flops(height, width)


class UpBlock(nn.Module):
    """Bilinear 2x up-sampling, concatenation with the skip, and two plain 3x3 convolutions
    (the first to half the concatenated width), each with batch norm and ReLU."""

    def __init__(self, in_channels: int, skip_channels: int, out_channels: int) -> None:
        super().__init__()
        both = in_channels + skip_channels
        self.convs = nn.Sequential(
            nn.Conv2d(both, both // 2, 3, padding=1),
            *_norm_relu(both // 2),
            nn.Conv2d(both // 2, out_channels, 3, padding=1),
            *_norm_relu(out_channels),
        )
        self.widths = (both, both // 2, out_channels)

    def forward(self, x: torch.Tensor, skip: torch.Tensor) -> torch.Tensor:
        up = F.interpolate(x, size=skip.shape[-2:], mode="bilinear", align_corners=True)
        return self.convs(torch.cat([skip, up], dim=1))

    def flops(self, height: int, width: int) -> int:
        """At the output resolution (the up-sampling's 8 per value included)."""
        both, half, out = self.widths
        return (
            conv_flops(height, width, both, half, 3)
            + conv_flops(height, width, half, out, 3)
            + 8 * height * width * (both - half)
        )


def _plain(in_channels: int, out_channels: int, stride: int = 1) -> list[nn.Module]:
    return [nn.Conv2d(in_channels, out_channels, 3, stride, padding=1), *_norm_relu(out_channels)]


class HistoryEncoder(nn.Module):
    """Three earlier frames (B, 3 x 4, H, W) -> (B, 32, H / 8, W / 8): one encoder shared by
    the frames (they go through it as a batch), then a gated fusion of the three."""

    def __init__(self) -> None:
        super().__init__()
        stages, before = [], 4
        for width in HISTORY_WIDTHS:
            stages.append(
                nn.Sequential(
                    *_plain(before, width, 2), *_plain(width, width), *_plain(width, width)
                )
            )
            before = width
        self.stages = nn.Sequential(*stages)
        self.fuse = GatedConv(HISTORY_FRAMES * before, WIDTHS[-1])

    def forward(self, frames: torch.Tensor) -> torch.Tensor:
        b, _, h, w = frames.shape
        each = self.stages(frames.reshape(b * HISTORY_FRAMES, 4, h, w))
        return self.fuse(each.reshape(b, -1, *each.shape[-2:]))

    def flops(self, height: int, width: int) -> int:
        """For input (height, width)."""
        total, before = 0, 4
        for level, wide in enumerate(HISTORY_WIDTHS, start=1):
            h, w = height >> level, width >> level
            total += conv_flops(h, w, before, wide, 3) + 2 * conv_flops(h, w, wide, wide, 3)
            before = wide
        total *= HISTORY_FRAMES
        return total + self.fuse.flops(height >> 3, width >> 3)


class ExtraNet(StagedUNet):
    """(B, 19, H, W) extrapolation input -> (B, 3, H, W) correction; any H, W (padded to a
    multiple of 8, its four levels' alignment, and cropped back). Staged for
    :class:`caching.LayerCache` at cut 1 only."""

    def __init__(self, config) -> None:
        super().__init__()
        if config.in_channels != IN_CHANNELS:
            raise ValueError(
                f"ExtraNet reads extrapolation's {IN_CHANNELS} input channels, "
                f"not {config.in_channels}"
            )
        if tuple(config.widths) != WIDTHS:
            raise ValueError(f"ExtraNet's widths are {WIDTHS}, not {tuple(config.widths)}")
        self.config = config
        w = WIDTHS
        self.inc = GatedBlock(MAIN_CHANNELS, w[0])
        self.downs = nn.ModuleList([Down(w[i], w[i + 1]) for i in range(3)])
        self.history = HistoryEncoder()
        d = DECODER_WIDTHS
        self.ups = nn.ModuleList(
            [UpBlock(2 * w[3], w[2], d[0]), UpBlock(d[0], w[1], d[1]), UpBlock(d[1], w[0], d[2])]
        )
        self.head = nn.Conv2d(d[2], config.out_channels, 1)

    def top_encoder(self, x: torch.Tensor, k: int = 1) -> list[torch.Tensor]:
        """[the full-resolution features, the three history frames (B, 12, H, W)]."""
        self._check_cut(k)
        base, seen = x[:, 0:3], x[:, SEEN : SEEN + 1]
        warped = base * seen  # ExtraNet's plain warp: holes zeroed
        main = torch.cat([base, warped, x[:, 6:9], x[:, 9:10], x[:, 3:6], seen], dim=1)
        # Oldest first, as the paper orders them: i-3, i-2, i-1.
        frames = torch.cat([x[:, 15:19], x[:, 11:15], warped, seen], dim=1)
        return [self.inc(main), frames]

    def deep(self, skips: list[torch.Tensor], k: int = 1) -> torch.Tensor:
        """The cached feature: the decoder's output at half resolution."""
        self._check_cut(k)
        x1, frames = skips
        x2 = self.downs[0](x1)
        x3 = self.downs[1](x2)
        x4 = self.downs[2](x3)
        bottom = torch.cat([x4, self.history(frames)], dim=1)
        return self.ups[1](self.ups[0](bottom, x3), x2)

    def top_decoder(self, c: torch.Tensor, skips: list[torch.Tensor], k: int = 1) -> torch.Tensor:
        self._check_cut(k)
        return self.head(self.ups[2](c, skips[0]))

    def _check_cut(self, k: int) -> None:
        if k != 1:
            raise ValueError(f"ExtraNet is staged at ReFrame's cut (1) only, got {k}")

    def stage_flops(self, height: int, width: int, k: int = 1) -> dict[str, int]:
        """FLOPs of the three stages for an input of (height, width), padding included."""
        self._check_cut(k)
        h0, w0 = aligned(height, self.alignment), aligned(width, self.alignment)
        deep = sum(d.flops(h0 >> (i + 1), w0 >> (i + 1)) for i, d in enumerate(self.downs))
        deep += self.history.flops(h0, w0)
        deep += self.ups[0].flops(h0 >> 2, w0 >> 2) + self.ups[1].flops(h0 >> 1, w0 >> 1)
        bottom = self.ups[2].flops(h0, w0)
        bottom += conv_flops(h0, w0, DECODER_WIDTHS[-1], self.config.out_channels, 1)
        return {"top_encoder": self.inc.flops(h0, w0), "deep": deep, "top_decoder": bottom}
