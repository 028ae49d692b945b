"""The per-frame image metrics of every evaluation, all on tone-mapped images (the one tone
mapping of ``common.tonemap``): PSNR, SSIM and LDR-FLIP."""

from __future__ import annotations

from dataclasses import dataclass

import torch

from common.metrics.flip import flip
from common.metrics.psnr import psnr
from common.metrics.ssim import ssim
from common.tonemap import tonemap


@dataclass(frozen=True)
class Scores:
    psnr: float
    ssim: float
    flip: float


def compare(
    images: torch.Tensor, reference: torch.Tensor, flip_maps: bool = False
) -> tuple[list[Scores], torch.Tensor | None]:
    """Score linear HDR ``images`` (N, 3, H, W) against one linear HDR ``reference``
    (3, H, W), in a single batch.

    Returns:
        The scores of each image, and with ``flip_maps`` their FLIP maps (N, 1, H, W).
    """
    test = tonemap(images)
    ref = tonemap(reference).unsqueeze(0).expand_as(test)
    p = psnr(test, ref)
    s = ssim(test, ref)
    maps, f = flip(test, ref)
    # One transfer for all of them (on a GPU each read waits for the queue).
    table = torch.stack([p, s, f], dim=1).tolist()
    scores = [Scores(a, b, c) for a, b, c in table]
    return scores, (maps if flip_maps else None)
