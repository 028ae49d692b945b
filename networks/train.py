"""Training a task's network on rendered data, within a time budget, resumable.

The loss compares tone-mapped output and tone-mapped reference (the space the metrics
see): L1 for a network that outputs the whole image. The residual networks (all three
shipped ones) use squared error there, plus squared error in the networks' own (log) space.
Their start is already close and what is left is partly reference noise no input predicts: L1's
sign-only gradient then sits at a zero correction (measured: one batch of
super-resolution, 100 steps, L1 -0.3%, squared error -44%). The log-space term has no
clamp, so a step that throws the output out of range is pulled back (measured: without it
a 22-minute run ended at 5 dB, its output clamped to black with no gradient left).
``flip_weight`` adds the mean FLIP of the tone-mapped images, the metric the denoiser is
judged by and L1 underweights (blotches, fringes at edges). ``init`` starts from a weight
file, for fine-tuning with another loss or learning rate.
The learning rate follows a cosine over the time budget, so a resumed run continues
the same schedule. Super-resolution's previous-output input comes from the network itself:
each sample first runs the (detached) network on the frame before.
"""

from __future__ import annotations

import json
import math
import platform
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np
import torch
from safetensors.torch import load_file, save_file
from tqdm import tqdm

from common.atomic import atomic_path
from evaluation.flip import flip
from evaluation.psnr import psnr
from evaluation.report import sequence_psnr
from evaluation.tonemap import tonemap
from networks.data import SIZE, TrainingSequence, build_dataset
from networks.model import build
from networks.tasks import MODULATION_FLOOR, TASKS, Task, from_network_space, to_network_space
from networks.unet import UNetConfig
from networks.weights import load_network, save_weights, weights_path
from renderer.errors import UserError

WIDTHS = (16, 24, 48, 96, 128)
FLIP_EPS = 1e-6
"""Keeps FLIP's gradients finite where two pixels agree (see :func:`evaluation.flip.flip`)."""


@dataclass
class TrainSettings:
    task: str
    arch: str
    minutes: float = 25.0
    scenes: int = 240
    batch: int = 8
    learning_rate: float | None = None
    """None: 2e-3, and 1e-3 for the residual networks (their corrections are small)."""
    seed: int = 0
    flip_weight: float = 0.0
    """Weight of a FLIP term (the mean LDR-FLIP of the tone-mapped output against the
    reference) added to the loss; 0: none."""
    unroll: int | None = None
    """Recurrent tasks: frames the network runs on before each sample to make its
    previous-output input (None: the task's own, 1)."""
    init: Path | None = None
    """A weight file of the same task and architecture to start from (fine-tuning) instead
    of random weights; its training facts are kept in the new file's header."""
    data_dir: Path = Path("out/train/data")
    work_dir: Path = Path("out/train")
    out: Path | None = None
    checkpoint_seconds: float = 120.0
    resume: bool = True
    quiet: bool = False


Sample = tuple[int, int]  # (sequence, frame)


def samples_for(task: Task, sequences: list[TrainingSequence]) -> list[Sample]:
    first = 1 if task.name == "extrapolate" else 0
    return [(s, t) for s, seq in enumerate(sequences) for t in range(first, len(seq))]


class Batcher:
    """Assembles batches of network inputs, targets and modulations."""

    def __init__(self, task: Task, sequences: list[TrainingSequence]) -> None:
        self.task = task
        self.sequences = sequences

    def frames(self, sample: Sample):
        s, t = sample
        seq = self.sequences[s]
        history = [seq.frame(u) for u in range(max(0, t - self.task.history), t)]
        return seq.frame(t), history

    def batch(self, samples: list[Sample], net: torch.nn.Module) -> tuple[torch.Tensor, ...]:
        previous = self._previous_outputs(samples, net)
        inputs, targets, modulations = [], [], []
        for sample, prev in zip(samples, previous, strict=True):
            frame, history = self.frames(sample)
            inputs.append(self.task.assemble(frame, history, prev))
            targets.append(self.task.target(frame))
            modulations.append(frame.albedo + MODULATION_FLOOR)
        stack = [torch.stack(x) for x in (inputs, targets, modulations)]
        return tuple(x.contiguous(memory_format=torch.channels_last) for x in stack)

    @torch.no_grad()
    def _previous_outputs(self, samples: list[Sample], net: torch.nn.Module) -> list:
        """For recurrent tasks, the network's own answer for the frame before each sample:
        the network run on the ``task.unroll`` frames before it, each fed the answer
        before (the first with none). None where there is no frame before."""
        previous: list = [None] * len(samples)
        starts = [max(0, t - self.task.unroll) for _, t in samples]
        was_training = net.training
        net.eval()
        for step in range(self.task.unroll):
            active = [k for k, (_, t) in enumerate(samples) if starts[k] + step < t]
            if not active:
                continue
            inputs, mods = [], []
            for k in active:
                frame, history = self.frames((samples[k][0], starts[k] + step))
                inputs.append(self.task.assemble(frame, history, previous[k]))
                mods.append(frame.albedo + MODULATION_FLOOR)
            batch = torch.stack(inputs).contiguous(memory_format=torch.channels_last)
            out = from_network_space(self.task.finish(net(batch), batch), torch.stack(mods))
            for k, o in zip(active, out, strict=True):
                previous[k] = o
        net.train(was_training)
        return previous


