"""Which camera path a run uses, and paths made for scenes that ship none.

``--path`` takes ``default`` (the scene's built-in path, or a generated orbit-and-walk path
for a loaded file), the name of a built-in path in ``assets/paths/``, or a ``.json`` file.
``python -m renderer.pathgen`` rewrites the built-in paths from the scenes' keyframes.
"""

from __future__ import annotations

import argparse
import importlib
from pathlib import Path

import numpy as np

from assets import builtin_path_file, builtin_path_names
from renderer.camera import Camera
from renderer.errors import PathError
from renderer.path import CameraPath, Keyframe, load_path
from renderer.scenes import BUILTIN_SCENES
from renderer.scenes.scene import Scene

FPS = 30.0


def resolve_path(spec: str, scene: Scene) -> CameraPath:
    """The camera path named by ``spec`` for ``scene``.

    Raises:
        PathError: unknown name, missing or invalid file.
    """
    if spec.lower().endswith(".json"):
        return load_path(spec)
    if spec == "brief":
        brief = builtin_path_file(f"{scene.path}-brief") if scene.path else None
        if brief is not None and brief.exists():
            return load_path(brief)
        spec = "default"
    if spec == "default":
        if scene.path is not None:
            return load_path(builtin_path_file(scene.path))
        return CameraPath.from_keyframes(orbit_and_walk(scene), FPS, scene.name)
    if builtin_path_file(spec).exists():
        return load_path(builtin_path_file(spec))
    names = ", ".join(["default", "brief", *builtin_path_names()])
    raise PathError(f"unknown camera path {spec!r}: use one of {names} or a .json file")


def orbit_and_walk(scene: Scene, duration: float = 12.0) -> list[Keyframe]:
    """A path for any scene from its bounds: hold still, orbit a quarter turn around the
    centre, walk in towards it, turn fast, then cut to a high view on the far side."""
    lo, hi = scene.bounds()
    center = (lo + hi) / 2
    radius = max(float(np.linalg.norm(hi - lo)) / 2, 1e-3)
    up = np.array([0.0, 1.0, 0.0])
    height = center[1] + 0.35 * radius
    target = center + up * 0.1 * radius

    def around(angle_deg: float, dist: float, h: float) -> np.ndarray:
        a = np.radians(angle_deg)
        return center + dist * radius * np.array([np.cos(a), 0.0, np.sin(a)]) + up * (h - center[1])

    def key(t: float, eye: np.ndarray, look: np.ndarray, cut: bool = False) -> Keyframe:
        cam = Camera.look_at(tuple(eye), tuple(look))
        return Keyframe(t, tuple(float(v) for v in eye), tuple(cam.rotation_xyzw), 55.0, cut)

    s = duration / 12.0
    walk_end = around(135.0, 0.9, height)
    # The fast turn: 110 degrees of yaw in one second.
    yaw = np.radians(110.0)
    forward = target - walk_end
    turned = np.array(
        [
            np.cos(yaw) * forward[0] + np.sin(yaw) * forward[2],
            forward[1],
            -np.sin(yaw) * forward[0] + np.cos(yaw) * forward[2],
        ]
    )
    turn_look = walk_end + turned
    return [
        key(0.0, around(45.0, 1.6, height), target),
        key(2.0 * s, around(45.0, 1.6, height), target),
        key(5.0 * s, around(90.0, 1.5, height), target),
        key(8.0 * s, walk_end, target),
        key(9.0 * s, walk_end, turn_look),
        key(9.0 * s + 1.0 / FPS, around(250.0, 1.4, center[1] + 0.8 * radius), target, cut=True),
        key(12.0 * s, around(280.0, 1.3, center[1] + 0.7 * radius), target),
    ]


def write_builtin_paths(directory: Path | None = None) -> list[Path]:
    """Bake every built-in scene's keyframes into ``assets/paths/<scene>.json``."""
    written = []
    for name in BUILTIN_SCENES:
        module = importlib.import_module(f"renderer.scenes.{name}")
        path = CameraPath.from_keyframes(module.path_keyframes(), FPS, scene=name)
        target = (directory / f"{name}.json") if directory else builtin_path_file(name)
        path.save(target)
        written.append(target)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description="Rewrite the built-in camera paths.")
    parser.add_argument("--out", type=Path, default=None, help="directory (default: assets/paths)")
    for p in write_builtin_paths(parser.parse_args().out):
        print(p)


if __name__ == "__main__":
    main()
