"""A captured graph split into the three stages of :class:`caching.protocol.Staged`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
from torch import fx, nn

from caching.autostage.capture import output_tensor
from caching.autostage.graph import Split, build, modules_of, output_values
from common.padding import aligned, pad_to


def run_module(gm: fx.GraphModule, *args: Any) -> list[Any]:
    return gm(*args)


class StagedBase(nn.Module):
    """What both routes share: one cut, the alignment, the plain forward (padded and
    cropped back like the cache does) and FLOP counts scaled from the example's."""

    def __init__(self, model: nn.Module, alignment: int, cut: int, constants: dict) -> None:
        super().__init__()
        self.model = model
        self.alignment = alignment
        self.cut = cut
        self.constants = constants
        self.flops_at: tuple[int, int] = (0, 0)
        self.flops: dict[str, int] = {}
        self.report: Any = None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """The user's network on ``x``, padded to the alignment and cropped back."""
        h, w = x.shape[-2:]
        return output_tensor(self.model(pad_to(x, self.alignment), **self.constants))[..., :h, :w]

    def check_cut(self, k: int) -> None:
        if k != self.cut:
            raise ValueError(f"this network was wrapped for cut {self.cut}, not {k}")

    def stage_flops(self, height: int, width: int, k: int = 1) -> dict[str, int]:
        """FLOPs of the stages at (height, width): the example's, counted from the graph,
        scaled by the aligned pixel count (exact for convolutions, which dominate a U-Net)."""
        self.check_cut(k)
        h0, w0 = self.flops_at
        scale = aligned(height, self.alignment) * aligned(width, self.alignment) / (h0 * w0)
        return {name: round(value * scale) for name, value in self.flops.items()}


class GraphStaged(StagedBase):
    """The stages as three graph modules sharing the captured graph's parameters."""

    def __init__(
        self,
        model: nn.Module,
        graph: fx.GraphModule,
        parts: Split,
        alignment: int,
        cut: int,
        constants: dict,
    ) -> None:
        super().__init__(model, alignment, cut, constants)
        first = next(n for n in graph.graph.nodes if n.op == "placeholder")
        self.encoder_graph = build(graph, parts.encoder, [first], parts.skips)
        deep, decoder = set(parts.deep), set(parts.decoder)
        deep_in = [s for s in parts.skips if any(u in deep for u in s.users)]
        dec_in = [s for s in parts.skips if any(u in decoder for u in s.users)]
        self.deep_graph = build(graph, parts.deep, deep_in, parts.cached)
        out = output_values(graph.graph)[:1]
        self.decoder_graph = build(graph, parts.decoder, parts.cached + dec_in, out)
        index = {s: i for i, s in enumerate(parts.skips)}
        self._deep_in = [index[s] for s in deep_in]
        self._dec_in = [index[s] for s in dec_in]
        self.run: Callable[..., list[Any]] = run_module
        self.deep_modules = deep_modules(parts)

    def top_encoder(self, x: torch.Tensor, k: int = 1) -> list[Any]:
        self.check_cut(k)
        return self.run(self.encoder_graph, x)

    def deep(self, skips: list[Any], k: int = 1) -> list[torch.Tensor]:
        self.check_cut(k)
        return self.run(self.deep_graph, *(skips[i] for i in self._deep_in))

    def top_decoder(self, c: list[torch.Tensor], skips: list[Any], k: int = 1) -> torch.Tensor:
        self.check_cut(k)
        return self.run(self.decoder_graph, *c, *(skips[i] for i in self._dec_in))[0]


def deep_modules(parts: Split) -> set[str]:
    """Modules whose every node is in the deep part."""
    inside: set[str] = set()
    outside: set[str] = set()
    for node in parts.deep:
        inside.update(modules_of(node))
    for node in (*parts.encoder, *parts.decoder):
        outside.update(modules_of(node))
    return inside - outside