def loss_fn(
    pred: torch.Tensor,
    target: torch.Tensor,
    modulation: torch.Tensor,
    residual: bool = False,
    flip_weight: float = 0.0,
) -> torch.Tensor:
    """(B, 3, H, W) each: ``pred`` in the networks' space, ``target`` linear HDR. L1 in
    tone-mapped space; for residual networks squared error there plus in log space; plus
    ``flip_weight`` times the mean FLIP of the tone-mapped images."""
    shown, wanted = tonemap(from_network_space(pred, modulation)), tonemap(target)
    error = shown - wanted
    if not residual:
        loss = error.abs().mean()
    else:
        loss = error.square().mean() + (pred - to_network_space(target, modulation)).square().mean()
    if flip_weight:
        loss = loss + flip_weight * flip(shown, wanted, eps=FLIP_EPS)[1].mean()
    return loss


def train(settings: TrainSettings) -> Path:
    """Train (or resume) and write the weight file; returns its path."""
    torch.manual_seed(settings.seed)
    task = TASKS[settings.task]
    if settings.unroll is not None:
        if not task.unroll:
            raise UserError(f"--unroll: {task.name} does not read its previous output")
        if settings.unroll < 1:
            raise UserError(f"--unroll must be 1 or more, got {settings.unroll}")
        task = replace(task, unroll=settings.unroll)
    data_start = time.perf_counter()
    sequences = build_dataset(settings.data_dir, settings.scenes, quiet=settings.quiet)
    data_seconds = time.perf_counter() - data_start
    held_out = max(1, len(sequences) // 12)
    train_seqs, val_seqs = sequences[:-held_out], sequences[-held_out:]
    batcher, val_batcher = Batcher(task, train_seqs), Batcher(task, val_seqs)
    samples = samples_for(task, train_seqs)

    # A residual network's best first move under L1 is to output nothing; with ReLU it can
    # get there by killing every unit the head sees, for good (measured: 3044 steps of
    # super-resolution ended with 0.05% of them alive and the bilinear baseline's PSNR).
    act = "leaky" if task.residual else "relu"
    earlier = None
    if settings.init is not None:
        start_from, meta = load_network(settings.task, settings.arch, settings.init)
        config, net = meta["config"], start_from.train()
        earlier = {"file": settings.init.name, "training": meta["training"]}
    else:
        config = UNetConfig(task.in_channels, widths=WIDTHS, arch=settings.arch, activation=act)
        net = build(config).to(memory_format=torch.channels_last)
        if task.residual:
            # A residual network starts as its baseline and can only learn to improve on it.
            torch.nn.init.zeros_(net.head.weight)
            torch.nn.init.zeros_(net.head.bias)
    learning_rate = settings.learning_rate or (1e-3 if task.residual else 2e-3)
    optimizer = torch.optim.Adam(net.parameters(), lr=learning_rate)
    work = settings.work_dir / f"{settings.task}-{settings.arch}"
    checkpoint = work / "checkpoint.safetensors"
    state = {"step": 0, "elapsed": 0.0, "losses": []}
    if settings.resume and checkpoint.exists():
        try:
            state = _load_checkpoint(checkpoint, net, optimizer, _shaping(settings))
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
                _save_checkpoint(checkpoint, net, optimizer, state, _shaping(settings))
                last_save = time.perf_counter()
    except KeyboardInterrupt:
        # Ctrl-C keeps the work done so far; running the command again resumes it.
        state["elapsed"] = time.perf_counter() - start
        _save_checkpoint(checkpoint, net, optimizer, state, _shaping(settings))
        raise
    progress.close()
    state["elapsed"] = time.perf_counter() - start
    _save_checkpoint(checkpoint, net, optimizer, state, _shaping(settings))

    net.eval()
    val = validate(task, net, val_batcher, samples_for(task, val_seqs))
    facts = {
        "task": settings.task,
        "arch": settings.arch,
        "data": {
            "generator": "networks.data.random_scene and random_path (no built-in scene or path)",
            "scenes": len(sequences),
            "train_sequences": len(train_seqs),
            "validation_sequences": len(val_seqs),
            "frames_per_sequence": len(sequences[0]),
            "size": list(SIZE),
            "render_seconds": round(data_seconds, 1),
        },
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
        "machine": f"{platform.machine()}, {torch.get_num_threads()} threads, "
        f"torch {torch.__version__}",
        "settings": {k: str(v) for k, v in asdict(settings).items()},
    }  # fmt: skip
    # The shipped file by default, wherever the command runs from: eval and view read it.
    out = settings.out or weights_path(settings.task, settings.arch)
    save_weights(out, net, config, settings.task, facts)
    return out


@torch.no_grad()
def validate(task: Task, net: torch.nn.Module, batcher: Batcher, samples: list[Sample]) -> dict:
    """PSNR (tone-mapped) of the network and of the baseline on held-out sequences."""
    ours, base = [], []
    for i in range(0, len(samples), 8):
        chunk = samples[i : i + 8]
        inputs, targets, mods = batcher.batch(chunk, net)
        out = from_network_space(task.finish(net(inputs), inputs), mods)
        for k, sample in enumerate(chunk):
            frame, history = batcher.frames(sample)
            ours.append(float(psnr(tonemap(out[k]), tonemap(targets[k]))))
            base.append(float(psnr(tonemap(task.baseline(frame, history)), tonemap(targets[k]))))
    # Of the mean squared error, as eval scores a path: a mean of per-frame PSNRs is ruled
    # by near-perfect frames (the extrapolation network's 32.6 against 35.9 dB was +0.7 dB
    # this way).
    return {
        "validation_psnr": sequence_psnr(ours),
        "validation_baseline_psnr": sequence_psnr(base),
        "validation_samples": len(samples),
    }


SHAPING = ("scenes", "batch", "learning_rate", "seed", "flip_weight", "unroll", "init")
"""Settings a resumed run must share with its checkpoint (the time budget may grow)."""


def _shaping(settings: TrainSettings) -> dict[str, str]:
    return {k: str(getattr(settings, k)) for k in SHAPING}


def _save_checkpoint(path: Path, net, optimizer, state: dict, shaping: dict[str, str]) -> None:
    tensors = {f"model.{k}": v.detach().contiguous() for k, v in net.state_dict().items()}
    opt = optimizer.state_dict()
    for index, values in opt["state"].items():
        for name, value in values.items():
            tensors[f"opt.{index}.{name}"] = torch.as_tensor(value).contiguous()
    meta = {
        "step": str(state["step"]),
        "elapsed": repr(state["elapsed"]),
        "losses": json.dumps(state["losses"][-500:]),
        "param_groups": json.dumps(opt["param_groups"]),
        "settings": json.dumps(shaping),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path) as tmp:
        save_file(tensors, str(tmp), metadata=meta)


def _load_checkpoint(path: Path, net, optimizer, shaping: dict[str, str]) -> dict:
    """The checkpoint's state, loaded into ``net`` and ``optimizer``.

    Raises:
        UserError: it was made with other settings (resuming would train on under the old
            ones while the weight file claimed the new).
    """
    from safetensors import safe_open

    with safe_open(str(path), framework="pt") as f:
        meta = f.metadata()
    made = json.loads(meta.get("settings", "{}"))
    changed = [
        f"--{k.replace('_', '-')} {made[k]} (now {v})"
        for k, v in shaping.items()
        if k in made and made[k] != v
    ]
    if changed:
        raise UserError(
            f"{path} was made with " + ", ".join(changed) + ": run with those, or start over "
            "with --fresh"
        )
    tensors = load_file(str(path))
    net.load_state_dict({k[6:]: v for k, v in tensors.items() if k.startswith("model.")})
    opt_state: dict = {}
    for key, value in tensors.items():
        if key.startswith("opt."):
            _, index, name = key.split(".", 2)
            opt_state.setdefault(int(index), {})[name] = value
    optimizer.load_state_dict(
        {"state": opt_state, "param_groups": json.loads(meta["param_groups"])}
    )
    return {
        "step": int(meta["step"]),
        "elapsed": float(meta["elapsed"]),
        "losses": json.loads(meta["losses"]),
    }
