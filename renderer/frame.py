"""The ``Frame``: one rendered image and its G-buffers, as torch tensors."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Any

import torch

from renderer.camera import Camera


@dataclass
class Frame:
    """G-buffers of one frame, each a float32 tensor (C, H, W), row 0 at the top.

    Attributes:
        color: (3, H, W) noisy linear HDR radiance at ``spp`` samples per pixel.
        albedo: (3, H, W) diffuse reflectance (emitters: their normalised color).
        normal: (3, H, W) world-space unit normal facing the camera; zero on background.
        depth: (1, H, W) linear view-space depth (distance along the view axis); zero on
            background.
        motion: (2, H, W) pixels, x right, y down: the surface seen at pixel centre ``p``
            was at ``p + motion`` in the previous frame (camera and object motion).
        prev_depth: (1, H, W) the depth the same surface had in the previous frame; compare
            it with the previous frame's ``depth`` at ``p + motion`` to find disocclusions.
        reference: (3, H, W) converged radiance, or ``None`` if not rendered.
        index: frame number along the path.
        time: scene time in seconds.
        cut: the camera jumped since the previous frame (motion is meaningless there).
        camera: the camera of this frame.
        jitter: sub-pixel sample offset (x, y) in pixels used for this image.
        spp: samples per pixel of ``color``.
        low: the same frame rendered at half resolution with jitter (super-resolution input).
    """

    color: torch.Tensor
    albedo: torch.Tensor
    normal: torch.Tensor
    depth: torch.Tensor
    motion: torch.Tensor
    prev_depth: torch.Tensor
    reference: torch.Tensor | None
    index: int
    time: float
    cut: bool
    camera: Camera
    jitter: tuple[float, float] = (0.0, 0.0)
    spp: int = 1
    low: Frame | None = None

    @classmethod
    def from_buffers(cls, buffers: Mapping[str, torch.Tensor], **facts: Any) -> Frame:
        """A frame of the G-buffers named in ``buffers`` (``reference`` may be missing)
        and ``facts`` (index, time, cut, camera, ...)."""
        names = ("color", "albedo", "normal", "depth", "motion", "prev_depth")
        return cls(**{n: buffers[n] for n in names}, reference=buffers.get("reference"), **facts)

    @property
    def size(self) -> tuple[int, int]:
        """(width, height) in pixels."""
        return int(self.color.shape[-1]), int(self.color.shape[-2])

    def to(self, device: torch.device | str) -> Frame:
        """A copy with every tensor on ``device``."""
        moved = {
            f.name: getattr(self, f.name).to(device)
            for f in fields(self)
            if isinstance(getattr(self, f.name), torch.Tensor)
        }
        low = self.low.to(device) if self.low is not None else None
        return replace(self, **moved, low=low)
