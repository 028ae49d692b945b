"""What a command plays: a scene's path (or a directory's frames) resolved to its size,
camera path, names and frame count, every user mistake raised before anything runs."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import torch

from assets import builtin_path_file
from common.errors import UserError
from evaluation.frames_dir import FramesDir, parse_channel_map
from networks.tasks import Task
from renderer.path import CameraPath
from renderer.pathgen import resolve_path
from renderer.scenes import load_scene
from renderer.scenes.scene import Scene


@dataclass
class Playback:
    """What playback options resolve to."""

    size: tuple[int, int]
    scene: Scene | None
    """None: frames read from a directory (``--frames-dir``), not rendered."""
    path: CameraPath
    path_name: str
    count: int
    scene_name: str


def check_positive(name: str, value: int | None) -> None:
    if value is not None and value < 1:
        raise UserError(f"--{name} must be at least 1, got {value}")


def scene_playback(
    scene_name: str, path_name: str, size: tuple[int, int], frames: int | None, up: str = "auto"
) -> Playback:
    """``path_name`` ('default', 'brief', a built-in path or a .json file) on the scene
    ``scene_name``, its first ``frames`` frames (None: all)."""
    check_positive("frames", frames)
    scene = load_scene(scene_name, up)
    path = resolve_path(path_name, scene)
    name = Path(path_name).stem if path_name.lower().endswith(".json") else path_name
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


def open_frames(
    directory: Path,
    channel_map: str | None,
    low_dir: Path | None,
    tasks: Iterable[Task],
    device: torch.device | str = "cpu",
) -> FramesDir:
    """The frames of ``directory`` for ``tasks`` (``--channel-map`` given as text); raises a
    UserError for unusable ones, or ones without the reference a task reads."""
    tasks = list(tasks)
    needs_low = any(t.needs_low_res for t in tasks)
    source = FramesDir(directory, parse_channel_map(channel_map), low_dir, needs_low, device)
    reading = [t.name for t in tasks if t.reads_reference]
    if not source.has_reference and reading:
        raise UserError(
            f"--frames-dir {directory}: no reference layer, which {', '.join(reading)} "
            "read as input (a converged image); --task denoise needs none"
        )
    return source
