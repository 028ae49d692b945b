"""What the tests of ``caching.wrap`` share: example inputs, our U-Nets, and the check
that a wrapped network's refresh and reuse frames are the plain forward bit for bit."""

import torch

from caching.policies import EveryN, FrameInfo
from networks.model import build
from networks.unet import UNetConfig


def image(channels=3, size=(64, 96), seed=0):
    gen = torch.Generator().manual_seed(seed)
    x = torch.rand(1, channels, *size, generator=gen)
    return x.contiguous(memory_format=torch.channels_last)


def ours(arch):
    torch.manual_seed(0)
    return build(UNetConfig(3, widths=(8, 12, 16, 24), arch=arch)).eval()


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
