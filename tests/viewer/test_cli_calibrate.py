"""``reframe-rt calibrate``: a sweep on random scenes, a tau per family within the budget,
stored where eval finds it as ``delta-auto``; with ``--presets``, the named presets too."""

import json

import pytest

from caching.spec import PolicyError, parse_policy
from evaluation import calibration
from evaluation.calibration import SweepRow, choose, choose_presets, sweep_specs
from evaluation.methods import methods_for
from evaluation.presets import PRESETS, TARGETS, presets_for
from networks.tasks import TASKS
from viewer.cli import main
from viewer.commands import calibrate


def row(tau: float, flip: float) -> SweepRow:
    return SweepRow(f"delta-{tau:g}", "delta", tau, flip, 0.5, 1.5)


def test_choose_keeps_the_largest_tau_within_the_budget():
    rows = [row(0.1, 0.001), row(0.3, 0.019), row(0.2, 0.01), row(0.5, 0.05)]
    assert choose(rows, 0.02).tau == 0.3
    assert choose(rows, 0.0001) is None


def test_choose_holds_the_budget_on_the_worst_stretch_not_the_mean():
    rows = [
        SweepRow("delta-0.1", "delta", 0.1, 0.004, 0.5, 1.5, worst_flip=0.012),
        SweepRow("delta-0.2", "delta", 0.2, 0.010, 0.4, 1.6, worst_flip=0.035),
    ]
    assert choose(rows, 0.02).tau == 0.1
    assert choose(rows, 0.04).tau == 0.2


