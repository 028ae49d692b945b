"""Choosing taus on training-style scenes: a sweep of policies against the full network.

Random procedural scenes (the training generator with another seed; never the built-in
scenes or their paths), each seen along a path of a still, a walking and a turning stretch.
The shipped network runs in full and behind one layer cache per policy spec, all on the same
frames; per spec, the mean FLIP against the full network, the share of frames refreshed and
the speedup. For a FLIP budget, a family's tau is the largest of its sweep whose mean FLIP
stays within the budget on every stretch of every path: a path to be played later mixes still
cameras, walks and turns in its own proportions, and a tau that only holds on the
calibration's mix of them need not hold there (BENCHMARKS.md: the denoiser's tau chosen by
the mean went 57% over the budget on temple's first 150 frames, mostly a still camera).
The named presets (``delta-H`` ...: :func:`choose_presets`) are chosen from the same sweep,
by the mean, against a FLIP target per level.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import torch
from tqdm import tqdm

from evaluation.executors import run_all
from evaluation.fingerprint import inputs_stamp
from evaluation.methods import methods_for
from evaluation.runner import Runner
from evaluation.units import NOT_STORED, ExecutorSettings, UnitStore, describe, file_slug
from evaluation.user_network import UserNetwork
from networks.tasks import TASKS
from renderer.camera import Camera
from renderer.lights import ShadowQuality
from renderer.path import CameraPath, Keyframe
from renderer.pathgen import resolve_path
from renderer.player import RenderSettings
from renderer.scenes import load_scene
from renderer.scenes.random_scenes import random_scene
from renderer.scenes.scene import Scene

DELTA_TAUS = {
    "extrapolate": (0.03, 0.08, 0.18, 0.25, 0.35, 0.5, 0.7, 1.0),
    "supersample": (0.03, 0.08, 0.18, 0.25, 0.35, 0.5, 0.7, 1.0),
    # The denoiser's input averages six noisy frames, so on a still camera it still changes
    # a little every frame (fresh noise in one of six): the useful taus are small.
    "denoise": (0.02, 0.03, 0.04, 0.05, 0.06, 0.08, 0.1, 0.13, 0.16, 0.2),
}
MOTION_TAUS = (2.0, 4.0, 8.0, 16.0, 32.0)
LFD_TAUS = (0.01, 0.02, 0.05, 0.1, 0.2)
PRESET_FAMILIES = ("delta", "motion")
"""The families with named presets (``delta-H``, ``motion-L``, ...)."""


def sweep_specs(task: str, families: Sequence[str] = ("delta", "motion")) -> list[str]:
    """The policy specs a calibration of ``task`` tries."""
    taus = {"delta": DELTA_TAUS[task], "motion": MOTION_TAUS, "lfd": LFD_TAUS}
    return [f"{family}-{tau:g}" for family in families for tau in taus[family]]


@dataclass(frozen=True)
class SweepRow:
    spec: str
    family: str
    tau: float
    flip: float
    """Mean FLIP against the full network."""
    refresh_rate: float
    speedup: float
    """Total full-network time over total cached time on the same frames."""
    worst_flip: float | None = None
    """The highest mean FLIP of any stretch of any path (still, walk, turn), when the
    sweep knew the stretches."""

    @property
    def judged_flip(self) -> float:
        """What a budget is held against: the worst stretch's FLIP where known."""
        return self.flip if self.worst_flip is None else max(self.flip, self.worst_flip)


