"""The training loop: train a task's network on rendered data within a time budget,
checkpointing as it goes, and write the weight file with the run's facts.

The learning rate follows a cosine over the time budget, so a resumed run continues the
same schedule. ``init`` starts from a weight file instead of random weights, for
fine-tuning with another loss or learning rate. The loss is :mod:`training.loss`'s, the
batches :mod:`training.batches`'s.
"""

from __future__ import annotations

import math
import platform
import time
from dataclasses import asdict, replace
from pathlib import Path

import numpy as np
import torch
from tqdm import tqdm

from common.device import resolve_device
from common.errors import UserError
from networks.model import FIXED_WIDTHS, build
from networks.tasks import TASKS, Task
from networks.unet import UNetConfig
from networks.weights import check_arch, load_network, save_weights, weights_path
from training.batches import Batcher, samples_for
from training.checkpoint import load_checkpoint, save_checkpoint
from training.data import SIZE, TrainingSequence, build_dataset
from training.loss import loss_fn
from training.settings import TrainSettings
from training.validation import validate

WIDTHS = (16, 24, 48, 96, 128)
"""Channel widths of a network trained from random weights, by level."""
HELD_OUT = 12
"""One sequence in this many (at least one) is held out to validate on."""


def train(settings: TrainSettings) -> Path:
    """Train (or resume) and write the weight file; returns its path."""
    torch.manual_seed(settings.seed)
    task = _task(settings)
    device = resolve_device(settings.device)
    data_start = time.perf_counter()
    sequences = build_dataset(settings.data_dir, settings.scenes, quiet=settings.quiet)
    data_seconds = time.perf_counter() - data_start
    held_out = max(1, len(sequences) // HELD_OUT)
    train_seqs, val_seqs = sequences[:-held_out], sequences[-held_out:]
    batcher, val_batcher = Batcher(task, train_seqs, device), Batcher(task, val_seqs, device)
    samples = samples_for(task, train_seqs)

    config, net, earlier = _start(settings, task)
    net = net.to(device)
    learning_rate = settings.learning_rate or (1e-3 if task.residual else 2e-3)
    optimizer = torch.optim.Adam(net.parameters(), lr=learning_rate)
    checkpoint = settings.work / f"{settings.task}-{settings.arch}" / "checkpoint.safetensors"
    state = _resume(settings, checkpoint, net, optimizer)

    rng = np.random.default_rng([settings.seed, state["step"]])
    budget = settings.minutes * 60.0
    net.train()
    progress = tqdm(
        total=round(budget),
        initial=round(state["elapsed"]),
        unit="s",
        desc=f"train {settings.task}-{settings.arch}",
        disable=settings.quiet,
    )
    last_save = time.perf_counter()
    start = time.perf_counter() - state["elapsed"]
    try:
        while (elapsed := time.perf_counter() - start) < budget:
            for group in optimizer.param_groups:
                group["lr"] = learning_rate * (
                    0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * elapsed / budget))
                )
            chosen = [samples[i] for i in rng.integers(0, len(samples), settings.batch)]
            inputs, targets, mods = batcher.batch(chosen, net)
            pred = task.finish(net(inputs), inputs)
            loss = loss_fn(pred, targets, mods, task.residual, settings.flip_weight)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            norm = torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
            if not torch.isfinite(norm):
                # One bad batch must not poison the weights: skip it, and count it.
                state["skipped"] = state.get("skipped", 0) + 1
                continue
            optimizer.step()
            state["step"] += 1
            state["losses"].append(float(loss.detach()))
            progress.update(round(time.perf_counter() - start) - progress.n)
            progress.set_postfix(step=state["step"], loss=f"{np.mean(state['losses'][-50:]):.4f}")
            if time.perf_counter() - last_save > settings.checkpoint_seconds:
                state["elapsed"] = time.perf_counter() - start
                save_checkpoint(checkpoint, net, optimizer, state, settings)
                last_save = time.perf_counter()
    except KeyboardInterrupt:
        # Ctrl-C keeps the work done so far; running the command again resumes it.
        state["elapsed"] = time.perf_counter() - start
        save_checkpoint(checkpoint, net, optimizer, state, settings)
        raise
    progress.close()
    state["elapsed"] = time.perf_counter() - start
    save_checkpoint(checkpoint, net, optimizer, state, settings)

    net.eval()
    val = validate(task, net, val_batcher, samples_for(task, val_seqs))
    facts = {
        "task": settings.task,
        "arch": settings.arch,
        "data": _data_facts(sequences, train_seqs, val_seqs, data_seconds),
        "steps": state["step"],
        "skipped_steps": state.get("skipped", 0),
        "batch": settings.batch,
        "unroll": task.unroll,
        "minutes": round(state["elapsed"] / 60.0, 2),
        "learning_rate": learning_rate,
        "loss": ("tone-mapped and log-space squared error" if task.residual else "tone-mapped L1")
        + (f" + {settings.flip_weight} x FLIP" if settings.flip_weight else ""),
        "started_from": earlier,
        "final_train_loss": float(np.mean(state["losses"][-100:])),
        **val,
        "machine": _machine(device),
        "settings": {k: str(v) for k, v in asdict(settings).items()},
    }  # fmt: skip
    # The shipped file by default, wherever the command runs from: eval and view read it.
    out = settings.out or weights_path(settings.task, settings.arch)
    save_weights(out, net, config, settings.task, facts)
    return out


