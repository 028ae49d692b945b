"""Adaptive depth (``+depth``) on U-Net and U-Net++: their level stages equal their forward
bit for bit; a frame equal to the refresh input reuses at depth 1 and equals the refresh
output; every level's tau at 0 gives the full network bit for bit; one feature per level is
kept."""

from __future__ import annotations

import pytest
import torch

from caching.depth import DepthCache
from caching.policies import FrameInfo
from caching.spec import PolicyError, parse_policy
from common.padding import pad_to
from networks.model import build
from networks.unet import UNetConfig

WIDTHS = (8, 12, 16, 24)


@pytest.fixture(params=["unet", "unetpp"])
def net(request):
    torch.manual_seed(0)
    return build(UNetConfig(5, widths=WIDTHS, arch=request.param)).eval()


def same(a, b) -> bool:
    """Bit-equal features: a tensor (U-Net) or a list of them (U-Net++)."""
    if isinstance(a, torch.Tensor):
        return torch.equal(a, b)
    return len(a) == len(b) and all(torch.equal(x, y) for x, y in zip(a, b, strict=True))


def frames(count=8, size=(21, 37), step=0.02):
    gen = torch.Generator().manual_seed(1)
    base = torch.rand(1, 5, *size, generator=gen)
    return [base + step * k * torch.rand(1, 5, *size, generator=gen) for k in range(count)]


@torch.no_grad()
def test_climbing_from_any_cut_is_the_forward_and_passes_each_levels_feature(net):
    x = pad_to(frames(1)[0], net.alignment)
    skips = []
    for i in range(net.max_cut):
        skips.append(net.encode_level(x if i == 0 else skips[-1], i))
    assert all(
        torch.equal(a, b) for a, b in zip(skips, net.top_encoder(x, net.max_cut), strict=True)
    )
    for k in range(1, net.max_cut + 1):
        out, passed = net.climb(net.deep(skips[:k], k), skips[:k], k)
        assert torch.equal(out, net(x)), k
        assert sorted(passed) == list(range(1, k))
        assert all(same(c, net.deep(skips[:j], j)) for j, c in passed.items())


@torch.no_grad()
def test_a_frame_equal_to_the_refresh_input_reuses_at_depth_1_bit_for_bit(net):
    cache = DepthCache(net, parse_policy("delta-0.1+depth"))
    x = frames(1)[0]
    first = cache(x, FrameInfo(index=0))
    assert cache.last_refresh and cache.last_depth == net.max_cut + 1
    again = cache(x.clone(), FrameInfo(index=1))
    assert cache.last_depth == 1 and not cache.last_refresh
    assert torch.equal(again, first) and torch.equal(again, net(x))


@pytest.mark.parametrize("spec", ["delta-0+depth", "lfd-0+depth"])
@torch.no_grad()
def test_every_levels_tau_at_0_is_the_full_network_bit_for_bit(net, spec):
    cache = DepthCache(net, parse_policy(spec))
    xs = frames()
    sequence = [xs[0], xs[0], xs[1], xs[2], xs[2], xs[2], xs[3], xs[1]]
    for i, x in enumerate(sequence):
        assert torch.equal(cache(x, FrameInfo(index=i)), net(x)), i
    # Repeated frames reused at depth 1; the rest refreshed (any change reaches every level).
    full = net.max_cut + 1
    assert cache.stats.depths == [full, 1, full, full, 1, 1, full, full]


