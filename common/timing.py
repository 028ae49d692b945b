"""Timing: the benchmarks' medians, and the lap the evaluation times networks with."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import torch


class Lap:
    """One measurement, from construction to :meth:`end`, read with :meth:`ms`.

    On the CPU the wall time. On CUDA, where a call only queues kernels, a pair of events
    on the current stream: the time of the kernels queued in between, on the GPU's clock.
    ``end()`` does not wait, so timing a stage inside a timed call adds no synchronisation
    to it; ``ms()`` waits for the end event (by then usually for nothing).
    """

    def __init__(self, device: torch.device | str = "cpu") -> None:
        self.cuda = torch.device(device).type == "cuda"
        self._events = None
        if self.cuda:
            self._events = (
                torch.cuda.Event(enable_timing=True),
                torch.cuda.Event(enable_timing=True),
            )
            self._events[0].record()
        self._start = time.perf_counter()
        self._ms: float | None = None

    def end(self) -> Lap:
        if self._events is not None:
            self._events[1].record()
        else:
            self._ms = (time.perf_counter() - self._start) * 1e3
        return self

    def ms(self) -> float:
        if self._ms is None and self._events is not None:
            self._events[1].synchronize()
            self._ms = float(self._events[0].elapsed_time(self._events[1]))
        return self._ms or 0.0


def timed_ms(fn: Callable[[], object], device: torch.device | str = "cpu") -> float:
    """Milliseconds of one call of ``fn`` on ``device`` (:class:`Lap`)."""
    lap = Lap(device)
    fn()
    return lap.end().ms()


def median_ms(
    fn: Callable[[], object],
    repeats: int,
    warmup: int = 1,
    device: torch.device | str = "cpu",
) -> float:
    """Median time of ``fn`` in milliseconds over ``repeats`` calls, after ``warmup``
    untimed ones (allocations and kernel selection); on CUDA the kernels' time."""
    for _ in range(warmup):
        fn()
    return statistics.median(timed_ms(fn, device) for _ in range(repeats))


def paired_median_ms(
    first: Callable[[], object],
    second: Callable[[], object],
    repeats: int,
    warmup: int = 1,
    device: torch.device | str = "cpu",
) -> tuple[float, float]:
    """Median times (ms) of ``first`` and ``second``, called in turn ``repeats`` times
    each: a ratio of the two then sees the same machine (this shared machine's speed drifts
    by up to 30% within a minute, which timing one after the other puts into the ratio)."""
    for _ in range(warmup):
        first()
        second()
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeats):
        times[0].append(timed_ms(first, device))
        times[1].append(timed_ms(second, device))
    return statistics.median(times[0]), statistics.median(times[1])
