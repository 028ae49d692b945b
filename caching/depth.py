"""Adaptive depth (``+depth``, PreciseCache's BlockCache for a U-Net): per frame, recompute
only as deep as the content changed.

A refresh keeps the deep feature of every cut level ``k`` (``C_k``: what the decoder climbs
from after a cut at ``k``) and the input each level's deeper part was fed (the encoder
output of level ``k - 1``). A later frame runs the encoder from the top, one level at a
time; at level ``k`` it compares the freshly computed input of the deeper part with the one
kept, by the policy's measure (SMAPE for ``delta``, the low-frequency difference for
``lfd``) against the policy's tau. Within tau, ``C_k`` is reused and the decoder climbs back
from there (depth ``k``); the levels it recomputed on the way keep their new features and
inputs. Else the encoder goes one level deeper; past the last level the frame is a refresh
(depth ``max_cut + 1``), which reuses the encoder levels already run. It holds one feature
and one input per level, whatever the number of frames.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

import torch
from torch import nn

from caching.measures import low_frequency_difference, read_host, smape
from caching.policies import FrameInfo, LowFrequency, Policy
from common.padding import pad_to
from common.placement import as_input


@runtime_checkable
class LevelStaged(Protocol):
    """A staged network (``caching.protocol.Staged``) that can be cut at every level and
    climbed from any of them, keeping what it passes."""

    alignment: int
    max_cut: int

    def encode_level(self, h: torch.Tensor, i: int) -> torch.Tensor:
        """Encoder level ``i`` from level ``i - 1``'s output (the aligned input for 0)."""
        ...

    def deep(self, skips: list[torch.Tensor], k: int = 1) -> Any: ...

    def climb(self, c: Any, skips: list[torch.Tensor], k: int) -> tuple[torch.Tensor, dict]:
        """``top_decoder(c, skips, k)`` and the features ``{j: C_j}`` of every level
        ``j < k`` it computed on the way."""
        ...


@dataclass
class DepthStats:
    """What the cache did, frame by frame."""

    depths: list[int] = field(default_factory=list)
    """Per frame: the level it recomputed down to (1: ReFrame's reuse; ``max_cut + 1``: a
    refresh)."""
    forced: list[bool] = field(default_factory=list)
    max_cut: int = 1

    @property
    def refreshes(self) -> list[bool]:
        return [d > self.max_cut for d in self.depths]


class DepthCache(nn.Module):
    """``net`` behind adaptive-depth caching; ``forward(x, info)`` as ``LayerCache``'s.

    Raises:
        TypeError: ``net`` cannot be cut at every level, or ``policy`` has no measure of a
            level's input (only ``delta`` and ``lfd`` have).
    """

    def __init__(self, net: nn.Module, policy: Policy) -> None:
        super().__init__()
        if not isinstance(net, LevelStaged):
            raise TypeError(
                f"{type(net).__name__} cannot be cut at every level (encode_level, climb, "
                "max_cut): +depth needs that"
            )
        if policy.family not in ("delta", "lfd"):
            raise TypeError(f"{policy.spec}: +depth compares each level by delta or lfd")
        self.net = net
        self.policy = policy
        self.enabled = True
        self.last_refresh: bool | None = None
        self.last_depth: int | None = None
        self.last_check = None
        self.cuda_graphs = False
        self.stats = DepthStats(max_cut=net.max_cut)
        self._features: dict[int, Any] = {}
        self._inputs: dict[int, torch.Tensor] = {}
        self._where: tuple | None = None
        """Shape, dtype and device of the input the features were built on."""

    def reset(self) -> None:
        self._features, self._inputs, self._where = {}, {}, None
        self.policy.reset()
        self.stats = DepthStats(max_cut=self.net.max_cut)
        self.last_refresh = self.last_depth = None

    def measure(self, fresh: torch.Tensor, kept: torch.Tensor) -> float:
        """The policy's measure of a level's input against the one kept, in float32 (a
        half-precision mean of a small change underflows to 0: a changed frame would pass
        for an unchanged one)."""
        fresh, kept = fresh.float(), kept.float()
        if isinstance(self.policy, LowFrequency):
            return low_frequency_difference(fresh, kept, self.policy.factor)
        return smape(fresh, kept)

    def forward(self, x: torch.Tensor, info: FrameInfo | None = None, check: bool = False):
        """(B, C, H, W) -> the network's output for ``x``."""
        if not self.enabled:
            return self.net(as_input(x, self.net))
        info = info or FrameInfo(index=len(self.stats.depths))
        h, w = x.shape[-2:]
        padded = as_input(pad_to(x, self.net.alignment), self.net)
        finite = math.isfinite(read_host(x.sum(dtype=torch.float32))[0])
        # The unpadded shape: two sizes that pad alike still hold other images.
        where = (x.shape, x.dtype, x.device)
        forced = not finite or info.cut or self._where != where
        top, skips = self.net.max_cut, []
        for k in range(1, top + 1):
            skips.append(self.net.encode_level(padded if k == 1 else skips[-1], k - 1))
            if not forced and self.measure(skips[-1], self._inputs[k]) <= self.policy.tau:
                out, fresh = self.net.climb(self._features[k], skips, k)
                self._keep(fresh, skips, below=k)
                return self._record(k, forced, out[..., :h, :w])
        deepest = self.net.deep(skips, top)
        out, fresh = self.net.climb(deepest, skips, top)
        self._keep({**fresh, top: deepest}, skips, below=top + 1)
        # Features built on a broken input must not outlive its frame.
        self._where = where if finite else None
        return self._record(top + 1, forced, out[..., :h, :w])

    def _keep(self, fresh: dict, skips: list[torch.Tensor], below: int) -> None:
        """The features of the levels above ``below`` were recomputed: keep them and the
        inputs they were built on."""
        for k in range(1, below):
            self._features[k] = fresh[k]
            self._inputs[k] = skips[k - 1]

    def _record(self, depth: int, forced: bool, out: torch.Tensor) -> torch.Tensor:
        self.last_depth = depth
        self.last_refresh = depth > self.net.max_cut
        self.stats.depths.append(depth)
        self.stats.forced.append(forced)
        return out
