"""The layer cache (ReFrame): a wrapper that runs a staged network in full on refresh frames,
keeping its deep features, and only its top blocks on the frames in between.

It holds one set of cached tensors (the deep features and the input that built them, and
for ``+warp`` policies the motion composed since the refresh), never more, whatever the
number of frames. With ``enabled = False`` it is the plain network.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from typing import Any

import torch
from torch import nn
from torch.utils._pytree import tree_leaves

from caching.policies import FrameInfo, Policy
from caching.protocol import Staged
from caching.warp import compose_flow, warp_features, warp_nearest
from common.padding import pad_to


class CachedTensorMutated(RuntimeError):
    """A stage wrote into a cached tensor in place."""


def _versions(features: Any) -> list[int]:
    """The version counters of the tensors of a pytree (in-place writes move them)."""
    return [t._version for t in tree_leaves(features) if isinstance(t, torch.Tensor)]


def deep_features(net: nn.Module, skips: list[torch.Tensor], cut: int) -> Any:
    """``net.deep(skips, cut)``, outside inference mode: tensors made in inference mode keep
    no version counter, and the guard against in-place writes into cached features reads
    theirs. Grad mode stays the caller's as it is here (off in inference mode): leaving
    inference mode would turn it back on, and the deep stage would record a graph, or fail
    on a skip made in inference mode."""
    grad = torch.is_grad_enabled()
    with torch.inference_mode(False), torch.set_grad_enabled(grad):
        return net.deep(skips, cut)


@dataclass
class CacheStats:
    """What the cache did, frame by frame."""

    refreshes: list[bool] = field(default_factory=list)
    """Per frame: ran the whole network."""
    forced: list[bool] = field(default_factory=list)
    """Per frame: the refresh was forced (first frame, new shape, cut, non-finite input)."""
    decision_ms: list[float] = field(default_factory=list)
    """Per frame: time spent deciding (for ``+warp``, composing the motion and warping the
    cached input included)."""
    flops_full: int = 0
    flops_run: int = 0

    @property
    def frames(self) -> int:
        return len(self.refreshes)

    @property
    def refresh_count(self) -> int:
        return sum(self.refreshes)

    @property
    def frames_skipped(self) -> int:
        return self.frames - self.refresh_count

    @property
    def flops_removed(self) -> float | None:
        """Share of the full network's FLOPs not run (None without a FLOP counter)."""
        return 1.0 - self.flops_run / self.flops_full if self.flops_full else None


