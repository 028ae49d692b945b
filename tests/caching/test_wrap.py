"""caching.wrap on networks it has never seen: third-party U-Nets (MONAI, diffusers) and
ours, staged from their graphs with no adapter code, bit for bit on refresh frames and on
reuse frames from the same input; the routes, the report, bad input, the mutation guard."""

import functools
import warnings
from unittest import mock

import pytest
import torch
from torch import nn

from caching import wrap
from caching.cache import CachedTensorMutated, LayerCache
from caching.policies import EveryN, FrameInfo, parse_policy
from networks.model import build
from networks.unet import UNetConfig

warnings.filterwarnings("ignore", category=FutureWarning)


def image(channels=3, size=(64, 96), seed=0):
    gen = torch.Generator().manual_seed(seed)
    x = torch.rand(1, channels, *size, generator=gen)
    return x.contiguous(memory_format=torch.channels_last)


def ours(arch):
    torch.manual_seed(0)
    return build(UNetConfig(3, widths=(8, 12, 16, 24), arch=arch)).eval()


def monai_basic():
    monai = pytest.importorskip("monai.networks.nets")
    torch.manual_seed(0)
    return monai.BasicUNet(spatial_dims=2, in_channels=3, out_channels=3,
                           features=(8, 8, 16, 16, 24, 8))  # fmt: skip


def monai_unet():
    monai = pytest.importorskip("monai.networks.nets")
    torch.manual_seed(0)
    return monai.UNet(spatial_dims=2, in_channels=3, out_channels=3, channels=(8, 16, 24, 32),
                      strides=(2, 2, 2))  # fmt: skip


def diffusers_unet():
    diffusers = pytest.importorskip("diffusers")
    torch.manual_seed(0)
    # The default block layout (DownBlock2D, then three AttnDownBlock2D, and back up),
    # narrower than the default widths so that the test stays small; random weights.
    return diffusers.UNet2DModel(in_channels=3, out_channels=3, block_out_channels=(8, 16, 16, 16),
                                 norm_num_groups=4, layers_per_block=1)  # fmt: skip


MAKERS = {
    "unet": lambda: ours("unet"),
    "unetpp": lambda: ours("unetpp"),
    "monai-unet": monai_unet,
    "monai-basicunet": monai_basic,
}


@functools.cache
def wrapped(name, **kwargs):
    """One wrap per model and options for the whole module (a capture takes seconds)."""
    model = MAKERS[name]()
    return model, wrap(model, image(), **kwargs)


def check_frames(cache, model, x, constants=None):
    """The cache's refresh frame and its reuse frame of the same input against the plain
    forward, and a reuse frame of another input against the staging written out."""
    with torch.no_grad():
        plain = model(x, **(constants or {}))
        plain = plain if isinstance(plain, torch.Tensor) else plain[0]
        cache.reset()
        cache.policy = EveryN("every-2", 2)
        assert torch.equal(cache(x, FrameInfo(index=0)), plain)
        assert cache.last_refresh
        assert torch.equal(cache(x, FrameInfo(index=1)), plain)
        assert not cache.last_refresh


@pytest.mark.parametrize(
    ("name", "route"),
    [("unet", "export"), ("unetpp", "export"), ("monai-unet", "fx"), ("monai-basicunet", "export")],
)
def test_third_party_and_our_unets_split_exactly(name, route):
    model, cache = wrapped(name)
    x = image()
    assert cache.report.route == route
    check_frames(cache, model, x)
    other = image(size=(80, 128), seed=3)
    check_frames(cache, model, other)
    assert 0.0 < cache.report.reuse_share < 0.7
    assert "bit for bit" in cache.report.checks[0]


def test_monai_basicunet_is_not_taken_from_fx():
    """fx loses BasicUNet's skip concatenations (a type check on a Proxy), or fails on
    them: the route chosen must be one whose graph reproduces eager."""
    _, cache = wrapped("monai-basicunet")
    assert cache.report.route != "fx"
    assert cache.report.notes and cache.report.notes[0].startswith("fx")


def test_diffusers_unet_with_a_fixed_timestep():
    model = diffusers_unet()
    x = image(size=(32, 32))
    cache = wrap(model, x, constants={"timestep": 10})
    check_frames(cache, lambda t: model(t, 10).sample, x)
    report = cache.report
    assert any("timestep=10" in h for h in report.hazards)
    assert any("do not depend on the input" in h for h in report.hazards)


@pytest.mark.parametrize("arch", ["unet", "unetpp"])
def test_our_unets_cache_what_the_builtin_staging_caches(arch):
    net, cache = wrapped(arch)
    x = image()
    with torch.no_grad():
        builtin = net.deep(net.top_encoder(x))
        builtin = builtin if isinstance(builtin, list) else [builtin]
        staged = cache.net.deep(cache.net.top_encoder(x))
    assert len(staged) == len(builtin)
    for a, b in zip(staged, builtin, strict=True):
        assert torch.equal(a, b)
    _, named = wrapped(arch, deep_from="encoders.1" if arch == "unet" else "nodes.1_0")
    assert [c.shape for c in named.report.cached] == [c.shape for c in cache.report.cached]


