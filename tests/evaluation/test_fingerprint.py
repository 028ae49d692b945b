"""What a kept unit was made from: file contents and the code's versions, so that a result
made before a retrain, an edited file or a new renderer is run again, not read back."""

from __future__ import annotations

from evaluation import fingerprint
from evaluation.fingerprint import inputs_stamp, stamp
from viewer.cli import main


def test_a_file_is_stamped_by_its_contents_and_a_directory_by_its_files(tmp_path):
    file = tmp_path / "weights.safetensors"
    file.write_bytes(b"one")
    first = stamp(file)
    file.write_bytes(b"one")
    assert stamp(file) == first, "the same contents, written again"
    file.write_bytes(b"two")
    assert stamp(file) != first
    assert stamp(tmp_path / "none") is None
    frames = tmp_path / "frames"
    frames.mkdir()
    (frames / "frame_0.exr").write_bytes(b"x")
    empty = stamp(frames)
    (frames / "frame_1.exr").write_bytes(b"y")
    assert stamp(frames) != empty


def test_each_task_is_stamped_with_its_own_weights():
    stamped = inputs_stamp(["denoise", "supersample"], "unet", None)["weights"]
    assert set(stamped) == {"denoise", "supersample"} and None not in stamped.values()
    assert stamped["denoise"] != stamped["supersample"]


def test_a_unit_made_by_another_renderer_is_run_again(tmp_path, monkeypatch, capsys):
    args = ["eval", "--task", "denoise", "--policy", "full", "--frames", "2"]
    args += ["--resolution", "64x36", "--out", str(tmp_path / "o"), "--cache", str(tmp_path / "c")]
    assert main(args) == 0
    assert main(args) == 0
    assert "1 of 1 eval units already done" in capsys.readouterr().out
    monkeypatch.setattr(fingerprint, "RENDERER_VERSION", "another")
    assert main(args) == 0
    assert "already done" not in capsys.readouterr().out
