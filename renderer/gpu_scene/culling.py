"""Static geometry cut into spatial chunks, so that chunks outside the view frustum are
skipped when drawing."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from renderer.scenes.scene import Mesh

CHUNK_TRIANGLES = 4096
"""Static geometry is cut into spatial chunks of about this many triangles for culling."""


@dataclass
class Chunk:
    """A run of vertices in the reordered mesh and its bounding box."""

    first: int  # first vertex
    count: int  # vertex count
    lo: np.ndarray
    hi: np.ndarray


def chunked(mesh: Mesh) -> tuple[Mesh, list[Chunk]]:
    """Reorder triangles into spatial chunks (a k-d split on centroids) for frustum culling."""
    n = mesh.triangle_count
    if n == 0:
        return mesh, []
    tri = mesh.positions.reshape(n, 3, 3)
    centroids = tri.mean(axis=1)
    groups: list[np.ndarray] = []
    stack = [np.arange(n)]
    while stack:
        idx = stack.pop()
        if len(idx) <= CHUNK_TRIANGLES:
            groups.append(idx)
            continue
        c = centroids[idx]
        axis = int(np.argmax(c.max(axis=0) - c.min(axis=0)))
        order = idx[np.argsort(c[:, axis], kind="stable")]
        half = len(order) // 2
        stack.extend([order[half:], order[:half]])
    order = np.concatenate(groups)
    vertex_order = (order[:, None] * 3 + np.arange(3)).reshape(-1)
    reordered = Mesh(
        *(getattr(mesh, k)[vertex_order] for k in ("positions", "normals", "albedo", "material"))
    )
    chunks, first = [], 0
    for g in groups:
        pts = tri[g].reshape(-1, 3)
        chunks.append(Chunk(first, len(g) * 3, pts.min(axis=0), pts.max(axis=0)))
        first += len(g) * 3
    return reordered, chunks


def visible_ranges(chunks: list[Chunk], view_proj: np.ndarray) -> list[tuple[int, int]]:
    """(first vertex, count) runs of the chunks inside the frustum, neighbours merged."""
    planes = frustum_planes(view_proj)
    lo = np.stack([c.lo for c in chunks])
    hi = np.stack([c.hi for c in chunks])
    normals = planes[:, :3]
    # The box corner furthest along each plane normal decides whether the box is outside.
    far_corner = np.where(normals[None] > 0, hi[:, None, :], lo[:, None, :])
    outside = np.any(np.einsum("cpk,pk->cp", far_corner, normals) + planes[:, 3] < 0, axis=1)
    ranges: list[tuple[int, int]] = []
    for chunk, hidden in zip(chunks, outside, strict=True):
        if hidden:
            continue
        if ranges and ranges[-1][0] + ranges[-1][1] == chunk.first:
            ranges[-1] = (ranges[-1][0], ranges[-1][1] + chunk.count)
        else:
            ranges.append((chunk.first, chunk.count))
    return ranges


def frustum_planes(view_proj: np.ndarray) -> np.ndarray:
    """(6, 4) planes (a, b, c, d) with a*x + b*y + c*z + d >= 0 inside the frustum."""
    m = view_proj
    planes = np.stack(
        [m[3] + m[0], m[3] - m[0], m[3] + m[1], m[3] - m[1], m[3] + m[2], m[3] - m[2]]
    )
    return planes / np.linalg.norm(planes[:, :3], axis=1, keepdims=True)
