"""G-buffers leaving OpenGL: the CPU readback, why CUDA-GL interop is not used where it
cannot work (one line, once), and on a GPU the interop tensors equal the readback's bit for
bit."""

import logging
from types import SimpleNamespace

import numpy as np
import pytest
import torch

from renderer import interop, transfer
from renderer.transfer import TextureReader
from tests.conftest import temple_renderer

SIZE = (48, 32)


@pytest.fixture(scope="module")
def temple(gl_session):
    with temple_renderer(gl_session, SIZE) as made:
        yield made


def test_readback_gives_each_channel_slice_channels_last(gl):
    tex = gl.ctx.texture((3, 2), 4, dtype="f4")
    pixels = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    tex.write(pixels.tobytes())
    reader = TextureReader({"rgb": (tex, slice(0, 3)), "a": (tex, slice(3, 4))})
    t = reader.read("cpu")
    assert reader.route == "readback"
    assert torch.equal(t["rgb"], torch.from_numpy(pixels[..., :3]).permute(2, 0, 1))
    assert torch.equal(t["a"][0], torch.from_numpy(pixels[..., 3]))
    assert t["rgb"].is_contiguous(memory_format=torch.channels_last) is False  # a view of 4
    assert set(reader.read("cpu", skip=frozenset({"a"}))) == {"rgb"}
    tex.release()


def test_a_frame_without_reference_does_not_read_it(gl, temple):
    renderer, view = temple
    with_ref = renderer.render(view, None, reference=True)
    without = renderer.render(view, None, reference=False)
    assert without.reference is None and with_ref.reference is not None
    assert torch.equal(with_ref.color, without.color)


def test_a_software_gl_is_named_as_the_reason(gl):
    why = interop.interop_unavailable(gl.ctx, "cuda")
    assert "llvmpipe" in why or "software" in why or "not on an NVIDIA GPU" in why
    assert interop.interop_unavailable(gl.ctx, "cpu") == "the device is cpu, not CUDA"


def nvidia_context():
    return SimpleNamespace(
        info={"GL_RENDERER": "NVIDIA H200/PCIe", "GL_VENDOR": "NVIDIA Corporation"}
    )


def test_each_reason_interop_cannot_work(monkeypatch):
    monkeypatch.setattr(interop, "is_wsl", lambda: True)
    assert "WSL2" in interop.interop_unavailable(nvidia_context(), "cuda")
    monkeypatch.setattr(interop, "is_wsl", lambda: False)
    monkeypatch.setattr(interop, "cuda_runtime", lambda: None)
    assert "cuda-python is not installed" in interop.interop_unavailable(nvidia_context(), "cuda")
    amd = SimpleNamespace(info={"GL_RENDERER": "Radeon RX 7900", "GL_VENDOR": "AMD"})
    assert "not on an NVIDIA GPU" in interop.interop_unavailable(amd, "cuda")


def test_another_gpus_gl_context_is_refused(monkeypatch):
    class Runtime:  # cudaGLGetDevices as cuda-python returns it: GL runs on cuda:1 only
        class cudaError_t:
            cudaSuccess = 0

        class cudaGLDeviceList:
            cudaGLDeviceListAll = 1

        @staticmethod
        def cudaGLGetDevices(count, which):
            return 0, 1, [1]

    monkeypatch.setattr(interop, "is_wsl", lambda: False)
    monkeypatch.setattr(interop, "cuda_runtime", lambda: Runtime)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 2)
    assert "another GPU than cuda:0" in interop.interop_unavailable(nvidia_context(), "cuda:0")
    assert interop.interop_unavailable(nvidia_context(), "cuda:1") is None


def test_the_fallback_says_why_in_one_line_once(gl, monkeypatch, caplog):
    monkeypatch.setattr(transfer, "_SAID", set())
    tex = gl.ctx.texture((2, 2), 4, dtype="f2")
    reader = TextureReader({"rgb": (tex, slice(0, 3))})
    # The GL here is llvmpipe: interop is refused before any CUDA call, so the choice of
    # route runs without a GPU.
    with caplog.at_level(logging.WARNING, logger="reframe_rt"):
        assert reader._interop(torch.device("cuda")) is None
        assert reader._interop(torch.device("cuda")) is None
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 1 and lines[0].startswith("reframe-rt: G-buffers go through the CPU: ")
    assert reader.why_readback in lines[0]
    tex.release()


def test_three_channel_textures_cannot_be_registered(gl, monkeypatch):
    monkeypatch.setattr(interop, "cuda_runtime", lambda: object())
    tex = gl.ctx.texture((2, 2), 3, dtype="f4")
    with pytest.raises(ValueError, match="3-channel"):
        interop.MappedTextures([tex])
    tex.release()


@pytest.mark.cuda
def test_interop_tensors_equal_the_readback_bit_for_bit(gl, temple):
    renderer, view = temple
    reader = renderer._reader
    renderer.draw(view, None, index=0, spp=1, seed=0, reference=True)
    through_cpu = reader.read("cuda", interop=False)
    shared = reader.read("cuda")
    if reader.route != "interop":
        pytest.skip(f"interop cannot work here: {reader.why_readback}")
    for name, tensor in through_cpu.items():
        assert shared[name].device.type == "cuda"
        assert torch.equal(shared[name], tensor), name
