"""``reframe-rt eval``: the four outputs, the schema, and the reference cache."""

import csv
import json

import pytest

from evaluation.report import validate_summary
from viewer.cli import main

SMALL = ["--resolution", "64x36", "--quiet"]


@pytest.mark.parametrize("task", ["denoise", "supersample", "extrapolate"])
def test_eval_writes_summary_frames_report_and_plots(tmp_path, task):
    out = tmp_path / "eval"
    args = [
        "eval",
        "--task",
        task,
        "--frames",
        "4",
        *SMALL,
        "--out",
        str(out),
        "--cache",
        str(tmp_path / "cache"),
    ]
    assert main(args) == 0
    names = {p.name for p in out.iterdir()}
    assert {
        "summary.json",
        "frames.csv",
        "report.md",
        f"{task}_temple_quality.png",
        f"{task}_temple_time.png",
    } <= names
    summary = json.loads((out / "summary.json").read_text())
    validate_summary(summary)
    # No --policy: a row per cached policy of the default set, the network beside them.
    rows = summary["runs"]
    assert [r["policy"] for r in rows] == ["every-2", "delta-H", "delta-L", "motion-H"]
    for row in rows:
        assert row["task"] == task and row["scene"] == "temple" and row["resolution"] == "64x36"
        # Extrapolation has nothing to extrapolate from on the first frame.
        assert row["frames"] == (3 if task == "extrapolate" else 4)
        filled = ("psnr_baseline_vs_ref", "psnr_full_vs_ref", "flip_full_vs_ref", "speedup")
        filled += ("flip_vs_full", "ssim_vs_full", "full_ms_median", "cached_ms_median")
        assert all(row[k] is not None for k in filled), row
    report = (out / "report.md").read_text()
    assert f"## {task} — temple" in report and "| baseline |" in report


def test_a_second_run_reads_references_from_the_cache(tmp_path):
    args = ["eval", "--task", "denoise", "--frames", "3", *SMALL, "--cache", str(tmp_path / "c")]
    assert main([*args, "--out", str(tmp_path / "a")]) == 0
    stored = sorted(p.name for p in (tmp_path / "c").rglob("*.npy"))
    assert len(stored) == 3
    assert main([*args, "--out", str(tmp_path / "b")]) == 0
    assert sorted(p.name for p in (tmp_path / "c").rglob("*.npy")) == stored

    # Same frames, same scores (times aside): the cached references are the rendered ones.
    def scores(run):
        rows = csv.DictReader((tmp_path / run / "frames.csv").read_text().splitlines())
        return [{k: v for k, v in row.items() if k != "ms"} for row in rows]

    assert scores("a") == scores("b")


def test_eval_rejects_bad_input(tmp_path, capsys):
    assert main(["eval", "--scene", "nowhere", "--out", str(tmp_path / "x")]) == 2
    assert "unknown scene 'nowhere'" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()
