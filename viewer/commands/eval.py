"""``reframe-rt eval``: play a camera path, run every method on every frame, write the
summary, per-frame numbers, a report and plots."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

import tyro
from tqdm import tqdm

from evaluation.report import RunLog, write_outputs
from evaluation.runner import Baseline, Runner
from networks.tasks import TASKS
from renderer.lights import ShadowQuality
from renderer.player import RenderSettings
from viewer.options import CacheOptions, PlaybackOptions, resolve_playback

TaskName = Literal["denoise", "supersample", "extrapolate"]
DEFAULT_FRAMES = 150
"""Five seconds of the path: the built-in temple path holds a still camera, a walk, a fast
turn and a cut in them, and an evaluation of every task fits in a few minutes."""


@dataclass
class EvalConfig(CacheOptions, PlaybackOptions):
    """Evaluate every method of each task on the frames of a camera path: summary.json,
    frames.csv, report.md and plots in --out."""

    task: Annotated[tuple[TaskName, ...], tyro.conf.UseAppendAction] = ()
    """Task to evaluate, repeatable (default: all three)."""
    frames: Annotated[int | None, tyro.conf.arg(metavar="N")] = DEFAULT_FRAMES
    """Frames from the start of the path ('None': all of them)."""
    out: Path = Path("out/eval")
    """Output directory."""


def run(cfg: EvalConfig) -> None:
    play = resolve_playback(cfg, cfg.frames)
    settings = RenderSettings(size=play.size, seed=cfg.seed, quality=ShadowQuality())
    logs = []
    for name in cfg.task or tuple(TASKS):
        task = TASKS[name]
        log = RunLog(task=name, scene=play.scene.name, path=play.path_name, resolution=play.size)
        runner = Runner(play.scene, play.path, task, [Baseline(task)], settings, cfg.cache_dir())
        try:
            results = runner.run(play.count)
            for result in tqdm(
                results, total=play.count, desc=f"eval {name}", unit="frame", disable=cfg.quiet
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
