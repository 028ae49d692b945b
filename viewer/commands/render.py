"""``reframe-rt render``: G-buffer EXRs of a scene along a camera path."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

import tyro
from tqdm import tqdm

from evaluation.exr import frame_channels, frame_filename, write_exr
from renderer.atomic import remove_partials
from renderer.pathgen import resolve_path
from renderer.player import PathPlayer, RenderSettings
from renderer.scenes import load_scene
from viewer.options import check_positive, parse_resolution


@dataclass
class RenderConfig:
    """Render noisy color, the converged reference and the G-buffers of each frame of a
    camera path into frame_NNNN.exr files."""

    scene: str = "temple"
    """Built-in scene (temple, garden, arena) or a .obj/.gltf/.glb file."""
    path: str = "default"
    """Camera path: 'default' (the scene's own), a built-in path name, or a .json file."""
    frames: Annotated[int | None, tyro.conf.arg(metavar="N")] = None
    """Number of frames from the start of the path (default: all)."""
    resolution: str = "640x360"
    """Image size as WIDTHxHEIGHT."""
    spp: int = 1
    """Samples per pixel of the noisy color."""
    seed: int = 0
    """Noise seed: the same seed renders the same noise."""
    up: Literal["auto", "y", "z"] = "auto"
    """Up axis of a scene file's content (auto: detected)."""
    out: Path = Path("out/render")
    """Output directory."""
    quiet: bool = False
    """No progress bar."""


def run(cfg: RenderConfig) -> None:
    # Everything the user asked for is checked before anything is written.
    size = parse_resolution(cfg.resolution)
    check_positive("frames", cfg.frames)
    check_positive("spp", cfg.spp)
    scene = load_scene(cfg.scene, cfg.up)
    path = resolve_path(cfg.path, scene)
    count = len(path) if cfg.frames is None else min(cfg.frames, len(path))
    cfg.out.mkdir(parents=True, exist_ok=True)
    remove_partials(cfg.out)
    settings = RenderSettings(size=size, spp=cfg.spp, seed=cfg.seed, reference=True)
    with PathPlayer(scene, settings) as player:
        frames = tqdm(range(count), desc=f"render {scene.name}", unit="frame", disable=cfg.quiet)
        for i in frames:
            write_exr(cfg.out / frame_filename(i), frame_channels(player.render(path, i)))
