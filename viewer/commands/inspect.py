"""``reframe-rt inspect``: wrap your own network for the cache and print what it gives,
with no renderer: the report, the full and reuse times and the speedup ceiling."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import torch
import tyro

from caching.autostage import stage
from caching.autostage.timing import full_and_reuse_ms
from common.errors import UserError
from evaluation.user_network import UserNetwork, build_user_network
from viewer.options import DeviceOptions, check_positive


@dataclass
class InspectConfig(DeviceOptions):
    """Wrap --network for the layer cache on a random input of --input's shape and print
    the report (capture route, cached tensors, FLOPs per stage, hazards, self-check), the
    full and reuse times and the speedup ceiling."""

    network: Annotated[str, tyro.conf.arg(metavar="MODULE:FACTORY")]
    """A callable returning your nn.Module, e.g. mypkg.models:make_unet."""
    input: Annotated[str, tyro.conf.arg(metavar="BxCxHxW")] = "1x3x360x640"
    """The input's shape."""
    weights: Annotated[Path | None, tyro.conf.arg(metavar="FILE")] = None
    """A .safetensors state dict."""
    cache_at: Annotated[str | None, tyro.conf.arg(metavar="NAME[,NAME]")] = None
    """Module(s) whose output is cached (default: found from the graph)."""
    deep_from: Annotated[str | None, tyro.conf.arg(metavar="NAME")] = None
    """First module of the deep part (instead of --cache-at)."""
    cut: int = 1
    """Without --cache-at and --deep-from: the down-sampling level the deep part starts at."""
    alignment: int | None = None
    """Inputs are padded to multiples of this (default: inferred)."""
    repeats: int = 10
    """Timed runs of each path (medians, in turn)."""


def parse_shape(text: str) -> tuple[int, int, int, int]:
    match = re.fullmatch(r"\s*(\d+)x(\d+)x(\d+)x(\d+)\s*", text)
    if not match or 0 in (shape := tuple(int(g) for g in match.groups())):
        raise UserError(f"--input {text!r}: expected BxCxHxW with positive sizes, e.g. 1x3x360x640")
    return shape  # type: ignore[return-value]


def run(cfg: InspectConfig) -> None:
    shape = parse_shape(cfg.input)
    check_positive("repeats", cfg.repeats)
    names = tuple(n.strip() for n in (cfg.cache_at or "").split(",") if n.strip())
    if cfg.weights is not None and not cfg.weights.is_file():
        raise UserError(f"--weights {cfg.weights}: no such file")
    model = build_user_network(UserNetwork(cfg.network, cfg.weights, names, cfg.deep_from))
    gen = torch.Generator().manual_seed(0)
    x = torch.rand(*shape, generator=gen).contiguous(memory_format=torch.channels_last)
    try:
        staged = stage(
            model, x, cache_at=list(names) or None, deep_from=cfg.deep_from, cut=cfg.cut,
            alignment=cfg.alignment,
        )  # fmt: skip
    except (ValueError, TypeError) as error:
        raise UserError(f"--network {cfg.network}: {error}") from None
    device, dtype = cfg.placement()
    staged = staged.to(device=device, dtype=dtype)
    full, reuse = full_and_reuse_ms(staged, x.to(device=device, dtype=dtype), cfg.repeats)
    print(staged.report)
    print(
        f"time at {shape[3]}x{shape[2]} on {device} at {cfg.precision} (median of "
        f"{cfg.repeats}, in turn): full {full:.1f} ms, "
        f"reuse {reuse:.1f} ms, reuse/full {reuse / full:.2f}; speedup ceiling "
        f"{full / reuse:.2f}x (every frame reused)"
    )
