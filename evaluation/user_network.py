"""A user's own network in place of ours (``--network module.path:factory``): imported,
given its weights, and staged for the cache by :func:`caching.wrap`'s staging on the
task's input."""

from __future__ import annotations

import importlib
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn

from caching.autostage import StagedBase, stage
from common.errors import UserError
from networks.tasks import Task


@dataclass(frozen=True)
class UserNetwork:
    """What ``--network``, ``--weights``, ``--cache-at`` and ``--deep-from`` name."""

    factory: str
    """``module.path:callable``; the callable returns the ``nn.Module``."""
    weights: Path | None = None
    """A safetensors file of its state dict."""
    cache_at: tuple[str, ...] = ()
    deep_from: str | None = None

    @property
    def name(self) -> str:
        return self.factory


def build_user_network(spec: UserNetwork) -> nn.Module:
    """The module ``spec.factory`` returns, with ``spec.weights`` loaded, in eval mode.

    Raises:
        UserError: naming what failed.
    """
    module_name, _, attr = spec.factory.partition(":")
    if not module_name or not attr:
        raise UserError(f"--network {spec.factory!r}: expected module.path:factory")
    # As `python -m` would: the working directory's modules can be named.
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        module = importlib.import_module(module_name)
    except Exception as error:  # any failure of the user's module is theirs to fix
        raise UserError(f"--network: cannot import {module_name}: {error}") from None
    factory = getattr(module, attr, None)
    if not callable(factory):
        raise UserError(f"--network: {module_name} has no callable {attr}")
    try:
        model = factory()
    except Exception as error:
        raise UserError(f"--network: {spec.factory}() failed: {error}") from None
    if not isinstance(model, nn.Module):
        raise UserError(
            f"--network: {spec.factory}() returned {type(model).__name__}, no nn.Module"
        )
    if spec.weights is not None:
        load_weights(model, spec.weights)
    return model.eval()


def load_weights(model: nn.Module, file: Path) -> None:
    from safetensors import SafetensorError
    from safetensors.torch import load_file

    try:
        tensors = load_file(str(file))
    except (SafetensorError, OSError, ValueError) as error:
        raise UserError(f"--weights {file}: {error}") from None
    try:
        model.load_state_dict(tensors, strict=True)
    except RuntimeError as error:
        first = str(error).strip().splitlines()
        raise UserError(
            f"--weights {file} does not fit the network: {' '.join(first[:2])}"
        ) from None


_LAST: dict[tuple, StagedBase] = {}
"""The last network staged, by what staged it: the viewer builds its methods anew on every
change of policy, and a capture takes seconds."""


def load_user_network(
    spec: UserNetwork, task: Task, size: tuple[int, int], cut: int = 1
) -> StagedBase:
    """``spec``'s network staged on ``task``'s input at ``size`` (width, height): float32,
    channels-last, batch 1, as the harness feeds it. The last one staged is kept and given
    again for the same arguments (its weights file unchanged).

    Raises:
        UserError: the network cannot be built, or cannot be staged for this input (the
            self-check included).
    """
    stamp = spec.weights.stat().st_mtime_ns if spec.weights and spec.weights.exists() else None
    key = (spec, task.name, tuple(size), cut, stamp)
    if key not in _LAST:
        _LAST.clear()
        _LAST[key] = _stage(spec, task, size, cut)
    return _LAST[key]


def _stage(spec: UserNetwork, task: Task, size: tuple[int, int], cut: int) -> StagedBase:
    model = build_user_network(spec)
    gen = torch.Generator().manual_seed(0)
    example = torch.rand(1, task.in_channels, size[1], size[0], generator=gen)
    example = example.contiguous(memory_format=torch.channels_last)
    try:
        return stage(
            model,
            example,
            cache_at=list(spec.cache_at) or None,
            deep_from=spec.deep_from,
            cut=1 if spec.cache_at or spec.deep_from else cut,
        )
    except (ValueError, TypeError) as error:
        raise UserError(
            f"--network {spec.factory} for {task.name} (its input: {task.in_channels} "
            f"channels, README 'Your own network'): {error}"
        ) from None
