"""Primitive shapes and placements shared by the built-in scenes (Y up, metres).

trimesh builds cylinders, cones and solids of revolution along +Z; the helpers here stand
them up along +Y. Every helper returns a new mesh: trimesh transforms in place.

Two rotation helpers exist on purpose: ``rotation`` (scipy, a 3x3 matrix) places the
arena's parts and drives its motions, ``pose`` (trimesh's 4x4 matrices) places the
garden's. They differ in the last bit, and the scenes' images must stay as they were.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import trimesh
from scipy.spatial.transform import Rotation
from trimesh import transformations as tf

Z_TO_Y = tf.rotation_matrix(-math.pi / 2, (1, 0, 0))
"""Turns trimesh's +Z-aligned cylinders, cones and revolved shapes upright (+Y)."""


# -- placements -------------------------------------------------------------------------


def moved(tm: trimesh.Trimesh, transform: np.ndarray) -> trimesh.Trimesh:
    """A copy of ``tm`` transformed by the (4, 4) ``transform``."""
    out = tm.copy()
    out.apply_transform(transform)
    return out


def rotation(axis: Sequence[float], angle: float) -> np.ndarray:
    """(3, 3) rotation by ``angle`` radians about ``axis`` (right-handed)."""
    a = np.asarray(axis, np.float64)
    return Rotation.from_rotvec(a / np.linalg.norm(a) * angle).as_matrix()


def rigid(rot: np.ndarray | None = None, translation: Sequence[float] = (0, 0, 0)) -> np.ndarray:
    """A (4, 4) rigid transform from a (3, 3) rotation (none: the identity) and a translation."""
    m = np.eye(4)
    if rot is not None:
        m[:3, :3] = rot
    m[:3, 3] = translation
    return m


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


# -- primitives -------------------------------------------------------------------------


def box(size: Sequence[float], center: Sequence[float] = (0, 0, 0)) -> trimesh.Trimesh:
    """An axis-aligned box of ``size`` around ``center``."""
    return trimesh.creation.box(size, transform=tf.translation_matrix(center))


def sphere(
    radius: float, center: Sequence[float] = (0, 0, 0), subdivisions: int = 1
) -> trimesh.Trimesh:
    """An icosphere of ``radius`` around ``center``."""
    return moved(trimesh.creation.icosphere(subdivisions, radius), tf.translation_matrix(center))


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
