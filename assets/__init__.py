"""Shipped data: camera paths, JSON schemas, network weights and calibrated thresholds."""

from __future__ import annotations

from pathlib import Path

ASSETS_DIR = Path(__file__).resolve().parent
PATHS_DIR = ASSETS_DIR / "paths"
SCHEMAS_DIR = ASSETS_DIR / "schemas"
WEIGHTS_DIR = ASSETS_DIR / "weights"
CALIBRATION_FILE = ASSETS_DIR / "calibration.json"


def builtin_path_file(name: str) -> Path:
    """The file of the built-in camera path ``name`` (it may not exist)."""
    return PATHS_DIR / f"{name}.json"


def builtin_path_names() -> list[str]:
    return sorted(p.stem for p in PATHS_DIR.glob("*.json"))


def schema_file(name: str) -> Path:
    return SCHEMAS_DIR / f"{name}.schema.json"
