"""``temple``: a sunlit courtyard temple in the spirit of the ReFrame paper's Sun Temple.

A stepped platform carries a colonnaded courtyard with roofed porticoes (deep shade under
the roofs), an arched gateway to the west and a dark sanctuary to the east lit by a warm
panel over the altar. Low sun from the south-west, so columns throw long soft shadows.
"""

from __future__ import annotations

import itertools

import numpy as np
import trimesh
from trimesh.transformations import rotation_matrix, translation_matrix

from renderer.camera import Camera
from renderer.path import Keyframe
from renderer.scenes.builder import SceneBuilder
from renderer.scenes.scene import Material, RectLight, Scene, Sky, SunLight
from renderer.scenes.shapes import box, revolved, sphere

SAND = Material((0.55, 0.47, 0.36), "noise", 0.6, 0.35)
STONE = Material((0.62, 0.56, 0.46), "noise", 1.3, 0.3)
DARK_STONE = Material((0.4, 0.36, 0.31), "noise", 2.0, 0.3)
MARBLE = Material((0.78, 0.75, 0.7), "noise", 0.8, 0.12)
FLOOR = Material((0.6, 0.54, 0.45), "tiles", 1.0, 0.35)
SANCTUARY_FLOOR = Material((0.32, 0.3, 0.34), "checker", 1.0, 0.5)
RED_PLASTER = Material((0.55, 0.14, 0.08), "noise", 3.0, 0.15)
BLUE_PLASTER = Material((0.12, 0.22, 0.45), "stripes", 2.0, 0.25)
GOLD = Material((0.85, 0.62, 0.22), "noise", 6.0, 0.1)
BRONZE = Material((0.35, 0.22, 0.12), "noise", 4.0, 0.2)

PLATFORM_TOP = 0.9
COLUMN_HEIGHT = 5.0
BEAM_TOP = PLATFORM_TOP + 0.3 + COLUMN_HEIGHT + 0.3 + 0.8


def _box(
    b: SceneBuilder,
    extents: tuple[float, float, float],
    center: tuple[float, float, float],
    material: Material,
) -> None:
    b.add(box(extents, center), material)


def build() -> Scene:
    b = SceneBuilder("temple")
    _box(b, (48, 0.5, 48), (0, -0.25, 0), SAND)
    for i, (w, d) in enumerate(((32, 26), (31, 25), (30, 24))):
        _box(b, (w, 0.3, d), (0, 0.15 + 0.3 * i, 0), STONE if i < 2 else FLOOR)
    _colonnades(b)
    _porticoes(b)
    _gateway(b)
    _sanctuary(b)
    _courtyard_features(b)
    b.add_light(
        SunLight(
            direction=_direction(azimuth=215, elevation=34),
            angular_radius=2.5,
            irradiance=(3.3, 2.95, 2.45),
        )
    )
    b.add_light(
        RectLight(
            center=(16.5, 5.0, 0.0),
            edge_u=(0.0, 0.0, 2.4),
            edge_v=(1.6, 0.0, 0.0),
            radiance=(9.0, 5.5, 2.4),
        )
    )
    camera = Camera.look_at((-11.0, 2.6, 7.5), (4.0, 2.0, -1.5), fov=60.0)
    sky = Sky(zenith=(0.13, 0.21, 0.42), horizon=(0.4, 0.42, 0.45), ground=(0.12, 0.1, 0.08))
    return b.build(camera=camera, sky=sky, path="temple")


def _direction(azimuth: float, elevation: float) -> tuple[float, float, float]:
    """Unit vector towards a point in the sky; azimuth in degrees from +X towards +Z."""
    a, e = np.radians(azimuth), np.radians(elevation)
    return (float(np.cos(e) * np.cos(a)), float(np.sin(e)), float(np.cos(e) * np.sin(a)))


def _column(b: SceneBuilder, x: float, z: float, material: Material = MARBLE) -> None:
    y = PLATFORM_TOP
    _box(b, (0.95, 0.3, 0.95), (x, y + 0.15, z), STONE)
    shaft = trimesh.creation.cylinder(radius=0.36, height=COLUMN_HEIGHT, sections=12)
    b.add(
        shaft,
        material,
        translation_matrix((x, y + 0.3 + COLUMN_HEIGHT / 2, z))
        @ rotation_matrix(np.pi / 2, (1, 0, 0)),
    )
    _box(b, (1.05, 0.3, 1.05), (x, y + 0.3 + COLUMN_HEIGHT + 0.15, z), STONE)


