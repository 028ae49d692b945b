"""The garden's fixed choices: random seed, layout measures, the sun and the colours."""

from __future__ import annotations

import math

from renderer.scenes.scene import SunLight

SEED = 7305
"""Fixes every random choice: the scene is the same on every build."""

HALF = 14.2
"""The lawn spans [-HALF, HALF] in x and z, just past the hedge: the shadow maps cover the
scene's bounding sphere, so every metre of extent coarsens every shadow."""
HEDGE_LINE = 13.4
"""Centre line of the enclosing hedge; tall enough to hide the world's edge from inside."""
HEDGE_HEIGHT = 2.4

SUN = SunLight(
    # Afternoon sun from the west-south-west, 48 degrees up: the pergola slats (running
    # north-south) throw their stripes onto the path beneath them, and shadows cross the
    # views along the north-south path sideways, where they read best.
    direction=(
        -math.cos(math.radians(48)) * math.sin(math.radians(70)),
        math.sin(math.radians(48)),
        math.cos(math.radians(48)) * math.cos(math.radians(70)),
    ),
    angular_radius=1.5,
    irradiance=(3.0, 2.85, 2.6),
)

PERGOLA_X = (5.0, 11.0)
"""The pergola spans this stretch of the east path."""
PERGOLA_HEIGHT = 2.6
LANTERN_PIVOT = (8.0, PERGOLA_HEIGHT - 0.02, 0.0)
WINDMILL_HUB = (-7.0, 2.35, 6.2)
WINDMILL_YAW = math.radians(45)
"""The rotor faces south-east, towards the path's third shot."""

# Colours (linear RGB).
LAWN = (0.09, 0.19, 0.045)
HEDGE = (0.07, 0.2, 0.06)
GRAVEL = (0.4, 0.36, 0.3)
STONE = (0.5, 0.49, 0.46)
PALE_STONE = (0.62, 0.6, 0.56)
WATER = (0.06, 0.11, 0.13)
WOOD = (0.34, 0.21, 0.12)
BARK = (0.2, 0.14, 0.09)
SOIL = (0.16, 0.1, 0.06)
IRON = (0.06, 0.06, 0.06)
ROCK_TINTS = ((0.3, 0.27, 0.23), (0.25, 0.25, 0.26), (0.34, 0.3, 0.24))
LEAF_GREENS = ((0.1, 0.26, 0.06), (0.15, 0.28, 0.06), (0.07, 0.2, 0.08), (0.17, 0.27, 0.05))
BLOOMS = (
    (0.75, 0.08, 0.07),  # red
    (0.85, 0.65, 0.06),  # yellow
    (0.4, 0.15, 0.6),  # purple
    (0.82, 0.8, 0.76),  # white
    (0.85, 0.35, 0.5),  # pink
    (0.85, 0.32, 0.05),  # orange
)
