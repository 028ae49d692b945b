"""Where a light's samples go: spherical Fibonacci directions over a cap (suns, the sky)
and a Fibonacci lattice over a panel, both well spread for any sample count."""

from __future__ import annotations

import numpy as np

from renderer.scenes.scene import RectLight

GOLDEN_FRACTION = 0.6180339887498949
"""Both Fibonacci constructions step by the golden ratio's fractional part."""


def axis_frame(axis: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Two unit vectors completing ``axis`` to a right-handed orthonormal frame."""
    a = np.asarray(axis, np.float64)
    helper = np.array([1.0, 0.0, 0.0]) if abs(a[0]) < 0.9 else np.array([0.0, 1.0, 0.0])
    t = np.cross(helper, a)
    t /= np.linalg.norm(t)
    return t, np.cross(a, t)


def cap_frame(
    k: np.ndarray, count: int, axis: np.ndarray, cos_max: float, t: np.ndarray, b: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sample directions ``d`` uniform by area over the cap within ``acos(cos_max)`` of
    ``axis`` (a spherical Fibonacci set), with each one's shadow-map frame: ``x`` along the
    azimuth and ``y = cross(d, x)``. The frame is well defined even at the pole."""
    k = np.asarray(k, np.float64)
    cos_t = 1.0 - (k + 0.5) / count * (1.0 - cos_max)
    sin_t = np.sqrt(np.clip(1.0 - cos_t**2, 0.0, 1.0))
    phi = 2.0 * np.pi * ((k * GOLDEN_FRACTION) % 1.0)
    c, s = np.cos(phi)[:, None], np.sin(phi)[:, None]
    d = sin_t[:, None] * (c * t + s * b) + cos_t[:, None] * axis
    x = -s * t + c * b
    return d, x, np.cross(d, x)


def panel_points(k: np.ndarray, count: int, light: RectLight) -> np.ndarray:
    """Sample points on a panel: a Fibonacci lattice, well spread for any count."""
    k = np.asarray(k, np.float64)
    su = (k + 0.5) / count - 0.5
    sv = (k * GOLDEN_FRACTION + 0.5) % 1.0 - 0.5
    return (
        np.asarray(light.center)
        + su[:, None] * np.asarray(light.edge_u)
        + sv[:, None] * np.asarray(light.edge_v)
    )
