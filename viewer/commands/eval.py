"""``reframe-rt eval``: play a camera path, run every method on every frame, write the
summary, per-frame numbers, a report and plots."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

import tyro
from tqdm import tqdm

from evaluation.reference_cache import default_cache_dir
from evaluation.report import RunLog, write_outputs
from evaluation.runner import Baseline, Runner
from networks.tasks import TASKS
from renderer.lights import ShadowQuality
from renderer.pathgen import resolve_path
from renderer.player import RenderSettings
from renderer.scenes import load_scene
from viewer.options import check_positive, parse_resolution

TaskName = Literal["denoise", "supersample", "extrapolate"]
DEFAULT_FRAMES = 150
"""Five seconds of the path: the built-in temple path holds a still camera, a walk, a fast
turn and a cut in them, and an evaluation of every task fits in a few minutes."""


@dataclass
class EvalConfig:
    """Evaluate every method of each task on the frames of a camera path: summary.json,
    frames.csv, report.md and plots in --out."""

    scene: str = "temple"
    """Built-in scene (temple, garden, arena) or a .obj/.gltf/.glb file."""
    path: str = "default"
    """Camera path: 'default' (the scene's own), a built-in path name, or a .json file."""
    task: Annotated[tuple[TaskName, ...], tyro.conf.UseAppendAction] = ()
    """Task to evaluate, repeatable (default: all three)."""
    frames: Annotated[int | None, tyro.conf.arg(metavar="N")] = DEFAULT_FRAMES
    """Frames from the start of the path ('None': all of them)."""
    resolution: str = "640x360"
    """Image size as WIDTHxHEIGHT."""
    seed: int = 0
    """Noise seed of the renders."""
    out: Path = Path("out/eval")
    """Output directory."""
    cache: Path | None = None
    """Where converged references are kept between runs (default: ~/.cache/reframe-rt)."""
    no_cache: bool = False
    """Render every reference, keep none."""
    quiet: bool = False
    """No progress bars."""


def run(cfg: EvalConfig) -> None:
    size = parse_resolution(cfg.resolution)
    check_positive("frames", cfg.frames)
    scene = load_scene(cfg.scene)
    path = resolve_path(cfg.path, scene)
    path_name = Path(cfg.path).stem if cfg.path.lower().endswith(".json") else cfg.path
    if path_name == "default":
        path_name = scene.path or "generated"
    count = len(path) if cfg.frames is None else min(cfg.frames, len(path))
    cache_dir = None if cfg.no_cache else (cfg.cache or default_cache_dir())
    settings = RenderSettings(size=size, seed=cfg.seed, quality=ShadowQuality())
    logs = []
    for name in cfg.task or tuple(TASKS):
        task = TASKS[name]
        log = RunLog(task=name, scene=scene.name, path=path_name, resolution=size)
        runner = Runner(scene, path, task, [Baseline(task)], settings, cache_dir)
        try:
            results = runner.run(count)
            for result in tqdm(
                results, total=count, desc=f"eval {name}", unit="frame", disable=cfg.quiet
            ):
                log.add(result)
        finally:
            runner.close()
        logs.append(log)
    summary = write_outputs(logs, cfg.out, "reframe-rt " + " ".join(sys.argv[1:]))
    if not cfg.quiet:
        print((cfg.out / "report.md").read_text(encoding="utf-8"))
        print(
            f"wrote {cfg.out}/summary.json ({len(summary['runs'])} rows), frames.csv, "
            "report.md and plots"
        )
