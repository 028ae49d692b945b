"""``reframe-rt eval``: play a camera path, run every method on every frame, write the
summary, per-frame numbers, a report and plots."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

import tyro
from tqdm import tqdm

from evaluation.methods import methods_for
from evaluation.oidn import NAME as OIDN
from evaluation.report import RunLog, write_outputs
from evaluation.runner import Runner
from networks.tasks import TASKS
from renderer.errors import UserError
from renderer.lights import ShadowQuality
from renderer.player import RenderSettings
from viewer.options import (
    CacheOptions,
    NetworkOptions,
    PlaybackOptions,
    check_task_size,
    prepare_out,
    resolve_playback,
)

TaskName = Literal["denoise", "supersample", "extrapolate"]
DEFAULT_POLICIES = ("full", "every-2", "delta-H", "delta-L", "motion-H")
DEFAULT_FRAMES = 150
"""Five seconds of the path: the built-in temple path holds a still camera, a walk, a fast
turn and a cut in them, and an evaluation of every task fits in a few minutes."""


@dataclass
class EvalConfig(NetworkOptions, CacheOptions, PlaybackOptions):
    """Evaluate every method of each task on the frames of a camera path: summary.json,
    frames.csv, report.md and plots in --out."""

    task: Annotated[tuple[TaskName, ...], tyro.conf.UseAppendAction] = ()
    """Task to evaluate, repeatable (default: all three)."""
    policy: Annotated[tuple[str, ...], tyro.conf.UseAppendAction] = ()
    """Method to run beside the baseline (and the full network, which runs whenever a cached
    one does), repeatable: full, every-N, delta-H, delta-L,
    delta-auto, delta-<tau>, motion-H, motion-L, motion-auto, motion-<tau>, lfd-auto,
    lfd-<tau>; any but full may add +warp (motion-compensated reuse), delta, motion and lfd
    +online (tau adapted to the calibration's FLIP budget by checks) (default: full,
    every-2, delta-H, delta-L, motion-H); oidn runs Intel Open Image Denoise beside them
    (denoise only; needs pyoidn)."""
    arch: Literal["unet", "unetpp"] = "unet"
    """Network architecture (U-Net++ weights exist for denoise)."""
    cut: int = 1
    """Top levels a reuse frame recomputes: 1 is ReFrame's cut (the decoder output one level
    below the top is cached); deeper cuts reuse less and stay closer to the full network
    (U-Net only)."""
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
    play = resolve_playback(cfg, cfg.frames)
    settings = RenderSettings(size=play.size, seed=cfg.seed, quality=ShadowQuality())
    tasks = [TASKS[name] for name in dict.fromkeys(cfg.task or tuple(TASKS))]
    check_task_size(play.size, tasks)
    # Every task's methods are built before anything runs: missing weights fail at once.
    policies = with_full(cfg.policy or DEFAULT_POLICIES)
    user = cfg.user_network()
    if user is not None and len(tasks) != 1:
        raise UserError("--network needs one --task: a network takes one task's input")
    methods = {
        task.name: methods_for(task, policies, cfg.arch, cfg.cut, user, play.size) for task in tasks
    }
    cut = 1 if user is not None else cfg.cut
    logs = []
    for task in tasks:
        nets = [m.net for m in methods[task.name] if hasattr(m, "net")]
        logs.append(
            RunLog(
                task=task.name,
                scene=play.scene.name,
                path=play.path_name,
                resolution=play.size,
                arch=(user.name if user else cfg.arch) if nets else None,
                deep_share=deep_share(nets[0], play.size, cut) if nets else None,
                cuts=[i for i, f in enumerate(play.path.frames[: play.count]) if f.cut],
            )
        )
    prepare_out(cfg.out)
    command = "reframe-rt " + " ".join(sys.argv[1:])
    for done, (task, log) in enumerate(zip(tasks, logs, strict=True), start=1):
        runner = Runner(play.scene, play.path, task, methods[task.name], settings, cfg.cache_dir())
        try:
            results = runner.run(play.count)
            for result in tqdm(
                results, total=play.count, desc=f"eval {task.name}", unit="frame",
                disable=cfg.quiet,
            ):  # fmt: skip
                log.add(result)
        finally:
            runner.close()
        if not log.rows:
            print(
                f"reframe-rt: note: {task.name} scored none of the {play.count} frames "
                "(extrapolation needs a frame before the one it makes: give --frames 2 or more)",
                file=sys.stderr,
            )
        # After every task: a later task's failure or a Ctrl-C keeps what is done.
        summary = write_outputs(logs[:done], cfg.out, command)
    if not cfg.quiet:
        print((cfg.out / "report.md").read_text(encoding="utf-8"))
        print(
            f"wrote {cfg.out}/summary.json ({len(summary['runs'])} rows), frames.csv, "
            "report.md and plots"
        )
