"""Temporal accumulation of noisy frames: the last few 1-spp images brought into the current
frame by motion vectors and averaged where they saw the same surface.

Each frame's noise is new, so on what stays in view the average of ``n`` frames has the
noise of ``n`` samples per pixel; a denoiser starting from it has far less to guess. The
average is of demodulated shading (color / (albedo + floor)), so that warping, which
resamples, does not smear texture; the current albedo multiplies it back.

It is computed from the frames alone, oldest first, without state: training builds it from
a sequence's frames exactly as playback does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch

from common.warping import backward_warp
from networks.reproject import carried_over
from renderer.frame import Frame


def accumulate(frames: Sequence[Frame], floor: float) -> tuple[torch.Tensor, torch.Tensor]:
    """The mean noisy color of ``frames`` (oldest first) as seen from the last one.

    A frame counts at a pixel if every step from it to the last frame carried the pixel
    over (the same surface visible, or sky in both), and nothing before a cut counts. A
    frame of ``spp`` samples weighs ``spp`` in the mean (its noise has 1/spp of a 1-spp
    frame's variance); frames of equal spp weigh alike.

    Args:
        frames: one or more frames of one sequence, consecutive, oldest first; each with
            ``color`` (3, H, W), ``albedo`` (3, H, W), ``depth``, ``prev_depth``,
            ``motion`` and ``spp`` as rendered.
        floor: added to albedo before dividing by it (the networks' demodulation).

    Returns:
        (3, H, W) linear HDR color, and (1, H, W) how many frames each pixel averages
        (bilinear warps make it fractional at the edges of what was carried over).
    """
    if not frames:
        raise ValueError("accumulate needs at least one frame")
    return add_current(carry(frames[:-1], frames[-1], floor), frames[-1], floor)


@dataclass
class Carried:
    """The frames before the current one, warped into it: the sum of their demodulated
    shading (weighted by spp where their spp differ), how many frames each pixel has and
    what they weigh."""

    total: torch.Tensor | None
    """None: no frame before the current one (the start, or a cut)."""
    count: torch.Tensor | None
    weight: torch.Tensor | None = None
    """None where every frame had ``spp`` samples: ``total`` is then an unweighted sum
    and the weight is ``count * spp``."""
    spp: int = 1


def carry(history: Sequence[Frame], current: Frame, floor: float) -> Carried:
    """What ``history`` (oldest first) brings to ``current``, for :func:`add_current`:
    every warp of the accumulation, none of which reads ``current``'s color, so a frame
    given more samples afterwards pays only the last, cheap step again."""
    spps = {f.spp for f in history}
    uniform = len(spps) <= 1
    total = count = weight = None
    previous = None
    for frame in [*history, current]:
        if previous is not None and not frame.cut:
            kept = carried_over(previous, frame).to(count.dtype)
            parts = [total, count] if weight is None else [total, count, weight]
            both = backward_warp(torch.cat(parts), frame.motion) * kept
            total, count = both[:3], both[3:4]
            weight = None if weight is None else both[4:]
        elif previous is not None:
            total = count = weight = None
        if frame is current:
            break
        shading = frame.color / (frame.albedo + floor)
        if total is None:
            total, count = torch.zeros_like(shading), torch.zeros_like(frame.depth)
            weight = None if uniform else torch.zeros_like(frame.depth)
        total = total + (shading if uniform else shading * frame.spp)
        count = count + 1.0
        if weight is not None:
            weight = weight + float(frame.spp)
        previous = frame
    return Carried(total, count, weight, next(iter(spps)) if uniform and spps else 1)


def add_current(carried: Carried, frame: Frame, floor: float) -> tuple[torch.Tensor, torch.Tensor]:
    """:func:`accumulate`'s result from what :func:`carry` brought and ``frame``."""
    modulation = frame.albedo + floor
    shading = frame.color / modulation
    if carried.total is None:
        return shading * modulation, torch.ones_like(frame.depth)
    count = carried.count + 1.0
    if carried.weight is None and frame.spp == carried.spp:
        return (carried.total + shading) / count * modulation, count
    if carried.weight is None:
        total, weight = carried.total * carried.spp, carried.count * carried.spp
    else:
        total, weight = carried.total, carried.weight
    total = total + shading * frame.spp
    return total / (weight + float(frame.spp)) * modulation, count
