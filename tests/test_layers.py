"""The architecture's import contracts (``[tool.importlinter]`` in pyproject.toml): they hold
on the repository, and each one breaks when a copy of the packages is given the import it
forbids, so a contract that can no longer fail (a typo, an over-wide ``ignore_imports``)
shows up here rather than passing silently in CI."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from importlinter.api import read_configuration

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = ROOT / "pyproject.toml"
CONFIG = read_configuration(str(PYPROJECT))
PACKAGES = CONFIG["session_options"]["root_packages"]
NAMES = {contract["id"]: contract["name"] for contract in CONFIG["contracts_options"]}
# `lint-imports` itself, run by this interpreter (the script may not be on PATH).
LINT = "import sys; from importlinter.cli import lint_imports_command as c; sys.exit(c())"
ANSI = re.compile(r"\x1b\[[0-9;]*m")
STATUS = re.compile(r"^(?P<name>.+?)\s*(?P<status>KEPT|BROKEN)(?: \(.*\))?$")


def lint(cwd: Path) -> tuple[int, str, dict[str, str]]:
    """Run ``lint-imports`` in ``cwd`` with only ``cwd`` ahead of the installed packages on
    the path (grimp finds the root packages by import), so a copy there is what is read.
    Returns the exit status, the output and each contract's name mapped to KEPT/BROKEN."""
    env = {**os.environ, "PYTHONPATH": str(cwd)}
    done = subprocess.run(
        [sys.executable, "-c", LINT, "--no-cache"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    output = ANSI.sub("", done.stdout + done.stderr)
    statuses = {}
    for line in output.splitlines():
        match = STATUS.match(line)
        if match:
            statuses[match["name"]] = match["status"]
    return done.returncode, output, statuses


def copy_tree(destination: Path) -> None:
    """Copy the root packages' ``.py`` files and the pyproject: all that grimp reads."""

    def not_python(directory: str, names: list[str]) -> set[str]:
        return {
            name
            for name in names
            if name == "__pycache__"
            or (not name.endswith(".py") and not (Path(directory) / name).is_dir())
        }

    for package in PACKAGES:
        shutil.copytree(ROOT / package, destination / package, ignore=not_python)
    shutil.copy(PYPROJECT, destination / "pyproject.toml")


def test_the_repository_keeps_every_contract():
    status, output, statuses = lint(ROOT)
    assert status == 0, output
    assert statuses == {name: "KEPT" for name in NAMES.values()}, output


# Each case: lines appended to modules of the copy, and the contracts that must then break.
INJECTIONS = {
    "upward import": ({"networks/__init__.py": "import caching"}, {"layers"}),
    "sibling import": ({"common/errors.py": "import assets"}, {"layers"}),
    "caching names a network": (
        {"caching/__init__.py": "import networks"},
        {"caching-tensors-only"},
    ),
    "networks name renderer beyond Frame": (
        {"networks/fill.py": "import renderer.camera"},
        {"networks-see-frame-only"},
    ),
    # renderer.frame imports renderer.camera, so Frame (and the networks) would need a window.
    "GUI library in the renderer": (
        {"renderer/camera.py": "import glfw"},
        {"renderer-no-gui", "frame-gl-free"},
    ),
    "Ray outside its executor": (
        {"evaluation/units.py": "import ray"},
        {"ray-in-one-module"},
    ),
    "import cycle": (
        {"common/padding.py": "import common.timing", "common/timing.py": "import common.padding"},
        {"acyclic"},
    ),
}


@pytest.mark.parametrize("case", INJECTIONS)
def test_an_injected_import_breaks_its_contract(tmp_path: Path, case: str):
    lines, expected = INJECTIONS[case]
    copy_tree(tmp_path)
    for module, line in lines.items():
        with (tmp_path / module).open("a") as file:
            file.write(f"\n{line}  # injected by the test\n")
    status, output, statuses = lint(tmp_path)
    assert status != 0, output
    broken = {name for name, state in statuses.items() if state == "BROKEN"}
    assert broken == {NAMES[identifier] for identifier in expected}, output
