"""One CUDA graph: a function of one tensor captured once and replayed, for inputs of a
fixed shape (``--cuda-graphs``). A replay launches every kernel of the function at once;
a small network at 640x360 otherwise spends much of its time launching them one by one."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch

WARMUP = 3
"""Untimed runs on a side stream before capture (cuDNN picks its kernels there)."""


class CapturedCall:
    """``fn(static_input)`` captured as a CUDA graph: ``__call__(x)`` copies ``x`` into the
    static input, replays, and returns the static outputs (overwritten by the next replay)."""

    def __init__(self, fn: Callable[[torch.Tensor], Any], example: torch.Tensor) -> None:
        self.input = example.clone()
        side = torch.cuda.Stream()
        side.wait_stream(torch.cuda.current_stream())
        with torch.cuda.stream(side):
            for _ in range(WARMUP):
                fn(self.input)
        torch.cuda.current_stream().wait_stream(side)
        self.graph = torch.cuda.CUDAGraph()
        # Thread-local: the viewer's interface thread uses CUDA while its worker captures.
        with torch.cuda.graph(self.graph, capture_error_mode="thread_local"):
            self.output = fn(self.input)

    def __call__(self, x: torch.Tensor) -> Any:
        self.input.copy_(x)
        self.graph.replay()
        return self.output
