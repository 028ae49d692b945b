"""Building a network from its config."""

from __future__ import annotations

from torch import nn

from networks.unet import UNet, UNetConfig
from networks.unetpp import UNetPlusPlus

ARCHS = ("unet", "unetpp")


def build(config: UNetConfig) -> nn.Module:
    """A U-Net or U-Net++ (by ``config.arch``), in channels-last memory format."""
    if config.arch == "unet":
        net = UNet(config)
    elif config.arch == "unetpp":
        net = UNetPlusPlus(config)
    else:
        raise ValueError(f"unknown architecture {config.arch!r}; known: {', '.join(ARCHS)}")
    return net