def test_cache_at_names_the_feature_and_reports_the_upsampling_hazard():
    _, cache = wrapped("unet", cache_at="ups.0")
    assert [c.module for c in cache.report.cached] == ["ups.0"]
    assert any("up-sampling" in h for h in cache.report.hazards)
    _, inner = wrapped("unet", cache_at="decoders.1")
    assert not any("up-sampling" in h for h in inner.report.hazards)
    assert inner.report.cached_bytes * 4 == cache.report.cached_bytes


class Branchy(nn.Module):
    """A U-Net whose forward branches on a value: neither fx nor export can capture it."""

    def __init__(self):
        super().__init__()
        self.enc = nn.Conv2d(3, 8, 3, padding=1)
        self.down = nn.Conv2d(8, 8, 3, stride=2, padding=1)
        self.mid = nn.Conv2d(8, 8, 3, padding=1)
        self.up = nn.Upsample(scale_factor=2.0)
        self.dec = nn.Conv2d(16, 3, 3, padding=1)

    def forward(self, x):
        if float(x.abs().amax()) > 1e6:  # data-dependent: no graph holds both branches
            x = x / 1e6
        e = torch.relu(self.enc(x))
        c = self.up(torch.relu(self.mid(torch.relu(self.down(e)))))
        return self.dec(torch.cat([c, e], 1))


def test_eager_route_swaps_modules_and_runs_no_deep_module_on_reuse():
    torch.manual_seed(0)
    model = Branchy().eval()
    x = image(size=(32, 32))
    cache = wrap(model, x, cache_at="up")
    assert cache.report.route == "eager"
    assert len(cache.report.notes) == 2
    check_frames(cache, model, x)
    ran = []
    real = nn.Conv2d._conv_forward

    def counted(self, *args):
        ran.append(self)
        return real(self, *args)

    with torch.no_grad(), mock.patch.object(nn.Conv2d, "_conv_forward", counted):
        cache(x, FrameInfo(index=3))  # every-2: a reuse frame
    assert not cache.last_refresh
    assert model.down not in ran and model.mid not in ran
    assert ran == [model.enc, model.dec]
    with pytest.raises(ValueError, match="eager route needs one cache_at"):
        wrap(model, x)


class Twice(nn.Module):
    def __init__(self):
        super().__init__()
        self.enc = nn.Conv2d(3, 4, 3, padding=1)
        self.down = nn.Conv2d(4, 4, 3, stride=2, padding=1)
        self.up = nn.Upsample(scale_factor=2.0)
        self.pair = PairOut()
        self.dec = nn.Conv2d(8, 3, 1)

    def forward(self, x):
        e = self.enc(x)
        a, _ = self.pair(self.down(e))
        return self.dec(torch.cat([self.up(self.up(a)[..., ::2, ::2]), e], 1))


class PairOut(nn.Module):
    def forward(self, t):
        return t, t


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"cache_at": "decoder.9"}, "is no module"),
        ({"cache_at": "up"}, "called 2 times"),
        ({"cache_at": "pair"}, "returns a tuple"),
        ({"cache_at": "up", "deep_from": "down"}, "not both"),
        ({"alignment": 0}, "alignment"),
    ],
)
def test_bad_cache_points_are_one_clear_value_error(kwargs, match):
    with pytest.raises(ValueError, match=match):
        wrap(Twice().eval(), image(size=(32, 32)), **kwargs)


def test_an_example_the_model_cannot_take():
    with pytest.raises(ValueError, match="cannot take the example"):
        wrap(ours("unet"), image(channels=5))
    with pytest.raises(TypeError, match="one \\(B, C, H, W\\) tensor"):
        wrap(ours("unet"), [image()])
    with pytest.raises(ValueError, match="\\(B, C, H, W\\)"):
        wrap(ours("unet"), image()[0])


class Staged:
    """A hand-staged network whose top decoder adds the skip into the cached tensor."""

    alignment = 2

    def __init__(self, in_place):
        self.in_place = in_place

    def top_encoder(self, x, k=1):
        return [x]

    def deep(self, skips, k=1):
        return skips[0] * 2.0

    def top_decoder(self, c, skips, k=1):
        if self.in_place:
            c += skips[0]
            return c
        return c + skips[0]

    def __call__(self, x):
        return self.top_decoder(self.deep([x]), [x])


