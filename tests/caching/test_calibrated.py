"""The ``-auto`` presets: where calibrated taus are stored and read."""

import json

import pytest

from caching import calibrated
from caching.calibrated import auto_presets, record_for, save
from caching.presets import PRESETS, presets_for
from renderer.errors import UserError


def record(tau: float) -> dict:
    return {"flip_budget": 0.02, "policies": {"delta": {"tau": tau}, "motion": {"tau": None}}}


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


def test_a_directory_in_place_of_the_file_is_named(no_user_calibration):
    no_user_calibration.mkdir()
    with pytest.raises(UserError, match=str(no_user_calibration)):
        auto_presets("denoise")
