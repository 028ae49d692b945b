"""Recording the fly camera into a camera path (keyframes and baked frames), and loading a
path to play it back."""

from __future__ import annotations

from pathlib import Path

from renderer.path import CameraPath, Keyframe, PathFrame
from renderer.pathgen import FPS

KEY_EVERY = 15
"""A keyframe every this many recorded frames (and on the last one)."""


def recorded_path(frames: list[PathFrame], scene: str | None) -> CameraPath:
    """The recorded frames as a path: the frames as baked (what playback uses, so it shows
    exactly what was flown) and keyframes sampled from them for editing. Keyframes need
    times that move forward, so with the animation paused (one scene time) there are none."""
    if not frames:
        raise ValueError("nothing was recorded")
    baked = [PathFrame(f.camera_to_world, f.fov, f.time, f.cut and i > 0)
             for i, f in enumerate(frames)]  # fmt: skip
    keys: list[Keyframe] = []
    picks = sorted({*range(0, len(baked), KEY_EVERY), len(baked) - 1})
    for i in picks:
        f = baked[i]
        if keys and f.time <= keys[-1].time:
            continue
        camera = f.camera
        keys.append(
            Keyframe(
                time=f.time,
                position=tuple(float(v) for v in camera.position),
                rotation=tuple(float(v) for v in camera.rotation_xyzw),
                fov=f.fov,
                cut=f.cut,
            )
        )
    return CameraPath(fps=FPS, frames=baked, keyframes=keys if len(keys) > 1 else [], scene=scene)


def save_recording(frames: list[PathFrame], scene: str | None, file: str | Path) -> CameraPath:
    path = recorded_path(frames, scene)
    Path(file).parent.mkdir(parents=True, exist_ok=True)
    path.save(file)
    return path
