"""The cache at each inference precision and on each device: a refresh frame is the plain
network at that precision bit for bit, decisions read the float32 input, and a decision
costs at most one device-to-host transfer where it must."""

import pytest
import torch

from caching.cache import LayerCache
from caching.measures import HOST_READS, motion_length
from caching.policies import Delta, EveryN, FrameInfo, LowFrequency, Motion
from common.device import DTYPES
from networks.model import build
from networks.unet import UNetConfig

WIDTHS = (8, 12, 16, 24)


def frames(count=6, size=(21, 37), device="cpu"):
    gen = torch.Generator().manual_seed(1)
    base = torch.rand(1, 5, *size, generator=gen)
    xs = [base + 0.02 * k * torch.rand(1, 5, *size, generator=gen) for k in range(count)]
    return [x.to(device).contiguous(memory_format=torch.channels_last) for x in xs]


def staged(arch, precision, device="cpu"):
    torch.manual_seed(0)
    net = build(UNetConfig(5, widths=WIDTHS, arch=arch)).eval()
    return net.to(device=device, dtype=DTYPES[precision]).to(memory_format=torch.channels_last)


def check_exact(arch, precision, device):
    net = staged(arch, precision, device)
    dtype = DTYPES[precision]
    cache = LayerCache(net, EveryN("every-2", 2))
    plain = LayerCache(net, EveryN("every-1", 1))
    plain.enabled = False
    with torch.no_grad():
        for i, x in enumerate(frames(device=device)):
            out = cache(x, FrameInfo(index=i))
            assert out.dtype == dtype
            if i % 2 == 0:
                assert cache.last_refresh
                assert torch.equal(out, net(x.to(dtype)))
                assert torch.equal(plain(x), out)  # disabled: the plain network too
            else:
                assert not cache.last_refresh
    # The cache compares the input as given (float32), not its half-precision copy.
    assert cache._input.dtype == torch.float32


@pytest.mark.parametrize("precision", ["fp32", "fp16", "bf16"])
@pytest.mark.parametrize("arch", ["unet", "unetpp"])
def test_a_refresh_frame_is_the_network_at_its_precision_bit_for_bit(arch, precision):
    check_exact(arch, precision, "cpu")


@pytest.mark.cuda
@pytest.mark.parametrize("precision", ["fp32", "fp16", "bf16"])
@pytest.mark.parametrize("arch", ["unet", "unetpp"])
def test_a_refresh_frame_is_the_network_at_its_precision_on_cuda(arch, precision):
    check_exact(arch, precision, "cuda")


def reads_per_frame(policy, device="cpu"):
    net = staged("unet", "fp32", device)
    cache = LayerCache(net, policy)
    with torch.no_grad():
        for i, x in enumerate(frames(12, device=device)):
            cache(x, FrameInfo(index=i))
    return cache.stats


def test_delta_reads_the_decision_in_one_transfer_when_asked_and_decides_the_same():
    lazy = reads_per_frame(Delta("delta-0.02", tau=0.02))
    single = reads_per_frame(Delta("delta-0.02", tau=0.02, single_read=True))
    assert single.refreshes == lazy.refreshes
    assert 0 < single.refresh_count < single.frames  # both kinds of frame were decided
    # The first frame is forced (no cache yet): its one read is the finiteness check.
    assert single.host_reads == [1] * single.frames
    assert all(1 <= n <= 2 for n in lazy.host_reads)


def test_every_n_and_lfd_read_once_a_frame():
    for policy in (EveryN("every-3", 3), LowFrequency("lfd-0.01", tau=0.01)):
        stats = reads_per_frame(policy)
        assert stats.host_reads == [1] * stats.frames, policy.spec


def test_reads_are_counted_where_they_happen():
    before = HOST_READS.count
    reads_per_frame(EveryN("every-2", 2))
    assert HOST_READS.count - before == 12


@pytest.mark.cuda
def test_on_cuda_each_decision_is_one_transfer():
    for policy in (Delta("delta-0.02", tau=0.02), LowFrequency("lfd-0.01", tau=0.01)):
        stats = reads_per_frame(policy, "cuda")
        assert stats.host_reads == [1] * stats.frames, policy.spec


def test_a_motion_left_on_the_device_is_read_with_the_check_in_one_transfer():
    net = staged("unet", "fp32")
    flows = [torch.full((1, 2, 21, 37), 0.3 * (k % 4)) for k in range(12)]
    runs = {}
    for kind in ("float", "tensor"):
        cache = LayerCache(net, Motion("motion-1", tau=1.0))
        with torch.no_grad():
            for i, (x, flow) in enumerate(zip(frames(12), flows, strict=True)):
                motion = motion_length(flow)
                cache(x, FrameInfo(index=i, motion=float(motion) if kind == "float" else motion))
        runs[kind] = cache.stats
    assert runs["tensor"].refreshes == runs["float"].refreshes
    assert 1 < runs["tensor"].refresh_count < 12
    assert runs["tensor"].host_reads == [1] * 12
