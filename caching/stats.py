"""What a layer cache did, frame by frame."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class CacheStats:
    """What the cache did, frame by frame."""

    refreshes: list[bool] = field(default_factory=list)
    """Per frame: ran the whole network."""
    forced: list[bool] = field(default_factory=list)
    """Per frame: the refresh was forced (first frame, new shape, cut, non-finite input)."""
    decision_ms: list[float] = field(default_factory=list)
    """Per frame: time spent deciding (for ``+warp``, composing the motion and warping the
    cached input included); on CUDA, timed by events on the GPU's clock."""
    host_reads: list[int] = field(default_factory=list)
    """Per frame: device-to-host transfers the decision made (``caching.measures.read_host``;
    on a GPU each waits for the queued work). One where the policy measures the input or
    the finiteness check runs; none on a forced refresh of a policy that compares inputs."""
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
