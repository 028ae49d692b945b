"""U-Net++ (Zhou et al. 2018): nested, densely connected skip paths, as explicit stages.

Node X[i][j] sits at level i, column j: X[i][0] is the encoder; for j > 0,
``X[i][j] = block(concat(X[i][0..j-1], up(X[i+1][j-1])))``; the output is
``head(X[0][L-1])``. ReFrame's rule for U-Net++ caches every skip-branch node below the
first level: the stages are

- ``top_encoder``: X[0][0];
- ``deep``: all nodes of levels 1 and below, returned as the up-sampled inputs that the
  first-level nodes take, ``C = [up(X[1][j]) for j in 0..L-2]``: ``lift`` (the
  up-sampling) of ``deep_core`` (the nodes X[1][j]);
- ``top_decoder``: X[0][1..L-1] from X[0][0] and C, then the head.
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
        self._check_cut(k)
        return [self.nodes["0_0"](x)]

    def deep(self, skips: list[torch.Tensor], k: int = 1) -> list[torch.Tensor]:
        return self.lift(self.deep_core(skips, k), k)

    def deep_core(self, skips: list[torch.Tensor], k: int = 1) -> list[torch.Tensor]:
        """The nodes X[1][j], j = 0..L-2, at level 1."""
        self._check_cut(k)
        levels = self.config.levels
        x = {(0, 0): skips[0]}
        for i in range(1, levels):
            x[(i, 0)] = self.nodes[f"{i}_0"](F.max_pool2d(x[(i - 1, 0)], 2))
        # Columns left to right, so that every node's inputs exist; level 0 is left out.
        for j in range(1, levels):
            for i in range(1, levels - j):
                x[(i, j)] = self._node(i, j, x)
        return [x[(1, j)] for j in range(levels - 1)]

    def lift(self, core: list[torch.Tensor], k: int = 1) -> list[torch.Tensor]:
        """C from :meth:`deep_core`'s nodes: each up-sampled to level 0."""
        return [self.ups[f"1_{j}"](node) for j, node in enumerate(core)]

    def top_decoder(
        self, c: list[torch.Tensor], skips: list[torch.Tensor], k: int = 1
    ) -> torch.Tensor:
        self._check_cut(k)
        row = [skips[0]]
        for j in range(1, self.config.levels):
            row.append(self.nodes[f"0_{j}"](torch.cat([*row, c[j - 1]], dim=1)))
        return self.head(row[-1])

    def _node(self, i: int, j: int, x: dict) -> torch.Tensor:
        inputs = [x[(i, m)] for m in range(j)] + [self.ups[f"{i + 1}_{j - 1}"](x[(i + 1, j - 1)])]
        return self.nodes[f"{i}_{j}"](torch.cat(inputs, dim=1))

    def _check_cut(self, k: int) -> None:
        if k != 1:
            raise ValueError("U-Net++ is cut below its first level only (k = 1)")

    def stage_flops(self, height: int, width: int, k: int = 1) -> dict[str, int]:
        self._check_cut(k)
        h0, w0 = aligned(height, self.alignment), aligned(width, self.alignment)
        levels = self.config.levels
        top = self.nodes["0_0"].flops(h0, w0)
        deep = 0
        for i in range(1, levels):
            for j in range(levels - i):
                deep += self.nodes[f"{i}_{j}"].flops(h0 >> i, w0 >> i)
        deep += sum(
            self.ups[key].flops(h0 >> (int(key[0]) - 1), w0 >> (int(key[0]) - 1))
            for key in self.ups
            if not key.startswith("1_")
        )
        deep += sum(self.ups[f"1_{j}"].flops(h0, w0) for j in range(levels - 1))
        bottom = sum(self.nodes[f"0_{j}"].flops(h0, w0) for j in range(1, levels))
        bottom += conv_flops(h0, w0, self.config.widths[0], self.config.out_channels, 1)
        return {"top_encoder": top, "deep": deep, "top_decoder": bottom}
