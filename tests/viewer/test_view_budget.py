"""The viewer's frame budget: the next frame's spp from recent costs, and a headless run
that spends a budget on samples and shows its margin."""

import pytest

from tests.viewer.view_runs import run_view
from viewer.app.budget import FrameBudget


def test_the_next_spp_fills_the_budget_by_the_fitted_render_cost():
    budget = FrameBudget()
    assert budget.next_spp(100.0, 16, 1) == 1  # nothing measured
    budget.observe(1, 20.0, 50.0)
    # One spp seen: a step up while it fits, to learn the render's slope...
    assert budget.next_spp(100.0, 16, 1) == 2
    assert budget.next_spp(60.0, 16, 3) == 2
    budget.observe(3, 26.0, 50.0)
    # ...then the line: 17 + 3 spp ms beside 50 ms of the rest, in 100 ms: 11 spp.
    assert budget.next_spp(100.0, 16, 3) == 11
    assert budget.next_spp(100.0, 8, 3) == 8 and budget.next_spp(10.0, 8, 3) == 1
    budget.reset()
    assert budget.next_spp(100.0, 16, 5) == 1


@pytest.mark.parametrize(("ms", "spp"), [("100000", 4), ("0.001", 1)])
def test_a_headless_run_spends_the_budget_on_samples(tmp_path, ms, spp):
    report = run_view(
        tmp_path, "--resolution", "64x36", "--policy", "every-2", "--frames", "8",
        "--frame-budget", ms, "--max-spp", "4",
    )  # fmt: skip
    assert report["error"] is None
    assert report["spp"] == spp
    assert (report["budget_margin_ms"] > 0) == (spp > 1)
