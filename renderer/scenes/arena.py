"""The arena: an open-air stadium about 25 m across, full of things that move and rotate.

It exists for object motion vectors: eleven rigid objects (a carousel, a windmill, a
turnstile, tumbling and bobbing boxes, orbiting moons, a pendulum, a bouncing ball, a rolling
drum, a spinning ring) move at up to about 7 m/s or spin at up to 270 degrees a second, with
object-space patterns so that their motion shows on their surfaces, under a sun and two
floodlights whose shadows move with them.

Y is up, units are metres, the arena's centre is the origin and +Z is "south", where the
default camera stands. Everything is deterministic: motions are smooth functions of time.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import trimesh
from scipy.spatial.transform import Rotation

from renderer.camera import Camera
from renderer.path import Keyframe
from renderer.scenes.builder import SceneBuilder
from renderer.scenes.scene import (
    Material,
    Motion,
    RectLight,
    Scene,
    Sky,
    SunLight,
)

Vec3 = tuple[float, float, float]
Part = tuple[trimesh.Trimesh, Material]

# -- layout (x, z on the floor) ---------------------------------------------------------------

FLOOR_RADIUS = 13.0
BLEACHER_INNER = 10.8
BLEACHER_OUTER = 12.85
STEP_HEIGHT = 0.5
STEP_COUNT = 3
PARAPET_HEIGHT = 2.4
PILLAR_RADIUS_RING = 9.6
PILLAR_HEIGHT = 4.5

CAROUSEL = (0.0, 0.0)
WINDMILL = (-5.5, -6.0)
TURNSTILE = (6.4, 3.8)
TUMBLER = (-3.6, 6.2)
BOBBER = (8.0, -1.4)
ORRERY = (5.5, -5.0)
PENDULUM = (0.0, -7.5)
BALL = (2.4, 6.8)
DRUM_X = -7.2
DRUM_Z = (1.0, 5.0)
RING = (-7.8, -1.5)

PEDESTAL_HEIGHT = 1.0
WINDMILL_HUB_HEIGHT = 4.1
WINDMILL_AXIS = (0.6, 0.0, 1.0)
"""The rotor faces south-east, towards the centre and the default camera."""
ORRERY_HEIGHT = 2.35
PENDULUM_PIVOT_HEIGHT = 4.45
PENDULUM_LENGTH = 3.3
DRUM_RADIUS = 0.55
TRACK_HEIGHT = 0.02

# -- materials --------------------------------------------------------------------------------

STONE = Material((0.4, 0.38, 0.35), "tiles", 1.0, 0.35)
INLAY = Material((0.65, 0.63, 0.6), "noise", 3.0, 0.15)
SEAT_COLORS = ((0.55, 0.12, 0.1), (0.12, 0.25, 0.55), (0.7, 0.68, 0.62), (0.12, 0.42, 0.22))
PARAPET = Material((0.6, 0.42, 0.3), "tiles", 2.0, 0.4)
MARBLE = Material((0.62, 0.6, 0.57), "noise", 1.5, 0.2)
METAL = Material((0.3, 0.31, 0.33), "noise", 6.0, 0.15)
DARK = Material((0.08, 0.08, 0.09))
HOUSING = Material((0.15, 0.15, 0.16))
WOOD = Material((0.45, 0.3, 0.2), "noise", 4.0, 0.3)
BRASS = Material((0.85, 0.65, 0.15), "noise", 4.0, 0.3)

# -- lighting ---------------------------------------------------------------------------------

SUN = SunLight(direction=(-0.62, 0.62, 0.48), angular_radius=2.0, irradiance=(2.6, 2.5, 2.3))
"""From the west-south-west, 38 degrees up: shadows fall to the north-east, partly across
the default view, where they read best."""
FLOOD_RADIANCE = 12.0
FLOODS = (
    # (azimuth of the pole in degrees from +x towards +z, tint)
    (-135.0, (1.0, 0.9, 0.76)),
    (45.0, (0.84, 0.92, 1.0)),
)
FLOOD_SIZE = (3.0, 1.5)
FLOOD_HEIGHT = 7.8
SKY = Sky(zenith=(0.12, 0.21, 0.45), horizon=(0.38, 0.42, 0.48))


def build() -> Scene:
    """The arena at rest; its moving objects take their place from the scene time."""
    builder = SceneBuilder("arena")
    for part, material in [*_ground(), *_bleachers(), *_pillars(), *_fixtures()]:
        builder.add(part, material)
    for light, parts in _floodlights():
        builder.add_light(light)
        for part, material in parts:
            builder.add(part, material)
    builder.add_light(SUN)
    for name, parts, motion in _moving_objects():
        builder.add_dynamic(name, parts, motion)
    return builder.build(camera=default_camera(), sky=SKY, path="arena")


def default_camera() -> Camera:
    """A spectator above the south stand, looking over the whole arena."""
    return Camera.look_at((0.0, 7.0, 15.5), (0.0, 0.5, 0.0), fov=55.0)


# -- geometry helpers -------------------------------------------------------------------------


def _pose(
    rotation: np.ndarray | None = None, translation: Sequence[float] = (0, 0, 0)
) -> np.ndarray:
    """A (4, 4) rigid transform from a (3, 3) rotation and a translation."""
    m = np.eye(4)
    if rotation is not None:
        m[:3, :3] = rotation
    m[:3, 3] = translation
    return m


def _rot(axis: Sequence[float], angle: float) -> np.ndarray:
    """(3, 3) rotation by ``angle`` radians about ``axis`` (right-handed)."""
    a = np.asarray(axis, np.float64)
    return Rotation.from_rotvec(a / np.linalg.norm(a) * angle).as_matrix()


def _placed(
    tm: trimesh.Trimesh, translation: Sequence[float], rotation: np.ndarray | None = None
) -> trimesh.Trimesh:
    """``tm`` rotated about its origin, then moved to ``translation``."""
    out = tm.copy()
    out.apply_transform(_pose(rotation, translation))
    return out


def _box(
    size: Vec3, center: Sequence[float], rotation: np.ndarray | None = None
) -> trimesh.Trimesh:
    return _placed(trimesh.creation.box(size), center, rotation)


def _post(
    radius: float, y0: float, y1: float, x: float = 0.0, z: float = 0.0, sections: int = 12
) -> trimesh.Trimesh:
    """A vertical cylinder from height ``y0`` to ``y1``."""
    cyl = trimesh.creation.cylinder(radius, y1 - y0, sections=sections)
    # trimesh cylinders run along z; turn them upright.
    return _placed(cyl, (x, (y0 + y1) / 2, z), _rot((1, 0, 0), -math.pi / 2))


def _sphere(
    radius: float, center: Sequence[float] = (0, 0, 0), subdivisions: int = 1
) -> trimesh.Trimesh:
    return _placed(trimesh.creation.icosphere(subdivisions, radius), center)


def _revolved(
    profile: Sequence[tuple[float, float]], start_deg: float, span_deg: float, sections: int
) -> trimesh.Trimesh:
    """A (radius, height) profile swept about the vertical axis over an arc of degrees."""
    tm = trimesh.creation.revolve(
        np.asarray(profile, np.float64), math.radians(span_deg), sections=sections
    )
    # revolve sweeps about z from the +x axis; map z to y and start at ``start_deg``.
    z_to_y = np.array([[1.0, 0, 0], [0, 0, 1], [0, -1, 0]])
    return _placed(tm, (0, 0, 0), _rot((0, 1, 0), -math.radians(start_deg)) @ z_to_y)


def _at(xz: tuple[float, float], y: float = 0.0) -> tuple[float, float, float]:
    return (xz[0], y, xz[1])


# -- static parts -----------------------------------------------------------------------------


def _ground() -> list[Part]:
    """The tiled floor, a pale ring round the carousel and the drum's track."""
    floor = _post(FLOOR_RADIUS, -0.2, 0.0, sections=64)
    ring = trimesh.creation.annulus(4.4, 4.9, TRACK_HEIGHT, sections=48)
    ring = _placed(ring, (0, TRACK_HEIGHT / 2, 0), _rot((1, 0, 0), -math.pi / 2))
    dais = _post(1.2, 0.0, 0.25, *CAROUSEL, sections=24)
    z0, z1 = DRUM_Z
    track = _box((1.3, TRACK_HEIGHT, z1 - z0 + 2.4), (DRUM_X, TRACK_HEIGHT / 2, (z0 + z1) / 2))
    return [(floor, STONE), (ring, INLAY), (dais, MARBLE), (track, METAL)]


