"""Timing a staged network's full and reuse paths in turn (one machine state for both)."""

from __future__ import annotations

import torch

from caching.autostage.staged import StagedBase
from common.padding import pad_to
from common.timing import paired_median_ms


def full_and_reuse_ms(
    staged: StagedBase, x: torch.Tensor, repeats: int = 10
) -> tuple[float, float]:
    """Median ms of the plain forward and of a reuse frame (top encoder and top decoder on
    features cached from ``x``), timed in turn; on CUDA the kernels' time (CUDA events), not
    their launch's."""
    padded = pad_to(x, staged.alignment)
    with torch.no_grad():
        skips = staged.top_encoder(padded, staged.cut)
        features = staged.deep(skips, staged.cut)

        def reuse() -> torch.Tensor:
            return staged.top_decoder(features, staged.top_encoder(padded, staged.cut), staged.cut)

        return paired_median_ms(lambda: staged(x), reuse, repeats, device=x.device)
