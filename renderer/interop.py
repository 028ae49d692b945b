"""CUDA-OpenGL interop: G-buffer textures copied into CUDA tensors, and CUDA tensors into a
display texture, on the GPU, without a trip through the CPU.

Each texture is registered with CUDA once (``cudaGraphicsGLRegisterImage``); per frame the
textures are mapped together, each mapped CUDA array is copied into a torch tensor on
torch's current stream (``cudaMemcpy2DFromArrayAsync``), and they are unmapped. Mapping
waits for the GL commands issued before it, so the copy sees the finished frame. Rows come
in the texture's memory order, which is what a CPU readback gives too (the renderer
flips its projections so that row 0 is the top of the image).

Whether interop can work here is decided once per context and device by
:func:`interop_unavailable`; where it cannot, the caller reads back through the CPU and
says why in one line.
"""

from __future__ import annotations

import platform
from collections.abc import Sequence
from typing import Any

import moderngl
import torch

GL_TEXTURE_2D = 0x0DE1
_TORCH_DTYPE = {"f1": torch.uint8, "f2": torch.float16, "f4": torch.float32}
_SOFTWARE = ("llvmpipe", "softpipe", "swrast", "software")


def cuda_runtime() -> Any | None:
    """cuda-python's runtime module (``cuda.bindings.runtime``, or the older
    ``cuda.cudart``), or None where it is not installed."""
    try:
        from cuda.bindings import runtime  # type: ignore[import-not-found]

        return runtime
    except ImportError:
        pass
    try:
        from cuda import cudart  # type: ignore[import-not-found]

        return cudart
    except ImportError:
        return None


def is_wsl() -> bool:
    return "microsoft" in platform.uname().release.lower()


def interop_unavailable(ctx: moderngl.Context, device: torch.device | str) -> str | None:
    """Why the textures of ``ctx`` cannot be shared with CUDA ``device`` (None: they can).

    Checked in order: WSL2 (no GL interop there), a software GL (Mesa's llvmpipe), a GL
    that is not NVIDIA's, cuda-python missing, and a GL context on another GPU than
    ``device``.
    """
    device = torch.device(device)
    if device.type != "cuda":
        return f"the device is {device.type}, not CUDA"
    if is_wsl():
        return "CUDA-OpenGL interop does not work under WSL2"
    renderer = str(ctx.info.get("GL_RENDERER", "unknown"))
    vendor = str(ctx.info.get("GL_VENDOR", "unknown"))
    if any(word in renderer.lower() for word in _SOFTWARE):
        return f"the OpenGL context runs on {renderer} (software), not on a GPU"
    if "nvidia" not in vendor.lower():
        return f"the OpenGL context runs on {vendor} {renderer}, not on an NVIDIA GPU"
    rt = cuda_runtime()
    if rt is None:
        return "cuda-python is not installed (pip install 'reframe-rt[gpu]')"
    err, count, devices = rt.cudaGLGetDevices(
        torch.cuda.device_count(), rt.cudaGLDeviceList.cudaGLDeviceListAll
    )
    if _failed(rt, err):
        return f"cudaGLGetDevices failed: {_name(rt, err)}"
    index = device.index if device.index is not None else torch.cuda.current_device()
    if index not in list(devices)[: int(count)]:
        return f"the OpenGL context runs on another GPU than cuda:{index}"
    return None


class InteropError(RuntimeError):
    """A CUDA call of the interop failed (its error name in the message)."""


def _failed(rt: Any, err: Any) -> bool:
    return err != rt.cudaError_t.cudaSuccess


def _name(rt: Any, err: Any) -> str:
    found, name = rt.cudaGetErrorName(err)
    return name.decode() if not _failed(rt, found) else str(err)


def _check(rt: Any, result: Any, what: str) -> Any:
    """The values a cuda-python call returned after its error code; raises on an error."""
    err, *values = result if isinstance(result, tuple) else (result,)
    if _failed(rt, err):
        raise InteropError(f"{what} failed: {_name(rt, err)}")
    return values[0] if len(values) == 1 else values


