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
from typing import Any, Protocol

import torch

from evaluation.feed import FrameFeed
from evaluation.metrics import Scores, compare
from evaluation.shared import new_frame
from networks.tasks import History, Task
from renderer.context import GLContext
from renderer.frame import Frame
from renderer.path import CameraPath
from renderer.player import RenderSettings
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
    spp: dict[str, int] = field(default_factory=dict)
    """Each method's samples per pixel where they differ from the frame's (a budget)."""
    depth: dict[str, int | None] = field(default_factory=dict)
    """The level each cached method's reuse recomputed down to (None: a refresh, or no
    cache)."""


def warm_up(methods: Sequence[Method], frame: Frame) -> None:
    """Run every method once and forget it: first calls pay for allocations and kernel
    selection, which would otherwise land on the first timed frame."""
    none: list[Frame] = []
    new_frame(methods)
    for m in methods:
        m(frame, none)
        m.reset()
    new_frame(methods)


def run_methods(
    methods: Sequence[Method], frame: Frame, history: History
) -> tuple[
    dict[str, torch.Tensor], dict[str, float], dict[str, bool | None], dict[str, float | None]
]:
    """Every method on one frame, in order: outputs (3, H, W), times in ms, refresh
    decisions and taus after the frame, by method name. Eval and the viewer both time frames
    through this."""
    outputs, ms, refresh, tau = {}, {}, {}, {}
    new_frame(methods)
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
        device: torch.device | str = "cpu",
        feed: Any | None = None,
    ) -> None:
        self.task = task
        self.run_of = TaskRun(task, methods)
        self.methods = self.run_of.methods
        # ``feed``: frames from elsewhere (``evaluation.frames_dir``) instead of rendering.
        self.feed = feed or FrameFeed(
            scene, path, settings, task.needs_low_res, cache_dir, gl, device
        )
        self.path = path

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
        for _, result in play(self.feed, [self.run_of], count, flip_maps, skip, against_reference):
            yield result

    def close(self) -> None:
        self.feed.close()


def play(
    feed: FrameFeed,
    runs: Sequence[TaskRun],
    count: int | None = None,
    flip_maps: bool = False,
    skip: set[int] | None = None,
    against_reference: bool = True,
) -> Iterator[tuple[str, FrameResult]]:
    """Frames ``0 .. count - 1`` of ``feed``'s path, each rendered once and given to every
    task's run in turn: (task name, result) for each scored one."""
    stop = len(feed.path) if count is None else min(count, len(feed.path))
    for run in runs:
        run.start()
    for i in range(stop):
        frame = feed.frame(i)
        for run in runs:
            result = run.step(i, frame, flip_maps, skip, against_reference)
            if result is not None:
                yield run.task.name, result


class TaskRun:
    """One task's methods over the frames of a path: its history, its warm-up, its scores."""

    def __init__(self, task: Task, methods: Sequence[Method]) -> None:
        names = [m.name for m in methods]
        if len(set(names)) != len(names):
            raise ValueError(f"method names must be unique, got {names}")
        self.task = task
        self.methods = list(methods)
        self.history: deque[Frame] = deque(maxlen=max(task.history, 1))

    def start(self) -> None:
        self.history = deque(maxlen=max(self.task.history, 1))
        for m in self.methods:
            m.reset()

    def step(
        self,
        i: int,
        frame: Frame,
        flip_maps: bool = False,
        skip: set[int] | None = None,
        against_reference: bool = True,
    ) -> FrameResult | None:
        """Frame ``i`` through every method; its result, or None where it is not scored."""
        past = list(self.history)[-self.task.history :] if self.task.history else []
        if not self.history and i == 0:
            warm_up(self.methods, frame)
        outputs, ms, refresh, tau = run_methods(self.methods, frame, past)
        self.history.append(frame)
        if (skip and i in skip) or not self.task.applies(frame, past):
            return None
        result = self._score(
            i, frame, past, outputs, ms, refresh, tau, flip_maps, against_reference
        )
        result.depth = {m.name: getattr(m, "last_depth", None) for m in self.methods}
        return result

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
        result = FrameResult(
            index=i,
            frame=frame,
            history=history,
            outputs=outputs,
            ms=ms,
            refresh=refresh,
            tau=tau,
            vs_reference={},
        )
        if against_reference:
            scores, maps = _compare_once(outputs, names, self.task.target(frame), flip_maps)
            result.vs_reference = scores
            if maps is not None:
                result.flip_maps = maps
        if "full" in outputs:
            others = [n for n in names if n not in ("full", "baseline")]
            if others:
                result.vs_full, _ = _compare_once(outputs, others, outputs["full"])
        return result


def _compare_once(
    outputs: dict[str, torch.Tensor],
    names: list[str],
    target: torch.Tensor,
    flip_maps: bool = False,
) -> tuple[dict[str, Scores], dict[str, torch.Tensor] | None]:
    """Scores of ``names``' outputs against ``target``; methods that share one output
    (``evaluation.shared``) are scored once."""
    index: dict[int, int] = {}
    unique: list[torch.Tensor] = []
    for n in names:
        if id(outputs[n]) not in index:
            index[id(outputs[n])] = len(unique)
            unique.append(outputs[n])
    scores, maps = compare(torch.stack([u.float() for u in unique]), target, flip_maps)
    at = {n: index[id(outputs[n])] for n in names}
    return {n: scores[k] for n, k in at.items()}, (
        None if maps is None else {n: maps[k] for n, k in at.items()}
    )
