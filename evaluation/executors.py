"""The executor a command names (``--executor local|ray``), and a sweep run on it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from common.errors import UserError
from evaluation.units import (
    Executor,
    ExecutorSettings,
    LocalExecutor,
    Unit,
    UnitStore,
    run_units,
)


def make_executor(settings: ExecutorSettings) -> Executor:
    """The executor ``settings`` name.

    Raises:
        UserError: Ray asked for and not installed, or its cluster not reachable.
    """
    if settings.name == "local":
        return LocalExecutor()
    try:
        from evaluation.ray_executor import RayExecutor  # Ray only when it is asked for
    except ImportError as error:
        if (error.name or "").split(".")[0] != "ray":
            raise  # Ray is there and something else is missing: that is the error to see
        raise UserError(
            "--executor ray needs Ray: pip install 'reframe-rt[ray]' (or --executor local)"
        ) from None
    return RayExecutor(settings)


def run_all(
    units: Sequence[Unit],
    settings: ExecutorSettings,
    store: UnitStore,
    quiet: bool = False,
    what: str = "units",
) -> dict[str, Any]:
    """:func:`run_units` on the executor ``settings`` name, closed after."""
    executor = make_executor(settings)
    try:
        return run_units(units, executor, store, quiet, what)
    finally:
        executor.close()