class MappedTextures:
    """Textures registered with CUDA once, for reading (G-buffers) or writing (display).

    Args:
        textures: 2-D colour textures of one GL context, RGBA or single-channel (CUDA
            cannot register 3-channel formats), uint8, float16 or float32.
        write: registered for writing (the previous contents are discarded on each map).

    Raises:
        InteropError: cuda-python is missing or registration failed.
    """

    def __init__(self, textures: Sequence[moderngl.Texture], write: bool = False) -> None:
        rt = cuda_runtime()
        if rt is None:
            raise InteropError("cuda-python is not installed")
        self._rt = rt
        self.textures = list(textures)
        for tex in self.textures:
            if tex.components == 3:
                raise ValueError("CUDA cannot register a 3-channel texture: make it RGBA")
        flags = rt.cudaGraphicsRegisterFlags
        flag = (
            flags.cudaGraphicsRegisterFlagsWriteDiscard
            if write
            else flags.cudaGraphicsRegisterFlagsReadOnly
        )
        self._resources = [
            _check(rt, rt.cudaGraphicsGLRegisterImage(tex.glo, GL_TEXTURE_2D, flag), "register")
            for tex in self.textures
        ]

    def read(self, device: torch.device, which: Sequence[int] | None = None) -> list[torch.Tensor]:
        """Each texture (those at the indices ``which``: all by default) as a new
        (H, W, components) tensor of its own dtype on ``device``."""
        which = range(len(self.textures)) if which is None else which
        out = [
            torch.empty(
                (t.size[1], t.size[0], t.components), dtype=_TORCH_DTYPE[t.dtype], device=device
            )
            for t in (self.textures[i] for i in which)
        ]
        rt = self._rt
        with self._mapped() as (arrays, stream):
            for tensor, array in zip(out, (arrays[i] for i in which), strict=True):
                pitch = tensor.shape[1] * tensor.shape[2] * tensor.element_size()
                _check(
                    rt,
                    rt.cudaMemcpy2DFromArrayAsync(
                        tensor.data_ptr(), pitch, array, 0, 0, pitch, tensor.shape[0],
                        rt.cudaMemcpyKind.cudaMemcpyDeviceToDevice, stream,
                    ),
                    "cudaMemcpy2DFromArrayAsync",
                )  # fmt: skip
        return out

    def write(self, images: Sequence[torch.Tensor]) -> None:
        """Copy each (H, W, components) CUDA tensor (the texture's dtype) into its texture."""
        rt = self._rt
        with self._mapped() as (arrays, stream):
            for tex, image, array in zip(self.textures, images, arrays, strict=True):
                want = (tex.size[1], tex.size[0], tex.components)
                if tuple(image.shape) != want or image.dtype != _TORCH_DTYPE[tex.dtype]:
                    raise ValueError(f"image {tuple(image.shape)} {image.dtype} for texture {want}")
                image = image.contiguous()
                pitch = image.shape[1] * image.shape[2] * image.element_size()
                _check(
                    rt,
                    rt.cudaMemcpy2DToArrayAsync(
                        array, 0, 0, image.data_ptr(), pitch, pitch, image.shape[0],
                        rt.cudaMemcpyKind.cudaMemcpyDeviceToDevice, stream,
                    ),
                    "cudaMemcpy2DToArrayAsync",
                )  # fmt: skip

    def _mapped(self):
        return _Mapping(self._rt, self._resources)

    def release(self) -> None:
        for resource in self._resources:
            self._rt.cudaGraphicsUnregisterResource(resource)
        self._resources = []


class _Mapping:
    """Maps the resources on torch's current stream for the ``with`` block; yields the
    mapped arrays and the stream."""

    def __init__(self, rt: Any, resources: list) -> None:
        self._rt, self._resources = rt, resources
        self._stream = rt.cudaStream_t(torch.cuda.current_stream().cuda_stream)

    def __enter__(self):
        rt = self._rt
        # One resource a call: cuda-python takes one handle (or an address of an array).
        for resource in self._resources:
            _check(rt, rt.cudaGraphicsMapResources(1, resource, self._stream), "map")
        arrays = [
            _check(rt, rt.cudaGraphicsSubResourceGetMappedArray(r, 0, 0), "mapped array")
            for r in self._resources
        ]
        return arrays, self._stream

    def __exit__(self, *exc) -> None:
        rt = self._rt
        for resource in self._resources:
            _check(rt, rt.cudaGraphicsUnmapResources(1, resource, self._stream), "unmap")
