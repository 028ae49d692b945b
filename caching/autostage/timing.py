"""Timing a staged network's full and reuse paths in turn (one machine state for both)."""

from __future__ import annotations

import torch

from caching.autostage.staged import StagedBase
from common.padding import pad_to
from common.placement import synchronize
from common.timing import paired_median_ms


def full_and_reuse_ms(
    staged: StagedBase, x: torch.Tensor, repeats: int = 10
) -> tuple[float, float]:
    """Median ms of the plain forward and of a reuse frame (top encoder and top decoder on
    features cached from ``x``), timed in turn; on CUDA each call is waited for, so the
    wall time is the kernels' and not their launch's."""
    padded = pad_to(x, staged.alignment)
    with torch.no_grad():
        skips = staged.top_encoder(padded, staged.cut)
        features = staged.deep(skips, staged.cut)

        def reuse() -> torch.Tensor:
            return staged.top_decoder(features, staged.top_encoder(padded, staged.cut), staged.cut)

        def full() -> torch.Tensor:
            return staged(x)

        return paired_median_ms(waited(full, x.device), waited(reuse, x.device), repeats)


def waited(fn, device: torch.device):
    """``fn`` followed by a wait for ``device``'s queue."""

    def call():
        out = fn()
        synchronize(device)
        return out

    return call
