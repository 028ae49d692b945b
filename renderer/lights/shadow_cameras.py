"""Each light's sample set with one shadow camera per sample: orthographic maps of the
scene's bounding sphere for sun and sky directions, perspective maps along the panel's
normal for panel points."""

from __future__ import annotations

import numpy as np

from renderer.gl_matrices import orthographic
from renderer.lights.bounds import bounding_sphere
from renderer.lights.fibonacci import axis_frame, cap_frame, panel_points
from renderer.lights.picking import set_pick_weights
from renderer.lights.quality import ShadowQuality
from renderer.lights.sample_set import KIND_PANEL, KIND_SKY, KIND_SUN, SampleSet
from renderer.scenes.scene import RectLight, Scene, SunLight

PANEL_NEAR = 0.02
ORTHO_NEAR, ORTHO_FAR = 0.9, 3.1
"""Depth range of the orthographic maps, in bounding-sphere radii from their eye at 2 radii."""


def build_sample_sets(scene: Scene, quality: ShadowQuality) -> tuple[list[SampleSet], SampleSet]:
    """The sample sets of the scene's lights and of its sky."""
    center, radius = bounding_sphere(scene)
    sets = []
    for light in scene.lights:
        if isinstance(light, SunLight):
            sets.append(_sun_set(light, center, radius, quality))
        else:
            sets.append(_panel_set(light, center, radius, quality))
        sets[-1].frame_samples = quality.frame_light_samples
    sky = _cap_set(
        KIND_SKY,
        np.array([0.0, 1.0, 0.0]),
        0.0,
        quality.sky_samples,
        quality.sky_tile,
        np.zeros(3),
        center,
        radius,
    )
    sky.frame_samples = quality.frame_sky_samples
    set_pick_weights(scene, [*sets, sky], center)
    return sets, sky


def _view(axes: np.ndarray, eye: np.ndarray) -> np.ndarray:
    view = np.eye(4)
    view[:3, :3] = axes
    view[:3, 3] = -axes @ eye
    return view


def _cap_set(
    kind: int,
    axis: np.ndarray,
    cos_max: float,
    count: int,
    tile: int,
    weight: np.ndarray,
    center: np.ndarray,
    radius: float,
) -> SampleSet:
    """Directions over a cap, each with an orthographic map of the bounding sphere."""
    d, x, y = cap_frame(np.arange(count), count, axis, cos_max, *axis_frame(axis))
    axes = np.stack([x, y, d], axis=1)
    proj = orthographic(-radius, radius, -radius, radius, ORTHO_NEAR * radius, ORTHO_FAR * radius)
    view_proj = np.stack(
        [proj @ _view(axes[i], center + d[i] * 2.0 * radius) for i in range(count)]
    )
    return SampleSet(
        kind,
        d,
        axes,
        view_proj,
        (*center, radius),
        np.asarray(weight, np.float64),
        2.0 * radius / tile,
        tile,
    )


def _sun_set(light: SunLight, center: np.ndarray, radius: float, q: ShadowQuality) -> SampleSet:
    axis = np.asarray(light.direction, np.float64)
    axis /= np.linalg.norm(axis)
    cos_max = float(np.cos(np.radians(light.angular_radius)))
    return _cap_set(
        KIND_SUN,
        axis,
        cos_max,
        q.light_samples,
        q.sun_tile,
        np.asarray(light.irradiance),
        center,
        radius,
    )


def _panel_set(light: RectLight, center: np.ndarray, radius: float, q: ShadowQuality) -> SampleSet:
    """Points on the panel, each with a perspective map looking along the panel normal."""
    n = light.normal
    x_axis = np.asarray(light.edge_u, np.float64) / np.linalg.norm(light.edge_u)
    z_axis = -n
    axes = np.stack([x_axis, np.cross(z_axis, x_axis), z_axis])
    fov, far = _panel_frustum(light, center, radius)
    f = 1.0 / np.tan(np.radians(fov) / 2.0)
    a = -(far + PANEL_NEAR) / (far - PANEL_NEAR)
    b = -2.0 * far * PANEL_NEAR / (far - PANEL_NEAR)
    proj = np.array([[f, 0, 0, 0], [0, f, 0, 0], [0, 0, a, b], [0, 0, -1, 0]], np.float64)
    points = panel_points(np.arange(q.light_samples), q.light_samples, light)
    view_proj = np.stack([proj @ _view(axes, p) for p in points])
    weight = np.asarray(light.radiance, np.float64) * light.area
    return SampleSet(
        KIND_PANEL,
        points,
        np.broadcast_to(axes, (len(points), 3, 3)).copy(),
        view_proj,
        (f, a, b, 0.0),
        weight,
        2.0 / (f * q.light_tile),
        q.light_tile,
    )


def _panel_frustum(light: RectLight, center: np.ndarray, radius: float) -> tuple[float, float]:
    """Field of view (degrees, at most 160) and far plane that let every point of the panel
    see the whole bounding sphere in front of it."""
    n = light.normal
    u = np.asarray(light.edge_u) / 2
    v = np.asarray(light.edge_v) / 2
    reach, far = 10.0, 1.0
    for corner in (light.center + su * u + sv * v for su in (-1, 1) for sv in (-1, 1)):
        to_center = center - corner
        axial = float(np.dot(to_center, n))
        lateral = float(np.linalg.norm(to_center - axial * n))
        reach = max(reach, np.degrees(np.arctan2(lateral + radius, max(axial - radius, 1e-3))))
        far = max(far, float(np.linalg.norm(to_center)) + radius * 1.1)
    return float(min(2.0 * reach, 160.0)), far
