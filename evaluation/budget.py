"""Equal frame time: each method's whole pipeline (render, input, decision, network) held to
a frame budget, the time a cache saves spent on more samples per pixel.

A frame is rendered at 1 spp and its input assembled; a cached method decides refresh or
reuse on that input (``LayerCache.decide``). The :class:`SppPlanner` then knows what the
rest of the frame will cost (the network on a refresh, on a reuse, or the full network:
each measured on recent frames) and adds as many samples as fit before the budget ends
(``Renderer.add_samples``, then only the input's last step again: ``Task.complete``). The
decision is made on the 1-spp input, so later frames compare like with like.
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass

import numpy as np
import torch

from common.errors import UserError
from networks.method import batched
from networks.tasks import Task
from renderer.frame import Frame
from renderer.path import CameraPath
from renderer.player import PathPlayer
from renderer.renderer import View

MAX_SPP = 256
"""Most samples per pixel a frame budget may buy (the shading pass loops over them)."""


def check_max_spp(max_spp: int) -> None:
    """Raises a UserError for a ``--max-spp`` outside 1..:data:`MAX_SPP`."""
    if not 1 <= max_spp <= MAX_SPP:
        raise UserError(f"--max-spp {max_spp}: must be within 1..{MAX_SPP}")


WITHIN = 0.05
"""A frame is on budget when its time is within this share of the budget."""
SMOOTHING = 0.3
"""Weight of the newest frame in the running cost of each kind of frame."""
FIT_WINDOW = 32
"""Top-ups the cost of a sample is fitted on."""


def cost_line(points) -> tuple[float, float]:
    """(fixed ms, ms per sample) of a cost linear in samples, fitted to (samples, ms)
    points of at least two sample counts; the slope kept positive (noise can tilt it)."""
    samples = np.array([n for n, _ in points], dtype=float)
    times = np.array([t for _, t in points], dtype=float)
    slope, fixed = np.polyfit(samples, times, 1)
    return float(fixed), max(float(slope), 1e-3)


class SppPlanner:
    """Chooses each frame's samples per pixel so that the frame ends at ``budget_ms``.

    What is left of the budget at the decision is spent on samples, after the measured
    cost of the rest of the frame: the network for that kind of frame (``refresh``,
    ``reuse``, ``full``: a running mean of recent frames) and a top-up's fixed cost and
    cost per sample (a line fitted to recent top-ups). Nothing is assumed: until a kind is
    measured, it is costed as the dearest kind measured.
    """

    def __init__(self, budget_ms: float, max_spp: int) -> None:
        if budget_ms <= 0:
            raise ValueError(f"the frame budget must be positive, got {budget_ms} ms")
        if max_spp < 1:
            raise ValueError(f"max spp must be at least 1, got {max_spp}")
        self.budget_ms = float(budget_ms)
        self.max_spp = int(max_spp)
        self.after: dict[str, float] = {}
        """Running ms from the decision's end to the frame's end, by kind, top-up aside."""
        self._topups: deque[tuple[int, float]] = deque(maxlen=FIT_WINDOW)

    def _line(self) -> tuple[float, float] | None:
        """(fixed ms, ms per sample) of a top-up, fitted to recent ones (None: none yet)."""
        if not self._topups:
            return None
        if len({c for c, _ in self._topups}) < 2:
            counts, times = zip(*self._topups, strict=True)
            return 0.0, sum(times) / sum(counts)
        fixed, per_sample = cost_line(self._topups)
        return max(fixed, 0.0), per_sample

    def topup_ms(self, samples: int) -> float | None:
        """Predicted ms of adding ``samples`` (None before any top-up was measured)."""
        if samples <= 0:
            return 0.0
        line = self._line()
        return None if line is None else line[0] + line[1] * samples

    def plan(self, elapsed_ms: float, kind: str) -> int:
        """The frame's spp, ``elapsed_ms`` into it with the decision made (``kind``)."""
        rest = self.after.get(kind, max(self.after.values(), default=None))
        line = self._line()
        if rest is None or line is None:
            return 1
        fixed, per_sample = line
        left = self.budget_ms - elapsed_ms - rest - fixed
        # A fit's rounding must not drop a sample that fits exactly.
        extra = int(np.floor(left / per_sample + 1e-6)) if left > 0 else 0
        return 1 + min(max(extra, 0), self.max_spp - 1)

    def observe(self, kind: str, after_ms: float, added: int = 0, topup_ms: float = 0.0) -> None:
        """A frame's measured costs: the network part (``after_ms``) and any top-up."""
        old = self.after.get(kind)
        self.after[kind] = after_ms if old is None else old + SMOOTHING * (after_ms - old)
        self.observe_topup(added, topup_ms)

    def observe_topup(self, added: int, ms: float) -> None:
        """A top-up's measured cost: ``added`` samples in ``ms`` (none: nothing learnt)."""
        if added > 0:
            self._topups.append((added, ms))


