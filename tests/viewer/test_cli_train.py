"""``reframe-rt train``: its options are the training settings, each with its help; settings
that cannot train are refused before anything is rendered; a short run writes weights."""

import dataclasses
import re

import pytest

from networks.weights import load_network
from training.settings import TrainSettings
from viewer.cli import main


def test_help_lists_every_setting_with_its_help(capsys):
    with pytest.raises(SystemExit):
        main(["train", "--help"])
    text = re.sub(r"\s+", " ", capsys.readouterr().out)
    for field in dataclasses.fields(TrainSettings):
        flag = "--" + field.name.replace("_", "-")
        assert flag in text, flag
    # Each field's docstring is its help (a few words of each, as tyro wraps them).
    assert "Training time budget" in text and "Seconds between checkpoints" in text
    assert "Where the rendered training data goes" in text


@pytest.mark.parametrize(
    ("args", "says"),
    [(["--scenes", "1"], "--scenes must be at least 2"), (["--minutes", "0"], "--minutes")],
)
def test_train_refuses_settings_that_cannot_train_before_rendering(
    args, says, tmp_path, capsys, monkeypatch
):
    import viewer.commands.train as command

    monkeypatch.setattr(command, "train", pytest.fail)  # a regression must not train 25 min
    assert main(["train", "--work", str(tmp_path / "work"), *args]) == 2
    err = capsys.readouterr().err
    assert says in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "work").exists()


def test_a_short_run_from_the_command_line_writes_its_weights(tmp_path, monkeypatch, capsys):
    import training.data as data

    monkeypatch.setattr(data, "SIZE", (64, 48))  # tiny frames, same code
    out = tmp_path / "w.safetensors"
    args = ["--task", "extrapolate", "--minutes", "0.005", "--scenes", "2", "--batch", "2"]
    args += ["--work", str(tmp_path / "work"), "--out", str(out), "--quiet"]
    assert main(["train", *args]) == 0
    assert f"wrote {out}" in capsys.readouterr().out
    _, meta = load_network("extrapolate", "unet", out)
    facts = meta["training"]
    assert facts["steps"] >= 1 and facts["data"]["scenes"] == 2
    assert facts["settings"]["work"] == str(tmp_path / "work")
    assert len(list((tmp_path / "work" / "data").glob("*.safetensors"))) == 2