def _bleachers() -> list[Part]:
    """Stepped stands round the floor in coloured blocks, with a parapet at the back."""
    profile = [(BLEACHER_INNER, 0.0)]
    depth = (BLEACHER_OUTER - 0.25 - BLEACHER_INNER) / STEP_COUNT
    for i in range(STEP_COUNT):
        r = BLEACHER_INNER + i * depth
        profile += [(r, (i + 1) * STEP_HEIGHT), (r + depth, (i + 1) * STEP_HEIGHT)]
    profile += [
        (BLEACHER_OUTER - 0.25, PARAPET_HEIGHT),
        (BLEACHER_OUTER, PARAPET_HEIGHT),
        (BLEACHER_OUTER, 0.0),
    ]
    seats = profile[:-3]
    parapet = profile[-4:]
    parts: list[Part] = []
    blocks = 8
    for k in range(blocks):
        color = SEAT_COLORS[k % len(SEAT_COLORS)]
        seat = Material(color, "stripes", 1.0 / STEP_HEIGHT, 0.25)
        parts.append((_revolved(seats, k * 360 / blocks, 360 / blocks, 8), seat))
    parts.append((_revolved(parapet, 0.0, 360.0, 64), PARAPET))
    return parts


def _pillars() -> list[Part]:
    """Eight columns between the floor and the stands, off the camera's southern gap."""
    parts: list[Part] = []
    for k in range(8):
        a = math.radians(22.5 + 45 * k)
        x, z = PILLAR_RADIUS_RING * math.cos(a), PILLAR_RADIUS_RING * math.sin(a)
        parts += [
            (_box((0.9, 0.35, 0.9), (x, 0.175, z)), MARBLE),
            (_post(0.32, 0.35, PILLAR_HEIGHT - 0.3, x, z, sections=16), MARBLE),
            (_box((0.85, 0.3, 0.85), (x, PILLAR_HEIGHT - 0.15, z)), MARBLE),
        ]
    return parts


