"""OpenGL view and projection matrices for column vectors (``clip = proj @ view @ world``).

These are gluLookAt, gluPerspective and glOrtho written out in numpy. They replaced pyrr,
whose float64 results they reproduce bit for bit: the same operations in the same order
(pyrr's ``vector.normalize`` divides by ``sqrt(sum(v**2))``, not by ``np.linalg.norm``),
so images rendered before and after the switch are identical.
"""

from __future__ import annotations

import numpy as np


def normalized(v: np.ndarray) -> np.ndarray:
    """``v`` over its length, computed as pyrr did (see the module docstring)."""
    return v / np.sqrt(np.sum(v**2))


def look_at(eye: np.ndarray, target: np.ndarray, up: np.ndarray) -> np.ndarray:
    """(4, 4) world-to-camera matrix of a camera at ``eye`` looking at ``target`` (-Z) with
    ``up`` towards +Y. ``up`` must not be parallel to ``target - eye``."""
    forward = normalized(target - eye)
    side = normalized(np.cross(forward, up))
    true_up = normalized(np.cross(side, forward))
    return np.array(
        (
            (side[0], side[1], side[2], -np.dot(side, eye)),
            (true_up[0], true_up[1], true_up[2], -np.dot(true_up, eye)),
            (-forward[0], -forward[1], -forward[2], np.dot(forward, eye)),
            (0.0, 0.0, 0.0, 1.0),
        ),
        dtype=np.float64,
    )


def perspective(fov_y: float, aspect: float, near: float, far: float) -> np.ndarray:
    """(4, 4) projection of a symmetric frustum: ``fov_y`` in degrees, ``aspect`` = w / h."""
    y_max = near * np.tan(fov_y * np.pi / 360.0)
    x_max = y_max * aspect
    # The general frustum's terms for left = -x_max, right = x_max (and so on), as pyrr
    # computed them: the off-centre terms are exactly zero.
    off_x = (x_max + -x_max) / (x_max - -x_max)
    off_y = (y_max + -y_max) / (y_max - -y_max)
    return np.array(
        (
            (2.0 * near / (x_max - -x_max), 0.0, off_x, 0.0),
            (0.0, 2.0 * near / (y_max - -y_max), off_y, 0.0),
            (0.0, 0.0, -(far + near) / (far - near), -2.0 * far * near / (far - near)),
            (0.0, 0.0, -1.0, 0.0),
        ),
        dtype=np.float64,
    )


def orthographic(
    left: float, right: float, bottom: float, top: float, near: float, far: float
) -> np.ndarray:
    """(4, 4) orthographic projection of the box between the planes given (glOrtho)."""
    width, height, depth = right - left, top - bottom, far - near
    return np.array(
        (
            (2.0 / width, 0.0, 0.0, -(right + left) / width),
            (0.0, 2.0 / height, 0.0, -(top + bottom) / height),
            (0.0, 0.0, -2.0 / depth, -(far + near) / depth),
            (0.0, 0.0, 0.0, 1.0),
        ),
        dtype=np.float64,
    )
