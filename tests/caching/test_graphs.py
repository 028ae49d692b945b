"""``--cuda-graphs``: the cache's refresh and reuse paths replayed as captured CUDA graphs give
the outputs the cache gives without them, bit for bit; refused on the CPU in one line."""

import copy

import pytest
import torch
from torch.utils._pytree import tree_leaves

from caching import graphs
from caching.cache import LayerCache
from caching.policies import Delta, EveryN, FrameInfo
from common.errors import UserError
from evaluation.methods import methods_for
from networks.model import build
from networks.tasks import TASKS
from networks.unet import UNetConfig

WIDTHS = (8, 12, 16, 24)


def test_cuda_graphs_need_a_cuda_device():
    with pytest.raises(UserError, match="--cuda-graphs needs a CUDA device"):
        methods_for(TASKS["denoise"], ["full"], "unet", device="cpu", cuda_graphs=True)


def frames(count, size=(36, 64)):
    gen = torch.Generator().manual_seed(3)
    base = torch.rand(1, 5, *size, generator=gen)
    xs = [base + 0.03 * k * torch.rand(1, 5, *size, generator=gen) for k in range(count)]
    return [x.cuda().contiguous(memory_format=torch.channels_last) for x in xs]


@pytest.mark.cuda
@pytest.mark.parametrize("arch", ["unet", "unetpp"])
@pytest.mark.parametrize("precision", [torch.float32, torch.float16])
def test_graphed_paths_give_the_caches_outputs_bit_for_bit(arch, precision):
    torch.manual_seed(0)
    net = build(UNetConfig(5, widths=WIDTHS, arch=arch)).eval().cuda().to(precision)
    for policy in (EveryN("every-3", 3), Delta("delta-0.05", tau=0.05)):
        plain, graphed = LayerCache(net, policy), LayerCache(net, copy.deepcopy(policy))
        graphed.cuda_graphs = True
        with torch.no_grad():
            for i, x in enumerate(frames(9)):
                a, b = plain(x, FrameInfo(index=i)), graphed(x, FrameInfo(index=i))
                assert plain.last_refresh == graphed.last_refresh
                assert torch.equal(a, b), (policy.spec, i)
        assert graphed._graphs is not None and 0 < graphed.stats.refresh_count < 9


class Replayed:
    """A stand-in for a captured graph on the CPU, with a graph's memory semantics: the
    outputs are fixed tensors each replay writes into, and the function sees its static
    input (what a capture records)."""

    def __init__(self, fn, example):
        self.fn, self.input = fn, example.clone()
        self.output = fn(self.input)

    def __call__(self, x):
        self.input.copy_(x)
        fresh = self.fn(self.input)
        for into, value in zip(tree_leaves(self.output), tree_leaves(fresh), strict=True):
            into.copy_(value)
        return self.output


@pytest.mark.parametrize("arch", ["unet", "unetpp"])
def test_the_graphed_flow_keeps_one_static_feature_set(arch, monkeypatch):
    """The cache's side of graph replay, on the CPU: refreshes write the static features,
    reuse frames read them, a refresh made outside the graphs (a checked frame) is copied
    in, and every output equals the cache's without graphs."""
    monkeypatch.setattr(graphs, "CapturedCall", Replayed)
    monkeypatch.setattr(graphs, "capturable", lambda x: True)
    torch.manual_seed(0)
    net = build(UNetConfig(5, widths=WIDTHS, arch=arch)).eval()
    gen = torch.Generator().manual_seed(3)
    xs = [torch.rand(1, 5, 21, 37, generator=gen) for _ in range(8)]
    plain, graphed = LayerCache(net, EveryN("every-3", 3)), LayerCache(net, EveryN("every-3", 3))
    graphed.cuda_graphs = True
    with torch.no_grad():
        for i, x in enumerate(xs):
            check = i == 4  # refreshed outside the graphs, as +online's checks are
            a = plain(x, FrameInfo(index=i), check=check)
            b = graphed(x, FrameInfo(index=i), check=check)
            assert torch.equal(a, b), i
            if i != 4:
                assert graphed._features is graphed._graphs.features
    assert graphed.stats.refreshes == plain.stats.refreshes