def calibration_path(rng: np.random.Generator, scene, frames: int = 45) -> CameraPath:
    """Still, walk and turn stretches of a third each, in a random order, at 60 degrees."""
    lo, hi = scene.bounds()
    extent = min(hi[0] - lo[0], hi[2] - lo[2]) / 2
    eye = np.array(
        [rng.uniform(-0.5, 0.5) * extent, rng.uniform(1.2, 3.0), rng.uniform(-0.5, 0.5) * extent]
    )
    yaw = rng.uniform(0, 2 * math.pi)
    third = (frames // 3) / 30.0
    keys, t = [], 0.0

    def key(time: float, position, heading: float) -> Keyframe:
        look = position + np.array([math.sin(heading), -0.15, -math.cos(heading)])
        rotation = Camera.look_at(tuple(position), tuple(look)).rotation_xyzw
        return Keyframe(time, tuple(float(v) for v in position), tuple(rotation), 60.0)

    keys.append(key(t, eye, yaw))
    for stretch in rng.permutation(["still", "walk", "turn"]):
        t += third
        if stretch == "walk":
            eye = (
                eye + np.array([math.sin(yaw), 0.0, -math.cos(yaw)]) * rng.uniform(0.8, 1.5) * third
            )
        elif stretch == "turn":
            yaw += math.radians(rng.uniform(60, 120)) * rng.choice([-1, 1])
        keys.append(key(t, eye, yaw))
    return CameraPath.from_keyframes(keys, 30.0)


@dataclass(frozen=True)
class SweepUnit:
    """One path of a sweep: the full network and every spec on its frames (a unit of
    ``evaluation.units``). The path is a random scene's calibration path (``scene`` None:
    the ``index``-th of ``seed``) or frames ``start .. start + frames - 1`` of a scene's
    path."""

    task: str
    specs: tuple[str, ...]
    scene: str | None = None
    index: int = 0
    seed: int = 9001
    path: str = "default"
    start: int = 0
    frames: int | None = 45
    size: tuple[int, int] = (640, 360)
    arch: str = "unet"
    cut: int = 1
    """Top levels a fixed cache's reuse frame recomputes."""
    network: UserNetwork | None = None
    device: str = "cpu"
    precision: str = "fp32"
    threads: int = 1
    """Torch's threads where it runs (times are comparable at the same count)."""
    inputs: dict = field(default_factory=dict)
    """What the result depends on beyond these settings (``evaluation.fingerprint``)."""
    cache_dir: str | None = field(default=None, metadata=NOT_STORED)
    quiet: bool = field(default=True, compare=False, metadata=NOT_STORED)

    def key(self) -> str:
        if self.scene is None:
            return f"{self.task}.random-{self.seed}-{self.index}"
        span = f"{self.start}+{self.frames or 'all'}"
        where = f"{self.task}.{file_slug(self.scene)}.{file_slug(self.path)}.{span}"
        return (
            where
            + (f".{self.arch}" if self.arch != "unet" else "")
            + (f".cut{self.cut}" if self.cut != 1 else "")
        )

    def parts(self) -> dict[str, dict]:
        return {self.key(): describe(self)}

    def label(self) -> str:
        if self.scene is None:
            where = f"random scene {self.index} of seed {self.seed}, its calibration path"
        else:
            end = "end" if self.frames is None else self.start + self.frames - 1
            where = f"scene {self.scene}, path {self.path} (frames {self.start}-{end})"
        return f"{where}, task {self.task}"

    def narrowed(self, keys) -> SweepUnit:
        return self

    def split(self) -> list[SweepUnit]:
        return [self]

    def scene_and_path(self) -> tuple[Scene, CameraPath]:
        if self.scene is None:
            rng = np.random.default_rng([self.seed, self.index])
            scene = random_scene(rng)
            return scene, calibration_path(rng, scene, self.frames or 45)
        scene = load_scene(self.scene)
        whole = resolve_path(self.path, scene)
        end = None if self.frames is None else self.start + self.frames
        return scene, CameraPath(whole.fps, whole.frames[self.start : end], scene=whole.scene)

    def run(self) -> dict[str, dict]:
        return {self.key(): measure_path(self, *self.scene_and_path())}


def sweep(
    task_name: str,
    specs: Sequence[str],
    scenes: int = 2,
    seed: int = 9001,
    frames: int = 45,
    size: tuple[int, int] = (640, 360),
    arch: str = "unet",
    cache_dir=None,
    quiet: bool = False,
    network: UserNetwork | None = None,
    device: torch.device | str = "cpu",
    precision: str = "fp32",
    executor: ExecutorSettings | None = None,
    store: UnitStore | None = None,
) -> list[SweepRow]:
    """Every spec on ``scenes`` random scenes' calibration paths, against the full network
    (``network``: the user's own instead of ours), the network on ``device`` at
    ``precision``; one unit per scene, run by ``executor`` (default: here) and kept in
    ``store`` as each finishes (default: nowhere).

    Raises:
        UnitsFailed: a scene's unit failed (the others are kept in ``store``).
    """
    executor = executor or ExecutorSettings()
    unit = SweepUnit(
        task_name, tuple(dict.fromkeys(specs)), seed=seed, frames=frames, size=size,
        arch=arch, network=network, device=str(device), precision=precision,
        threads=executor.threads(), inputs=inputs_stamp([task_name], arch, network),
        cache_dir=None if cache_dir is None else str(cache_dir),
        quiet=quiet or executor.elsewhere,
    )  # fmt: skip
    units = [replace(unit, index=k) for k in range(scenes)]
    # Here, before any unit runs: a bad spec or network is one error, not one per scene.
    methods_for(TASKS[task_name], ["full", *unit.specs], arch, network=network, size=size)
    kept = store or UnitStore(None)
    results = run_all(units, executor, kept, quiet, f"sweep {task_name}")
    return pool(list(results.values()), unit.specs, max(frames // 3, 1))


def measure(
    task_name: str,
    specs: Sequence[str],
    paths: Iterable[tuple[Scene, CameraPath]],
    total: int,
    frames: int | None = None,
    size: tuple[int, int] = (640, 360),
    arch: str = "unet",
    cache_dir=None,
    quiet: bool = False,
    stretch: int | None = None,
    network: UserNetwork | None = None,
    device: torch.device | str = "cpu",
    precision: str = "fp32",
) -> list[SweepRow]:
    """Every spec along each (scene, path) (its first ``frames``), against the full network
    on the same frames; ``total`` frames in all, for the progress bar. With ``stretch``, the
    frames of a path come in stretches of that many (the last takes the rest), and each row
    also has its worst stretch's mean FLIP."""
    specs = list(dict.fromkeys(specs))  # a spec named twice would be counted twice
    unit = SweepUnit(
        task_name, tuple(specs), size=size, arch=arch, network=network, device=str(device),
        precision=precision, cache_dir=None if cache_dir is None else str(cache_dir),
    )  # fmt: skip
    with tqdm(total=total, desc=f"sweep {task_name}", unit="frame", disable=quiet) as progress:
        measured = [measure_path(unit, scene, path, frames, progress) for scene, path in paths]
    return pool(measured, specs, stretch)


def measure_path(
    unit: SweepUnit,
    scene: Scene,
    path: CameraPath,
    frames: int | None = None,
    progress: tqdm | None = None,
) -> dict:
    """The full network and every spec of ``unit`` (its task, specs, size, network and
    placement) on the first ``frames`` of ``path`` (None: all), as JSON data: ``played``
    frames, and per scored frame its index, the full network's time and each spec's FLIP
    against it, refresh and time."""
    task, specs, device = TASKS[unit.task], list(unit.specs), unit.device
    methods = methods_for(
        task, ["full", *specs], unit.arch, unit.cut, unit.network, unit.size, device,
        unit.precision,
    )  # fmt: skip
    settings = RenderSettings(size=unit.size, quality=ShadowQuality())
    cache = Path(unit.cache_dir) if unit.cache_dir else None
    runner = Runner(scene, path, task, methods, settings, cache, device=device)
    played = min(frames or len(path), len(path))
    desc = f"sweep {unit.task}"
    bar = progress or tqdm(total=played, desc=desc, unit="frame", disable=unit.quiet)
    records = []
    try:
        for result in runner.run(frames, against_reference=False):
            records.append({
                "frame": result.index, "full_ms": result.ms["full"],
                "flip": {s: result.vs_full[s].flip for s in specs},
                "refresh": {s: bool(result.refresh[s]) for s in specs},
                "ms": {s: result.ms[s] for s in specs},
            })  # fmt: skip
            bar.update()
    finally:
        runner.close()
        if progress is None:
            bar.close()
    return {"played": played, "records": records}


def pool(measured: Sequence[dict], specs: Sequence[str], stretch: int | None) -> list[SweepRow]:
    """One row per spec over the paths of ``measured`` (:func:`measure_path`'s results).
    With ``stretch``, each path's frames come in stretches of that many (the last takes
    the rest), and each row also has its worst stretch's mean FLIP."""
    specs = list(dict.fromkeys(specs))
    totals = {spec: [0, 0.0] for spec in specs}  # refreshes, ms
    full_ms = 0.0
    # (path, stretch) -> [frames, {spec: FLIP sum}]
    stretches: dict[tuple[int, int], list] = {}
    for k, path in enumerate(measured):
        parts = max(path["played"] // stretch, 1) if stretch else 1
        for record in path["records"]:
            full_ms += record["full_ms"]
            part = min(record["frame"] // stretch, parts - 1) if stretch else 0
            flips = stretches.setdefault((k, part), [0, dict.fromkeys(specs, 0.0)])
            flips[0] += 1
            for spec in specs:
                flips[1][spec] += record["flip"][spec]
                totals[spec][0] += record["refresh"][spec]
                totals[spec][1] += record["ms"][spec]
    count = sum(n for n, _ in stretches.values())
    rows = []
    for spec, (refreshes, ms) in totals.items():
        base, *modifiers = spec.split("+")
        family, tau = base.rsplit("-", 1)
        family += "".join(f"+{m}" for m in modifiers)
        flip = sum(sums[spec] for _, sums in stretches.values()) / count
        worst = max(sums[spec] / n for n, sums in stretches.values()) if stretch else None
        rows.append(
            SweepRow(spec, family, float(tau), flip, refreshes / count, full_ms / ms, worst)
        )
    return rows


def choose(rows: Sequence[SweepRow], budget: float) -> SweepRow | None:
    """The row of the largest tau whose FLIP stays within ``budget`` on every stretch
    (:attr:`SweepRow.judged_flip`; None: none does)."""
    fitting = [r for r in rows if r.judged_flip <= budget]
    return max(fitting, key=lambda r: r.tau) if fitting else None


def choose_presets(rows: Sequence[SweepRow], targets: Mapping[str, float]) -> dict[str, float]:
    """The named presets, ``{"delta-H": tau, ...}``, from the sweep's delta and motion rows:
    per level of ``targets`` (``{"H": FLIP, "L": FLIP}``), the largest tau whose mean FLIP
    stays within the level's target; none does: the smallest tau swept, as close as it gets.

    By the mean, not the worst stretch: the targets are set against the paper's numbers,
    which are means over sequences (the ``-auto`` presets hold their budget on every
    stretch instead).
    """
    presets = {}
    for family in PRESET_FAMILIES:
        these = [replace(r, worst_flip=None) for r in rows if r.family == family]
        for level, target in targets.items():
            row = choose(these, target)
            presets[f"{family}-{level}"] = row.tau if row else min(r.tau for r in these)
    return presets
