"""The ``-auto`` presets: where calibrated taus are stored and read."""

import json

import pytest

from caching import calibrated
from caching.calibrated import auto_presets, record_for, save
from caching.presets import PRESETS, presets_for


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


def test_a_broken_file_is_named(no_user_calibration):
    no_user_calibration.write_text("{not json")
    with pytest.raises(ValueError, match="not a calibration file"):
        auto_presets("denoise")
