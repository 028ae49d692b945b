"""The three rendering jobs. Each task knows what it must produce for a frame (the converged
reference, at full resolution) and its non-neural baseline; the network inputs join them in
the networks issue.

- ``denoise``: 1-spp color -> converged color. Baseline: the noisy input.
- ``supersample``: the half-resolution render (jittered) -> full resolution. Baseline:
  bilinear upsampling that honours the jitter.
- ``extrapolate``: the previous shaded frames -> this frame, without shading it. Baseline:
  the last shaded frame reprojected by motion vectors, holes filled.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from networks.reproject import reproject
from renderer.frame import Frame

History = Sequence[Frame]
"""Earlier frames of the sequence, oldest first (empty at the start)."""


@dataclass(frozen=True)
class Task:
    name: str
    needs_low_res: bool = False
    history: int = 0
    """How many earlier frames the task reads."""

    def target(self, frame: Frame) -> torch.Tensor:
        """(3, H, W) linear HDR: what a perfect answer looks like."""
        if frame.reference is None:
            raise ValueError(f"{self.name}: the frame was rendered without its reference")
        return frame.reference

    def input_image(self, frame: Frame, history: History) -> torch.Tensor:
        """(3, h, w) linear HDR: the image the task starts from, for previews."""
        raise NotImplementedError

    def applies(self, frame: Frame, history: History) -> bool:
        """Whether the task makes sense on this frame (extrapolation needs a past)."""
        return True

    def baseline(self, frame: Frame, history: History) -> torch.Tensor:
        """(3, H, W) linear HDR: the non-neural answer."""
        raise NotImplementedError


class Denoise(Task):
    def input_image(self, frame: Frame, history: History) -> torch.Tensor:
        return frame.color

    def baseline(self, frame: Frame, history: History) -> torch.Tensor:
        return frame.color


class Supersample(Task):
    def input_image(self, frame: Frame, history: History) -> torch.Tensor:
        return _low(frame).reference

    def baseline(self, frame: Frame, history: History) -> torch.Tensor:
        return upsample_jittered(_low(frame).reference, _low(frame).jitter, frame.size)


class Extrapolate(Task):
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


TASKS: dict[str, Task] = {
    "denoise": Denoise("denoise"),
    "supersample": Supersample("supersample", needs_low_res=True),
    "extrapolate": Extrapolate("extrapolate", history=1),
}


def upsample_jittered(
    low: torch.Tensor, jitter: tuple[float, float], size: tuple[int, int]
) -> torch.Tensor:
    """Bilinear upsampling of a (C, h, w) image whose pixel centres were sampled at
    ``+jitter`` (low-res pixels), to (C, H, W) = ``size`` (width, height)."""
    width, height = size
    _, h, w = low.shape
    # Full-res pixel centre X sits at low-res coordinate X * w / W; the low image's sample i
    # sits at i + 0.5 + jitter. grid_sample's align_corners=False puts sample i at i + 0.5.
    xs = (torch.arange(width, dtype=low.dtype) + 0.5) * (w / width) - jitter[0]
    ys = (torch.arange(height, dtype=low.dtype) + 0.5) * (h / height) - jitter[1]
    grid = torch.stack(torch.meshgrid(ys / h * 2 - 1, xs / w * 2 - 1, indexing="ij")[::-1], dim=-1)
    out = F.grid_sample(
        low.unsqueeze(0),
        grid.unsqueeze(0),
        mode="bilinear",
        padding_mode="border",
        align_corners=False,
    )
    return out[0]


def _low(frame: Frame) -> Frame:
    if frame.low is None or frame.low.reference is None:
        raise ValueError("supersample needs the half-resolution render with its reference")
    return frame.low
