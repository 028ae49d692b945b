"""Sweeps as independent units, run by an executor and kept as they finish.

A *unit* is a picklable description of one render-and-infer job (a scene, a path, a task, a
set of policies) with a ``run()`` that returns plain JSON data. It may hold several *parts*,
each stored on its own: eval's unit for one scene and path plays all of its tasks in one
rendering pass, but each task's result is a part, so that a run interrupted after a task
finished resumes with the others. ``split()`` gives one unit per part, which is how a
cluster runs them.

:func:`run_units` keeps every part in a :class:`UnitStore` the moment its unit finishes, and
skips the parts the store already has for the same description: a killed sweep run again
does only what was left. A unit that fails is reported with what it was (scene, path,
task), and the others still finish.

The executors: :class:`LocalExecutor` runs units one after another in this process and
imports nothing of Ray; ``evaluation.ray_executor`` runs one Ray task per part;
``evaluation.executors`` makes the one a command names.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
import traceback
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any, Literal, Protocol

import torch
from tqdm import tqdm

from common.atomic import remove_partials, write_text_atomic

ExecutorName = Literal["local", "ray"]
STORE_VERSION = 1
NOT_STORED = {"stored": False}
"""Metadata of a unit's field that its stored description leaves out (:func:`describe`)."""


class Unit(Protocol):
    """An independent piece of a sweep (a frozen dataclass: picklable, run anywhere)."""

    def parts(self) -> dict[str, dict]:
        """Each stored result's key (a file name) and description: a part whose stored
        description differs is run again."""
        ...

    def label(self) -> str:
        """What it is, for progress and failure lines: ``scene temple, path brief, task
        denoise``."""
        ...

    def run(self) -> dict[str, Any]:
        """Each part's result (JSON data), by key."""
        ...

    def narrowed(self, keys: Sequence[str]) -> Unit:
        """The same unit doing only the parts ``keys``."""
        ...

    def split(self) -> list[Unit]:
        """One unit per part."""
        ...


@dataclass(frozen=True)
class Failure:
    unit: Unit
    error: BaseException
    trace: str
    """The traceback as text (for a Ray task: the worker's)."""
    partial: dict | None = None
    """What the unit had made before it failed (``partial_results`` on its error), for
    outputs that keep the frames done; never stored."""

    def line(self) -> str:
        last = f"{type(self.error).__name__}: {self.error}".strip().splitlines()
        return f"{self.unit.label()}: {last[-1] if last else type(self.error).__name__}"


class UnitsFailed(Exception):
    """Some units of a sweep failed; the rest finished and are kept."""

    def __init__(
        self, failures: Sequence[Failure], total: int, store: Path, done: dict[str, Any]
    ) -> None:
        self.failures = list(failures)
        self.done = done
        """The parts that finished, by key."""
        failed = sum(len(f.unit.parts()) for f in failures)
        lines = [f"{failed} of {total} units failed (the others are kept in {store}):"]
        lines += [f"  {f.line()}" for f in failures]
        lines.append("run the same command again (without --fresh) to retry only these")
        super().__init__("\n".join(lines))


class Executor(Protocol):
    splits: bool
    """Runs one unit per part (a cluster spreads them); else units as given (sharing a
    rendering pass)."""

    def map(self, units: Sequence[Unit]) -> Iterator[tuple[Unit, dict | Failure]]:
        """Each unit's result, or its failure, as each finishes."""
        ...

    def close(self) -> None: ...


class LocalExecutor:
    """Runs units one after another in this process."""

    splits = False

    def map(self, units: Sequence[Unit]) -> Iterator[tuple[Unit, dict | Failure]]:
        for unit in units:
            try:
                result = unit.run()
            except Exception as error:  # reported with the unit; the others still run
                partial = getattr(error, "partial_results", None)
                yield unit, Failure(unit, error, traceback.format_exc(), partial)
                continue
            yield unit, result

    def close(self) -> None:
        pass


@dataclass(frozen=True)
class ExecutorSettings:
    """Where units run: this process, or Ray (a local instance or a cluster)."""

    name: ExecutorName = "local"
    address: str | None = None
    """A Ray cluster's address (None: start a local instance)."""
    cpus: float = 1.0
    """CPUs a unit asks Ray for (its torch and llvmpipe threads)."""
    gpus: float = 0.0
    """GPUs a unit asks Ray for."""
    local_cpus: int | None = None
    """CPUs of a local Ray instance (None: the machine's): how many units run at once."""

    @property
    def elsewhere(self) -> bool:
        """Units run in other processes (whose progress bars would only clutter)."""
        return self.name != "local"

    def threads(self) -> int:
        """Torch's threads in a unit: this process's, or the CPUs a Ray unit asks for."""
        return max(1, int(self.cpus)) if self.elsewhere else torch.get_num_threads()


