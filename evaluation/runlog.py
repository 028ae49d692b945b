"""The per-frame numbers of one evaluation run, as the runner hands them over: what the
report tables, summary.json, frames.csv and the plots are all made from."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from evaluation.runner import FrameResult


@dataclass
class RunLog:
    """Per-frame numbers of one task on one scene and path."""

    task: str
    scene: str
    path: str
    resolution: tuple[int, int]
    arch: str | None = None
    deep_share: float | None = None
    """Share of the network's FLOPs in its deep stage (what a reuse frame skips)."""
    rows: list[dict] = field(default_factory=list)
    cuts: list[int] = field(default_factory=list)
    """Frames where the camera jumps: marked in the plots whether or not they were scored
    (extrapolation scores none of them)."""
    budget_ms: float | None = None
    """The frame budget every method was held to (an equal-time comparison; its median over
    the frames where it moved), else None."""
    budget_measured_ms: float | None = None
    """The median frame time of the full network's pipeline at 1 spp on the first frames,
    every method played at 1 spp (the budget 'auto' starts from)."""
    reference: bool = True
    """Scored against a reference; False: against the full network only (frames from a
    directory without a reference layer), and every ``*_vs_ref`` number is None."""

    def add(self, result: FrameResult) -> None:
        if result.frame.cut and result.index not in self.cuts:
            self.cuts.append(result.index)
        for method, ms in result.ms.items():
            ref = result.vs_reference.get(method)
            full = result.vs_full.get(method)
            refresh = result.refresh[method]
            self.rows.append({
                "task": self.task, "scene": self.scene, "path": self.path,
                "frame": result.index, "method": method,
                "refresh": "" if refresh is None else int(refresh), "ms": ms,
                "psnr_vs_ref": ref.psnr if ref else None,
                "ssim_vs_ref": ref.ssim if ref else None,
                "flip_vs_ref": ref.flip if ref else None,
                "psnr_vs_full": full.psnr if full else None,
                "ssim_vs_full": full.ssim if full else None,
                "flip_vs_full": full.flip if full else None,
                "tau": result.tau.get(method),
                "depth": result.depth.get(method),
                "spp": result.spp.get(method, result.frame.spp),
            })  # fmt: skip

    def methods(self) -> list[str]:
        return list(dict.fromkeys(r["method"] for r in self.rows))

    def of(self, method: str) -> list[dict]:
        return [r for r in self.rows if r["method"] == method]

    def record(self) -> dict:
        """The log as JSON data (a unit's result): :meth:`from_record` gives it back."""
        return asdict(self)

    @classmethod
    def from_record(cls, record: dict) -> RunLog:
        return cls(**{**record, "resolution": tuple(record["resolution"])})
