"""Checkpoints of a training run: the network's and the optimizer's state, the step count,
the time spent and the recent losses, in one safetensors file written atomically.

A checkpoint also records the settings that shape the run (:data:`SHAPING`): resuming under
other ones would train on under the old settings while the weight file claimed the new, so
it is refused.
"""

from __future__ import annotations

import json
from pathlib import Path

import torch
from safetensors import safe_open
from safetensors.torch import load_file, save_file

from common.atomic import atomic_path
from common.errors import UserError
from training.settings import TrainSettings

SHAPING = ("scenes", "batch", "learning_rate", "seed", "flip_weight", "unroll", "init")
"""Settings a resumed run must share with its checkpoint (the time budget may grow)."""


def shaping(settings: TrainSettings) -> dict[str, str]:
    """The shaping settings as the checkpoint records them."""
    return {k: str(getattr(settings, k)) for k in SHAPING}


def save_checkpoint(path: Path, net, optimizer, state: dict, settings: TrainSettings) -> None:
    """Write ``net``'s and ``optimizer``'s state and ``state`` (step, elapsed seconds,
    losses: the last 500 kept) to ``path``, replacing it atomically."""
    tensors = {f"model.{k}": v.detach().cpu().contiguous() for k, v in net.state_dict().items()}
    opt = optimizer.state_dict()
    for index, values in opt["state"].items():
        for name, value in values.items():
            tensors[f"opt.{index}.{name}"] = torch.as_tensor(value).cpu().contiguous()
    meta = {
        "step": str(state["step"]),
        "elapsed": repr(state["elapsed"]),
        "losses": json.dumps(state["losses"][-500:]),
        "param_groups": json.dumps(opt["param_groups"]),
        "settings": json.dumps(shaping(settings)),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path) as tmp:
        save_file(tensors, str(tmp), metadata=meta)


def load_checkpoint(path: Path, net, optimizer, settings: TrainSettings) -> dict:
    """The checkpoint's state (step, elapsed seconds, losses), loaded into ``net`` and
    ``optimizer``.

    Raises:
        UserError: it was made with other settings (resuming would train on under the old
            ones while the weight file claimed the new).
    """
    with safe_open(str(path), framework="pt") as f:
        meta = f.metadata()
    made = json.loads(meta.get("settings", "{}"))
    changed = [
        f"--{k.replace('_', '-')} {made[k]} (now {v})"
        for k, v in shaping(settings).items()
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
