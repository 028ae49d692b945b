"""Built features: ground, fountain, pebbles, pergola, bench, lamps, rocks, stones, pond."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import trimesh
from trimesh import transformations as tf

from renderer.scenes.garden.constants import (
    BLOOMS,
    GRAVEL,
    HALF,
    HEDGE_LINE,
    IRON,
    LAWN,
    LEAF_GREENS,
    PALE_STONE,
    PERGOLA_HEIGHT,
    PERGOLA_X,
    ROCK_TINTS,
    STONE,
    WATER,
    WOOD,
)
from renderer.scenes.garden.parts import Parts, vary
from renderer.scenes.garden.plants import grass_tuft
from renderer.scenes.garden.shapes import blob
from renderer.scenes.shapes import Z_TO_Y, box, cone, cylinder, moved, pose, revolved


def ground(parts: Parts) -> None:
    """Lawn, the cross of gravel paths and the round plaza, stacked a few cm apart so they
    never fight over depth."""
    parts.add(
        box((2 * HALF, 0.2, 2 * HALF), (0, -0.1, 0)),
        LAWN,
        pattern="noise",
        scale=3.0,
        contrast=0.5,
    )
    for axis in (0, 2):
        for sign in (-1, 1):
            size = [2.2, 0.05, 2.2]
            size[axis] = HEDGE_LINE - 3.0
            center = [0.0, 0.0, 0.0]
            center[axis] = sign * (3.0 + size[axis] / 2)
            parts.add(box(size, center), GRAVEL, pattern="noise", scale=14.0, contrast=0.6)
    plaza = moved(trimesh.creation.cylinder(3.4, 0.08, sections=32), Z_TO_Y)
    parts.add(plaza, PALE_STONE, pattern="tiles", scale=1.6, contrast=0.45)


def fountain(parts: Parts) -> None:
    """A round basin with a two-tier fountain in the middle of the plaza."""
    rim = moved(
        trimesh.creation.annulus(1.55, 1.85, 0.5, sections=28),
        tf.translation_matrix((0, 0.25, 0)) @ Z_TO_Y,
    )
    parts.add(rim, STONE, pattern="tiles", scale=2.5, contrast=0.35)
    water = moved(
        trimesh.creation.cylinder(1.56, 0.02, sections=28),
        tf.translation_matrix((0, 0.36, 0)) @ Z_TO_Y,
    )
    parts.add(water, WATER, pattern="noise", scale=3.0, contrast=0.35)
    # Pedestal, lower bowl, stem, upper bowl, finial: one lathe profile (radius, height).
    profile = [
        (0.0, 0.3),
        (0.32, 0.3),
        (0.26, 0.45),
        (0.18, 0.55),
        (0.16, 0.85),
        (0.2, 0.92),
        (0.75, 1.02),
        (0.78, 1.1),
        (0.2, 1.12),
        (0.1, 1.2),
        (0.1, 1.55),
        (0.38, 1.62),
        (0.4, 1.68),
        (0.08, 1.7),
        (0.05, 1.85),
        (0.1, 1.95),
        (0.0, 2.05),
    ]
    parts.add(revolved(profile, 14), PALE_STONE, pattern="noise", scale=6.0, contrast=0.2)


def pebble_ring(parts: Parts, rng: np.random.Generator) -> None:
    """Loose pebbles around the plaza edge and along the paths' borders."""
    spots = []
    for angle in np.linspace(0, 2 * np.pi, 60, endpoint=False):
        r = 3.45 + rng.uniform(0, 0.2)
        spots.append((r * math.cos(angle), r * math.sin(angle)))
    for _ in range(100):
        along = rng.uniform(3.6, HEDGE_LINE - 1.0)
        side = rng.choice((-1, 1)) * rng.uniform(1.12, 1.3)
        spots.append((along, side) if rng.random() < 0.5 else (side, along))
        if rng.random() < 0.5:
            spots[-1] = (-spots[-1][0], -spots[-1][1])
    for x, z in spots:
        size = rng.uniform(0.05, 0.13)
        radii = (size * rng.uniform(0.8, 1.3), size * rng.uniform(0.4, 0.7), size)
        tm = blob(rng, radii, subdivisions=0, roughness=0.2)
        grey = rng.uniform(0.3, 0.65)
        parts.add(
            tm,
            vary(rng, (grey, grey * 0.97, grey * 0.92), 0.05),
            pose((x, radii[1] * 0.35, z), yaw=rng.uniform(0, 2 * np.pi)),
        )


