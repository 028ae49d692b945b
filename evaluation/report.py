"""What an evaluation writes: ``frames.csv`` (a row per frame and method), ``summary.json``
(a row per task x scene x path x policy, docs/DESIGN.md's schema), ``report.md`` (tables like the
paper's) and plots.

Sequence PSNR is computed from the mean squared error over the frames (a frame reproduced
exactly would otherwise make the mean infinite); SSIM and FLIP are means over frames.
"""

from __future__ import annotations

import csv
import io
import json
import math
import statistics
import warnings
from collections import Counter
from functools import lru_cache
from pathlib import Path

import jsonschema

from assets import schema_file
from common.atomic import write_text_atomic
from common.metrics.sequence import sequence_psnr
from evaluation.budget_report import budget_markdown, budget_rows
from evaluation.oidn import NAME as OIDN
from evaluation.runlog import RunLog

FRAME_COLUMNS = (
    "task", "scene", "path", "frame", "method", "refresh", "ms",
    "psnr_vs_ref", "ssim_vs_ref", "flip_vs_ref", "psnr_vs_full", "ssim_vs_full", "flip_vs_full",
    "tau", "depth", "spp", "budget_ms",
)  # fmt: skip
BASELINE, FULL = "baseline", "full"
PEERS = (OIDN,)
"""Methods that are their own full output (another denoiser), not a cache of ours."""


