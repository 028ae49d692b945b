"""Meshes as vertex buffers, with a vertex array for each program that draws them."""

from __future__ import annotations

from dataclasses import dataclass

import moderngl
import numpy as np

from renderer.programs import Programs
from renderer.scenes.scene import Mesh

VERTEX_FORMAT = "3f 3f 3f 4f 1f"
VERTEX_ATTRIBUTES = ("in_position", "in_normal", "in_albedo", "in_material", "in_object")
POSITION_FORMAT = "3f 40x 1f"
"""The depth and shadow passes read only the position and the object index of a row."""


@dataclass
class Geometry:
    """A vertex buffer and its vertex arrays for the G-buffer, depth and shadow programs."""

    vbo: moderngl.Buffer
    gbuffer: moderngl.VertexArray
    depth: moderngl.VertexArray
    shadow: moderngl.VertexArray

    def release(self) -> None:
        for res in (self.gbuffer, self.depth, self.shadow, self.vbo):
            res.release()


def interleave(meshes: list[Mesh], first_object: int) -> np.ndarray | None:
    """(N, 14) float32 vertex rows: the mesh attributes and the object's model index."""
    rows = [
        np.hstack([m.interleaved(), np.full((len(m.positions), 1), first_object + i, np.float32)])
        for i, m in enumerate(meshes)
        if m.triangle_count
    ]
    return np.ascontiguousarray(np.concatenate(rows)) if rows else None


def upload(
    ctx: moderngl.Context, programs: Programs, vertices: np.ndarray | None
) -> Geometry | None:
    """A vertex buffer with its vertex arrays for every program that draws it, or ``None``
    for no vertices."""
    if vertices is None:
        return None
    vbo = ctx.buffer(vertices.tobytes())
    positions = [(vbo, POSITION_FORMAT, "in_position", "in_object")]
    return Geometry(
        vbo=vbo,
        gbuffer=ctx.vertex_array(programs.gbuffer, [(vbo, VERTEX_FORMAT, *VERTEX_ATTRIBUTES)]),
        depth=ctx.vertex_array(programs.depth, positions),
        shadow=ctx.vertex_array(programs.shadow, positions),
    )