class UnitStore:
    """Finished parts, one JSON file each in ``directory`` (``<key>.json``), written
    atomically: a killed run leaves whole files or none."""

    def __init__(self, directory: Path | None) -> None:
        self.directory = None if directory is None else Path(directory)
        """None: a store that keeps nothing."""

    def _file(self, key: str) -> Path:
        return self.directory / f"{key}.json"

    def load(self, key: str, description: dict) -> Any | None:
        """The stored result of part ``key`` if it was made for ``description``."""
        if self.directory is None:
            return None
        try:
            stored = json.loads(self._file(key).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if stored.get("version") != STORE_VERSION or stored.get("unit") != _plain(description):
            return None
        return stored.get("result")

    def save(self, key: str, description: dict, result: Any) -> None:
        if self.directory is None:
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        record = {"version": STORE_VERSION, "unit": _plain(description), "result": result}
        write_text_atomic(self._file(key), json.dumps(record, allow_nan=True) + "\n")

    def found(self, units: Sequence[Unit]) -> dict[str, Any]:
        """The parts of ``units`` kept here for the same descriptions, by key."""
        found = {}
        for unit in units:
            for key, description in unit.parts().items():
                result = self.load(key, description)
                if result is not None:
                    found[key] = result
        return found

    def clear(self) -> int:
        """Forget every stored part (``--fresh``); how many there were."""
        if self.directory is None or not self.directory.is_dir():
            return 0
        remove_partials(self.directory)
        files = list(self.directory.glob("*.json"))
        for file in files:
            file.unlink(missing_ok=True)
        return len(files)


def describe(unit: Any) -> dict:
    """A unit dataclass's fields as its stored description, less those marked
    ``metadata={"stored": False}`` (what does not change its result: where references are
    cached, progress bars)."""
    description = asdict(unit)
    for f in fields(unit):
        if not f.metadata.get("stored", True):
            description.pop(f.name)
    return description


def _plain(description: dict) -> dict:
    """``description`` as it reads back from JSON (tuples become lists, paths strings)."""
    return json.loads(json.dumps(description, default=str))


def run_units(
    units: Sequence[Unit],
    executor: Executor,
    store: UnitStore,
    quiet: bool = False,
    what: str = "units",
) -> dict[str, Any]:
    """Every part of ``units``, by key in their order: from ``store`` where it has them,
    else run by ``executor`` and stored as each unit finishes. A unit of several parts that
    fails (on an executor that runs them together) is run again part by part, so that the
    failing part is named alone and the others finish.

    Raises:
        UnitsFailed: some parts failed (after the others finished and were stored).
    """
    order = [key for unit in units for key in unit.parts()]
    results = store.found(units)
    pending = []
    for unit in units:
        left = [key for key in unit.parts() if key not in results]
        if left:
            pending.append(unit if len(left) == len(unit.parts()) else unit.narrowed(left))
    if results and not quiet:
        print(
            f"{len(results)} of {len(order)} {what} already done in {store.directory} "
            "(--fresh runs them again)"
        )
    if executor.splits:
        pending = [part for unit in pending for part in unit.split()]
    failures: list[Failure] = []
    bar = tqdm(
        total=sum(len(u.parts()) for u in pending), desc=what, unit="part",
        disable=quiet or not executor.splits or not pending,
    )  # fmt: skip
    with bar:
        retry = []
        for unit, outcome in executor.map(pending):
            if isinstance(outcome, Failure) and len(unit.parts()) > 1:
                retry += unit.split()
            elif isinstance(outcome, Failure):
                failures.append(outcome)
            else:
                _keep(unit, outcome, store, results, bar)
        for unit, outcome in executor.map(retry):
            if isinstance(outcome, Failure):
                failures.append(outcome)
            else:
                _keep(unit, outcome, store, results, bar)
    done = {key: results[key] for key in order if key in results}
    if failures:
        if not quiet:
            for failure in failures:
                print(f"failed: {failure.unit.label()}\n{failure.trace}", file=sys.stderr)
        raise UnitsFailed(failures, len(order), store.directory, done) from None
    return done


def _keep(unit: Unit, outcome: dict, store: UnitStore, results: dict, bar: tqdm) -> None:
    parts = unit.parts()
    for key, result in outcome.items():
        store.save(key, parts[key], result)
        results[key] = result
    bar.update(len(outcome))


def file_slug(text: str) -> str:
    """A file-name-safe name for a scene or path given as a name or a file."""
    name = Path(text).stem if ("/" in text or "." in text) else text
    safe = re.sub(r"[^A-Za-z0-9_-]+", "_", name)[:40]
    if safe == text:
        return safe
    return f"{safe}-{hashlib.sha1(text.encode()).hexdigest()[:8]}"