@torch.no_grad()
def test_a_frame_within_tau_only_deeper_down_recomputes_the_levels_above(net, monkeypatch):
    cache = DepthCache(net, parse_policy("delta-0.05+depth"))
    xs = frames()
    cache(xs[0], FrameInfo(index=0))
    # Level 1 and 2 judged changed, level 3 within tau: depth 3, from the kept C_3.
    seen = []

    def measure(fresh, kept):
        seen.append(fresh.shape[-1])
        return 1.0 if len(seen) < 3 else 0.0

    monkeypatch.setattr(cache, "measure", measure)
    kept3 = cache._features[3]
    out = cache(xs[1], FrameInfo(index=1))
    assert cache.last_depth == 3 and len(seen) == 3
    padded = pad_to(xs[1], net.alignment)
    skips = net.top_encoder(padded, 3)
    expected, _ = net.climb(kept3, skips, 3)
    assert torch.equal(out, expected[..., :21, :37])
    # The levels above were recomputed and kept; level 3 and below were not.
    assert torch.equal(cache._inputs[1], skips[0]) and torch.equal(cache._inputs[2], skips[1])
    assert cache._features[3] is kept3
    assert same(cache._features[2], net.climb(kept3, skips, 3)[1][2])


@torch.no_grad()
def test_forced_refreshes_and_one_feature_per_level_whatever_the_frames(net):
    cache = DepthCache(net, parse_policy("delta-1+depth"))
    xs = frames(12)
    for i, x in enumerate(xs):
        cache(x, FrameInfo(index=i, cut=i == 6))
        assert len(cache._features) == len(cache._inputs) == net.max_cut
        kept = [t for f in cache._features.values() for t in (f if isinstance(f, list) else [f])]
        assert len({t.data_ptr() for t in kept}) == len(kept), "no feature held twice"
    assert cache.stats.depths[0] == cache.stats.depths[6] == net.max_cut + 1
    assert cache.stats.forced[0] and cache.stats.forced[6]
    bad = xs[0].clone()
    bad[0, 0, 0, 0] = float("nan")
    cache(bad, FrameInfo(index=12))
    assert cache.last_refresh
    cache(xs[0], FrameInfo(index=13))
    assert cache.stats.forced[-1], "nothing kept from a NaN frame is reused"


@torch.no_grad()
def test_a_new_size_that_pads_alike_or_a_new_dtype_refreshes(net):
    cache = DepthCache(net, parse_policy("delta-1+depth"))
    small, large = torch.rand(1, 5, 21, 37), torch.rand(1, 5, 24, 40)
    assert pad_to(small, net.alignment).shape == pad_to(large, net.alignment).shape
    cache(small, FrameInfo(index=0))
    assert torch.equal(cache(large, FrameInfo(index=1)), net(large)) and cache.last_refresh
    cache(large.double(), FrameInfo(index=2))
    assert cache.stats.forced == [True, True, True]


@torch.no_grad()
def test_in_half_precision_a_small_change_is_not_read_as_none(net):
    half = net.half()
    cache = DepthCache(half, parse_policy("delta-0+depth"))
    x = torch.rand(1, 5, 64, 128, dtype=torch.float16)
    y = x.clone()
    y[0, 0, 10, 10] += 0.01
    cache(x, FrameInfo(index=0))
    assert torch.equal(cache(y, FrameInfo(index=1)), half(y)) and cache.last_refresh


@pytest.mark.parametrize(
    "spec", ["motion-8+depth", "every-2+depth", "delta-0.1+depth+warp", "delta-0.1+depth+online"]
)
def test_depth_takes_delta_or_lfd_alone(spec):
    with pytest.raises(PolicyError, match=r"\+depth"):
        parse_policy(spec)


def test_a_network_without_level_stages_is_refused():
    with pytest.raises(TypeError, match="every level"):
        DepthCache(torch.nn.Conv2d(5, 3, 3), parse_policy("delta-0.1+depth"))


def test_eval_takes_depth_for_our_unets_and_names_what_it_cannot():
    from common.errors import UserError
    from evaluation.methods import methods_for
    from networks.tasks import TASKS

    names = [m.name for m in methods_for(TASKS["denoise"], ["full", "lfd-0.1+depth"], "unetpp")]
    assert names == ["baseline", "full", "lfd-0.1+depth"]
    with pytest.raises(UserError, match="not ExtraNet"):
        methods_for(TASKS["extrapolate"], ["delta-0.1+depth"], "extranet")
