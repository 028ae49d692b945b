"""Render the frames of a camera path: what ``render``, ``eval``, ``dump`` and the viewer share.

Frame ``i`` depends only on path frames ``i - 1`` and ``i`` and on the seed, so frames can be
rendered in any order (a resumed dump renders exactly what an uninterrupted one would).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import torch

from renderer.camera import halton_jitter
from renderer.context import GLContext, create_context
from renderer.frame import Frame
from renderer.gpu_scene import GpuScene
from renderer.lights import ShadowQuality
from renderer.path import CameraPath
from renderer.renderer import Renderer, View
from renderer.scenes.scene import Scene


@dataclass(frozen=True)
class RenderSettings:
    """How the frames of a path are rendered."""

    size: tuple[int, int] = (640, 360)
    """Image width and height in pixels."""
    spp: int = 1
    """Samples per pixel of the noisy color."""
    seed: int = 0
    """Noise seed; with the frame index it fixes every noisy image."""
    reference: bool = True
    """Also render the converged reference."""
    low_res: bool = False
    """Also render a half-resolution frame with Halton(2, 3) jitter (``Frame.low``)."""
    quality: ShadowQuality = field(default_factory=ShadowQuality)
    """Light sampling and shadow-map resolution."""


class PathPlayer:
    """Renders frames of ``path`` on ``scene``; owns its GL resources (and its context
    unless one is given)."""

    def __init__(self, scene: Scene, settings: RenderSettings, gl: GLContext | None = None) -> None:
        width, height = settings.size
        if settings.low_res and (width % 2 or height % 2):
            raise ValueError(f"half-resolution frames need an even size, got {width}x{height}")
        self.settings = settings
        self._own_gl = gl is None
        self.gl = gl or create_context("egl")
        self.gpu = GpuScene(self.gl.ctx, scene, settings.quality)
        self.renderer = Renderer(self.gpu, settings.size)
        self.low_renderer = (
            Renderer(self.gpu, (width // 2, height // 2)) if settings.low_res else None
        )

    def render(
        self,
        path: CameraPath,
        index: int,
        device: torch.device | str = "cpu",
        reference: bool | None = None,
        low_reference: bool | None = None,
        spp: int | None = None,
    ) -> Frame:
        """Frame ``index`` of ``path`` (motion relative to frame ``index - 1``).

        ``reference`` and ``low_reference`` override the settings' for the full and the
        half-resolution image (a caller with a reference cached on disk skips rendering it);
        ``spp`` the settings' samples per pixel (a frame budget's choice).
        """
        full = self.settings.reference if reference is None else reference
        low = full if low_reference is None else low_reference
        spp = self.settings.spp if spp is None else spp
        frame = self._render(self.renderer, path, index, False, full, device, spp)
        if self.low_renderer is not None:
            frame.low = self._render(self.low_renderer, path, index, True, low, device, spp)
        return frame

    def _render(
        self,
        renderer: Renderer,
        path: CameraPath,
        index: int,
        jittered: bool,
        reference: bool,
        device: torch.device | str,
        spp: int,
    ) -> Frame:
        def view(i: int) -> View:
            f = path.frames[i]
            return View(f.camera, f.time, halton_jitter(i) if jittered else (0.0, 0.0))

        s = self.settings
        return renderer.render(
            view(index),
            view(index - 1) if index > 0 else None,
            index=index,
            spp=spp,
            seed=s.seed,
            reference=reference,
            cut=path.frames[index].cut,
            device=device,
        )

    def frames(
        self,
        path: CameraPath,
        start: int = 0,
        count: int | None = None,
        device: torch.device | str = "cpu",
    ) -> Iterator[Frame]:
        stop = len(path) if count is None else min(len(path), start + count)
        for i in range(start, stop):
            yield self.render(path, i, device)

    def close(self) -> None:
        for r in (self.renderer, self.low_renderer):
            if r is not None:
                r.release()
        self.gpu.release()
        if self._own_gl:
            self.gl.close()

    def __enter__(self) -> PathPlayer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
