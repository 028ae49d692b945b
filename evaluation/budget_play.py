"""Eval's equal-time comparison: a path played by every method under one frame budget.

Frame by frame and in turn (so the machine's drift falls on all of them alike; the order
turns by one each frame): ``full-1spp`` (the full network at 1 spp, not held to the
budget), ``full`` under the budget and every cached method under the budget, each on frames
rendered for it at the spp its planner gives. The budget 'auto' is the full network's
1-spp pipeline: the median of ``full-1spp``'s last :data:`TRACKED` frames, so it is
measured beside the others, in their conditions (alone, the full pipeline ran 12% faster
on temple: the others' data take its place in the caches), and follows the machine's
drift. First, :data:`LEARNED` frames are played with every method at 1 spp: the planners
learn their costs there, and the budget's first measure is taken. Outputs are scored
against the converged reference, which is not timed.
"""

from __future__ import annotations

import statistics
from collections import deque
from collections.abc import Sequence
from pathlib import Path

import torch
from tqdm import tqdm

from evaluation.budget import BudgetedRun, SppPlanner
from evaluation.metrics import compare
from evaluation.reference_cache import ReferenceCache
from evaluation.runlog import RunLog
from evaluation.runner import FrameResult
from evaluation.stretches import stretch_of
from networks.method import NetworkMethod
from networks.tasks import Task
from renderer.lights import ShadowQuality
from renderer.path import CameraPath
from renderer.player import PathPlayer, RenderSettings
from renderer.scenes.scene import Scene

LEARNED = 10
"""Frames played at 1 spp first, for the planners to learn their costs (and a first
measure of the budget)."""
TRACKED = 31
"""Frames of the unbudgeted full pipeline whose median is the budget 'auto' (about a
second at 30 frames a second)."""
UNBUDGETED = "full-1spp"
"""The full network at 1 spp, not held to the budget: the pipeline the budget is taken
from."""


def play_budget(
    log: RunLog,
    scene: Scene,
    path: CameraPath,
    count: int,
    task: Task,
    methods: Sequence,
    budget_ms: float | None,
    max_spp: int,
    seed: int = 0,
    cache_dir: Path | None = None,
    device: torch.device | str = "cpu",
    quiet: bool = True,
) -> RunLog:
    """Fill ``log`` with the equal-time comparison of ``methods`` (``full`` among them,
    built not to share work: ``methods_for(..., shared=False)``); ``budget_ms`` None:
    measured."""
    if count < 1:
        raise ValueError(f"an equal-time run needs at least one frame, got {count}")
    quality = ShadowQuality()
    player = PathPlayer(scene, RenderSettings(size=log.resolution, seed=seed, reference=False))
    refs = ReferenceCache(cache_dir, scene, log.resolution, quality) if cache_dir else None
    try:
        runs = [BudgetedRun(task, _unbudgeted(methods), player, path, None, seed, device)]
        for m in methods:
            if m.name != "baseline":
                planner = SppPlanner(budget_ms or 1.0, max_spp)
                runs.append(BudgetedRun(task, m, player, path, planner, seed, device))
        for run in runs:
            run.warm_up()
        # The planners learn their costs, and the budget is first measured, in the
        # conditions of the run: every method in turn at 1 spp.
        times = []
        for i in tqdm(range(min(count, LEARNED)), desc="budget: learning at 1 spp",
                      unit="frame", disable=quiet):  # fmt: skip
            steps = _in_turn(runs, i, plan=False)
            times += [steps[n].ms for n in ("full", UNBUDGETED) if n in steps]
        log.budget_measured_ms = statistics.median(times)
        for run in runs:
            run.reset()
        # 'auto' follows the unbudgeted full pipeline as it runs beside the others (the
        # median of its last frames): a budget taken once goes stale when the machine
        # drifts (5% within one path's run here), and every method then misses it alike.
        recent: deque[float] = deque(maxlen=TRACKED)
        desc = f"budget: {len(runs)} methods"
        previous = None
        budgets = []
        for i in tqdm(range(count), desc=desc, unit="frame", disable=quiet):
            budget = budget_ms or (statistics.median(recent) if recent else log.budget_measured_ms)
            budgets.append(budget)
            for run in runs:
                if run.planner is not None:
                    run.planner.budget_ms = budget
            done = _in_turn(runs, i, plan=True)
            recent.append(done[UNBUDGETED].ms)
            target = _reference(refs, player, path, i, device)
            scores, _ = compare(torch.stack([d.output.float() for d in done.values()]), target)
            first = next(iter(done.values())).frame
            stretch = stretch_of(first, previous)
            previous = first
            log.add(
                FrameResult(
                    index=i,
                    frame=first,
                    history=[],
                    outputs={},
                    ms={n: d.ms for n, d in done.items()},
                    refresh={n: d.refresh for n, d in done.items()},
                    vs_reference=dict(zip(done, scores, strict=True)),
                    spp={n: d.spp for n, d in done.items()},
                )
            )
            for row in log.rows[-len(done) :]:
                row["stretch"], row["budget_ms"] = stretch, budget
        log.budget_ms = statistics.median(budgets)
    finally:
        player.close()
    return log


def _in_turn(runs: list[BudgetedRun], i: int, plan: bool) -> dict:
    """Every run's step on frame ``i``, by name in the runs' order, made in an order that
    turns by one each frame: no method always follows the same one (the one before warms
    the caches for the same weights) or the scoring of the frame before."""
    shift = i % len(runs)
    done = {run.name: run.step(i, plan) for run in runs[shift:] + runs[:shift]}
    return {run.name: done[run.name] for run in runs}


def _unbudgeted(methods: Sequence) -> NetworkMethod:
    """A second ``full`` on the same network (which keeps no state between calls), named
    :data:`UNBUDGETED`."""
    found = [m for m in methods if m.name == "full"]
    if not found:
        raise ValueError("the equal-time comparison needs the full network among the methods")
    return NetworkMethod(task=found[0].task, net=found[0].net, name=UNBUDGETED,
                         cuda_graphs=found[0].cuda_graphs)  # fmt: skip


def _reference(
    refs: ReferenceCache | None, player: PathPlayer, path: CameraPath, i: int, device
) -> torch.Tensor:
    where = path.frames[i]
    found = refs.get(where, (0.0, 0.0)) if refs is not None else None
    if found is not None:
        return found.to(device)
    frame = player.render(path, i, device, reference=True)
    reference = frame.reference.contiguous()
    if refs is not None:
        refs.put(where, reference, (0.0, 0.0))
    return reference
