"""A trained network as an evaluation method: assemble the task's inputs, run, convert."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import torch
from torch import nn

from common.graphs import CapturedCall
from common.placement import as_input
from common.timing import Lap
from networks.tasks import History, Task
from renderer.frame import Frame


def captured(net: nn.Module, example: torch.Tensor) -> Any:
    """``net`` captured as a CUDA graph for inputs like ``example`` (``CapturedCall``)."""
    with torch.no_grad():
        return CapturedCall(net, example)


def batched(x: torch.Tensor) -> torch.Tensor:
    """A task's (C, H, W) input as the networks take it: (1, C, H, W), channels-last."""
    return x.unsqueeze(0).contiguous(memory_format=torch.channels_last)


class NetworkMethod:
    """Runs ``net`` on each frame; keeps its previous output for tasks that read it.

    ``last_ms`` is the time of the network alone (with a cache: its decision included),
    without assembling inputs or converting the output: what a speedup compares. On CUDA
    it is measured by events on the GPU's clock (``common.timing.Lap``).

    The network runs at the precision of its weights (``--precision``): the input is cast
    to it there, and its output back to float32 here; the input assembly, the cache's
    decision and the output conversion stay float32.

    ``share``, when given, is a per-frame memo (``get(key, compute, keep)``) the methods of
    one task have in common: the input is assembled once for all of them (once per previous
    output for a recurrent task) and an output they share is converted once. A network
    that hands out shared results (``take_charged()``, in ms) has their time added to
    ``last_ms``: the time is what this method would have spent alone.
    """

    def __init__(
        self,
        task: Task,
        net: nn.Module,
        name: str = "full",
        share: Any | None = None,
        cuda_graphs: bool = False,
    ) -> None:
        self.task = task
        self.cuda_graphs = cuda_graphs
        """On CUDA, replay the network as a captured CUDA graph (one per input shape)."""
        self._graph: Any = None
        self.net = net
        self.name = name
        self.share = share
        self.last_refresh: bool | None = None
        self.last_ms: float | None = None
        self.last_input_ms: float = 0.0
        """Time of the last call's input assembly, in ms."""
        self._previous: torch.Tensor | None = None

    def reset(self) -> None:
        self._previous = None

    @torch.inference_mode()
    def __call__(self, frame: Frame, history: History) -> torch.Tensor:
        previous = self.previous_output
        start = time.perf_counter()
        x = self._shared(
            ("inputs", id(frame), id(history), id(previous)),
            lambda: self._assemble(frame, history, previous),
            (frame, history, previous),
        )
        # Where another method of the frame assembled it, ~0: the frame's assembly time is
        # the largest of its methods'.
        self.last_input_ms = (time.perf_counter() - start) * 1e3
        return self.run_input(x, frame, history)

    @property
    def previous_output(self) -> torch.Tensor | None:
        """The output of the last frame where the task reads it (recurrent tasks), else
        None: what :meth:`Task.prepare` takes."""
        return self._previous if self.task.unroll else None

    def run_input(self, x: torch.Tensor, frame: Frame, history: History) -> torch.Tensor:
        """The rest of a call on an input already assembled, (1, C, H, W) as
        :func:`batched` makes it: the network (timed), then the output as an image."""
        charged = getattr(self.net, "take_charged", None)
        if charged is not None:
            charged()
        lap = Lap(x.device)
        y = self.run_network(x, frame, history).float()
        self.last_ms = lap.end().ms() + (charged() if charged else 0.0)
        key = ("output", y.data_ptr(), tuple(y.shape), tuple(y.stride()), id(x))
        out = self._shared(key, lambda: self.task.to_hdr(self.task.finish(y, x)[0], frame), (y, x))
        self._previous = out
        return out

    def _assemble(
        self, frame: Frame, history: History, previous: torch.Tensor | None
    ) -> torch.Tensor:
        return batched(self.task.assemble(frame, history, previous))

    def _shared(self, key: tuple, compute: Callable[[], Any], keep: Any) -> Any:
        return compute() if self.share is None else self.share.get(key, compute, keep)

    def run_network(self, x: torch.Tensor, frame: Frame, history: History) -> torch.Tensor:
        """(1, C, H, W) input -> (1, 3, H, W) output; subclasses put a cache here."""
        x = as_input(x, self.net)
        if not (self.cuda_graphs and x.is_cuda):
            return self.net(x)
        if self._graph is None or self._graph.input.shape != x.shape:
            self._graph = None
            self._graph = captured(self.net, x)
        return self._graph(x).clone()
