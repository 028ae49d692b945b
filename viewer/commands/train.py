"""``reframe-rt train``: render training data from random scenes and train a task's network."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from networks.train import TrainSettings, train
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
    out: Path | None = None
    """Weight file to write (default: assets/weights/<task>-<arch>.safetensors)."""
    work: Path = Path("out/train")
    """Where the rendered data and the checkpoints go."""
    fresh: bool = False
    """Ignore an existing checkpoint and start over."""
    quiet: bool = False
    """No progress bars."""


def run(cfg: TrainConfig) -> None:
    check_positive("scenes", cfg.scenes)
    check_positive("batch", cfg.batch)
    path = train(
        TrainSettings(
            task=cfg.task, arch=cfg.arch, minutes=cfg.minutes, scenes=cfg.scenes, batch=cfg.batch,
            seed=cfg.seed, data_dir=cfg.work / "data", work_dir=cfg.work, out=cfg.out,
            resume=not cfg.fresh, quiet=cfg.quiet,
        )
    )  # fmt: skip
    print(f"wrote {path}")
