"""What the main image can show, each as display sRGB in [0, 1], and the conversion to the
bytes a texture takes. Network outputs and the reference use the one tone mapping of the
metrics, so what is seen is what is scored."""

from __future__ import annotations

import numpy as np
import torch

from common.srgb import linear_to_srgb
from common.tonemap import tonemap
from networks.tasks import TASKS
from viewer.app.inference import Result

MOTION_SCALE = 16.0
"""Pixels of motion that saturate the motion view."""


@torch.inference_mode()
def view_image(mode: str, result: Result) -> torch.Tensor | None:
    """(3, H, W) sRGB for view ``mode`` of ``result``; ``None`` when it has no such image."""
    frame = result.job.frame
    if mode == "cached":
        image = result.cached
        return None if image is None else tonemap(image)
    if mode == "full":
        image = result.outputs.get("full")
        return None if image is None else tonemap(image)
    if mode == "reference":
        return None if frame.reference is None else tonemap(frame.reference)
    if mode == "input":
        task = TASKS[result.job.config.task]
        try:
            return tonemap(task.input_image(frame, result.history))
        except ValueError:
            return None
    if mode == "albedo":
        return linear_to_srgb(frame.albedo)
    if mode == "normal":
        return frame.normal * 0.5 + 0.5
    if mode == "depth":
        depth = frame.depth / frame.depth.max().clamp(min=1e-6)
        return depth.expand(3, -1, -1)
    if mode == "motion":
        m = (frame.motion / MOTION_SCALE * 0.5 + 0.5).clamp(0.0, 1.0)
        return torch.cat([m, torch.full_like(m[:1], 0.5)])
    if mode == "heatmap":
        return result.flip_map
    raise ValueError(f"unknown view {mode!r}")


def to_bytes(image: torch.Tensor) -> np.ndarray:
    """(3, H, W) in [0, 1] -> (H, W, 3) uint8, row 0 at the top."""
    scaled = (image.clamp(0.0, 1.0) * 255.0 + 0.5).to(torch.uint8)
    return np.ascontiguousarray(scaled.permute(1, 2, 0).cpu().numpy())


def to_rgba8(image: torch.Tensor) -> torch.Tensor:
    """(3, H, W) in [0, 1] -> (H, W, 4) uint8 on the image's device (alpha 255), rounded as
    :func:`to_bytes` rounds: what an RGBA texture shared with CUDA takes."""
    scaled = (image.clamp(0.0, 1.0) * 255.0 + 0.5).to(torch.uint8)
    alpha = torch.full_like(scaled[:1], 255)
    return torch.cat([scaled, alpha]).permute(1, 2, 0).contiguous()