def test_calibrate_writes_the_auto_preset_eval_uses(tmp_path, no_user_calibration, monkeypatch):
    args = ["calibrate", "--task", "extrapolate", "--flip-budget", "0.02", "--family", "delta"]
    args += ["--scenes", "1", "--frames", "4", "--resolution", "64x36", "--quiet"]
    assert main([*args, "--cache", str(tmp_path / "cache"), "--out", str(tmp_path / "o")]) == 0
    record = json.loads(no_user_calibration.read_text())["tasks"]["extrapolate"]
    assert record["flip_budget"] == 0.02 and record["frames"] == 4
    swept = {r["spec"]: r for r in record["sweep"]}
    assert set(swept) == set(sweep_specs("extrapolate", ["delta"]))
    chosen = record["policies"]["delta"]
    # Four frames in stretches of one: the worst stretch is the worst frame.
    assert all(r["worst_flip"] >= r["flip"] for r in swept.values())
    fitting = [r["tau"] for r in swept.values() if r["worst_flip"] <= 0.02]
    assert chosen["tau"] == (max(fitting) if fitting else 0.0)
    assert presets_for("extrapolate")["delta-auto"] == chosen["tau"]
    names = [m.name for m in methods_for(TASKS["extrapolate"], ["delta-auto"], "unet")]
    assert names == ["baseline", "delta-auto"]
    # Run again: the scene's sweep is read back from --out, not run, and chooses the same.
    monkeypatch.setattr(calibration, "Runner", pytest.fail)
    assert main([*args, "--cache", str(tmp_path / "cache"), "--out", str(tmp_path / "o")]) == 0
    assert json.loads(no_user_calibration.read_text())["tasks"]["extrapolate"]["sweep"] == [
        *swept.values()
    ]


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--resolution", "64by36"], "bad resolution"),
        (["--task", "supersample", "--resolution", "65x36"], "even resolution"),
        (["--resolution", "10x36"], "SSIM"),
        (["--frames", "2"], "--frames must be at least 3"),
        (["--into", "{tmp}/broken.json"], "not a calibration file"),
        (["--into", "{tmp}/afile/calibration.json"], "afile/calibration.json: "),
        (["--preset-flip", "0.05", "0.02"], "--preset-flip 0.05 0.02: the targets"),
        (["--preset-flip", "0", "0.02"], "must be positive"),
    ],
)
def test_calibrate_refuses_bad_options_before_the_sweep(args, says, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(calibrate, "sweep", pytest.fail)  # nothing may run
    (tmp_path / "broken.json").write_text("{not json")
    (tmp_path / "afile").write_text("")
    args = [a.format(tmp=tmp_path) for a in args]
    assert main(["calibrate", "--quiet", *args]) == 2
    err = capsys.readouterr().err
    assert says in err and len(err.strip().splitlines()) == 1


def test_a_family_named_twice_is_swept_once_and_another_file_says_how_to_use_it(
    monkeypatch, no_user_calibration, tmp_path, capsys
):
    swept = []

    def fake(task, specs, *args, network=None, **placement):
        swept.extend(specs)
        return [SweepRow(s, "delta", float(s.split("-")[1]), 0.001, 0.5, 2.0) for s in specs]

    monkeypatch.setattr(calibrate, "sweep", fake)
    into = tmp_path / "mine.json"
    args = ["calibrate", "--family", "delta", "--family", "delta", "--into", str(into), "--quiet"]
    assert main(args) == 0
    assert swept == sweep_specs("extrapolate", ["delta"])
    out = capsys.readouterr().out
    assert out.count("delta-auto =") == 1
    assert f"REFRAME_RT_CALIBRATION={into}" in out
    assert "delta" in json.loads(into.read_text())["tasks"]["extrapolate"]["policies"]


def test_when_no_tau_fits_delta_refreshes_on_any_change_and_motion_has_none(
    monkeypatch, no_user_calibration
):
    def too_coarse(task, specs, *args, network=None, **placement):
        return [
            SweepRow(s, s.rsplit("-", 1)[0], float(s.rsplit("-", 1)[1]), 0.5, 0.1, 2.0)
            for s in specs
        ]

    monkeypatch.setattr(calibrate, "sweep", too_coarse)
    args = ["calibrate", "--task", "denoise", "--flip-budget", "0.02", "--quiet"]
    assert main(args) == 0
    policies = json.loads(no_user_calibration.read_text())["tasks"]["denoise"]["policies"]
    assert policies["delta"]["tau"] == 0.0 and policies["motion"]["tau"] is None
    assert presets_for("denoise")["delta-auto"] == 0.0
    assert "motion-auto" not in presets_for("denoise")
    with pytest.raises(PolicyError, match="calibrate"):
        parse_policy("motion-auto", presets_for("denoise"))


def test_calibrating_one_family_keeps_the_others_of_the_same_budget(
    monkeypatch, no_user_calibration, capsys
):
    def fake(task, specs, *args, network=None, **placement):
        return [
            SweepRow(s, s.split("-")[0], float(s.split("-")[1]), 0.001, 0.5, 2.0) for s in specs
        ]

    monkeypatch.setattr(calibrate, "sweep", fake)
    base = ["calibrate", "--task", "denoise", "--quiet"]
    assert main([*base, "--family", "delta"]) == 0
    assert main([*base, "--family", "lfd"]) == 0
    assert "kept the earlier delta-auto" in capsys.readouterr().out
    record = json.loads(no_user_calibration.read_text())["tasks"]["denoise"]
    assert set(record["policies"]) == {"delta", "lfd"}
    assert {r["family"] for r in record["sweep"]} == {"delta", "lfd"}
    assert {"delta-auto", "lfd-auto"} <= set(presets_for("denoise"))
    # Another budget: the record starts over (taus of two budgets would not be one preset set).
    assert main([*base, "--family", "lfd", "--flip-budget", "0.05"]) == 0
    record = json.loads(no_user_calibration.read_text())["tasks"]["denoise"]
    assert set(record["policies"]) == {"lfd"}


def test_presets_writes_the_named_presets_beside_the_auto_ones(tmp_path, no_user_calibration):
    args = ["calibrate", "--task", "denoise", "--presets", "--family", "lfd", "--scenes", "1"]
    args += ["--frames", "3", "--resolution", "64x36", "--quiet"]
    assert main([*args, "--cache", str(tmp_path / "cache"), "--out", str(tmp_path / "o")]) == 0
    record = json.loads(no_user_calibration.read_text())["tasks"]["denoise"]
    # The presets come from the delta and motion sweeps: both run, whatever --family says.
    assert set(record["policies"]) == {"lfd", "delta", "motion"}
    assert record["preset_targets"] == TARGETS["denoise"]
    swept = [SweepRow(**r) for r in record["sweep"]]
    assert record["presets"] == choose_presets(swept, TARGETS["denoise"])
    assert set(record["presets"]) == {"delta-H", "delta-L", "motion-H", "motion-L"}
    assert {k: presets_for("denoise")[k] for k in record["presets"]} == record["presets"]


def fake_sweep(flips: dict[str, float]):
    """A sweep whose mean FLIP per spec is ``flips[spec]`` (0.001 for the others); the worst
    stretch is 10x the mean, so that only a choice by the mean keeps the larger taus."""

    def fake(task, specs, *args, network=None, **placement):
        rows = []
        for s in specs:
            flip = flips.get(s, 0.001)
            family, tau = s.rsplit("-", 1)
            rows.append(SweepRow(s, family, float(tau), flip, 0.5, 2.0, worst_flip=10 * flip))
        return rows

    return fake


def test_presets_are_chosen_by_the_mean_and_kept_by_a_run_without_them(
    monkeypatch, no_user_calibration, capsys
):
    # delta: 0.1 is the largest within H's 0.02, 0.16 within L's 0.04; motion: none within H.
    flips = {"delta-0.13": 0.03, "delta-0.16": 0.035, "delta-0.2": 0.05}
    flips |= {f"motion-{t:g}": 0.03 for t in (2, 4, 8, 16, 32)}
    monkeypatch.setattr(calibrate, "sweep", fake_sweep(flips))
    base = ["calibrate", "--task", "denoise", "--quiet"]
    assert main([*base, "--presets"]) == 0
    out = capsys.readouterr().out
    assert "motion-H = motion-2: FLIP 0.0300 (over 0.02: none fits)" in out
    chosen = {"delta-H": 0.1, "delta-L": 0.16, "motion-H": 2.0, "motion-L": 32.0}
    record = json.loads(no_user_calibration.read_text())["tasks"]["denoise"]
    assert record["presets"] == chosen
    assert {k: presets_for("denoise")[k] for k in chosen} == chosen
    # Another budget, no --presets: the -auto taus start over, the presets stay.
    assert main([*base, "--flip-budget", "0.05", "--family", "lfd"]) == 0
    assert "kept the earlier delta-H, delta-L, motion-H, motion-L" in capsys.readouterr().out
    record = json.loads(no_user_calibration.read_text())["tasks"]["denoise"]
    assert record["presets"] == chosen and set(record["policies"]) == {"lfd"}
    # Other targets: other presets.
    assert main([*base, "--preset-flip", "0.04", "0.06"]) == 0
    record = json.loads(no_user_calibration.read_text())["tasks"]["denoise"]
    assert record["presets"]["delta-H"] == 0.16 and record["preset_targets"]["L"] == 0.06


def test_without_a_presets_run_the_shipped_taus_are_in_effect(monkeypatch, no_user_calibration):
    monkeypatch.setattr(calibrate, "sweep", fake_sweep({}))
    assert main(["calibrate", "--task", "supersample", "--quiet"]) == 0
    record = json.loads(no_user_calibration.read_text())["tasks"]["supersample"]
    assert "presets" not in record
    named = {k: v for k, v in presets_for("supersample").items() if not k.endswith("-auto")}
    assert named == PRESETS["supersample"]
