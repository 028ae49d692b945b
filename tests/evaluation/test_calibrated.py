"""The named presets: the H and L ones per task, and the ``-auto`` ones (where calibrated
taus are stored and read, and which file wins)."""

import json
from pathlib import Path

import pytest

from assets import CALIBRATION_FILE
from caching.spec import parse_policy
from evaluation import calibrated
from evaluation.calibrated import (
    auto_presets,
    check_user_file,
    named_presets,
    record_for,
    save,
)
from evaluation.presets import PRESETS, presets_for
from networks.tasks import TASK_NAMES
from renderer.errors import UserError


def record(tau: float) -> dict:
    return {"flip_budget": 0.02, "policies": {"delta": {"tau": tau}, "motion": {"tau": None}}}


def test_presets_exist_for_every_task():
    assert tuple(PRESETS) == TASK_NAMES
    for table in PRESETS.values():
        for name in ("delta-H", "delta-L", "motion-H", "motion-L"):
            parse_policy(name, table)
        assert table["delta-H"] < table["delta-L"] and table["motion-H"] < table["motion-L"]


def test_the_shipped_file_holds_the_built_in_presets(no_user_calibration):
    # What eval and the viewer use without a calibration of the user's: the same taus as
    # the built-in fallback, task by task.
    shipped = json.loads(CALIBRATION_FILE.read_text())["tasks"]
    for task in TASK_NAMES:
        assert shipped[task]["presets"] == PRESETS[task]
        assert named_presets(task) == PRESETS[task]
        named = {k: v for k, v in presets_for(task).items() if not k.endswith("-auto")}
        assert named == PRESETS[task]


def test_the_users_presets_win_name_by_name(tmp_path, monkeypatch, no_user_calibration):
    shipped = tmp_path / "shipped.json"
    shipped.write_text(json.dumps({"tasks": {"denoise": {"presets": {"delta-H": 0.07}}}}))
    monkeypatch.setattr(calibrated, "CALIBRATION_FILE", shipped)
    assert presets_for("denoise")["delta-H"] == 0.07
    assert presets_for("denoise")["delta-L"] == PRESETS["denoise"]["delta-L"]  # built-in
    save("denoise", {**record(0.2), "presets": {"delta-H": 0.03, "motion-L": 8}})
    assert named_presets("denoise") == {"delta-H": 0.03, "motion-L": 8.0}
    assert presets_for("denoise") == {
        **PRESETS["denoise"], "delta-H": 0.03, "motion-L": 8.0, "delta-auto": 0.2,
    }  # fmt: skip
    # A record of the user's without presets leaves the shipped ones in effect.
    save("denoise", record(0.2))
    assert presets_for("denoise")["delta-H"] == 0.07


def test_the_users_file_is_in_the_data_dir_unless_the_variable_names_one(monkeypatch):
    monkeypatch.delenv(calibrated.ENV)
    monkeypatch.setattr(calibrated, "user_data_path", lambda app, appauthor: Path("/d") / app)
    assert calibrated.user_file() == Path("/d/reframe-rt/calibration.json")
    monkeypatch.setenv(calibrated.ENV, "/elsewhere/mine.json")
    assert calibrated.user_file() == Path("/elsewhere/mine.json")


def test_saved_taus_become_auto_presets(no_user_calibration):
    assert save("supersample", record(0.4)) == no_user_calibration
    assert auto_presets("supersample") == {"delta-auto": 0.4}
    assert presets_for("supersample") == {**PRESETS["supersample"], "delta-auto": 0.4}
    # Other tasks' records stay.
    save("extrapolate", record(0.6))
    assert auto_presets("supersample") == {"delta-auto": 0.4}
    assert auto_presets("extrapolate") == {"delta-auto": 0.6}


def test_the_users_file_wins_over_the_shipped_one(tmp_path, monkeypatch):
    shipped = tmp_path / "shipped.json"
    shipped.write_text(json.dumps({"tasks": {"denoise": record(0.15)}}))
    monkeypatch.setattr(calibrated, "CALIBRATION_FILE", shipped)
    assert record_for("denoise") == (record(0.15), shipped)
    save("denoise", record(0.2))
    assert auto_presets("denoise") == {"delta-auto": 0.2}


@pytest.mark.parametrize(
    "text",
    [
        "{not json",
        '{"tasks": []}',
        '{"tasks": {"denoise": {"policies": {"delta": 0.3}}}}',
        '{"tasks": {"denoise": {"policies": {"delta": {"tau": "0.3"}}}}}',
        '{"tasks": {"denoise": {"presets": {"delta-H": "0.3"}}}}',
        '{"tasks": {"denoise": {"presets": {"delta-H": -0.3}}}}',
        '{"tasks": {"denoise": {"presets": {"delta-H": true}}}}',
        '{"tasks": {"denoise": {"presets": [0.3]}}}',
        b"\xff\xfe{",
    ],
)
def test_a_broken_file_is_named_as_a_user_error(no_user_calibration, text):
    write = (
        no_user_calibration.write_bytes
        if isinstance(text, bytes)
        else no_user_calibration.write_text
    )
    write(text)
    with pytest.raises(UserError, match=r"not a calibration file .*: fix or remove it"):
        auto_presets("denoise")
    with pytest.raises(UserError, match=r"not a calibration file .*: fix or remove it"):
        presets_for("denoise")
    with pytest.raises(UserError, match=str(no_user_calibration)):
        check_user_file()


def test_a_directory_in_place_of_the_file_is_named(no_user_calibration):
    no_user_calibration.mkdir()
    with pytest.raises(UserError, match=str(no_user_calibration)):
        auto_presets("denoise")
