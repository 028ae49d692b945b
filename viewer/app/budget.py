"""The viewer's frame budget: the spp of the next frame chosen from what recent frames cost
(their render at the spp they had, their input and cached network), so that render, input
and the cached network fill the budget; what the cache saves buys samples.

The viewer renders a frame before the network says whether it refreshes, so the choice is
made from recent frames, not per frame as ``reframe-rt eval --frame-budget`` does it.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

import numpy as np

from evaluation.budget import cost_line

SMOOTHING = 0.3
"""Weight of the newest frame in the running cost of input and network."""


@dataclass
class FrameBudget:
    renders: deque = field(default_factory=lambda: deque(maxlen=32))
    """(spp, render ms) of recent frames: render time is a line in spp."""
    rest_ms: float | None = None
    """Running input and cached-network ms of recent frames."""

    def reset(self) -> None:
        self.renders.clear()
        self.rest_ms = None

    def observe(self, spp: int, render_ms: float, rest_ms: float) -> None:
        self.renders.append((spp, render_ms))
        old = self.rest_ms
        self.rest_ms = rest_ms if old is None else old + SMOOTHING * (rest_ms - old)

    def next_spp(self, budget_ms: float, max_spp: int, current: int) -> int:
        """The spp that fills ``budget_ms`` by recent costs (``current``'s neighbour while
        only one spp has been seen: a second point of the line)."""
        if self.rest_ms is None or not self.renders:
            return 1
        left = budget_ms - self.rest_ms
        if len({s for s, _ in self.renders}) < 2:
            fits = np.mean([t for _, t in self.renders]) < left
            return int(np.clip(current + (1 if fits else -1), 1, max_spp))
        fixed, slope = cost_line(self.renders)
        # A fit's rounding must not drop a sample that fits exactly.
        return int(np.clip(np.floor((left - fixed) / slope + 1e-6), 1, max_spp))
