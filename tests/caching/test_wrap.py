"""caching.wrap on networks it has never seen: third-party U-Nets (MONAI, diffusers) and
ours, staged from their graphs with no adapter code, bit for bit on refresh frames and on
reuse frames from the same input; the routes, the report, the cache points asked for, and
the policies run through a wrap as through the built-in staging (``test_wrap_guards.py``
has what wrap refuses)."""

import functools
import warnings

import pytest
import torch

from caching import wrap
from caching.cache import LayerCache
from caching.policies import FrameInfo
from caching.spec import parse_policy
from tests.caching.wrap_frames import check_frames, image, ours

warnings.filterwarnings("ignore", category=FutureWarning)


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
