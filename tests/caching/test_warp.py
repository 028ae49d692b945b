"""Motion-compensated reuse (``+warp``): flow composition, the nearest-pixel warp (against
``grid_sample``'s), and the cache with it: exact where nothing moves, closer to the full
network where the camera pans, and deciding on what reuse will show."""

import pytest
import torch

from caching.cache import LayerCache
from caching.measures import smape
from caching.policies import EveryN, FrameInfo
from caching.spec import parse_policy
from caching.warp import compose_flow, flow_at, source_index, warp_features, warp_nearest
from common.padding import pad_to
from common.warping import backward_warp
from networks.model import build
from networks.unet import UNetConfig

WIDTHS = (8, 12, 16, 24)


def constant_flow(dx: float, dy: float, size=(12, 20)) -> torch.Tensor:
    return torch.tensor([dx, dy]).view(1, 2, 1, 1).expand(1, 2, *size).clone()


def test_constant_motions_compose_by_adding():
    first = compose_flow(None, constant_flow(1.5, -0.5))
    both = compose_flow(first, constant_flow(0.25, 1.0))
    torch.testing.assert_close(both, constant_flow(1.75, 0.5))


def test_composition_follows_each_pixel_back():
    # Frame t's pixel x was at x + motion = x - 1 in frame t-1 (docs/DESIGN.md's convention).
    motion = constant_flow(-1.0, 0.0)
    # Frame t-1's flow to the refresh frame varies along x: flow[x] = x / 10.
    ramp = torch.arange(20.0).view(1, 20).expand(12, 20) / 10
    flow = torch.stack([ramp, torch.zeros(12, 20)]).unsqueeze(0)
    out = compose_flow(flow, motion)
    # So its flow is -1 plus frame t-1's flow at x - 1 (inside the image).
    torch.testing.assert_close(out[0, 0, :, 1:], -1.0 + (ramp[:, 1:] - 0.1), atol=1e-5, rtol=0)
    assert compose_flow(None, motion) is not motion


def test_flow_at_a_feature_grid_is_padded_pooled_and_scaled():
    flow = constant_flow(4.0, -2.0, size=(10, 14))
    half = flow_at(flow, (16, 16), (8, 8))
    assert half.shape == (1, 2, 8, 8)
    torch.testing.assert_close(half, constant_flow(2.0, -1.0, size=(8, 8)))
    assert flow_at(flow, (16, 16), (16, 16)).shape == (1, 2, 16, 16)
    with pytest.raises(ValueError, match="power-of-two"):
        flow_at(flow, (16, 16), (6, 6))


def test_warp_features_shifts_every_tensor_of_the_pytree():
    gen = torch.Generator().manual_seed(0)
    a = torch.rand(1, 3, 16, 16, generator=gen).contiguous(memory_format=torch.channels_last)
    b = torch.rand(1, 5, 8, 8, generator=gen)
    flow = constant_flow(2.0, 0.0, size=(16, 16))  # each pixel was 2 px to the right
    out = warp_features([a, b], flow, (16, 16))
    assert isinstance(out, list) and len(out) == 2
    assert torch.equal(out[0][..., :-2], a[..., 2:]) and torch.equal(out[1][..., :-1], b[..., 1:])
    assert out[0].is_contiguous(memory_format=torch.channels_last)


@pytest.mark.parametrize("channels_last", [True, False])
@pytest.mark.parametrize("channels", [1, 5])
def test_the_nearest_warp_equals_grid_samples_nearest(channels_last, channels):
    gen = torch.Generator().manual_seed(1)
    t = torch.rand(2, channels, 13, 21, generator=gen)
    if channels_last:
        t = t.contiguous(memory_format=torch.channels_last)
    # Random flows reaching past every border; away from half pixels, where the two may
    # round a tie differently.
    flow = (torch.rand(2, 2, 13, 21, generator=gen) - 0.5) * 30
    flow = torch.where((flow.frac().abs() - 0.5).abs() < 0.01, flow + 0.1, flow)
    out = warp_nearest(t, flow)
    assert torch.equal(out, backward_warp(t, flow, mode="nearest"))
    # (one channel is both layouts at once)
    layout = torch.channels_last if channels_last else torch.contiguous_format
    assert out.is_contiguous(memory_format=layout)


def test_a_flow_under_half_a_pixel_leaves_the_tensor_as_it_is():
    t = torch.rand(1, 3, 8, 8)
    small = torch.full((1, 2, 8, 8), 0.4)
    assert source_index(small) is None and warp_nearest(t, small) is t
    small[0, 1, 3, 3] = 0.6
    assert not torch.equal(warp_nearest(t, small), t)


def test_the_warp_checks_the_flow_fits():
    with pytest.raises(ValueError, match="do not match"):
        warp_nearest(torch.rand(1, 3, 8, 8), torch.zeros(1, 2, 8, 9))


@pytest.fixture(params=["unet", "unetpp"])
def net(request):
    torch.manual_seed(0)
    return build(UNetConfig(3, widths=WIDTHS, arch=request.param)).eval()


def panning(count: int, step: int = 8, size=(96, 160)):
    """A texture panned ``step`` px left per frame (a multiple of the network's alignment,
    so its deep features pan exactly too), with its motion vectors: what frame k shows at x
    frame k-1 showed at x + step."""
    gen = torch.Generator().manual_seed(3)
    world = torch.rand(1, 3, size[0], size[1] + step * count, generator=gen)
    motion = constant_flow(float(step), 0.0, size=size)
    for k in range(count):
        yield world[..., step * k : step * k + size[1]], motion


