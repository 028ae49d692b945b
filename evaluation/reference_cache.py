"""Converged references on disk, so a second evaluation of the same frames skips them.

A reference is keyed by everything that decides it: the renderer version, the shadow
quality, the image size, the scene's content, the camera and the scene time (which places
the moving objects). Files are float32 ``.npy`` written atomically; a corrupt or stale file
is simply rendered again.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import astuple
from pathlib import Path

import numpy as np
import torch
from platformdirs import user_cache_path

from common.atomic import atomic_path
from renderer.lights import MOTION_SPAN, ShadowQuality
from renderer.path import PathFrame
from renderer.renderer import RENDERER_VERSION
from renderer.scenes.scene import Scene

CACHE_ENV = "REFRAME_RT_CACHE"
"""Names the folder that holds the ``references`` folder, in place of the user's cache."""


def default_cache_dir() -> Path:
    """``$REFRAME_RT_CACHE/references``, else ``references`` in the user's cache directory
    (platformdirs: ``$XDG_CACHE_HOME/reframe-rt`` or ``~/.cache/reframe-rt`` on Linux)."""
    root = os.environ.get(CACHE_ENV)
    base = Path(root) if root else user_cache_path("reframe-rt", appauthor=False)
    return base / "references"


def scene_digest(scene: Scene) -> str:
    """A hash of everything in a scene that shows in an image (not its name)."""
    h = hashlib.sha256()
    for array in (
        scene.static.positions,
        scene.static.normals,
        scene.static.albedo,
        scene.static.material,
    ):
        h.update(np.ascontiguousarray(array).tobytes())
    for obj in scene.dynamic:
        for array in (obj.mesh.positions, obj.mesh.normals, obj.mesh.albedo, obj.mesh.material):
            h.update(np.ascontiguousarray(array).tobytes())
        # Where it goes at every time the shadow maps are fitted to: a change of its motion
        # at any of them moves the shadow maps of every frame.
        placed = np.stack([obj.transform(t) for t in MOTION_SPAN])
        h.update(np.ascontiguousarray(placed, np.float64).tobytes())
    h.update(repr((scene.lights, scene.sky)).encode())
    return h.hexdigest()


class ReferenceCache:
    """References of one scene at one size and quality, stored under ``directory``."""

    def __init__(
        self, directory: Path, scene: Scene, size: tuple[int, int], quality: ShadowQuality
    ) -> None:
        self.directory = Path(directory)
        self.scene = scene
        self._prefix = hashlib.sha256(
            repr((RENDERER_VERSION, astuple(quality), tuple(size), scene_digest(scene))).encode()
        ).hexdigest()
        self.hits = self.misses = 0

    def key(self, frame: PathFrame, jitter: tuple[float, float] = (0.0, 0.0)) -> str:
        h = hashlib.sha256(self._prefix.encode())
        h.update(np.ascontiguousarray(frame.camera_to_world, np.float64).tobytes())
        # Not the time itself: it shows only through where the moving objects are, so a
        # still scene's frames at other times share their reference.
        h.update(repr((frame.fov, tuple(jitter))).encode())
        for obj in self.scene.dynamic:
            h.update(np.ascontiguousarray(obj.transform(frame.time), np.float64).tobytes())
        return h.hexdigest()

    def _file(self, frame: PathFrame, jitter: tuple[float, float]) -> Path:
        key = self.key(frame, jitter)
        return self.directory / key[:2] / f"{key}.npy"

    def get(
        self, frame: PathFrame, jitter: tuple[float, float] = (0.0, 0.0)
    ) -> torch.Tensor | None:
        path = self._file(frame, jitter)
        try:
            data = np.load(path, allow_pickle=False)
        except (OSError, ValueError):
            self.misses += 1
            return None
        self.hits += 1
        return torch.from_numpy(data)

    def put(
        self, frame: PathFrame, reference: torch.Tensor, jitter: tuple[float, float] = (0.0, 0.0)
    ) -> None:
        path = self._file(frame, jitter)
        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_path(path) as tmp, open(tmp, "wb") as f:
            np.save(
                f,
                reference.detach().to("cpu", torch.float32).contiguous().numpy(),
                allow_pickle=False,
            )
