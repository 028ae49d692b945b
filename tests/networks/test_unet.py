"""U-Net and U-Net++: stages that reproduce the plain forward bit for bit, padding, FLOPs."""

import pytest
import torch

from common.padding import pad_to
from networks.blocks import conv_flops
from networks.model import build
from networks.unet import UNet, UNetConfig
from networks.unetpp import UNetPlusPlus

WIDTHS = (8, 12, 16, 24)


def net(arch: str, upsampling: str = "bilinear", in_channels: int = 5) -> torch.nn.Module:
    torch.manual_seed(0)
    config = UNetConfig(in_channels, widths=WIDTHS, upsampling=upsampling, arch=arch)
    return build(config).eval()


@pytest.mark.parametrize("upsampling", ["bilinear", "nearest", "transpose"])
@pytest.mark.parametrize("size", [(24, 40), (21, 37)])
def test_unet_stages_equal_the_forward_bit_for_bit(upsampling, size):
    n = net("unet", upsampling)
    x = torch.rand(2, 5, *size)
    with torch.no_grad():
        plain = n(x)
        padded = pad_to(x, n.alignment)
        for k in range(1, len(WIDTHS)):
            skips = n.top_encoder(padded, k)
            staged = n.top_decoder(n.deep(skips, k), skips, k)[..., : size[0], : size[1]]
            assert torch.equal(plain, staged), f"cut {k}"
            core = n.deep_core(skips, k)
            lifted = n.top_decoder(n.lift(core, k), skips, k)[..., : size[0], : size[1]]
            assert torch.equal(plain, lifted), f"cut {k}, lifted"
            assert core.shape[-2:] == tuple(s // 2 for s in skips[k - 1].shape[-2:])
    assert plain.shape == (2, 3, *size)


@pytest.mark.parametrize("size", [(24, 40), (19, 33)])
def test_unetpp_stages_equal_the_forward_bit_for_bit(size):
    n = net("unetpp")
    x = torch.rand(1, 5, *size)
    with torch.no_grad():
        plain = n(x)
        skips = n.top_encoder(pad_to(x, n.alignment))
        cached = n.deep(skips)
        staged = n.top_decoder(cached, skips)[..., : size[0], : size[1]]
        core = n.deep_core(skips)
        lifted = n.top_decoder(n.lift(core), skips)[..., : size[0], : size[1]]
    assert torch.equal(plain, staged) and torch.equal(plain, lifted)
    assert all(c.shape[-1] == skips[0].shape[-1] // 2 for c in core)
    assert len(cached) == len(WIDTHS) - 1, "every level-1 node feeds the first level"


def test_channels_last_gives_the_same_result():
    n = net("unet")
    x = torch.rand(1, 5, 32, 48)
    with torch.no_grad():
        a = n(x)
        b = n.to(memory_format=torch.channels_last)(x.contiguous(memory_format=torch.channels_last))
    torch.testing.assert_close(a, b, atol=1e-5, rtol=1e-5)


def test_flops_add_up_and_match_a_hand_count():
    n = net("unet")
    flops = n.stage_flops(16, 16)
    assert set(flops) == {"top_encoder", "deep", "top_decoder"}
    # Top encoder: conv 5->8 and 8->8 at 16x16.
    assert flops["top_encoder"] == conv_flops(16, 16, 5, 8, 3) + conv_flops(16, 16, 8, 8, 3)
    # Top decoder: conv (8+12)->8, 8->8, then the 1x1 head 8->3; no up-sampling at level 0.
    head = conv_flops(16, 16, 8, 3, 1)
    assert flops["top_decoder"] == conv_flops(16, 16, 20, 8, 3) + conv_flops(16, 16, 8, 8, 3) + head
    # Deeper cuts move work from the deep part to the top.
    deeper = n.stage_flops(16, 16, k=2)
    assert deeper["deep"] < flops["deep"]
    assert sum(deeper.values()) == sum(flops.values())
    # Padding to the alignment counts: 15x15 costs what 16x16 costs.
    assert n.stage_flops(15, 15) == flops


def test_unetpp_flops_and_cut():
    n = net("unetpp")
    flops = n.stage_flops(16, 16)
    assert flops["top_decoder"] > flops["top_encoder"] > 0
    deeper = n.stage_flops(16, 16, k=2)
    assert deeper["deep"] < flops["deep"] and deeper["top_encoder"] > flops["top_encoder"]
    assert sum(deeper.values()) == sum(flops.values())
    with pytest.raises(ValueError, match="cut level must be within"):
        n.deep([torch.zeros(1, 8, 16, 16)], k=n.config.levels)


def test_bad_configs():
    with pytest.raises(ValueError, match="unknown architecture"):
        build(UNetConfig(3, arch="resnet"))
    with pytest.raises(ValueError, match="unknown up-sampling"):
        UNet(UNetConfig(3, upsampling="cubic"))
    with pytest.raises(ValueError, match="at least two levels"):
        UNetPlusPlus(UNetConfig(3, widths=(8,)))
    with pytest.raises(ValueError, match="cut level"):
        net("unet").top_encoder(torch.zeros(1, 5, 16, 16), k=4)
