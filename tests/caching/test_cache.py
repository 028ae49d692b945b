"""The layer cache: exact on refresh frames, ReFrame's formula on reuse frames, forced
refreshes, clean disabling, bounded memory."""

import pytest
import torch

from caching.cache import LayerCache
from caching.policies import Delta, EveryN, FrameInfo, Full, Policy
from caching.spec import parse_policy
from common.padding import pad_to
from networks.model import build
from networks.unet import UNetConfig

WIDTHS = (8, 12, 16, 24)


@pytest.fixture(params=["unet", "unetpp"])
def net(request):
    torch.manual_seed(0)
    return build(UNetConfig(5, widths=WIDTHS, arch=request.param)).eval()


def frames(count=6, size=(21, 37)):
    gen = torch.Generator().manual_seed(1)
    base = torch.rand(1, 5, *size, generator=gen)
    return [base + 0.02 * k * torch.rand(1, 5, *size, generator=gen) for k in range(count)]


@torch.no_grad()
def test_every_frame_refreshed_is_the_plain_network_bit_for_bit(net):
    for policy in (EveryN("every-1", 1), Full("full")):
        cache = LayerCache(net, policy)
        for i, x in enumerate(frames()):
            assert torch.equal(cache(x, FrameInfo(index=i)), net(x))
        assert cache.stats.refresh_count == 6


def reuse_by_hand(net, x, cached):
    """ReFrame's reuse frame written out: Xn(concat(C, X0(x)))."""
    h, w = x.shape[-2:]
    padded = pad_to(x, net.alignment)
    if hasattr(net, "encoders"):
        x0 = net.encoders[0](padded)
        out = net.head(net.decoders[0](torch.cat([cached, x0], dim=1)))
    else:  # U-Net++: the first level's nodes on X00 and the cached level-1 features
        row = [net.nodes["0_0"](padded)]
        for j in range(1, len(WIDTHS)):
            row.append(net.nodes[f"0_{j}"](torch.cat([*row, cached[j - 1]], dim=1)))
        out = net.head(row[-1])
    return out[..., :h, :w]


@torch.no_grad()
def test_reuse_frames_follow_reframes_formula(net):
    cache = LayerCache(net, EveryN("every-3", 3))
    xs = frames()
    for i, x in enumerate(xs):
        out = cache(x, FrameInfo(index=i))
        if i % 3 == 0:
            assert cache.last_refresh and torch.equal(out, net(x))
            stored = cache._features
        else:
            assert not cache.last_refresh
            assert torch.equal(out, reuse_by_hand(net, x, stored))
            assert not torch.equal(out, net(x))


class Never(Policy):
    def wants_refresh(self, x, cached_input, info):
        return False


@torch.no_grad()
def test_forced_refreshes_never_raise(net):
    cache = LayerCache(net, Never("never"))
    x = frames(1)[0]
    cache(x)  # the first frame always refreshes
    cache(x)
    assert cache.stats.refreshes == [True, False]
    bigger = torch.rand(1, 5, 30, 40)
    assert cache(bigger).shape == (1, 3, 30, 40) and cache.last_refresh  # new resolution
    assert not (cache(bigger), cache.last_refresh)[1]
    cache(bigger, FrameInfo(cut=True))
    assert cache.last_refresh  # camera cut
    broken = bigger.clone()
    broken[0, 0, 3, 3] = float("nan")
    cache(broken)
    assert cache.last_refresh  # non-finite input
    cache(bigger)
    net.to(torch.bfloat16)  # the network switched precision mid-run
    try:
        cache(bigger.to(torch.bfloat16))
        assert cache.last_refresh  # new dtype: stale features are never mixed in
    finally:
        net.to(torch.float32)
    # The frame after the broken one is forced too: nothing built on a NaN is kept.
    assert cache.stats.forced == [True, False, True, False, True, True, True, True]


@torch.no_grad()
@pytest.mark.parametrize("spec", ["delta-0.1", "lfd-0.1", "motion-5", "every-3", "delta-0.1+warp"])
def test_one_broken_frame_does_not_poison_the_frames_after_it(net, spec):
    cache = LayerCache(net, parse_policy(spec))
    xs = frames(6)
    xs[1] = xs[1].clone()
    xs[1][0, 0, 3, 3] = float("nan")
    flow = torch.full((1, 2, 21, 37), 0.3)
    outs = [cache(x, FrameInfo(index=i, motion=1.0, flow=flow)) for i, x in enumerate(xs)]
    assert [bool(torch.isfinite(y).all()) for y in outs] == [True, False, True, True, True, True]
    assert cache.stats.forced[:3] == [True, True, True]
    assert torch.equal(outs[2], net(xs[2])), "the frame after it is the network's own"
    assert not all(cache.stats.refreshes[3:]), "and reuse resumes"


@torch.no_grad()
@pytest.mark.parametrize("spec", ["delta-0.001", "lfd-0.001"])
def test_a_refresh_the_policy_chose_is_not_counted_as_forced(net, spec):
    cache = LayerCache(net, parse_policy(spec))
    for i, x in enumerate(frames(4)):
        cache(x, FrameInfo(index=i))
    assert cache.stats.refreshes == [True] * 4, "every frame differs by far more than tau"
    assert cache.stats.forced == [True, False, False, False]


