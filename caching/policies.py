"""Refresh policies: per frame, run the whole network (refresh) or reuse the cached deep
features. Each is a plain function of the input, the input that built the cache and the
frame's facts, plus (for accumulating ones) a little state. What they measure is in
:mod:`caching.measures`; :func:`caching.spec.parse_policy` makes one from its spec string.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import ClassVar

import torch

from caching.measures import Against, box, read_host, smape, smape_of


@dataclass(frozen=True)
class FrameInfo:
    """What a policy may know about a frame beyond the network input."""

    index: int = 0
    cut: bool = False
    """The camera jumped since the previous frame."""
    motion: float | torch.Tensor = 0.0
    """Mean motion-vector length in pixels (frame to previous frame); a 0-d tensor is read
    by the cache in the same transfer as its finiteness check (a policy sees a float)."""
    flow: torch.Tensor | None = None
    """(B, 2, H, W) motion vectors of the frame at the input's size (docs/DESIGN.md's convention),
    for ``+warp`` policies; None: reuse frames are not warped."""
    warped: bool = False
    """Set by the cache: the cached input a policy is given was warped into this frame
    (``+warp``), so it is another tensor every frame and nothing computed from it may be
    kept."""


@dataclass
class Policy:
    """Base: never refreshes on its own (the cache still forces refreshes)."""

    spec: str
    warp: bool = field(default=False, init=False)
    """``+warp``: reuse frames warp the cached features by the motion since the refresh
    (``caching.warp``), and the cache hands the policy the cached input warped the same way:
    the policies that compare inputs judge what reuse will show, not how far the camera
    moved."""
    online: bool = field(default=False, init=False)
    """``+online``: the policy's tau is adapted while running (``caching.online``)."""
    depth: bool = field(default=False, init=False)
    """``+depth``: each frame recomputes only as deep as its content changed, level by
    level (``caching.depth``)."""
    family: ClassVar[str] = ""
    compares_input: ClassVar[bool] = False
    """Decides by comparing the input with the cached one (so ``+warp`` warps the cached
    input for it). Such a policy reads every value of the input and sets ``input_finite``
    in each decision: the cache then skips its own pass for NaN and inf."""
    input_finite: bool = field(default=True, init=False, repr=False, compare=False)
    """Whether the input of the last decision held only finite values (policies that
    compare inputs)."""
    reads_motion: ClassVar[bool] = False
    """Decides by ``FrameInfo.motion`` (so the caller measures it: the others need not pay
    for a pass over the motion vectors)."""

    def reset(self) -> None:
        """Forget accumulated state (a new sequence)."""

    def refreshed(self, info: FrameInfo) -> None:
        """Called after every refresh, forced or chosen."""

    def wants_refresh(self, x: torch.Tensor, cached_input: torch.Tensor, info: FrameInfo) -> bool:
        return False


@dataclass
class Full(Policy):
    """No caching: every frame is a refresh."""

    def wants_refresh(self, x, cached_input, info) -> bool:
        return True


@dataclass
class EveryN(Policy):
    n: int = 2

    def wants_refresh(self, x, cached_input, info) -> bool:
        return info.index % self.n == 0


