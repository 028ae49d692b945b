"""Camera paths: the ``reframe-camera-path`` JSON (version 1), validation and baking.

A path keeps both its editable ``keyframes`` and its baked ``frames``; the frames are what
playback uses, so a path replays the same images even if the interpolation code changes.
Keyframes are grouped into shots by ``cut`` keyframes; within a shot the position and the
field of view follow a monotone cubic (PCHIP, so a held keyframe pair stays perfectly
still) and the rotation follows quaternion slerp. After a shot's last keyframe the camera
holds until the next shot begins.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema
import numpy as np
from scipy.interpolate import PchipInterpolator
from scipy.spatial.transform import Rotation, Slerp

from assets import schema_file
from common.atomic import write_text_atomic
from renderer.camera import Camera
from renderer.errors import PathError

FORMAT = "reframe-camera-path"
VERSION = 1
MAX_FRAMES = 200_000
"""The most frames keyframes may bake into (almost two hours at 30 fps): past it, the times
are more likely in the wrong unit than meant."""


@dataclass(frozen=True)
class Keyframe:
    """An editable camera key: where the camera is at ``time`` seconds."""

    time: float
    position: tuple[float, float, float]
    rotation: tuple[float, float, float, float]
    """Quaternion (x, y, z, w) rotating camera axes into world axes."""
    fov: float
    """Vertical field of view in degrees."""
    cut: bool = False
    """This key starts a new shot: the camera jumps here instead of moving."""


@dataclass(frozen=True)
class PathFrame:
    """One baked frame: the camera and the scene time it shows."""

    camera_to_world: np.ndarray
    """(4, 4) float64, column-vector convention."""
    fov: float
    time: float
    cut: bool = False
    """The camera jumped between the previous frame and this one."""

    @property
    def camera(self) -> Camera:
        return Camera(self.camera_to_world, self.fov)


@dataclass
class CameraPath:
    fps: float
    frames: list[PathFrame]
    keyframes: list[Keyframe] = field(default_factory=list)
    scene: str | None = None

    @property
    def duration(self) -> float:
        return self.frames[-1].time - self.frames[0].time if self.frames else 0.0

    def __len__(self) -> int:
        return len(self.frames)

    @classmethod
    def from_keyframes(
        cls, keyframes: list[Keyframe], fps: float = 30.0, scene: str | None = None
    ) -> CameraPath:
        return cls(fps=fps, frames=bake(keyframes, fps), keyframes=list(keyframes), scene=scene)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"format": FORMAT, "version": VERSION, "fps": self.fps}
        if self.scene is not None:
            out["scene"] = self.scene
        if self.keyframes:
            out["keyframes"] = [_keyframe_json(k) for k in self.keyframes]
        out["frames"] = [_frame_json(f) for f in self.frames]
        return out

    def save(self, path: str | os.PathLike[str]) -> None:
        write_text_atomic(path, json.dumps(self.to_json(), indent=1) + "\n")


def load_path(path: str | os.PathLike[str]) -> CameraPath:
    """Read and validate a camera-path file.

    Raises:
        PathError: the file is missing, unreadable, not JSON, or not a valid path.
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PathError(f"camera path file not found: {p}") from None
    except (OSError, UnicodeDecodeError) as error:
        raise PathError(f"cannot read camera path {p}: {error}") from None
    try:
        data = json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as error:
        raise PathError(f"{p}: not valid JSON ({error})") from None
    except ValueError as error:
        raise PathError(f"{p}: {error}") from None
    return path_from_json(data, source=str(p))


def _no_constant(name: str) -> float:
    # Python's json reads NaN and Infinity, which JSON does not have: a camera there is
    # nowhere, and the spline through it fails far from the file.
    raise ValueError(f"{name} is not a number a camera path can hold")


def path_from_json(data: Any, source: str = "camera path") -> CameraPath:
    """Validate a parsed camera-path document and build the path (baking keyframes if needed)."""
    error = jsonschema.exceptions.best_match(_validator().iter_errors(data))
    if error is not None:
        where = _json_location(error.absolute_path)
        if error.validator == "anyOf" and not error.absolute_path:
            raise PathError(f"{source}: needs 'frames' (baked) or 'keyframes'")
        raise PathError(f"{source}: {where}{_short(error.message)}")
    keyframes = [_keyframe_from_json(k, i, source) for i, k in enumerate(data.get("keyframes", []))]
    _check_times([k.time for k in keyframes], "keyframes", source)
    if "frames" in data:
        frames = [_frame_from_json(f, i, source) for i, f in enumerate(data["frames"])]
        _check_times([f.time for f in frames], "frames", source)
    else:
        try:
            frames = bake(keyframes, float(data["fps"]))
        except PathError as error:
            raise PathError(f"{source}: {error}") from None
    return CameraPath(
        fps=float(data["fps"]), frames=frames, keyframes=keyframes, scene=data.get("scene")
    )


