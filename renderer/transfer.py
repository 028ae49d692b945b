"""GL textures -> torch tensors: the one way G-buffers leave the GPU.

Today this is a CPU readback. CUDA-GL interop (registering the textures with
``cuGraphicsGLRegisterImage`` and copying device to device) belongs behind this same class;
until then a CUDA ``device`` gets the CPU tensors moved over.
"""

from __future__ import annotations

from collections.abc import Mapping

import moderngl
import numpy as np
import torch

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

    def read(self, device: torch.device | str = "cpu") -> dict[str, torch.Tensor]:
        whole = []
        for tex, staging in zip(self._textures, self._staging, strict=True):
            tex.read_into(staging)
            whole.append(
                torch.from_numpy(staging).to(device=device, dtype=torch.float32, copy=True)
            )
        return {name: whole[i][:, :, ch].permute(2, 0, 1) for name, i, ch in self._names}
