"""caching.wrap on small hand-made networks that test its limits: a forward no graph
captures (the eager route), a global-pool gate that is no level, cache points it must refuse,
an example the model cannot take, and in-place writes into the cached tensors (caught by the
self-check, and by the cache's guard at run time)."""

from unittest import mock

import pytest
import torch
from torch import nn

from caching import wrap
from caching.cache import CachedTensorMutated, LayerCache
from caching.policies import EveryN, FrameInfo
from tests.caching.wrap_frames import check_frames, image, ours


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
