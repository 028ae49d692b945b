"""The arena's sun, sky and two floodlights, with the floodlights' housings and poles."""

from __future__ import annotations

import math

import numpy as np

from renderer.scenes.arena.layout import BLEACHER_OUTER, STEP_COUNT, STEP_HEIGHT
from renderer.scenes.arena.materials import HOUSING, METAL
from renderer.scenes.arena.parts import Part, post, turned_box
from renderer.scenes.scene import RectLight, Sky, SunLight

SUN = SunLight(direction=(-0.62, 0.62, 0.48), angular_radius=2.0, irradiance=(2.6, 2.5, 2.3))
"""From the west-south-west, 38 degrees up: shadows fall to the north-east, partly across
the default view, where they read best."""
FLOOD_RADIANCE = 12.0
FLOODS = (
    # (azimuth of the pole in degrees from +x towards +z, tint)
    (-135.0, (1.0, 0.9, 0.76)),
    (45.0, (0.84, 0.92, 1.0)),
)
FLOOD_SIZE = (3.0, 1.5)
FLOOD_HEIGHT = 7.8
SKY = Sky(zenith=(0.12, 0.21, 0.45), horizon=(0.38, 0.42, 0.48))


def floodlights() -> list[tuple[RectLight, list[Part]]]:
    """Panels high on poles at the back of the stands, aimed down at the centre."""
    lights = []
    width, height = FLOOD_SIZE
    for azimuth, tint in FLOODS:
        a = math.radians(azimuth)
        out = np.array([math.cos(a), 0.0, math.sin(a)])
        center = out * (BLEACHER_OUTER - 1.0) + [0, FLOOD_HEIGHT, 0]
        normal = -center / np.linalg.norm(center)  # towards the floor's centre
        u = np.cross([0.0, 1.0, 0.0], normal)
        u /= np.linalg.norm(u)
        v = np.cross(normal, u)  # so that cross(u, v) is the emitting normal
        light = RectLight(
            tuple(center),
            tuple(u * width),
            tuple(v * height),
            tuple(FLOOD_RADIANCE * np.asarray(tint)),
        )
        housing = turned_box(
            (width + 0.3, height + 0.3, 0.25),
            center - normal * 0.14,
            np.stack([u, v, normal], axis=1),
        )
        foot = out * (BLEACHER_OUTER - 0.55)
        pole = post(0.14, STEP_HEIGHT * STEP_COUNT, FLOOD_HEIGHT - 0.3, foot[0], foot[2])
        lights.append((light, [(housing, HOUSING), (pole, METAL)]))
    return lights
