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

import copy

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.fusion import fuse_conv_bn_eval

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
        self.merged: nn.Conv2d | None = None
        # A buffer: it follows the module to its device and dtype (never saved).
        self.register_buffer("shift", None, persistent=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.merged is None:
            return self.feature(x) * torch.sigmoid(self.gate(x))
        y = self.merged(x)
        n = self.out_channels
        gate = torch.sigmoid(y[:, n:])
        if self.shift is None:
            return y[:, :n] * gate
        return torch.addcmul(self.shift, y[:, :n], gate)

    @torch.no_grad()
    def fold(self, norm: nn.BatchNorm2d | None = None) -> None:
        """For inference: the feature and the gate convolution as one (one pass over the
        input instead of two), and ``norm`` (the batch norm after this, in eval mode)
        folded in: its scale into the feature weights, its shift added with the gated
        product in one operation. Equal up to float rounding."""
        n = self.out_channels
        weight = torch.cat([self.feature.weight, self.gate.weight])
        bias = torch.cat([self.feature.bias, self.gate.bias])
        if norm is not None:
            scale = norm.weight / torch.sqrt(norm.running_var + norm.eps)
            weight[:n] *= scale.view(-1, 1, 1, 1)
            bias[:n] *= scale
            self.shift = (norm.bias - norm.running_mean * scale).view(1, n, 1, 1)
        self.merged = nn.Conv2d(self.in_channels, n + 1, 3, self.stride, padding=1)
        self.merged.weight.copy_(weight)
        self.merged.bias.copy_(bias)

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
        self.top_skip: nn.Conv2d | None = None
        self.top_cached: nn.Conv2d | None = None

    def for_inference(self) -> ExtraNet:
        """A copy for inference, in eval mode: each gated convolution's two convolutions
        merged and every batch norm folded into the convolution before it (BENCHMARKS.md,
        issue #22: a reuse frame's time share fell from 0.51 to 0.45 at 320x180). Equal
        to this network up to float rounding; for running, never for training or saving."""
        net = copy.deepcopy(self).eval()
        for block in (net.inc, *(down[1] for down in net.downs)):
            for i in (0, 3):  # GatedConv, BatchNorm2d, ReLU, twice
                block[i].fold(block[i + 1])
                block[i + 1] = nn.Identity()
        for down in net.downs:
            down[0].fold()
        for plain in (*(up.convs for up in net.ups), *net.history.stages):
            for i in range(len(plain) - 1):
                if isinstance(plain[i], nn.Conv2d) and isinstance(plain[i + 1], nn.BatchNorm2d):
                    plain[i] = fuse_conv_bn_eval(plain[i], plain[i + 1])
                    plain[i + 1] = nn.Identity()
        net.history.fuse.fold()
        net._split_top_decoder()
        return net.to(memory_format=torch.channels_last)

    @torch.no_grad()
    def _split_top_decoder(self) -> None:
        """The first convolution of the top decoder reads [skip, up-sampled cached
        feature]; its half on the cached feature (and the up-sampling) is the same on
        every reuse frame, so the deep stage computes it once and the cached tensor is
        that half's output. A reuse frame then runs the half on the skip and an addition,
        not the up-sampling, the concatenation and the other half (ReFrame's reuse frame,
        with its constant part computed at the refresh). Inference form only."""
        first = self.ups[2].convs[0]
        skip = WIDTHS[0]
        self.top_skip = nn.Conv2d(skip, first.out_channels, 3, padding=1)
        self.top_cached = nn.Conv2d(
            first.in_channels - skip, first.out_channels, 3, padding=1, bias=False
        )
        self.top_skip.weight.copy_(first.weight[:, :skip])
        self.top_skip.bias.copy_(first.bias)
        self.top_cached.weight.copy_(first.weight[:, skip:])

    def top_encoder(self, x: torch.Tensor, k: int = 1) -> list[torch.Tensor]:
        """[the full-resolution features, the input (the deep stage reads the history
        frames from it: a reuse frame does not even gather them)]."""
        self._check_cut(k)
        base, seen = x[:, 0:3], x[:, SEEN : SEEN + 1]
        warped = base * seen  # ExtraNet's plain warp: holes zeroed
        main = torch.cat([base, warped, x[:, 6:9], x[:, 9:10], x[:, 3:6], seen], dim=1)
        return [self.inc(main), x]

    def deep(self, skips: list[torch.Tensor], k: int = 1) -> torch.Tensor:
        """The cached feature: the decoder's output at half resolution."""
        self._check_cut(k)
        x1, x = skips
        seen = x[:, SEEN : SEEN + 1]
        # Oldest first, as the paper orders them: i-3, i-2, i-1 (the last with holes zeroed).
        frames = torch.cat([x[:, 15:19], x[:, 11:15], x[:, 0:3] * seen, seen], dim=1)
        x2 = self.downs[0](x1)
        x3 = self.downs[1](x2)
        x4 = self.downs[2](x3)
        bottom = torch.cat([x4, self.history(frames)], dim=1)
        c = self.ups[1](self.ups[0](bottom, x3), x2)
        if self.top_cached is None:
            return c
        up = F.interpolate(c, size=x1.shape[-2:], mode="bilinear", align_corners=True)
        return self.top_cached(up)

    def top_decoder(self, c: torch.Tensor, skips: list[torch.Tensor], k: int = 1) -> torch.Tensor:
        self._check_cut(k)
        if self.top_cached is None:
            return self.head(self.ups[2](c, skips[0]))
        convs = self.ups[2].convs  # its first convolution split (_split_top_decoder)
        return self.head(convs[3:](torch.relu(self.top_skip(skips[0]) + c)))

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
        if self.top_cached is not None:  # the half on the cached feature moved up
            moved = conv_flops(h0, w0, self.top_cached.in_channels, self.top_cached.out_channels, 3)
            moved += 8 * h0 * w0 * self.top_cached.in_channels  # the up-sampling
            deep, bottom = deep + moved, bottom - moved + h0 * w0 * self.top_cached.out_channels
        return {"top_encoder": self.inc.flops(h0, w0), "deep": deep, "top_decoder": bottom}
