"""Per-frame files for people to look at: an EXR with the G-buffers, each method's output and
its FLIP map against the reference, and PNG previews (docs/DESIGN.md's names).

Every file is written under a temporary name and renamed, and a frame is redone whenever
any of its files is missing, so an interrupted dump run again ends with exactly the files
of an uninterrupted one.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from PIL import Image

from common.atomic import atomic_path
from common.colormap import magma
from common.tonemap import tonemap
from evaluation.exr import frame_channels, frame_filename, layer_channels, write_exr
from evaluation.runner import FrameResult
from networks.tasks import Task


def preview_names(methods: list[str]) -> list[str]:
    """The ``<image>`` part of a frame's PNG names."""
    return ["input", "reference", *methods, *(f"{m}_flip" for m in methods)]


def frame_files(out: Path, index: int, methods: list[str]) -> list[Path]:
    """Every file the dump writes for a frame."""
    stem = f"frame_{index:04d}"
    return [out / frame_filename(index)] + [out / f"{stem}_{n}.png" for n in preview_names(methods)]


def frame_done(out: Path, index: int, methods: list[str]) -> bool:
    return all(f.exists() for f in frame_files(out, index, methods))


def write_frame(out: Path, result: FrameResult, task: Task) -> None:
    """Write the EXR and the PNG previews of one scored frame (with its FLIP maps)."""
    channels = frame_channels(result.frame)
    for method, image in result.outputs.items():
        channels |= layer_channels(method, image, ("R", "G", "B"))
        channels |= layer_channels(f"{method}_flip", result.flip_maps[method], ("Y",), half=False)
    stem = f"frame_{result.index:04d}"
    previews = {
        "input": tonemap(task.input_image(result.frame, result.history)),
        "reference": tonemap(task.target(result.frame)),
        **{m: tonemap(img) for m, img in result.outputs.items()},
        **{f"{m}_flip": magma(fm) for m, fm in result.flip_maps.items()},
    }
    for name, image in previews.items():
        write_png(out / f"{stem}_{name}.png", image)
    write_exr(out / frame_filename(result.index), channels)


def write_png(path: Path, image: torch.Tensor) -> None:
    """(3, H, W) display values in [0, 1] -> 8-bit PNG, atomically."""
    pixels = (image.detach().clamp(0, 1) * 255.0 + 0.5).to(torch.uint8).permute(1, 2, 0)
    with atomic_path(path) as tmp:
        Image.fromarray(np.ascontiguousarray(pixels.cpu().numpy())).save(tmp, format="PNG")
