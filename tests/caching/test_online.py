"""Online thresholds (``+online``): the tau controller, the cache's check frames, and the
evaluation method that scores them with FLIP."""

import pytest
import torch

from caching.cache import LayerCache
from caching.online import SMALLEST, OnlineTau
from caching.policies import EveryN, FrameInfo
from caching.spec import parse_policy
from common.metrics.flip import flip
from common.tonemap import tonemap
from evaluation.methods import CachedMethod, flip_budget
from evaluation.runner import Runner
from networks.method import NetworkMethod
from networks.model import build
from networks.tasks import TASKS
from networks.unet import UNetConfig
from renderer.pathgen import resolve_path
from renderer.player import RenderSettings
from renderer.scenes import load_scene
from tests.conftest import TEST_QUALITY


def test_tau_moves_toward_the_aim_by_at_most_max_step():
    online = OnlineTau(parse_policy("delta-0.5+online"), budget=0.02, aim=0.75)  # 0.015
    assert online.adapt(0.06) == pytest.approx(0.25), "4x over the aim: halved"
    assert online.adapt(0.015) == pytest.approx(0.25), "on the aim: held"
    assert online.adapt(0.0375) == pytest.approx(0.25 * (0.4**0.5))
    assert online.adapt(0.0) == pytest.approx(0.25 * (0.4**0.5) * 2.0), "nothing lost: doubled"
    assert [flip for _, flip, _ in online.history] == [0.06, 0.015, 0.0375, 0.0]


@pytest.mark.parametrize("bad", [float("nan"), float("inf")])
def test_a_check_without_a_finite_flip_tightens_all_it_may(bad):
    online = OnlineTau(parse_policy("delta-0.4+online"))
    assert online.adapt(bad) == pytest.approx(0.4 / online.max_step)
    assert online.adapt(0.0) == pytest.approx(0.4), "and the next finite check moves it again"


@pytest.mark.parametrize("family", ["delta", "motion", "lfd"])
def test_a_tau_of_zero_can_grow(family):
    online = OnlineTau(parse_policy(f"{family}-0+online"))
    assert online.adapt(0.0) == pytest.approx(SMALLEST[family] * online.max_step)


def test_reset_starts_from_the_policys_own_tau_again():
    policy = parse_policy("motion-8+online")
    online = OnlineTau(policy, every=3)
    online.adapt(1.0)
    assert policy.tau < 8.0
    online.reset()
    assert policy.tau == 8.0 and not online.history
    assert [online.due() for _ in range(4)] == [False, False, True, True], "due until checked"


def test_only_a_policy_with_a_tau_adapts():
    with pytest.raises(ValueError, match="tau"):
        OnlineTau(EveryN("every-2", 2))


@torch.no_grad()
def test_a_check_refreshes_and_keeps_what_reuse_would_have_given():
    torch.manual_seed(0)
    net = build(UNetConfig(3, widths=(8, 12, 16))).eval()
    checked = LayerCache(net, EveryN("every-3", 3))
    plain = LayerCache(net, EveryN("every-100", 100))  # reuses all but the first frame
    gen = torch.Generator().manual_seed(1)
    frames = [torch.rand(1, 3, 20, 28, generator=gen) for _ in range(5)]
    for i, x in enumerate(frames):
        info = FrameInfo(index=i)
        # Checks on 0 (forced: nothing to check), 1 (every-3 reuses), 3 (it refreshes).
        out = checked(x, info, check=i in (0, 1, 3))
        reuse = plain(x, info)
        if i in (1, 3):
            assert torch.equal(out, net(x)), "a check frame shows the full network"
            assert torch.equal(checked.last_check, reuse)
            plain.reset()
            plain(x, info)  # the check refreshed: the plain cache follows
        else:
            assert checked.last_check is None
    assert checked.stats.refreshes == [True, True, False, True, False]


def test_online_method_checks_and_adapts_on_rendered_frames(gl):
    task = TASKS["denoise"]  # not recurrent: the full network sees the same inputs
    torch.manual_seed(0)
    net = build(UNetConfig(task.in_channels, widths=(8, 12, 16))).eval()
    policy = parse_policy("delta-0.5+online")
    method = CachedMethod(task, LayerCache(net, policy), name=policy.spec, budget=1e-6)
    method.online.every = 2
    scene = load_scene("garden")
    settings = RenderSettings(size=(48, 28), quality=TEST_QUALITY)
    full = NetworkMethod(task, net, name="full")
    runner = Runner(scene, resolve_path("default", scene), task, [full, method], settings, gl=gl)
    try:
        results = list(runner.run(7))
    finally:
        runner.close()
    assert len(method.online.history) >= 2, "checked every second frame but the first"
    for frame, value, tau in method.online.history:
        r = next(r for r in results if r.index == frame)
        assert r.refresh[policy.spec] is True
        assert r.tau[policy.spec] == pytest.approx(tau)  # eval's frames.csv reads this
        assert torch.equal(r.outputs[policy.spec], r.outputs["full"])
        assert 0.0 < value <= 1.0
    # A budget nothing meets: tau only tightens.
    taus = [tau for _, _, tau in method.online.history]
    assert taus == sorted(taus, reverse=True) and taus[-1] < 0.5
    assert all(r.tau["full"] is None for r in results)
    method.reset()
    assert policy.tau == 0.5


def test_the_budget_comes_from_the_calibration(monkeypatch):
    monkeypatch.setattr("evaluation.methods.record_for", lambda task: ({"flip_budget": 0.05}, ""))
    assert flip_budget("denoise") == 0.05
    monkeypatch.setattr("evaluation.methods.record_for", lambda task: None)
    assert flip_budget("denoise") == 0.02
    # The scoring the checks use: FLIP of the tone-mapped outputs.
    a = torch.rand(3, 8, 8)
    assert float(flip(tonemap(a), tonemap(a))[1]) == 0.0
