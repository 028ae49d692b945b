"""Where the arena's parts stand and how big they are (x, z on the floor, y up, metres;
+Z is "south", where the default camera stands)."""

from __future__ import annotations

FLOOR_RADIUS = 13.0
BLEACHER_INNER = 10.8
BLEACHER_OUTER = 12.85
STEP_HEIGHT = 0.5
STEP_COUNT = 3
PARAPET_HEIGHT = 2.4
PILLAR_RADIUS_RING = 9.6
PILLAR_HEIGHT = 4.5

CAROUSEL = (0.0, 0.0)
WINDMILL = (-5.5, -6.0)
TURNSTILE = (6.4, 3.8)
TUMBLER = (-3.6, 6.2)
BOBBER = (8.0, -1.4)
ORRERY = (5.5, -5.0)
PENDULUM = (0.0, -7.5)
BALL = (2.4, 6.8)
DRUM_X = -7.2
DRUM_Z = (1.0, 5.0)
RING = (-7.8, -1.5)

PEDESTAL_HEIGHT = 1.0
WINDMILL_HUB_HEIGHT = 4.1
WINDMILL_AXIS = (0.6, 0.0, 1.0)
"""The rotor faces south-east, towards the centre and the default camera."""
ORRERY_HEIGHT = 2.35
PENDULUM_PIVOT_HEIGHT = 4.45
PENDULUM_LENGTH = 3.3
DRUM_RADIUS = 0.55
TRACK_HEIGHT = 0.02


def at(xz: tuple[float, float], y: float = 0.0) -> tuple[float, float, float]:
    """The point ``y`` above a floor position."""
    return (xz[0], y, xz[1])