def _fixtures() -> list[Part]:
    """The static mounts of the moving objects: pedestals, posts and the pendulum's gantry."""
    pedestal = Material((0.62, 0.6, 0.56), "tiles", 3.0, 0.3)
    parts: list[Part] = [
        (_box((0.9, PEDESTAL_HEIGHT, 0.9), _at(TUMBLER, PEDESTAL_HEIGHT / 2)), pedestal),
        (_box((1.1, 0.6, 1.1), _at(BOBBER, 0.3)), pedestal),
        (_post(0.12, 0.0, 0.8, *TURNSTILE), METAL),
        (_post(0.55, 0.0, 0.12, *TURNSTILE, sections=16), METAL),
        (
            _box(
                (0.3, WINDMILL_HUB_HEIGHT + 0.15, 0.3),
                _at(WINDMILL, (WINDMILL_HUB_HEIGHT + 0.15) / 2),
            ),
            WOOD,
        ),
        (_post(0.6, 0.0, 0.15, *ORRERY, sections=16), METAL),
        (_post(0.14, 0.15, ORRERY_HEIGHT - 0.3, *ORRERY), METAL),
        (_sphere(0.42, _at(ORRERY, ORRERY_HEIGHT), 2), BRASS),
    ]
    x, z = PENDULUM
    top = PENDULUM_PIVOT_HEIGHT + 0.15
    gantry = Material((0.2, 0.24, 0.3), "noise", 4.0, 0.2)
    for dz in (-0.95, 0.95):
        parts.append((_box((0.2, top, 0.2), (x, top / 2, z + dz)), gantry))
        parts.append((_box((0.8, 0.1, 0.5), (x, 0.05, z + dz)), METAL))
    parts.append((_box((0.25, 0.25, 2.3), (x, top, z)), gantry))
    return parts


