"""``reframe-rt eval``: the four outputs, the schema, and the reference cache."""

import csv
import json

import pytest

from evaluation import eval_unit
from evaluation.report import validate_summary
from networks.tasks import TASK_NAMES
from viewer.cli import main

SMALL = ["--resolution", "64x36", "--quiet"]


@pytest.mark.parametrize("task", TASK_NAMES)
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
    # Temple opens on a still camera with nothing moving: its three frames share a reference.
    assert len(stored) == 1
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


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--task", "denoise", "--task", "supersample", "--resolution", "66x37"], "supersample"),
        (["--resolution", "10x36"], "SSIM"),
        (["--task", "extrapolate", "--policy", "full", "--cut", "9"], "--cut 9"),
        (["--out", "{tmp}/afile"], "--out"),
        (["--device", "tpu"], "expected auto, cpu, cuda or cuda:N"),
    ],
)
def test_bad_options_exit_2_before_any_frame(args, says, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(eval_unit, "FrameFeed", pytest.fail)  # nothing may render
    (tmp_path / "afile").write_text("")
    args = [a.format(tmp=tmp_path) for a in args]
    assert main(["eval", "--quiet", "--out", str(tmp_path / "x"), *args]) == 2
    err = capsys.readouterr().err
    assert says in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "x").exists()


def test_a_broken_calibration_file_is_one_line(tmp_path, capsys, monkeypatch):
    broken = tmp_path / "calibration.json"
    broken.write_text('{"tasks": []}')
    monkeypatch.setenv("REFRAME_RT_CALIBRATION", str(broken))
    assert main(["eval", "--quiet", "--policy", "delta-H", "--out", str(tmp_path / "x")]) == 2
    err = capsys.readouterr().err
    assert f"{broken} is not a calibration file" in err and len(err.strip().splitlines()) == 1


def test_a_cached_policy_alone_still_has_the_full_network_to_compare_with(tmp_path):
    out = tmp_path / "eval"
    args = ["eval", "--task", "denoise", "--policy", "every-2", "--frames", "2", *SMALL]
    assert main([*args, "--out", str(out), "--cache", str(tmp_path / "cache")]) == 0
    (row,) = json.loads((out / "summary.json").read_text())["runs"]
    assert row["policy"] == "every-2"
    assert None not in (row["speedup"], row["flip_vs_full"], row["full_ms_median"])


def test_a_failing_task_is_named_the_others_finish_and_its_frames_are_kept(
    tmp_path, monkeypatch, capsys
):
    class Failing(eval_unit.TaskRun):
        def step(self, i, frame, *args):
            if self.task.name == "supersample" and i == 1:
                raise RuntimeError("the second task fails on the second frame")
            return super().step(i, frame, *args)

    monkeypatch.setattr(eval_unit, "TaskRun", Failing)
    out = tmp_path / "eval"
    args = ["eval", "--task", "denoise", "--task", "supersample", "--policy", "full"]
    args += ["--frames", "3", *SMALL, "--out", str(out), "--cache", str(tmp_path / "cache")]
    assert main(args) == 1
    err = capsys.readouterr().err
    assert "1 of 2 units failed" in err
    # The pass of both tasks failed; each was run again alone: only supersample fails.
    assert "  scene temple, path brief, task supersample: RuntimeError: the second " in err
    rows = json.loads((out / "summary.json").read_text())["runs"]
    assert [(r["task"], r["policy"], r["frames"]) for r in rows] == [
        ("denoise", "full", 3),
        ("supersample", "full", 1),
    ]
    frames = (out / "frames.csv").read_text()
    assert frames.count("\ndenoise,") == 2 * 3 and frames.count("\nsupersample,") == 2
    assert [p.name for p in (out / "units").iterdir()] == ["temple.brief.denoise.json"]


def test_the_tasks_share_one_rendering_pass(tmp_path, monkeypatch):
    rendered = []
    real = eval_unit.FrameFeed.frame

    def frame(self, i):
        rendered.append(i)
        return real(self, i)

    monkeypatch.setattr(eval_unit.FrameFeed, "frame", frame)
    args = ["eval", "--frames", "3", "--policy", "full", *SMALL]
    assert main([*args, "--out", str(tmp_path / "e"), "--cache", str(tmp_path / "c")]) == 0
    assert rendered == [0, 1, 2]
    rows = json.loads((tmp_path / "e" / "summary.json").read_text())["runs"]
    assert [r["task"] for r in rows] == list(TASK_NAMES)
