"""Taus that ``reframe-rt calibrate`` chose: the ``<family>-auto`` presets (for a FLIP
budget) and the named ones, ``delta-H`` ... (for a FLIP target each, with ``--presets``).

Two files hold them, per task: the one shipped in ``assets/calibration.json`` (calibrated
here, BENCHMARKS.md says how) and the user's own, which ``reframe-rt calibrate`` writes and
which wins: ``$REFRAME_RT_CALIBRATION``, else ``calibration.json`` in the user's data
directory (platformdirs: ``$XDG_DATA_HOME/reframe-rt`` or ``~/.local/share/reframe-rt`` on
Linux). A record per task::

    {"tasks": {"extrapolate": {"flip_budget": 0.02, "policies": {"delta": {"tau": 0.5,
     "flip": 0.011, "refresh_rate": 0.2}, ...}, "presets": {"delta-H": 0.18, ...},
     "preset_targets": {"H": 0.012, "L": 0.024}, ...}}}

The files are read when a command asks for presets, never at import: a broken file of the
user's must stop a command in one line, not break the import of everything that names it.
"""

from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import Path

from platformdirs import user_data_path

from assets import CALIBRATION_FILE
from common.atomic import write_text_atomic
from common.errors import UserError

ENV = "REFRAME_RT_CALIBRATION"


def user_file() -> Path:
    """Where ``reframe-rt calibrate`` writes by default."""
    if os.environ.get(ENV):
        return Path(os.environ[ENV])
    return user_data_path("reframe-rt", appauthor=False) / "calibration.json"


class CalibrationError(UserError, ValueError):
    """A calibration file that cannot be read: every command that reads presets stops on it
    with one line, rather than guessing the taus it was meant to hold."""


def _read(file: Path) -> dict:
    """The file's records by task; read again only when the file changed (the viewer asks
    for the presets several times per UI frame). Shared: do not mutate.

    Raises:
        CalibrationError: the file exists but is not a calibration file.
    """
    try:
        stat = file.stat()
    except FileNotFoundError:
        return {}
    except OSError as error:
        raise CalibrationError(f"{file}: {error.strerror or error}") from None
    # Saves replace the file (a new inode), so a write within the clock's resolution shows.
    return _parse(file, stat.st_ino, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=8)
def _parse(file: Path, inode: int, mtime_ns: int, size: int) -> dict:
    try:
        tasks = json.loads(file.read_text(encoding="utf-8")).get("tasks", {})
        for task, record in tasks.items():
            for family, entry in record.get("policies", {}).items():
                tau = entry.get("tau")
                if tau is not None and not _is_number(tau):
                    raise TypeError(f"{task} {family}: tau {tau!r} is not a number")
            for name, tau in record.get("presets", {}).items():
                if not _is_number(tau) or tau < 0:
                    raise TypeError(f"{task} preset {name}: tau {tau!r} is not a number >= 0")
        return tasks
    except (OSError, UnicodeDecodeError, ValueError, AttributeError, TypeError) as error:
        raise CalibrationError(
            f"{file} is not a calibration file ({error}): fix or remove it"
        ) from None


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def check_user_file() -> None:
    """Read the user's calibration file (if there is one), so that a broken one stops a
    command at its start, in one line, whichever command it is.

    Raises:
        CalibrationError: the file exists but is not a calibration file.
    """
    _read(user_file())


def record_for(task: str) -> tuple[dict, Path] | None:
    """The calibration of ``task`` and the file it came from (the user's first)."""
    for file in (user_file(), CALIBRATION_FILE):
        record = _read(file).get(task)
        if record:
            return record, file
    return None


def auto_presets(task: str) -> dict[str, float]:
    """``{"delta-auto": tau, ...}`` for the families calibrated for ``task``."""
    found = record_for(task)
    if found is None:
        return {}
    return {
        f"{family}-auto": float(entry["tau"])
        for family, entry in found[0].get("policies", {}).items()
        if entry.get("tau") is not None
    }


def named_presets(task: str) -> dict[str, float]:
    """``{"delta-H": tau, ...}``: the named presets the calibration files hold for ``task``,
    each from the user's file where it has it, else from the shipped one (a user's record
    from before ``--presets`` keeps the shipped presets)."""
    presets: dict[str, float] = {}
    for file in (CALIBRATION_FILE, user_file()):  # the later wins
        record = _read(file).get(task) or {}
        presets.update({name: float(tau) for name, tau in record.get("presets", {}).items()})
    return presets


def check_writable(file: Path) -> None:
    """Raises a CalibrationError unless :func:`save` could write ``file``: what is there
    already is a calibration file (its other tasks are kept), and its folder can be made
    and written to."""
    _read(file)
    folder = next(p for p in (file.parent, *file.parent.parents) if p.exists())
    if not os.access(folder, os.W_OK | os.X_OK):
        raise CalibrationError(f"{file}: cannot write there")


SETUP = ("flip_budget", "arch", "resolution")
"""What families calibrated apart must share to live in one record."""
PRESET_SETUP = ("arch", "resolution")
"""What the named presets depend on: not the budget (each has its own FLIP target)."""


def merged(task: str, record: dict, file: Path) -> tuple[dict, list[str]]:
    """``record`` with what ``file`` already holds for ``task`` and ``record`` does not: the
    families calibrated for the same budget, network and size (a run for one family must not
    drop the others' presets), and the named presets of the same network and size (a run
    without ``--presets`` must not drop them); and the names of the presets kept
    (``delta-auto``, ``delta-H``, ...)."""
    old = _read(file).get(task)
    if not old:
        return record, []
    kept_presets = []
    if "presets" not in record and old.get("presets") and _same(old, record, PRESET_SETUP):
        record = {**record, "presets": old["presets"]}
        if "preset_targets" in old:
            record["preset_targets"] = old["preset_targets"]
        kept_presets = list(old["presets"])
    if not _same(old, record, SETUP):
        return record, kept_presets
    new = record.get("policies", {})
    kept = {f: e for f, e in old.get("policies", {}).items() if f not in new}
    sweep = [r for r in old.get("sweep", []) if r.get("family") in kept]
    out = {**record, "policies": {**kept, **new}, "sweep": sweep + record.get("sweep", [])}
    return out, [f"{f}-auto" for f in kept] + kept_presets


def _same(old: dict, new: dict, keys: tuple[str, ...]) -> bool:
    return all(old.get(k) == new.get(k) for k in keys)


def save(task: str, record: dict, file: Path | None = None) -> Path:
    """Store ``record`` as ``task``'s calibration in ``file`` (default :func:`user_file`),
    keeping the other tasks' records there."""
    file = file or user_file()
    tasks = {**_read(file), task: record}
    file.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(file, json.dumps({"tasks": tasks}, indent=1) + "\n")
    return file
