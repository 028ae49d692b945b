"""The layer cache (ReFrame): a wrapper that runs a staged network in full on refresh frames,
keeping its deep features, and only its top blocks on the frames in between.

It holds one set of cached tensors (the deep features and the input that built them, and
for ``+warp`` policies the motion composed since the refresh), never more, whatever the
number of frames. With ``enabled = False`` it is the plain network.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import torch
from torch import nn
from torch.utils._pytree import tree_leaves

from caching import graphs
from caching.graphs import GraphedPaths, copy_features
from caching.measures import HOST_READS, read_host
from caching.policies import FrameInfo, Policy
from caching.protocol import Staged
from caching.stats import CacheStats
from caching.warp import compose_flow, warp_features, warp_nearest
from common.padding import pad_to
from common.placement import as_input
from common.timing import Lap


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
class _Decision:
    refresh: bool
    forced: bool
    finite: bool
    warp: bool
    info: FrameInfo
    judged: torch.Tensor
    """The input the decision was made on (kept on a refresh for later decisions)."""
    ms: float
    reads: int


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
        self.cuda_graphs = False
        """Replay each path as a captured CUDA graph (``caching.graphs``) on CUDA inputs of
        a fixed shape; not for ``+warp`` policies or checked frames, which run as usual."""
        self._graphs: GraphedPaths | None = None
        self._pending: _Decision | None = None

    def reset(self) -> None:
        """Drop the cached tensors and the statistics (a new sequence)."""
        self._features = None
        self._input = None
        self._flow = None
        self._pending = None
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
        decision, self._pending = self._pending, None
        if not self.enabled:
            return self.net(as_input(x, self.net))
        h, w = x.shape[-2:]
        # The network runs at its own precision; the policy and the finiteness check read
        # the input as given (sums of a half input would overflow).
        padded = as_input(pad_to(x, self.net.alignment), self.net)
        if decision is not None and (
            check
            or decision.judged.shape != x.shape
            or (info is not None and info.index != decision.info.index)
        ):
            raise ValueError(
                "a decision made by decide() runs on the frame it was made for, on an input "
                "of the shape it judged, without check"
            )
        paths = self._graphed(padded, check)
        skips = None if paths is not None else self.net.top_encoder(padded, self.cut)
        d = decision or self._decision(x, info)
        refresh, forced = d.refresh, d.forced
        if check and not forced:
            reused = self._reused(d.warp, tuple(padded.shape[-2:]))
            self.last_check = self._decode(reused, skips)[..., :h, :w]
            refresh = True
        if paths is not None:
            out = self._replay(paths, d.judged, padded, refresh, forced, d.info)
            out = out[..., :h, :w].clone()
        else:
            if refresh:
                self._refresh(d.judged, skips, forced, d.info)
                features = self._features
            else:
                features = self._reused(d.warp, tuple(padded.shape[-2:]))
            out = self._decode(features, skips)[..., :h, :w]
        if not d.finite:
            # Features built on a broken input must not outlive its frame: reuse frames
            # would show them, and a policy comparing against a NaN input never refreshes.
            self._features = self._input = self._flow = None
        self._record(refresh, forced, d.ms, d.reads, h, w)
        return out

    def decide(self, x: torch.Tensor, info: FrameInfo | None = None) -> bool:
        """Decide now, on ``x``, whether the next call (for the same frame) refreshes: it
        runs on the input it is given, and a refresh keeps ``x`` for later decisions. For
        a pipeline that spends what the decision saves on a richer input (more samples):
        every decision then compares like with like."""
        if not self.enabled:
            return True
        if self._pending is not None:
            # A decision moves the policy's state (accumulated motion, +warp's flow): a
            # second one for the same frame would count the frame twice.
            raise ValueError("decide() twice without a call between: one decision per frame")
        self._pending = self._decision(x, info)
        return self._pending.refresh

    def _decision(self, x: torch.Tensor, info: FrameInfo | None) -> _Decision:
        info = info or FrameInfo(index=self.stats.frames)
        lap = Lap(x.device)
        reads = HOST_READS.count
        finite, forced, info = self._checks(x, info, self.policy.compares_input)
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
        ms = lap.end().ms()
        return _Decision(refresh, forced, finite, warp, info, x, ms, HOST_READS.count - reads)

    def _graphed(self, padded: torch.Tensor, check: bool) -> GraphedPaths | None:
        """The captured paths for ``padded``'s shape (captured now if the shape is new), or
        None where this frame runs as usual."""
        if not (self.cuda_graphs and graphs.capturable(padded)) or self.policy.warp or check:
            return None
        if self._graphs is None or not self._graphs.fits(padded):
            self._graphs = None  # the old graphs' memory first
            self._graphs = graphs.GraphedPaths(self.net, padded, self.cut, deep_features)
        return self._graphs

    def _replay(
        self,
        paths: GraphedPaths,
        x: torch.Tensor,
        padded: torch.Tensor,
        refresh: bool,
        forced: bool,
        info: FrameInfo,
    ) -> torch.Tensor:
        """A frame through the captured paths; the cache's features are the refresh
        graph's static outputs."""
        if refresh:
            out, self._features = paths.refresh(padded)
            self._remember(x, forced, info)
            return out
        if self._features is not paths.features:  # refreshed outside the graphs
            copy_features(paths.features, self._features)
            self._features = paths.features
        self._versions = _versions(self._features)
        return paths.reuse(padded)

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
        self._remember(x, forced, info)

    def _remember(self, x: torch.Tensor, forced: bool, info: FrameInfo) -> None:
        """After a refresh: the input the features were built on, for the policy."""
        self._versions = _versions(self._features)
        if forced or self._input is None:
            self._input = x.detach().clone()
        else:
            self._input.copy_(x)  # same shape, dtype and device: no new allocation
        self.policy.refreshed(info)
        self._flow = None

    def _checks(
        self, x: torch.Tensor, info: FrameInfo, defer: bool = False
    ) -> tuple[bool | None, bool, FrameInfo]:
        """(the input is finite, the frame must refresh whatever the policy says, ``info``
        with its motion read as a float where it was a tensor).

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
            return None, False, info
        # One reduction instead of a mask of the whole input: NaN and inf survive a sum (a
        # finite input that overflows it only costs a refresh; summed in float32, a half
        # input would overflow at 65504 and never be reused). A motion the caller left on
        # the device comes back in the same transfer.
        values = [torch.isfinite(x.sum(dtype=torch.float32))]
        if isinstance(info.motion, torch.Tensor):
            values.append(info.motion)
        read = read_host(*values)
        if len(read) > 1:
            info = replace(info, motion=read[1])
        finite = bool(read[0])
        return finite, forced or not finite, info

    def _record(
        self, refresh: bool, forced: bool, decided: float, reads: int, h: int, w: int
    ) -> None:
        self.last_refresh = refresh
        s = self.stats
        s.refreshes.append(refresh)
        s.forced.append(forced)
        s.decision_ms.append(decided)
        s.host_reads.append(reads)
        counter = getattr(self.net, "stage_flops", None)
        if counter is not None:
            flops = counter(h, w, self.cut)
            total = sum(flops.values())
            s.flops_full += total
            s.flops_run += total if refresh else total - flops["deep"]
