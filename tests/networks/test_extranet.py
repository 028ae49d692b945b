"""ExtraNet: its layers as the paper gives them, stages that reproduce the forward bit for
bit, a cache whose reuse frames skip the history encoder, and the task it serves."""

import pytest
import torch

from caching.cache import LayerCache
from caching.policies import EveryN, FrameInfo
from common.errors import UserError
from common.padding import pad_to
from networks.extranet import IN_CHANNELS, WIDTHS, ExtraNet, GatedConv
from networks.model import build
from networks.tasks import TASKS
from networks.unet import UNetConfig
from networks.weights import WeightsError, load_network


def extranet() -> ExtraNet:
    torch.manual_seed(0)
    net = build(UNetConfig(IN_CHANNELS, widths=WIDTHS, arch="extranet")).eval()
    # Batch norm as trained, not the identity it starts as.
    for m in net.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.running_mean.uniform_(-0.1, 0.1)
            m.running_var.uniform_(0.5, 1.5)
    return net


def test_smoke_shapes_and_the_papers_widths():
    net = extranet()
    assert TASKS["extrapolate"].in_channels == IN_CHANNELS
    x = torch.rand(2, IN_CHANNELS, 21, 37)
    with torch.no_grad():
        assert net(x).shape == (2, 3, 21, 37)
    assert [d[1][-3].out_channels for d in net.downs] == [24, 32, 32]
    assert net.history.fuse.out_channels == 32 and net.ups[0].widths == (96, 48, 32)
    gates = [m for m in net.modules() if isinstance(m, GatedConv)]
    # The encoder (2 + 3 x 3) and the history fusion are gated, one gate channel each.
    assert len(gates) == 12 and all(g.gate.out_channels == 1 for g in gates)


def test_a_gated_convolution_is_features_times_a_sigmoid_gate():
    conv = GatedConv(4, 6)
    x = torch.rand(1, 4, 8, 8)
    expected = conv.feature(x) * torch.sigmoid(conv.gate(x))
    assert torch.equal(conv(x), expected)


@pytest.mark.parametrize("size", [(24, 40), (21, 37)])
def test_stages_equal_the_forward_bit_for_bit(size):
    net = extranet()
    x = torch.rand(1, IN_CHANNELS, *size)
    with torch.no_grad():
        skips = net.top_encoder(pad_to(x, net.alignment))
        staged = net.top_decoder(net.deep(skips), skips)[..., : size[0], : size[1]]
        assert torch.equal(net(x), staged)
    assert net.deep(skips).shape[-2:] == tuple(s // 2 for s in skips[0].shape[-2:])


@torch.no_grad()
def test_reuse_frames_are_the_top_level_on_the_cached_feature():
    net = extranet()
    cache = LayerCache(net, EveryN("every-3", 3))
    gen = torch.Generator().manual_seed(1)
    for i in range(6):
        x = torch.rand(1, IN_CHANNELS, 21, 37, generator=gen)
        out = cache(x, FrameInfo(index=i))
        if i % 3 == 0:
            assert torch.equal(out, net(x))
            stored = cache._features
        else:
            x1 = net.top_encoder(pad_to(x, net.alignment))[0]
            by_hand = net.head(net.ups[2](stored, x1))[..., :21, :37]
            assert torch.equal(out, by_hand) and not torch.equal(out, net(x))


@torch.no_grad()
def test_history_and_deep_encoders_run_only_on_refresh_frames():
    net = extranet()
    ran = {"history": 0, "down": 0}
    net.history.register_forward_hook(lambda *_: ran.__setitem__("history", ran["history"] + 1))
    net.downs[0].register_forward_hook(lambda *_: ran.__setitem__("down", ran["down"] + 1))
    cache = LayerCache(net, EveryN("every-3", 3))
    for i in range(6):
        cache(torch.rand(1, IN_CHANNELS, 16, 16), FrameInfo(index=i))
    assert ran == {"history": 2, "down": 2}
    flops = net.stage_flops(360, 640)
    # What a reuse frame runs is under half of the network (the paper counts 54% skipped).
    share = (flops["top_encoder"] + flops["top_decoder"]) / sum(flops.values())
    assert 0.3 < share < 0.55


def test_other_tasks_and_cuts_are_refused():
    with pytest.raises(ValueError, match="19 input channels"):
        build(UNetConfig(11, widths=WIDTHS, arch="extranet"))
    with pytest.raises(ValueError, match="widths"):
        build(UNetConfig(IN_CHANNELS, arch="extranet"))
    with pytest.raises(ValueError, match="cut"):
        extranet().stage_flops(64, 64, 2)
    with pytest.raises(WeightsError, match="extrapolate only"):
        load_network("denoise", "extranet")
    assert issubclass(WeightsError, UserError)


def test_cached_under_inference_mode_as_eval_runs_it():
    """Eval runs networks in inference mode; the deep stage leaves it (for the guard's
    version counters) without turning autograd on: no graph is kept, and a skip made in
    inference mode may go into a convolution there."""
    net = extranet()
    cache = LayerCache(net, EveryN("every-2", 2))
    with torch.inference_mode():
        for i in range(3):
            out = cache(torch.rand(1, IN_CHANNELS, 16, 24), FrameInfo(index=i))
    assert out.shape == (1, 3, 16, 24) and cache._features.grad_fn is None


@torch.no_grad()
def test_the_inference_form_is_the_network_and_caches_exactly():
    """``for_inference``: gated convolutions merged, batch norms folded, the top decoder's
    first convolution split so that its half on the cached feature runs at the refresh.
    Equal to the network up to float rounding, every frame; its own refresh frames equal
    its own forward bit for bit; no batch norm left; a reuse frame costs less."""
    net = extranet()
    fast = net.for_inference()
    assert not any(isinstance(m, torch.nn.BatchNorm2d) for m in fast.modules())
    assert any(isinstance(m, torch.nn.BatchNorm2d) for m in net.modules())  # a copy
    slow_cache, fast_cache = (
        LayerCache(net, EveryN("every-3", 3)),
        LayerCache(fast, EveryN("every-3", 3)),
    )
    gen = torch.Generator().manual_seed(4)
    for i in range(6):
        x = torch.rand(1, IN_CHANNELS, 21, 37, generator=gen) * 2
        a, b = slow_cache(x, FrameInfo(index=i)), fast_cache(x, FrameInfo(index=i))
        torch.testing.assert_close(b, a, rtol=1e-4, atol=1e-5)
        if i % 3 == 0:
            assert torch.equal(b, fast(x))
    slow, quick = net.stage_flops(360, 640), fast.stage_flops(360, 640)
    # The same work, but the addition of the two halves (24 channels at full resolution).
    assert sum(quick.values()) - sum(slow.values()) == 360 * 640 * 24
    assert quick["top_decoder"] < 0.7 * slow["top_decoder"]


@torch.no_grad()
def test_the_inference_form_runs_at_half_precision():
    """What eval's --precision does to it: every tensor of the folded network follows."""
    fast = extranet().for_inference().to(torch.bfloat16)
    x = torch.rand(1, IN_CHANNELS, 16, 24).to(torch.bfloat16)
    out = fast(x)
    assert out.dtype == torch.bfloat16 and torch.isfinite(out.float()).all()
    assert all(
        m.shift.dtype == torch.bfloat16
        for m in fast.modules()
        if getattr(m, "shift", None) is not None
    )