def pergola(parts: Parts, rng: np.random.Generator) -> None:
    """Posts, two beams and thin cross slats over the east path, with climbers on the posts.

    Slat pitch and width are set so the sun's shadow-map texels (~15 cm over this scene)
    still resolve the stripes."""
    x0, x1 = PERGOLA_X
    h = PERGOLA_HEIGHT
    for x in np.linspace(x0, x1, 4):
        for z in (-1.45, 1.45):
            parts.add(
                box((0.16, h, 0.16), (x, h / 2, z)), WOOD, pattern="noise", scale=8.0, contrast=0.3
            )
    for z in (-1.45, 1.45):
        parts.add(
            box((x1 - x0 + 0.8, 0.22, 0.12), ((x0 + x1) / 2, h + 0.11, z)),
            WOOD,
            pattern="noise",
            scale=8.0,
            contrast=0.3,
        )
    for x in np.arange(x0 - 0.25, x1 + 0.26, 0.5):
        parts.add(
            box((0.16, 0.18, 3.7), (x, h + 0.31, 0)),
            vary(rng, WOOD, 0.08),
            pattern="noise",
            scale=8.0,
            contrast=0.3,
        )
    # Climbing roses: ragged leafy clumps winding up three posts, spilling over the beam,
    # with blooms sitting on the clumps' outer side.
    for x, z in ((x0, -1.45), (x0, 1.45), (x1, 1.45)):
        for i, y in enumerate(np.linspace(0.35, h + 0.15, 7)):
            size = rng.uniform(0.14, 0.26)
            angle = i * 2.1 + rng.uniform(0, 1)
            out = np.array([math.cos(angle), 0.0, math.sin(angle)])
            center = np.array([x, y, z]) + 0.14 * out
            parts.add(
                blob(rng, (size, size * 1.3, size), 1, 0.22, 1.4),
                vary(rng, LEAF_GREENS[2]),
                pose(center, yaw=rng.uniform(0, 6)),
                pattern="noise",
                scale=9.0,
                contrast=0.6,
            )
            if rng.random() < 0.7:
                bloom = center + 0.85 * size * out + (0, rng.uniform(-0.1, 0.1), 0)
                parts.add(trimesh.creation.icosphere(0, 0.04), vary(rng, BLOOMS[4]), pose(bloom))
        for _ in range(2):
            drape = blob(rng, (0.45, 0.2, 0.3), 1, 0.4, 1.4)
            dx = rng.uniform(-0.6, 0.6)
            parts.add(
                drape,
                vary(rng, LEAF_GREENS[2]),
                pose((x + dx, h + 0.38, z)),
                pattern="noise",
                scale=9.0,
                contrast=0.6,
            )


def bench(parts: Parts, rng: np.random.Generator, position: Sequence[float], yaw: float) -> None:
    """A slatted wooden bench with iron legs; it faces its local +z."""
    m = pose(position, yaw=yaw)
    wood = vary(rng, (0.42, 0.27, 0.15), 0.05)
    for i in range(4):
        parts.add(box((1.7, 0.04, 0.09), (0, 0.45, -0.18 + i * 0.12)), wood, m)
    for i in range(3):
        parts.add(box((1.7, 0.08, 0.03), (0, 0.62 + i * 0.12, -0.27 - i * 0.02)), wood, m)
    for sx in (-0.75, 0.75):
        parts.add(box((0.05, 0.45, 0.05), (sx, 0.225, 0.15)), IRON, m)
        parts.add(box((0.05, 0.85, 0.05), (sx, 0.425, -0.25)), IRON, m)


def lamp_post(parts: Parts, position: Sequence[float]) -> None:
    """An iron lamp post with a pale glass head (not a light: the sun does the work)."""
    x, z = position
    parts.add(cylinder(0.05, 2.4, sections=6), IRON, pose((x, 0, z)))
    parts.add(cylinder(0.14, 0.12, sections=6), IRON, pose((x, 0, z)))
    parts.add(box((0.24, 0.3, 0.24), (x, 2.55, z)), (0.7, 0.68, 0.55))
    parts.add(cone(0.22, 0.18, sections=4), IRON, pose((x, 2.7, z), yaw=math.pi / 4))


