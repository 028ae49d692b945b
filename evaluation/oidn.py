"""Intel Open Image Denoise as an evaluation method: the denoiser people ship, as a peer of
ours on the same frames with the same albedo and normal.

``oidn`` is a *peer*: it has no cache, and in summary.json its row carries its own output in
the ``*_full_*`` fields and its time in ``full_ms_median``.
"""

from __future__ import annotations

import time

import numpy as np
import torch

from networks.tasks import History
from renderer.errors import UserError
from renderer.frame import Frame

NAME = "oidn"


class OidnMethod:
    """OIDN's ``RT`` filter on the 1-spp color with the (noise-free, rasterized) albedo and
    normal. ``last_ms`` is the filter's execution alone, as ``full`` times its network
    alone: the copies in and out are not counted.

    Args:
        threads: OIDN's worker threads; default torch's, so both use the same cores.
        quality: ``high`` (OIDN's default), ``balanced`` or ``fast``.
    """

    def __init__(self, threads: int | None = None, quality: str = "high") -> None:
        if quality not in _QUALITIES:
            raise ValueError(f"OIDN quality {quality!r}: use {', '.join(_QUALITIES)}")
        try:
            import pyoidn
        except ImportError:
            raise UserError("--policy oidn needs pyoidn: pip install 'reframe-rt[oidn]'") from None
        self._oidn = pyoidn
        self.name = NAME
        self.last_refresh: bool | None = None
        self.last_ms: float | None = None
        self.quality = quality
        self.device = pyoidn.Device(pyoidn.OIDN_DEVICE_TYPE_CPU)
        self.device.set_int("numThreads", threads or torch.get_num_threads())
        self.device.commit()
        self._check("creating the CPU device")
        self._filter = None
        self._images: dict[str, np.ndarray] = {}

    def reset(self) -> None:
        pass

    def __call__(self, frame: Frame, history: History) -> torch.Tensor:
        _, height, width = frame.color.shape
        if self._filter is None or self._images["color"].shape[:2] != (height, width):
            self._build(height, width)
        for name in ("color", "albedo", "normal"):
            np.copyto(self._images[name], getattr(frame, name).permute(1, 2, 0).numpy())
        start = time.perf_counter()
        self._filter.execute()
        self.last_ms = (time.perf_counter() - start) * 1e3
        self._check("denoising")
        return torch.from_numpy(self._images["output"].copy()).permute(2, 0, 1)

    def _build(self, height: int, width: int) -> None:
        oidn = self._oidn
        if self._filter is not None:
            self._filter.release()
        self._images = {
            k: np.zeros((height, width, 3), np.float32)
            for k in ("color", "albedo", "normal", "output")
        }
        flt = oidn.Filter(self.device, oidn.OIDN_FILTER_TYPE_RT)
        for name, image in self._images.items():
            flt.set_image(name, image, oidn.OIDN_FORMAT_FLOAT3)
        flt.set_bool("hdr", True)
        # Our G-buffers are rasterized, hence noise-free: OIDN then trusts them fully.
        flt.set_bool("cleanAux", True)
        flt.set_quality(_QUALITIES[self.quality](oidn))
        flt.commit()
        self._filter = flt
        self._check("setting up the filter")

    def _check(self, doing: str) -> None:
        error = self.device.get_error()
        if error is not None:
            raise RuntimeError(f"OIDN failed while {doing}: {error}")

    def close(self) -> None:
        if self._filter is not None:
            self._filter.release()
            self._filter = None
        self.device.release()


_QUALITIES = {
    "high": lambda oidn: oidn.OIDN_QUALITY_HIGH,
    "balanced": lambda oidn: oidn.OIDN_QUALITY_BALANCED,
    "fast": lambda oidn: oidn.OIDN_QUALITY_FAST,
}