@pytest.mark.parametrize("mode", [torch.no_grad, torch.inference_mode])
def test_a_top_decoder_writing_into_the_cache_raises_instead_of_drifting(mode):
    x = torch.rand(1, 3, 4, 4)
    with mode():
        clean = LayerCache(Staged(False), EveryN("every-4", 4))
        for i in range(3):
            clean(x, FrameInfo(index=i))
        dirty = LayerCache(Staged(True), EveryN("every-4", 4))
        with pytest.raises(CachedTensorMutated, match="in place"):
            dirty(x, FrameInfo(index=0))
        # The cache was dropped: the next frame refreshes instead of showing the write.
        with pytest.raises(CachedTensorMutated):
            dirty(x, FrameInfo(index=1))
        assert dirty.stats.refreshes == []


@pytest.mark.parametrize("spec", ["every-2+warp", "delta-0.02", "lfd-0.1+warp"])
def test_policies_and_warp_run_unchanged_on_a_wrapped_network(spec):
    """The same frames through our U-Net's built-in staging and through its wrap: the same
    decisions and bit-identical outputs, +warp included."""
    net, _ = wrapped("unet")
    _, cache = wrapped("unet")
    builtin = LayerCache(net, parse_policy(spec))
    cache.reset()
    cache.policy = parse_policy(spec)
    gen = torch.Generator().manual_seed(5)
    base = image()
    with torch.no_grad():
        for i in range(6):
            x = (base + 0.01 * i * torch.rand(base.shape, generator=gen)).contiguous(
                memory_format=torch.channels_last
            )
            flow = torch.full((1, 2, *x.shape[-2:]), 0.7 * i)
            info = FrameInfo(index=i, flow=flow)
            assert torch.equal(cache(x, info), builtin(x, info)), (spec, i)
            assert cache.last_refresh == builtin.last_refresh
    assert builtin.stats.refreshes == cache.stats.refreshes
    assert 0 < cache.stats.refresh_count < 6


class Gated(nn.Module):
    """A U-Net with a squeeze-and-excitation gate at the top: a global pool's 1x1 output is
    no level of it (neither for the alignment nor for the cut)."""

    def __init__(self, in_place=False):
        super().__init__()
        self.enc = nn.Conv2d(3, 8, 3, padding=1)
        self.se = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Conv2d(8, 8, 1), nn.Sigmoid())
        self.down = nn.MaxPool2d(2)
        self.mid = nn.Conv2d(8, 8, 3, padding=1)
        self.up = nn.Upsample(scale_factor=2.0)
        self.act = nn.ReLU(inplace=in_place)
        self.dec = nn.Conv2d(16, 3, 3, padding=1)

    def forward(self, x):
        e = self.enc(x)
        e = e * self.se(e)
        c = self.act(self.up(self.mid(self.down(e))))
        return self.dec(torch.cat([c, e], 1))


def test_a_global_pool_is_no_level():
    torch.manual_seed(0)
    cache = wrap(Gated().eval(), image(size=(32, 48)))
    assert cache.report.alignment == 2
    assert [c.shape[-2:] for c in cache.report.cached] == [(32, 48)]
    check_frames(cache, cache.net.model, image(size=(32, 48)))


def test_an_in_place_write_into_the_cached_tensor_fails_the_self_check():
    torch.manual_seed(0)
    with pytest.raises(ValueError, match="writes in place into a cached tensor"):
        wrap(Gated(in_place=True).eval(), image(size=(32, 48)), cache_at="up")


class Chained(nn.Module):
    def __init__(self):
        super().__init__()
        self.enc = nn.Conv2d(3, 4, 3, padding=1)
        self.down = nn.MaxPool2d(2)
        self.mid = nn.Conv2d(4, 4, 3, padding=1)
        self.up = nn.Upsample(scale_factor=2.0)
        self.side = nn.Upsample(scale_factor=2.0, mode="bilinear")
        self.dec = nn.Conv2d(8, 3, 1)

    def forward(self, x):
        e = self.enc(x)
        d = self.mid(self.down(e)) * 2.0
        return self.dec(torch.cat([self.up(d), e], 1)) + self.side(d)[:, :3]


def test_cache_points_that_feed_each_other_are_refused():
    """With mid and up cached, the product between them would run on both paths."""
    with pytest.raises(ValueError, match="depends on another"):
        wrap(Chained().eval(), image(size=(32, 48)), cache_at=["mid", "up"])


class FixedSize(nn.Module):
    """Takes the example's size only (a learned positional table)."""

    def __init__(self):
        super().__init__()
        self.enc = nn.Conv2d(3, 4, 3, padding=1)
        self.down = nn.MaxPool2d(2)
        self.position = nn.Parameter(torch.zeros(1, 4, 16, 16))
        self.up = nn.Upsample(scale_factor=2.0)
        self.dec = nn.Conv2d(8, 3, 1)

    def forward(self, x):
        e = self.enc(x)
        return self.dec(torch.cat([self.up(self.down(e) + self.position), e], 1))


def test_a_model_failing_at_the_second_size_is_a_value_error():
    with pytest.raises(ValueError, match=r"self-check at .*: the model fails there"):
        wrap(FixedSize().eval(), image(size=(32, 32)), cache_at="up")