@torch.no_grad()
def test_warped_reuse_is_closer_to_the_full_network_when_the_camera_pans(net):
    plain = LayerCache(net, EveryN("every-4", 4))
    warped = LayerCache(net, parse_policy("every-4+warp"))
    errors = {"plain": 0.0, "warp": 0.0}
    for i, (x, motion) in enumerate(panning(4)):
        info = FrameInfo(index=i, flow=motion)
        full = net(x)
        a, b = plain(x, info), warped(x, info)
        if i == 0:
            assert torch.equal(b, full) and torch.equal(a, full)
            continue
        # Away from the borders, whose zero padding no warp moves, and from the texture
        # panned in since the refresh.
        inner = (..., slice(32, -32), slice(32, -8 * i - 32))
        errors["plain"] += float((a - full)[inner].abs().mean())
        errors["warp"] += float((b - full)[inner].abs().mean())
    assert errors["warp"] < 0.2 * errors["plain"], errors


@torch.no_grad()
def test_a_still_camera_reuses_exactly_as_without_warp(net):
    plain = LayerCache(net, EveryN("every-3", 3))
    warped = LayerCache(net, parse_policy("every-3+warp"))
    gen = torch.Generator().manual_seed(4)
    still = torch.zeros(1, 2, 19, 27)
    for i in range(5):
        x = torch.rand(1, 3, 19, 27, generator=gen)
        info = FrameInfo(index=i, flow=still)
        assert torch.equal(plain(x, info), warped(x, info))


@torch.no_grad()
def test_the_flow_is_one_tensor_and_starts_again_at_each_refresh(net):
    cache = LayerCache(net, parse_policy("every-3+warp"))
    for i, (x, motion) in enumerate(panning(7, step=1, size=(16, 24))):
        cache(x, FrameInfo(index=i, flow=motion))
        if cache.last_refresh:
            assert cache._flow is None
        else:
            # Frames since the refresh, one pixel each.
            torch.testing.assert_close(cache._flow, constant_flow(float(i % 3), 0.0, (16, 24)))
    cache.reset()
    assert cache._flow is None


@torch.no_grad()
def test_without_motion_vectors_warp_reuses_plainly(net):
    plain = LayerCache(net, EveryN("every-2", 2))
    warped = LayerCache(net, parse_policy("every-2+warp"))
    for i, (x, _) in enumerate(panning(3)):
        assert torch.equal(plain(x, FrameInfo(index=i)), warped(x, FrameInfo(index=i)))


@torch.no_grad()
def test_a_reuse_frame_decodes_the_refresh_features_warped_by_the_composed_flow(net):
    """Hand-written reuse frame: ``Xn(concat(warp(C), X0(x)))``, the warp by the flow
    composed since the refresh, padded like the input, taken from ``grid_sample``."""
    cache = LayerCache(net, parse_policy("every-3+warp"))
    frames = list(panning(3, step=3, size=(30, 37)))  # padded to 32x40
    for i, (x, motion) in enumerate(frames):
        out = cache(x, FrameInfo(index=i, flow=motion))
    skips0 = net.top_encoder(pad_to(frames[0][0], net.alignment))
    composed = constant_flow(6.0, 0.0, size=(30, 37))
    padded = torch.nn.functional.pad(composed, (0, 3, 0, 2), mode="replicate")
    c = net.deep(skips0)
    c = (
        [backward_warp(f, padded, "nearest") for f in c]
        if isinstance(c, list)
        else (backward_warp(c, padded, "nearest"))
    )
    expected = net.top_decoder(c, net.top_encoder(pad_to(x, net.alignment)))[..., :30, :37]
    assert torch.equal(out, expected)


@torch.no_grad()
def test_warp_decides_on_the_input_moved_like_the_features(net):
    """A pan: plain ``delta`` sees a different image every frame and refreshes each time;
    ``delta+warp`` measures the cached input warped into the frame, which differs only in
    the strip panned in, and reuses."""
    plain = LayerCache(net, parse_policy("delta-0.2"))
    warped = LayerCache(net, parse_policy("delta-0.2+warp"))
    measured = []
    policy = warped.policy
    original = policy.wants_refresh

    def spy(x, cached_input, info):
        measured.append((x.clone(), cached_input.clone(), info.warped))
        return original(x, cached_input, info)

    policy.wants_refresh = spy
    frames = list(panning(4))
    for i, (x, motion) in enumerate(frames):
        plain(x, FrameInfo(index=i, flow=motion))
        warped(x, FrameInfo(index=i, flow=motion))
    assert plain.stats.refreshes == [True] * 4
    assert warped.stats.refreshes == [True, False, False, False]
    # What it compared: this frame against the refresh frame's input warped by the flow
    # since then (grid_sample as the oracle), and it says so to the policy.
    for k, (x, against, moved) in enumerate(measured, start=1):
        expected = backward_warp(frames[0][0], constant_flow(8.0 * k, 0.0, (96, 160)), "nearest")
        assert moved and torch.equal(against, expected) and torch.equal(x, frames[k][0])
        assert smape(x, against) < 0.2 < smape(x, frames[0][0])


@torch.no_grad()
def test_policies_that_do_not_read_the_input_get_it_unwarped(net):
    """every-N and motion decide without the input: ``+warp`` spares them its warp."""
    cache = LayerCache(net, parse_policy("every-4+warp"))
    given = []
    original = cache.policy.wants_refresh

    def spy(x, cached_input, info):
        given.append((cached_input is cache._input, info.warped))
        return original(x, cached_input, info)

    cache.policy.wants_refresh = spy
    for i, (x, motion) in enumerate(panning(3)):
        cache(x, FrameInfo(index=i, flow=motion))
    assert given == [(True, False)] * 2 and cache._flow is not None
