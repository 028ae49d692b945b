"""The three rendering jobs. A task knows its target (the converged reference), its
non-neural baseline, and for the networks: its input channels, how to assemble them from
the current frame and its history, and how to turn the network's output back into linear
HDR color.

Networks work in an albedo-demodulated, log-compressed space: color divided by
``albedo + 0.05`` (texture detail comes from the G-buffer, so the network handles the
smoother illumination), then ``log1p``; ``to_hdr`` undoes both exactly. Every network
predicts a correction (``residual``) to what its first three input channels carry: the
accumulated noisy frames, the guided upsampling, the filled reprojection. A network that
had to rebuild the whole image through its convolutions blurred what its input already had
right (the denoiser on garden ended further from the reference, by FLIP, than its input).

- ``denoise``: the 1-spp color of this frame and the 5 before, warped into this one and
  averaged where they saw the same surface (:mod:`networks.accumulate`), how many frames
  each pixel averages, albedo, normal, depth -> converged color. Baseline: the noisy input.
- ``supersample``: the half-resolution render upsampled along the full-resolution
  G-buffers (:func:`networks.upsample.upsample_guided`), full-resolution albedo, normal and
  depth, and the network's previous output warped by motion vectors -> full-resolution
  color. Baseline: the jitter-aware bilinear upsampling.
- ``extrapolate``: the last shaded frame reprojected (its holes filled from the current
  G-buffers, :mod:`networks.fill`), the current G-buffers, and the two frames before warped
  in by chained warps, with disocclusion masks -> this frame's color without shading it; the
  network's correction is gated to the holes (:class:`Extrapolate`).
  Baseline: plain reprojection (holes filled by a pull-push).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any, Literal, get_args

import torch

from common.warping import backward_warp
from networks.accumulate import Carried, add_current, carry
from networks.fill import reproject_guided
from networks.reproject import carried_over, reproject
from networks.upsample import upsample_guided, upsample_jittered
from renderer.frame import Frame

TaskName = Literal["denoise", "supersample", "extrapolate"]
"""The tasks' names, for type checks and the command line's choices (tyro lists them);
:data:`TASKS` holds a task for each, in this order."""

TASK_NAMES: tuple[TaskName, ...] = get_args(TaskName)
"""The names in order (the viewer's task buttons and keys 1-3)."""

History = Sequence[Frame]
"""Earlier frames of the sequence, oldest first (empty at the start)."""

MODULATION_FLOOR = 0.05
"""Added to albedo before dividing by it: keeps dark and black (sky) pixels finite."""


def modulation(frame: Frame) -> torch.Tensor:
    return frame.albedo + MODULATION_FLOOR


def compress(color: torch.Tensor, frame: Frame) -> torch.Tensor:
    """Linear HDR color -> the networks' space."""
    return to_network_space(color, modulation(frame))


def expand(values: torch.Tensor, frame: Frame) -> torch.Tensor:
    """The networks' space -> linear HDR color (inverse of :func:`compress`)."""
    return from_network_space(values, modulation(frame))


def to_network_space(color: torch.Tensor, modulation: torch.Tensor) -> torch.Tensor:
    """:func:`compress` with the modulation given (batches in training)."""
    return torch.log1p((color / modulation).clamp(min=0.0))


def from_network_space(values: torch.Tensor, modulation: torch.Tensor) -> torch.Tensor:
    """:func:`expand` with the modulation given."""
    return torch.expm1(values.clamp(min=0.0, max=20.0)) * modulation


def geometry_inputs(frame: Frame) -> list[torch.Tensor]:
    """Albedo, normal and compressed depth: 7 channels."""
    return [frame.albedo, frame.normal, torch.log1p(frame.depth) / 4.0]


@dataclass(frozen=True)
class Task:
    name: str
    in_channels: int
    needs_low_res: bool = False
    history: int = 0
    """How many earlier frames the task reads."""
    residual: bool = False
    """The network predicts a correction to input channels 0-2 (the baseline, in the
    networks' space): :meth:`finish` adds them to its output."""
    gated: bool = False
    """A residual network whose correction :meth:`finish` applies only where the start is
    unsure (weight files say whether theirs was trained so)."""
    unroll: int = 0
    """Recurrent tasks (reading the network's previous output): how many frames before a
    training sample the network runs on to make that input (0: not recurrent)."""
    reads_spp: bool = False
    """The input is made from the noisy image, so more samples per pixel improve it (a
    frame budget spends what caching saves on them)."""
    reads_reference: bool = False
    """The input is made from converged images (the half-resolution one, the last frame
    shaded), not only the target: frames without a reference cannot feed it."""

    def target(self, frame: Frame) -> torch.Tensor:
        """(3, H, W) linear HDR: what a perfect answer looks like."""
        if frame.reference is None:
            raise ValueError(f"{self.name}: the frame was rendered without its reference")
        return frame.reference

    def applies(self, frame: Frame, history: History) -> bool:
        """Whether the task makes sense on this frame (extrapolation needs a past)."""
        return True

    def input_image(self, frame: Frame, history: History) -> torch.Tensor:
        """(3, h, w) linear HDR: the image the task starts from, for previews."""
        raise NotImplementedError

    def baseline(self, frame: Frame, history: History) -> torch.Tensor:
        """(3, H, W) linear HDR: the non-neural answer."""
        raise NotImplementedError

    def assemble(
        self, frame: Frame, history: History, previous_output: torch.Tensor | None = None
    ) -> torch.Tensor:
        """(in_channels, H, W): the network's input. ``previous_output`` is the network's
        answer for the previous frame (used by super-resolution)."""
        raise NotImplementedError

    def prepare(
        self, frame: Frame, history: History, previous_output: torch.Tensor | None = None
    ) -> Any:
        """The part of :meth:`assemble` that does not read ``frame.color``; with
        :meth:`complete` it is ``assemble``. A frame given more samples after its input was
        first assembled (a frame budget's top-up) then pays only ``complete`` again."""
        return history, previous_output

    def complete(self, prepared: Any, frame: Frame) -> torch.Tensor:
        """:meth:`assemble`'s result from what :meth:`prepare` made and ``frame``."""
        history, previous_output = prepared
        return self.assemble(frame, history, previous_output)

    def start(self, frame: Frame, history: History) -> torch.Tensor:
        """(3, H, W) linear HDR: what a residual network corrects (its input channels 0-2,
        compressed). The baseline, unless the task prepares something better."""
        return self.baseline(frame, history)

    def finish(self, output: torch.Tensor, inputs: torch.Tensor) -> torch.Tensor:
        """The network's (B, 3, H, W) output on (B, C, H, W) ``inputs`` -> the answer in the
        networks' space."""
        return output + inputs[:, :3] if self.residual else output

    def to_hdr(self, output: torch.Tensor, frame: Frame) -> torch.Tensor:
        """The network's (3, H, W) output -> linear HDR color."""
        return expand(output, frame)


class Denoise(Task):
    def input_image(self, frame: Frame, history: History) -> torch.Tensor:
        return frame.color

    def baseline(self, frame: Frame, history: History) -> torch.Tensor:
        return frame.color

    def assemble(self, frame, history, previous_output=None) -> torch.Tensor:
        # The network starts from the last few noisy frames averaged where they saw the
        # same surface (the noise of several samples per pixel), and is told how many.
        return self.complete(self.prepare(frame, history), frame)

    def prepare(self, frame, history, previous_output=None) -> Carried:
        return carry(history, frame, MODULATION_FLOOR)

    def complete(self, prepared: Carried, frame: Frame) -> torch.Tensor:
        color, count = add_current(prepared, frame, MODULATION_FLOOR)
        return torch.cat(
            [compress(color, frame), *geometry_inputs(frame), count / (self.history + 1)]
        )


class Supersample(Task):
    def input_image(self, frame: Frame, history: History) -> torch.Tensor:
        return _low(frame).reference

    def baseline(self, frame: Frame, history: History) -> torch.Tensor:
        return upsample_jittered(_low(frame).reference, _low(frame).jitter, frame.size)

    def start(self, frame: Frame, history: History) -> torch.Tensor:
        """The half-resolution render upsampled along the full-resolution G-buffers."""
        low = _low(frame)
        return upsample_guided(low.reference, low, frame, MODULATION_FLOOR)

    def assemble(self, frame, history, previous_output=None) -> torch.Tensor:
        upsampled = compress(self.start(frame, history), frame)
        return torch.cat(
            [upsampled, *geometry_inputs(frame), *carried(frame, history, previous_output)]
        )


class Extrapolate(Task):
    """The correction is gated: it applies only within :data:`GATE_RADIUS` pixels of where
    the last frame saw nothing (``unsure``, from input channel :data:`SEEN`). Elsewhere the
    reprojection is exact up to resampling, and an ungated network spent its correction
    there on a faint darkening and noise of the whole image (0.5% and under one 8-bit
    level, measured on temple's still frames): invisible in PSNR (47 dB) and FLIP 0.03,
    twice reprojection's mean over a path. Gated, a still camera gets the reprojection
    exactly."""

    def applies(self, frame: Frame, history: History) -> bool:
        # The first frame and the first frame after a cut have nothing to extrapolate
        # from: a real renderer shades those.
        return bool(history) and not frame.cut

    def input_image(self, frame: Frame, history: History) -> torch.Tensor:
        return history[-1].reference if history else torch.zeros_like(frame.color)

    def baseline(self, frame: Frame, history: History) -> torch.Tensor:
        if not history:
            return torch.zeros_like(frame.color)
        previous = history[-1]
        return reproject(previous.reference, previous, frame)

    def start(self, frame: Frame, history: History) -> torch.Tensor:
        """The last frame reprojected, its holes filled from this frame's G-buffers."""
        if frame.cut or not history:
            return torch.zeros_like(frame.color)
        return self._guided(frame, history[-1], carried_over(history[-1], frame))

    def finish(self, output: torch.Tensor, inputs: torch.Tensor) -> torch.Tensor:
        return inputs[:, :3] + unsure(inputs) * output

    def _guided(self, frame: Frame, one_back: Frame, seen: torch.Tensor) -> torch.Tensor:
        return reproject_guided(
            one_back.reference, one_back, frame, modulation(frame), seen, modulation(one_back)
        )

    def assemble(self, frame, history, previous_output=None) -> torch.Tensor:
        # The reprojected previous frame (holes filled) is what the network corrects; the
        # mask says where it was reprojected and where filled. The frames before that,
        # brought in by chained warps, show some of what the last one hid.
        shot = _same_shot(frame, history)
        chain = [*shot, frame]
        # Where each frame of the chain shows what the one before it saw: each mask is
        # computed once, the last (the fill's too) for all of them.
        kept = [carried_over(a, b) for a, b in pairwise(chain)]
        if not shot:
            channels = [torch.zeros_like(frame.color), *geometry_inputs(frame)]
            channels.append(torch.zeros_like(frame.depth))
        else:
            base = compress(self._guided(frame, shot[-1], kept[-1]), frame)
            channels = [base, *geometry_inputs(frame), kept[-1].to(frame.depth.dtype)]
        for back in range(2, OLDER + 2):
            if len(shot) < back:
                channels += [torch.zeros_like(frame.color), torch.zeros_like(frame.depth)]
                continue
            first = len(shot) - back
            shading = chain[first].reference / modulation(chain[first])
            valid = torch.ones_like(frame.depth)
            for i in range(first + 1, len(chain)):  # warped forward one frame at a time
                shading = backward_warp(shading, chain[i].motion)
                mask = kept[i - 1].to(frame.depth.dtype)
                valid = backward_warp(valid, chain[i].motion, mode="nearest") * mask
            channels += [torch.log1p(shading.clamp(min=0.0)) * valid, valid]
        return torch.cat(channels)


SEEN = 10
"""Extrapolation's input channel that is 1 where the last frame was reprojected."""
OLDER = 2
"""Frames before the last one that extrapolation's input brings in (shading and mask)."""
GATE_RADIUS = 2
"""Pixels around a hole where extrapolation's correction applies: its seam included."""


def unsure(inputs: torch.Tensor) -> torch.Tensor:
    """(B, 1, H, W): 1 within :data:`GATE_RADIUS` pixels of where extrapolation's
    ``inputs`` (B, C, H, W) were not reprojected, 0 elsewhere."""
    holes = 1.0 - inputs[:, SEEN : SEEN + 1]
    size = 2 * GATE_RADIUS + 1
    return torch.nn.functional.max_pool2d(holes, size, stride=1, padding=GATE_RADIUS)


def _same_shot(frame: Frame, history: History) -> list[Frame]:
    """The last ``OLDER + 1`` frames of ``history`` that are of ``frame``'s shot, oldest
    first (none after a cut)."""
    shot: list[Frame] = []
    after = frame
    for earlier in reversed(history[-(OLDER + 1) :]):
        if after.cut:
            break
        shot.insert(0, earlier)
        after = earlier
    return shot


def carried(
    frame: Frame, history: History, previous_output: torch.Tensor | None
) -> list[torch.Tensor]:
    """The previous output warped into this frame (compressed, zero where disoccluded) and
    its validity mask: 4 channels. Nothing is carried across a cut (another shot)."""
    if previous_output is None or not history or frame.cut:
        return [torch.zeros_like(frame.color), torch.zeros_like(frame.depth)]
    warped = backward_warp(previous_output, frame.motion)
    valid = _valid(frame, history[-1])
    return [compress(warped, frame) * valid, valid]


def _valid(frame: Frame, previous: Frame) -> torch.Tensor:
    return carried_over(previous, frame).to(frame.depth.dtype)


TASKS: dict[TaskName, Task] = {
    "denoise": Denoise("denoise", in_channels=11, history=5, residual=True, reads_spp=True),
    "supersample": Supersample(
        "supersample",
        in_channels=14,
        needs_low_res=True,
        history=1,
        residual=True,
        unroll=1,
        reads_reference=True,
    ),
    "extrapolate": Extrapolate(
        "extrapolate",
        in_channels=11 + 4 * OLDER,
        history=OLDER + 1,
        residual=True,
        gated=True,
        reads_reference=True,
    ),
}
if tuple(TASKS) != TASK_NAMES:  # one registry: a task added to one must be in the other
    raise AssertionError(f"TASKS {tuple(TASKS)} and TaskName {TASK_NAMES} disagree")


def _low(frame: Frame) -> Frame:
    if frame.low is None or frame.low.reference is None:
        raise ValueError("supersample needs the half-resolution render with its reference")
    return frame.low