@dataclass
class BudgetFrame:
    """What one budgeted frame was and cost."""

    output: torch.Tensor
    frame: Frame
    spp: int
    ms: float
    """The whole pipeline's wall-clock time: render, input, decision, top-up, network."""
    refresh: bool | None


class BudgetedRun:
    """One method's pipeline over a path, frame by frame, each frame rendered for it (at
    the spp its ``planner`` gives; none: 1 spp, the budget's measure)."""

    def __init__(
        self,
        task: Task,
        method,
        player: PathPlayer,
        path: CameraPath,
        planner: SppPlanner | None,
        seed: int = 0,
        device: torch.device | str = "cpu",
    ) -> None:
        if not task.reads_spp:
            raise ValueError(f"{task.name} does not read the noisy image: spp cannot help it")
        self.task, self.method, self.player, self.path = task, method, player, path
        self.planner, self.seed, self.device = planner, seed, torch.device(device)
        self.name = method.name
        self.history: deque[Frame] = deque(maxlen=max(task.history, 1))

    def reset(self) -> None:
        self.history.clear()
        self.method.reset()

    def _sync(self) -> None:
        if self.device.type == "cuda":
            torch.cuda.synchronize(self.device)

    @torch.inference_mode()
    def step(self, i: int, plan: bool = True) -> BudgetFrame:
        """Frame ``i``; ``plan=False``: at 1 spp, its costs still taught to the planner."""
        start = time.perf_counter()
        frame = self.player.render(self.path, i, self.device, reference=False)
        past = list(self.history)[-self.task.history :]
        prepared = self.task.prepare(frame, past, self.method.previous_output)
        x, refresh = None, None
        if hasattr(self.method, "decide"):  # a cache decides on the 1-spp input
            x = batched(self.task.complete(prepared, frame))
            refresh = self.method.decide(x, frame)
        kind = "full" if refresh is None else "refresh" if refresh else "reuse"
        self._sync()
        decided = time.perf_counter()
        spp = 1
        if self.planner is not None and plan:
            spp = self.planner.plan((decided - start) * 1e3, kind)
        if spp > 1:
            f = self.path.frames[i]
            view = View(f.camera, f.time)
            frame = self.player.renderer.add_samples(
                frame, view, spp - 1, seed=self.seed, device=self.device
            )
        if spp > 1 or x is None:
            x = batched(self.task.complete(prepared, frame))
        self._sync()
        topped = time.perf_counter()
        out = self.method.run_input(x, frame, past)
        self._sync()
        end = time.perf_counter()
        if self.planner is not None:
            self.planner.observe(kind, (end - topped) * 1e3, spp - 1, (topped - decided) * 1e3)
        self.history.append(frame)
        return BudgetFrame(out, frame, spp, (end - start) * 1e3, refresh)

    def warm_up(self, i: int = 0) -> None:
        """Run frame ``i`` untimed and forget it (first calls pay for allocations), then
        measure two top-ups (after an untimed one), so the first planned frame knows a
        sample's cost."""
        planner, self.planner = self.planner, None
        self.step(i)
        if planner is not None and planner.max_spp > 1:
            frame = self.history[-1]
            f = self.path.frames[i]
            for k, added in enumerate((1, 1, planner.max_spp - 1)):
                start = time.perf_counter()
                topped = self.player.renderer.add_samples(
                    frame, View(f.camera, f.time), added, seed=self.seed, device=self.device
                )
                self.task.complete(self.task.prepare(topped, []), topped)
                self._sync()
                if k:
                    planner.observe_topup(added, (time.perf_counter() - start) * 1e3)
        self.planner = planner
        self.reset()


def on_budget(times_ms: list[float], budget_ms: float | list[float]) -> tuple[float, float]:
    """(share of frames within :data:`WITHIN` of the budget, share over it by more); the
    budget one for all frames or each frame's."""
    if not times_ms:
        return 0.0, 0.0
    budgets = [budget_ms] * len(times_ms) if isinstance(budget_ms, (int, float)) else budget_ms
    pairs = list(zip(times_ms, budgets, strict=True))
    within = sum(abs(t - b) <= WITHIN * b for t, b in pairs)
    over = sum(t > (1 + WITHIN) * b for t, b in pairs)
    return within / len(pairs), over / len(pairs)
