"""Training: a few steps on two tiny random scenes, a checkpoint, and a resume."""

import json

from safetensors import safe_open

from networks.data import random_path, random_scene
from networks.train import TrainSettings, train
from networks.weights import load_network


def test_train_writes_weights_and_resumes(tmp_path, monkeypatch):
    import networks.data as data

    monkeypatch.setattr(data, "SIZE", (64, 48))  # tiny frames, same code
    settings = TrainSettings(
        task="extrapolate",
        arch="unet",
        minutes=0.02,
        scenes=3,
        batch=2,
        data_dir=tmp_path / "data",
        work_dir=tmp_path / "work",
        out=tmp_path / "extrapolate-unet.safetensors",
        quiet=True,
    )
    out = train(settings)
    _, meta = load_network("extrapolate", "unet", out)
    facts = meta["training"]
    first_steps = facts["steps"]
    assert first_steps >= 1 and facts["data"]["scenes"] == 3
    assert "validation_psnr" in facts and "final_train_loss" in facts
    checkpoint = tmp_path / "work" / "extrapolate-unet" / "checkpoint.safetensors"
    with safe_open(str(checkpoint), framework="pt") as f:
        assert int(f.metadata()["step"]) == first_steps
    # Resuming with a longer budget continues from the checkpoint's step count.
    settings.minutes = 0.04
    train(settings)
    _, meta = load_network("extrapolate", "unet", out)
    assert meta["training"]["steps"] > first_steps
    # The data was rendered once and read back the second time.
    assert len(list((tmp_path / "data").glob("*.safetensors"))) == 3


def test_random_scenes_and_paths_are_reproducible():
    import numpy as np

    a = random_scene(np.random.default_rng([5, 1]))
    b = random_scene(np.random.default_rng([5, 1]))
    assert (a.static.positions == b.static.positions).all()
    path = random_path(np.random.default_rng(3), a)
    assert len(path) == 6 and json.dumps(path.to_json())
