"""The Ray executor on a local instance, with units that only count: results come back by
unit, a failure on a worker comes back with the unit, its error and what it had made, and
the other units still finish."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass

import pytest
import ray.cloudpickle

from common.errors import UserError
from evaluation.ray_executor import RayExecutor
from evaluation.units import ExecutorSettings, Failure, UnitsFailed, UnitStore, run_units

# The workers do not import the tests: the units below travel by value.
ray.cloudpickle.register_pickle_by_value(sys.modules[__name__])


@dataclass(frozen=True)
class Square:
    name: str
    fails: bool = False

    def parts(self) -> dict[str, dict]:
        return {self.name: {"name": self.name}}

    def label(self) -> str:
        return f"unit {self.name}"

    def run(self) -> dict:
        if self.fails:
            error = ValueError(f"{self.name} broke")
            error.partial_results = {self.name: "half"}
            raise error
        return {self.name: [self.name * 2, os.getpid()]}

    def narrowed(self, keys) -> Square:
        return self

    def split(self) -> list[Square]:
        return [self]


def test_results_and_a_failure_come_back_from_the_workers(tmp_path):
    executor = RayExecutor(ExecutorSettings("ray", local_cpus=2))
    try:
        units = [Square("a"), Square("b", fails=True), Square("c"), Square("d")]
        with pytest.raises(UnitsFailed) as caught:
            run_units(units, executor, UnitStore(tmp_path), quiet=True)
        assert ray.is_initialized()
        with pytest.raises(UserError, match="already up"):
            RayExecutor(ExecutorSettings("ray", local_cpus=2))
    finally:
        executor.close()
    assert not ray.is_initialized(), "the instance it started is stopped"
    done = caught.value.done
    assert {k: v[0] for k, v in done.items()} == {"a": "aa", "c": "cc", "d": "dd"}
    assert all(pid != os.getpid() for _, pid in done.values()), "run on the workers"
    (failure,) = caught.value.failures
    assert isinstance(failure, Failure) and isinstance(failure.error, ValueError)
    assert failure.line() == "unit b: ValueError: b broke" and failure.partial == {"b": "half"}
    assert "b broke" in failure.trace
    assert sorted(p.stem for p in tmp_path.glob("*.json")) == ["a", "c", "d"]