@torch.no_grad()
def test_a_half_precision_input_whose_sum_overflows_half_is_reused(net):
    net.to(torch.float16)
    try:
        cache = LayerCache(net, Never("never"))
        x = torch.full((1, 5, 64, 64), 4.0, dtype=torch.float16)  # sums to 81920 > 65504
        cache(x)
        cache(x)
    finally:
        net.to(torch.float32)
    assert cache.stats.forced == [True, False] and cache.stats.refreshes == [True, False]


@torch.no_grad()
def test_disabled_cache_is_the_plain_network(net):
    cache = LayerCache(net, Never("never"))
    xs = frames()
    cache(xs[0])
    cache.enabled = False
    for x in xs[1:]:
        assert torch.equal(cache(x), net(x))
    assert cache.stats.frames == 1, "a disabled cache neither decides nor counts"


def held_tensors(obj, seen=None) -> dict[int, torch.Tensor]:
    """Every tensor reachable from ``obj``'s attributes, containers included (the network's
    own parameters and buffers aside)."""
    seen = {} if seen is None else seen
    if isinstance(obj, torch.Tensor):
        seen.setdefault(id(obj), obj)
    elif isinstance(obj, (list, tuple, set)):
        for item in obj:
            held_tensors(item, seen)
    elif isinstance(obj, dict):
        for item in obj.values():
            held_tensors(item, seen)
    elif hasattr(obj, "__dict__") and not isinstance(obj, torch.nn.Module):
        for item in vars(obj).values():
            held_tensors(item, seen)
    return seen


@torch.no_grad()
@pytest.mark.parametrize("spec", ["every-2", "delta-0.02", "lfd-0.02", "every-2+warp"])
def test_one_set_of_cached_tensors_whatever_the_frame_count(net, spec):
    def held_after(count: int) -> dict[int, torch.Tensor]:
        cache = LayerCache(net, parse_policy(spec))
        flow = torch.full((1, 2, 21, 37), 0.7)
        for i, x in enumerate(frames(count)):
            cache(x, FrameInfo(index=i, flow=flow))
        # The cache, its policy and its statistics, not the network's weights.
        return held_tensors({k: v for k, v in vars(cache).items() if k != "_modules"})

    few, many = held_after(6), held_after(18)
    assert len(many) == len(few), "nothing kept per frame"
    assert sum(t.numel() for t in many.values()) == sum(t.numel() for t in few.values())


@torch.no_grad()
def test_statistics_count_skips_and_flops(net):
    cache = LayerCache(net, EveryN("every-2", 2))
    for i, x in enumerate(frames(6)):
        cache(x, FrameInfo(index=i))
    flops = net.stage_flops(21, 37)
    deep_share = flops["deep"] / sum(flops.values())
    assert cache.stats.frames_skipped == 3
    assert cache.stats.flops_removed == pytest.approx(deep_share / 2)
    assert len(cache.stats.decision_ms) == 6


@pytest.mark.parametrize("arch", ["unet", "unetpp"])
@torch.no_grad()
def test_deeper_cut(arch):
    torch.manual_seed(0)
    unet = build(UNetConfig(5, widths=WIDTHS, arch=arch)).eval()
    cache = LayerCache(unet, EveryN("every-2", 2), cut=2)
    xs = frames(4)
    outs = [cache(x, FrameInfo(index=i)) for i, x in enumerate(xs)]
    assert torch.equal(outs[0], unet(xs[0])) and torch.equal(outs[2], unet(xs[2]))
    shallow = LayerCache(unet, EveryN("every-2", 2), cut=1)
    outs_1 = [shallow(x, FrameInfo(index=i)) for i, x in enumerate(xs)]
    # Recomputing two levels keeps reuse frames closer to the full network.
    err_2 = (outs[1] - unet(xs[1])).abs().mean()
    err_1 = (outs_1[1] - unet(xs[1])).abs().mean()
    assert err_2 < err_1


def test_a_network_without_stages_is_refused():
    with pytest.raises(TypeError, match="does not expose"):
        LayerCache(torch.nn.Conv2d(3, 3, 3), Delta("delta-0.1", 0.1))


@pytest.mark.parametrize(("arch", "cut"), [("unet", 0), ("unet", 4), ("unetpp", 0), ("unetpp", 4)])
def test_impossible_cuts_are_refused(arch, cut):
    net = build(UNetConfig(5, widths=WIDTHS, arch=arch))
    with pytest.raises(ValueError, match="cut"):
        LayerCache(net, Delta("delta-0.1", 0.1), cut=cut)


def test_no_autograd_graph_is_kept_under_inference_mode(net):
    cache = LayerCache(net, EveryN("every-2", 2))
    with torch.inference_mode():
        for i, x in enumerate(frames(3)):
            cache(x, FrameInfo(index=i))
    features = cache._features if isinstance(cache._features, list) else [cache._features]
    assert all(f.grad_fn is None and not f.is_inference() for f in features)
