"""The garden's organic shapes: noise-bumped blobs, bendable grid boxes and leaves (the
plain primitives and placements are in :mod:`renderer.scenes.shapes`)."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import trimesh


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
