"""The arena's static parts: the floor and the drum's track, the stepped stands, the
pillars, and the fixed mounts of the moving objects."""

from __future__ import annotations

import math

import trimesh

from renderer.scenes.arena.layout import (
    BLEACHER_INNER,
    BLEACHER_OUTER,
    BOBBER,
    CAROUSEL,
    DRUM_X,
    DRUM_Z,
    FLOOR_RADIUS,
    ORRERY,
    ORRERY_HEIGHT,
    PARAPET_HEIGHT,
    PEDESTAL_HEIGHT,
    PENDULUM,
    PENDULUM_PIVOT_HEIGHT,
    PILLAR_HEIGHT,
    PILLAR_RADIUS_RING,
    STEP_COUNT,
    STEP_HEIGHT,
    TRACK_HEIGHT,
    TUMBLER,
    TURNSTILE,
    WINDMILL,
    WINDMILL_HUB_HEIGHT,
    at,
)
from renderer.scenes.arena.materials import (
    BRASS,
    INLAY,
    MARBLE,
    METAL,
    PARAPET,
    SEAT_COLORS,
    STONE,
    WOOD,
)
from renderer.scenes.arena.parts import UPRIGHT, Part, placed, post, revolved_arc
from renderer.scenes.scene import Material
from renderer.scenes.shapes import box, sphere


def static_parts() -> list[Part]:
    """Every static part but the floodlights' (see ``lighting.floodlights``)."""
    return [*ground(), *bleachers(), *pillars(), *fixtures()]


def ground() -> list[Part]:
    """The tiled floor, a pale ring round the carousel and the drum's track."""
    floor = post(FLOOR_RADIUS, -0.2, 0.0, sections=64)
    ring = trimesh.creation.annulus(4.4, 4.9, TRACK_HEIGHT, sections=48)
    ring = placed(ring, (0, TRACK_HEIGHT / 2, 0), UPRIGHT)
    dais = post(1.2, 0.0, 0.25, *CAROUSEL, sections=24)
    z0, z1 = DRUM_Z
    track = box((1.3, TRACK_HEIGHT, z1 - z0 + 2.4), (DRUM_X, TRACK_HEIGHT / 2, (z0 + z1) / 2))
    return [(floor, STONE), (ring, INLAY), (dais, MARBLE), (track, METAL)]


def bleachers() -> list[Part]:
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
        parts.append((revolved_arc(seats, k * 360 / blocks, 360 / blocks, 8), seat))
    parts.append((revolved_arc(parapet, 0.0, 360.0, 64), PARAPET))
    return parts


def pillars() -> list[Part]:
    """Eight columns between the floor and the stands, off the camera's southern gap."""
    parts: list[Part] = []
    for k in range(8):
        a = math.radians(22.5 + 45 * k)
        x, z = PILLAR_RADIUS_RING * math.cos(a), PILLAR_RADIUS_RING * math.sin(a)
        parts += [
            (box((0.9, 0.35, 0.9), (x, 0.175, z)), MARBLE),
            (post(0.32, 0.35, PILLAR_HEIGHT - 0.3, x, z, sections=16), MARBLE),
            (box((0.85, 0.3, 0.85), (x, PILLAR_HEIGHT - 0.15, z)), MARBLE),
        ]
    return parts


def fixtures() -> list[Part]:
    """The static mounts of the moving objects: pedestals, posts and the pendulum's gantry."""
    pedestal = Material((0.62, 0.6, 0.56), "tiles", 3.0, 0.3)
    mast = WINDMILL_HUB_HEIGHT + 0.15
    parts: list[Part] = [
        (box((0.9, PEDESTAL_HEIGHT, 0.9), at(TUMBLER, PEDESTAL_HEIGHT / 2)), pedestal),
        (box((1.1, 0.6, 1.1), at(BOBBER, 0.3)), pedestal),
        (post(0.12, 0.0, 0.8, *TURNSTILE), METAL),
        (post(0.55, 0.0, 0.12, *TURNSTILE, sections=16), METAL),
        (box((0.3, mast, 0.3), at(WINDMILL, mast / 2)), WOOD),
        (post(0.6, 0.0, 0.15, *ORRERY, sections=16), METAL),
        (post(0.14, 0.15, ORRERY_HEIGHT - 0.3, *ORRERY), METAL),
        (sphere(0.42, at(ORRERY, ORRERY_HEIGHT), 2), BRASS),
    ]
    x, z = PENDULUM
    top = PENDULUM_PIVOT_HEIGHT + 0.15
    gantry = Material((0.2, 0.24, 0.3), "noise", 4.0, 0.2)
    for dz in (-0.95, 0.95):
        parts.append((box((0.2, top, 0.2), (x, top / 2, z + dz)), gantry))
        parts.append((box((0.8, 0.1, 0.5), (x, 0.05, z + dz)), METAL))
    parts.append((box((0.25, 0.25, 2.3), (x, top, z)), gantry))
    return parts
