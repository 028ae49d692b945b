"""Plots of an evaluation: per-frame quality and time along the path, per task and scene."""

from __future__ import annotations

from pathlib import Path

import matplotlib
import numpy as np

matplotlib.use("Agg")  # files only; never a window
import matplotlib.pyplot as plt

from common.atomic import atomic_path
from evaluation.runlog import RunLog


def write_plots(logs: list[RunLog], out: Path) -> list[Path]:
    written = []
    scenes = [(log.task, log.scene) for log in logs]
    for log in logs:
        stem = f"{log.task}_{log.scene}"
        if scenes.count((log.task, log.scene)) > 1:  # several paths of one scene
            stem += f"_{log.path}"
        written.append(_plot(log, out / f"{stem}_quality.png", quality=True))
        written.append(_plot(log, out / f"{stem}_time.png", quality=False))
    return written


def _plot(log: RunLog, file: Path, quality: bool) -> Path:
    panels = (("psnr_vs_ref", "PSNR vs reference (dB)"), ("flip_vs_ref", "FLIP vs reference"))
    if not log.reference:
        panels = (("psnr_vs_full", "PSNR vs full network (dB)"), ("flip_vs_full", "FLIP vs full"))
    if not quality:
        panels = (("ms", "time per frame (ms)"),)
        if log.budget_ms is not None:  # an equal-time run: its frames' spp too
            panels = (("ms", "frame time (ms)"), ("spp", "samples per pixel"))
    fig, axes = plt.subplots(
        len(panels), 1, figsize=(9, 2.6 * len(panels)), sharex=True, squeeze=False
    )
    for ax, (key, label) in zip(axes[:, 0], panels, strict=True):
        for method in log.methods():
            rows = log.of(method)
            ax.plot([r["frame"] for r in rows], [r[key] for r in rows], label=method, lw=1.2)
        for cut in log.cuts:
            ax.axvline(cut, color="0.6", ls="--", lw=0.8)
        if key == "ms" and log.budget_ms is not None:
            rows = log.of(log.methods()[0])
            frames = [r["frame"] for r in rows]
            budget = np.array([r.get("budget_ms", log.budget_ms) for r in rows])
            ax.plot(frames, budget, color="k", lw=1.0)
            ax.fill_between(frames, 0.95 * budget, 1.05 * budget, color="0.85", zorder=0)
        ax.set_ylabel(label)
        ax.grid(alpha=0.3)
    title = f"{log.task} — {log.scene}, path {log.path} (dashed: camera cuts)"
    if log.budget_ms is not None and not quality:
        title += f"; black: budget (median {log.budget_ms:.0f} ms), grey: within 5%"
    axes[0, 0].set_title(title)
    if log.rows:
        axes[0, 0].legend(loc="best", fontsize=8)
    axes[-1, 0].set_xlabel("frame")
    fig.tight_layout()
    with atomic_path(file) as tmp:
        fig.savefig(tmp, dpi=110, format="png")
    plt.close(fig)
    return file
