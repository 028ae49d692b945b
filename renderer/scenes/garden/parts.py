"""Collecting the garden's many small parts: grouped by pattern, each with its own
albedo, so that every group becomes one mesh."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import trimesh

from renderer.scenes.builder import SceneBuilder, mesh_from_trimesh
from renderer.scenes.scene import RGB, Material
from renderer.scenes.shapes import moved

Part = tuple[trimesh.Trimesh, RGB]
PatternKey = tuple[str, float, float]


class Parts:
    """Parts grouped by pattern, each part with its own albedo: one mesh per group keeps
    building fast however many pebbles and flowers there are."""

    def __init__(self) -> None:
        self.groups: dict[PatternKey, list[Part]] = {}

    def add(
        self,
        tm: trimesh.Trimesh,
        albedo: Sequence[float],
        transform: np.ndarray | None = None,
        pattern: str = "none",
        scale: float = 1.0,
        contrast: float = 0.0,
    ) -> None:
        if transform is not None:
            tm = moved(tm, transform)
        rgb = tuple(float(np.clip(c, 0.0, 1.0)) for c in albedo)
        self.groups.setdefault((pattern, scale, contrast), []).append((tm, rgb))  # type: ignore[arg-type]

    def into(self, builder: SceneBuilder) -> None:
        for (pattern, scale, contrast), parts in self.groups.items():
            tm = trimesh.util.concatenate([p[0] for p in parts])
            colors = np.concatenate(
                [np.tile(np.asarray(rgb, np.float32), (len(m.vertices), 1)) for m, rgb in parts]
            )
            material = Material((1.0, 1.0, 1.0), pattern, scale, contrast)
            builder.add_mesh(mesh_from_trimesh(tm, material, vertex_albedo=colors))


def vary(rng: np.random.Generator, rgb: Sequence[float], amount: float = 0.12) -> RGB:
    """``rgb`` with a random brightness and a slight hue shift, so repeats don't look cloned."""
    c = np.asarray(rgb) * rng.uniform(1 - amount, 1 + amount) * rng.uniform(0.95, 1.05, 3)
    return tuple(float(x) for x in np.clip(c, 0, 1))  # type: ignore[return-value]
