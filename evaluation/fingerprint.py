"""What a unit's stored result depends on beyond its settings: the contents of the files it
reads (weights, a scene or path file, a directory of frames) and the code that made it. A
unit's description carries it, so a result made before a retrain, an edited file or a new
renderer is run again rather than read back."""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
from collections.abc import Iterable
from pathlib import Path

from assets import PATHS_DIR
from evaluation.user_network import UserNetwork
from networks.weights import weights_path
from renderer.renderer import RENDERER_VERSION

HASHED_BYTES = 64 * 1024**2
"""Files up to this size are stamped by their contents, larger ones (frames) by size and
modification time."""


def stamp(path: str | Path) -> str | None:
    """A short digest of the file at ``path`` (a directory: of every file under it); None
    where there is none."""
    path = Path(path)
    if path.is_dir():
        digest = hashlib.sha1()
        for file in sorted(p for p in path.rglob("*") if p.is_file()):
            info = file.stat()
            digest.update(f"{file.relative_to(path)}:{info.st_size}:{info.st_mtime_ns};".encode())
        return digest.hexdigest()[:16]
    if not path.is_file():
        return None
    info = path.stat()
    if info.st_size > HASHED_BYTES:
        return f"{info.st_size}:{info.st_mtime_ns}"
    return hashlib.sha1(path.read_bytes()).hexdigest()[:16]


def code_stamp() -> dict[str, str | None]:
    """The package's version, the renderer's (moved whenever its images change) and the
    built-in camera paths."""
    try:
        version = importlib.metadata.version("reframe-rt")
    except importlib.metadata.PackageNotFoundError:
        version = None
    return {"package": version, "renderer": RENDERER_VERSION, "paths": stamp(PATHS_DIR)}


def network_stamp(tasks: Iterable[str], arch: str, network: UserNetwork | None) -> dict:
    """The weights each task's network loads: ours per task, or the user's module and file."""
    if network is not None:
        module = network.factory.split(":")[0]
        try:
            spec = importlib.util.find_spec(module)
        except (ImportError, ValueError):
            spec = None
        source = spec.origin if spec is not None and spec.origin else None
        return {
            "module": stamp(source) if source else None,
            "weights": stamp(network.weights) if network.weights else None,
        }
    return {task: stamp(weights_path(task, arch)) for task in tasks}


def inputs_stamp(
    tasks: Iterable[str],
    arch: str,
    network: UserNetwork | None,
    files: Iterable[str | Path | None] = (),
) -> dict:
    """Everything above for a unit reading ``files`` (None entries skipped)."""
    return {
        "code": code_stamp(),
        "weights": network_stamp(tasks, arch, network),
        "files": {str(f): stamp(f) for f in files if f is not None},
    }
