"""Whether a sequence's motion vectors mean what ours mean, and where they cannot explain a
frame (a camera cut), judged by warping the previous frame with them.

Our convention (docs/DESIGN.md): the surface seen at pixel centre ``p`` was at
``p + motion`` in the previous frame, in pixels, x right, y down. Another renderer's
vectors may point the other way or have y up; warping the previous image by the vectors
as given, and by the same with a component negated, shows which one the frames agree with.
"""

from __future__ import annotations

import torch

from common.warping import backward_warp
from renderer.frame import Frame

MOVING_PX = 0.5
"""A pixel moves when its vector is at least this long..."""
MOVING_SHARE = 0.05
"""...and a frame moves when this share of its pixels do."""
FLIPPED_BY = 0.8
"""A flipped field's warp must beat the given one by this factor (error ratio)."""
CUT_ERROR = 0.5
"""A frame the previous one, warped by its vectors, misses by more than this share of the
image's mean magnitude is a cut: the vectors cannot explain it."""
FLIPS = {"x and y": (-1.0, -1.0), "y": (1.0, -1.0), "x": (-1.0, 1.0)}
"""The sign changes tried, by what they negate."""


def _image(frame: Frame) -> torch.Tensor:
    return frame.reference if frame.reference is not None else frame.color


def warp_error(previous: Frame, frame: Frame, signs=(1.0, 1.0), where=None) -> float:
    """Mean absolute difference between ``frame``'s image and the previous one warped by
    its motion (each component times ``signs``), over ``where`` (all pixels by default)."""
    scale = torch.tensor(signs, dtype=frame.motion.dtype, device=frame.motion.device)
    warped = backward_warp(_image(previous), frame.motion * scale.view(2, 1, 1))
    error = (warped - _image(frame)).abs().mean(0)
    return float(error[where].mean() if where is not None else error.mean())


def moving_pixels(frame: Frame) -> torch.Tensor | None:
    """(H, W) bool of the pixels that move, or None where too few do to judge by."""
    moving = frame.motion.norm(dim=0) >= MOVING_PX
    return moving if float(moving.float().mean()) >= MOVING_SHARE else None


def flipped(pairs: list[tuple[Frame, Frame]]) -> tuple[str, int, int, float, float] | None:
    """The flip the moving frames of ``pairs`` (previous, frame) agree with better than
    with the vectors as given, on most of them: (what it negates, frames it wins, moving
    frames, its mean error, the given one's); None where the given vectors hold."""
    verdicts = []
    for previous, frame in pairs:
        moving = moving_pixels(frame)
        if moving is None or frame.cut:
            continue
        given = warp_error(previous, frame, where=moving)
        errors = {name: warp_error(previous, frame, signs, moving) for name, signs in FLIPS.items()}
        best = min(errors, key=errors.get)
        verdicts.append((best if errors[best] < FLIPPED_BY * given else None, errors[best], given))
    if not verdicts:
        return None
    for name in FLIPS:
        won = [v for v in verdicts if v[0] == name]
        if len(won) * 2 > len(verdicts):
            mean = sum(v[1] for v in won) / len(won)
            return name, len(won), len(verdicts), mean, sum(v[2] for v in won) / len(won)
    return None


def is_cut(previous: Frame, frame: Frame) -> bool:
    """The previous frame warped by ``frame``'s vectors misses it by more than
    :data:`CUT_ERROR` of its mean magnitude."""
    scale = float(_image(frame).abs().mean())
    return warp_error(previous, frame) > CUT_ERROR * max(scale, 1e-6)
