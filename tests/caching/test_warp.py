"""Motion-compensated reuse (``+warp``): flow composition, feature warping, and the cache
with it: exact where nothing moves, closer to the full network where the camera pans."""

import pytest
import torch

from caching.cache import LayerCache
from caching.policies import EveryN, FrameInfo, parse_policy
from caching.protocol import StagesOnly
from caching.warp import compose_flow, flow_at, warp_features
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
    # Frame t's pixel x was at x + motion = x - 1 in frame t-1 (DESIGN.md's convention).
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
    torch.testing.assert_close(out[0][..., :-2], a[..., 2:], atol=1e-5, rtol=0)
    torch.testing.assert_close(out[1][..., :-1], b[..., 1:], atol=1e-5, rtol=0)
    assert out[0].is_contiguous(memory_format=torch.channels_last)


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


@pytest.mark.parametrize("liftable", [True, False])
@torch.no_grad()
def test_a_reuse_frame_warps_the_core_before_lifting_it(net, liftable):
    """Hand-written reuse frame: ``Xn(concat(lift(warp(core)), X0(x)))`` for a network with
    ``deep_core``/``lift`` (a quarter of the data to warp), ``warp(C)`` for any other."""
    staged = net if liftable else StagesOnly(net)
    cache = LayerCache(staged, parse_policy("every-2+warp"))
    frames = list(panning(2, step=3, size=(32, 40)))
    cache(frames[0][0], FrameInfo(index=0, flow=frames[0][1]))
    x, motion = frames[1]
    out = cache(x, FrameInfo(index=1, flow=motion))
    skips0 = net.top_encoder(frames[0][0])
    skips = net.top_encoder(x)
    if liftable:
        expected_c = net.lift(warp_features(net.deep_core(skips0), motion, (32, 40)))
    else:
        expected_c = warp_features(net.deep(skips0), motion, (32, 40))
    assert torch.equal(out, net.top_decoder(expected_c, skips))
    assert (cache._core is not None) == liftable
