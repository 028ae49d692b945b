"""Write files so that a reader never sees half of one: temporary name, then rename."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PARTIAL_SUFFIX = ".partial"


@contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success it replaces ``path``.

    On an exception (or Ctrl-C) the temporary file is removed and ``path`` is untouched.
    The temporary name ends in ``.partial`` so a crash that kills the process outright
    leaves nothing that looks like a finished file.
    """
    final = Path(path)
    tmp = final.with_name(f".{final.name}.{os.getpid()}{PARTIAL_SUFFIX}")
    try:
        yield tmp
        os.replace(tmp, final)
    finally:
        tmp.unlink(missing_ok=True)


def write_text_atomic(path: str | os.PathLike[str], text: str) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def remove_partials(directory: str | os.PathLike[str]) -> int:
    """Delete temporary files a killed process left in ``directory``; return how many."""
    count = 0
    for leftover in Path(directory).glob(f".*{PARTIAL_SUFFIX}"):
        leftover.unlink(missing_ok=True)
        count += 1
    return count
