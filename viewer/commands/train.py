"""``reframe-rt train``: render training data from random scenes and train a task's network.

The command's options are :class:`training.settings.TrainSettings` itself (its fields'
docstrings are the help), handed to the training loop as they are.
"""

from __future__ import annotations

from common.errors import UserError
from training.loop import train
from training.settings import TrainSettings
from viewer.options import check_positive


def run(cfg: TrainSettings) -> None:
    """Refuse settings that cannot train before anything is rendered, then train."""
    if cfg.scenes < 2:
        raise UserError(
            f"--scenes must be at least 2 (one is held out to validate), got {cfg.scenes}"
        )
    check_positive("batch", cfg.batch)
    if not cfg.minutes > 0:
        raise UserError(f"--minutes must be positive, got {cfg.minutes}")
    if cfg.flip_weight < 0:
        raise UserError(f"--flip-weight must be 0 or more, got {cfg.flip_weight}")
    path = train(cfg)
    print(f"wrote {path}")
