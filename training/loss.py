"""The training loss: tone-mapped output against tone-mapped reference (the space the
metrics see).

L1 for a network that outputs the whole image. The residual networks (all three shipped
ones) use squared error there, plus squared error in the networks' own (log) space. Their
start is already close and what is left is partly reference noise no input predicts: L1's
sign-only gradient then sits at a zero correction (measured: one batch of super-resolution,
100 steps, L1 -0.3%, squared error -44%). The log-space term has no clamp, so a step that
throws the output out of range is pulled back (measured: without it a 22-minute run ended at
5 dB, its output clamped to black with no gradient left). ``flip_weight`` adds the mean FLIP
of the tone-mapped images, the metric the denoiser is judged by and L1 underweights
(blotches, fringes at edges).
"""

from __future__ import annotations

import torch

from common.metrics.flip import flip
from common.tonemap import tonemap
from networks.tasks import from_network_space, to_network_space

FLIP_EPS = 1e-6
"""Keeps FLIP's gradients finite where two pixels agree (see :func:`common.metrics.flip.flip`)."""


def loss_fn(
    pred: torch.Tensor,
    target: torch.Tensor,
    modulation: torch.Tensor,
    residual: bool = False,
    flip_weight: float = 0.0,
) -> torch.Tensor:
    """(B, 3, H, W) each: ``pred`` in the networks' space, ``target`` linear HDR. L1 in
    tone-mapped space; for residual networks squared error there plus in log space; plus
    ``flip_weight`` times the mean FLIP of the tone-mapped images."""
    shown, wanted = tonemap(from_network_space(pred, modulation)), tonemap(target)
    error = shown - wanted
    if not residual:
        loss = error.abs().mean()
    else:
        loss = error.square().mean() + (pred - to_network_space(target, modulation)).square().mean()
    if flip_weight:
        loss = loss + flip_weight * flip(shown, wanted, eps=FLIP_EPS)[1].mean()
    return loss
