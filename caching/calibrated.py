"""Taus that ``reframe-rt calibrate`` chose for a FLIP budget: the ``<family>-auto`` presets.

Two files hold them, per task: the one shipped in ``assets/calibration.json`` (calibrated
here, BENCHMARKS.md says how) and the user's own, which ``reframe-rt calibrate`` writes and
which wins: ``$REFRAME_RT_CALIBRATION``, else ``$XDG_DATA_HOME/reframe-rt/calibration.json``
(``~/.local/share/...``). A record per task::

    {"tasks": {"extrapolate": {"flip_budget": 0.02, "policies": {"delta": {"tau": 0.5,
     "flip": 0.011, "refresh_rate": 0.2}, ...}, ...}}}
"""

from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import Path

from assets import CALIBRATION_FILE
from common.atomic import write_text_atomic
from common.errors import UserError

ENV = "REFRAME_RT_CALIBRATION"


def user_file() -> Path:
    """Where ``reframe-rt calibrate`` writes by default."""
    if os.environ.get(ENV):
        return Path(os.environ[ENV])
    data = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(data) / "reframe-rt" / "calibration.json"


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
                if tau is not None and not isinstance(tau, (int, float)):
                    raise TypeError(f"{task} {family}: tau {tau!r} is not a number")
        return tasks
    except (OSError, UnicodeDecodeError, ValueError, AttributeError, TypeError) as error:
        raise CalibrationError(
            f"{file} is not a calibration file ({error}): fix or remove it"
        ) from None


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


def merged(task: str, record: dict, file: Path) -> tuple[dict, list[str]]:
    """``record`` with the families ``file`` already holds for ``task`` and ``record`` does
    not (calibrated for the same budget, network and size: a run for one family must not
    drop the others' presets), and the names of the families kept."""
    old = _read(file).get(task)
    if not old or any(old.get(k) != record.get(k) for k in SETUP):
        return record, []
    new = record.get("policies", {})
    kept = {f: e for f, e in old.get("policies", {}).items() if f not in new}
    sweep = [r for r in old.get("sweep", []) if r.get("family") in kept]
    out = {**record, "policies": {**kept, **new}, "sweep": sweep + record.get("sweep", [])}
    return out, list(kept)


def save(task: str, record: dict, file: Path | None = None) -> Path:
    """Store ``record`` as ``task``'s calibration in ``file`` (default :func:`user_file`),
    keeping the other tasks' records there."""
    file = file or user_file()
    tasks = {**_read(file), task: record}
    file.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(file, json.dumps({"tasks": tasks}, indent=1) + "\n")
    return file
