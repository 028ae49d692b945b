"""What a training run is told: the ``reframe-rt train`` command's options, as one dataclass.

The command line is made from this class (tyro reads each field's docstring as its help),
and the training loop reads it as is, so an option cannot exist on one side only.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from networks.model import ArchName
from networks.tasks import TaskName


@dataclass
class TrainSettings:
    """Render training data from random procedural scenes (never the built-in ones) and train
    the network of a task, within a time budget; checkpoints as it goes and resumes from its
    last checkpoint when run again."""

    task: TaskName = "denoise"
    """The task whose network is trained."""
    arch: ArchName = "unet"
    """Network architecture (extranet: extrapolation only)."""
    minutes: float = 25.0
    """Training time budget (data rendering not included)."""
    scenes: int = 240
    """Random scenes rendered for training (one short camera path each); shared by tasks."""
    batch: int = 8
    """Frames per training step."""
    seed: int = 0
    """Seed of the training run (the data has its own)."""
    learning_rate: float | None = None
    """Peak learning rate (default: 2e-3, 1e-3 for the residual networks, whose corrections
    are small)."""
    flip_weight: float = 0.0
    """Weight of a FLIP term in the loss (the mean LDR-FLIP of the tone-mapped output against
    the reference), beside the tone-mapped L1 or squared error; 0: none."""
    unroll: int | None = None
    """Super-resolution: frames the network runs on before each sample to make its
    previous-output input (default: the task's own, 1)."""
    init: Path | None = None
    """Start from this weight file (same task and architecture) instead of random weights;
    its training facts are kept in the new file's header."""
    out: Path | None = None
    """Weight file to write (default: the package's assets/weights/<task>-<arch>.safetensors,
    which eval and the viewer load, wherever the command runs from)."""
    work: Path = Path("out/train")
    """Where the checkpoints go, and the rendered data unless --data is given."""
    data: Path | None = None
    """Where the rendered training data goes (default: <work>/data); shared by tasks."""
    checkpoint_seconds: float = 120.0
    """Seconds between checkpoints (one is written at the end and on Ctrl-C too)."""
    device: str = "auto"
    """Where the network trains (auto: CUDA when torch sees a GPU, else the CPU; cpu, cuda,
    cuda:N). The data is rendered and assembled on the CPU and sent over per batch."""
    fresh: bool = False
    """Ignore an existing checkpoint and start over."""
    quiet: bool = False
    """No progress bars."""

    @property
    def data_dir(self) -> Path:
        """Where the rendered data is read from and written to."""
        return self.work / "data" if self.data is None else self.data
