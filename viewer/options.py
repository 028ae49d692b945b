"""Parsing of command-line values that tyro passes through as strings."""

from __future__ import annotations

import re

from renderer.errors import UserError

MIN_SIDE, MAX_SIDE = 8, 8192


def parse_resolution(text: str) -> tuple[int, int]:
    """``"640x360"`` -> (640, 360).

    Raises:
        UserError: not ``WxH`` with both sides within [8, 8192].
    """
    match = re.fullmatch(r"\s*(\d+)\s*[xX]\s*(\d+)\s*", text)
    if not match:
        raise UserError(f"bad resolution {text!r}: expected WIDTHxHEIGHT, e.g. 640x360")
    width, height = int(match.group(1)), int(match.group(2))
    if not (MIN_SIDE <= width <= MAX_SIDE and MIN_SIDE <= height <= MAX_SIDE):
        raise UserError(f"bad resolution {text!r}: each side must be within {MIN_SIDE}..{MAX_SIDE}")
    return width, height


def check_positive(name: str, value: int | None) -> None:
    if value is not None and value < 1:
        raise UserError(f"--{name} must be at least 1, got {value}")
