"""Timing shared by the benchmarks."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


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
