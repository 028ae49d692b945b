"""Building a network from its config: the architectures there are."""

from __future__ import annotations

from typing import Literal, get_args

from torch import nn

from networks.extranet import WIDTHS as EXTRANET_WIDTHS
from networks.extranet import ExtraNet
from networks.unet import UNet, UNetConfig
from networks.unetpp import UNetPlusPlus

ArchName = Literal["unet", "unetpp", "extranet"]
"""The architectures, for type checks and the command line's choices (tyro lists them)."""

ARCHS: dict[ArchName, type[nn.Module]] = {
    "unet": UNet,
    "unetpp": UNetPlusPlus,
    "extranet": ExtraNet,
}
if tuple(ARCHS) != get_args(ArchName):  # one registry: an architecture in one is in both
    raise AssertionError(f"ARCHS {tuple(ARCHS)} and ArchName {get_args(ArchName)} disagree")

ARCH_TASKS: dict[str, tuple[str, ...]] = {"extranet": ("extrapolate",)}
"""Architectures made for some tasks only (the others serve every task)."""

FIXED_WIDTHS: dict[str, tuple[int, ...]] = {"extranet": EXTRANET_WIDTHS}
"""Architectures whose widths are their paper's, not a training choice."""


def build(config: UNetConfig) -> nn.Module:
    """The network of ``config.arch`` (U-Net, U-Net++ or ExtraNet).

    Raises:
        ValueError: an unknown architecture, or a config it cannot take.
    """
    if config.arch not in ARCHS:
        raise ValueError(f"unknown architecture {config.arch!r}; known: {', '.join(ARCHS)}")
    return ARCHS[config.arch](config)
