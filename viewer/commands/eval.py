"""``reframe-rt eval``: play a camera path, run every method on every frame, write the
summary, per-frame numbers, a report and plots."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Annotated

import tyro

from evaluation.budget import check_max_spp
from evaluation.eval_unit import EvalUnit, FramesSource, deep_share
from evaluation.executors import make_executor
from evaluation.fingerprint import inputs_stamp
from evaluation.methods import flip_budget, methods_for
from evaluation.oidn import NAME as OIDN
from evaluation.presets import presets_for
from evaluation.report import write_outputs
from evaluation.runlog import RunLog
from evaluation.units import UnitsFailed, UnitStore, run_units
from networks.model import ARCH_TASKS, ArchName
from networks.tasks import TASKS, TaskName
from renderer.errors import UserError
from viewer.options import (
    CacheOptions,
    DeviceOptions,
    ExecutorOptions,
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
class EvalConfig(
    ExecutorOptions, DeviceOptions, FramesOptions, NetworkOptions, CacheOptions, PlaybackOptions
):
    """Evaluate every method of each task on the frames of a camera path (of every path on
    every scene given): summary.json, frames.csv, report.md and plots in --out."""

    scene: Annotated[tuple[str, ...], tyro.conf.UseAppendAction] = ()
    """Built-in scene (temple, garden, arena) or a .obj/.gltf/.glb file, repeatable: every
    path on every scene, each scene, path and task a unit of --executor (default: temple)."""

    task: Annotated[tuple[TaskName, ...], tyro.conf.UseAppendAction] = ()
    """Task to evaluate, repeatable (default: all three, or those --arch serves)."""
    policy: Annotated[tuple[str, ...], tyro.conf.UseAppendAction] = ()
    """Method to run beside the baseline (and the full network, which runs whenever a cached
    one does), repeatable: full, every-N, delta-H, delta-L,
    delta-auto, delta-<tau>, motion-H, motion-L, motion-auto, motion-<tau>, lfd-auto,
    lfd-<tau>; any but full may add +warp (motion-compensated reuse), delta, motion and lfd
    +online (tau adapted to the calibration's FLIP budget by checks), delta and lfd +depth
    alone (each frame recomputed as deep as it changed) (default: full, every-2, delta-H,
    delta-L, motion-H); oidn runs Intel Open Image Denoise beside them (denoise only; needs
    pyoidn)."""
    arch: ArchName = "unet"
    """Network architecture (U-Net++ weights exist for denoise, ExtraNet's for
    extrapolate)."""
    cut: int = 1
    """Top levels a reuse frame recomputes: 1 is ReFrame's cut (the decoder output one level
    below the top is cached); deeper cuts reuse less and stay closer to the full network."""
    path: Annotated[tuple[str, ...], tyro.conf.UseAppendAction] = ()
    """Camera path, repeatable: 'brief' (the scene's short tour where it has one: a still
    camera, a walk, a fast turn and a cut; the default), 'default' (the scene's own), a
    built-in path name, or a .json file."""
    resolution: str = BRIEF[1]
    """Image size as WIDTHxHEIGHT."""
    long: bool = False
    """The long run: the scene's own path (its first 150 frames) at 640x360 instead of the
    brief tour at 320x180, where --path and --resolution are not given: 23 minutes cold on
    2 cores against the main job's 4 (BENCHMARKS.md)."""
    frame_budget: Annotated[str | None, tyro.conf.arg(metavar="MS|auto")] = None
    """Equal frame time: hold every method's whole pipeline (render, input, decision,
    network) to MS milliseconds a frame, the time a cache saves spent on more samples per
    pixel (up to --max-spp); 'auto': the full network's pipeline at 1 spp, run beside
    the others (the median of its last 31 frames). The report then compares the
    methods at that budget. Denoise only: the other tasks read converged images."""
    max_spp: int = 16
    """Most samples per pixel a frame budget may buy."""
    frames: Annotated[int | None, tyro.conf.arg(metavar="N")] = DEFAULT_FRAMES
    """Frames from the start of the path ('None': all of them)."""
    out: Path = Path("out/eval")
    """Output directory."""


def with_full(policies: tuple[str, ...]) -> tuple[str, ...]:
    """``policies`` with ``full`` first wherever a cached one is asked for: speedup and every
    ``*_vs_full`` number are measured against it."""
    cached = [p for p in policies if p not in ("full", OIDN)]
    return policies if not cached or "full" in policies else ("full", *policies)


def run(cfg: EvalConfig) -> None:
    served = ARCH_TASKS.get(cfg.arch, tuple(TASKS))
    budget_ms = parse_budget(cfg.frame_budget)
    if cfg.frame_budget is not None and not cfg.task:
        served = tuple(n for n in served if TASKS[n].reads_spp)
    tasks = [TASKS[name] for name in dict.fromkeys(cfg.task or served)]
    if cfg.frame_budget is not None:
        check_budgeted(cfg, tasks)
    elif cfg.max_spp != EvalConfig.max_spp:
        raise UserError("--max-spp needs --frame-budget")
    device, _ = cfg.placement()
    settings = cfg.executor_settings(device)
    plays, source = _plays(cfg, tasks, device)
    size = next(iter(plays.values())).size
    check_task_size(size, tasks)
    policies = with_full(cfg.policy or DEFAULT_POLICIES)
    user = cfg.user_network()
    if user is not None and len(tasks) != 1:
        raise UserError("--network needs one --task: a network takes one task's input")
    for task in tasks:
        # Every task's methods are built before anything runs: missing weights fail at once.
        built = methods_for(task, policies, cfg.arch, cfg.cut, user, size, device, cfg.precision)
        nets = [m.net for m in built if hasattr(m, "net")]
        if nets:
            deep_share(nets[0], size, 1 if user is not None else cfg.cut)
        del built, nets  # on a GPU, the units need its memory
    prepare_out(cfg.out)
    # The files a unit reads (a scene or path named by a file, the frames): their contents
    # are part of what a kept result was made from.
    named = [s for s, _ in plays] + [p for _, p in plays]
    if source is not None:
        named = [source.directory, source.low_dir, source.channel_map]
    files = [f for f in dict.fromkeys(named) if f and (Path(f).suffix or Path(f).is_dir())]
    unit = EvalUnit(
        scene="", path="", tasks=tuple(t.name for t in tasks), policies=policies,
        resolution=size, frames=cfg.frames,
        presets={t.name: presets_for(t.name) for t in tasks},
        budgets={t.name: flip_budget(t.name) for t in tasks},
        seed=cfg.seed, arch=cfg.arch, cut=cfg.cut, network=user,
        device=cfg.unit_device(device), precision=cfg.precision, cuda_graphs=cfg.cuda_graphs,
        source=source, threads=settings.threads(),
        equal_time=cfg.frame_budget is not None, frame_budget_ms=budget_ms,
        max_spp=cfg.max_spp,
        inputs=inputs_stamp([t.name for t in tasks], cfg.arch, user, files),
        cache_dir=cfg.where(cfg.cache_dir()), quiet=cfg.quiet or settings.elsewhere,
    )  # fmt: skip
    units = [replace(unit, scene=scene, path=path) for scene, path in plays]
    logs = _run(units, settings, cfg.unit_store(cfg.out / "units"), cfg)
    for log in logs:
        if not log.rows:
            print(
                f"reframe-rt: note: {log.task} scored no frame of {log.scene}, path {log.path} "
                "(extrapolation needs a frame before the one it makes: give --frames 2 "
                "or more)",
                file=sys.stderr,
            )
    if not cfg.quiet and any(log.rows for log in logs):
        print((cfg.out / "report.md").read_text(encoding="utf-8"))
        rows = len(json.loads((cfg.out / "summary.json").read_text())["runs"])
        print(f"wrote {cfg.out}/summary.json ({rows} rows), frames.csv, report.md and plots")


def parse_budget(text: str | None) -> float | None:
    """``--frame-budget``: milliseconds, or None for 'auto' (measured) and for no budget."""
    if text is None or text.strip().lower() == "auto":
        return None
    try:
        ms = float(text)
    except ValueError:
        raise UserError(f"--frame-budget {text!r}: expected milliseconds or 'auto'") from None
    if not ms > 0 or ms == float("inf"):
        raise UserError(f"--frame-budget {text!r}: must be a positive number of milliseconds")
    return ms


def check_budgeted(cfg: EvalConfig, tasks) -> None:
    """Raises a UserError for what an equal-time run cannot take."""
    check_max_spp(cfg.max_spp)
    if cfg.frames_dir is not None:
        raise UserError("--frame-budget renders each method's frames: not with --frames-dir")
    for task in tasks:
        if not task.reads_spp:
            raise UserError(
                f"--frame-budget: {task.name} reads converged images, so samples per pixel "
                "cannot improve it (run it with --task denoise)"
            )
    for spec in cfg.policy:
        if "+depth" in spec or "+online" in spec or spec == OIDN:
            raise UserError(
                f"--frame-budget: --policy {spec} cannot run under a budget (it decides on "
                "the frame's final input, or is not ours to time)"
            )


def _plays(cfg: EvalConfig, tasks, device) -> tuple[dict, FramesSource | None]:
    """What to play, by (scene, path) as units name them, and the frames directory's
    options where one is played; raises a UserError for anything that cannot be."""
    if cfg.frames_dir is None:
        cfg.frames_source(tasks, device)  # --channel-map or --low-dir alone: one line
        paths = cfg.path or ((LONG if cfg.long else BRIEF)[0],)
        resolution = LONG[1] if cfg.long and cfg.resolution == BRIEF[1] else cfg.resolution
        plays = {}
        for scene in cfg.scene or ("temple",):
            for path in paths:
                play = resolve_playback(
                    PlaybackOptions(scene, path, resolution, cfg.seed), cfg.frames
                )
                plays[cfg.where(scene), cfg.where(path)] = play
        names = [(p.scene_name, p.path_name) for p in plays.values()]
        twice = sorted({f"{s}, path {p}" for s, p in names if names.count((s, p)) > 1})
        if twice:
            raise UserError(
                f"{'; '.join(twice)}: given twice (as one path under two names, or two files "
                "of one name): the outputs could not tell them apart"
            )
        return plays, None
    if cfg.scene or cfg.path:
        raise UserError("--frames-dir plays its own frames: give no --scene or --path")
    play = frames_playback(cfg.frames_source(tasks, device), cfg.frames)
    channel_map = cfg.channel_map
    if channel_map and channel_map.lower().endswith(".json"):
        channel_map = cfg.where(channel_map)
    source = FramesSource(cfg.where(cfg.frames_dir), channel_map, cfg.where(cfg.low_dir))
    return {("", "frames"): play}, source


def _run(units: list[EvalUnit], settings, store: UnitStore, cfg: EvalConfig) -> list[RunLog]:
    """Every unit's logs, the outputs written from them; after a failure or a Ctrl-C
    midway, from what was done so far (and the error raised)."""
    command = "reframe-rt " + " ".join(sys.argv[1:])
    executor = make_executor(settings)
    results: dict[str, dict] = {}
    try:
        results = run_units(units, executor, store, cfg.quiet, "eval units")
    except UnitsFailed as failed:
        results = {**failed.done, **_partials(failed.failures)}
        raise
    except KeyboardInterrupt as stop:
        results = {**store.found(units), **getattr(stop, "partial_results", {})}
        raise
    finally:
        executor.close()
        logs = [RunLog.from_record(results[k]) for u in units for k in u.parts() if k in results]
        if any(log.rows for log in logs):
            write_outputs(logs, cfg.out, command)
    return logs


def _partials(failures) -> dict[str, dict]:
    return {k: v for f in failures for k, v in (f.partial or {}).items()}
