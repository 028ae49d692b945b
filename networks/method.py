"""A trained network as an evaluation method: assemble the task's inputs, run, convert."""

from __future__ import annotations

import time

import torch
from torch import nn

from networks.tasks import History, Task
from renderer.frame import Frame


class NetworkMethod:
    """Runs ``net`` on each frame; keeps its previous output for tasks that read it.

    ``last_ms`` is the time of the network alone (with a cache: its decision included),
    without assembling inputs or converting the output: what a speedup compares.
    """

    def __init__(self, task: Task, net: nn.Module, name: str = "full") -> None:
        self.task = task
        self.net = net
        self.name = name
        self.last_refresh: bool | None = None
        self.last_ms: float | None = None
        self._previous: torch.Tensor | None = None

    def reset(self) -> None:
        self._previous = None

    @torch.inference_mode()
    def __call__(self, frame: Frame, history: History) -> torch.Tensor:
        x = self.task.assemble(frame, history, self._previous)
        x = x.unsqueeze(0).contiguous(memory_format=torch.channels_last)
        start = time.perf_counter()
        y = self.run_network(x, frame, history)
        self.last_ms = (time.perf_counter() - start) * 1e3
        y = self.task.finish(y, x)
        out = self.task.to_hdr(y[0], frame)
        self._previous = out
        return out

    def run_network(self, x: torch.Tensor, frame: Frame, history: History) -> torch.Tensor:
        """(1, C, H, W) input -> (1, 3, H, W) output; subclasses put a cache here."""
        return self.net(x)
