"""benchmarks.reliance: the output with stale deep features is what a layer cache shows on
a reuse frame that many frames after its refresh."""

from types import SimpleNamespace

import torch

from benchmarks.reliance import StaleDecoder
from caching.cache import LayerCache
from caching.policies import EveryN, FrameInfo
from networks.model import build
from networks.tasks import TASKS
from networks.unet import UNetConfig


@torch.no_grad()
def test_stale_outputs_are_the_caches_reuse_frames():
    torch.manual_seed(0)
    net = build(UNetConfig(5, widths=(8, 12, 16))).eval()
    stale = StaleDecoder(TASKS["denoise"], net, (1, 4))
    cache = LayerCache(net, EveryN("every-5", 5))  # refreshes frames 0 and 5
    gen = torch.Generator().manual_seed(1)
    frame = SimpleNamespace(cut=False)
    for i in range(6):
        x = torch.rand(1, 5, 21, 37, generator=gen)
        full = stale.run_network(x, frame, [])
        reused = cache(x, FrameInfo(index=i))
        assert torch.equal(full, net(x))
        if i == 1:
            assert torch.equal(stale.stale[1], reused)
        if i == 4:
            assert torch.equal(stale.stale[4], reused) and not torch.equal(reused, full)
    # Features from before a cut are not used.
    stale.run_network(x, SimpleNamespace(cut=True), [])
    assert stale.stale == {}
