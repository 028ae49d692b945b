"""Speed against quality over a tau sweep: Pareto fronts, the gain of one policy family over
another at the same FLIP, and the plot."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only; never a window
import matplotlib.pyplot as plt

from common.atomic import atomic_path
from evaluation.calibration import SweepRow


def front(rows: Sequence[SweepRow]) -> list[SweepRow]:
    """The rows no other row beats on both speedup and FLIP, by increasing FLIP."""
    kept: list[SweepRow] = []
    for row in sorted(rows, key=lambda r: (r.flip, -r.speedup)):
        if not kept or row.speedup > kept[-1].speedup:
            kept.append(row)
    return kept


def best_within(rows: Sequence[SweepRow], flip: float) -> SweepRow | None:
    """The fastest row whose FLIP is at most ``flip``."""
    fitting = [r for r in rows if r.flip <= flip]
    return max(fitting, key=lambda r: r.speedup) if fitting else None


def gains(
    plain: Sequence[SweepRow], other: Sequence[SweepRow]
) -> list[tuple[SweepRow, SweepRow | None]]:
    """For each point of ``plain``'s front, ``other``'s fastest row at equal or lower FLIP."""
    return [(p, best_within(other, p.flip)) for p in front(plain)]


def speedup_at(rows: Sequence[SweepRow], flip: float) -> float | None:
    """The speedup of ``rows``' front at ``flip``: linear between the front's points, its
    last point's beyond them, None below its first (nothing measured reaches that FLIP)."""
    points = front(rows)
    if not points or flip < points[0].flip:
        return None
    for a, b in pairwise(points):
        if flip <= b.flip:
            return a.speedup + (b.speedup - a.speedup) * (flip - a.flip) / (b.flip - a.flip)
    return points[-1].speedup


def gains_at_equal_flip(
    plain: Sequence[SweepRow], other: Sequence[SweepRow]
) -> list[tuple[SweepRow, float | None]]:
    """For each point of ``other``'s front, ``plain``'s speedup at the same FLIP, read off
    ``plain``'s front between its measured points (:func:`speedup_at`)."""
    return [(o, speedup_at(plain, o.flip)) for o in front(other)]


def plot(runs: dict[str, Sequence[SweepRow]], title: str, file: Path) -> Path:
    """One panel per run (scene), one curve per policy family: speedup against mean FLIP vs
    the full network."""
    fig, axes = plt.subplots(1, len(runs), figsize=(5.2 * len(runs), 4.4), squeeze=False)
    for ax, (name, rows) in zip(axes[0], runs.items(), strict=True):
        for family in dict.fromkeys(r.family for r in rows):
            these = sorted((r for r in rows if r.family == family), key=lambda r: r.tau)
            style = "--" if family.endswith("+warp") else "-"
            line = ax.plot([r.flip for r in these], [r.speedup for r in these], style,
                           marker="o", ms=4, label=family)[0]  # fmt: skip
            for r in these:
                ax.annotate(f"{r.tau:g}", (r.flip, r.speedup), fontsize=6,
                            color=line.get_color(), xytext=(3, 3),
                            textcoords="offset points")  # fmt: skip
        ax.set_xscale("symlog", linthresh=1e-3)
        ax.set_xlabel("mean FLIP vs the full network")
        ax.set_title(name)
        ax.grid(alpha=0.3, which="both")
    axes[0, 0].set_ylabel("speedup over the full network")
    axes[0, -1].legend(fontsize=8)
    fig.suptitle(title)
    fig.tight_layout()
    file.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(file) as tmp:
        fig.savefig(tmp, dpi=100, format="png")
    plt.close(fig)
    return file
