"""Options several commands share, and parsing of the values tyro passes through as
strings."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import torch
import tyro

from common.device import Precision, precision_dtype, resolve_device
from common.metrics.ssim import RADIUS
from evaluation.frames_dir import FramesDir
from evaluation.playback import Playback, open_frames, scene_playback
from evaluation.playback import check_positive as check_positive  # the commands' checks
from evaluation.playback import frames_playback as frames_playback
from evaluation.reference_cache import default_cache_dir
from evaluation.units import ExecutorName, ExecutorSettings, UnitStore
from evaluation.user_network import UserNetwork
from networks.tasks import Task
from renderer.errors import UserError

MIN_SIDE, MAX_SIDE = 8, 8192
SSIM_SIDE = 2 * RADIUS + 1
"""The smallest side SSIM scores (its window)."""


def parse_resolution(text: str) -> tuple[int, int]:
    """``"640x360"`` -> (640, 360).

    Raises:
        UserError: not ``WxH`` with both sides within [8, 8192].
    """
    match = re.fullmatch(r"\s*(\d+)\s*[xX]\s*(\d+)\s*", text)
    if not match:
        raise UserError(f"bad resolution {text!r}: expected WIDTHxHEIGHT, e.g. 640x360")
    width, height = int(match.group(1)), int(match.group(2))
    if not (MIN_SIDE <= width <= MAX_SIDE and MIN_SIDE <= height <= MAX_SIDE):
        raise UserError(f"bad resolution {text!r}: each side must be within {MIN_SIDE}..{MAX_SIDE}")
    return width, height


def check_task_size(size: tuple[int, int], tasks: Iterable[Task], scored: bool = True) -> None:
    """Raises a UserError, before anything renders, for a size that ``tasks`` (or, when
    ``scored``, their metrics) cannot take."""
    text = f"{size[0]}x{size[1]}"
    for task in tasks:
        if task.needs_low_res and (size[0] % 2 or size[1] % 2):
            raise UserError(f"--resolution {text}: {task.name} needs an even resolution")
    if scored and min(size) < SSIM_SIDE:
        raise UserError(
            f"--resolution {text}: scoring frames needs both sides at least {SSIM_SIDE} "
            "(SSIM's window)"
        )


def prepare_out(out: Path) -> None:
    """Creates ``out`` before any work, so that a bad one fails at once."""
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise UserError(f"--out {out}: {error.strerror or error}") from None


@dataclass
class PlaybackOptions:
    """Which frames of which scene: the options of every command that plays a path."""

    scene: str = "temple"
    """Built-in scene (temple, garden, arena) or a .obj/.gltf/.glb file."""
    path: str = "default"
    """Camera path: 'default' (the scene's own), 'brief' (the scene's short tour where it has
    one: a still camera, a walk, a fast turn and a cut), a built-in path name, or a .json
    file."""
    resolution: str = "640x360"
    """Image size as WIDTHxHEIGHT."""
    seed: int = 0
    """Noise seed: the same seed renders the same noise."""
    quiet: bool = False
    """No progress bars."""


@dataclass
class NetworkOptions:
    """Your own network in place of ours (README, 'Your own network')."""

    network: Annotated[str | None, tyro.conf.arg(metavar="MODULE:FACTORY")] = None
    """A callable returning your nn.Module, e.g. mypkg.models:make_unet; it takes the
    task's input tensor (README lists each task's channels) and returns 3 channels."""
    weights: Annotated[Path | None, tyro.conf.arg(metavar="FILE")] = None
    """A .safetensors state dict for --network."""
    cache_at: Annotated[str | None, tyro.conf.arg(metavar="NAME[,NAME]")] = None
    """Module(s) of --network whose output is cached (default: found from the graph, below
    the first down-sampling that has a skip around it)."""
    deep_from: Annotated[str | None, tyro.conf.arg(metavar="NAME")] = None
    """First module of --network's deep part (instead of --cache-at)."""

    def user_network(self) -> UserNetwork | None:
        """What the options name; raises a UserError for options without --network."""
        if self.network is None:
            extra = [o for o in ("weights", "cache_at", "deep_from") if getattr(self, o)]
            if extra:
                flags = ", ".join("--" + o.replace("_", "-") for o in extra)
                raise UserError(f"{flags} need --network")
            return None
        names = tuple(n.strip() for n in (self.cache_at or "").split(",") if n.strip())
        if self.weights is not None and not self.weights.is_file():
            raise UserError(f"--weights {self.weights}: no such file")
        weights = None if self.weights is None else self.weights.resolve()
        return UserNetwork(self.network, weights, names, self.deep_from)


@dataclass(kw_only=True)  # keyword-only: a command's own required fields may follow
class DeviceOptions:
    """Where the networks run, and at which precision."""

    device: Annotated[str, tyro.conf.arg(metavar="auto|cpu|cuda[:N]")] = "auto"
    """Where the networks, the cache, input assembly and the metrics run: auto (CUDA when
    torch sees a GPU, else the CPU), cpu, cuda or cuda:N."""
    precision: Precision = "fp32"
    """Inference precision of the networks (channels-last); inputs are assembled, decisions
    made and images scored in float32 whatever it is."""
    cuda_graphs: bool = False
    """Replay the full network and each cache's refresh and reuse paths as captured CUDA
    graphs (CUDA only; one capture per resolution)."""

    def placement(self) -> tuple[torch.device, torch.dtype]:
        """The device and the networks' dtype; raises a UserError for a device that is not
        here."""
        device = resolve_device(self.device)
        return device, precision_dtype(self.precision, device)


