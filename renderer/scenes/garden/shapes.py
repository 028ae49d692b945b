"""Mesh helpers for the garden: posing, primitives, noise bumps and the parts collector."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import trimesh
from trimesh import transformations as tf

from renderer.scenes.builder import SceneBuilder, mesh_from_trimesh
from renderer.scenes.scene import RGB, Material

Z_TO_Y = tf.rotation_matrix(-math.pi / 2, (1, 0, 0))
"""trimesh builds cylinders, cones and revolved shapes along +Z; the scene is Y-up."""

Part = tuple[trimesh.Trimesh, RGB]
PatternKey = tuple[str, float, float]


def pose(
    position: Sequence[float] = (0, 0, 0),
    scale: float | Sequence[float] = 1.0,
    yaw: float = 0.0,
    tilt: Sequence[float] = (0.0, 0.0),
) -> np.ndarray:
    """Object-to-world: scale, tilt about x then z (radians), yaw about y, translate."""
    s = np.diag([*np.broadcast_to(np.asarray(scale, np.float64), 3), 1.0])
    r = (
        tf.rotation_matrix(yaw, (0, 1, 0))
        @ tf.rotation_matrix(tilt[1], (0, 0, 1))
        @ tf.rotation_matrix(tilt[0], (1, 0, 0))
    )
    return tf.translation_matrix(position) @ r @ s


def moved(tm: trimesh.Trimesh, transform: np.ndarray) -> trimesh.Trimesh:
    """A transformed copy (trimesh transforms in place)."""
    out = tm.copy()
    out.apply_transform(transform)
    return out


def cylinder(radius: float, height: float, sections: int = 7) -> trimesh.Trimesh:
    """Upright cylinder standing on y = 0."""
    tm = trimesh.creation.cylinder(radius, height, sections=sections)
    return moved(tm, tf.translation_matrix((0, height / 2, 0)) @ Z_TO_Y)


def cone(radius: float, height: float, sections: int = 7) -> trimesh.Trimesh:
    """Upright cone with its base on y = 0."""
    return moved(trimesh.creation.cone(radius, height, sections=sections), Z_TO_Y)


def revolved(profile: Sequence[tuple[float, float]], sections: int) -> trimesh.Trimesh:
    """A solid of revolution about +Y from (radius, height) points."""
    return moved(
        trimesh.creation.revolve(np.asarray(profile, np.float64), sections=sections), Z_TO_Y
    )


def box(size: Sequence[float], center: Sequence[float] = (0, 0, 0)) -> trimesh.Trimesh:
    """An axis-aligned box of ``size`` around ``center``."""
    return trimesh.creation.box(size, transform=tf.translation_matrix(center))


class Noise:
    """Smooth 3-D noise with values roughly in [-1, 1]: a sum of random plane waves.

    Cheaper to write than lattice noise and just as good for bumping a few hundred vertices.
    """

    def __init__(self, rng: np.random.Generator, frequency: float, octaves: int = 3) -> None:
        waves = 4
        dirs = rng.normal(size=(octaves * waves, 3))
        dirs /= np.linalg.norm(dirs, axis=1, keepdims=True)
        octave = np.repeat(np.arange(octaves), waves)
        self.k = dirs * (2 * np.pi * frequency * 2.0**octave)[:, None]
        self.phase = rng.uniform(0, 2 * np.pi, len(dirs))
        self.amp = 0.5**octave
        self.norm = 2.0 * math.sqrt(0.5 * float(np.sum(self.amp**2)))

    def __call__(self, points: np.ndarray) -> np.ndarray:
        return np.sin(np.asarray(points) @ self.k.T + self.phase) @ self.amp / self.norm


def blob(
    rng: np.random.Generator,
    radii: Sequence[float],
    subdivisions: int = 1,
    roughness: float = 0.25,
    frequency: float = 0.9,
) -> trimesh.Trimesh:
    """A noise-displaced ellipsoid centred on the origin: crowns, bushes, stones."""
    tm = trimesh.creation.icosphere(subdivisions)
    v = np.asarray(tm.vertices)
    bump = 1.0 + roughness * Noise(rng, frequency)(v)
    tm.vertices = v * bump[:, None] * np.asarray(radii, np.float64)
    return tm


def grid_box(size: Sequence[float], cell: float) -> trimesh.Trimesh:
    """An open-bottomed box centred on the origin whose faces are grids of about ``cell``
    metres, so that it can be bent and bumped (a box has only its corners)."""
    sx, sy, sz = (float(s) / 2 for s in size)
    faces_def = [  # origin, u edge, v edge (u x v points outwards)
        ((-sx, sy, sz), (2 * sx, 0, 0), (0, 0, -2 * sz)),  # top
        ((-sx, -sy, sz), (2 * sx, 0, 0), (0, 2 * sy, 0)),  # +z
        ((sx, -sy, -sz), (-2 * sx, 0, 0), (0, 2 * sy, 0)),  # -z
        ((sx, -sy, sz), (0, 0, -2 * sz), (0, 2 * sy, 0)),  # +x
        ((-sx, -sy, -sz), (0, 0, 2 * sz), (0, 2 * sy, 0)),  # -x
    ]
    parts = []
    for origin, u, v in faces_def:
        nu = max(1, round(np.linalg.norm(u) / cell))
        nv = max(1, round(np.linalg.norm(v) / cell))
        a, b = np.meshgrid(np.linspace(0, 1, nu + 1), np.linspace(0, 1, nv + 1), indexing="ij")
        verts = (
            np.asarray(origin) + a.reshape(-1, 1) * np.asarray(u) + b.reshape(-1, 1) * np.asarray(v)
        )
        idx = np.arange((nu + 1) * (nv + 1)).reshape(nu + 1, nv + 1)
        p, q, r, s = idx[:-1, :-1], idx[1:, :-1], idx[1:, 1:], idx[:-1, 1:]
        tris = np.concatenate([np.stack([p, q, r], -1), np.stack([p, r, s], -1)]).reshape(-1, 3)
        parts.append(trimesh.Trimesh(verts, tris, process=False))
    tm = trimesh.util.concatenate(parts)
    tm.merge_vertices()
    return tm


def quad(width: float, length: float) -> trimesh.Trimesh:
    """A flat diamond in the xz plane along +x from the origin: a leaf or a petal in two
    triangles (the renderer shades whichever side the camera sees)."""
    verts = [(0, 0, 0), (length / 2, 0, width / 2), (length, 0, 0), (length / 2, 0, -width / 2)]
    return trimesh.Trimesh(verts, [(0, 1, 2), (0, 2, 3)], process=False)


# -- collecting parts ---------------------------------------------------------------------


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
