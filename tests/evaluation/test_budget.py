"""The frame budget: the planner's arithmetic on known costs, and budgeted runs whose
budget leaves no room or all the room (outcomes that do not depend on the machine's
speed)."""

import statistics

import pytest
import torch

from evaluation.budget import SppPlanner, on_budget
from evaluation.budget_play import UNBUDGETED, play_budget
from evaluation.methods import methods_for
from evaluation.playback import scene_playback
from evaluation.runlog import RunLog
from networks.tasks import TASKS


def taught(budget=100.0, max_spp=64):
    planner = SppPlanner(budget, max_spp)
    planner.observe("reuse", 40.0, 1, 5.0)  # a top-up: 3 ms, then 2 ms a sample
    planner.observe("refresh", 90.0, 9, 21.0)
    return planner


def test_samples_fill_what_the_rest_of_the_frame_leaves():
    planner = taught()
    assert planner.topup_ms(1) == pytest.approx(5.0)
    assert planner.topup_ms(9) == pytest.approx(21.0)
    # 20 ms in, a reuse frame has 100 - 20 - 40 = 40 ms: 3 + 2k <= 40 -> k = 18 samples.
    assert planner.plan(20.0, "reuse") == 19
    # A refresh has -10 ms: none.
    assert planner.plan(20.0, "refresh") == 1


def test_the_planner_clamps_and_costs_an_unseen_kind_as_the_dearest():
    assert taught(max_spp=8).plan(20.0, "reuse") == 8
    assert taught().plan(5.0, "full") == taught().plan(5.0, "refresh")
    assert SppPlanner(100.0, 8).plan(0.0, "reuse") == 1  # nothing measured yet


@pytest.mark.parametrize(("budget", "spp"), [(0.0, 1), (-1.0, 1), (10.0, 0)])
def test_a_bad_budget_or_max_spp_is_refused(budget, spp):
    with pytest.raises(ValueError):
        SppPlanner(budget, spp)


def test_frames_on_and_over_budget():
    assert on_budget([100.0, 104.0, 94.0, 106.0], 100.0) == (0.5, 0.25)
    assert on_budget([100.0, 104.0], [100.0, 98.0]) == (0.5, 0.5)


def budgeted(budget_ms, frames=5, max_spp=4):
    task = TASKS["denoise"]
    play = scene_playback("temple", "brief", (64, 36), frames)
    log = RunLog("denoise", play.scene_name, play.path_name, play.size)

    methods = methods_for(task, ["full", "every-2"], "unet", size=play.size, shared=False)
    return play_budget(log, play.scene, play.path, play.count, task, methods, budget_ms, max_spp)


@pytest.mark.parametrize(("budget_ms", "spp"), [(1e-3, 1), (1e7, 4)])
def test_a_budget_with_no_room_or_all_the_room(budget_ms, spp):
    log = budgeted(budget_ms)
    assert log.methods() == [UNBUDGETED, "full", "every-2"]
    assert log.budget_ms == budget_ms and log.budget_measured_ms > 0
    for method in ("full", "every-2"):
        assert [r["spp"] for r in log.of(method)] == [spp] * 5, method
    assert {r["spp"] for r in log.of(UNBUDGETED)} == {1}
    assert [r["refresh"] for r in log.of("every-2")] == [1, 0, 1, 0, 1]
    for row in log.rows:
        assert 0 <= row["flip_vs_ref"] <= 1 and row["ms"] > 0


def test_more_samples_bring_the_full_network_nearer_the_reference():
    poor, rich = budgeted(1e-3, frames=4), budgeted(1e7, frames=4, max_spp=16)
    poor_flip, rich_flip = (sum(r["flip_vs_ref"] for r in log.of("full")) for log in (poor, rich))
    assert rich_flip < poor_flip


def test_auto_follows_the_median_of_the_unbudgeted_full_pipelines_last_frames():
    log = budgeted(None, frames=4)
    plain = [r["ms"] for r in log.of(UNBUDGETED)]
    for row in log.rows:
        k = row["frame"]
        expected = statistics.median(plain[:k]) if k else log.budget_measured_ms
        assert row["budget_ms"] == expected
    assert log.budget_ms == statistics.median(
        statistics.median(plain[:k]) if k else log.budget_measured_ms for k in range(4)
    )
    assert torch.isfinite(torch.tensor([r["ms"] for r in log.rows])).all()


def test_a_budget_given_holds_for_every_frame():
    log = budgeted(123.0, frames=3)
    assert {r["budget_ms"] for r in log.rows} == {123.0} and log.budget_ms == 123.0
    assert log.budget_measured_ms > 0
