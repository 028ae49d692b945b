"""Frames from a directory of EXR files (``--frames-dir``): another renderer's G-buffers, or
ours as ``reframe-rt render`` writes them, played like a path.

One multi-layer EXR per frame, in natural name order (``frame_2`` before ``frame_10``).
Layers are ours by name (``color``, ``reference``, ``albedo``, ``normal``, ``depth``,
``motion``, ``prev_depth``: ``evaluation.exr``), or mapped from another renderer's names
(``--channel-map``). Beside the frames, ``path.json`` (our camera-path format) gives each
frame's camera, time and cut; ``low/`` holds the half-resolution frames super-resolution
reads, each with its jitter in the header. A frame read back from what ``render`` wrote is
the frame as rendered, bit for bit, down to the memory layout of its tensors (the layout
the renderer's transfer gives), so everything computed from it is too.

Bad input is named, never guessed: an empty directory, a missing layer or a frame of
another size (any frame's: the headers are read first), a sidecar of another length,
motion vectors that point another way than ours (``evaluation.motion_check``, on the
first frames) stop with one line before anything runs or is written; a NaN or an
infinity is a warning naming the frame and the layer (the cache refreshes on such a
frame, as on ours). Without a sidecar, a frame its motion
vectors cannot explain is a cut.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path

import numpy as np
import torch

from common.errors import UserError
from evaluation.conventions import BLENDER_NAMES, axis_depth, blender_to_ours
from evaluation.exr import FRAME_LAYERS, JITTER, exr_layout, read_exr_header
from evaluation.motion_check import flipped, is_cut
from renderer.camera import Camera
from renderer.errors import PathError
from renderer.frame import Frame
from renderer.path import CameraPath, PathFrame, load_path

CHECKED = 8
"""Frames from the start whose motion vectors are checked against ours before a run."""
SIDECAR = "path.json"
"""Beside the frames: their cameras, times and cuts, in our camera-path format."""
LOW_DIR = "low"
"""Beside the frames: the half-resolution frames, same names."""
REQUIRED = ("color", "albedo", "normal", "depth", "motion", "prev_depth")
"""The layers every frame must have; ``reference`` is optional."""
TEXTURES = (
    ("color",),
    ("albedo",),
    ("normal", "depth"),
    ("motion", "prev_depth"),
    ("reference",),
)
"""Layers packed into one 4-channel image as the renderer's render targets pack them: the
frame's tensors are views of those, so they have the renderer's memory layout."""
DERIVED_JITTER = (-0.25, -0.25)
"""A half-resolution frame made of every other pixel, from pixel (0, 0): its pixel i shows
full-resolution pixel 2i, whose centre lies at i + 0.25 in half-resolution pixels, so its
samples are offset by -0.25 from their own pixel centres (``Frame.jitter``'s meaning)."""
LOG = logging.getLogger("reframe_rt")


def natural_key(name: str) -> list:
    """``frame_2.exr`` before ``frame_10.exr``: digit runs compare as numbers."""
    return [int(part) if part.isdigit() else part.lower() for part in re.split(r"(\d+)", name)]


@dataclass(frozen=True)
class ChannelMap:
    """Which of a file's layers are ours, and whose conventions they follow."""

    names: dict[str, str] = field(default_factory=dict)
    """Our layer -> theirs (ours where missing)."""
    convention: str | None = None
    """A renderer whose conventions are brought to ours at load (``evaluation.conventions``:
    ``blender``); None: ours."""
    ray_depth: bool = False
    """``ray-depth``: depth is the distance along each pixel's ray, not along the view axis
    (converted with the sidecar's field of view)."""


PRESETS = {"blender": BLENDER_NAMES}
RAY_DEPTH = "ray-depth"
"""``--channel-map ...,ray-depth``: the depth layers hold distances along the rays."""
"""``--channel-map NAME``: another renderer's names, and its conventions."""


def parse_channel_map(spec: str | None) -> ChannelMap:
    """``--channel-map``: a JSON file ({ours: theirs}), or ``ours=theirs`` pairs separated
    by commas, either after a preset's name (``blender``, ``blender,color=X``).

    Raises:
        UserError: unreadable, malformed, or naming a layer we do not have.
    """
    if not spec:
        return ChannelMap()
    convention, ray_depth = None, False
    mapping: dict[str, str] = {}
    if spec.lower().endswith(".json"):
        try:
            mapping = json.loads(Path(spec).read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as error:
            raise UserError(f"--channel-map {spec}: {error}") from None
        if not isinstance(mapping, dict) or not all(isinstance(v, str) for v in mapping.values()):
            raise UserError(f"--channel-map {spec}: expected an object of layer names")
    else:
        for pair in filter(None, (p.strip() for p in spec.split(","))):
            if pair.lower() == RAY_DEPTH:
                ray_depth = True
                continue
            if pair.lower() in PRESETS and not mapping and convention is None:
                convention = pair.lower()
                mapping = dict(PRESETS[convention])
                continue
            ours, sep, theirs = pair.partition("=")
            if not sep or not ours.strip() or not theirs.strip():
                raise UserError(
                    f"--channel-map {spec!r}: expected ours=theirs pairs, after a preset "
                    f"name if any ({', '.join(PRESETS)})"
                )
            mapping[ours.strip()] = theirs.strip()
    unknown = sorted(set(mapping) - set(FRAME_LAYERS))
    if unknown:
        raise UserError(
            f"--channel-map: no layer {', '.join(unknown)} (ours: {', '.join(FRAME_LAYERS)})"
        )
    return ChannelMap(mapping, convention, ray_depth)


class FramesDir:
    """The frames of ``directory`` (see the module), as tensors on ``device``; a feed for
    :func:`evaluation.runner.play` (``path``, ``frame(i)``, ``close()``).

    Raises:
        UserError: the directory, its sidecar or its first frame is unusable.
    """

    def __init__(
        self,
        directory: Path,
        channel_map: ChannelMap | None = None,
        low_dir: Path | None = None,
        needs_low: bool = False,
        device: torch.device | str = "cpu",
    ) -> None:
        self.directory = Path(directory)
        if not self.directory.is_dir():
            raise UserError(f"--frames-dir {directory}: no such directory")
        self.files = self._exr_files(self.directory)
        if not self.files:
            raise UserError(f"--frames-dir {directory}: no .exr files in it")
        channel_map = channel_map or ChannelMap()
        self.names = {layer: channel_map.names.get(layer, layer) for layer in FRAME_LAYERS}
        self.convention = channel_map.convention
        self.ray_depth = channel_map.ray_depth
        self.device = torch.device(device)
        self.path = self._sidecar(len(self.files))
        if self.ray_depth and not self.sidecar:
            raise UserError(
                f"--frames-dir {directory}: ray-depth needs the field of view of the cameras "
                f"in {SIDECAR} beside the frames"
            )
        if self.convention and not self.sidecar:
            raise UserError(
                f"--frames-dir {directory}: {self.convention}'s normals are in camera space: "
                f"its frames need their cameras in {SIDECAR} beside them"
            )
        low = low_dir if low_dir is not None else self.directory / LOW_DIR
        self.low_files = self._exr_files(low) if needs_low and low.is_dir() else []
        self.derive_low = needs_low and not self.low_files and low_dir is None
        if self.derive_low:
            LOG.warning(
                f"reframe-rt: no half-resolution frames in {low}: super-resolution reads every "
                f"other pixel of each frame instead (jitter {DERIVED_JITTER})"
            )
        elif needs_low and len(self.low_files) != len(self.files):
            raise UserError(
                f"--frames-dir {directory}: super-resolution needs a half-resolution frame "
                f"for each of the {len(self.files)} frames in {low} (found "
                f"{len(self.low_files)}; `reframe-rt render --low-res` writes them)"
            )
        self.size, channels = self._layout(self.files[0])
        self.has_reference = "reference" in self._check_channels(self.files[0], channels)
        self._check_headers()
        self._last: Frame | None = None
        self._check_motion()

    def _check_headers(self) -> None:
        """Every frame's size and layers, from the headers (cheap), so that a bad frame
        stops the run before anything runs or is written."""
        half = (self.size[0] // 2, self.size[1] // 2)
        for files, size in ((self.files, self.size), (self.low_files, half)):
            for file in files:
                got, channels = self._layout(file)
                if got != size:
                    raise UserError(
                        f"{file}: {got[0]}x{got[1]}, but the sequence is {size[0]}x{size[1]}"
                    )
                has = "reference" in self._check_channels(file, channels)
                if has != self.has_reference:
                    raise UserError(
                        f"{file}: {'a' if has else 'no'} reference layer, unlike "
                        f"{self.files[0].name}: every frame has one, or none does"
                    )

    @staticmethod
    def _layout(file: Path) -> tuple[tuple[int, int], set[str]]:
        try:
            return exr_layout(file)
        except Exception as error:  # OpenEXR raises bare exceptions on a bad file
            raise UserError(f"{file}: not a readable EXR file ({error})") from None

    def _check_motion(self) -> None:
        """Refuse vectors that point another way than ours, judged on the first
        :data:`CHECKED` frames (``evaluation.motion_check``)."""
        frames = [self.frame(i) for i in range(min(CHECKED, len(self.files)))]
        verdict = flipped(list(pairwise(frames)))
        if verdict is not None:
            negated, won, moving, error, given = verdict
            raise UserError(
                f"--frames-dir {self.directory}: the motion vectors look flipped in "
                f"{negated}: the previous frame warped by them negated matches {won} of "
                f"{moving} moving frames better (mean error {error:.3g} against {given:.3g}); "
                "ours point from a pixel to where its surface was in the previous frame, "
                "in pixels, x right, y down"
            )

    @staticmethod
    def _exr_files(directory: Path) -> list[Path]:
        files = [p for p in directory.iterdir() if p.suffix.lower() == ".exr" and p.is_file()]
        return sorted(files, key=lambda p: natural_key(p.name))

    def _sidecar(self, count: int) -> CameraPath:
        file = self.directory / SIDECAR
        self.sidecar = file.exists()
        if not self.sidecar:
            # No cameras: identity ones, no cuts, 30 frames a second.
            still = Camera(np.eye(4), 60.0)
            frames = [PathFrame(still.camera_to_world, still.fov, i / 30.0) for i in range(count)]
            return CameraPath(30.0, frames)
        try:
            path = load_path(file)
        except PathError as error:
            raise UserError(f"--frames-dir: {error}") from None
        if len(path) != count:
            raise UserError(f"--frames-dir: {file} has {len(path)} frames for {count} EXR files")
        return path

    def _layers(self, file: Path) -> dict[str, np.ndarray]:
        """Our layers of one file as (H, W, C) float32 arrays (``reference`` only if
        there), and the jitter of its header."""
        try:
            channels, header = read_exr_header(file)
        except Exception as error:  # OpenEXR raises bare exceptions on a bad file
            raise UserError(f"{file}: not a readable EXR file ({error})") from None
        out: dict[str, np.ndarray] = {}
        for layer in self._check_channels(file, set(channels)):
            names = [f"{self.names[layer]}.{s}" for s in FRAME_LAYERS[layer]]
            out[layer] = np.stack([channels[n].astype(np.float32) for n in names], axis=-1)
        out["jitter"] = np.array(_jitter(header, file), dtype=np.float64)
        return out

    def _check_channels(self, file: Path, channels: set[str]) -> list[str]:
        """Our layers ``file`` has (``reference``, and for another renderer
        ``prev_depth``, may be missing); raises a UserError naming a missing channel."""
        present = []
        for layer, suffixes in FRAME_LAYERS.items():
            names = [f"{self.names[layer]}.{s}" for s in suffixes]
            missing = [n for n in names if n not in channels]
            if not missing:
                present.append(layer)
                continue
            derived = layer == "prev_depth" and self.convention is not None
            if (layer == "reference" or derived) and len(missing) == len(names):
                continue
            raise UserError(
                f"{file}: no channel {missing[0]} (our {layer}; --channel-map maps "
                f"another name; the file has {', '.join(sorted(channels)) or 'none'})"
            )
        return present

    def __len__(self) -> int:
        return len(self.files)

    def frame(self, i: int) -> Frame:
        frame = self._frame(self.files[i], i)
        if self.low_files:
            frame.low = self._frame(self.low_files[i], i)
        elif self.derive_low:
            frame.low = subsampled(frame)
        if not self.sidecar and i > 0:
            # No cuts given: a frame its vectors cannot explain is one.
            previous = self._last if self._last is not None and self._last.index == i - 1 else None
            previous = previous or self._frame(self.files[i - 1], i - 1)
            frame.cut = is_cut(previous, frame)
            if frame.low is not None:
                frame.low.cut = frame.cut
        self._last = frame
        return frame

    def _frame(self, file: Path, i: int) -> Frame:
        layers = self._layers(file)
        if self.ray_depth:
            frames = self.path.frames
            layers["depth"] = axis_depth(layers["depth"], frames[i].fov)
            if "prev_depth" in layers:  # along the previous camera's ray through p + motion
                before = frames[max(i - 1, 0)].fov
                layers["prev_depth"] = axis_depth(layers["prev_depth"], before, layers["motion"])
        if self.convention == "blender":
            where = self.path.frames
            before = None if i == 0 or where[i].cut else where[i - 1].camera_to_world
            layers = blender_to_ours(layers, where[i].camera_to_world, before, where[i].fov)
        h, w = layers["color"].shape[:2]  # every file's checked (_check_headers)
        for layer, data in layers.items():
            if layer != "jitter" and not np.isfinite(data).all():
                LOG.warning(
                    f"reframe-rt: frame {i} ({file.name}): {layer} holds NaN or infinite "
                    "values (the cache refreshes on such a frame)"
                )
        t = {}
        for group in TEXTURES:
            if group[0] not in layers:
                continue
            packed = np.zeros((h, w, 4), np.float32)
            at = 0
            for layer in group:
                c = layers[layer].shape[-1]
                packed[..., at : at + c] = layers[layer]
                t[layer] = (at, at + c)
                at += c
            image = torch.from_numpy(packed).to(self.device)
            for layer in group:
                t[layer] = image[:, :, slice(*t[layer])].permute(2, 0, 1)
        where = self.path.frames[i]
        return Frame.from_buffers(
            t,
            index=i,
            time=where.time,
            cut=where.cut,
            camera=where.camera,
            jitter=tuple(float(v) for v in layers["jitter"]),
        )

    def close(self) -> None:
        pass


def subsampled(frame: Frame) -> Frame:
    """``frame`` at half resolution: every other pixel from (0, 0) of each G-buffer (motion
    vectors halved, to half-resolution pixels), with :data:`DERIVED_JITTER`."""
    half = {
        name: (t[:, ::2, ::2] * (0.5 if name == "motion" else 1.0)).contiguous()
        for name in FRAME_LAYERS
        if (t := getattr(frame, name)) is not None
    }
    facts = {"index": frame.index, "time": frame.time, "cut": frame.cut, "camera": frame.camera}
    return Frame.from_buffers(half, jitter=DERIVED_JITTER, **facts)


def _jitter(header: dict, file: Path) -> tuple[float, float]:
    text = header.get(JITTER)
    if text is None:
        return (0.0, 0.0)
    try:
        x, y = (float(v) for v in str(text).split())
    except ValueError:
        raise UserError(f"{file}: header {JITTER} {text!r} is not two numbers") from None
    return (x, y)
