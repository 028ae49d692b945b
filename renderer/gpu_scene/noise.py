"""The 3-D noise texture behind the procedural albedo patterns (``pattern.glsl``)."""

from __future__ import annotations

import moderngl
import numpy as np

NOISE_UNIT = 6
"""Texture unit of the pattern noise (units 0-5 belong to the shading pass)."""


def noise_texture(ctx: moderngl.Context, size: int = 32) -> moderngl.Texture3D:
    """Random lattice values for the patterns' value noise, from a fixed seed so that every
    run draws the same patterns."""
    values = np.random.default_rng(0x401CE).integers(0, 256, (size, size, size), dtype=np.uint8)
    tex = ctx.texture3d((size, size, size), 1, values.tobytes(), dtype="f1")
    tex.filter = (moderngl.LINEAR, moderngl.LINEAR)
    tex.repeat_x = tex.repeat_y = tex.repeat_z = True
    return tex
