"""Network weight files: ``assets/weights/<task>-<arch>.safetensors``.

safetensors holds tensors and a string-to-string header, nothing executable, so loading a
file never runs code from it. The header carries the network config and the training facts
as JSON. Weights are stored as float16 (half the size; inference runs in float32).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file
from torch import nn

from assets import WEIGHTS_DIR
from common.atomic import atomic_path
from common.errors import UserError
from networks.model import ARCH_TASKS, build
from networks.tasks import TASKS
from networks.unet import UNetConfig

FORMAT = "reframe-rt-weights-1"


class WeightsError(UserError):
    """A weight file that is missing, unreadable, or made for another network."""


def weights_path(task: str, arch: str, directory: Path | None = None) -> Path:
    return (directory or WEIGHTS_DIR) / f"{task}-{arch}.safetensors"


def save_weights(
    path: str | os.PathLike[str], net: nn.Module, config: UNetConfig, task: str, facts: dict
) -> None:
    """Write the weights (float16) with the config and training ``facts`` in the header."""
    tensors = {
        k: v.detach().to("cpu", torch.float16).contiguous() for k, v in net.state_dict().items()
    }
    metadata = {
        "format": FORMAT,
        "task": task,
        "residual": json.dumps(task in TASKS and TASKS[task].residual),
        "gated": json.dumps(task in TASKS and TASKS[task].gated),
        "config": json.dumps(config.to_dict()),
        "training": json.dumps(facts),
    }
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path) as tmp:
        save_file(tensors, str(tmp), metadata=metadata)


def check_arch(task: str, arch: str) -> None:
    """Raises WeightsError where ``arch`` is made for other tasks than ``task``."""
    if arch in ARCH_TASKS and task not in ARCH_TASKS[arch]:
        raise WeightsError(f"{arch} is made for {', '.join(ARCH_TASKS[arch])} only, not {task}")


def read_metadata(path: str | os.PathLike[str]) -> dict[str, str]:
    from safetensors import safe_open

    try:
        with safe_open(str(path), framework="pt") as f:
            return f.metadata() or {}
    except (SafetensorError, OSError, ValueError) as error:
        raise WeightsError(f"cannot read weights {path}: {error}") from None


def load_network(
    task: str, arch: str, path: str | os.PathLike[str] | None = None
) -> tuple[nn.Module, dict]:
    """The network for ``task`` and ``arch``, in eval mode, float32, channels-last, and the
    file's metadata (``config`` and ``training`` decoded).

    Raises:
        WeightsError: missing, unreadable or corrupt file, or one made for another task,
            architecture, input width or kind of output (whole image or correction), or
            whose tensors do not fit the config.
    """
    check_arch(task, arch)
    file = Path(path) if path is not None else weights_path(task, arch)
    if not file.exists():
        raise WeightsError(
            f"no weights for {task} with {arch} at {file}: train them with "
            f"'reframe-rt train --task {task} --arch {arch}'"
        )
    meta = read_metadata(file)
    if meta.get("format") != FORMAT:
        raise WeightsError(
            f"{file} is not a reframe-rt weight file (format {meta.get('format')!r})"
        )
    try:
        config_dict = json.loads(meta["config"])
        config = UNetConfig(**{**config_dict, "widths": tuple(config_dict["widths"])})
        training = json.loads(meta.get("training", "{}"))
    except (KeyError, TypeError, json.JSONDecodeError) as error:
        raise WeightsError(f"{file}: unreadable config in its header ({error})") from None
    if meta.get("task") != task or config.arch != arch:
        raise WeightsError(
            f"{file} holds weights for {meta.get('task')} with {config.arch}, "
            f"not {task} with {arch}"
        )
    spec = TASKS.get(task)
    if spec is not None and config.in_channels != spec.in_channels:
        raise WeightsError(
            f"{file} reads {config.in_channels} input channels, but {task} now assembles "
            f"{spec.in_channels}: it was made for an earlier version of the task; train it again"
        )
    # Files from before the header said so: training gave residual networks LeakyReLU.
    try:
        residual = json.loads(meta.get("residual", "null"))
    except json.JSONDecodeError:
        raise WeightsError(f"{file}: unreadable 'residual' in its header") from None
    residual = config.activation == "leaky" if residual is None else bool(residual)
    if spec is not None and residual != spec.residual:
        made, now = (
            ("a correction", "the whole image") if residual else ("the whole image", "a correction")
        )
        raise WeightsError(
            f"{file} was trained to output {made}, but {task} now predicts {now}: it was "
            "made for an earlier version of the task; train it again"
        )
    try:
        gated = bool(json.loads(meta.get("gated", "false")))
    except json.JSONDecodeError:
        raise WeightsError(f"{file}: unreadable 'gated' in its header") from None
    if spec is not None and gated != spec.gated:
        unsure = "where its start is unsure"
        made, now = ("gated", "everywhere") if gated else ("everywhere", unsure)
        raise WeightsError(
            f"{file} was trained with its correction {made}, but {task} now applies it "
            f"{now}: it was made for an earlier version of the task; train it again"
        )
    try:
        tensors = load_file(str(file))
    except (SafetensorError, OSError) as error:
        raise WeightsError(f"cannot read weights {file}: {error}") from None
    try:
        net = build(config)
    except ValueError as error:
        raise WeightsError(f"{file}: unusable config in its header ({error})") from None
    try:
        net.load_state_dict({k: v.float() for k, v in tensors.items()})
    except RuntimeError as error:
        first = str(error).splitlines()[0]
        raise WeightsError(f"{file}: tensors do not fit its config ({first})") from None
    net = net.eval().to(memory_format=torch.channels_last)
    return net, {
        "config": config,
        "training": training,
        **{k: v for k, v in meta.items() if k not in ("config", "training")},
    }
