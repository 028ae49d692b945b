"""GL textures -> torch tensors: the one way G-buffers leave OpenGL.

For a CUDA device the textures are shared with CUDA (``renderer.interop``) and copied on
the GPU; where that cannot work (no cuda-python, a software or another GPU's GL, WSL2),
and for the CPU, they are read back through the CPU, and one line says why.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

import moderngl
import numpy as np
import torch

from renderer.interop import InteropError, MappedTextures, interop_unavailable

LOG = logging.getLogger("reframe_rt")
_NUMPY_DTYPE = {"f1": np.uint8, "f2": np.float16, "f4": np.float32}

TextureSlice = tuple[moderngl.Texture, slice]
"""A texture and which of its channels to take."""


class TextureReader:
    """Reads named channel slices of textures into float32 tensors, one call per frame.

    Textures must hold image rows top-down (the renderer flips its projections so they do).
    Each texture is read once into a staging array that lives as long as the reader, then
    converted whole into one new float32 (H, W, 4) tensor: converting contiguous blocks is
    what is fast. The returned (c, H, W) tensors are channels-last views of those, the
    memory layout the networks run fastest with.

    On a CUDA device the textures are copied by interop instead, into the same float32
    (H, W, 4) layout, so both routes give the same values bit for bit; ``route`` says
    which one the last read took, ``why_readback`` why interop was not used.
    """

    def __init__(self, slices: Mapping[str, TextureSlice]) -> None:
        self._textures: list[moderngl.Texture] = []
        self._names: list[tuple[str, int, slice]] = []
        for name, (tex, channels) in slices.items():
            if all(t is not tex for t in self._textures):
                self._textures.append(tex)
            index = next(i for i, t in enumerate(self._textures) if t is tex)
            self._names.append((name, index, channels))
        self._staging = [
            np.empty((t.size[1], t.size[0], t.components), _NUMPY_DTYPE[t.dtype])
            for t in self._textures
        ]
        self._mapped: dict[torch.device, MappedTextures | None] = {}
        self.route = "readback"
        self.why_readback: str | None = None

    def read(
        self,
        device: torch.device | str = "cpu",
        interop: bool = True,
        skip: frozenset[str] = frozenset(),
    ) -> dict[str, torch.Tensor]:
        """The named channels but ``skip`` as (c, H, W) float32 tensors on ``device``
        (a texture none of them needs is not read); ``interop=False`` reads back through
        the CPU whatever the device."""
        device = torch.device(device)
        names = [(n, i, ch) for n, i, ch in self._names if n not in skip]
        needed = sorted({i for _, i, _ in names})
        mapped = self._interop(device) if interop and device.type == "cuda" else None
        whole: dict[int, torch.Tensor] = {}
        if mapped is not None:
            try:
                copies = mapped.read(device, needed)
            except Exception as error:
                self._mapped[device] = mapped = None
                self.why_readback = f"interop failed: {error}"
                say_once(f"reframe-rt: G-buffers go through the CPU: {self.why_readback}")
            else:
                self.route = "interop"
                for i, t in zip(needed, copies, strict=True):
                    whole[i] = t.to(torch.float32)
        if mapped is None:
            self.route = "readback"
            for i in needed:
                staging = self._staging[i]
                self._textures[i].read_into(staging)
                whole[i] = torch.from_numpy(staging).to(
                    device=device, dtype=torch.float32, copy=True
                )
        return {name: whole[i][:, :, ch].permute(2, 0, 1) for name, i, ch in names}

    def _interop(self, device: torch.device) -> MappedTextures | None:
        """The textures registered with CUDA for ``device``, once; None (and one line
        saying why, once) where interop cannot work."""
        if device not in self._mapped:
            why = interop_unavailable(self._textures[0].ctx, device)
            mapped = None
            if why is None:
                try:
                    mapped = MappedTextures(self._textures)
                except (InteropError, ValueError) as error:
                    why = str(error)
            if why is not None:
                self.why_readback = why
                say_once(f"reframe-rt: G-buffers go through the CPU: {why}")
            self._mapped[device] = mapped
        return self._mapped[device]

    def release(self) -> None:
        """Unregister the textures from CUDA (before they are released)."""
        for mapped in self._mapped.values():
            if mapped is not None:
                mapped.release()
        self._mapped.clear()


_SAID: set[str] = set()


def say_once(line: str) -> None:
    """Log ``line`` as a warning, the first time only."""
    if line not in _SAID:
        _SAID.add(line)
        LOG.warning(line)
