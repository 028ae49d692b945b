"""The arena's shared materials; one-off ones are made where they are used."""

from __future__ import annotations

from renderer.scenes.scene import Material

STONE = Material((0.4, 0.38, 0.35), "tiles", 1.0, 0.35)
INLAY = Material((0.65, 0.63, 0.6), "noise", 3.0, 0.15)
SEAT_COLORS = ((0.55, 0.12, 0.1), (0.12, 0.25, 0.55), (0.7, 0.68, 0.62), (0.12, 0.42, 0.22))
PARAPET = Material((0.6, 0.42, 0.3), "tiles", 2.0, 0.4)
MARBLE = Material((0.62, 0.6, 0.57), "noise", 1.5, 0.2)
METAL = Material((0.3, 0.31, 0.33), "noise", 6.0, 0.15)
DARK = Material((0.08, 0.08, 0.09))
HOUSING = Material((0.15, 0.15, 0.16))
WOOD = Material((0.45, 0.3, 0.2), "noise", 4.0, 0.3)
BRASS = Material((0.85, 0.65, 0.15), "noise", 4.0, 0.3)