@dataclass
class Delta(Policy):
    """Refresh when :func:`smape` of the input against the cached input exceeds ``tau``.

    Computes the same quantity as :func:`smape` (up to float rounding) with sums of the
    cached side kept per refresh and no allocation per frame.
    """

    tau: float = 0.1
    single_read: bool | None = field(default=None, compare=False)
    """Read the three sums in one device-to-host transfer every frame, instead of two
    (and a pass over the input less) on most frames and three on the rest. None: on a
    GPU, where each transfer waits for the queued work."""
    _against: Against = field(default_factory=Against, init=False, repr=False, compare=False)
    family: ClassVar[str] = "delta"
    compares_input: ClassVar[bool] = True

    def reset(self) -> None:
        self._against.forget()

    def refreshed(self, info: FrameInfo) -> None:
        self._against.forget()  # the cache copies into the same buffer: same data_ptr

    def measure(self, x: torch.Tensor, c: torch.Tensor, moving: bool = False) -> float:
        """SMAPE of ``x`` against ``c`` (same shapes)."""
        diff, c_sum = self._diff_and_cached_sum(x, c, moving)
        return smape_of(diff, self._sum_abs(x), c_sum)

    def wants_refresh(self, x, cached_input, info) -> bool:
        diff, c_sum = self._diff_and_cached_sum(x, cached_input, info.warped)
        single = self.single_read if self.single_read is not None else x.device.type != "cpu"
        if single:
            x_sum = self._sum_abs(x)
            d, s, c = read_host(diff, x_sum, c_sum)
            self.input_finite = math.isfinite(d)
            return not self.input_finite or 2.0 * d / max(s + c, 1e-12) > self.tau
        d, c = read_host(diff, c_sum)
        # The cached input is finite (the cache keeps no other): a NaN or inf in x is in d.
        self.input_finite = math.isfinite(d)
        if not self.input_finite:
            return True
        # sum|x| lies within d of sum|c| (triangle inequality), so SMAPE = 2d / (sum|x| +
        # sum|c|) lies between 2d / (2 sum|c| + d) and 2d / (2 sum|c| - d). Only a tau
        # between the two (with a margin for float rounding) needs sum|x|: a pass over the
        # input saved on most frames, about a third of the decision (BENCHMARKS.md).
        if 2.0 * d > self.tau * (2.0 * c + d) * (1.0 + BOUND_MARGIN):
            return True
        if 2.0 * d < self.tau * (2.0 * c - d) * (1.0 - BOUND_MARGIN):
            return False
        return smape_of(diff, self._sum_abs(x), c_sum) > self.tau

    def _diff_and_cached_sum(
        self, x: torch.Tensor, c: torch.Tensor, moving: bool = False
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """``sum|x - c|`` and ``sum|c|`` (kept from one refresh to the next unless
        ``moving``), 0-d tensors."""
        a = self._against
        return a.l1(x, c), a.kept(c, a.l1, moving)

    def _sum_abs(self, x: torch.Tensor) -> torch.Tensor:
        return self._against.l1(x)


BOUND_MARGIN = 1e-4
"""Relative margin on :class:`Delta`'s bounds: float32 sums of a frame are exact to far less."""


@dataclass
class LowFrequency(Policy):
    """Refresh when :func:`low_frequency_difference` exceeds ``tau``; the cached input's
    downsampled copy is kept per refresh."""

    tau: float = 0.05
    factor: int = 8
    _against: Against = field(default_factory=Against, init=False, repr=False, compare=False)
    family: ClassVar[str] = "lfd"
    compares_input: ClassVar[bool] = True

    def reset(self) -> None:
        self._against.forget()

    def refreshed(self, info: FrameInfo) -> None:
        self._against.forget()

    def measure(self, x: torch.Tensor, c: torch.Tensor, moving: bool = False) -> float:
        """Low-frequency difference of ``x`` against ``c`` (same shapes)."""
        c_low = self._against.kept(c, lambda t: box(t, self.factor), moving)
        return smape(box(x, self.factor), c_low)

    def wants_refresh(self, x, cached_input, info) -> bool:
        value = self.measure(x, cached_input, info.warped)
        self.input_finite = math.isfinite(value)
        return not self.input_finite or value > self.tau


@dataclass
class Motion(Policy):
    """Refresh once the image has moved ``tau`` pixels (mean motion length, accumulated
    since the last refresh)."""

    tau: float = 8.0
    moved: float = field(default=0.0, init=False)
    family: ClassVar[str] = "motion"
    reads_motion: ClassVar[bool] = True

    def reset(self) -> None:
        self.moved = 0.0

    def refreshed(self, info: FrameInfo) -> None:
        self.moved = 0.0

    def wants_refresh(self, x, cached_input, info) -> bool:
        if not math.isfinite(info.motion):
            return True  # a motion that cannot be measured would never add up to tau
        self.moved += info.motion
        return self.moved > self.tau
