"""Units as Ray tasks: one task per part, each on its worker with its own headless GL
context, asking for the CPUs (and GPUs) a unit uses, so that Ray packs them onto a cluster's
machines. The only module that imports Ray (``pip install 'reframe-rt[ray]'``)."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator, Sequence

import ray
from ray.exceptions import RayError, RayTaskError

from common.errors import UserError
from evaluation.units import ExecutorSettings, Failure, Unit

OBJECT_STORE_BYTES = 256 * 1024**2
"""A local instance's object store: units send back tables, not images."""


def _run_on_worker(unit: Unit, cpus: float) -> dict:
    threads = max(1, int(cpus))
    # llvmpipe reads it when a context is made: a unit renders with the CPUs it asked for,
    # so that two units on two cores do not fight over both.
    os.environ["LP_NUM_THREADS"] = str(threads)
    import torch

    torch.set_num_threads(threads)
    return unit.run()


class RayExecutor:
    """Runs each part as a Ray task on the cluster at ``settings.address``, or on a local
    instance started here when there is something to run (and shut down by :meth:`close`).
    A process that already has Ray up (``ray.init`` called) runs on that."""

    splits = True

    def __init__(self, settings: ExecutorSettings) -> None:
        self.settings = settings
        self.started = False
        given = settings.address is not None or settings.local_cpus is not None
        if ray.is_initialized() and given:
            raise UserError(
                "Ray is already up in this process: --ray-address and --ray-cpus do not apply"
            )

    def _start(self) -> None:
        if ray.is_initialized():
            return
        local = self.settings.address is None
        if not local and self.settings.local_cpus is not None:
            raise UserError("--ray-cpus sets a local instance's size: not with --ray-address")
        try:
            ray.init(
                address="local" if local else self.settings.address,
                num_cpus=self.settings.local_cpus if local else None,
                object_store_memory=OBJECT_STORE_BYTES if local else None,
                include_dashboard=False,
                logging_level=logging.WARNING,
            )
        except (ConnectionError, RayError, ValueError) as error:
            where = "a local Ray instance" if local else f"--ray-address {self.settings.address}"
            raise UserError(f"{where}: {error}") from None
        self.started = True

    def map(self, units: Sequence[Unit]) -> Iterator[tuple[Unit, dict | Failure]]:
        if not units:
            return
        self._start()
        cpus, gpus = self.settings.cpus, self.settings.gpus
        task = ray.remote(_run_on_worker).options(num_cpus=cpus, num_gpus=gpus, max_retries=0)
        running = {task.remote(unit, cpus): unit for unit in units}
        try:
            while running:
                ready, _ = ray.wait(list(running), num_returns=1)
                for ref in ready:
                    unit = running.pop(ref)
                    yield unit, self._outcome(unit, ref)
        finally:
            # Ctrl-C, or the caller stopped: nothing keeps running on the cluster.
            for ref in running:
                ray.cancel(ref, force=True)

    @staticmethod
    def _outcome(unit: Unit, ref) -> dict | Failure:
        try:
            return ray.get(ref)
        except RayTaskError as error:
            cause = error.cause if isinstance(error.cause, BaseException) else error
            return Failure(unit, cause, str(error), getattr(cause, "partial_results", None))
        except RayError as error:  # the worker died: no result, no traceback
            return Failure(unit, error, str(error))

    def close(self) -> None:
        if self.started:
            ray.shutdown()
            self.started = False
