"""Refresh policies: per frame, run the whole network (refresh) or reuse the cached deep
features. Each is a plain function of the input, the input that built the cache and the
frame's facts, plus (for accumulating ones) a little state.

Spec strings: ``full``, ``every-N``, ``delta-<tau>``, ``delta-H``, ``delta-L``,
``motion-<tau>``, ``motion-H``, ``motion-L``, ``lfd-<tau>``, and ``<family>-auto`` for a tau
``reframe-rt calibrate`` chose. The named presets' taus are per task (``caching.presets``).
Modifiers follow, each at most once: ``+warp`` (any policy but ``full``: motion-compensated
reuse; delta and lfd then compare the input with the cached input warped the same way) and
``+online`` (delta, motion and lfd: tau adapted while running, ``caching.online``).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import ClassVar

import torch
import torch.nn.functional as F


@dataclass(frozen=True)
class FrameInfo:
    """What a policy may know about a frame beyond the network input."""

    index: int = 0
    cut: bool = False
    """The camera jumped since the previous frame."""
    motion: float = 0.0
    """Mean motion-vector length in pixels (frame to previous frame)."""
    flow: torch.Tensor | None = None
    """(B, 2, H, W) motion vectors of the frame at the input's size (DESIGN.md's convention),
    for ``+warp`` policies; None: reuse frames are not warped."""
    warped: bool = False
    """Set by the cache: the cached input a policy is given was warped into this frame
    (``+warp``), so it is another tensor every frame and nothing computed from it may be
    kept."""


def smape(x: torch.Tensor, c: torch.Tensor) -> float:
    """ReFrame's Delta: ``2 * mean|x - c| / mean(|x| + |c|)`` over the whole tensor."""
    num = (x - c).abs().mean()
    den = (x.abs() + c.abs()).mean()
    return float(2.0 * num / den.clamp(min=1e-12))


def low_frequency_difference(x: torch.Tensor, c: torch.Tensor, factor: int = 8) -> float:
    """Relative L1 (SMAPE) of strongly downsampled (box-filtered) ``x`` and ``c``:
    PreciseCache's low-frequency difference, blind to per-pixel noise."""
    return smape(_box(x, factor), _box(c, factor))