def rocks(parts: Parts, rng: np.random.Generator, center: Sequence[float]) -> None:
    """A rock garden: a few boulders half sunk into gravel, with small plants between."""
    cx, cz = center
    disk = moved(trimesh.creation.cylinder(2.4, 0.06, sections=16), Z_TO_Y)
    parts.add(
        disk,
        (0.33, 0.31, 0.28),
        pose((cx, 0.0, cz), scale=(1, 1, 0.8)),
        pattern="noise",
        scale=16.0,
        contrast=0.6,
    )
    for _ in range(6):
        size = rng.uniform(0.3, 0.7)
        p = (cx + rng.uniform(-1.6, 1.6), size * 0.25, cz + rng.uniform(-1.2, 1.2))
        tm = blob(rng, (size * 1.3, size * 0.8, size), 1, 0.35, 0.7)
        tint = ROCK_TINTS[rng.integers(len(ROCK_TINTS))]
        parts.add(
            tm,
            vary(rng, tint, 0.15),
            pose(p, yaw=rng.uniform(0, 6.3)),
            pattern="noise",
            scale=6.0,
            contrast=0.55,
        )
    for _ in range(10):
        p = (cx + rng.uniform(-1.8, 1.8), cz + rng.uniform(-1.4, 1.4))
        grass_tuft(parts, rng, p, (0.25, 0.35, 0.1))


def stepping_stones(
    parts: Parts, rng: np.random.Generator, points: Sequence[tuple[float, float]]
) -> None:
    """Flat, slightly oval stones set into the lawn at ``points`` (x, z)."""
    for x, z in points:
        stone = moved(trimesh.creation.cylinder(0.28, 0.06, sections=7), Z_TO_Y)
        parts.add(
            stone,
            vary(rng, PALE_STONE, 0.1),
            pose((x, 0.01, z), scale=(1, 1, rng.uniform(0.7, 0.9)), yaw=rng.uniform(0, 6.3)),
            pattern="noise",
            scale=10.0,
            contrast=0.3,
        )


def pond(parts: Parts, rng: np.random.Generator, center: Sequence[float]) -> None:
    """A lily pond: dark water ringed by rough stones, with pads, blooms and reeds."""
    cx, cz = center
    water = moved(trimesh.creation.cylinder(1.7, 0.04, sections=20), Z_TO_Y)
    parts.add(
        water,
        WATER,
        pose((cx, 0.0, cz), scale=(1, 1, 0.75)),
        pattern="noise",
        scale=2.5,
        contrast=0.4,
    )
    for angle in np.linspace(0, 2 * np.pi, 24, endpoint=False):
        size = rng.uniform(0.16, 0.26)
        p = (cx + 1.8 * math.cos(angle), size * 0.3, cz + 1.35 * math.sin(angle))
        tint = ROCK_TINTS[rng.integers(len(ROCK_TINTS))]
        parts.add(
            blob(rng, (size * 1.2, size * 0.6, size), 0, 0.2),
            vary(rng, tint, 0.2),
            pose(p, yaw=rng.uniform(0, 6.3)),
        )
    for _ in range(9):
        r, angle = rng.uniform(0.2, 1.2), rng.uniform(0, 2 * np.pi)
        p = (cx + r * math.cos(angle), 0.03, cz + 0.75 * r * math.sin(angle))
        pad = moved(trimesh.creation.cylinder(rng.uniform(0.13, 0.2), 0.01, sections=7), Z_TO_Y)
        parts.add(pad, vary(rng, LEAF_GREENS[3]), pose(p, yaw=rng.uniform(0, 6.3)))
        if rng.random() < 0.4:
            parts.add(
                cone(0.05, 0.06, sections=5),
                vary(rng, (0.9, 0.6, 0.7)),
                pose(np.add(p, (0.04, 0.0, 0.03))),
            )
    for _ in range(5):
        angle = rng.uniform(0.6, 2.2)
        grass_tuft(
            parts,
            rng,
            (cx + 1.45 * math.cos(angle), cz + 1.1 * math.sin(angle)),
            (0.2, 0.3, 0.08),
            height=0.7,
        )
