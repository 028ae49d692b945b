"""One unit of ``reframe-rt eval``: a scene and a path (or a directory of frames), played
once for its tasks, every method of each task on every frame.

A unit holds everything it needs as plain data (the presets and ``+online`` budget the
driver read from its calibration files among them), so that it runs the same in this
process or on a cluster's worker. Each task's :class:`RunLog` is a part of its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

import torch
from tqdm import tqdm

from common.device import resolve_device
from common.errors import UserError
from evaluation.budget_play import play_budget
from evaluation.feed import FrameFeed
from evaluation.methods import methods_for
from evaluation.playback import Playback, frames_playback, open_frames, scene_playback
from evaluation.runlog import RunLog
from evaluation.runner import TaskRun
from evaluation.runner import play as play_path
from evaluation.units import NOT_STORED, describe, file_slug
from evaluation.user_network import UserNetwork
from networks.tasks import TASKS, Task
from renderer.lights import ShadowQuality
from renderer.player import RenderSettings


@dataclass(frozen=True)
class FramesSource:
    """``--frames-dir`` and its options, as text."""

    directory: str
    channel_map: str | None = None
    low_dir: str | None = None

    def open(self, tasks: list[Task], device: torch.device):
        low = Path(self.low_dir) if self.low_dir else None
        return open_frames(Path(self.directory), self.channel_map, low, tasks, device)


@dataclass(frozen=True)
class EvalUnit:
    """The tasks of one scene and path, in one rendering pass."""

    scene: str
    """A built-in scene or a mesh file (unused with ``frames``)."""
    path: str
    tasks: tuple[str, ...]
    policies: tuple[str, ...]
    resolution: tuple[int, int]
    frames: int | None
    presets: dict[str, dict[str, float]]
    """Per task, the named taus in force (``presets_for``)."""
    budgets: dict[str, float]
    """Per task, ``+online``'s FLIP budget."""
    seed: int = 0
    arch: str = "unet"
    cut: int = 1
    network: UserNetwork | None = None
    device: str = "cpu"
    precision: str = "fp32"
    cuda_graphs: bool = False
    source: FramesSource | None = None
    """Frames from a directory instead of rendering ``scene``."""
    equal_time: bool = False
    """Hold every method to a frame budget, spending what caching saves on spp
    (``evaluation.budget_play``)."""
    frame_budget_ms: float | None = None
    """The budget with ``equal_time`` (None: the full network's 1-spp pipeline, measured)."""
    max_spp: int = 16
    threads: int = 1
    """Torch's threads where it runs (times are comparable at the same count)."""
    inputs: dict = field(default_factory=dict)
    """What the result depends on beyond these settings (``evaluation.fingerprint``)."""
    cache_dir: str | None = field(default=None, metadata=NOT_STORED)
    quiet: bool = field(default=True, compare=False, metadata=NOT_STORED)

    def key(self, task: str) -> str:
        where = "frames" if self.source else f"{file_slug(self.scene)}.{file_slug(self.path)}"
        return f"{where}.{task}"

    def parts(self) -> dict[str, dict]:
        common = describe(self)
        weights = self.inputs.get("weights", {})
        return {
            self.key(t): {
                **common,
                "tasks": [t],
                "presets": self.presets[t],
                "budgets": self.budgets[t],
                "inputs": {**self.inputs, "weights": weights.get(t, weights)},
            }
            for t in self.tasks
        }

    def label(self) -> str:
        where = f"frames {self.source.directory}" if self.source else f"scene {self.scene}"
        what = "task" if len(self.tasks) == 1 else "tasks"
        return f"{where}, path {self.path}, {what} {', '.join(self.tasks)}"

    def narrowed(self, keys) -> EvalUnit:
        return replace(self, tasks=tuple(t for t in self.tasks if self.key(t) in keys))

    def split(self) -> list[EvalUnit]:
        return [replace(self, tasks=(t,)) for t in self.tasks]

    def playback(self, tasks: list[Task], device: torch.device):
        """(What it plays, the directory's frames or None); raises a UserError for what
        cannot be played."""
        if self.source is not None:
            frames = self.source.open(tasks, device)
            return frames_playback(frames, self.frames), frames
        return scene_playback(self.scene, self.path, self.resolution, self.frames), None

    def run(self) -> dict[str, dict]:
        """Each task's log as JSON data; an error carries the frames done before it
        (``partial_results``)."""
        device = resolve_device(self.device)
        tasks = [TASKS[name] for name in self.tasks]
        play, frames = self.playback(tasks, device)
        if self.equal_time:
            return {self.key(t.name): self._budgeted(t, play, device).record() for t in tasks}
        methods = {t.name: self._methods(t, play.size, device) for t in tasks}
        logs = {t.name: self._log(t, play, frames, methods[t.name]) for t in tasks}
        runs = [TaskRun(t, methods[t.name]) for t in tasks]
        if frames is None:
            settings = RenderSettings(size=play.size, seed=self.seed, quality=ShadowQuality())
            low_res = any(t.needs_low_res for t in tasks)
            feed = FrameFeed(play.scene, play.path, settings, low_res, self._cache(), device=device)
        else:
            feed = frames
        scored = frames is None or frames.has_reference
        try:
            # One rendering pass: every frame (and its reference) is made once for all tasks.
            with tqdm(
                total=play.count, desc="eval " + ", ".join(self.tasks), unit="frame",
                disable=self.quiet,
            ) as bar:  # fmt: skip
                for name, result in play_path(feed, runs, play.count, against_reference=scored):
                    logs[name].add(result)
                    bar.update(result.index + 1 - bar.n)
                bar.update(play.count - bar.n)
        except BaseException as error:
            error.partial_results = {
                self.key(n): log.record() for n, log in logs.items() if log.rows
            }
            raise
        finally:
            feed.close()
        return {self.key(n): log.record() for n, log in logs.items()}

    def _budgeted(self, task: Task, play: Playback, device: torch.device) -> RunLog:
        methods = self._methods(task, play.size, device, shared=False)
        return play_budget(
            self._log(task, play, None, methods), play.scene, play.path, play.count, task,
            methods, self.frame_budget_ms, self.max_spp, self.seed, self._cache(), device,
            self.quiet,
        )  # fmt: skip

    def _cache(self) -> Path | None:
        return Path(self.cache_dir) if self.cache_dir else None

    def _methods(
        self, task: Task, size: tuple[int, int], device: torch.device, shared: bool = True
    ):
        return methods_for(
            task, self.policies, self.arch, self.cut, self.network, size, device,
            self.precision, self.cuda_graphs, self.presets[task.name], self.budgets[task.name],
            shared,
        )  # fmt: skip

    def _log(self, task: Task, play: Playback, frames, methods) -> RunLog:
        nets = [m.net for m in methods if hasattr(m, "net")]
        cut = 1 if self.network is not None else self.cut
        return RunLog(
            task=task.name,
            scene=play.scene_name,
            path=play.path_name,
            resolution=play.size,
            arch=(self.network.name if self.network else self.arch) if nets else None,
            deep_share=deep_share(nets[0], play.size, cut) if nets else None,
            cuts=[i for i, f in enumerate(play.path.frames[: play.count]) if f.cut],
            reference=frames is None or frames.has_reference,
        )


def deep_share(net, size: tuple[int, int], cut: int) -> float:
    """Share of ``net``'s FLOPs in its deep stage at ``size`` (width, height).

    Raises:
        UserError: ``net`` cannot be cut at ``cut``.
    """
    try:
        flops = net.stage_flops(size[1], size[0], cut)
    except ValueError as error:
        raise UserError(f"--cut {cut}: {error}") from None
    return flops["deep"] / sum(flops.values())
