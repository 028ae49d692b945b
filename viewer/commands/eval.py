"""``reframe-rt eval``: play a camera path, run every method on every frame, write the
summary, per-frame numbers, a report and plots."""

from __future__ import annotations

import sys
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Annotated

import tyro
from tqdm import tqdm

from evaluation.feed import FrameFeed
from evaluation.methods import methods_for
from evaluation.oidn import NAME as OIDN
from evaluation.report import write_outputs
from evaluation.runlog import RunLog
from evaluation.runner import TaskRun
from evaluation.runner import play as play_path
from networks.model import ARCH_TASKS, ArchName
from networks.tasks import TASKS, TaskName
from renderer.errors import UserError
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

DEFAULT_POLICIES = ("full", "every-2", "delta-H", "delta-L", "motion-H")
DEFAULT_FRAMES = 150
"""At most five seconds of a path."""
BRIEF = ("brief", "320x180")
"""The main job's path and size: temple's brief tour (67 frames: a still camera, a walk, a
fast turn, a cut) holds every kind of stretch, and all three tasks fit in four minutes."""
LONG = ("default", "640x360")
"""``--long``: the scene's own path (temple's: the same stretches, slower, 150 frames) at the
size the networks are measured at elsewhere."""


@dataclass
class EvalConfig(DeviceOptions, FramesOptions, NetworkOptions, CacheOptions, PlaybackOptions):
    """Evaluate every method of each task on the frames of a camera path: summary.json,
    frames.csv, report.md and plots in --out."""

    task: Annotated[tuple[TaskName, ...], tyro.conf.UseAppendAction] = ()
    """Task to evaluate, repeatable (default: all three, or those --arch serves)."""
    policy: Annotated[tuple[str, ...], tyro.conf.UseAppendAction] = ()
    """Method to run beside the baseline (and the full network, which runs whenever a cached
    one does), repeatable: full, every-N, delta-H, delta-L,
    delta-auto, delta-<tau>, motion-H, motion-L, motion-auto, motion-<tau>, lfd-auto,
    lfd-<tau>; any but full may add +warp (motion-compensated reuse), delta, motion and lfd
    +online (tau adapted to the calibration's FLIP budget by checks) (default: full,
    every-2, delta-H, delta-L, motion-H); oidn runs Intel Open Image Denoise beside them
    (denoise only; needs pyoidn)."""
    arch: ArchName = "unet"
    """Network architecture (U-Net++ weights exist for denoise, ExtraNet's for
    extrapolate)."""
    cut: int = 1
    """Top levels a reuse frame recomputes: 1 is ReFrame's cut (the decoder output one level
    below the top is cached); deeper cuts reuse less and stay closer to the full network
    (U-Net only)."""
    path: str = BRIEF[0]
    """Camera path: 'brief' (the scene's short tour where it has one: a still camera, a
    walk, a fast turn and a cut), 'default' (the scene's own), a built-in path name, or a
    .json file."""
    resolution: str = BRIEF[1]
    """Image size as WIDTHxHEIGHT."""
    long: bool = False
    """The long run: the scene's own path (its first 150 frames) at 640x360 instead of the
    brief tour at 320x180, where --path and --resolution are not given: 23 minutes cold on
    2 cores against the main job's 4 (BENCHMARKS.md)."""
    frames: Annotated[int | None, tyro.conf.arg(metavar="N")] = DEFAULT_FRAMES
    """Frames from the start of the path ('None': all of them)."""
    out: Path = Path("out/eval")
    """Output directory."""


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


def with_full(policies: tuple[str, ...]) -> tuple[str, ...]:
    """``policies`` with ``full`` first wherever a cached one is asked for: speedup and every
    ``*_vs_full`` number are measured against it."""
    cached = [p for p in policies if p not in ("full", OIDN)]
    return policies if not cached or "full" in policies else ("full", *policies)


def run(cfg: EvalConfig) -> None:
    if cfg.long:
        cfg = replace(
            cfg,
            path=LONG[0] if cfg.path == BRIEF[0] else cfg.path,
            resolution=LONG[1] if cfg.resolution == BRIEF[1] else cfg.resolution,
        )
    served = ARCH_TASKS.get(cfg.arch, tuple(TASKS))
    tasks = [TASKS[name] for name in dict.fromkeys(cfg.task or served)]
    device, _ = cfg.placement()
    low_res = any(t.needs_low_res for t in tasks)
    source = cfg.frames_source(tasks, device)
    if source is None:
        play = resolve_playback(cfg, cfg.frames)
    else:
        play = frames_playback(source, cfg.frames)
    size, path, count = play.size, play.path, play.count
    check_task_size(size, tasks)
    # Every task's methods are built before anything runs: missing weights fail at once.
    policies = with_full(cfg.policy or DEFAULT_POLICIES)
    user = cfg.user_network()
    if user is not None and len(tasks) != 1:
        raise UserError("--network needs one --task: a network takes one task's input")
    place = (device, cfg.precision, cfg.cuda_graphs)
    methods = {
        task.name: methods_for(task, policies, cfg.arch, cfg.cut, user, size, *place)
        for task in tasks
    }
    cut = 1 if user is not None else cfg.cut
    # Frames without a reference are scored against the full network only (and say so).
    scored = source is None or source.has_reference
    logs = []
    for task in tasks:
        nets = [m.net for m in methods[task.name] if hasattr(m, "net")]
        logs.append(
            RunLog(
                task=task.name,
                scene=play.scene_name,
                path=play.path_name,
                resolution=size,
                arch=(user.name if user else cfg.arch) if nets else None,
                deep_share=deep_share(nets[0], size, cut) if nets else None,
                cuts=[i for i, f in enumerate(path.frames[:count]) if f.cut],
                reference=scored,
            )
        )
    prepare_out(cfg.out)
    command = "reframe-rt " + " ".join(sys.argv[1:])
    if source is None:
        settings = RenderSettings(size=size, seed=cfg.seed, quality=ShadowQuality())
        feed = FrameFeed(play.scene, path, settings, low_res, cfg.cache_dir(), device=device)
    else:
        feed = source
    runs = [TaskRun(task, methods[task.name]) for task in tasks]
    by_task = {log.task: log for log in logs}
    completed = False
    try:
        # One rendering pass: every frame (and its reference) is made once for all tasks.
        with tqdm(
            total=count, desc="eval " + ", ".join(by_task), unit="frame", disable=cfg.quiet
        ) as bar:
            for name, result in play_path(feed, runs, count, against_reference=scored):
                by_task[name].add(result)
                bar.update(result.index + 1 - bar.n)
            bar.update(count - bar.n)
        completed = True
    finally:
        feed.close()
        # A failure or a Ctrl-C midway keeps the frames done so far.
        if completed or any(log.rows for log in logs):
            summary = write_outputs(logs, cfg.out, command)
    if completed:
        for log in logs:
            if not log.rows:
                print(
                    f"reframe-rt: note: {log.task} scored none of the {count} frames "
                    "(extrapolation needs a frame before the one it makes: give --frames 2 "
                    "or more)",
                    file=sys.stderr,
                )
    if not cfg.quiet:
        print((cfg.out / "report.md").read_text(encoding="utf-8"))
        print(
            f"wrote {cfg.out}/summary.json ({len(summary['runs'])} rows), frames.csv, "
            "report.md and plots"
        )
