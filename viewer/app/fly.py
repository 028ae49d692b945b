"""The fly camera: WASD to move, mouse drag to look, in the OpenGL convention (looking down
-Z with +Y up). Yaw turns about world +Y, pitch about the camera's x axis."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from renderer.camera import Camera

MOVES = {  # key -> (right, up, forward) direction
    "W": (0.0, 0.0, 1.0),
    "S": (0.0, 0.0, -1.0),
    "A": (-1.0, 0.0, 0.0),
    "D": (1.0, 0.0, 0.0),
    "E": (0.0, 1.0, 0.0),
    "Q": (0.0, -1.0, 0.0),
}
FAST = 4.0
"""Speed multiplier while Shift is held."""
LOOK_DEGREES_PER_PIXEL = 0.2


@dataclass
class FlyCamera:
    position: np.ndarray = field(default_factory=lambda: np.array([0.0, 1.6, 6.0]))
    yaw: float = 0.0
    """Degrees; 0 looks down -Z, positive turns left (counter-clockwise seen from above)."""
    pitch: float = 0.0
    """Degrees; positive looks up. Kept within +-89."""
    fov: float = 55.0
    speed: float = 2.0
    """Metres per second."""
    held: set[str] = field(default_factory=set)
    """Movement keys held down (W, A, S, D, Q, E) and SHIFT."""

    def set_from(self, camera: Camera) -> None:
        """Take the pose and lens of ``camera`` (a path's first frame, say)."""
        forward = -camera.camera_to_world[:3, 2]
        self.position = camera.position.astype(np.float64)
        self.pitch = math.degrees(math.asin(float(np.clip(forward[1], -1.0, 1.0))))
        self.yaw = math.degrees(math.atan2(-forward[0], -forward[2]))
        self.fov = float(camera.fov)

    def rotation(self) -> np.ndarray:
        y, p = math.radians(self.yaw), math.radians(self.pitch)
        ry = np.array([[math.cos(y), 0, math.sin(y)], [0, 1, 0], [-math.sin(y), 0, math.cos(y)]])
        rx = np.array([[1, 0, 0], [0, math.cos(p), -math.sin(p)], [0, math.sin(p), math.cos(p)]])
        return ry @ rx

    def camera(self) -> Camera:
        m = np.eye(4)
        m[:3, :3] = self.rotation()
        m[:3, 3] = self.position
        return Camera(m, self.fov)

    def look(self, dx: float, dy: float) -> None:
        """A mouse drag of (dx, dy) pixels: right turns right, down looks down."""
        self.yaw -= dx * LOOK_DEGREES_PER_PIXEL
        self.pitch = float(np.clip(self.pitch - dy * LOOK_DEGREES_PER_PIXEL, -89.0, 89.0))

    def advance(self, dt: float) -> bool:
        """Move by the held keys over ``dt`` seconds; returns whether the camera moved."""
        direction = np.zeros(3)
        for key in self.held & MOVES.keys():
            direction += MOVES[key]
        if not direction.any() or dt <= 0.0:
            return False
        r = self.rotation()
        # Camera axes: x right, y up, -z forward.
        world = r[:, 0] * direction[0] + r[:, 1] * direction[1] - r[:, 2] * direction[2]
        speed = self.speed * (FAST if "SHIFT" in self.held else 1.0)
        self.position = self.position + world / np.linalg.norm(world) * speed * dt
        return True