def _floodlights() -> list[tuple[RectLight, list[Part]]]:
    """Panels high on poles at the back of the stands, aimed down at the centre."""
    lights = []
    width, height = FLOOD_SIZE
    for azimuth, tint in FLOODS:
        a = math.radians(azimuth)
        out = np.array([math.cos(a), 0.0, math.sin(a)])
        center = out * (BLEACHER_OUTER - 1.0) + [0, FLOOD_HEIGHT, 0]
        normal = -center / np.linalg.norm(center)  # towards the floor's centre
        u = np.cross([0.0, 1.0, 0.0], normal)
        u /= np.linalg.norm(u)
        v = np.cross(normal, u)  # so that cross(u, v) is the emitting normal
        light = RectLight(
            tuple(center),
            tuple(u * width),
            tuple(v * height),
            tuple(FLOOD_RADIANCE * np.asarray(tint)),
        )
        housing = _box(
            (width + 0.3, height + 0.3, 0.25),
            center - normal * 0.14,
            np.stack([u, v, normal], axis=1),
        )
        foot = out * (BLEACHER_OUTER - 0.55)
        pole = _post(0.14, STEP_HEIGHT * STEP_COUNT, FLOOD_HEIGHT - 0.3, foot[0], foot[2])
        lights.append((light, [(housing, HOUSING), (pole, METAL)]))
    return lights


# -- moving parts -----------------------------------------------------------------------------


Moving = tuple[str, list[Part], Motion]
"""A moving object: its name, its parts (each with a material) and its motion."""


def _rigid(name: str, parts: list[Part], motion: Motion) -> Moving:
    """One moving object: parts in its own frame, each with its own material."""
    return name, parts, motion


def _moving_objects() -> list[Moving]:
    return [
        _carousel(),
        _windmill(),
        _turnstile(),
        _tumbler(),
        _bobber(),
        *_moons(),
        _pendulum(),
        _ball(),
        _drum(),
        _ring(),
    ]


def _mid_cell(size: float, cells: int = 3) -> float:
    """Pattern scale that puts a centred cube's faces in the middle of pattern cells.

    A face on a cell border would take its colour from the shader's quarter-cell step
    into the surface, which follows the world-space normal and so changes as the cube turns.
    """
    return cells / size


def _spinning(center: Vec3, axis: Sequence[float], deg_per_s: float) -> Motion:
    """Constant rotation about ``axis`` through ``center``."""
    rate = math.radians(deg_per_s)
    return lambda t: _pose(_rot(axis, rate * t), center)


def _carousel() -> Moving:
    """A checkered hub and canopy with four arms carrying seats 3.5 m out: 3.4 m/s."""
    arm_radius, arm_height = 3.5, 3.0
    parts: list[Part] = [
        (_post(0.3, 0.25, arm_height + 0.1), Material((0.8, 0.78, 0.72), "checker", 3.0, 0.75)),
        (
            _placed(
                trimesh.creation.cone(2.0, 0.8, sections=12),
                (0, arm_height + 0.1, 0),
                _rot((1, 0, 0), -math.pi / 2),
            ),
            Material((0.75, 0.18, 0.15), "checker", 2.0, 0.7),
        ),
    ]
    seats = [
        (trimesh.creation.box((0.75, 0.6, 0.75)), Material((0.85, 0.7, 0.12), "checker", 4.0, 0.6)),
        (trimesh.creation.icosphere(1, 0.45), Material((0.15, 0.35, 0.8), "stripes", 5.0, 0.7)),
        (trimesh.creation.box((0.6, 0.8, 0.6)), Material((0.2, 0.6, 0.3), "noise", 4.0, 0.6)),
        (trimesh.creation.icosphere(1, 0.45), Material((0.7, 0.25, 0.6), "checker", 3.0, 0.6)),
    ]
    rod = Material((0.25, 0.25, 0.27))
    for k, (seat, material) in enumerate(seats):
        turn = _rot((0, 1, 0), k * math.pi / 2)
        arm = _box((arm_radius, 0.12, 0.12), (arm_radius / 2, arm_height, 0))
        hanger = _box((0.06, 1.2, 0.06), (arm_radius, arm_height - 0.6, 0))
        parts += [(_placed(arm, (0, 0, 0), turn), rod), (_placed(hanger, (0, 0, 0), turn), rod)]
        parts.append((_placed(seat, turn @ [arm_radius, arm_height - 1.55, 0]), material))
    return _rigid("carousel", parts, _spinning(_at(CAROUSEL), (0, 1, 0), 55.0))


