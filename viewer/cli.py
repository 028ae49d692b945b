"""The ``reframe-rt`` command line: one subcommand per module in ``viewer/commands``."""

from __future__ import annotations

import os

# Before torch is imported: OpenMP workers spin a short while after each parallel region,
# long enough for torch's back-to-back operations (sleeping made FLIP 20-30% slower), short
# enough not to starve llvmpipe's rendering threads (endless spinning made frames 50% slower).
os.environ.setdefault("GOMP_SPINCOUNT", "10000")

import sys
from collections.abc import Callable, Sequence
from typing import Any

import tyro

from evaluation.calibrated import check_user_file
from evaluation.units import UnitsFailed
from renderer.errors import UserError
from viewer.commands import calibrate, dump, inspect, render, train, view
from viewer.commands import eval as evaluate
from viewer.runtime import tune_allocator

COMMANDS: dict[str, tuple[type, Callable[[Any], None]]] = {
    "render": (render.RenderConfig, render.run),
    "eval": (evaluate.EvalConfig, evaluate.run),
    "dump": (dump.DumpConfig, dump.run),
    "train": (train.TrainSettings, train.run),
    "calibrate": (calibrate.CalibrateConfig, calibrate.run),
    "view": (view.ViewConfig, view.run),
    "inspect": (inspect.InspectConfig, inspect.run),
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
        # A broken calibration file of the user's stops every command here, in one line:
        # not only those that read presets, and not at some later frame.
        check_user_file()
        run(config)
    except UserError as error:
        print(f"reframe-rt: error: {error}", file=sys.stderr)
        return 2
    except UnitsFailed as error:  # the failures were reported; what finished is written
        print(f"reframe-rt: error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("reframe-rt: interrupted", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
