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

from assets import builtin_path_file
from common.device import Precision, precision_dtype, resolve_device
from common.metrics.ssim import RADIUS
from evaluation.frames_dir import FramesDir, parse_channel_map
from evaluation.reference_cache import default_cache_dir
from evaluation.user_network import UserNetwork
from networks.tasks import Task
from renderer.errors import UserError
from renderer.path import CameraPath
from renderer.pathgen import resolve_path
from renderer.scenes import load_scene
from renderer.scenes.scene import Scene

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


def check_positive(name: str, value: int | None) -> None:
    if value is not None and value < 1:
        raise UserError(f"--{name} must be at least 1, got {value}")


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
        return UserNetwork(self.network, self.weights, names, self.deep_from)


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
        tasks = list(tasks)
        mapping = parse_channel_map(self.channel_map)
        needs_low = any(t.needs_low_res for t in tasks)
        source = FramesDir(self.frames_dir, mapping, self.low_dir, needs_low, device)
        reading = [t.name for t in tasks if t.reads_reference]
        if not source.has_reference and reading:
            raise UserError(
                f"--frames-dir {self.frames_dir}: no reference layer, which {', '.join(reading)} "
                "read as input (a converged image); --task denoise needs none"
            )
        return source


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


@dataclass
class Playback:
    """What playback options resolve to, every user mistake checked."""

    size: tuple[int, int]
    scene: Scene | None
    """None: frames read from a directory (``--frames-dir``), not rendered."""
    path: CameraPath
    path_name: str
    count: int
    scene_name: str


def resolve_playback(options: PlaybackOptions, frames: int | None, up: str = "auto") -> Playback:
    """Parse and load everything ``options`` name; raises a UserError before anything runs."""
    size = parse_resolution(options.resolution)
    check_positive("frames", frames)
    scene = load_scene(options.scene, up)
    path = resolve_path(options.path, scene)
    name = Path(options.path).stem if options.path.lower().endswith(".json") else options.path
    if name == "brief" and scene.path and builtin_path_file(f"{scene.path}-brief").exists():
        name = f"{scene.path}-brief"
    elif name in ("default", "brief"):
        name = scene.path or "generated"
    return Playback(size, scene, path, name, _count(path, frames), scene.name)


def frames_playback(source: FramesDir, frames: int | None) -> Playback:
    """What --frames-dir plays: its frames' size, its sidecar's path (or still cameras),
    named after the directory."""
    check_positive("frames", frames)
    count = _count(source.path, frames)
    return Playback(source.size, None, source.path, "frames", count, source.directory.name)


def _count(path: CameraPath, frames: int | None) -> int:
    return len(path) if frames is None else min(frames, len(path))
