"""Shader sources and compiled programs.

GLSL has no ``#include``: a line ``//#include name.glsl`` is replaced by that file, and a line
``//#define NAME`` is switched on by passing ``NAME`` in ``defines``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import moderngl
import numpy as np

SHADER_DIR = Path(__file__).resolve().parent / "shaders"


@cache
def shader_source(name: str, defines: frozenset[str] = frozenset()) -> str:
    lines = []
    for line in (SHADER_DIR / name).read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if stripped.startswith("//#include "):
            lines.append(shader_source(stripped.split(maxsplit=1)[1]))
        elif stripped.startswith("//#define ") and stripped.split()[1] in defines:
            lines.append(stripped[2:])
        else:
            lines.append(line)
    return "\n".join(lines)


def program(
    ctx: moderngl.Context, vertex: str, fragment: str, defines: frozenset[str] = frozenset()
) -> moderngl.Program:
    return ctx.program(
        vertex_shader=shader_source(vertex), fragment_shader=shader_source(fragment, defines)
    )


@dataclass
class Programs:
    """Every program the renderer uses, compiled once per context."""

    depth: moderngl.Program
    gbuffer: moderngl.Program
    background: moderngl.Program
    shadow: moderngl.Program
    clear_tiles: moderngl.Program
    shade: moderngl.Program
    reference: moderngl.Program

    @classmethod
    def compile(cls, ctx: moderngl.Context, dynamic: bool) -> Programs:
        """``dynamic``: the scene has moving objects, so shading also reads their atlas."""
        shading = frozenset({"DYNAMIC"} if dynamic else ())
        return cls(
            depth=program(ctx, "depth.vert", "shadow.frag"),
            gbuffer=program(ctx, "gbuffer.vert", "gbuffer.frag"),
            background=program(ctx, "fullscreen.vert", "background.frag"),
            shadow=program(ctx, "shadow.vert", "shadow.frag"),
            clear_tiles=program(ctx, "clear_tiles.vert", "shadow.frag"),
            shade=program(ctx, "fullscreen.vert", "shade.frag", shading),
            reference=program(ctx, "fullscreen.vert", "shade.frag", shading | {"REFERENCE"}),
        )

    def release(self) -> None:
        for p in (
            self.depth,
            self.gbuffer,
            self.background,
            self.shadow,
            self.clear_tiles,
            self.shade,
            self.reference,
        ):
            p.release()


def set_uniform(prog: moderngl.Program, name: str, value: Any) -> None:
    """Set a uniform if the compiler kept it (unused uniforms are optimised away).

    Matrices are numpy (4, 4) arrays in column-vector convention; arrays of them (N, 4, 4).
    """
    member = prog.get(name, None)
    if member is None:
        return
    if isinstance(value, np.ndarray):
        if member.dimension == 16:
            value = np.swapaxes(value, -1, -2)  # GLSL wants column-major
        member.write(np.ascontiguousarray(value, dtype=_dtype_of(member)).tobytes())
    else:
        member.value = value


def pad_rows(rows: np.ndarray, length: int) -> np.ndarray:
    """``rows`` followed by zero rows up to ``length``: uniform arrays are written whole."""
    out = np.zeros((length, *rows.shape[1:]), rows.dtype)
    out[: len(rows)] = rows
    return out


def _dtype_of(member: Any) -> type:
    fmt = getattr(member, "fmt", "f")
    return np.int32 if fmt.endswith("i") else (np.uint32 if fmt.endswith("I") else np.float32)