def _windmill() -> Moving:
    """Four checkered blades, 1.9 m long, at 220 degrees a second: tips at 7 m/s."""
    blade = Material((0.9, 0.88, 0.82), "checker", 3.0, 0.7)
    parts: list[Part] = [
        (
            _placed(trimesh.creation.cylinder(0.22, 0.3, sections=10), (0, 0, 0.1)),
            Material((0.7, 0.15, 0.12)),
        )
    ]
    for k in range(4):
        turn = _rot((0, 0, 1), k * math.pi / 2 + 0.3)
        parts.append((_placed(_box((0.36, 1.7, 0.05), (0.0, 1.05, 0.0)), (0, 0, 0), turn), blade))
    # The rotor's local z is its axle, turned towards WINDMILL_AXIS in front of the post.
    axis = np.asarray(WINDMILL_AXIS) / np.linalg.norm(WINDMILL_AXIS)
    facing = _rot((0, 1, 0), math.atan2(axis[0], axis[2]))
    hub = np.asarray(_at(WINDMILL, WINDMILL_HUB_HEIGHT)) + axis * 0.4
    rate = math.radians(220.0)
    return _rigid("windmill", parts, lambda t: _pose(facing @ _rot((0, 0, 1), -rate * t), hub))


def _turnstile() -> Moving:
    """Three arms with paddles round a post, sweeping at 160 degrees a second."""
    arm = Material((0.9, 0.75, 0.1), "checker", 4.0, 0.8)
    paddle = Material((0.1, 0.55, 0.65), "stripes", 5.0, 0.6)
    parts: list[Part] = [(_post(0.2, -0.15, 0.15, sections=10), METAL)]
    for k in range(3):
        turn = _rot((0, 1, 0), k * 2 * math.pi / 3)
        parts.append((_placed(_box((1.5, 0.12, 0.12), (0.85, 0, 0)), (0, 0, 0), turn), arm))
        parts.append((_placed(_box((0.08, 0.7, 0.45), (1.55, -0.1, 0)), (0, 0, 0), turn), paddle))
    return _rigid("turnstile", parts, _spinning(_at(TURNSTILE, 0.95), (0, 1, 0), -160.0))


def _tumbler() -> Moving:
    """A checkered cube tumbling about a tilted axis at 270 degrees a second."""
    size = 0.8
    material = Material((0.8, 0.15, 0.1), "checker", _mid_cell(size), 0.75)
    cube = (trimesh.creation.box((size, size, size)), material)
    return _rigid(
        "tumbler", [cube], _spinning(_at(TUMBLER, PEDESTAL_HEIGHT + 0.85), (1.0, 1.2, 0.4), 270.0)
    )


def _bobber() -> Moving:
    """A striped cube that spins, rocks and bobs above its pedestal."""
    size = 0.9
    material = Material((0.2, 0.3, 0.75), "stripes", _mid_cell(size), 0.6)
    cube = (trimesh.creation.box((size, size, size)), material)
    base = np.asarray(_at(BOBBER, 1.7))
    spin = math.radians(120.0)

    def motion(t: float) -> np.ndarray:
        rock = _rot((1, 0, 0), math.radians(25.0) * math.sin(1.7 * t))
        lift = 0.35 * math.sin(math.pi * t)
        return _pose(_rot((0, 1, 0), spin * t) @ rock, base + np.array([0.0, lift, 0.0]))

    return _rigid("bobber", [cube], motion)


