"""``reframe-rt calibrate``: choose each policy family's tau for a FLIP budget on training-style
scenes, and store it as the ``<family>-auto`` preset that eval and the viewer use; with
``--presets``, the named presets (``delta-H`` ...) too, into the same file."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

import tyro

from evaluation.calibrated import ENV, check_writable, merged, save, user_file
from evaluation.calibration import (
    PRESET_FAMILIES,
    SweepRow,
    choose,
    choose_presets,
    sweep,
    sweep_specs,
)
from evaluation.presets import TARGETS
from networks.model import ArchName
from networks.tasks import TASKS, TaskName
from renderer.errors import UserError
from viewer.options import (
    CacheOptions,
    DeviceOptions,
    ExecutorOptions,
    NetworkOptions,
    check_positive,
    check_task_size,
    parse_resolution,
    prepare_out,
)

Family = Literal["delta", "motion", "lfd"]


@dataclass
class CalibrateConfig(ExecutorOptions, DeviceOptions, NetworkOptions, CacheOptions):
    """Sweep each policy family's tau on random procedural scenes (never the built-in ones)
    against the full network, and keep, per family, the largest tau whose mean FLIP stays
    within the budget on each stretch of each path (still, walk, turn): 'delta-auto',
    'motion-auto' and 'lfd-auto' then use it. With --presets, also choose the named presets
    'delta-H', 'delta-L', 'motion-H' and 'motion-L' from the same sweep."""

    task: TaskName = "extrapolate"
    """The task whose network is calibrated."""
    flip_budget: float = 0.02
    """Mean FLIP against the full network that the chosen taus must stay within, on every
    stretch of every calibration path."""
    family: Annotated[tuple[Family, ...], tyro.conf.UseAppendAction] = ()
    """Policy family to calibrate, repeatable (default: delta and motion)."""
    scenes: int = 2
    """Random scenes, one calibration path (still, walk, turn) each."""
    frames: int = 45
    """Frames per calibration path."""
    seed: int = 9001
    """Seed of the random scenes and paths."""
    resolution: str = "640x360"
    """Image size as WIDTHxHEIGHT (calibrate at the size you run)."""
    arch: ArchName = "unet"
    """Network architecture."""
    into: Annotated[Path | None, tyro.conf.arg(metavar="FILE")] = None
    """Calibration file to write (default: $REFRAME_RT_CALIBRATION, else calibration.json
    in the user's data directory, ~/.local/share/reframe-rt on Linux, which eval and the
    viewer read first; they read another file when $REFRAME_RT_CALIBRATION names it)."""
    presets: bool = False
    """Also choose the task's named presets (delta-H, delta-L, motion-H, motion-L) and write
    them into the file beside the -auto ones: per level, the largest tau whose mean FLIP
    stays within the level's target (--preset-flip); none does: the smallest tau swept.
    Sweeps delta and motion, whatever --family says."""
    preset_flip: Annotated[tuple[float, float] | None, tyro.conf.arg(metavar="H L")] = None
    """Mean FLIP targets of the H and L presets, implies --presets (default: the task's own,
    below the paper's numbers; evaluation/presets.py)."""
    out: Path = Path("out/calibrate")
    """Where each scene's sweep (a unit of --executor) is kept as it finishes: a run
    interrupted and started again sweeps only the scenes left."""
    quiet: bool = False
    """No progress bar."""


def run(cfg: CalibrateConfig) -> None:
    check_positive("scenes", cfg.scenes)
    if cfg.frames < 3:
        raise UserError(
            f"--frames must be at least 3 (a still, a walk and a turn), got {cfg.frames}"
        )
    size = parse_resolution(cfg.resolution)
    targets = preset_targets(cfg) if cfg.presets or cfg.preset_flip else None
    check_task_size(size, [TASKS[cfg.task]])
    if cfg.network is not None and cfg.into is None:
        raise UserError(
            "calibrate --network writes only with --into FILE: the default file holds the "
            "taus of our networks (set REFRAME_RT_CALIBRATION=FILE to use yours)"
        )
    target = cfg.into or user_file()
    check_writable(target)  # before the sweep: its minutes are not lost on a bad file
    families = tuple(dict.fromkeys(cfg.family or ("delta", "motion")))
    if targets:
        families = tuple(dict.fromkeys((*families, *PRESET_FAMILIES)))  # the presets' sweeps
    user = cfg.user_network()
    device = cfg.placement()[0]
    executor = cfg.executor_settings(device)
    prepare_out(cfg.out)
    rows = sweep(
        cfg.task, sweep_specs(cfg.task, families), cfg.scenes, cfg.seed, cfg.frames, size,
        cfg.arch, cfg.where(cfg.cache_dir()), cfg.quiet, network=user,
        device=cfg.unit_device(device),
        precision=cfg.precision, executor=executor, store=cfg.unit_store(cfg.out / "units"),
    )  # fmt: skip
    print(f"\n{cfg.task}: {cfg.scenes} random scenes x {cfg.frames} frames at {cfg.resolution}")
    print("| policy | FLIP vs full | worst stretch | refresh rate | speedup |")
    print("|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r.spec} | {r.flip:.4f} | {r.judged_flip:.4f} | {r.refresh_rate:.2f} | "
            f"{r.speedup:.2f}x |"
        )
    policies = {}
    for family in families:
        chosen = choose([r for r in rows if r.family == family], cfg.flip_budget)
        if chosen is None:
            # No reuse fits. delta and lfd at tau 0 refresh on any change of the input, so
            # the budget holds at no speedup; motion at 0 would still reuse a still camera's
            # frames, whatever changed in them, so it gets no -auto preset at all.
            tau = None if family == "motion" else 0.0
            empty = dict.fromkeys(("flip", "worst_flip", "refresh_rate", "speedup"))
            policies[family] = {"tau": tau, **empty}
            what = "no motion-auto" if tau is None else "tau 0 (refresh on any change)"
            print(f"{family}-auto: no tau of the sweep fits FLIP {cfg.flip_budget}: {what}")
            continue
        policies[family] = {
            "tau": chosen.tau, "flip": chosen.flip, "worst_flip": chosen.worst_flip,
            "refresh_rate": chosen.refresh_rate, "speedup": chosen.speedup,
        }  # fmt: skip
        print(
            f"{family}-auto = {chosen.spec}: FLIP {chosen.flip:.4f} (worst stretch "
            f"{chosen.judged_flip:.4f}), "
            f"{1 - chosen.refresh_rate:.0%} frames reused, {chosen.speedup:.2f}x"
        )
    record = {
        "flip_budget": cfg.flip_budget, "policies": policies,
        **(named(rows, targets) if targets else {}),
        "arch": user.name if user else cfg.arch,
        "resolution": cfg.resolution, "scenes": cfg.scenes, "frames": cfg.frames,
        "seed": cfg.seed, "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "sweep": [r.__dict__ for r in rows],
    }  # fmt: skip
    record, kept = merged(cfg.task, record, target)
    print(f"wrote {save(cfg.task, record, target)}")
    if kept:
        # -auto taus are kept for the same budget; named presets whatever the budget.
        same = "budget, " if any(k.endswith("-auto") for k in kept) else ""
        print(f"kept the earlier {', '.join(kept)} (the same {same}network and size)")
    if target.resolve() != user_file().resolve():
        print(
            f"eval and the viewer read {user_file()}: run them with "
            f"{ENV}={target} to use these taus"
        )


def preset_targets(cfg: CalibrateConfig) -> dict[str, float]:
    """The FLIP target of each level of the named presets (checked before the sweep)."""
    if cfg.preset_flip is None:
        return dict(TARGETS[cfg.task])
    high, low = cfg.preset_flip
    if not 0 < high <= low:
        raise UserError(
            f"--preset-flip {high:g} {low:g}: the targets of H and L must be positive, "
            "H's at most L's (H refreshes more often)"
        )
    return {"H": high, "L": low}


def named(rows: list[SweepRow], targets: dict[str, float]) -> dict:
    """The record's named presets chosen from ``rows`` for ``targets``, printed."""
    presets = choose_presets(rows, targets)
    for name, tau in presets.items():
        family, level = name.rsplit("-", 1)
        row = next(r for r in rows if r.family == family and r.tau == tau)
        fits = row.flip <= targets[level]
        what = f"within {targets[level]:g}" if fits else f"over {targets[level]:g}: none fits"
        print(f"{name} = {row.spec}: FLIP {row.flip:.4f} ({what})")
    return {"presets": presets, "preset_targets": targets}
