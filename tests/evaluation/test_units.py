"""Units, their store and the local executor, with stand-in units that only count."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import pytest

from evaluation.units import (
    Failure,
    LocalExecutor,
    UnitsFailed,
    UnitStore,
    file_slug,
    run_units,
)


@dataclass(frozen=True)
class Counting:
    """A unit of one or more parts whose result is its part's name squared; ``fails`` names
    a part that raises, ``ran`` records every part run."""

    name: str
    parts_: tuple[str, ...] = ("a",)
    fails: str | None = None
    setting: int = 0
    ran: list = field(default_factory=list, compare=False, repr=False)

    def parts(self) -> dict[str, dict]:
        return {f"{self.name}.{p}": {"part": p, "setting": self.setting} for p in self.parts_}

    def label(self) -> str:
        return f"unit {self.name}, parts {', '.join(self.parts_)}"

    def run(self) -> dict:
        if self.fails in self.parts_:
            error = RuntimeError(f"{self.fails} broke")
            error.partial_results = {f"{self.name}.{self.fails}": "half"}
            raise error
        self.ran.extend(self.parts_)
        return {f"{self.name}.{p}": p * 2 for p in self.parts_}

    def narrowed(self, keys) -> Counting:
        return replace(self, parts_=tuple(p for p in self.parts_ if f"{self.name}.{p}" in keys))

    def split(self) -> list[Counting]:
        return [replace(self, parts_=(p,)) for p in self.parts_]


class Splitting(LocalExecutor):
    splits = True


def test_store_round_trip_and_a_changed_description_is_not_found(tmp_path):
    store = UnitStore(tmp_path / "units")
    assert store.load("k", {"a": 1}) is None
    store.save("k", {"a": (1, 2), "p": tmp_path}, {"rows": [1.5, None]})
    assert store.load("k", {"a": (1, 2), "p": tmp_path}) == {"rows": [1.5, None]}
    assert store.load("k", {"a": (1, 3), "p": tmp_path}) is None
    (tmp_path / "units" / "broken.json").write_text('{"version": 1, "unit"')
    assert store.load("broken", {}) is None
    assert store.clear() == 2 and not list((tmp_path / "units").iterdir())


def test_a_store_of_none_keeps_nothing():
    store = UnitStore(None)
    store.save("k", {}, 1)
    assert store.load("k", {}) is None and store.clear() == 0


def test_finished_parts_are_not_run_again(tmp_path):
    store = UnitStore(tmp_path)
    ran: list[str] = []
    units = [Counting("x", ("a", "b"), ran=ran), Counting("y", ("c",), ran=ran)]
    first = run_units(units, LocalExecutor(), store, quiet=True)
    assert first == {"x.a": "aa", "x.b": "bb", "y.c": "cc"} and ran == ["a", "b", "c"]
    (tmp_path / "x.b.json").unlink()
    ran.clear()
    again = run_units(units, LocalExecutor(), store, quiet=True)
    assert again == first and list(again) == list(first)
    assert ran == ["b"], "only the part that was not kept runs again, alone"
    ran.clear()
    changed = [replace(units[0], setting=1), units[1]]
    run_units(changed, LocalExecutor(), store, quiet=True)
    assert ran == ["a", "b"], "other settings: the stored parts do not count"


def test_a_splitting_executor_runs_one_part_a_unit(tmp_path):
    seen = []

    class Recording(Splitting):
        def map(self, units):
            seen.extend(u.parts_ for u in units)
            yield from super().map(units)

    run_units([Counting("x", ("a", "b"))], Recording(), UnitStore(tmp_path), quiet=True)
    assert seen == [("a",), ("b",)]


def test_a_failing_unit_is_named_and_the_others_finish_and_are_kept(tmp_path, capsys):
    store = UnitStore(tmp_path)
    ran: list[str] = []
    units = [
        Counting("x", ("a",), ran=ran),
        Counting("y", ("b",), fails="b", ran=ran),
        Counting("z", ("c",), ran=ran),
    ]
    with pytest.raises(UnitsFailed) as caught:
        run_units(units, LocalExecutor(), store)
    failed = caught.value
    assert ran == ["a", "c"] and failed.done == {"x.a": "aa", "z.c": "cc"}
    (only,) = failed.failures
    assert isinstance(only, Failure) and only.partial == {"y.b": "half"}
    assert only.line() == "unit y, parts b: RuntimeError: b broke"
    assert str(failed).startswith("1 of 3 units failed")
    assert "unit y, parts b" in capsys.readouterr().err, "the traceback names the unit"
    # Run again: only the failed one runs (and now passes).
    ran.clear()
    fixed = [units[0], replace(units[1], fails=None), units[2]]
    assert run_units(fixed, LocalExecutor(), store, quiet=True)["y.b"] == "bb"
    assert ran == ["b"]


def test_a_unit_of_parts_run_together_is_run_again_part_by_part_when_it_fails(tmp_path):
    ran: list[str] = []
    together = Counting("x", ("a", "b", "c"), fails="b", ran=ran)
    with pytest.raises(UnitsFailed) as caught:
        run_units([together], LocalExecutor(), UnitStore(tmp_path), quiet=True)
    assert ran == ["a", "c"], "the parts beside the failing one still finish"
    assert caught.value.done == {"x.a": "aa", "x.c": "cc"}
    (only,) = caught.value.failures
    assert only.line() == "unit x, parts b: RuntimeError: b broke"
    assert str(caught.value).startswith("1 of 3 units failed")


def test_an_interrupt_stops_the_run_and_keeps_the_units_before(tmp_path):
    class Interrupted(Counting):
        def run(self):
            raise KeyboardInterrupt

    store = UnitStore(tmp_path)
    with pytest.raises(KeyboardInterrupt):
        run_units([Counting("x"), Interrupted("y"), Counting("z")], LocalExecutor(), store)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.a.json"]


@pytest.mark.parametrize(
    ("text", "slug"),
    [("temple", "temple"), ("brief", "brief"), ("scenes/My Room.obj", "My_Room-")],
)
def test_file_slugs_are_names_and_files_get_a_hash(text, slug):
    made = file_slug(text)
    assert made.startswith(slug) and "/" not in made
    assert made == slug or len(made) == len(slug) + 8
    assert file_slug("a/x.obj") != file_slug("b/x.obj")
