"""The arena's building blocks on top of the shared shapes: a part is a mesh with its
material, placed by a scipy rotation (see :mod:`renderer.scenes.shapes`) and a
translation.

The arena stands its cylinders and cones up with ``UPRIGHT`` rather than with the shared
``cylinder`` and ``cone``: the two turns differ in the last bit of a few matrix entries,
and the arena's images must stay as they were rendered.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import trimesh

from renderer.scenes.scene import Material
from renderer.scenes.shapes import moved, rigid, rotation

Vec3 = tuple[float, float, float]
Part = tuple[trimesh.Trimesh, Material]

UPRIGHT = rotation((1, 0, 0), -math.pi / 2)
"""Turns trimesh's +Z-aligned cylinders and cones upright (+Y)."""
EXACT_UPRIGHT = np.array([[1.0, 0, 0], [0, 0, 1], [0, -1, 0]])
"""The same turn written exactly, for the stands' revolved profiles."""


def placed(
    tm: trimesh.Trimesh, translation: Sequence[float], rot: np.ndarray | None = None
) -> trimesh.Trimesh:
    """``tm`` rotated about its origin by ``rot``, then moved to ``translation``."""
    return moved(tm, rigid(rot, translation))


def turned_box(size: Vec3, center: Sequence[float], rot: np.ndarray) -> trimesh.Trimesh:
    """A box of ``size`` rotated by ``rot`` about its centre, at ``center``."""
    return placed(trimesh.creation.box(size), center, rot)


def post(
    radius: float, y0: float, y1: float, x: float = 0.0, z: float = 0.0, sections: int = 12
) -> trimesh.Trimesh:
    """A vertical cylinder from height ``y0`` to ``y1``."""
    cyl = trimesh.creation.cylinder(radius, y1 - y0, sections=sections)
    return placed(cyl, (x, (y0 + y1) / 2, z), UPRIGHT)


def revolved_arc(
    profile: Sequence[tuple[float, float]], start_deg: float, span_deg: float, sections: int
) -> trimesh.Trimesh:
    """A (radius, height) profile swept about the vertical axis over an arc of degrees."""
    tm = trimesh.creation.revolve(
        np.asarray(profile, np.float64), math.radians(span_deg), sections=sections
    )
    # revolve sweeps about z from the +x axis; map z to y and start at ``start_deg``.
    return placed(tm, (0, 0, 0), rotation((0, 1, 0), -math.radians(start_deg)) @ EXACT_UPRIGHT)