def _mean(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return statistics.fmean(present) if present else None


def _median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def summary_rows(log: RunLog) -> list[dict]:
    """The summary.json rows of one run: one per policy (and ``full``), or one for the
    baseline alone when no network ran."""
    base = log.of(BASELINE)
    full = log.of(FULL)
    common = {
        "task": log.task, "arch": log.arch, "scene": log.scene, "path": log.path,
        "resolution": f"{log.resolution[0]}x{log.resolution[1]}",
        "psnr_baseline_vs_ref": sequence_psnr([r["psnr_vs_ref"] for r in base]),
        "ssim_baseline_vs_ref": _mean([r["ssim_vs_ref"] for r in base]),
        "flip_baseline_vs_ref": _mean([r["flip_vs_ref"] for r in base]),
        "baseline_ms_median": _median([r["ms"] for r in base]),
        "full_ms_median": _median([r["ms"] for r in full]),
        "psnr_full_vs_ref": sequence_psnr([r["psnr_vs_ref"] for r in full]),
        "flip_full_vs_ref": _mean([r["flip_vs_ref"] for r in full]),
    }  # fmt: skip
    policies = [m for m in log.methods() if m not in (BASELINE, FULL)]
    rows = []
    for policy in policies or ([FULL] if full else [BASELINE]):
        these = log.of(policy)
        if policy in PEERS:
            rows.append(_peer_row(common, policy, these))
            continue
        cached = policy not in (BASELINE, FULL)
        refreshed = sum(1 for r in these if r["refresh"] == 1) if cached else None
        speedup = None
        if cached and full:
            speedup = sum(r["ms"] for r in full) / max(sum(r["ms"] for r in these), 1e-9)
        rows.append({
            **common,
            "policy": policy,
            "frames": len(these),
            "refresh_frames": refreshed,
            "frames_skipped": None if refreshed is None else len(these) - refreshed,
            # A +depth reuse frame skips what its depth skips, not the cut's deep share.
            "flops_removed": (
                (len(these) - refreshed) / len(these) * log.deep_share
                if refreshed is not None and log.deep_share is not None and these
                and "+depth" not in policy
                else None
            ),
            "cached_ms_median": _median([r["ms"] for r in these]) if cached else None,
            "speedup": speedup,
            "flip_vs_full": _mean([r["flip_vs_full"] for r in these]) if cached else None,
            "ssim_vs_full": _mean([r["ssim_vs_full"] for r in these]) if cached else None,
            "psnr_vs_full": sequence_psnr([r["psnr_vs_full"] for r in these]) if cached else None,
            "psnr_cached_vs_ref": (
                sequence_psnr([r["psnr_vs_ref"] for r in these]) if cached else None
            ),
            "flip_cached_vs_ref": _mean([r["flip_vs_ref"] for r in these]) if cached else None,
            # Where +online left the threshold (the spec's own tau otherwise).
            "tau_last": these[-1]["tau"] if cached and these else None,
        })  # fmt: skip
    return rows


def _peer_row(common: dict, policy: str, these: list[dict]) -> dict:
    """Another denoiser's row: its own output is its ``full``, and it has no cache."""
    return {
        **common,
        "policy": policy,
        "frames": len(these),
        "full_ms_median": _median([r["ms"] for r in these]),
        "psnr_full_vs_ref": sequence_psnr([r["psnr_vs_ref"] for r in these]),
        "flip_full_vs_ref": _mean([r["flip_vs_ref"] for r in these]),
        **dict.fromkeys(
            ("refresh_frames", "frames_skipped", "flops_removed", "cached_ms_median", "speedup",
             "flip_vs_full", "ssim_vs_full", "psnr_vs_full", "psnr_cached_vs_ref",
             "flip_cached_vs_ref", "tau_last"),
        ),
    }  # fmt: skip


@lru_cache(maxsize=1)
def _summary_validator() -> jsonschema.protocols.Validator:
    schema = json.loads(schema_file("summary").read_text(encoding="utf-8"))
    return jsonschema.validators.validator_for(schema)(schema)


def validate_summary(summary: dict) -> None:
    """Raise ``jsonschema.ValidationError`` unless ``summary`` follows the schema."""
    _summary_validator().validate(summary)


def write_outputs(logs: list[RunLog], out: Path, command: str) -> dict:
    """Write summary.json, frames.csv, report.md and the plots into ``out``."""
    # Here, not at the top: pyplot would slow down every command that imports the report.
    from evaluation.plots import write_plots

    out.mkdir(parents=True, exist_ok=True)
    budgeted = [log for log in logs if log.budget_ms is not None]
    runs = [row for log in logs if log.budget_ms is None for row in summary_rows(log)]
    broken = [(r, _non_finite(r)) for r in runs]
    names = sorted({f"{r['task']} {r['policy']}: {k}" for r, keys in broken for k in keys})
    if names:
        warnings.warn(
            "non-finite values written as null in summary.json: " + "; ".join(names),
            stacklevel=2,
        )
    # JSON has no NaN: a bare NaN would make the file unreadable to strict parsers.
    summary = {"runs": [{**r, **dict.fromkeys(keys)} for r, keys in broken]}
    if budgeted:
        summary["budget"] = [row for log in budgeted for row in budget_rows(log)]
    validate_summary(summary)
    write_text_atomic(out / "summary.json", json.dumps(summary, indent=1, allow_nan=False) + "\n")
    write_text_atomic(out / "frames.csv", frames_csv(logs))
    write_text_atomic(out / "report.md", report_markdown(logs, summary, command))
    write_plots(logs, out)
    return summary


def _non_finite(row: dict) -> list[str]:
    return [k for k, v in row.items() if isinstance(v, float) and not math.isfinite(v)]


def frames_csv(logs: list[RunLog]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=FRAME_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for log in logs:
        for row in log.rows:
            writer.writerow({k: _csv_value(row.get(k)) for k in FRAME_COLUMNS})
    return buffer.getvalue()


def _csv_value(v: object) -> object:
    if v is None:
        return ""
    if isinstance(v, float):
        return f"{v:.6g}"
    return v


def _fmt(v: float | None, digits: int = 3, suffix: str = "") -> str:
    if v is None:
        return "–"
    return f"{v:.{digits}f}{suffix}"


def report_markdown(logs: list[RunLog], summary: dict, command: str) -> str:
    lines = ["# reframe-rt evaluation", "", f"`{command}`", ""]
    if summary["runs"]:
        lines += [
            "Quality against the full network's output (FLIP, SSIM: as the ReFrame paper "
            "reports it) and against the converged reference (PSNR, FLIP). Times are medians "
            "per frame; speedup is total full-network time over total cached time on the same "
            "frames. Sequence PSNR comes from the mean squared error over frames.",
            "",
            "| task | scene | policy | frames skipped | speedup | FLIP vs full | SSIM vs full |",
            "|---|---|---|---|---|---|---|",
        ]
    else:
        lines.append("Every method held to a frame budget: the equal-time tables below.")
    several_paths = len({(r["scene"], r["path"]) for r in summary["runs"]}) > len(
        {r["scene"] for r in summary["runs"]}
    )
    for row in summary["runs"]:
        scene = f"{row['scene']}, {row['path']}" if several_paths else row["scene"]
        skipped = (
            f"{row['frames_skipped']}/{row['frames']}" if row["frames_skipped"] is not None else "–"
        )
        lines.append(
            f"| {row['task']} | {scene} | {row['policy']} | {skipped} | "
            f"{_fmt(row['speedup'], 2, 'x')} | {_fmt(row['flip_vs_full'], 4)} | "
            f"{_fmt(row['ssim_vs_full'], 4)} |"
        )
    lines += budget_markdown(summary.get("budget", []))
    for log in logs:
        if log.budget_ms is not None:
            continue
        w, h = log.resolution
        frames = len({r["frame"] for r in log.rows})
        lines += [
            "",
            f"## {log.task} — {log.scene}, path {log.path}, {frames} frames at {w}x{h}",
            "",
            "| method | ms (median) | PSNR vs ref | SSIM vs ref | FLIP vs ref | "
            "PSNR vs full | FLIP vs full | refreshes |",
            "|---|---|---|---|---|---|---|---|",
        ]
        if not log.reference:
            lines[-2:-2] = [
                "No reference in these frames: every method is scored against the full "
                "network only (the baseline and the network against the reference: –).",
                "",
            ]
        for method in log.methods():
            rows = log.of(method)
            refreshes = [r["refresh"] for r in rows if r["refresh"] != ""]
            lines.append(
                f"| {method} | {_fmt(_median([r['ms'] for r in rows]), 1)} | "
                f"{_fmt(sequence_psnr([r['psnr_vs_ref'] for r in rows]), 2, ' dB')} | "
                f"{_fmt(_mean([r['ssim_vs_ref'] for r in rows]), 4)} | "
                f"{_fmt(_mean([r['flip_vs_ref'] for r in rows]), 4)} | "
                f"{_fmt(sequence_psnr([r['psnr_vs_full'] for r in rows]), 2, ' dB')} | "
                f"{_fmt(_mean([r['flip_vs_full'] for r in rows]), 4)} | "
                f"{sum(refreshes) if refreshes else '–'} |"
            )
        lines += _tau_lines(log)
        lines += _depth_lines(log)
    return "\n".join(lines) + "\n"


def _depth_lines(log: RunLog) -> list[str]:
    """A line per ``+depth`` method: how many frames recomputed down to each level."""
    lines = []
    for method in log.methods():
        if "+depth" not in method:
            continue
        rows = log.of(method)
        counts = Counter("refresh" if r["refresh"] == 1 else r["depth"] for r in rows)
        levels = sorted(k for k in counts if k != "refresh")
        parts = [f"depth {k}: {counts[k]}" for k in levels] + [f"refresh: {counts['refresh']}"]
        lines.append(f"- `{method}` frames by depth: {', '.join(parts)}")
    return ["", *lines] if lines else []


def _tau_lines(log: RunLog) -> list[str]:
    """A line per method whose tau moved during the run (``+online``): where it went."""
    lines = []
    for method in log.methods():
        taus = [r["tau"] for r in log.of(method) if r["tau"] is not None]
        if taus and min(taus) != max(taus):
            lines.append(
                f"- `{method}`: tau {taus[0]:.3g} after the first frame, {taus[-1]:.3g} after "
                f"the last (between {min(taus):.3g} and {max(taus):.3g})"
            )
    return ["", *lines] if lines else []
