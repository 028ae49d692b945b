"""``reframe-rt train``: render training data from random scenes and train a task's network."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from networks.train import TrainSettings, train
from renderer.errors import UserError
from viewer.options import check_positive


@dataclass
class TrainConfig:
    """Render training data from random procedural scenes (never the built-in ones) and train
    the network of a task, within a time budget; checkpoints as it goes and resumes from its
    last checkpoint when run again."""

    task: Literal["denoise", "supersample", "extrapolate"] = "denoise"
    """The task whose network is trained."""
    arch: Literal["unet", "unetpp"] = "unet"
    """Network architecture."""
    minutes: float = 25.0
    """Training time budget (data rendering not included)."""
    scenes: int = 240
    """Random scenes rendered for training (one short camera path each); shared by tasks."""
    batch: int = 8
    """Frames per training step."""
    seed: int = 0
    """Seed of the training run (the data has its own)."""
    learning_rate: float | None = None
    """Peak learning rate (default: 2e-3, 1e-3 for the residual networks)."""
    flip_weight: float = 0.0
    """Weight of a FLIP term in the loss, beside the tone-mapped L1 or squared error."""
    unroll: int | None = None
    """Super-resolution: frames the network runs on before each sample to make its
    previous-output input (default 1)."""
    init: Path | None = None
    """Start from this weight file (same task and architecture) instead of random weights."""
    out: Path | None = None
    """Weight file to write (default: the package's assets/weights/<task>-<arch>.safetensors,
    which eval and the viewer load, wherever the command runs from)."""
    work: Path = Path("out/train")
    """Where the rendered data and the checkpoints go."""
    fresh: bool = False
    """Ignore an existing checkpoint and start over."""
    quiet: bool = False
    """No progress bars."""


def run(cfg: TrainConfig) -> None:
    if cfg.scenes < 2:
        raise UserError(
            f"--scenes must be at least 2 (one is held out to validate), got {cfg.scenes}"
        )
    check_positive("batch", cfg.batch)
    if not cfg.minutes > 0:
        raise UserError(f"--minutes must be positive, got {cfg.minutes}")
    if cfg.flip_weight < 0:
        raise UserError(f"--flip-weight must be 0 or more, got {cfg.flip_weight}")
    path = train(
        TrainSettings(
            task=cfg.task, arch=cfg.arch, minutes=cfg.minutes, scenes=cfg.scenes, batch=cfg.batch,
            seed=cfg.seed, learning_rate=cfg.learning_rate, flip_weight=cfg.flip_weight,
            unroll=cfg.unroll, init=cfg.init, data_dir=cfg.work / "data", work_dir=cfg.work,
            out=cfg.out, resume=not cfg.fresh, quiet=cfg.quiet,
        )
    )  # fmt: skip
    print(f"wrote {path}")
