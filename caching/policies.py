"""Refresh policies: per frame, run the whole network (refresh) or reuse the cached deep
features. Each is a plain function of the input, the input that built the cache and the
frame's facts, plus (for accumulating ones) a little state.

Spec strings: ``full``, ``every-N``, ``delta-<tau>``, ``delta-H``, ``delta-L``,
``motion-<tau>``, ``motion-H``, ``motion-L``, ``lfd-<tau>``. The named presets' taus are per
task (``caching.presets``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

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


def smape(x: torch.Tensor, c: torch.Tensor) -> float:
    """ReFrame's Delta: ``2 * mean|x - c| / mean(|x| + |c|)`` over the whole tensor."""
    num = (x - c).abs().mean()
    den = (x.abs() + c.abs()).mean()
    return float(2.0 * num / den.clamp(min=1e-12))


def low_frequency_difference(x: torch.Tensor, c: torch.Tensor, factor: int = 8) -> float:
    """Relative L1 (SMAPE) of strongly downsampled (box-filtered) ``x`` and ``c``:
    PreciseCache's low-frequency difference, blind to per-pixel noise."""
    pool = lambda t: F.avg_pool2d(t.reshape(-1, *t.shape[-3:]), factor, ceil_mode=True)  # noqa: E731
    return smape(pool(x), pool(c))


@dataclass
class Policy:
    """Base: never refreshes on its own (the cache still forces refreshes)."""

    spec: str

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
    tau: float = 0.1

    def wants_refresh(self, x, cached_input, info) -> bool:
        return smape(x, cached_input) > self.tau


@dataclass
class LowFrequency(Policy):
    tau: float = 0.05

    def wants_refresh(self, x, cached_input, info) -> bool:
        return low_frequency_difference(x, cached_input) > self.tau


@dataclass
class Motion(Policy):
    """Refresh once the image has moved ``tau`` pixels (mean motion length, accumulated
    since the last refresh)."""

    tau: float = 8.0
    moved: float = field(default=0.0, init=False)

    def reset(self) -> None:
        self.moved = 0.0

    def refreshed(self, info: FrameInfo) -> None:
        self.moved = 0.0

    def wants_refresh(self, x, cached_input, info) -> bool:
        self.moved += info.motion
        return self.moved > self.tau


_SPEC = re.compile(r"^(full|every-(\d+)|(delta|motion|lfd)-(H|L|\d*\.?\d+(?:e-?\d+)?))$")


class PolicyError(ValueError):
    """A policy spec that cannot be parsed."""


def parse_policy(spec: str, presets: dict[str, float] | None = None) -> Policy:
    """A policy from its spec. ``presets`` maps ``delta-H`` etc. to taus.

    Raises:
        PolicyError: naming the spec and the forms that are accepted.
    """
    match = _SPEC.match(spec.strip())
    if not match:
        raise PolicyError(
            f"bad policy {spec!r}: use full, every-N, delta-H, delta-L, delta-<tau>, "
            "motion-H, motion-L, motion-<tau> or lfd-<tau>"
        )
    if match.group(1) == "full":
        return Full(spec)
    if match.group(2):
        n = int(match.group(2))
        if n < 1:
            raise PolicyError(f"bad policy {spec!r}: N must be at least 1")
        return EveryN(spec, n)
    family, value = match.group(3), match.group(4)
    if value in ("H", "L"):
        if family == "lfd" or presets is None or f"{family}-{value}" not in presets:
            raise PolicyError(f"bad policy {spec!r}: no preset {family}-{value} here")
        tau = presets[f"{family}-{value}"]
    else:
        tau = float(value)
    cls = {"delta": Delta, "motion": Motion, "lfd": LowFrequency}[family]
    return cls(spec, tau)
