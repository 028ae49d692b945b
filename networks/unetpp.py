"""U-Net++ (Zhou et al. 2018): nested, densely connected skip paths, as explicit stages.

Node X[i][j] sits at level i, column j: X[i][0] is the encoder; for j > 0,
``X[i][j] = block(concat(X[i][0..j-1], up(X[i+1][j-1])))``; the output is
``head(X[0][L-1])``. ReFrame's rule for U-Net++ caches every skip-branch node below the
first level: for a cut at k (1: ReFrame's) the stages are

- ``top_encoder``: X[0..k-1][0];
- ``deep``: all nodes of levels k and below, returned as the up-sampled inputs that the
  level k-1 nodes take, ``C = [up(X[k][j]) for j in 0..L-1-k]``: ``lift`` (the
  up-sampling) of ``deep_core`` (the nodes X[k][j]);
- ``top_decoder``: the nodes of levels 0..k-1 from their encoder nodes and C, then the
  head (``climb`` also hands back each level's C on the way, for adaptive depth).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from common.padding import aligned
from networks.blocks import ConvBlock, StagedUNet, Up, conv_flops
from networks.unet import UNetConfig


class UNetPlusPlus(StagedUNet):
    """(B, in, H, W) -> (B, out, H, W); any H, W (padded to 2^(levels-1), cropped back)."""

    def __init__(self, config: UNetConfig) -> None:
        super().__init__()
        if config.levels < 2:
            raise ValueError("a U-Net++ needs at least two levels")
        self.config = config
        w, levels = config.widths, config.levels
        self.nodes = nn.ModuleDict()
        self.ups = nn.ModuleDict()
        for i in range(levels):
            for j in range(levels - i):
                if j == 0:
                    cin = config.in_channels if i == 0 else w[i - 1]
                else:
                    cin = j * w[i] + w[i + 1]
                    self.ups[f"{i + 1}_{j - 1}"] = Up(w[i + 1], config.upsampling)
                self.nodes[f"{i}_{j}"] = ConvBlock(cin, w[i], config.activation)
        self.head = nn.Conv2d(w[0], config.out_channels, 1)

    def top_encoder(self, x: torch.Tensor, k: int = 1) -> list[torch.Tensor]:
        """The encoder nodes X[0..k-1][0] of an aligned input."""
        self._check_cut(k)
        skips = [self.nodes["0_0"](x)]
        for i in range(1, k):
            skips.append(self.encode_level(skips[-1], i))
        return skips

    def encode_level(self, h: torch.Tensor, i: int) -> torch.Tensor:
        """Encoder node X[i][0] from X[i-1][0] (the aligned input for 0)."""
        return self.nodes["0_0"](h) if i == 0 else self.nodes[f"{i}_0"](F.max_pool2d(h, 2))

    @property
    def max_cut(self) -> int:
        return self.config.levels - 1

    def deep(self, skips: list[torch.Tensor], k: int = 1) -> list[torch.Tensor]:
        return self.lift(self.deep_core(skips, k), k)

    def deep_core(self, skips: list[torch.Tensor], k: int = 1) -> list[torch.Tensor]:
        """The nodes X[k][j], j = 0..L-1-k, at level k (from X[k-1][0] alone)."""
        self._check_cut(k)
        levels = self.config.levels
        x = {(k - 1, 0): skips[k - 1]}
        for i in range(k, levels):
            x[(i, 0)] = self.encode_level(x[(i - 1, 0)], i)
        # Columns left to right, so that every node's inputs exist; levels above k left out.
        for j in range(1, levels):
            for i in range(k, levels - j):
                x[(i, j)] = self._node(i, j, x)
        return [x[(k, j)] for j in range(levels - k)]

    def lift(self, core: list[torch.Tensor], k: int = 1) -> list[torch.Tensor]:
        """C from :meth:`deep_core`'s nodes: each up-sampled to level k-1."""
        return [self.ups[f"{k}_{j}"](node) for j, node in enumerate(core)]

    def top_decoder(
        self, c: list[torch.Tensor], skips: list[torch.Tensor], k: int = 1
    ) -> torch.Tensor:
        return self._climb(c, skips, k, {})

    def climb(
        self, c: list[torch.Tensor], skips: list[torch.Tensor], k: int
    ) -> tuple[torch.Tensor, dict[int, list[torch.Tensor]]]:
        """The nodes of levels 0..k-1 from their encoder nodes and C, then the head; and
        the cached feature of every level j < k it passes (what :meth:`deep` would give for
        a cut at j on these skips: the up-samplings its nodes took, kept as they ran)."""
        ups: dict = {}
        out = self._climb(c, skips, k, ups)
        levels = self.config.levels
        passed = {i: [ups[(i, j)] for j in range(levels - i)] for i in range(1, k)}
        return out, passed

    def _climb(
        self, c: list[torch.Tensor], skips: list[torch.Tensor], k: int, ups: dict
    ) -> torch.Tensor:
        """The top decoder at cut ``k``; the up-sampled nodes of levels 1..k-1 it makes go
        into ``ups`` by (level, column)."""
        self._check_cut(k)
        levels = self.config.levels
        x = {(i, 0): skips[i] for i in range(k)}
        for j in range(1, levels - k + 1):
            x[(k - 1, j)] = self.nodes[f"{k - 1}_{j}"](
                torch.cat([*(x[(k - 1, m)] for m in range(j)), c[j - 1]], dim=1)
            )
        for j in range(1, levels):
            for i in range(k - 2, -1, -1):
                if i + j < levels:
                    x[(i, j)] = self._node(i, j, x, ups)
        return self.head(x[(0, levels - 1)])

    def _node(self, i: int, j: int, x: dict, ups: dict | None = None) -> torch.Tensor:
        up = self.ups[f"{i + 1}_{j - 1}"](x[(i + 1, j - 1)])
        if ups is not None:
            ups[(i + 1, j - 1)] = up
        return self.nodes[f"{i}_{j}"](torch.cat([*(x[(i, m)] for m in range(j)), up], dim=1))

    def _check_cut(self, k: int) -> None:
        if not 1 <= k < self.config.levels:
            raise ValueError(f"cut level must be within 1..{self.config.levels - 1}, got {k}")

    def stage_flops(self, height: int, width: int, k: int = 1) -> dict[str, int]:
        self._check_cut(k)
        h0, w0 = aligned(height, self.alignment), aligned(width, self.alignment)
        levels = self.config.levels
        top = sum(self.nodes[f"{i}_0"].flops(h0 >> i, w0 >> i) for i in range(k))
        deep = bottom = 0
        for i in range(levels):
            for j in range(levels - i):
                if j == 0 and i < k:
                    continue
                flops = self.nodes[f"{i}_{j}"].flops(h0 >> i, w0 >> i)
                deep, bottom = (deep + flops, bottom) if i >= k else (deep, bottom + flops)
        for key, up in self.ups.items():
            source = int(key.split("_")[0])  # brings level ``source`` up to ``source - 1``
            flops = up.flops(h0 >> (source - 1), w0 >> (source - 1))
            deep, bottom = (deep + flops, bottom) if source >= k else (deep, bottom + flops)
        bottom += conv_flops(h0, w0, self.config.widths[0], self.config.out_channels, 1)
        return {"top_encoder": top, "deep": deep, "top_decoder": bottom}
