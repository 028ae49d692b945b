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

import torch

from common.warping import backward_warp
from networks.reproject import carried_over
from renderer.frame import Frame


def accumulate(frames: Sequence[Frame], floor: float) -> tuple[torch.Tensor, torch.Tensor]:
    """The mean noisy color of ``frames`` (oldest first) as seen from the last one.

    A frame counts at a pixel if every step from it to the last frame carried the pixel
    over (the same surface visible, or sky in both), and nothing before a cut counts.

    Args:
        frames: one or more frames of one sequence, consecutive, oldest first; each with
            ``color`` (3, H, W), ``albedo`` (3, H, W), ``depth``, ``prev_depth`` and
            ``motion`` as rendered.
        floor: added to albedo before dividing by it (the networks' demodulation).

    Returns:
        (3, H, W) linear HDR color, and (1, H, W) how many frames each pixel averages
        (bilinear warps make it fractional at the edges of what was carried over).
    """
    if not frames:
        raise ValueError("accumulate needs at least one frame")
    total = torch.zeros_like(frames[0].color)
    count = torch.zeros_like(frames[0].depth)
    previous = None
    for frame in frames:
        if previous is not None and not frame.cut:
            kept = carried_over(previous, frame).to(count.dtype)
            both = backward_warp(torch.cat([total, count]), frame.motion) * kept
            total, count = both[:3], both[3:]
        elif previous is not None:
            total, count = torch.zeros_like(total), torch.zeros_like(count)
        total = total + frame.color / (frame.albedo + floor)
        count = count + 1.0
        previous = frame
    last = frames[-1]
    return total / count * (last.albedo + floor), count
