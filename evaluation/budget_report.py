"""The equal-time comparison's summary rows and report section: at B ms per frame, each
method's spp, frame times against the budget and quality against the reference."""

from __future__ import annotations

import statistics
from collections import Counter

from common.metrics.sequence import sequence_psnr
from evaluation.budget import WITHIN, on_budget
from evaluation.runlog import RunLog
from evaluation.stretches import STRETCHES

FULL = "full"


def _mean(values) -> float | None:
    present = [v for v in values if v is not None]
    return statistics.fmean(present) if present else None


def budget_rows(log: RunLog) -> list[dict]:
    """One summary row per method of a budgeted run (``summary.json``'s ``budget``)."""
    rows = []
    full_flip = _mean(r["flip_vs_ref"] for r in log.of(FULL))
    for method in log.methods():
        these = log.of(method)
        times = [r["ms"] for r in these]
        within, over = on_budget(times, [r.get("budget_ms", log.budget_ms) for r in these])
        spp = [r["spp"] for r in these]
        refreshes = [r["refresh"] for r in these if r["refresh"] != ""]
        flip = _mean(r["flip_vs_ref"] for r in these)
        rows.append({
            "task": log.task, "arch": log.arch, "scene": log.scene, "path": log.path,
            "resolution": f"{log.resolution[0]}x{log.resolution[1]}",
            "policy": method, "frames": len(these),
            "budget_ms": log.budget_ms, "budget_measured_ms": log.budget_measured_ms,
            "frame_ms_median": statistics.median(times) if times else None,
            "on_budget": within, "over_budget": over,
            "spp_mean": statistics.fmean(spp) if spp else None,
            "spp_histogram": {str(k): v for k, v in sorted(Counter(spp).items())},
            "refresh_frames": sum(refreshes) if refreshes else None,
            "psnr_vs_ref": sequence_psnr([r["psnr_vs_ref"] for r in these]),
            "flip_vs_ref": flip,
            "flip_vs_full_at_budget": (
                flip / full_flip - 1.0 if flip is not None and full_flip else None
            ),
            "flip_by_stretch": {
                s: _mean(r["flip_vs_ref"] for r in these if r.get("stretch") == s)
                for s in STRETCHES
                if any(r.get("stretch") == s for r in these)
            },
        })  # fmt: skip
    return rows


def _fmt(v: float | None, digits: int = 3, suffix: str = "") -> str:
    return "–" if v is None else f"{v:.{digits}f}{suffix}"


def _histogram(h: dict[str, int]) -> str:
    return " ".join(f"{k}:{v}" for k, v in h.items())


def budget_markdown(rows: list[dict]) -> list[str]:
    """The report's section: a table per task, scene and path."""
    lines = []
    groups = list(dict.fromkeys((r["task"], r["scene"], r["path"]) for r in rows))
    for task, scene, path in groups:
        these = [r for r in rows if (r["task"], r["scene"], r["path"]) == (task, scene, path)]
        b, measured = these[0]["budget_ms"], these[0]["budget_measured_ms"]
        stretches = list(dict.fromkeys(s for r in these for s in r["flip_by_stretch"]))
        lines += [
            "",
            f"## Equal frame time: {task} — {scene}, path {path}, {these[0]['frames']} frames "
            f"at {these[0]['resolution']}",
            "",
            f"Budget {b:.1f} ms per frame (the median over the frames; the full pipeline at "
            f"1 spp, render, input and network, took {measured:.1f} ms on the first frames, "
            "and 'auto' follows it as it runs beside the others). Every method's frames are "
            "rendered for it; a frame is on "
            f"budget within {WITHIN:.0%} of the budget in force. FLIP and PSNR against the "
            "reference; 'vs full' is FLIP relative to the full network held to the same "
            "budget.",
            "",
            "| method | spp (value:frames) | mean spp | frame ms (median) | on budget | over "
            "| refreshes | PSNR vs ref | FLIP vs ref | vs full | "
            + " | ".join(f"FLIP {s}" for s in stretches)
            + " |",
            "|---" * (10 + len(stretches)) + "|",
        ]
        for r in these:
            lines.append(
                f"| {r['policy']} | {_histogram(r['spp_histogram'])} | {_fmt(r['spp_mean'], 1)} "
                f"| {_fmt(r['frame_ms_median'], 1)} | {r['on_budget']:.0%} | "
                f"{r['over_budget']:.0%} | "
                f"{'–' if r['refresh_frames'] is None else r['refresh_frames']} | "
                f"{_fmt(r['psnr_vs_ref'], 2, ' dB')} | {_fmt(r['flip_vs_ref'], 4)} | "
                f"{_fmt(None if r['flip_vs_full_at_budget'] is None else 100 * r['flip_vs_full_at_budget'], 1, '%')} | "  # noqa: E501
                + " | ".join(_fmt(r["flip_by_stretch"].get(s), 4) for s in stretches)
                + " |"
            )
    return lines
