"""Pinhole cameras in the OpenGL convention: the camera looks down -Z with +Y up.

Matrices here act on column vectors (``world = camera_to_world @ local``), the way the
camera-path JSON stores them (row-major).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.spatial.transform import Rotation

from renderer import gl_matrices

Vec3 = tuple[float, float, float]


@dataclass(frozen=True)
class Camera:
    """A camera pose and lens.

    Attributes:
        camera_to_world: (4, 4) rigid transform, column-vector convention.
        fov: vertical field of view in degrees.
    """

    camera_to_world: np.ndarray
    fov: float = 60.0

    @classmethod
    def from_pose(cls, position: Vec3, rotation_xyzw: tuple[float, ...], fov: float) -> Camera:
        """From a position and a quaternion (x, y, z, w) that rotates camera axes to world."""
        m = np.eye(4)
        m[:3, :3] = Rotation.from_quat(rotation_xyzw).as_matrix()
        m[:3, 3] = position
        return cls(m, float(fov))

    @classmethod
    def look_at(
        cls, eye: Vec3, target: Vec3, up: Vec3 = (0.0, 1.0, 0.0), fov: float = 60.0
    ) -> Camera:
        """A camera at ``eye`` looking at ``target``."""
        eye_a, target_a, up_a = (np.asarray(v, dtype=np.float64) for v in (eye, target, up))
        forward = target_a - eye_a
        if np.linalg.norm(np.cross(forward, up_a)) < 1e-9 * max(np.linalg.norm(forward), 1e-9):
            up_a = np.array([0.0, 0.0, -1.0]) if abs(up_a[1]) > 0.5 else np.array([0.0, 1.0, 0.0])
        world_to_camera = gl_matrices.look_at(eye_a, target_a, up_a)
        return cls(np.linalg.inv(world_to_camera), float(fov))

    @property
    def position(self) -> np.ndarray:
        return self.camera_to_world[:3, 3].copy()

    @property
    def rotation_xyzw(self) -> np.ndarray:
        return Rotation.from_matrix(self.camera_to_world[:3, :3]).as_quat()

    def world_to_camera(self) -> np.ndarray:
        """(4, 4) view matrix; the inverse of a rigid transform, computed exactly."""
        r = self.camera_to_world[:3, :3]
        t = self.camera_to_world[:3, 3]
        view = np.eye(4)
        view[:3, :3] = r.T
        view[:3, 3] = -r.T @ t
        return view

    def projection(
        self,
        size: tuple[int, int],
        near: float,
        far: float,
        jitter: tuple[float, float] = (0.0, 0.0),
    ) -> np.ndarray:
        """(4, 4) OpenGL projection for an image of ``size`` = (width, height) pixels.

        ``jitter`` = (jx, jy) in pixels (x right, y down) moves the sample position: the
        pixel center ``p`` of the jittered image sees what the unjittered image shows at
        ``p + jitter``.
        """
        width, height = size
        proj = gl_matrices.perspective(self.fov, width / height, near, far)
        # ndc_x = P00 x/w - P02: raising P02 moves content left, i.e. samples further right.
        proj[0, 2] += 2.0 * jitter[0] / width
        proj[1, 2] -= 2.0 * jitter[1] / height
        return proj


def halton(index: int, base: int) -> float:
    """The ``index``-th element (from 1) of the Halton sequence in ``base``."""
    result, f, i = 0.0, 1.0, index
    while i > 0:
        f /= base
        result += f * (i % base)
        i //= base
    return result


def halton_jitter(frame_index: int, period: int = 16) -> tuple[float, float]:
    """Sub-pixel jitter in [-0.5, 0.5)^2 for a frame, Halton(2, 3) repeating every ``period``."""
    i = frame_index % period + 1
    return halton(i, 2) - 0.5, halton(i, 3) - 0.5