@dataclass(kw_only=True)
class ExecutorOptions:
    """Where a sweep's units (a scene, a path, a task and its policies) run, and what is
    kept of them in --out."""

    executor: ExecutorName = "local"
    """local: the units one after another in this process; ray: one Ray task per unit, on
    a local Ray instance or the cluster at --ray-address (pip install 'reframe-rt[ray]')."""
    ray_address: Annotated[str | None, tyro.conf.arg(metavar="ADDR")] = None
    """The Ray cluster to run on ('auto': the one 'ray start' began on this machine;
    default: a local instance started for this run and stopped after it)."""
    ray_cpus: Annotated[int | None, tyro.conf.arg(metavar="N")] = None
    """CPUs of the local Ray instance (default: the machine's); with --unit-cpus 1, how
    many units run at once."""
    unit_cpus: float = 1.0
    """CPUs each unit asks Ray for: its torch and llvmpipe threads."""
    unit_gpus: Annotated[float | None, tyro.conf.arg(metavar="N")] = None
    """GPUs each unit asks Ray for (default: 1 when --device is CUDA, else 0)."""
    fresh: bool = False
    """Run every unit again. By default a unit already finished in --out with the same
    settings (an interrupted run's) is read back, not run again."""

    def executor_settings(self, device: torch.device) -> ExecutorSettings:
        """What the options name; raises a UserError for Ray options without Ray."""
        if self.executor == "local":
            given = [n for n in ("ray_address", "ray_cpus", "unit_gpus") if getattr(self, n)]
            given += ["unit_cpus"] if self.unit_cpus != 1.0 else []
            if given:
                flags = ", ".join("--" + n.replace("_", "-") for n in given)
                raise UserError(f"{flags} need --executor ray")
        check_positive("ray-cpus", self.ray_cpus)
        if self.unit_cpus <= 0 or (self.unit_gpus or 0) < 0:
            raise UserError("--unit-cpus must be positive and --unit-gpus not negative")
        gpus = self.unit_gpus if self.unit_gpus is not None else float(device.type == "cuda")
        return ExecutorSettings(
            self.executor, self.ray_address, self.unit_cpus, gpus, self.ray_cpus
        )

    def unit_device(self, device: torch.device) -> str:
        """The device a unit runs on: on Ray, a CUDA unit runs on the GPU Ray gives it."""
        if self.executor == "ray" and device.type == "cuda":
            return "cuda"
        return str(device)

    @staticmethod
    def where(spec: str | Path | None) -> str | None:
        """A file or directory named on the command line as a unit names it: absolute, so
        that a worker started elsewhere (a cluster's, with the same file system) finds it.
        A name given as text (``--scene``, ``--path``) is a file only with a suffix
        (``room.obj``, ``walk.json``); a built-in name stays as it is."""
        if spec is None:
            return None
        if isinstance(spec, str) and not Path(spec).suffix:
            return spec
        return str(Path(spec).resolve())

    def unit_store(self, directory: Path) -> UnitStore:
        """The store of finished units in ``directory``, emptied first with --fresh."""
        store = UnitStore(directory)
        if self.fresh:
            store.clear()
        return store


@dataclass(kw_only=True)
class FramesOptions:
    """Frames from another renderer instead of ours (README, "Your frames")."""

    frames_dir: Annotated[Path | None, tyro.conf.arg(metavar="DIR")] = None
    """Play these frames instead of rendering --scene / --path: one multi-layer EXR per
    frame, in natural name order, with their cameras and cuts in DIR/path.json if there."""
    channel_map: Annotated[str | None, tyro.conf.arg(metavar="ours=theirs,...|FILE.json")] = None
    """--frames-dir's layer names where they are not ours (color, reference, albedo,
    normal, depth, motion, prev_depth)."""
    low_dir: Annotated[Path | None, tyro.conf.arg(metavar="DIR")] = None
    """--frames-dir's half-resolution frames, for super-resolution (default: DIR/low)."""

    def frames_source(self, tasks: Iterable[Task], device) -> FramesDir | None:
        """The frames --frames-dir names for ``tasks`` (None without it); raises a UserError
        for unusable ones, or ones without the reference a task reads, before anything
        runs."""
        if self.frames_dir is None:
            for name in ("channel_map", "low_dir"):
                if getattr(self, name) is not None:
                    raise UserError(f"--{name.replace('_', '-')} needs --frames-dir")
            return None
        return open_frames(self.frames_dir, self.channel_map, self.low_dir, tasks, device)


@dataclass
class CacheOptions:
    """Where converged references are kept between runs."""

    cache: Annotated[Path | None, tyro.conf.arg(metavar="DIR")] = None
    """Directory of cached references (default: $REFRAME_RT_CACHE/references, else
    references in the user's cache directory: $XDG_CACHE_HOME/reframe-rt, else
    ~/.cache/reframe-rt on Linux)."""
    no_cache: bool = False
    """Render every reference, keep none."""

    def cache_dir(self) -> Path | None:
        return None if self.no_cache else (self.cache or default_cache_dir())


def resolve_playback(options: PlaybackOptions, frames: int | None, up: str = "auto") -> Playback:
    """Parse and load everything ``options`` name; raises a UserError before anything runs."""
    size = parse_resolution(options.resolution)
    return scene_playback(options.scene, options.path, size, frames, up)
