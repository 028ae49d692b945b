"""Scenes: the built-in procedural ones and user files (OBJ, glTF) loaded through trimesh."""

from __future__ import annotations

import importlib
from pathlib import Path

from renderer.errors import SceneError
from renderer.scenes.scene import Scene

BUILTIN_SCENES = ("temple", "garden", "arena")
"""Built-in scene names; each is a module here with a ``build() -> Scene`` function."""

MESH_SUFFIXES = (".obj", ".gltf", ".glb")


def load_scene(name_or_path: str, up: str = "auto") -> Scene:
    """A built-in scene by name, or a scene loaded from an OBJ or glTF file.

    ``up`` (``auto``, ``y`` or ``z``) is the up axis of a file's content.

    Raises:
        SceneError: unknown name, missing file, unsupported or unreadable file.
    """
    if name_or_path in BUILTIN_SCENES:
        return importlib.import_module(f"renderer.scenes.{name_or_path}").build()
    path = Path(name_or_path)
    if path.suffix.lower() in MESH_SUFFIXES:
        from renderer.scenes.mesh_file import load_mesh_scene

        return load_mesh_scene(path, up)
    known = ", ".join(BUILTIN_SCENES)
    raise SceneError(
        f"unknown scene {name_or_path!r}: use one of {known} or a .obj/.gltf/.glb file"
    )
