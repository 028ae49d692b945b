"""CUDA Graph capture of the cache's two per-frame paths, for a fixed input shape.

A refresh frame runs the top encoder, the deep stage and the top decoder; a reuse frame the
top encoder and the top decoder on the cached features. Each path is captured once as a
CUDA graph and replayed every frame: a replay launches all of its kernels at once, where a
small network at 640x360 spends much of its time launching them one by one. The refresh
graph's feature outputs are the cache (static memory, rewritten by each refresh replay),
and the reuse graph reads them there.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
from torch import nn
from torch.utils._pytree import tree_leaves

from common.graphs import CapturedCall


class GraphedPaths:
    """The refresh and the reuse path of staged ``net`` cut at ``cut``, captured for inputs
    shaped like ``example`` (padded, at the network's dtype, on a CUDA device).

    ``refresh(x)`` returns (output, features); ``reuse(x)`` the output from the features
    of the last refresh. Outputs are the graphs' static tensors: copy what must outlive
    the next replay.
    """

    def __init__(self, net: nn.Module, example: torch.Tensor, cut: int, deep: Callable) -> None:
        if not capturable(example):
            raise ValueError(f"CUDA graphs need a CUDA input, got {example.device}")
        self.key = _key(example)

        def full(x: torch.Tensor) -> tuple[torch.Tensor, Any]:
            skips = net.top_encoder(x, cut)
            features = deep(net, skips, cut)
            return net.top_decoder(features, skips, cut), features

        with torch.no_grad():
            self._refresh = CapturedCall(full, example)
            features = self._refresh.output[1]

            def reuse(x: torch.Tensor) -> torch.Tensor:
                return net.top_decoder(features, net.top_encoder(x, cut), cut)

            self._reuse = CapturedCall(reuse, example)
        self.features = features

    def fits(self, x: torch.Tensor) -> bool:
        return _key(x) == self.key

    def refresh(self, x: torch.Tensor) -> tuple[torch.Tensor, Any]:
        return self._refresh(x)

    def reuse(self, x: torch.Tensor) -> torch.Tensor:
        return self._reuse(x)


def capturable(x: torch.Tensor) -> bool:
    """Whether work on ``x`` can be captured as a CUDA graph."""
    return x.is_cuda


def _key(x: torch.Tensor) -> tuple:
    return (tuple(x.shape), x.stride(), x.dtype, x.device)


def copy_features(into: Any, source: Any) -> None:
    """Copy a pytree of tensors into another of the same shapes (the graphs' static
    features, after a refresh made outside them)."""
    for dst, src in zip(tree_leaves(into), tree_leaves(source), strict=True):
        dst.copy_(src)
