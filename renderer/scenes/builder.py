"""Assemble scenes from trimesh meshes: static parts are merged, moving ones kept apart."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import trimesh

from renderer.camera import Camera
from renderer.scenes.scene import (
    PATTERNS,
    DynamicObject,
    Light,
    Material,
    Mesh,
    Motion,
    RectLight,
    Scene,
    Sky,
)

SMOOTH_ANGLE = np.radians(35.0)
"""Edges sharper than this keep hard normals (box edges, cylinder caps)."""
GROUP_BLOCK = 1 << 22
"""Largest face-pair similarity block computed at once when smoothing normals."""


def mesh_from_trimesh(
    tm: trimesh.Trimesh,
    material: Material,
    transform: np.ndarray | None = None,
    vertex_albedo: np.ndarray | None = None,
) -> Mesh:
    """Triangle soup of ``tm`` with smooth normals within ``SMOOTH_ANGLE``.

    ``vertex_albedo`` ((V, 3) linear RGB per vertex of ``tm``) overrides the material's
    albedo, for meshes loaded with vertex colors or textures.
    """
    if transform is not None:
        tm = tm.copy()
        tm.apply_transform(transform)
    faces = np.asarray(tm.faces)
    positions = np.asarray(tm.vertices, dtype=np.float32)[faces].reshape(-1, 3)
    normals = _smooth_normals(tm).reshape(-1, 3)
    n = len(positions)
    if vertex_albedo is not None:
        albedo = np.asarray(vertex_albedo, dtype=np.float32)[faces].reshape(-1, 3)
    else:
        albedo = np.broadcast_to(np.asarray(material.albedo, np.float32), (n, 3))
    mat = np.array(
        [PATTERNS[material.pattern], material.scale, material.contrast, material.emission],
        np.float32,
    )
    return Mesh(
        positions=positions,
        normals=normals.astype(np.float32),
        albedo=np.ascontiguousarray(albedo, dtype=np.float32),
        material=np.broadcast_to(mat, (n, 4)).copy(),
    )


def _smooth_normals(tm: trimesh.Trimesh) -> np.ndarray:
    """(F, 3, 3) per-corner normals: the area-weighted mean of the adjacent faces' normals
    whose angle to this face is below ``SMOOTH_ANGLE``."""
    faces = np.asarray(tm.faces)
    face_normals = np.asarray(tm.face_normals, dtype=np.float64)
    if len(faces) == 0:
        return np.zeros((0, 3, 3))
    areas = np.asarray(tm.area_faces, dtype=np.float64)[:, None]
    corner_normals = np.repeat(face_normals[:, None, :], 3, axis=1)
    # Each corner gathers the faces sharing its vertex; done per vertex via sorting.
    vertex = faces.reshape(-1)
    owner = np.repeat(np.arange(len(faces)), 3)
    order = np.argsort(vertex, kind="stable")
    v_sorted, f_sorted = vertex[order], owner[order]
    starts = np.flatnonzero(np.r_[True, v_sorted[1:] != v_sorted[:-1]])
    ends = np.r_[starts[1:], len(v_sorted)]
    cos_limit = np.cos(SMOOTH_ANGLE)
    result = corner_normals.reshape(-1, 3).copy()
    group_size = ends - starts
    for size in np.unique(group_size):
        if size == 1:
            continue
        sel = starts[group_size == size]
        # Bound the (groups, size, size) similarity block to ~4M entries: a fan of
        # thousands of faces around one vertex must not need gigabytes.
        per_batch = max(1, GROUP_BLOCK // int(size * size))
        for first in range(0, len(sel), per_batch):
            idx = sel[first : first + per_batch, None] + np.arange(size)  # sorted positions
            fs = f_sorted[idx]  # (G, size) faces around each vertex
            fn = face_normals[fs]  # (G, size, 3)
            wa = areas[fs][..., 0]  # (G, size)
            summed = np.empty_like(fn)
            rows = max(1, GROUP_BLOCK // int(len(idx) * size))
            for r in range(0, size, rows):
                similar = np.einsum("gid,gjd->gij", fn[:, r : r + rows], fn) >= cos_limit
                summed[:, r : r + rows] = np.einsum(
                    "gij,gj,gjd->gid", similar.astype(np.float64), wa, fn
                )
            norm = np.linalg.norm(summed, axis=-1, keepdims=True)
            summed = np.where(norm > 1e-12, summed / np.maximum(norm, 1e-12), fn)
            result[order[idx].reshape(-1)] = summed.reshape(-1, 3)
    return result.reshape(-1, 3, 3)


class SceneBuilder:
    """Collects parts, then builds a :class:`Scene`.

    >>> b = SceneBuilder("demo")
    >>> b.add(trimesh.creation.box((10, 0.2, 10)), Material((0.6, 0.6, 0.6)))
    >>> scene = b.build(camera=Camera.look_at((0, 3, 8), (0, 0, 0)))
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self._static: list[Mesh] = []
        self._dynamic: list[DynamicObject] = []
        self._lights: list[Light] = []

    def add(
        self, tm: trimesh.Trimesh, material: Material, transform: np.ndarray | None = None
    ) -> None:
        """A static part, placed by ``transform`` (object-to-world)."""
        self._static.append(mesh_from_trimesh(tm, material, transform))

    def add_mesh(self, mesh: Mesh) -> None:
        self._static.append(mesh)

    def add_dynamic(
        self, name: str, parts: Sequence[tuple[trimesh.Trimesh, Material]], motion: Motion
    ) -> None:
        """A rigid object made of ``parts`` (each with its material, in the object's own
        frame), placed at scene time ``t`` by the object-to-world ``motion(t)``."""
        mesh = Mesh.concatenate([mesh_from_trimesh(tm, material) for tm, material in parts])
        self._dynamic.append(DynamicObject(name, mesh, motion))

    def add_light(self, light: Light, visible: bool = True) -> None:
        """A light; a visible :class:`RectLight` also gets an emissive panel in the images."""
        self._lights.append(light)
        if visible and isinstance(light, RectLight):
            self._static.append(_light_panel(light))

    def build(
        self, camera: Camera | None = None, sky: Sky | None = None, path: str | None = None
    ) -> Scene:
        return Scene(
            name=self.name,
            static=Mesh.concatenate(self._static),
            dynamic=list(self._dynamic),
            lights=list(self._lights),
            sky=sky or Sky(),
            camera=camera,
            path=path,
        )


def _light_panel(light: RectLight) -> Mesh:
    c = np.asarray(light.center, np.float64)
    u = np.asarray(light.edge_u, np.float64) / 2
    v = np.asarray(light.edge_v, np.float64) / 2
    # Offset a hair along the normal so the panel never sits inside a ceiling it is mounted on.
    c = c + light.normal * 1e-3
    corners = np.array([c - u - v, c + u - v, c + u + v, c - u + v])
    tm = trimesh.Trimesh(corners, [[0, 1, 2], [0, 2, 3]], process=False)
    radiance = np.asarray(light.radiance, np.float64)
    peak = float(radiance.max())
    material = Material(tuple(radiance / peak), emission=peak)  # type: ignore[arg-type]
    return mesh_from_trimesh(tm, material)
