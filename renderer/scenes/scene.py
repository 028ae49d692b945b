"""What a scene is: triangle meshes with diffuse materials, moving objects, lights and a sky.

Meshes are triangle soups (three vertices per triangle, no index buffer): llvmpipe draws
them faster than indexed meshes, and flat and smooth normals need no special casing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from renderer.camera import Camera

RGB = tuple[float, float, float]
Vec3 = tuple[float, float, float]

PATTERNS = {"none": 0, "noise": 1, "checker": 2, "tiles": 3, "stripes": 4}
"""Procedural albedo patterns evaluated in object space by the G-buffer shader."""


@dataclass(frozen=True)
class Material:
    """A diffuse (Lambertian) material.

    Attributes:
        albedo: linear RGB reflectance in [0, 1].
        pattern: one of ``PATTERNS``; modulates the albedo in object space, so it sticks to
            moving objects.
        scale: pattern frequency, cycles per metre.
        contrast: pattern strength in [0, 1].
        emission: radiance multiplier of ``albedo`` for light panels (0 for ordinary
            surfaces); emitters are shown but not lit.
    """

    albedo: RGB
    pattern: str = "none"
    scale: float = 1.0
    contrast: float = 0.0
    emission: float = 0.0

    def __post_init__(self) -> None:
        if self.pattern not in PATTERNS:
            raise ValueError(f"unknown pattern {self.pattern!r}; known: {', '.join(PATTERNS)}")


@dataclass
class Mesh:
    """A triangle soup. Every array has one row per vertex, three vertices per triangle.

    Attributes:
        positions: (N, 3) float32.
        normals: (N, 3) float32, unit.
        albedo: (N, 3) float32.
        material: (N, 4) float32: pattern id, scale, contrast, emission.
    """

    positions: np.ndarray
    normals: np.ndarray
    albedo: np.ndarray
    material: np.ndarray

    @property
    def triangle_count(self) -> int:
        return len(self.positions) // 3

    def interleaved(self) -> np.ndarray:
        """(N, 13) float32 rows: position, normal, albedo, material."""
        return np.hstack([self.positions, self.normals, self.albedo, self.material]).astype(
            np.float32
        )

    @staticmethod
    def concatenate(meshes: list[Mesh]) -> Mesh:
        if not meshes:
            return Mesh.empty()
        return Mesh(*(np.concatenate([getattr(m, k) for m in meshes]) for k in _FIELDS))

    @staticmethod
    def empty() -> Mesh:
        return Mesh(*(np.zeros((0, w), np.float32) for w in (3, 3, 3, 4)))

    def bounds(self) -> tuple[np.ndarray, np.ndarray]:
        if len(self.positions) == 0:
            return np.zeros(3), np.zeros(3)
        return self.positions.min(axis=0).astype(np.float64), self.positions.max(axis=0).astype(
            np.float64
        )


_FIELDS = ("positions", "normals", "albedo", "material")


Motion = Callable[[float], np.ndarray]
"""Scene time in seconds -> (4, 4) object-to-world transform."""


@dataclass
class DynamicObject:
    """A rigid object that moves with scene time; it casts and receives shadows."""

    name: str
    mesh: Mesh
    motion: Motion

    def transform(self, time: float) -> np.ndarray:
        return np.asarray(self.motion(time), dtype=np.float64)


@dataclass(frozen=True)
class SunLight:
    """A distant disk light: direction towards the sun, angular radius, irradiance."""

    direction: Vec3
    angular_radius: float
    """Degrees; the penumbra width grows with it."""
    irradiance: RGB
    """Linear RGB irradiance on a surface facing the sun."""


@dataclass(frozen=True)
class RectLight:
    """A one-sided rectangular panel emitting ``radiance`` towards ``cross(edge_u, edge_v)``."""

    center: Vec3
    edge_u: Vec3
    edge_v: Vec3
    radiance: RGB

    @property
    def normal(self) -> np.ndarray:
        n = np.cross(self.edge_u, self.edge_v)
        return n / np.linalg.norm(n)

    @property
    def area(self) -> float:
        return float(np.linalg.norm(np.cross(self.edge_u, self.edge_v)))


Light = SunLight | RectLight


@dataclass(frozen=True)
class Sky:
    """A gradient sky: radiance by elevation, plus a constant ground below the horizon."""

    zenith: RGB = (0.12, 0.2, 0.42)
    horizon: RGB = (0.36, 0.4, 0.46)
    ground: RGB = (0.1, 0.09, 0.08)
    bounce: RGB = (0.05, 0.045, 0.04)
    """Radiance returned by sky samples that hit geometry: a stand-in for one diffuse bounce."""

    def radiance(self, directions: np.ndarray) -> np.ndarray:
        """(N, 3) unit directions -> (N, 3) radiance. The shader's ``sky_radiance`` matches it."""
        up = np.clip(directions[:, 1:2], -1.0, 1.0)
        t = np.sqrt(np.clip(up, 0.0, 1.0))
        sky = np.asarray(self.horizon) * (1 - t) + np.asarray(self.zenith) * t
        return np.where(up >= 0, sky, np.asarray(self.ground))


@dataclass
class Scene:
    """A renderable scene.

    Attributes:
        name: built-in name, or the file's stem.
        static: all non-moving geometry, in world space, merged into one mesh.
        dynamic: moving objects.
        lights: sun and rectangular area lights (the sky is separate).
        sky: the environment.
        camera: a default camera that frames the scene.
        path: name of the scene's built-in camera path, or ``None`` (then one is generated).
    """

    name: str
    static: Mesh
    dynamic: list[DynamicObject] = field(default_factory=list)
    lights: list[Light] = field(default_factory=list)
    sky: Sky = field(default_factory=Sky)
    camera: Camera | None = None
    path: str | None = None

    @property
    def triangle_count(self) -> int:
        return self.static.triangle_count + sum(d.mesh.triangle_count for d in self.dynamic)

    def bounds(self, time: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
        """World-space bounding box of the geometry at ``time``."""
        lo, hi = self.static.bounds()
        boxes = [(lo, hi)] if self.static.triangle_count else []
        for obj in self.dynamic:
            p = obj.mesh.positions.astype(np.float64)
            m = obj.transform(time)
            w = p @ m[:3, :3].T + m[:3, 3]
            boxes.append((w.min(axis=0), w.max(axis=0)))
        if not boxes:
            return np.zeros(3), np.zeros(3)
        return np.min([b[0] for b in boxes], axis=0), np.max([b[1] for b in boxes], axis=0)
