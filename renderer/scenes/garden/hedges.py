"""Clipped greenery: the enclosing hedge, the low box hedges and the topiary balls."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from trimesh import transformations as tf

from renderer.scenes.garden.constants import HEDGE, HEDGE_HEIGHT, HEDGE_LINE, PALE_STONE
from renderer.scenes.garden.parts import Parts, vary
from renderer.scenes.garden.shapes import Noise, blob, grid_box
from renderer.scenes.shapes import box, pose


def hedges(parts: Parts, rng: np.random.Generator) -> None:
    """The clipped hedge around the garden: four bumpy walls with leafy speckle."""
    noise = Noise(rng, 0.35)
    for axis in (0, 2):
        for sign in (-1, 1):
            length = 2 * HEDGE_LINE + (1.2 if axis == 0 else -1.2)
            size = (length, HEDGE_HEIGHT, 1.2) if axis == 0 else (1.2, HEDGE_HEIGHT, length)
            tm = grid_box(size, 0.8)
            center = np.array([0.0, HEDGE_HEIGHT / 2, 0.0])
            center[2 - axis] = sign * HEDGE_LINE
            tm.apply_translation(center)
            v = np.asarray(tm.vertices)
            # Bulge out at mid-height and wobble: a hand-clipped hedge, not a wall.
            bump = 0.12 * noise(v) + 0.08 * np.sin(np.pi * np.clip(v[:, 1] / HEDGE_HEIGHT, 0, 1))
            # The bottom rim stays put, so the hedge never floats above the lawn.
            above = v[:, 1] > 0.05
            tm.vertices = v + np.asarray(tm.vertex_normals) * (bump * above)[:, None]
            parts.add(tm, HEDGE, pattern="noise", scale=7.0, contrast=0.7)


def box_hedge(
    parts: Parts, rng: np.random.Generator, center: Sequence[float], size: Sequence[float]
) -> None:
    """A low clipped box-hedge edging a path: knee-high, slightly lumpy."""
    cx, cz = center
    tm = grid_box((size[0], 0.5, size[1]), 0.5)
    v = np.asarray(tm.vertices)
    bump = 0.03 * Noise(rng, 0.8)(v)
    tm.vertices = v + np.asarray(tm.vertex_normals) * (bump * (v[:, 1] > -0.2))[:, None]
    parts.add(
        tm,
        vary(rng, HEDGE, 0.05),
        tf.translation_matrix((cx, 0.25, cz)),
        pattern="noise",
        scale=10.0,
        contrast=0.6,
    )


def topiary(parts: Parts, rng: np.random.Generator, position: Sequence[float]) -> None:
    """A clipped ball on a stone plinth."""
    x, z = position
    parts.add(
        box((0.8, 0.6, 0.8), (x, 0.3, z)), PALE_STONE, pattern="tiles", scale=2.0, contrast=0.3
    )
    ball = blob(rng, (0.65, 0.65, 0.65), 1, 0.06, 1.0)
    parts.add(
        ball, vary(rng, HEDGE, 0.05), pose((x, 1.22, z)), pattern="noise", scale=9.0, contrast=0.6
    )