class LayerCache(nn.Module):
    """Wraps ``net`` (see :class:`caching.protocol.Staged`); ``forward(x, info)``.

    Args:
        net: the staged network.
        policy: decides refresh or reuse when reuse is possible.
        cut: how many top levels a reuse frame recomputes (1: ReFrame's cut).

    Raises:
        TypeError: ``net`` does not expose the stages.
        ValueError: ``net`` cannot be cut at ``cut`` (checked through its FLOP counter).
    """

    def __init__(self, net: nn.Module, policy: Policy, cut: int = 1) -> None:
        super().__init__()
        if not isinstance(net, Staged):
            raise TypeError(
                f"{type(net).__name__} does not expose top_encoder, deep and top_decoder"
            )
        if hasattr(net, "stage_flops"):
            net.stage_flops(net.alignment, net.alignment, cut)
        self.net = net
        self.policy = policy
        self.cut = cut
        self.enabled = True
        self.stats = CacheStats()
        self.last_refresh: bool | None = None
        self._features: Any = None
        self._input: torch.Tensor | None = None
        self._flow: torch.Tensor | None = None
        self._versions: list[int] = []
        self.last_check: torch.Tensor | None = None

    def reset(self) -> None:
        """Drop the cached tensors and the statistics (a new sequence)."""
        self._features = None
        self._input = None
        self._flow = None
        self.policy.reset()
        self.stats = CacheStats()
        self.last_refresh = None

    @property
    def report(self) -> Any:
        """What :func:`caching.wrap` found (None for a network staged by hand)."""
        return getattr(self.net, "report", None)

    def forward(
        self, x: torch.Tensor, info: FrameInfo | None = None, check: bool = False
    ) -> torch.Tensor:
        """(B, C, H, W) -> the network's output for ``x``.

        With ``check`` (for ``+online``), the frame is refreshed whatever the policy says,
        and what reuse would have given is kept in ``last_check`` (None on a forced
        refresh: no cached features fit then).

        Raises:
            CachedTensorMutated: the top decoder wrote into a cached tensor in place.
        """
        self.last_check = None
        if not self.enabled:
            return self.net(x)
        info = info or FrameInfo(index=self.stats.frames)
        h, w = x.shape[-2:]
        padded = pad_to(x, self.net.alignment)
        skips = self.net.top_encoder(padded, self.cut)
        start = time.perf_counter()
        finite, forced = self._checks(x, info, self.policy.compares_input)
        warp = not forced and self.policy.warp and info.flow is not None
        against = self._input
        if warp:
            self._flow = compose_flow(self._flow, info.flow.to(x.dtype))
            if self.policy.compares_input:
                # The policy judges what reuse will show: the cached input moved like the
                # features, so motion alone does not call for a refresh.
                against = warp_nearest(self._input, self._flow)
                info = replace(info, warped=against is not self._input)
        refresh = forced or self.policy.wants_refresh(x, against, info)
        if finite is None:  # the policy's own pass over the input has told
            finite = self.policy.input_finite
            if not finite:
                forced = refresh = True
        decided = (time.perf_counter() - start) * 1e3
        if check and not forced:
            reused = self._reused(warp, tuple(padded.shape[-2:]))
            self.last_check = self._decode(reused, skips)[..., :h, :w]
            refresh = True
        if refresh:
            self._refresh(x, skips, forced, info)
            features = self._features
        else:
            features = self._reused(warp, tuple(padded.shape[-2:]))
        out = self._decode(features, skips)[..., :h, :w]
        if not finite:
            # Features built on a broken input must not outlive its frame: reuse frames
            # would show them, and a policy comparing against a NaN input never refreshes.
            self._features = self._input = self._flow = None
        self._record(refresh, forced, decided, h, w)
        return out

    def _reused(self, warp: bool, padded: tuple[int, int]) -> Any:
        """The cached features for a reuse frame: as kept, or warped by ``+warp``."""
        if not warp:
            return self._features
        return warp_features(self._features, self._flow, padded)

    def _decode(self, features: Any, skips: list[torch.Tensor]) -> torch.Tensor:
        """The top decoder, and the guard: a cached tensor it changed in place would show on
        every later reuse frame, drifting silently, so the cache is dropped and it raises."""
        out = self.net.top_decoder(features, skips, self.cut)
        if _versions(self._features) != self._versions:
            self._features = self._input = self._flow = None
            raise CachedTensorMutated(
                f"{type(self.net).__name__}.top_decoder wrote in place into a cached tensor "
                "(its version counter moved): the next reuse frames would show that write. "
                "Make the operations on the cached feature out of place (h = h + skip, not "
                "h += skip; no ReLU(inplace=True) on it), or cache another tensor"
            )
        return out

    def _refresh(
        self, x: torch.Tensor, skips: list[torch.Tensor], forced: bool, info: FrameInfo
    ) -> None:
        self._features = deep_features(self.net, skips, self.cut)
        self._versions = _versions(self._features)
        if forced or self._input is None:
            self._input = x.detach().clone()
        else:
            self._input.copy_(x)  # same shape, dtype and device: no new allocation
        self.policy.refreshed(info)
        self._flow = None

    def _checks(
        self, x: torch.Tensor, info: FrameInfo, defer: bool = False
    ) -> tuple[bool | None, bool]:
        """(the input is finite, the frame must refresh whatever the policy says).

        With ``defer``, a frame the policy will judge leaves finiteness to it (None): a
        policy that compares inputs reads every value anyway, and a NaN or inf anywhere
        shows in its measure, so a second pass over the input is saved (0.6 ms of a 2-3 ms
        decision at 640x360, read cold).
        """
        c = self._input
        forced = (
            c is None
            or info.cut
            or c.shape != x.shape
            or c.dtype != x.dtype
            or c.device != x.device
        )
        if defer and not forced:
            return None, False
        # One reduction instead of a mask of the whole input: NaN and inf survive a sum (a
        # finite input that overflows it only costs a refresh; summed in float32, a half
        # input would overflow at 65504 and never be reused).
        finite = bool(torch.isfinite(x.sum(dtype=torch.float32)))
        return finite, forced or not finite

    def _record(self, refresh: bool, forced: bool, decided: float, h: int, w: int) -> None:
        self.last_refresh = refresh
        s = self.stats
        s.refreshes.append(refresh)
        s.forced.append(forced)
        s.decision_ms.append(decided)
        counter = getattr(self.net, "stage_flops", None)
        if counter is not None:
            flops = counter(h, w, self.cut)
            total = sum(flops.values())
            s.flops_full += total
            s.flops_run += total if refresh else total - flops["deep"]
