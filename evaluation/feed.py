"""The frames of a camera path with their converged references: rendered once, references
taken from the on-disk cache where it has them (and stored there otherwise)."""

from __future__ import annotations

from pathlib import Path

import torch

from evaluation.reference_cache import ReferenceCache
from renderer.camera import halton_jitter
from renderer.context import GLContext
from renderer.frame import Frame
from renderer.path import CameraPath
from renderer.player import PathPlayer, RenderSettings
from renderer.scenes.scene import Scene


class FrameFeed:
    """Renders frame ``i`` of ``path`` on ``scene`` with its reference, and with ``low_res``
    the half-resolution frame and its reference too (what super-resolution reads), as
    tensors on ``device`` (cached references are moved there once a frame: a disk read
    is a host round trip anyway)."""

    def __init__(
        self,
        scene: Scene,
        path: CameraPath,
        settings: RenderSettings,
        low_res: bool,
        cache_dir: Path | None = None,
        gl: GLContext | None = None,
        device: torch.device | str = "cpu",
    ) -> None:
        self.path = path
        self.device = torch.device(device)
        self.settings = RenderSettings(
            size=settings.size,
            spp=settings.spp,
            seed=settings.seed,
            reference=True,
            low_res=low_res,
            quality=settings.quality,
        )
        self.player = PathPlayer(scene, self.settings, gl)  # its own context unless given one
        width, height = settings.size
        self.caches = None
        if cache_dir is not None:
            self.caches = (
                ReferenceCache(cache_dir, scene, settings.size, settings.quality),
                ReferenceCache(cache_dir, scene, (width // 2, height // 2), settings.quality),
            )

    def frame(self, i: int) -> Frame:
        if self.caches is None:
            return self.player.render(self.path, i, self.device)
        where = self.path.frames[i]
        jitters = [(0.0, 0.0), halton_jitter(i)][: 2 if self.settings.low_res else 1]
        cached = [c.get(where, j) for c, j in zip(self.caches, jitters, strict=False)]
        missing = [r is None for r in cached] + [False]
        frame = self.player.render(
            self.path, i, self.device, reference=missing[0], low_reference=missing[1]
        )
        images = [frame, frame.low][: len(jitters)]
        for k, (image, cache, jitter) in enumerate(zip(images, self.caches, jitters, strict=False)):
            if missing[k]:
                # Contiguous, as a reference loaded from the cache is: both runs then give
                # bit-identical scores.
                image.reference = image.reference.contiguous()
                cache.put(where, image.reference, jitter)
            else:
                image.reference = cached[k].to(self.device)
        return frame

    def close(self) -> None:
        self.player.close()
