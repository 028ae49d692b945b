"""The network's own thread. The UI thread hands it the latest rendered frame through a
one-slot mailbox and never waits: it renders the next frame only once the worker has
handed back its result, so rendering and inference do not fight over the two cores and
the times measured are the network's own (as eval measures them)."""

from __future__ import annotations

import threading

import torch

from viewer.app.inference import Job, NetworkRunner, Result


class NetworkWorker:
    def __init__(self, threads: int = 2) -> None:
        self.runner = NetworkRunner()
        self._threads = threads
        self._cond = threading.Condition()
        self._job: Job | None = None
        self._result: Result | None = None
        self._busy = False
        self._stop = False
        self._thread = threading.Thread(target=self._loop, name="network", daemon=True)
        self._thread.start()

    @property
    def idle(self) -> bool:
        """Nothing queued, nothing running and no result waiting to be taken."""
        with self._cond:
            return self._job is None and not self._busy and self._result is None

    def submit(self, job: Job) -> None:
        with self._cond:
            if self._job is not None or self._busy:
                raise RuntimeError("the network worker is busy")
            self._job = job
            self._busy = True
            self._cond.notify_all()

    def take(self) -> Result | None:
        """The finished result, if there is one (never blocks)."""
        with self._cond:
            result, self._result = self._result, None
            return result

    def wait_idle(self, timeout: float | None = None) -> bool:
        """For shutdown and tests only: the UI loop never calls this."""
        with self._cond:
            return self._cond.wait_for(lambda: not self._busy, timeout)

    def close(self) -> None:
        with self._cond:
            self._stop = True
            self._cond.notify_all()
        self._thread.join(timeout=30)

    def _loop(self) -> None:
        torch.set_num_threads(self._threads)
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._job is not None or self._stop)
                if self._stop:
                    return
                job, self._job = self._job, None
            result = self.runner.run(job)
            with self._cond:
                self._result = result
                self._busy = False
                self._cond.notify_all()
