"""The playback runner: a camera path played on a scene, every method run on the same
frames, timed the same way, scored the same way.

A *method* turns a frame (and the frames before it) into the task's output. The non-neural
baseline is one; the networks and the cached networks are more, with the same interface:
``name``, ``reset()``, ``__call__(frame, history) -> (3, H, W)``, ``last_refresh`` (``None``
for methods without a cache) and optionally ``last_ms``, the time of the part worth timing
(the network rather than its input assembly; otherwise the whole call is timed), and
``tau``, the refresh threshold in force (``+online`` moves it).
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import torch

from evaluation.metrics import Scores, compare
from evaluation.reference_cache import ReferenceCache
from networks.tasks import History, Task
from renderer.camera import halton_jitter
from renderer.context import GLContext
from renderer.frame import Frame
from renderer.path import CameraPath
from renderer.player import PathPlayer, RenderSettings
from renderer.scenes.scene import Scene


class Method(Protocol):
    name: str
    last_refresh: bool | None

    def reset(self) -> None: ...

    def __call__(self, frame: Frame, history: History) -> torch.Tensor: ...


@dataclass
class Baseline:
    """The task's non-neural answer, as a method."""

    task: Task
    name: str = "baseline"
    last_refresh: bool | None = None

    def reset(self) -> None:
        pass

    def __call__(self, frame: Frame, history: History) -> torch.Tensor:
        return self.task.baseline(frame, history)


@dataclass
class FrameResult:
    """One frame of a run: every method's output, time and scores."""

    index: int
    frame: Frame
    history: list[Frame]
    outputs: dict[str, torch.Tensor]
    ms: dict[str, float]
    refresh: dict[str, bool | None]
    vs_reference: dict[str, Scores]
    vs_full: dict[str, Scores] = field(default_factory=dict)
    flip_maps: dict[str, torch.Tensor] = field(default_factory=dict)
    """FLIP maps against the reference (1, H, W), when asked for."""
    tau: dict[str, float | None] = field(default_factory=dict)
    """Each method's refresh threshold after this frame (None without one)."""


def warm_up(methods: Sequence[Method], frame: Frame) -> None:
    """Run every method once and forget it: first calls pay for allocations and kernel
    selection, which would otherwise land on the first timed frame."""
    for m in methods:
        m(frame, [])
        m.reset()


def run_methods(
    methods: Sequence[Method], frame: Frame, history: History
) -> tuple[
    dict[str, torch.Tensor], dict[str, float], dict[str, bool | None], dict[str, float | None]
]:
    """Every method on one frame, in order: outputs (3, H, W), times in ms, refresh
    decisions and taus after the frame, by method name. Eval and the viewer both time frames
    through this."""
    outputs, ms, refresh, tau = {}, {}, {}, {}
    for m in methods:
        start = time.perf_counter()
        outputs[m.name] = m(frame, history)
        # Networks report their own time (the network, not its input assembly).
        ms[m.name] = getattr(m, "last_ms", None) or (time.perf_counter() - start) * 1e3
        refresh[m.name] = m.last_refresh
        tau[m.name] = getattr(m, "tau", None)
    return outputs, ms, refresh, tau


class Runner:
    """Plays ``path`` on ``scene`` for ``task`` with ``methods``.

    References come from ``cache`` when it has them and are rendered (and stored) otherwise.
    """

    def __init__(
        self,
        scene: Scene,
        path: CameraPath,
        task: Task,
        methods: Sequence[Method],
        settings: RenderSettings,
        cache_dir: Path | None = None,
        gl: GLContext | None = None,
    ) -> None:
        names = [m.name for m in methods]
        if len(set(names)) != len(names):
            raise ValueError(f"method names must be unique, got {names}")
        self.scene = scene
        self.path = path
        self.task = task
        self.methods = list(methods)
        self.settings = RenderSettings(
            size=settings.size,
            spp=settings.spp,
            seed=settings.seed,
            reference=True,
            low_res=task.needs_low_res,
            quality=settings.quality,
        )
        self.player = PathPlayer(scene, self.settings, gl)  # its own context unless given one
        width, height = settings.size
        self.caches = None
        if cache_dir is not None:
            self.caches = (
                ReferenceCache(cache_dir, scene, settings.size, settings.quality),
                ReferenceCache(cache_dir, scene, (width // 2, height // 2), settings.quality),
            )

    def run(
        self,
        count: int | None = None,
        flip_maps: bool = False,
        skip: set[int] | None = None,
        against_reference: bool = True,
    ) -> Iterator[FrameResult]:
        """Results of frames ``0 .. count - 1``, in order.

        Frames in ``skip``, and frames the task does not apply to (extrapolation at a cut),
        are still rendered and run (the methods' state needs them) but not scored, and
        yield nothing. ``against_reference=False`` scores against the full network only
        (``vs_reference`` stays empty), for sweeps that need nothing else.
        """
        stop = len(self.path) if count is None else min(count, len(self.path))
        history: deque[Frame] = deque(maxlen=max(self.task.history, 1))
        for m in self.methods:
            m.reset()
        for i in range(stop):
            frame = self._frame(i)
            past = list(history)[-self.task.history :] if self.task.history else []
            if i == 0:
                warm_up(self.methods, frame)
            outputs, ms, refresh, tau = run_methods(self.methods, frame, past)
            history.append(frame)
            if (skip and i in skip) or not self.task.applies(frame, past):
                continue
            yield self._score(
                i, frame, past, outputs, ms, refresh, tau, flip_maps, against_reference
            )

    def close(self) -> None:
        self.player.close()

    def _frame(self, i: int) -> Frame:
        if self.caches is None:
            return self.player.render(self.path, i)
        where = self.path.frames[i]
        jitters = [(0.0, 0.0), halton_jitter(i)][: 2 if self.settings.low_res else 1]
        cached = [c.get(where, j) for c, j in zip(self.caches, jitters, strict=False)]
        missing = [r is None for r in cached] + [False]
        frame = self.player.render(self.path, i, reference=missing[0], low_reference=missing[1])
        images = [frame, frame.low][: len(jitters)]
        for k, (image, cache, jitter) in enumerate(zip(images, self.caches, jitters, strict=False)):
            if missing[k]:
                # Contiguous, as a reference loaded from the cache is: both runs then give
                # bit-identical scores.
                image.reference = image.reference.contiguous()
                cache.put(where, image.reference, jitter)
            else:
                image.reference = cached[k]
        return frame

    def _score(
        self,
        i: int,
        frame: Frame,
        history: list[Frame],
        outputs: dict[str, torch.Tensor],
        ms: dict[str, float],
        refresh: dict[str, bool | None],
        tau: dict[str, float | None],
        flip_maps: bool,
        against_reference: bool = True,
    ) -> FrameResult:
        names = list(outputs)
        scores, maps = [], None
        if against_reference:
            stacked = torch.stack([outputs[n].float() for n in names])
            scores, maps = compare(stacked, self.task.target(frame), flip_maps)
        result = FrameResult(
            index=i,
            frame=frame,
            history=history,
            outputs=outputs,
            ms=ms,
            refresh=refresh,
            tau=tau,
            vs_reference=dict(zip(names, scores, strict=True)) if against_reference else {},
        )
        if maps is not None:
            result.flip_maps = {n: maps[k] for k, n in enumerate(names)}
        if "full" in outputs:
            others = [n for n in names if n not in ("full", "baseline")]
            if others:
                against, _ = compare(torch.stack([outputs[n] for n in others]), outputs["full"])
                result.vs_full = dict(zip(others, against, strict=True))
        return result
