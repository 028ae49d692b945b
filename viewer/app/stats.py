"""Live statistics: rolling windows for the plots and totals since the networks last
started afresh (what the speedup is computed from, the way ``reframe-rt eval`` does)."""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass, field

import numpy as np

WINDOW_SECONDS = 10.0
"""How far back the plots look."""


def _ring() -> deque:
    return deque(maxlen=4096)


@dataclass
class LiveStats:
    ui_times: deque = field(default_factory=_ring)
    """(wall time, UI frame ms) per UI frame."""
    net_times: deque = field(default_factory=_ring)
    """(wall time, full ms, cached ms, refresh 1/0) per network frame."""
    stages: dict[str, float] = field(default_factory=dict)
    """Last time of each stage in ms: render, transfer, network stages, display, UI."""
    stage_history: dict[str, deque] = field(default_factory=dict)
    """Every stage's recent times (for the benchmark's medians)."""
    full_total: float = 0.0
    cached_total: float = 0.0
    frames: int = 0
    """Network frames since the networks started afresh (scored frames, as eval counts)."""
    refreshes: int = 0
    since_refresh: int = 0
    depths: dict[int, int] = field(default_factory=dict)
    """Reuse frames by the level they recomputed down to (a fixed cache: its cut)."""
    depth: int | None = None
    """The last network frame's (None: a refresh)."""
    flip_mean: float | None = None
    tau: float | None = None
    """The cached policy's tau after the last network frame (``+online`` moves it)."""
    output_age_ms: float = 0.0
    """How old the frame behind the shown output is."""
    camera_frames_dropped: int = 0
    """UI frames whose camera pose never reached the network (it was busy)."""
    output_size: list[int] | None = None
    """(width, height) of the output on screen."""
    starts: list[dict] = field(default_factory=list)
    """The first result each time the networks started afresh: generation, whether it
    refreshed, output size (a check that nothing stale survives a restart)."""
    network_busy: bool = False
    error: str | None = None
    spp: int = 1
    """Samples per pixel of the frame behind the shown output."""
    next_spp: int = 1
    """What the frame budget chose for the next frame (1 without one)."""
    budget_render_ms: float = 0.0
    """The last frame's render and readback without the reference: what a budget counts."""
    budget_margin_ms: float | None = None
    """The budget less the shown frame's render, input and cached network (None: no
    budget)."""

    def reset_totals(self) -> None:
        self.full_total = self.cached_total = 0.0
        self.frames = self.refreshes = self.since_refresh = 0
        self.depths, self.depth = {}, None

    def record(self, stage: str, ms: float) -> None:
        self.stages[stage] = ms
        self.stage_history.setdefault(stage, _ring()).append(ms)

    def stage_medians(self) -> dict[str, float]:
        return {k: float(np.median(v)) for k, v in self.stage_history.items() if v}

    def add_ui(self, ms: float) -> None:
        self.ui_times.append((time.perf_counter(), ms))

    def add_network(
        self,
        full_ms: float | None,
        cached_ms: float,
        refresh: bool | None,
        depth: int | None = None,
    ) -> None:
        self.depth = depth
        if depth is not None:
            self.depths[depth] = self.depths.get(depth, 0) + 1
        full = cached_ms if full_ms is None else full_ms
        self.net_times.append((time.perf_counter(), full, cached_ms, 1.0 if refresh else 0.0))
        self.full_total += full
        self.cached_total += cached_ms
        self.frames += 1
        self.refreshes += bool(refresh) or refresh is None
        self.since_refresh = 0 if refresh or refresh is None else self.since_refresh + 1

    @property
    def speedup(self) -> float | None:
        """Total full-network time over total cached time since the networks started."""
        return self.full_total / self.cached_total if self.frames and self.cached_total else None

    def live_speedup(self, seconds: float = 3.0) -> float | None:
        """The same over the last ``seconds``."""
        recent = self.recent(self.net_times, seconds)
        if len(recent) == 0:
            return None
        return float(recent[:, 1].sum() / max(recent[:, 2].sum(), 1e-9))

    @property
    def refresh_rate(self) -> float | None:
        return self.refreshes / self.frames if self.frames else None

    def network_fps(self, seconds: float = 3.0) -> float:
        return _rate(self.recent(self.net_times, seconds))

    def ui_fps(self, seconds: float = 1.0) -> float:
        return _rate(self.recent(self.ui_times, seconds))

    @staticmethod
    def recent(ring: deque, seconds: float = WINDOW_SECONDS) -> np.ndarray:
        """Rows of ``ring`` from the last ``seconds``, times made relative to now."""
        now = time.perf_counter()
        rows = [r for r in ring if now - r[0] <= seconds]
        if not rows:
            return np.zeros((0, len(ring[0]) if ring else 2))
        out = np.asarray(rows, dtype=np.float64)
        out[:, 0] -= now
        return out

    def report(self) -> dict:
        """What the headless mode prints: the numbers the panels show."""
        return {
            "speedup": self.speedup,
            "network_frames": self.frames,
            "refreshes": self.refreshes,
            "refresh_rate": self.refresh_rate,
            "frames_since_refresh": self.since_refresh,
            "reuse_depths": {str(k): v for k, v in sorted(self.depths.items())},
            "full_ms_total": self.full_total,
            "cached_ms_total": self.cached_total,
            "flip_mean": self.flip_mean,
            "tau": self.tau,
            "stages_ms": dict(self.stages),
            "stage_medians_ms": self.stage_medians(),
            "output_size": self.output_size,
            "starts": list(self.starts),
            "camera_frames_dropped": self.camera_frames_dropped,
            "error": self.error,
            "spp": self.spp,
            "budget_margin_ms": self.budget_margin_ms,
        }


def _rate(rows: np.ndarray) -> float:
    if len(rows) < 2:
        return 0.0
    span = rows[-1, 0] - rows[0, 0]
    return (len(rows) - 1) / span if span > 0 else 0.0
