"""``reframe-rt dump``: per-frame EXRs and PNG previews of every method of one task."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

import tyro
from tqdm import tqdm

from evaluation.dump import frame_done, write_frame
from evaluation.reference_cache import default_cache_dir
from evaluation.runner import Baseline, Runner
from networks.tasks import TASKS
from renderer.atomic import remove_partials
from renderer.lights import ShadowQuality
from renderer.pathgen import resolve_path
from renderer.player import RenderSettings
from renderer.scenes import load_scene
from viewer.options import check_positive, parse_resolution


@dataclass
class DumpConfig:
    """Write frame_NNNN.exr (G-buffers, each method's output and its FLIP map) and PNG
    previews per frame into --out. Run again after an interruption to finish the job."""

    scene: str = "temple"
    """Built-in scene (temple, garden, arena) or a .obj/.gltf/.glb file."""
    path: str = "default"
    """Camera path: 'default' (the scene's own), a built-in path name, or a .json file."""
    task: Literal["denoise", "supersample", "extrapolate"] = "denoise"
    """The task whose methods are dumped."""
    frames: Annotated[int | None, tyro.conf.arg(metavar="N")] = 30
    """Frames from the start of the path ('None': all of them)."""
    resolution: str = "640x360"
    """Image size as WIDTHxHEIGHT."""
    seed: int = 0
    """Noise seed of the renders."""
    out: Path = Path("out/dump")
    """Output directory."""
    cache: Path | None = None
    """Where converged references are kept between runs (default: ~/.cache/reframe-rt)."""
    no_cache: bool = False
    """Render every reference, keep none."""
    quiet: bool = False
    """No progress bar."""


def run(cfg: DumpConfig) -> None:
    size = parse_resolution(cfg.resolution)
    check_positive("frames", cfg.frames)
    scene = load_scene(cfg.scene)
    path = resolve_path(cfg.path, scene)
    count = len(path) if cfg.frames is None else min(cfg.frames, len(path))
    task = TASKS[cfg.task]
    methods = [Baseline(task)]
    names = [m.name for m in methods]
    cfg.out.mkdir(parents=True, exist_ok=True)
    remove_partials(cfg.out)
    # Finished frames are still played (the methods' state needs them), not written again.
    done = {i for i in range(count) if frame_done(cfg.out, i, names)}
    settings = RenderSettings(size=size, seed=cfg.seed, quality=ShadowQuality())
    cache_dir = None if cfg.no_cache else (cfg.cache or default_cache_dir())
    runner = Runner(scene, path, task, methods, settings, cache_dir)
    progress = tqdm(
        total=count, initial=len(done), desc=f"dump {cfg.task}", unit="frame", disable=cfg.quiet
    )
    try:
        for result in runner.run(count, flip_maps=True, skip=done):
            write_frame(cfg.out, result, task)
            progress.update()
    finally:
        progress.close()
        runner.close()
