"""``reframe-rt dump``: per-frame EXRs and PNG previews of every method of one task."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import tyro
from tqdm import tqdm

from common.atomic import remove_partials
from common.errors import UserError
from evaluation.dump import frame_done, write_frame
from evaluation.methods import methods_for
from evaluation.runner import Runner
from networks.model import ArchName
from networks.tasks import TASKS, TaskName
from renderer.lights import ShadowQuality
from renderer.player import RenderSettings
from viewer.options import (
    CacheOptions,
    DeviceOptions,
    FramesOptions,
    NetworkOptions,
    PlaybackOptions,
    check_task_size,
    frames_playback,
    prepare_out,
    resolve_playback,
)


@dataclass
class DumpConfig(DeviceOptions, FramesOptions, NetworkOptions, CacheOptions, PlaybackOptions):
    """Write frame_NNNN.exr (G-buffers, each method's output and its FLIP map) and PNG
    previews per frame into --out. Run again after an interruption to finish the job."""

    task: TaskName = "denoise"
    """The task whose methods are dumped."""
    policy: Annotated[tuple[str, ...], tyro.conf.UseAppendAction] = ()
    """Method to dump beside the baseline, repeatable (default: full)."""
    arch: ArchName = "unet"
    """Network architecture."""
    cut: int = 1
    """Top levels a reuse frame recomputes: 1 is ReFrame's cut (the decoder output one level
    below the top is cached); deeper cuts reuse less and stay closer to the full network."""
    frames: Annotated[int | None, tyro.conf.arg(metavar="N")] = 30
    """Frames from the start of the path ('None': all of them)."""
    out: Path = Path("out/dump")
    """Output directory."""


def run(cfg: DumpConfig) -> None:
    task = TASKS[cfg.task]
    device, _ = cfg.placement()
    source = cfg.frames_source([task], device)
    if source is None:
        play = resolve_playback(cfg, cfg.frames)
    else:
        if not source.has_reference:
            raise UserError(
                f"--frames-dir {cfg.frames_dir}: dump's FLIP maps need a reference layer"
            )
        play = frames_playback(source, cfg.frames)
    scene, path, size, count = play.scene, play.path, play.size, play.count
    check_task_size(size, [task])
    user = cfg.user_network()
    policies = cfg.policy or ("full",)
    methods = methods_for(
        task, policies, cfg.arch, cfg.cut, user, size, device, cfg.precision, cfg.cuda_graphs
    )
    names = [m.name for m in methods]
    prepare_out(cfg.out)
    remove_partials(cfg.out)
    # Finished frames are still played (the methods' state needs them), not written again.
    done = {i for i in range(count) if frame_done(cfg.out, i, names)}
    settings = RenderSettings(size=size, seed=cfg.seed, quality=ShadowQuality())
    runner = Runner(
        scene, path, task, methods, settings, cfg.cache_dir(), device=device, feed=source
    )
    progress = tqdm(
        total=count,
        initial=len(done),
        desc=f"dump {cfg.task}",
        unit="frame",
        disable=cfg.quiet,
    )
    try:
        for result in runner.run(count, flip_maps=True, skip=done):
            write_frame(cfg.out, result, task)
            progress.update()
    finally:
        progress.close()
        runner.close()
