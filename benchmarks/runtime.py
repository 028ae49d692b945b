"""What every benchmark sets up before it measures, in one place.

Each ``python -m benchmarks.NAME`` builds its command line with :func:`parser` and calls
:func:`start` first; :func:`start` parses the arguments and sets the process up as the
benchmark's numbers were measured: glibc's allocator kept from handing frame-sized buffers
back to the OS (as the ``reframe-rt`` command does, so a benchmark times what the command
runs), torch's thread count where a benchmark fixes it, third-party warnings silenced where
a benchmark prints a table over them, and ``--resolution`` parsed once into ``args.size``.
OpenMP's spin count is set by the package (``benchmarks/__init__.py``): it must be set
before torch is loaded, which a benchmark's own imports already do.
"""

from __future__ import annotations

import argparse
import warnings
from collections.abc import Sequence
from pathlib import Path

import torch

from evaluation.units import ExecutorSettings
from renderer.errors import UserError
from viewer.options import ExecutorOptions, parse_resolution
from viewer.runtime import tune_allocator


def parser(doc: str) -> argparse.ArgumentParser:
    """A benchmark's argument parser, described by the first line of its docstring (which
    names the command that runs it)."""
    return argparse.ArgumentParser(description=doc.splitlines()[0])


def add_executor(parser: argparse.ArgumentParser) -> None:
    """``reframe-rt``'s executor options (viewer.options.ExecutorOptions) on a benchmark
    that sweeps units: read back with :func:`executor_options`."""
    group = parser.add_argument_group("executor (reframe-rt eval --help says more)")
    group.add_argument("--executor", choices=("local", "ray"), default="local")
    group.add_argument("--ray-address", metavar="ADDR")
    group.add_argument("--ray-cpus", type=int, metavar="N")
    group.add_argument("--unit-cpus", type=float, default=1.0)
    group.add_argument("--unit-gpus", type=float, metavar="N")
    group.add_argument("--fresh", action="store_true", help="run every unit again")


def executor_options(
    parser: argparse.ArgumentParser, args: argparse.Namespace, device: str = "cpu"
) -> tuple[ExecutorOptions, ExecutorSettings]:
    """The options :func:`add_executor` added, and the executor they name (a bad
    combination: one line and exit status 2)."""
    options = ExecutorOptions(
        executor=args.executor, ray_address=args.ray_address, ray_cpus=args.ray_cpus,
        unit_cpus=args.unit_cpus, unit_gpus=args.unit_gpus, fresh=args.fresh,
    )  # fmt: skip
    try:
        return options, options.executor_settings(torch.device(device))
    except UserError as error:
        parser.error(str(error))


def start(
    parser: argparse.ArgumentParser,
    argv: Sequence[str] | None = None,
    *,
    allocator: bool = True,
    threads: int | None = None,
    quiet: bool = False,
) -> argparse.Namespace:
    """Parse the command line and set the process up; returns the arguments, with ``size``
    (width, height) added where the parser has ``--resolution``.

    Args:
        allocator: tune glibc's allocator as the ``reframe-rt`` command does (off only where
            a benchmark's published times were taken without it).
        threads: torch's intra-op threads (None: the machine's, torch's default).
        quiet: ignore warnings (capture and tracing of third-party models print many).
    """
    args = parser.parse_args(argv)
    if isinstance(getattr(args, "resolution", None), str):
        try:
            args.size = parse_resolution(args.resolution)
        except UserError as error:
            parser.error(str(error))  # one line and exit status 2, before anything runs
    if allocator:
        tune_allocator()
    if threads is not None:
        torch.set_num_threads(threads)
    if quiet:
        warnings.filterwarnings("ignore")
    return args


def run_eval(
    out: Path,
    scene: str,
    task: str,
    policies: Sequence[str],
    frames: str,
    resolution: str,
    arch: str = "unet",
    path: str = "default",
) -> None:
    """``reframe-rt eval`` in this process (it sets up its own runtime) on the scene's
    ``path``, writing into ``out``; a failed run ends the benchmark with the command's exit
    status."""
    from viewer.cli import main as reframe_rt  # the whole command line: only when it runs

    command = ["eval", "--scene", scene, "--path", path, "--task", task, "--frames", frames]
    command += ["--resolution", resolution, "--arch", arch, "--out", str(out), "--quiet"]
    for policy in policies:
        command += ["--policy", policy]
    status = reframe_rt(command)
    if status:
        raise SystemExit(status)
