"""The networks of the viewer, run the way ``reframe-rt eval`` runs them: the same methods
(``evaluation.methods.methods_for``: the baseline, ``full`` and the cached network), called
in the same order on the same frames and history, timed by the same ``last_ms``, with one
untimed warm-up. That is what makes the live speedup agree with eval's.

No threads and no GL here: ``worker.py`` runs this in a thread, tests run it directly.
"""

from __future__ import annotations

import hashlib
import time
import traceback
from collections import deque
from dataclasses import dataclass, field

import numpy as np
import torch

from common.colormap import magma
from common.metrics.flip import flip
from common.tonemap import tonemap
from evaluation.methods import methods_for
from evaluation.runner import run_methods, warm_up
from evaluation.user_network import UserNetwork
from networks.tasks import TASKS
from renderer.errors import UserError
from renderer.frame import Frame


@dataclass(frozen=True)
class NetConfig:
    """Which networks run; a change builds them anew."""

    task: str
    arch: str
    policy: str
    """Policy spec of the cached network; ``full`` when caching is off."""
    cut: int = 1
    network: UserNetwork | None = None
    """The user's own network in place of ``arch``."""
    device: str = "cpu"
    precision: str = "fp32"
    cuda_graphs: bool = False


@dataclass
class Job:
    frame: Frame
    config: NetConfig
    generation: int
    """A change restarts the networks (cache and history dropped)."""
    tag: int | None = None
    """The path frame index when playing a path (the result then carries a hash)."""
    heatmap: bool = False
    """Also compute FLIP of the cached output against the full one."""
    rendered_at: float = field(default_factory=time.perf_counter)


@dataclass
class Result:
    job: Job
    outputs: dict[str, torch.Tensor] = field(default_factory=dict)
    """``baseline``, ``full`` and (with caching) the policy spec's output, linear HDR."""
    ms: dict[str, float] = field(default_factory=dict)
    refresh: bool | None = None
    tau: float | None = None
    """The cached policy's tau after this frame (None for ``every-N``; ``+online`` moves it)."""
    depth: int | None = None
    """The level the cached policy's reuse recomputed down to (None on a refresh)."""
    history: list[Frame] = field(default_factory=list)
    applies: bool = True
    """The task applies to this frame (extrapolation has no past on a first frame)."""
    fresh: bool = False
    """The networks started afresh on this frame."""
    flip_map: torch.Tensor | None = None
    """(3, H, W) magma heatmap of cached against full, sRGB in [0, 1]."""
    flip_mean: float | None = None
    digest: str | None = None
    """SHA-1 of the cached output's float32 bytes (path playback only)."""
    worker_ms: float = 0.0
    input_ms: float = 0.0
    """The frame's input assembly (done once for all its methods)."""
    error: str | None = None

    @property
    def cached_name(self) -> str:
        return self.job.config.policy

    @property
    def cached(self) -> torch.Tensor | None:
        return self.outputs.get(self.cached_name)

    @property
    def full_ms(self) -> float | None:
        return self.ms.get("full")

    @property
    def cached_ms(self) -> float | None:
        return self.ms.get(self.cached_name)


class NetworkRunner:
    """Keeps the methods and the history between frames; ``run(job)`` does one frame."""

    def __init__(self) -> None:
        self.config: NetConfig | None = None
        self.generation: int | None = None
        self.methods: list = []
        self.history: deque[Frame] = deque(maxlen=2)
        self._warm_size: tuple[int, int] | None = None

    def run(self, job: Job) -> Result:
        start = time.perf_counter()
        try:
            result = self._run(job)
        except UserError as error:
            self.config = None  # try again when the settings change
            result = Result(job, error=str(error))
        except Exception as error:  # the UI must survive a failing frame, and say why
            traceback.print_exc()
            self.config = None
            result = Result(job, error=f"{type(error).__name__}: {error}")
        result.worker_ms = (time.perf_counter() - start) * 1e3
        return result

    def _run(self, job: Job) -> Result:
        cfg, frame = job.config, job.frame.to(job.config.device)
        task = TASKS[cfg.task]
        if cfg != self.config:
            policies = ("full",) if cfg.policy == "full" else ("full", cfg.policy)
            self.methods = methods_for(
                task, policies, cfg.arch, cfg.cut, cfg.network, frame.size, cfg.device,
                cfg.precision, cfg.cuda_graphs,
            )  # fmt: skip
            self.config, self.generation, self._warm_size = cfg, None, None
        fresh = job.generation != self.generation
        if fresh:
            self.generation = job.generation
            self.history = deque(maxlen=max(task.history, 1))
            if self._warm_size != frame.size:
                warm_up(self.methods, frame)  # as eval does
                self._warm_size = frame.size
            for m in self.methods:
                m.reset()
        past = list(self.history)[-task.history :] if task.history else []
        result = Result(job, history=past, applies=task.applies(frame, past), fresh=fresh)
        result.outputs, result.ms, refresh, tau = run_methods(self.methods, frame, past)
        result.refresh, result.tau = refresh.get(cfg.policy), tau.get(cfg.policy)
        result.input_ms = max((getattr(m, "last_input_ms", 0.0) for m in self.methods), default=0.0)
        cached = next((m for m in self.methods if m.name == cfg.policy), None)
        result.depth = getattr(cached, "last_depth", None)
        self.history.append(frame)
        if job.heatmap:
            result.flip_map, result.flip_mean = heatmap(result.cached, result.outputs["full"])
        if job.tag is not None:
            result.digest = digest(result.cached)
        return result


@torch.inference_mode()
def heatmap(test: torch.Tensor, reference: torch.Tensor) -> tuple[torch.Tensor, float]:
    """FLIP of two linear HDR images, tone-mapped as every metric is: (magma map, mean)."""
    error, mean = flip(tonemap(test), tonemap(reference))
    return magma(error), float(mean)


def digest(image: torch.Tensor) -> str:
    return hashlib.sha1(np.ascontiguousarray(image.float().cpu().numpy()).tobytes()).hexdigest()