def _box(t: torch.Tensor, factor: int) -> torch.Tensor:
    """(..., C, H, W) -> (N, C, ceil(H / factor), ceil(W / factor)) box-filtered."""
    t = t.reshape(-1, *t.shape[-3:])
    n, c, h, w = t.shape
    if h % factor or w % factor or not t.is_contiguous(memory_format=torch.channels_last):
        return F.avg_pool2d(t, factor, ceil_mode=True)
    # Read as (N, H, W, C), a channels-last image is rows of W * C values: adding up each
    # block's `factor` rows is a vectorised pass over memory in order, and what is left is
    # `factor` times smaller. avg_pool2d walks every window on its own (timings in
    # BENCHMARKS.md, "Decision cost").
    rows = t.permute(0, 2, 3, 1).reshape(n, h // factor, factor, w * c).sum(2)
    pooled = rows.view(n, h // factor, w // factor, factor, c).sum(3)
    return (pooled / (factor * factor)).permute(0, 3, 1, 2)


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


class _Against:
    """The cached side of a comparison, kept from one refresh to the next, and one reusable
    workspace: the cached input only changes on refreshes, and a fresh full-size temporary
    per frame costs more than the arithmetic (page faults on every allocation)."""

    def __init__(self) -> None:
        self.forget()

    def forget(self) -> None:
        self.key: tuple | None = None
        self.value: torch.Tensor | None = None
        self.work: torch.Tensor | None = None
        self.chunk: torch.Tensor | None = None

    def kept(self, c: torch.Tensor, compute, moving: bool = False) -> torch.Tensor:
        """``compute(c)``, from the last call's result while ``c`` is the same tensor
        (``moving``: it never is; a warped input can reuse a freed one's memory)."""
        if moving:
            self.key = self.value = None  # the workspace stays: it fits the next frame too
            return compute(c)
        key = (c.data_ptr(), c.shape, c.dtype, c.device)
        if key != self.key:
            self.key, self.value = key, compute(c)
        return self.value

    def l1(self, x: torch.Tensor, c: torch.Tensor | None = None) -> torch.Tensor:
        """``sum|x - c|`` (``sum|x|`` without ``c``), a 0-d tensor.

        On the CPU, over the tensors' memory in chunks that stay in cache: the subtraction,
        the absolute value and the sum then read the inputs from memory once, where whole
        tensors took six passes (a quarter less time; BENCHMARKS.md, "Refresh decisions").
        """
        fx, fc = _flat(x), (None if c is None else _flat(c))
        # Chunks pair up element by element only between two tensors laid out alike.
        unlike = c is not None and (fc is None or c.stride() != x.stride())
        if x.device.type != "cpu" or fx is None or unlike:
            w = self.workspace(x)
            return (torch.abs(x, out=w) if c is None else torch.sub(x, c, out=w).abs_()).sum()
        if self.chunk is None or self.chunk.dtype != x.dtype:
            self.chunk = torch.empty(CHUNK, dtype=x.dtype)
        total = torch.zeros((), dtype=x.dtype)
        for i in range(0, fx.numel(), CHUNK):
            a = fx[i : i + CHUNK]
            w = self.chunk[: a.numel()]
            if fc is None:
                torch.abs(a, out=w)
            else:
                torch.sub(a, fc[i : i + CHUNK], out=w).abs_()
            total += w.sum()
        return total

    def workspace(self, x: torch.Tensor) -> torch.Tensor:
        w = self.work
        # Same layout as x too: an out= of another memory format is written out of order.
        if w is None or (w.shape, w.stride(), w.dtype, w.device) != (
            x.shape,
            x.stride(),
            x.dtype,
            x.device,
        ):
            w = self.work = torch.empty_like(x)
        return w


CHUNK = 1 << 20
"""Elements per chunk of :meth:`_Against.l1`: 4 MB of float32, a size that measured fastest
(256 K to 1 M elements alike; 64 K pays the calls)."""


def _flat(t: torch.Tensor) -> torch.Tensor | None:
    """``t``'s elements in memory order as a 1-d view (None unless it is dense)."""
    if t.is_contiguous():
        return t.view(-1)
    if t.dim() == 4 and t.is_contiguous(memory_format=torch.channels_last):
        return t.permute(0, 2, 3, 1).reshape(-1)
    return None


@dataclass
class Delta(Policy):
    """Refresh when :func:`smape` of the input against the cached input exceeds ``tau``.

    Computes the same quantity as :func:`smape` (up to float rounding) with sums of the
    cached side kept per refresh and no allocation per frame.
    """

    tau: float = 0.1
    _against: _Against = field(default_factory=_Against, init=False, repr=False, compare=False)
    family: ClassVar[str] = "delta"
    compares_input: ClassVar[bool] = True

    def reset(self) -> None:
        self._against.forget()

    def refreshed(self, info: FrameInfo) -> None:
        self._against.forget()  # the cache copies into the same buffer: same data_ptr

    def measure(self, x: torch.Tensor, c: torch.Tensor, moving: bool = False) -> float:
        """SMAPE of ``x`` against ``c`` (same shapes)."""
        diff, c_sum = self._diff_and_cached_sum(x, c, moving)
        return _smape_of(diff, self._sum_abs(x), c_sum)

    def wants_refresh(self, x, cached_input, info) -> bool:
        diff, c_sum = self._diff_and_cached_sum(x, cached_input, info.warped)
        d, c = float(diff), float(c_sum)
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
        return _smape_of(diff, self._sum_abs(x), c_sum) > self.tau

    def _diff_and_cached_sum(
        self, x: torch.Tensor, c: torch.Tensor, moving: bool = False
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """``sum|x - c|`` and ``sum|c|`` (kept from one refresh to the next unless
        ``moving``), 0-d tensors."""
        a = self._against
        return a.l1(x, c), a.kept(c, a.l1, moving)

    def _sum_abs(self, x: torch.Tensor) -> torch.Tensor:
        return self._against.l1(x)


def _smape_of(diff: torch.Tensor, x_sum: torch.Tensor, c_sum: torch.Tensor) -> float:
    return float(2.0 * diff / (x_sum + c_sum).clamp(min=1e-12))


BOUND_MARGIN = 1e-4
"""Relative margin on :class:`Delta`'s bounds: float32 sums of a frame are exact to far less."""


@dataclass
class LowFrequency(Policy):
    """Refresh when :func:`low_frequency_difference` exceeds ``tau``; the cached input's
    downsampled copy is kept per refresh."""

    tau: float = 0.05
    factor: int = 8
    _against: _Against = field(default_factory=_Against, init=False, repr=False, compare=False)
    family: ClassVar[str] = "lfd"
    compares_input: ClassVar[bool] = True

    def reset(self) -> None:
        self._against.forget()

    def refreshed(self, info: FrameInfo) -> None:
        self._against.forget()

    def measure(self, x: torch.Tensor, c: torch.Tensor, moving: bool = False) -> float:
        """Low-frequency difference of ``x`` against ``c`` (same shapes)."""
        c_low = self._against.kept(c, lambda t: _box(t, self.factor), moving)
        return smape(_box(x, self.factor), c_low)

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


_SPEC = re.compile(r"^(full|every-(\d+)|(delta|motion|lfd)-(H|L|auto|\d*\.?\d+(?:e-?\d+)?))$")


WARP = "warp"
ONLINE = "online"
MODIFIERS = (WARP, ONLINE)


class PolicyError(ValueError):
    """A policy spec that cannot be parsed."""


def parse_policy(spec: str, presets: dict[str, float] | None = None) -> Policy:
    """A policy from its spec. ``presets`` maps ``delta-H`` etc. to taus.

    Raises:
        PolicyError: naming the spec and the forms that are accepted.
    """
    base, *modifiers = spec.strip().split("+")
    for modifier in modifiers:
        if modifier not in MODIFIERS or modifiers.count(modifier) > 1:
            raise PolicyError(
                f"bad policy {spec!r}: the modifiers are +{WARP} and +{ONLINE}, each at most once"
            )
    policy = _parse_base(base, spec, presets)
    if modifiers and isinstance(policy, Full):
        raise PolicyError(f"bad policy {spec!r}: full takes no modifiers (it caches nothing)")
    policy.warp = WARP in modifiers
    policy.online = ONLINE in modifiers
    if policy.online and not policy.family:
        raise PolicyError(f"bad policy {spec!r}: +{ONLINE} adapts a tau: use delta, motion or lfd")
    return policy


def _parse_base(base: str, spec: str, presets: dict[str, float] | None) -> Policy:
    match = _SPEC.match(base)
    if not match:
        raise PolicyError(
            f"bad policy {spec!r}: use full, every-N, delta-H, delta-L, delta-auto, "
            "delta-<tau>, motion-H, motion-L, motion-auto, motion-<tau>, lfd-auto or lfd-<tau>, "
            "each but full optionally followed by +warp and (but every-N) +online"
        )
    if match.group(1) == "full":
        return Full(spec)
    if match.group(2):
        n = int(match.group(2))
        if n < 1:
            raise PolicyError(f"bad policy {spec!r}: N must be at least 1")
        return EveryN(spec, n)
    family, value = match.group(3), match.group(4)
    if value in ("H", "L", "auto"):
        name = f"{family}-{value}"
        if presets is None or name not in presets:
            if value == "auto":
                raise PolicyError(
                    f"no calibrated tau for {spec!r} for this task: run 'reframe-rt "
                    "calibrate --task TASK --flip-budget B' (a family none of whose taus kept "
                    "the budget has none)"
                )
            raise PolicyError(f"bad policy {spec!r}: no preset {name} here")
        tau = presets[name]
    else:
        tau = float(value)
    cls = {"delta": Delta, "motion": Motion, "lfd": LowFrequency}[family]
    return cls(spec, tau)