def _moons() -> list[Moving]:
    """Two spinning moons on tilted orbits round the orrery's sun: 5.9 and 4.6 m/s."""
    center = np.asarray(_at(ORRERY, ORRERY_HEIGHT))
    specs = [
        # name, radius, orbit radius, degrees per second, tilt axis and angle, material
        (
            "moon-inner",
            0.28,
            1.3,
            260.0,
            (1, 0, 0),
            25.0,
            Material((0.15, 0.7, 0.75), "checker", 6.0, 0.7),
        ),
        (
            "moon-outer",
            0.38,
            2.1,
            -140.0,
            (1, 0, 1),
            -12.0,
            Material((0.55, 0.3, 0.75), "noise", 4.0, 0.6),
        ),
    ]
    moons = []
    for name, radius, orbit, rate, tilt_axis, tilt, material in specs:
        tilt_rot = _rot(tilt_axis, math.radians(tilt))
        omega = math.radians(rate)

        def motion(t: float, orbit=orbit, omega=omega, tilt_rot=tilt_rot) -> np.ndarray:
            a = omega * t
            where = center + tilt_rot @ [orbit * math.cos(a), 0.0, orbit * math.sin(a)]
            # Spin faster than the orbit, about a tilted axis, so the pattern rolls over.
            return _pose(tilt_rot @ _rot((0.3, 1, 0), 2.5 * a), where)

        moons.append(_rigid(name, [(_sphere(radius, subdivisions=1), material)], motion))
    return moons


def _pendulum() -> Moving:
    """A heavy ball on a rod from the gantry, swinging 55 degrees each side: 5.5 m/s low."""
    length = PENDULUM_LENGTH
    parts: list[Part] = [
        (_placed(trimesh.creation.cylinder(0.1, 0.4, sections=10), (0, 0, 0)), METAL),
        (_box((0.07, length - 0.3, 0.07), (0, -(length - 0.3) / 2, 0)), DARK),
        (_sphere(0.42, (0, -length, 0), 2), Material((0.9, 0.45, 0.1), "stripes", 5.0, 0.7)),
    ]
    pivot = _at(PENDULUM, PENDULUM_PIVOT_HEIGHT)
    amplitude = math.radians(55.0)
    omega = 2 * math.pi / 3.6  # a 3.3 m pendulum's own period
    return _rigid(
        "pendulum", parts, lambda t: _pose(_rot((0, 0, 1), amplitude * math.sin(omega * t)), pivot)
    )


def _ball() -> Moving:
    """A beach ball bouncing 1.8 m high (4.4 m/s) while circling and spinning.

    The bounce is a raised cosine: smooth at the floor, where a real bounce has a kink."""
    ball = (_sphere(0.5, subdivisions=2), Material((0.95, 0.5, 0.1), "checker", 2.0, 0.8))
    base = np.asarray(_at(BALL, 0.5))
    bounce, circle = 2 * math.pi / 1.3, math.radians(70.0)
    spin = math.radians(200.0)

    def motion(t: float) -> np.ndarray:
        lift = 0.9 * (1.0 - math.cos(bounce * t))
        offset = [0.6 * math.cos(circle * t), lift, 0.6 * math.sin(circle * t)]
        return _pose(_rot((1, 0, 0.5), spin * t), base + offset)

    return _rigid("ball", [ball], motion)


def _drum() -> Moving:
    """A striped drum rolling back and forth along its track without slipping."""
    body = _placed(
        trimesh.creation.cylinder(DRUM_RADIUS, 1.0, sections=16),
        (0, 0, 0),
        _rot((0, 1, 0), math.pi / 2),
    )
    rim = Material((0.85, 0.3, 0.45), "checker", 4.0, 0.65)
    z0, z1 = DRUM_Z
    mid, reach = (z0 + z1) / 2, (z1 - z0) / 2
    omega = 2 * math.pi / 4.0
    y = TRACK_HEIGHT + DRUM_RADIUS

    def motion(t: float) -> np.ndarray:
        z = mid + reach * math.sin(omega * t)
        # Rolling along +z about the x axis turns it by distance / radius.
        return _pose(_rot((1, 0, 0), (z - mid) / DRUM_RADIUS), (DRUM_X, y, z))

    return _rigid("drum", [(body, rim)], motion)


