"""``reframe-rt eval --frame-budget``: the equal-time comparison in summary.json, frames.csv
and the report; options it cannot take exit 2 before anything runs."""

import csv
import json

import pytest

from evaluation.report import validate_summary
from viewer.cli import main


def test_an_equal_time_run_writes_its_rows_and_its_table(tmp_path):
    out = tmp_path / "eval"
    args = ["eval", "--frame-budget", "auto", "--max-spp", "3", "--frames", "4"]
    args += ["--resolution", "64x36", "--quiet", "--out", str(out), "--cache", str(tmp_path / "c")]
    assert main([*args, "--policy", "every-2"]) == 0
    summary = json.loads((out / "summary.json").read_text())
    validate_summary(summary)
    assert summary["runs"] == []  # denoise only, every row an equal-time one
    rows = summary["budget"]
    assert [r["policy"] for r in rows] == ["full-1spp", "full", "every-2"]
    for row in rows:
        assert row["task"] == "denoise" and row["frames"] == 4
        assert row["budget_ms"] > 0 and row["budget_measured_ms"] > 0
        assert sum(row["spp_histogram"].values()) == 4
        assert set(map(int, row["spp_histogram"])) <= {1, 2, 3}
        assert 0 <= row["on_budget"] <= 1 and 0 < row["flip_vs_ref"] < 1
    assert rows[1]["flip_vs_full_at_budget"] == 0.0
    with open(out / "frames.csv", newline="") as f:
        frames = list(csv.DictReader(f))
    assert {r["method"] for r in frames} == {"full-1spp", "full", "every-2"}
    assert all(1 <= int(r["spp"]) <= 3 for r in frames)
    report = (out / "report.md").read_text()
    assert "## Equal frame time: denoise" in report and "| every-2 |" in report


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--frame-budget", "soon"], "expected milliseconds or 'auto'"),
        (["--frame-budget", "-5"], "positive number of milliseconds"),
        (["--frame-budget", "50", "--task", "supersample"], "reads converged images"),
        (["--frame-budget", "50", "--policy", "delta-H+online"], "cannot run under a budget"),
        (["--frame-budget", "50", "--max-spp", "0"], "--max-spp 0"),
        (["--max-spp", "4"], "--max-spp needs --frame-budget"),
    ],
)
def test_what_a_budget_cannot_take_exits_2(args, says, tmp_path, capsys):
    assert main(["eval", "--quiet", "--out", str(tmp_path / "x"), *args]) == 2
    err = capsys.readouterr().err
    assert says in err and "Traceback" not in err
