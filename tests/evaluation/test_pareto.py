"""Pareto fronts of a tau sweep, the gain of one family over another, and the plot."""

import pytest

from evaluation.calibration import SweepRow
from evaluation.pareto import best_within, front, gains, gains_at_equal_flip, plot, speedup_at


def row(family: str, tau: float, flip: float, speedup: float) -> SweepRow:
    return SweepRow(f"{family}-{tau:g}", family, tau, flip, 0.5, speedup)


PLAIN = [row("delta", 0.1, 0.01, 1.5), row("delta", 0.2, 0.02, 1.4), row("delta", 0.3, 0.03, 2.0)]
WARP = [row("delta+warp", 0.1, 0.005, 1.45), row("delta+warp", 0.3, 0.012, 1.9)]


def test_front_drops_dominated_points():
    assert [r.tau for r in front(PLAIN)] == [0.1, 0.3]


def test_best_within_a_flip():
    assert best_within(WARP, 0.012).tau == 0.3
    assert best_within(WARP, 0.011).tau == 0.1
    assert best_within(WARP, 0.001) is None


def test_gains_read_the_other_family_at_equal_or_lower_flip():
    pairs = gains(PLAIN, WARP)
    assert [(p.tau, w.tau) for p, w in pairs] == [(0.1, 0.1), (0.3, 0.3)]


def test_speedup_at_a_flip_is_read_between_front_points():
    assert speedup_at(PLAIN, 0.02) == pytest.approx(1.75), "half-way from 1.5x to 2.0x"
    assert speedup_at(PLAIN, 0.01) == 1.5 and speedup_at(PLAIN, 0.05) == 2.0
    assert speedup_at(PLAIN, 0.005) is None


def test_gains_at_equal_flip_pair_each_front_point_of_the_other_family():
    (low, below), (high, speed) = gains_at_equal_flip(PLAIN, WARP)
    assert (low.tau, below, high.tau) == (0.1, None, 0.3)
    assert speed == pytest.approx(1.55), "a tenth of the way from 0.01 (1.5x) to 0.03 (2.0x)"


def test_plot_writes_one_panel_per_run(tmp_path):
    file = plot({"temple": PLAIN + WARP, "garden": PLAIN}, "t", tmp_path / "p.png")
    assert file.exists() and file.stat().st_size > 1000
