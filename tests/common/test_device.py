"""Device and precision options: what resolves, what is refused in one line, the lap timer."""

import pytest
import torch

from common.device import precision_dtype, resolve_device
from common.errors import UserError
from common.placement import as_input, module_dtype
from common.timing import Lap


def test_auto_is_cuda_exactly_when_torch_sees_a_gpu(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert resolve_device("auto") == torch.device("cpu")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert resolve_device("auto") == torch.device("cuda")
    assert resolve_device(" CPU ") == torch.device("cpu")


def test_cuda_without_a_gpu_is_one_clear_error(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(UserError, match=r"no CUDA GPU.*--device cpu"):
        resolve_device("cuda")


def test_a_gpu_index_beyond_those_present_is_refused(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 2)
    current = []
    monkeypatch.setattr(torch.cuda, "set_device", current.append)
    assert resolve_device("cuda:1") == torch.device("cuda", 1)
    assert current == [1]  # streams, events and graphs follow the current device
    with pytest.raises(UserError, match="2 GPU"):
        resolve_device("cuda:2")


@pytest.mark.parametrize("bad", ["gpu", "cuda:", "cuda:x", "mps0", ""])
def test_malformed_devices_are_refused(bad):
    with pytest.raises(UserError, match="expected auto, cpu, cuda or cuda:N"):
        resolve_device(bad)


def test_precisions():
    assert precision_dtype("fp32") is torch.float32
    assert precision_dtype("fp16") is torch.float16
    assert precision_dtype("bf16") is torch.bfloat16
    with pytest.raises(UserError, match="fp32, fp16, bf16"):
        precision_dtype("int8")


def test_inputs_take_the_modules_dtype_and_stay_themselves_when_they_have_it():
    net = torch.nn.Conv2d(3, 3, 1).to(torch.bfloat16)
    x = torch.rand(1, 3, 4, 4)
    assert module_dtype(net) is torch.bfloat16
    assert as_input(x, net).dtype is torch.bfloat16
    assert as_input(x, torch.nn.Conv2d(3, 3, 1)) is x
    assert module_dtype(object()) is None and as_input(x, object()) is x


def test_a_cpu_lap_measures_wall_time():
    watch = Lap("cpu")
    torch.rand(256, 256) @ torch.rand(256, 256)
    ms = watch.end().ms()
    assert 0.0 < ms < 10_000.0 and not watch.cuda


@pytest.mark.cuda
def test_a_cuda_lap_times_the_queued_kernels():
    a = torch.rand(4096, 4096, device="cuda")
    watch = Lap("cuda")
    for _ in range(10):
        a = a @ a.T / 4096
    ms = watch.end().ms()
    # Ten 4096^3 products: far more than the microseconds their launch takes.
    assert watch.cuda and ms > 0.05
