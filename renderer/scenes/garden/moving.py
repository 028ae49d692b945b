"""The windmill and the hanging lantern: their moving parts, motions and the windmill's stand."""

from __future__ import annotations

import math

import numpy as np
import trimesh
from trimesh import transformations as tf

from renderer.scenes.garden.constants import LANTERN_PIVOT, WINDMILL_HUB, WINDMILL_YAW
from renderer.scenes.garden.parts import Parts
from renderer.scenes.shapes import box, cone, cylinder, moved, pose


def windmill_static(parts: Parts) -> None:
    """Pole, nacelle and tail of the garden windmill; the rotor moves (``windmill_rotor``)."""
    x, y, z = WINDMILL_HUB
    parts.add(cylinder(0.06, y, sections=6), (0.5, 0.5, 0.52), pose((x, 0, z)))
    facing = pose(WINDMILL_HUB, yaw=WINDMILL_YAW)
    parts.add(box((0.16, 0.16, 0.45), (0, 0, -0.15)), (0.6, 0.1, 0.08), facing)
    parts.add(box((0.02, 0.3, 0.3), (0, 0.05, -0.45)), (0.6, 0.1, 0.08), facing)


def windmill_rotor() -> trimesh.Trimesh:
    """Four twisted blades and a hub, about the local z axis, in the hub's frame."""
    blades = [trimesh.creation.cylinder(0.07, 0.08, sections=8)]
    for i in range(4):
        blade = box((0.14, 0.75, 0.015), (0, 0.45, 0))
        blades.append(
            moved(
                blade,
                tf.rotation_matrix(i * math.pi / 2, (0, 0, 1))
                @ tf.rotation_matrix(0.35, (0, 1, 0)),
            )
        )
    return trimesh.util.concatenate(blades)


def windmill_motion(t: float) -> np.ndarray:
    """A steady quarter turn per second, the rotor just in front of the nacelle."""
    spin = tf.rotation_matrix(2 * math.pi * 0.25 * t, (0, 0, 1))
    return pose(WINDMILL_HUB, yaw=WINDMILL_YAW) @ tf.translation_matrix((0, 0, 0.12)) @ spin


def lantern_frame() -> trimesh.Trimesh:
    """Chain, cap, base and four corner bars of a hanging lantern; pivot at the origin."""
    parts = [
        box((0.015, 0.5, 0.015), (0, -0.25, 0)),
        moved(cone(0.16, 0.12, sections=4), pose((0, -0.62, 0), yaw=math.pi / 4)),
        box((0.2, 0.03, 0.2), (0, -0.93, 0)),
    ]
    for sx in (-0.09, 0.09):
        for sz in (-0.09, 0.09):
            parts.append(box((0.02, 0.3, 0.02), (sx, -0.77, sz)))
    return trimesh.util.concatenate(parts)


def lantern_motion(t: float) -> np.ndarray:
    """A gentle pendulum swing about the beam (x axis), 3.2 s period, +-14 degrees."""
    angle = math.radians(14) * math.sin(2 * math.pi * t / 3.2)
    return tf.translation_matrix(LANTERN_PIVOT) @ tf.rotation_matrix(angle, (1, 0, 0))
