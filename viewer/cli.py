"""The ``reframe-rt`` command line: one subcommand per module in ``viewer/commands``."""

from __future__ import annotations

import os

# Before torch is imported: OpenMP workers that spin after each parallel region would
# take the CPU from llvmpipe's rendering threads on small machines.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import sys
from collections.abc import Callable, Sequence
from typing import Any

import tyro

from renderer.errors import UserError
from viewer.commands import render
from viewer.runtime import tune_allocator

COMMANDS: dict[str, tuple[type, Callable[[Any], None]]] = {
    "render": (render.RenderConfig, render.run),
}


def main(argv: Sequence[str] | None = None) -> int:
    tune_allocator()
    config = tyro.extras.subcommand_cli_from_dict(
        {name: cls for name, (cls, _) in COMMANDS.items()},
        prog="reframe-rt",
        description="Layer caching (ReFrame) for the networks of a real-time renderer.",
        args=argv,
    )
    run = next(fn for cls, fn in COMMANDS.values() if isinstance(config, cls))
    try:
        run(config)
    except UserError as error:
        print(f"reframe-rt: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("reframe-rt: interrupted", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