def _ring() -> Moving:
    """A hovering ring standing on edge, spinning like a coin and rocking."""
    torus = trimesh.creation.torus(0.65, 0.16, major_sections=16, minor_sections=8)
    material = Material((0.25, 0.75, 0.3), "checker", 5.0, 0.7)
    base = np.asarray(_at(RING, 1.75))
    spin = math.radians(180.0)

    def motion(t: float) -> np.ndarray:
        rock = _rot((0, 0, 1), math.radians(20.0) * math.sin(1.1 * t))
        lift = 0.2 * math.sin(2.0 * t)
        return _pose(_rot((0, 1, 0), spin * t) @ rock, base + np.array([0.0, lift, 0.0]))

    return _rigid("ring", [(torus, material)], motion)


# -- the built-in camera path -----------------------------------------------------------------


def _key(time: float, eye: Vec3, target: Vec3, fov: float = 60.0, cut: bool = False) -> Keyframe:
    """A key at ``eye`` looking at ``target``."""
    rotation = Camera.look_at(eye, target, fov=fov).rotation_xyzw
    return Keyframe(time, eye, tuple(float(q) for q in rotation), fov, cut)  # type: ignore[arg-type]


def path_keyframes() -> list[Keyframe]:
    """12.5 s in three shots.

    ====  ===========  =============================================================
    shot  seconds      what
    ====  ===========  =============================================================
    1     0.0 - 2.6    still, from the south stand: only the objects move
    2     2.6 - 7.0    cut to the floor; walk 4.4 m north at 1 m/s towards the
                       carousel, between the tumbler and the bouncing ball
          7.0 - 7.3    stand
          7.3 - 8.1    fast turn, about 100 degrees to the left in 0.8 s, from the
                       carousel to the tumbler, the drum and the ring
          8.1 - 8.8    hold
    3     8.8 - 12.5   cut to a high crane inside the east stand, sweeping from
                       north-east to east at about 2.3 m/s over the orrery, the
                       pendulum and the bobbing cube
    ====  ===========  =============================================================
    """
    return [*_still_shot(0.0, 2.6), *_walk_shot(2.6, 7.0), *_crane_shot(8.8, 12.5)]


def _still_shot(start: float, end: float) -> list[Keyframe]:
    """A spectator on the top step of the south stand: nine moving objects in view."""
    stand, target = (0.8, 3.3, 12.0), (-0.3, 1.1, 1.0)
    return [_key(start, stand, target, 55.0), _key(end, stand, target, 55.0)]


def _walk_shot(start: float, end: float) -> list[Keyframe]:
    """Walk north looking right of the carousel, stop, then whip about 100 degrees left to
    the drum and the ring.

    Evenly spaced keys keep the walk at a steady pace: PCHIP slows only into the stop (and
    peaks at 1.3 m/s just before it)."""
    x, y, z0, z1 = -0.5, 1.7, 10.0, 5.6
    walk_target, turn_target = (3.5, 1.4, -1.5), (-7.5, 1.2, 3.5)
    steps = 4
    keys = []
    for i in range(steps + 1):
        s = i / steps
        eye = (x, y, z0 + (z1 - z0) * s)
        keys.append(_key(start + (end - start) * s, eye, walk_target, cut=i == 0))
    eye = (x, y, z1)
    return [
        *keys,
        _key(end + 0.3, eye, walk_target),
        _key(end + 1.1, eye, turn_target),
        _key(end + 1.8, eye, turn_target),
    ]


def _crane_shot(start: float, end: float) -> list[Keyframe]:
    """An arc 8.4 m from the centre, above the pillars' height, looking down into the arena."""
    mid = (start + end) / 2
    stops = [
        (start, -55.0, 5.8, (0.0, 1.5, -3.0)),
        (mid, -28.0, 5.5, (0.0, 1.2, -1.0)),
        (end, 0.0, 5.0, (0.0, 1.0, 2.0)),
    ]
    keys = []
    for i, (t, azimuth, height, target) in enumerate(stops):
        a = math.radians(azimuth)
        keys.append(_key(t, (8.4 * math.cos(a), height, 8.4 * math.sin(a)), target, cut=i == 0))
    return keys
