"""summary.json rows, frames.csv and report.md from per-frame numbers."""

import csv
import io
import json
from math import nan

import jsonschema
import pytest

from evaluation.metrics import Scores
from evaluation.report import (
    frames_csv,
    report_markdown,
    summary_rows,
    validate_summary,
    write_outputs,
)
from evaluation.runlog import RunLog


class FakeResult:
    def __init__(self, index, methods, cut=False, taus=None):
        self.index = index
        self.tau = taus or {}
        self.depth = {m: 1 if r == 0 else None for m, (_, r, _) in methods.items()}
        self.frame = type("F", (), {"cut": cut, "spp": 1})()
        self.spp = {}
        self.ms = {m: ms for m, (ms, _, _) in methods.items()}
        self.refresh = {m: r for m, (_, r, _) in methods.items()}
        self.vs_reference = {m: Scores(p, 0.9, 0.1) for m, (_, _, p) in methods.items()}
        self.vs_full = {
            m: Scores(40.0, 0.99, 0.01) for m in methods if m not in ("full", "baseline")
        }


def log_with(methods_per_frame) -> RunLog:
    log = RunLog("denoise", "temple", "temple", (64, 36), arch="unet")
    for i, methods in enumerate(methods_per_frame):
        log.add(FakeResult(i, methods, cut=i == 2))
    return log


def test_baseline_only_run_has_one_row_with_nulls():
    log = log_with([{"baseline": (1.0, None, 12.0)}] * 3)
    (row,) = summary_rows(log)
    assert row["policy"] == "baseline" and row["frames"] == 3
    assert row["psnr_baseline_vs_ref"] == pytest.approx(12.0)
    assert row["speedup"] is None and row["full_ms_median"] is None
    validate_summary({"runs": [row]})


def test_policy_rows_count_refreshes_and_speedup():
    frames = [
        {
            "baseline": (1.0, None, 12.0),
            "full": (100.0, None, 30.0),
            "every-2": (100.0, True, 29.0),
        },
        {
            "baseline": (1.0, None, 12.0),
            "full": (100.0, None, 30.0),
            "every-2": (30.0, False, 28.0),
        },
    ]
    (row,) = summary_rows(log_with(frames))
    assert row["policy"] == "every-2" and row["refresh_frames"] == 1 and row["frames_skipped"] == 1
    assert row["speedup"] == pytest.approx(200.0 / 130.0)
    assert row["full_ms_median"] == 100.0 and row["cached_ms_median"] == 65.0
    assert row["flip_vs_full"] == pytest.approx(0.01)
    validate_summary({"runs": [row]})


def test_schema_rejects_missing_fields():
    log = log_with([{"baseline": (1.0, None, 12.0)}])
    (row,) = summary_rows(log)
    del row["speedup"]
    with pytest.raises(jsonschema.ValidationError):
        validate_summary({"runs": [row]})


def test_outputs_on_disk(tmp_path):
    log = log_with([{"baseline": (1.0, None, 12.0)}] * 4)
    write_outputs([log], tmp_path, "reframe-rt eval --test")
    assert {p.name for p in tmp_path.iterdir()} == {
        "summary.json", "frames.csv", "report.md", "denoise_temple_quality.png",
        "denoise_temple_time.png",
    }  # fmt: skip
    validate_summary(json.loads((tmp_path / "summary.json").read_text()))
    rows = list(csv.DictReader(io.StringIO(frames_csv([log]))))
    assert len(rows) == 4 and rows[0]["refresh"] == "" and rows[0]["psnr_vs_full"] == ""
    report = report_markdown([log], json.loads((tmp_path / "summary.json").read_text()), "x")
    assert (
        "| task | scene | policy | frames skipped | speedup | FLIP vs full | SSIM vs full |"
        in report
    )


def test_a_broken_frame_is_null_in_a_strict_summary_json_and_warned_of(tmp_path):
    frames = [
        {"baseline": (1.0, None, 12.0), "full": (100.0, None, 30.0), "delta-H": (90.0, 1, 29.0)},
        {"baseline": (1.0, None, 12.0), "full": (100.0, None, 30.0), "delta-H": (40.0, 0, nan)},
    ]
    with pytest.warns(UserWarning, match="delta-H: psnr_cached_vs_ref"):
        write_outputs([log_with(frames)], tmp_path, "x")
    text = (tmp_path / "summary.json").read_text()
    (row,) = json.loads(text, parse_constant=pytest.fail)["runs"]  # no bare NaN in the file
    assert row["psnr_cached_vs_ref"] is None
    assert row["psnr_full_vs_ref"] == pytest.approx(30.0), "the sound fields are kept"


def test_a_peer_denoiser_fills_the_full_fields_with_its_own_output():
    frames = [
        {
            "baseline": (1.0, None, 12.0),
            "full": (100.0, None, 30.0),
            "delta-H": (40.0, False, 29.0),
            "oidn": (300.0 + i, None, 36.0),
        }
        for i in range(3)
    ]
    rows = {r["policy"]: r for r in summary_rows(log_with(frames))}
    assert set(rows) == {"delta-H", "oidn"}
    oidn = rows["oidn"]
    assert oidn["full_ms_median"] == 301.0 and oidn["psnr_full_vs_ref"] == pytest.approx(36.0)
    assert oidn["flip_full_vs_ref"] == pytest.approx(0.1)
    assert oidn["speedup"] is None and oidn["refresh_frames"] is None
    assert oidn["flip_vs_full"] is None and oidn["cached_ms_median"] is None
    # The cached rows still compare against our full network.
    assert rows["delta-H"]["full_ms_median"] == 100.0
    validate_summary({"runs": list(rows.values())})


def test_a_moving_tau_is_in_frames_csv_the_summary_and_the_report():
    log = RunLog("supersample", "temple", "temple", (64, 36), arch="unet")
    taus = [1.0, 1.0, 0.5, 0.25]
    for i, tau in enumerate(taus):
        methods = {
            "full": (100.0, None, 30.0),
            "delta-1+online": (40.0, i == 0, 29.0),
            "delta-0.1": (60.0, i == 0, 29.5),
            "every-2": (50.0, i % 2 == 0, 29.0),
        }
        log.add(FakeResult(i, methods, taus={"delta-1+online": tau, "delta-0.1": 0.1}))
    rows = list(csv.DictReader(io.StringIO(frames_csv([log]))))
    assert [r["tau"] for r in rows if r["method"] == "delta-1+online"] == ["1", "1", "0.5", "0.25"]
    assert {r["tau"] for r in rows if r["method"] in ("full", "every-2")} == {""}
    summary = {r["policy"]: r for r in summary_rows(log)}
    assert summary["delta-1+online"]["tau_last"] == 0.25
    assert summary["delta-0.1"]["tau_last"] == 0.1
    assert summary["every-2"]["tau_last"] is None
    validate_summary({"runs": list(summary.values())})
    report = report_markdown([log], {"runs": list(summary.values())}, "x")
    assert "- `delta-1+online`: tau 1 after the first frame, 0.25 after the last" in report
    assert "`delta-0.1`: tau" not in report  # a tau that never moved is in the table's spec
