"""What the shadow maps must cover: a sphere round the static geometry and everywhere the
moving objects go."""

from __future__ import annotations

import numpy as np

from renderer.scenes.scene import Scene

MOTION_SPAN = np.arange(0.0, 120.0, 0.25)
"""Scene times (s) at which moving objects are placed to find the space they sweep."""


def bounding_sphere(scene: Scene) -> tuple[np.ndarray, float]:
    """Centre and radius enclosing all geometry the shadow maps must cover: the static
    geometry and where the moving objects go over the first two minutes."""
    lo, hi = scene.static.bounds()
    boxes = [(lo, hi)] if scene.static.triangle_count else []
    for obj in scene.dynamic:
        olo, ohi = obj.mesh.bounds()
        corners = np.array(
            [
                [x, y, z, 1.0]
                for x in (olo[0], ohi[0])
                for y in (olo[1], ohi[1])
                for z in (olo[2], ohi[2])
            ]
        )
        placed = np.einsum(
            "tij,cj->tci", np.stack([obj.transform(t) for t in MOTION_SPAN]), corners
        )
        boxes.append((placed[..., :3].min(axis=(0, 1)), placed[..., :3].max(axis=(0, 1))))
    if boxes:
        lo = np.min([b[0] for b in boxes], axis=0)
        hi = np.max([b[1] for b in boxes], axis=0)
    return (lo + hi) / 2, float(np.linalg.norm(hi - lo)) / 2 * 1.02 + 1e-2
