"""One step of the frame pipeline per UI frame, never waiting: take the network's result if
it is ready; if the worker is idle, render the next frame (the fly camera's pose now, or
the next frame of the path being played) and hand it over."""

from __future__ import annotations

import time

from networks.tasks import TASKS
from viewer.app.budget import FrameBudget
from viewer.app.inference import Job, NetConfig, Result
from viewer.app.source import FrameSource
from viewer.app.state import AppState
from viewer.app.worker import NetworkWorker


class Pipeline:
    def __init__(self, source: FrameSource, worker: NetworkWorker) -> None:
        self.source = source
        self.worker = worker
        self.latest: Result | None = None
        """The result on screen."""
        self.results = 0
        """Results received so far (whatever the networks): what --frames and script waits count."""
        self._config: NetConfig | None = None
        self._pending: Job | None = None
        self._failed: NetConfig | None = None
        self.budget = FrameBudget()

    @property
    def stuck(self) -> bool:
        """The networks asked for cannot run, and only a change of settings would help."""
        return self._failed is not None and self._failed == self._config

    def config(self, state: AppState) -> NetConfig:
        return NetConfig(
            task=state.network.task,
            arch=state.network.arch,
            policy=state.policy_spec(),
            cut=state.cache.cut,
            network=state.network.user,
            device=state.network.device,
            precision=state.network.precision,
            cuda_graphs=state.network.cuda_graphs,
        )

    def step(self, state: AppState, camera_moved: bool) -> None:
        self._collect(state)
        if self.latest is not None:
            state.stats.output_age_ms = (time.perf_counter() - self.latest.job.rendered_at) * 1e3
        if self._pending is not None or not self.worker.idle:
            state.stats.network_busy = True
            state.stats.camera_frames_dropped += camera_moved and state.playback.path is None
            return
        state.stats.network_busy = False
        config = self.config(state)
        if config == self._failed:
            return  # these networks cannot run (the error is on screen): wait for a change
        if config != self._config:
            # New networks: their speedup starts from zero, as a new eval run's does.
            self._config = config
            state.stats.reset_totals()
        frame, tag = self._next_frame(state)
        if frame is None:
            return
        self._pending = Job(frame, config, state.generation, tag, "heatmap" in _views(state))

    def hand_over(self) -> None:
        """Give the worker the frame rendered this UI frame. Called once the UI frame is
        drawn: the network then starts while the UI thread sleeps, instead of sharing the
        cores with the rest of the UI frame (which would slow the full network, run first,
        more than the cached one, and skew the measured speedup)."""
        if self._pending is not None:
            self.worker.submit(self._pending)
            self._pending = None

    def _collect(self, state: AppState) -> None:
        result = self.worker.take()
        if result is None:
            return
        if result.error:
            state.stats.error = result.error
            self._failed = result.job.config
            return
        state.stats.error = None
        self._failed = None
        if result.job.generation != state.generation:
            return  # rendered before the settings changed: its output is stale
        if result.fresh:
            state.stats.reset_totals()
            size = list(result.cached.shape[-1:-3:-1]) if result.cached is not None else None
            state.stats.starts.append(
                {"generation": result.job.generation, "refresh": result.refresh, "size": size}
            )
        self.latest = result
        self.results += 1
        ms = result.ms
        full, cached = ms.get("full"), result.cached_ms
        if full is not None:
            state.stats.record("net full", full)
        if cached is not None and result.cached_name != "full":
            state.stats.record("net cached", cached)
        state.stats.record("worker", result.worker_ms)
        if result.cached is not None:
            state.stats.output_size = [int(result.cached.shape[-1]), int(result.cached.shape[-2])]
        if result.applies and cached is not None:
            state.stats.add_network(full, cached, result.refresh, result.depth)
            state.stats.tau = result.tau
        if result.flip_mean is not None:
            state.stats.flip_mean = result.flip_mean
        self._budget(state, result)
        p = state.playback
        if result.job.tag is not None and result.digest is not None:
            p.hashes.append((p.passes, result.job.tag, result.digest, result.refresh))

    def _budget(self, state: AppState, result: Result) -> None:
        """The shown frame's spp and margin, and the next frame's spp."""
        s, budget = state.stats, state.scene.frame_budget_ms
        s.spp = result.job.frame.spp
        cached = result.cached_ms
        if result.fresh:
            self.budget.reset()  # another scene, size or network: other costs
        if budget <= 0 or cached is None or not TASKS[state.network.task].reads_spp:
            s.next_spp, s.budget_margin_ms = 1, None
            self.budget.reset()
            return
        render = s.budget_render_ms
        rest = result.input_ms + cached
        s.budget_margin_ms = budget - (render + rest)
        self.budget.observe(s.spp, render, rest)
        s.next_spp = self.budget.next_spp(budget, state.scene.max_spp, s.spp)

    def _next_frame(self, state: AppState):
        p = state.playback
        if p.path is None:
            return self.source.next_live(state), None
        if p.seek is not None:
            # A jump: the networks start afresh there; paused, the frame is still shown.
            p.index, p.seek = p.seek, None
            p.step = max(p.step, 0 if p.playing else 1)
            state.invalidate()
        stale = self._stale(state)
        if p.index >= len(p.path):
            if not (p.playing and p.loop):
                p.playing = False
                return (self._rerun(state) if stale else None), None
            p.index = 0
            p.passes += 1
            state.invalidate()
        if not (p.playing or p.step > 0):
            # Paused: show the same frame again when the settings changed under it.
            return (self._rerun(state) if stale else None), None
        p.step = max(0, p.step - 1)
        index = p.index
        p.index += 1
        return self.source.render(state, p.path, index), index

    def _stale(self, state: AppState) -> bool:
        """The result on screen no longer answers the settings: other networks, a restart,
        or a view that needs what its frame was rendered or run without."""
        r = self.latest
        if r is None or r.job.generation != state.generation or r.job.config != self._config:
            return True
        views = _views(state)
        return ("reference" in views and r.job.frame.reference is None) or (
            "heatmap" in views and r.flip_map is None
        )

    def _rerun(self, state: AppState):
        p = state.playback
        index = max(0, min(p.index - 1, len(p.path) - 1))
        return self.source.render(state, p.path, index)


def _views(state: AppState) -> tuple[str, str]:
    return state.view.mode, state.view.split_mode if state.view.split else ""
