"""OpenEXR files of frames: docs/DESIGN.md's channel names, written atomically.

Each G-buffer is stored at the precision the renderer makes it, so that a sequence read
back (``evaluation.frames_dir``) is the frames as rendered, bit for bit: the noisy color
and the albedo as half floats (their render targets are half), the reference, normals,
depths and motion vectors as 32-bit floats.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import OpenEXR
import torch

from common.atomic import atomic_path
from renderer.frame import Frame

RGB = ("R", "G", "B")
XYZ = ("X", "Y", "Z")
FRAME_LAYERS = {
    "color": RGB,
    "reference": RGB,
    "albedo": RGB,
    "normal": XYZ,
    "depth": ("Z",),
    "motion": ("X", "Y"),
    "prev_depth": ("Z",),
}
_FULL_PRECISION = {"reference", "normal", "depth", "motion", "prev_depth"}
JITTER = "reframe_rt.jitter"
"""Header attribute: the image's sub-pixel sample offset (x y, pixels), where not zero."""


def frame_filename(index: int) -> str:
    return f"frame_{index:04d}.exr"


def layer_channels(
    layer: str, image: torch.Tensor, suffixes: tuple[str, ...], half: bool = True
) -> dict[str, np.ndarray]:
    """EXR channels ``layer.<suffix>`` of a (C, H, W) image."""
    if image.shape[0] != len(suffixes):
        raise ValueError(f"{layer}: {image.shape[0]} channels for {len(suffixes)} names")
    dtype = np.float16 if half else np.float32
    data = image.detach().to("cpu", torch.float32).numpy()
    return {
        f"{layer}.{s}": np.ascontiguousarray(data[i], dtype=dtype) for i, s in enumerate(suffixes)
    }


def frame_channels(frame: Frame) -> dict[str, np.ndarray]:
    """The G-buffer channels of a frame (``reference`` only if it was rendered)."""
    out: dict[str, np.ndarray] = {}
    for layer, suffixes in FRAME_LAYERS.items():
        image = getattr(frame, layer)
        if image is not None:
            out |= layer_channels(layer, image, suffixes, half=layer not in _FULL_PRECISION)
    return out


def write_exr(
    path: str | os.PathLike[str],
    channels: dict[str, np.ndarray],
    attributes: dict[str, str] | None = None,
) -> None:
    """Write ZIP-compressed scanlines (with string header ``attributes``); the file appears
    complete or not at all."""
    header = {"compression": OpenEXR.ZIP_COMPRESSION, "type": OpenEXR.scanlineimage}
    header |= attributes or {}
    with atomic_path(path) as tmp:
        # OpenEXR.File replaces the arrays in the dict it gets by Channel objects: copy it.
        OpenEXR.File(header, dict(channels)).write(str(tmp))


def read_exr(path: str | os.PathLike[str]) -> dict[str, np.ndarray]:
    """Every channel of an EXR file as an (H, W) array."""
    return read_exr_header(path)[0]


def read_exr_header(path: str | os.PathLike[str]) -> tuple[dict[str, np.ndarray], dict]:
    """Every channel of an EXR file as an (H, W) array, and its header."""
    with OpenEXR.File(str(Path(path)), separate_channels=True) as f:
        channels = {name: np.array(ch.pixels) for name, ch in f.channels().items()}
        return channels, dict(f.header())


def jitter_attribute(jitter: tuple[float, float]) -> dict[str, str]:
    """The header attribute of a jittered image (none for (0, 0)); exact as text."""
    return {JITTER: f"{jitter[0]!r} {jitter[1]!r}"} if any(jitter) else {}


def exr_layout(path: str | os.PathLike[str]) -> tuple[tuple[int, int], set[str]]:
    """((width, height), channel names) of an EXR file, from its header alone."""
    with OpenEXR.File(str(Path(path)), header_only=True) as f:
        header = f.header()
        low, high = (np.asarray(v) for v in header["dataWindow"])
        names = {c.name for c in header["channels"]}
    return (int(high[0] - low[0] + 1), int(high[1] - low[1] + 1)), names