def _colonnades(b: SceneBuilder) -> None:
    """Columns along the long sides, carrying beams."""
    xs = np.arange(-12.0, 12.01, 3.0)
    for z in (-8.5, 8.5):
        for x in xs:
            _column(b, float(x), z)
        _box(b, (25.4, 0.8, 1.1), (0, BEAM_TOP - 0.4, z), STONE)
    for x in (-12.0, 12.0):
        for z in (-5.5, -2.5, 2.5, 5.5):
            _column(b, x, z)
        _box(b, (1.1, 0.8, 18.1), (x, BEAM_TOP - 0.4, 0), STONE)


def _porticoes(b: SceneBuilder) -> None:
    """Roofs from the long colonnades to painted back walls: deep shade underneath."""
    for side in (-1.0, 1.0):
        wall_z = side * 11.6
        _box(
            b,
            (27.0, BEAM_TOP - PLATFORM_TOP, 0.6),
            (0, (BEAM_TOP + PLATFORM_TOP) / 2, wall_z),
            RED_PLASTER,
        )
        _box(b, (27.6, 0.35, 4.0), (0, BEAM_TOP + 0.17, side * 10.0), DARK_STONE)
        for x in np.arange(-10.5, 10.6, 3.0):
            # Painted panels on the back wall catch the bounce light in the shade.
            _box(
                b,
                (1.6, 2.2, 0.05),
                (float(x), PLATFORM_TOP + 2.6, wall_z - side * 0.32),
                BLUE_PLASTER,
            )


def _arch(
    width: float, height: float, radius: float, spring: float, depth: float, segments: int = 10
) -> trimesh.Trimesh:
    """A wall block ``width`` x ``height`` x ``depth`` with a round-headed opening of
    ``radius`` whose arc starts at ``spring``; centred on x, resting on y = 0."""
    parts = []
    half = width / 2
    for x0, x1 in ((-half, -radius), (radius, half)):
        pier = trimesh.creation.box((x1 - x0, spring, depth))
        pier.apply_translation(((x0 + x1) / 2, spring / 2, 0))
        parts.append(pier)
    angles = np.linspace(np.pi, 0.0, segments + 1)
    for a0, a1 in itertools.pairwise(angles):
        pts = [(radius * np.cos(a), spring + radius * np.sin(a)) for a in (a0, a1)]
        pts += [_ray_to_box(a, spring, half, height) for a in (a0, a1)]
        # The block's top corners belong to the voussoir whose rays straddle them.
        for corner in ((-half, height), (half, height)):
            ca = np.arctan2(corner[1] - spring, corner[0])
            if min(a0, a1) <= ca <= max(a0, a1):
                pts.append(corner)
        prism = [(x, y, z) for x, y in pts for z in (-depth / 2, depth / 2)]
        parts.append(trimesh.convex.convex_hull(np.array(prism)))
    return trimesh.util.concatenate(parts)


def _ray_to_box(angle: float, spring: float, half: float, height: float) -> tuple[float, float]:
    """Where the ray from the arch centre at ``angle`` leaves the block's outline."""
    dx, dy = np.cos(angle), np.sin(angle)
    t = min(
        half / abs(dx) if abs(dx) > 1e-9 else np.inf,
        (height - spring) / dy if dy > 1e-9 else np.inf,
    )
    return float(dx * t), float(spring + dy * t)


def _gateway(b: SceneBuilder) -> None:
    """A triple arched gate on the west side, between two towers."""
    y = PLATFORM_TOP
    rot = rotation_matrix(np.pi / 2, (0, 1, 0))
    for z, w, r in ((0.0, 5.0, 1.7), (-4.6, 4.2, 1.2), (4.6, 4.2, 1.2)):
        b.add(
            _arch(w, 7.0, r, 3.6 if r > 1.5 else 3.0, 1.4),
            STONE,
            translation_matrix((-14.2, y, z)) @ rot,
        )
    for z in (-8.3, 8.3):
        _box(b, (2.6, 9.0, 3.0), (-14.2, y + 4.5, z), DARK_STONE)
        _box(b, (3.0, 0.5, 3.4), (-14.2, y + 9.25, z), STONE)
    for i in range(4):
        # Steps down from the gate to the sand.
        _box(b, (1.0, 0.22, 9.0), (-16.9 - i * 0.9 + 0.45, 0.9 - 0.22 * (i + 1) + 0.11, 0), STONE)


