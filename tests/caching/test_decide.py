"""A decision made ahead on a probe input (``LayerCache.decide``), carried out on another:
the network runs on the input given, later decisions compare against the probe."""

import pytest
import torch

from caching.cache import LayerCache
from caching.policies import FrameInfo
from caching.spec import parse_policy
from common.padding import pad_to
from networks.model import build
from networks.unet import UNetConfig
from tests.caching.test_cache import frames, reuse_by_hand

WIDTHS = (8, 12, 16, 24)


@pytest.fixture
def net():
    torch.manual_seed(0)
    return build(UNetConfig(5, widths=WIDTHS, arch="unet")).eval()


@torch.no_grad()
def test_a_refresh_decided_ahead_runs_the_network_on_the_richer_input(net):
    cache = LayerCache(net, parse_policy("delta-0.05"))
    probe, rich = frames(2)
    assert cache.decide(probe, FrameInfo(index=0)) is True  # the first frame
    assert torch.equal(cache(rich, FrameInfo(index=0)), net(rich))
    assert cache.stats.refreshes == [True]


@torch.no_grad()
def test_later_decisions_compare_against_the_probe_not_the_input_run(net):
    cache = LayerCache(net, parse_policy("delta-0.05"))
    probe = frames(1)[0]
    rich = probe + 0.5  # far from the probe: a comparison with it would refresh
    cache.decide(probe, FrameInfo(index=0))
    cache(rich, FrameInfo(index=0))
    # The next frame's probe equals the first: smape 0, reuse, on its own richer input.
    assert cache.decide(probe.clone(), FrameInfo(index=1)) is False
    out = cache(rich, FrameInfo(index=1))
    features = net.deep(net.top_encoder(pad_to(rich, net.alignment), 1), 1)
    assert torch.allclose(out, reuse_by_hand(net, rich, features), atol=1e-6)
    assert cache.stats.refreshes == [True, False]


@torch.no_grad()
def test_decisions_ahead_and_in_the_call_agree_on_the_same_inputs(net):
    xs = frames(6)
    ahead = LayerCache(net, parse_policy("delta-0.02"))
    plain = LayerCache(net, parse_policy("delta-0.02"))
    for i, x in enumerate(xs):
        ahead.decide(x, FrameInfo(index=i))
        assert torch.equal(ahead(x, FrameInfo(index=i)), plain(x, FrameInfo(index=i)))
    assert ahead.stats.refreshes == plain.stats.refreshes
    assert 0 < sum(plain.stats.refreshes) < len(xs)  # both kinds of frame were decided


@torch.no_grad()
def test_a_decision_ahead_refuses_a_check_or_another_shape(net):
    cache = LayerCache(net, parse_policy("delta-0.05"))
    x = frames(1)[0]
    cache.decide(x)
    with pytest.raises(ValueError, match="shape it judged"):
        cache(x[..., :-2], FrameInfo(index=0))
    cache.reset()
    cache.decide(x)
    with pytest.raises(ValueError, match="without check"):
        cache(x, FrameInfo(index=0), check=True)


@torch.no_grad()
def test_one_decision_per_frame_and_none_left_behind(net):
    cache = LayerCache(net, parse_policy("motion-1"))
    x = frames(1)[0]
    cache.decide(x, FrameInfo(index=0, motion=0.6))
    # A second decision would add the frame's motion twice.
    with pytest.raises(ValueError, match="twice"):
        cache.decide(x, FrameInfo(index=0, motion=0.6))
    with pytest.raises(ValueError, match="frame it was made for"):
        cache(x, FrameInfo(index=1))
    # Disabled, the cache runs the plain network and drops a pending decision.
    cache.reset()
    cache.decide(x, FrameInfo(index=0))
    cache.enabled = False
    assert torch.equal(cache(x), net(x))
    cache.enabled = True
    assert torch.equal(cache(x, FrameInfo(index=0)), net(x))  # decided afresh: first frame
    assert cache.decide(x, FrameInfo(index=1, motion=0.6)) is False
