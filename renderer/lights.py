"""Light sample sets: every area light, and the sky, is a fixed set of K samples, each with
its own shadow map in one depth atlas.

A 1-spp pixel picks one light (the sky included) and one of its samples from the frame's
strata (see ``ShadowQuality.frame_light_samples``); the reference averages all of them.
With the sets fixed, the reference is exactly the expectation of the noisy image, so
averaging noisy images converges to it without bias.

Directions are spherical Fibonacci sets and panel points a Fibonacci lattice; each
sample's shadow-map frame is computed here and handed to the shader in a data texture
(see :func:`sample_table`), so the sample math lives in one place.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyrr

from renderer.scenes.scene import RectLight, Scene, SunLight

GOLDEN_FRACTION = 0.6180339887498949
"""Both Fibonacci constructions step by the golden ratio's fractional part."""
KIND_SUN, KIND_SKY, KIND_PANEL = 0, 1, 2
PANEL_NEAR = 0.02
ORTHO_NEAR, ORTHO_FAR = 0.9, 3.1
"""Depth range of the orthographic maps, in bounding-sphere radii from their eye at 2 radii."""
TABLE_TEXELS = 6


@dataclass(frozen=True)
class ShadowQuality:
    """How finely lights are sampled; part of what determines a reference image."""

    light_samples: int = 64
    """Sample points or directions (and shadow maps) per sun or panel light."""
    sky_samples: int = 128
    """Sky directions (and shadow maps)."""
    light_tile: int = 256
    """Shadow-map resolution of a panel light's sample (its maps are perspective: sharp near
    the panel, where its shadows are)."""
    sun_tile: int = 512
    """Shadow-map resolution of a sun direction (its orthographic maps span the scene)."""
    sky_tile: int = 128
    """Shadow-map resolution of a sky direction."""
    frame_light_samples: int = 8
    """Each frame, every pixel picks among this many of a light's samples (one per stratum,
    drawn anew every frame). Fewer keep the shadow maps a frame touches in cache; the
    choice stays uniform over all samples, so images stay unbiased. Divides
    ``light_samples``."""
    frame_sky_samples: int = 16
    """The same for sky directions; divides ``sky_samples``."""

    def __post_init__(self) -> None:
        for total, per_frame, name in (
            (self.light_samples, self.frame_light_samples, "light"),
            (self.sky_samples, self.frame_sky_samples, "sky"),
        ):
            if total < 1 or per_frame < 1 or total % per_frame:
                raise ValueError(
                    f"frame_{name}_samples ({per_frame}) must divide {name}_samples ({total})"
                )


PREVIEW_QUALITY = ShadowQuality(
    light_samples=16,
    sky_samples=32,
    light_tile=256,
    sun_tile=256,
    sky_tile=128,
    frame_light_samples=8,
    frame_sky_samples=8,
)
"""Fewer and smaller shadow maps than the default, same maths: for tests and quick looks."""


@dataclass
class SampleSet:
    """One light's K samples and their shadow maps.

    Attributes:
        kind: ``KIND_SUN``, ``KIND_SKY`` or ``KIND_PANEL``.
        where: (K, 3) unit directions towards the light (sun, sky) or panel points.
        axes: (K, 3, 3) rows x, y, z of each shadow camera (it looks down -z).
        view_proj: (K, 4, 4) the shadow maps' view-projections.
        projection: sun/sky: bounding-sphere centre and radius (orthographic maps);
            panels: 1/tan(fov/2), and the depth terms A, B of the perspective maps.
        weight: sun irradiance, panel radiance times area (the sky's comes from the shader's
            sky model).
        texel: shadow-map texel size in metres (per metre of distance for panels).
        tile: shadow-map resolution.
    """

    kind: int
    where: np.ndarray
    axes: np.ndarray
    view_proj: np.ndarray
    projection: tuple[float, float, float, float]
    weight: np.ndarray
    texel: float
    tile: int
    frame_samples: int = 1
    """How many of the samples a frame uses (one per stratum)."""
    pick_weight: float = 0.0

    @property
    def count(self) -> int:
        return len(self.view_proj)


def sample_table(
    sets: list[SampleSet],
    tile_origins: list[list[tuple[float, float]]],
    tile_size: list[tuple[float, float]],
) -> np.ndarray:
    """(total samples, TABLE_TEXELS, 4) float32 rows for ``shade.frag``, lights in order:

    ====  =================================================================
     0    direction towards the light or panel point (xyz), kind (w)
     1    shadow camera x axis (xyz), tile origin u in the atlas (w)
     2    shadow camera y axis (xyz), tile origin v (w)
     3    shadow camera z axis (xyz), texel size (w)
     4    projection (see :class:`SampleSet`)
     5    weight (rgb), tile size u (w); the tile's v size follows from the atlas aspect
    ====  =================================================================
    """
    rows = []
    for s, origins, (du, _) in zip(sets, tile_origins, tile_size, strict=True):
        t = np.zeros((s.count, TABLE_TEXELS, 4))
        t[:, 0, :3], t[:, 0, 3] = s.where, s.kind
        t[:, 1:4, :3] = s.axes
        t[:, 1:3, 3] = np.asarray(origins)
        t[:, 3, 3] = s.texel
        t[:, 4] = s.projection
        t[:, 5, :3], t[:, 5, 3] = s.weight, du
        rows.append(t)
    return np.concatenate(rows).astype(np.float32)


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
    _set_pick_weights(scene, [*sets, sky], center)
    return sets, sky


def frame_strata(count: int, per_frame: int, rng: np.random.Generator) -> np.ndarray:
    """One sample index from each of ``per_frame`` equal strata of ``range(count)``."""
    stride = count // per_frame
    return np.arange(per_frame) * stride + rng.integers(0, stride, per_frame)


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
    proj = pyrr.matrix44.create_orthogonal_projection(
        -radius,
        radius,
        -radius,
        radius,
        ORTHO_NEAR * radius,
        ORTHO_FAR * radius,
        dtype=np.float64,
    ).T
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


def _luminance(rgb: np.ndarray) -> float:
    return float(np.dot(rgb, [0.2126, 0.7152, 0.0722]))


def _set_pick_weights(scene: Scene, sets: list[SampleSet], center: np.ndarray) -> None:
    """Pick lights (the sky last) half uniformly, half in proportion to their rough
    irradiance at the scene's centre. Power alone starves the sky, which lights everything
    in shade: on ``temple`` the mix keeps a 64-frame average 1 dB closer to the reference."""
    power = []
    for light in scene.lights:
        if isinstance(light, SunLight):
            power.append(_luminance(np.asarray(light.irradiance)))
        else:
            d2 = float(np.sum((np.asarray(light.center) - center) ** 2))
            power.append(_luminance(np.asarray(light.radiance)) * light.area / max(d2, light.area))
    # A uniform sky of radiance L gives an upward-facing surface an irradiance of pi * L.
    up = cap_frame(
        np.arange(64), 64, np.array([0.0, 1.0, 0.0]), 0.0, *axis_frame(np.array([0.0, 1.0, 0.0]))
    )[0]
    power.append(np.pi * _luminance(scene.sky.radiance(up).mean(axis=0)))
    p = np.asarray(power, np.float64)
    uniform = np.full(len(p), 1.0 / len(p))
    p = 0.5 * (p / p.sum() if p.sum() > 0 else uniform) + 0.5 * uniform
    for s, w in zip(sets, p, strict=True):
        s.pick_weight = float(w)