def _sanctuary(b: SceneBuilder) -> None:
    """A closed room east of the courtyard, reached through a doorway; dark but for a warm
    panel over the altar."""
    y = PLATFORM_TOP
    x0, x1, zw = 13.5, 19.5, 5.0
    h = 7.0
    _box(
        b, (x1 - x0 + 1.0, 0.3, 2 * zw + 1.0), ((x0 + x1) / 2, y - 0.15 + 0.01, 0), SANCTUARY_FLOOR
    )
    for z in (-zw, zw):
        _box(b, (x1 - x0 + 0.6, h, 0.6), ((x0 + x1) / 2, y + h / 2, z), STONE)
    _box(b, (0.6, h, 2 * zw + 0.6), (x1, y + h / 2, 0), STONE)
    # Front wall with a doorway 2.4 m wide and 4.2 m high.
    for z0, z1 in ((-zw, -1.2), (1.2, zw)):
        _box(b, (0.6, h, z1 - z0), (x0, y + h / 2, (z0 + z1) / 2), STONE)
    _box(b, (0.6, h - 4.2, 2.4), (x0, y + 4.2 + (h - 4.2) / 2, 0), STONE)
    _box(b, (x1 - x0 + 1.6, 0.5, 2 * zw + 1.6), ((x0 + x1) / 2, y + h + 0.25, 0), DARK_STONE)
    # Altar, statue and braziers.
    _box(b, (1.4, 1.0, 2.6), (17.8, y + 0.5, 0), MARBLE)
    statue = trimesh.creation.capsule(height=1.6, radius=0.35, count=(8, 8))
    b.add(
        statue,
        GOLD,
        translation_matrix((18.6, y + 1.95, 0)) @ rotation_matrix(np.pi / 2, (1, 0, 0)),
    )
    b.add(sphere(0.3, (18.6, y + 3.3, 0), subdivisions=2), GOLD)
    for z in (-3.0, 3.0):
        bowl = trimesh.creation.cone(radius=0.5, height=0.6, sections=10)
        b.add(
            bowl, BRONZE, translation_matrix((17.0, y + 1.6, z)) @ rotation_matrix(np.pi, (1, 0, 0))
        )
        b.add(
            trimesh.creation.cylinder(radius=0.08, height=1.0, sections=6),
            BRONZE,
            translation_matrix((17.0, y + 0.5, z)) @ rotation_matrix(np.pi / 2, (1, 0, 0)),
        )


def _courtyard_features(b: SceneBuilder) -> None:
    """An obelisk on a plinth, a round basin and statues on pedestals."""
    y = PLATFORM_TOP
    _box(b, (2.2, 0.8, 2.2), (2.0, y + 0.4, 0), STONE)
    obelisk = trimesh.creation.cone(radius=0.75, height=6.5, sections=4)
    b.add(
        obelisk,
        MARBLE,
        translation_matrix((2.0, y + 0.8, 0))
        @ rotation_matrix(-np.pi / 2, (1, 0, 0))
        @ rotation_matrix(np.pi / 4, (0, 0, 1)),
    )
    profile = np.array([[0.0, 0.0], [2.0, 0.0], [2.1, 0.5], [1.8, 0.55], [1.7, 0.15], [0.0, 0.15]])
    b.add(revolved(profile, sections=20), STONE, translation_matrix((-5.5, y, 0)))
    for x, z in ((-6.0, -5.5), (-6.0, 5.5), (7.0, -5.5), (7.0, 5.5)):
        _box(b, (1.0, 1.4, 1.0), (x, y + 0.7, z), DARK_STONE)
        figure = trimesh.creation.capsule(height=1.0, radius=0.3, count=(6, 6))
        b.add(
            figure,
            BRONZE,
            translation_matrix((x, y + 2.2, z)) @ rotation_matrix(np.pi / 2, (1, 0, 0)),
        )


def path_keyframes() -> list[Keyframe]:
    """The built-in path; its first five seconds hold every kind of motion, so a short
    evaluation sees them all: a still look across the courtyard, a slow walk along the
    portico, a fast turn towards the gate, a cut to the sanctuary doorway, then a walk in."""

    def key(t: float, eye: tuple, target: tuple, fov: float = 60.0, cut: bool = False) -> Keyframe:
        cam = Camera.look_at(eye, target)
        return Keyframe(t, tuple(eye), tuple(cam.rotation_xyzw), fov, cut)

    eye_h = PLATFORM_TOP + 1.7
    gate = (-16.0, 3.0, 4.0)
    return [
        key(0.0, (-10.5, eye_h, 6.8), (4.0, 2.2, -1.5)),
        key(1.2, (-10.5, eye_h, 6.8), (4.0, 2.2, -1.5)),
        key(3.4, (-8.4, eye_h, 7.2), (6.0, 2.4, -2.0)),
        key(3.8, (-7.9, eye_h, 7.3), (-8.0, 2.6, -10.0)),
        key(4.2, (-7.9, eye_h, 7.3), gate),
        key(4.6, (-7.9, eye_h, 7.3), gate),
        key(4.6 + 1 / 30, (8.0, eye_h, 3.5), (16.5, 2.6, 0.0), cut=True),
        key(6.0, (8.0, eye_h, 3.5), (16.5, 2.6, 0.0)),
        key(9.5, (10.5, eye_h, 1.5), (17.5, 2.4, 0.5)),
        key(12.5, (12.0, eye_h, -0.5), (18.0, 2.2, -2.5)),
    ]