def bake(keyframes: list[Keyframe], fps: float) -> list[PathFrame]:
    """Sample keyframes at ``fps`` from the first key's time to the last one's."""
    if not keyframes:
        raise PathError("a camera path needs at least one keyframe")
    shots = _split_shots(keyframes)
    start, end = keyframes[0].time, keyframes[-1].time
    count = math.floor((end - start) * fps + 1e-6) + 1
    if count > MAX_FRAMES:
        raise PathError(
            f"keyframes from {start:g} s to {end:g} s at {fps:g} fps make {count} frames: "
            f"at most {MAX_FRAMES} (are the times in seconds?)"
        )
    times = start + np.arange(count) / fps
    frames: list[PathFrame] = []
    shot_index = 0
    for i, t in enumerate(times):
        while shot_index + 1 < len(shots) and t >= shots[shot_index + 1][0].time - 1e-9:
            shot_index += 1
        cut = i > 0 and shot_index > 0 and frames[-1].time < shots[shot_index][0].time - 1e-9
        position, rotation, fov = _interpolate_shot(shots[shot_index], float(t))
        m = np.eye(4)
        m[:3, :3] = rotation.as_matrix()
        m[:3, 3] = position
        frames.append(PathFrame(m, fov, float(t), cut))
    return frames


def _split_shots(keyframes: list[Keyframe]) -> list[list[Keyframe]]:
    shots: list[list[Keyframe]] = [[]]
    for k in keyframes:
        if k.cut and shots[-1]:
            shots.append([])
        shots[-1].append(k)
    return shots


def _interpolate_shot(shot: list[Keyframe], t: float) -> tuple[np.ndarray, Rotation, float]:
    interp = _shot_interpolators(tuple(shot))
    if interp is None:
        k = shot[0]
        return np.asarray(k.position, dtype=np.float64), Rotation.from_quat(k.rotation), k.fov
    position_fn, rotation_fn, fov_fn = interp
    t = min(max(t, shot[0].time), shot[-1].time)
    return position_fn(t), rotation_fn([t])[0], float(fov_fn(t))


@lru_cache(maxsize=64)
def _shot_interpolators(shot: tuple[Keyframe, ...]) -> tuple[Any, Any, Any] | None:
    if len(shot) < 2:
        return None
    times = np.array([k.time for k in shot])
    if np.any(np.diff(times) <= 0):
        raise PathError("keyframes within a shot need strictly increasing times")
    positions = np.array([k.position for k in shot], dtype=np.float64)
    rotations = Rotation.from_quat([k.rotation for k in shot])
    fovs = np.array([k.fov for k in shot], dtype=np.float64)
    return (
        PchipInterpolator(times, positions, axis=0),
        Slerp(times, rotations),
        PchipInterpolator(times, fovs),
    )


@lru_cache(maxsize=1)
def _validator() -> jsonschema.protocols.Validator:
    schema = json.loads(schema_file("camera-path").read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema)


def _json_location(parts: Any) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return f"{text}: " if text else ""


def _short(message: str, limit: int = 160) -> str:
    return message if len(message) <= limit else message[: limit - 3] + "..."


def _check_times(times: list[float], what: str, source: str) -> None:
    for i in range(1, len(times)):
        if times[i] < times[i - 1]:
            raise PathError(
                f"{source}: {what}[{i}].time goes back in time ({times[i]} < {times[i - 1]})"
            )


def _keyframe_from_json(k: dict[str, Any], i: int, source: str) -> Keyframe:
    q = np.asarray(k["rotation"], dtype=np.float64)
    norm = float(np.linalg.norm(q))
    if not np.isfinite(norm) or norm < 1e-6:
        raise PathError(f"{source}: keyframes[{i}].rotation is not a usable quaternion")
    return Keyframe(
        time=float(k["time"]),
        position=tuple(float(v) for v in k["position"]),  # type: ignore[arg-type]
        rotation=tuple(float(v) for v in q / norm),  # type: ignore[arg-type]
        fov=float(k["fov"]),
        cut=bool(k.get("cut", False)),
    )


def _frame_from_json(f: dict[str, Any], i: int, source: str) -> PathFrame:
    m = np.asarray(f["camera_to_world"], dtype=np.float64).reshape(4, 4)
    r = m[:3, :3]
    if not np.all(np.isfinite(m)):
        raise PathError(f"{source}: frames[{i}].camera_to_world has non-finite numbers")
    if not np.allclose(m[3], [0, 0, 0, 1], atol=1e-6) or not np.allclose(
        r @ r.T, np.eye(3), atol=1e-3
    ):
        raise PathError(
            f"{source}: frames[{i}].camera_to_world is not a rigid transform "
            "(rotation + translation)"
        )
    return PathFrame(m, float(f["fov"]), float(f["time"]), bool(f.get("cut", False)))


def _keyframe_json(k: Keyframe) -> dict[str, Any]:
    out: dict[str, Any] = {
        "time": _round(k.time),
        "position": [_round(v) for v in k.position],
        "rotation": [_round(v, 9) for v in k.rotation],
        "fov": _round(k.fov),
    }
    if k.cut:
        out["cut"] = True
    return out


def _frame_json(f: PathFrame) -> dict[str, Any]:
    out: dict[str, Any] = {
        "camera_to_world": [_round(v, 9) for v in f.camera_to_world.reshape(-1)],
        "fov": _round(f.fov),
        "time": _round(f.time),
    }
    if f.cut:
        out["cut"] = True
    return out


def _round(v: float, digits: int = 6) -> float:
    return round(float(v), digits)
