"""Timing: the benchmarks' medians, and the stopwatch the evaluation times networks with."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import torch


def median_ms(fn: Callable[[], object], repeats: int, warmup: int = 1) -> float:
    """Median wall time of ``fn`` in milliseconds over ``repeats`` calls, after ``warmup``
    untimed ones (allocations and kernel selection)."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e3


def paired_median_ms(
    first: Callable[[], object],
    second: Callable[[], object],
    repeats: int,
    warmup: int = 1,
) -> tuple[float, float]:
    """Median wall times (ms) of ``first`` and ``second``, called in turn ``repeats`` times
    each: a ratio of the two then sees the same machine (this shared machine's speed drifts
    by up to 30% within a minute, which timing one after the other puts into the ratio)."""
    for _ in range(warmup):
        first()
        second()
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeats):
        for fn, into in ((first, times[0]), (second, times[1])):
            start = time.perf_counter()
            fn()
            into.append(time.perf_counter() - start)
    return statistics.median(times[0]) * 1e3, statistics.median(times[1]) * 1e3


class Stopwatch:
    """Milliseconds of the work between ``start()`` and ``stop()``, on ``device``.

    On the CPU the wall time. On CUDA, where a call only queues kernels, a pair of CUDA
    events recorded on the current stream: ``stop()`` waits for the end event (so the time
    is that of the kernels queued in between, on the GPU's clock), which costs a
    synchronisation per measurement and nothing else.
    """

    def __init__(self, device: torch.device | str = "cpu") -> None:
        self.cuda = torch.device(device).type == "cuda"
        self._events = None
        if self.cuda:
            self._events = (
                torch.cuda.Event(enable_timing=True),
                torch.cuda.Event(enable_timing=True),
            )
        self._start = 0.0

    def start(self) -> None:
        if self._events is not None:
            self._events[0].record()
        else:
            self._start = time.perf_counter()

    def stop(self) -> float:
        """Milliseconds since ``start()``."""
        if self._events is None:
            return (time.perf_counter() - self._start) * 1e3
        begin, end = self._events
        end.record()
        end.synchronize()
        return float(begin.elapsed_time(end))


class Lap:
    """One measurement read later: on CUDA a pair of events, not waited for when it ends
    (``ms()`` waits, by then usually for nothing), so timing a stage inside a timed call
    adds no synchronisation to it; on the CPU the wall time."""

    def __init__(self, device: torch.device | str = "cpu") -> None:
        self._events = None
        if torch.device(device).type == "cuda":
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
