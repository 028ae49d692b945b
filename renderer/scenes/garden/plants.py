"""Loose planting: trees, cypresses, bushes, flowers and their beds, tufts, pots, leaves."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import trimesh

from renderer.scenes.garden.constants import BARK, BLOOMS, HEDGE, LEAF_GREENS, SOIL, STONE
from renderer.scenes.garden.parts import Parts, vary
from renderer.scenes.garden.shapes import blob, quad
from renderer.scenes.scene import RGB
from renderer.scenes.shapes import box, cone, cylinder, pose, revolved


def tree(parts: Parts, rng: np.random.Generator, base: Sequence[float], height: float) -> None:
    """A leaning trunk with two limbs and a crown of three or four leafy blobs."""
    x, z = base
    lean = rng.uniform(-0.08, 0.08, 2)
    # A cone rather than a cylinder: the trunk tapers into the crown, which hides its tip.
    trunk = cone(0.22, height + 1.0, sections=7)
    parts.add(
        trunk,
        vary(rng, BARK),
        pose((x, 0, z), tilt=lean),
        pattern="noise",
        scale=5.0,
        contrast=0.4,
    )
    crown_y = height + 0.6
    for _ in range(2):
        yaw = rng.uniform(0, 2 * np.pi)
        limb = cylinder(0.06, 1.3, sections=5)
        parts.add(limb, vary(rng, BARK), pose((x, height * 0.75, z), yaw=yaw, tilt=(0.8, 0)))
    green = LEAF_GREENS[rng.integers(len(LEAF_GREENS))]
    for i in range(rng.integers(3, 5)):
        size = rng.uniform(1.1, 1.6) * (1.0 if i == 0 else 0.8)
        offset = (0, 0, 0) if i == 0 else rng.normal(0, 0.7, 3) * (1, 0.4, 1)
        crown = blob(rng, (size, size * 0.8, size), subdivisions=1, roughness=0.3)
        parts.add(
            crown,
            vary(rng, green, 0.15),
            pose((x + offset[0], crown_y + offset[1], z + offset[2])),
            pattern="noise",
            scale=3.5,
            contrast=0.6,
        )


def conifer(parts: Parts, rng: np.random.Generator, base: Sequence[float], height: float) -> None:
    """A slim tiered cypress: stacked cones."""
    x, z = base
    parts.add(cylinder(0.09, 0.6, sections=5), BARK, pose((x, 0, z)))
    for i, f in enumerate((0.0, 0.3, 0.55)):
        r = 0.75 * (1 - f * 0.8)
        parts.add(
            cone(r, height * (0.55 - i * 0.1), sections=8),
            vary(rng, HEDGE, 0.1),
            pose((x, 0.4 + f * height, z), yaw=rng.uniform(0, 1)),
            pattern="noise",
            scale=5.0,
            contrast=0.5,
        )


def bush(
    parts: Parts,
    rng: np.random.Generator,
    base: Sequence[float],
    size: float,
    bloom: RGB | None = None,
) -> None:
    """A low bush, optionally dotted with blooms on its upper side."""
    x, z = base
    radii = (size * rng.uniform(0.9, 1.2), size * rng.uniform(0.6, 0.8), size)
    yaw = rng.uniform(0, 2 * np.pi)
    parts.add(
        blob(rng, radii, subdivisions=1, roughness=0.3, frequency=1.2),
        vary(rng, LEAF_GREENS[rng.integers(len(LEAF_GREENS))]),
        pose((x, radii[1] * 0.75, z), yaw=yaw),
        pattern="noise",
        scale=6.0,
        contrast=0.6,
    )
    if bloom is None:
        return
    for _ in range(int(10 * size / 0.6)):
        d = rng.normal(size=3)
        d[1] = abs(d[1]) + 0.5
        d /= np.linalg.norm(d)
        p = np.array([x, radii[1] * 0.75, z]) + d * np.asarray(radii) * 0.95
        r = rng.uniform(0.045, 0.07)
        parts.add(trimesh.creation.icosphere(0, r), vary(rng, bloom), pose(p))


def _flower(parts: Parts, rng: np.random.Generator, x: float, z: float, color: RGB) -> None:
    """One flower: a stem, two leaves and a head of one of three kinds, about 25 triangles."""
    h = rng.uniform(0.25, 0.55)
    tilt = rng.normal(0, 0.08, 2)
    stem = pose((x, 0, z), tilt=tilt)
    parts.add(cone(0.014, h, sections=3), LEAF_GREENS[1], stem)
    top = (stem @ np.array([0, h, 0, 1.0]))[:3]
    for _ in range(2):
        parts.add(
            quad(0.04, 0.14),
            vary(rng, LEAF_GREENS[0]),
            pose(
                (x, rng.uniform(0.05, 0.15), z),
                yaw=rng.uniform(0, 6.3),
                tilt=(0, rng.uniform(0.2, 0.6)),
            ),
        )
    kind = rng.integers(3)
    if kind == 0:  # daisy: a flat petal fan with a yellow heart
        parts.add(cone(0.065, 0.012, sections=6), color, pose(top, tilt=tilt))
        parts.add(cone(0.022, 0.025, sections=4), BLOOMS[1], pose(top, tilt=tilt))
    elif kind == 1:  # tulip: a cup
        parts.add(
            cone(0.04, 0.09, sections=6),
            color,
            pose(np.add(top, (0, 0.09, 0)), tilt=(math.pi, 0)),
        )
    else:  # allium: a ball
        parts.add(trimesh.creation.icosphere(0, 0.05), color, pose(np.add(top, (0, 0.03, 0))))


def lawn_daisies(parts: Parts, rng: np.random.Generator, count: int) -> None:
    """Specks of white and yellow in the grass, two triangles each, in loose patches."""
    centers = rng.uniform(-11.5, 11.5, (count // 12, 2))
    for cx, cz in centers:
        if min(abs(cx), abs(cz)) < 1.6 or math.hypot(cx, cz) < 4.0:
            continue
        color = BLOOMS[3] if rng.random() < 0.75 else BLOOMS[1]
        for _ in range(12):
            x, z = cx + rng.normal(0, 0.5), cz + rng.normal(0, 0.5)
            if min(abs(x), abs(z)) < 1.3:
                continue
            parts.add(
                quad(0.05, 0.06),
                vary(rng, color, 0.1),
                pose((x, 0.012, z), yaw=rng.uniform(0, 6.3)),
            )


def flower_bed(
    parts: Parts,
    rng: np.random.Generator,
    center: Sequence[float],
    size: Sequence[float],
    count: int,
    palette: Sequence[RGB],
) -> None:
    """A raised rectangle of soil edged with stone, planted with flowers in drifts."""
    cx, cz = center
    sx, sz = size
    parts.add(box((sx, 0.16, sz), (cx, 0.0, cz)), SOIL, pattern="noise", scale=9.0, contrast=0.5)
    for dx, dz, lx, lz in (
        (0, sz / 2, sx + 0.2, 0.1),
        (0, -sz / 2, sx + 0.2, 0.1),
        (sx / 2, 0, 0.1, sz),
        (-sx / 2, 0, 0.1, sz),
    ):
        parts.add(
            box((lx, 0.22, lz), (cx + dx, 0.04, cz + dz)),
            STONE,
            pattern="tiles",
            scale=3.0,
            contrast=0.4,
        )
    for _ in range(count):
        u, v = rng.uniform(-0.45, 0.45, 2)
        # Colour drifts along the bed's long side read better than confetti.
        drift = int(np.clip((u + 0.5) * len(palette), 0, len(palette) - 1))
        color = palette[drift] if rng.random() < 0.85 else palette[rng.integers(len(palette))]
        _flower(parts, rng, cx + u * sx, cz + v * sz, vary(rng, color, 0.1))


def grass_tuft(
    parts: Parts,
    rng: np.random.Generator,
    position: Sequence[float],
    color: RGB,
    height: float = 0.26,
) -> None:
    """A few thin leaning blades."""
    x, z = position
    for _ in range(4):
        h = rng.uniform(0.45, 1.0) * height
        parts.add(
            cone(0.018, h, sections=3),
            vary(rng, color, 0.2),
            pose(
                (x + rng.normal(0, 0.03), 0, z + rng.normal(0, 0.03)),
                yaw=rng.uniform(0, 6.3),
                tilt=rng.normal(0, 0.3, 2),
            ),
        )


def potted_plant(parts: Parts, rng: np.random.Generator, position: Sequence[float]) -> None:
    """A terracotta pot with a round clipped shrub."""
    x, z = position
    pot = revolved(
        [(0.0, 0.0), (0.17, 0.0), (0.24, 0.42), (0.27, 0.45), (0.26, 0.5), (0.0, 0.5)], 8
    )
    parts.add(
        pot,
        vary(rng, (0.55, 0.24, 0.12), 0.08),
        pose((x, 0.04, z)),
        pattern="noise",
        scale=7.0,
        contrast=0.25,
    )
    size = rng.uniform(0.28, 0.36)
    parts.add(
        blob(rng, (size, size * 0.9, size), 1, 0.2, 1.2),
        vary(rng, LEAF_GREENS[rng.integers(len(LEAF_GREENS))]),
        pose((x, 0.54 + size * 0.7, z)),
        pattern="noise",
        scale=10.0,
        contrast=0.6,
    )


def fallen_leaves(parts: Parts, rng: np.random.Generator, count: int) -> None:
    """Autumn leaves on the paths and lawn, two triangles each: cheap fine detail."""
    colors = ((0.55, 0.22, 0.04), (0.6, 0.4, 0.06), (0.35, 0.14, 0.05), (0.5, 0.45, 0.1))
    for _ in range(count):
        x, z = rng.uniform(-12.5, 12.5, 2)
        if math.hypot(x, z) < 3.5:
            continue
        # Leaves lie on the gravel (its top is 2.5 cm up) or on the lawn.
        y = 0.03 if min(abs(x), abs(z)) < 1.1 else 0.01
        parts.add(
            quad(0.05, 0.09),
            vary(rng, colors[rng.integers(len(colors))], 0.15),
            pose((x, y, z), yaw=rng.uniform(0, 6.3)),
        )