def _machine(device: torch.device) -> str:
    where = (
        torch.cuda.get_device_name(device)
        if device.type == "cuda"
        else f"{platform.machine()}, {torch.get_num_threads()} threads"
    )
    return f"{where}, torch {torch.__version__}"


def _task(settings: TrainSettings) -> Task:
    """The task to train, with ``--unroll`` applied.

    Raises:
        UserError: ``--unroll`` for a task without a previous-output input, or below 1.
    """
    task = TASKS[settings.task]
    check_arch(settings.task, settings.arch)
    if settings.unroll is not None:
        if not task.unroll:
            raise UserError(f"--unroll: {task.name} does not read its previous output")
        if settings.unroll < 1:
            raise UserError(f"--unroll must be 1 or more, got {settings.unroll}")
        task = replace(task, unroll=settings.unroll)
    return task


def _start(settings: TrainSettings, task: Task) -> tuple[UNetConfig, torch.nn.Module, dict | None]:
    """The network to train, its config, and what it started from (None: random weights)."""
    if settings.init is not None:
        start_from, meta = load_network(settings.task, settings.arch, settings.init)
        earlier = {"file": settings.init.name, "training": meta["training"]}
        return meta["config"], start_from.train(), earlier
    # A residual network's best first move under L1 is to output nothing; with ReLU it can
    # get there by killing every unit the head sees, for good (measured: 3044 steps of
    # super-resolution ended with 0.05% of them alive and the bilinear baseline's PSNR).
    act = "leaky" if task.residual else "relu"
    widths = FIXED_WIDTHS.get(settings.arch, WIDTHS)
    config = UNetConfig(task.in_channels, widths=widths, arch=settings.arch, activation=act)
    net = build(config).to(memory_format=torch.channels_last)
    if task.residual:
        # A residual network starts as its baseline and can only learn to improve on it.
        torch.nn.init.zeros_(net.head.weight)
        torch.nn.init.zeros_(net.head.bias)
    return config, net, None


def _resume(settings: TrainSettings, checkpoint: Path, net, optimizer) -> dict:
    """The run's state: the checkpoint's, loaded into ``net`` and ``optimizer``, or a fresh
    one (``--fresh``, or no checkpoint yet).

    Raises:
        UserError: the checkpoint was made with other settings or for another network.
    """
    if settings.fresh or not checkpoint.exists():
        return {"step": 0, "elapsed": 0.0, "losses": []}
    try:
        state = load_checkpoint(checkpoint, net, optimizer, settings)
    except (RuntimeError, ValueError, KeyError) as error:
        raise UserError(
            f"{checkpoint} does not fit this network ({error.__class__.__name__}); "
            "start over with --fresh"
        ) from None
    if not settings.quiet:
        tqdm.write(
            f"resuming {checkpoint}: step {state['step']}, "
            f"{state['elapsed'] / 60:.1f} of {settings.minutes:g} minutes done"
        )
    return state


def _data_facts(
    sequences: list[TrainingSequence],
    train_seqs: list[TrainingSequence],
    val_seqs: list[TrainingSequence],
    seconds: float,
) -> dict:
    """What the weight file says about the data it was trained on."""
    return {
        "generator": "renderer.scenes.random_scenes.random_scene and training.data.random_path "
        "(no built-in scene or path)",
        "scenes": len(sequences),
        "train_sequences": len(train_seqs),
        "validation_sequences": len(val_seqs),
        "frames_per_sequence": len(sequences[0]),
        "size": list(SIZE),
        "render_seconds": round(seconds, 1),
    }
