"""What kind of stretch of a path a frame belongs to: still, objects (a still camera on
moving objects), walk, turn or cut, from its
camera and its motion vectors, so that scores can be read per stretch as well as on
average (a method can win the average on the still frames and lose every turn)."""

from __future__ import annotations

from typing import Literal

import numpy as np

from renderer.frame import Frame

Stretch = Literal["still", "objects", "walk", "turn", "cut"]
STRETCHES: tuple[Stretch, ...] = ("still", "objects", "walk", "turn", "cut")

STILL_MOTION = 0.01
"""Longest motion vector (px) under which nothing moves: camera and objects still (the
last frame reprojects exactly)."""
TURN_DEGREES = 1.5
"""Camera rotation per frame (degrees) from which a frame is part of a turn (45 degrees a
second at 30 frames per second)."""


def turn_degrees(frame: Frame, previous: Frame) -> float:
    """The angle the camera turned between ``previous`` and ``frame``, in degrees."""
    a = previous.camera.camera_to_world[:3, :3]
    b = frame.camera.camera_to_world[:3, :3]
    cos = (np.trace(a.T @ b) - 1.0) / 2.0
    return float(np.degrees(np.arccos(np.clip(cos, -1.0, 1.0))))


def stretch_of(frame: Frame, previous: Frame | None) -> Stretch:
    """``cut`` at a cut or the first frame; ``still`` where nothing moves; ``turn`` where
    the camera turns at least :data:`TURN_DEGREES` a frame; ``walk`` where it moves less;
    ``objects`` where only objects move."""
    if previous is None or frame.cut:
        return "cut"
    if float(frame.motion.norm(dim=0).max()) < STILL_MOTION:
        return "still"
    turned = turn_degrees(frame, previous)
    if turned >= TURN_DEGREES:
        return "turn"
    moved = np.abs(frame.camera.camera_to_world - previous.camera.camera_to_world).max()
    return "walk" if moved > 1e-6 else "objects"
