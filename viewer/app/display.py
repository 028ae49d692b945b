"""The main image: the chosen view (and the split-screen one) in GL textures, drawn behind
the panels to fill the window (aspect kept), with the split divider."""

from __future__ import annotations

import time

import moderngl
import numpy as np
import torch
from imgui_bundle import imgui

from renderer.interop import MappedTextures, interop_unavailable
from renderer.transfer import say_once
from viewer.app.images import to_bytes, to_rgba8, view_image
from viewer.app.inference import Result
from viewer.app.state import AppState

DIVIDER_GRAB = 8.0
"""Pixels either side of the divider that grab it."""


class Display:
    def __init__(self, ctx: moderngl.Context) -> None:
        self.ctx = ctx
        self._textures: dict[str, moderngl.Texture] = {}
        self._shown: dict[str, tuple[int, str] | None] = {}
        self.rect = (0.0, 0.0, 1.0, 1.0)
        """Where the image was last drawn: x0, y0, x1, y1 in window pixels."""
        self._mapped: dict[str, MappedTextures] = {}
        self._interop: dict[torch.device, bool] = {}

    def update(self, state: AppState, result: Result | None) -> None:
        """Upload the images the view needs, when the result or the view changed."""
        if result is None:
            return
        start = time.perf_counter()
        uploaded = False
        wanted = {"main": state.view.mode}
        if state.view.split:
            wanted["split"] = state.view.split_mode
        for slot, mode in wanted.items():
            key = (id(result), mode)
            if self._shown.get(slot) == key:
                continue
            image = view_image(mode, result)
            if not (image is not None and image.is_cuda and self._shown_on_device(slot, image)):
                self._upload(slot, None if image is None else to_bytes(image))
            self._shown[slot] = key
            uploaded = True
        if uploaded:
            state.stats.record("display", (time.perf_counter() - start) * 1e3)

    def _upload(self, slot: str, pixels: np.ndarray | None) -> None:
        if pixels is None:
            pixels = np.zeros((2, 2, 3), np.uint8)
        h, w = pixels.shape[:2]
        tex = self._texture(slot, (w, h), 3)
        self.ctx.pixel_storage_alignment = 1  # odd widths of RGB rows
        tex.write(pixels.tobytes())

    def _shown_on_device(self, slot: str, image: torch.Tensor) -> bool:
        """Upload a CUDA image through interop where it works; False: use the CPU."""
        if not self._interop_works(image.device):
            return False
        try:
            self._upload_device(slot, image)
        except Exception as error:
            self._interop[image.device] = False
            say_once(f"reframe-rt: the display goes through the CPU: {error}")
            return False
        return True

    def _upload_device(self, slot: str, image: torch.Tensor) -> None:
        """A CUDA image into its texture through interop: no copy through the CPU (CUDA
        registers RGBA textures only)."""
        pixels = to_rgba8(image)
        h, w = pixels.shape[:2]
        tex = self._texture(slot, (w, h), 4)
        if slot not in self._mapped:
            self._mapped[slot] = MappedTextures([tex], write=True)
        self._mapped[slot].write([pixels])

    def _texture(self, slot: str, size: tuple[int, int], components: int) -> moderngl.Texture:
        tex = self._textures.get(slot)
        if tex is None or tex.size != size or tex.components != components:
            if slot in self._mapped:
                self._mapped.pop(slot).release()
            if tex is not None:
                tex.release()
            tex = self.ctx.texture(size, components, dtype="f1")
            tex.filter = (moderngl.LINEAR, moderngl.LINEAR)
            self._textures[slot] = tex
        return tex

    def _interop_works(self, device: torch.device) -> bool:
        """Whether the display may share textures with ``device`` (decided once; a failing
        registration or copy later turns it off, in :meth:`_shown_on_device`)."""
        if device not in self._interop:
            why = interop_unavailable(self.ctx, device)
            if why is not None:
                say_once(f"reframe-rt: the display goes through the CPU: {why}")
            self._interop[device] = why is None
        return self._interop[device]

    def draw(self, state: AppState) -> None:
        """Draw into ImGui's background list (under every panel)."""
        main = self._textures.get("main")
        if main is None:
            return
        ww, wh = state.window_size
        iw, ih = state.scene.size
        scale = min(ww / iw, wh / ih)
        w, h = iw * scale, ih * scale
        x0, y0 = (ww - w) / 2, (wh - h) / 2
        self.rect = (x0, y0, x0 + w, y0 + h)
        draw = imgui.get_background_draw_list()
        split = self._textures.get("split") if state.view.split else None
        d = state.view.divider if split is not None else 1.0
        xd = x0 + w * d
        draw.add_image(_ref(main), (x0, y0), (xd, y0 + h), (0.0, 0.0), (d, 1.0))
        if split is None:
            return
        draw.add_image(_ref(split), (xd, y0), (x0 + w, y0 + h), (d, 0.0), (1.0, 1.0))
        white = imgui.get_color_u32((1.0, 1.0, 1.0, 0.9))
        draw.add_line((xd, y0), (xd, y0 + h), white, 2.0)
        draw.add_circle_filled((xd, y0 + h / 2), 7.0, white)
        labels = (state.view.mode, state.view.split_mode)
        draw.add_text((x0 + 6, y0 + 4), white, labels[0])
        right = x0 + w - imgui.calc_text_size(labels[1]).x - 6
        draw.add_text((right, y0 + 4), white, labels[1])

    def near_divider(self, state: AppState, x: float, y: float) -> bool:
        if not state.view.split:
            return False
        x0, y0, x1, y1 = self.rect
        xd = x0 + (x1 - x0) * state.view.divider
        return y0 <= y <= y1 and abs(x - xd) <= DIVIDER_GRAB

    def divider_at(self, x: float) -> float:
        x0, _, x1, _ = self.rect
        return float(np.clip((x - x0) / max(x1 - x0, 1.0), 0.0, 1.0))

    def release(self) -> None:
        for mapped in self._mapped.values():
            mapped.release()
        self._mapped.clear()
        for tex in self._textures.values():
            tex.release()
        self._textures.clear()


def _ref(tex: moderngl.Texture) -> imgui.ImTextureRef:
    return imgui.ImTextureRef(tex.glo)
