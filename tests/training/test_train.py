"""Training: a few steps on two tiny random scenes, a checkpoint, and a resume."""

import json
import shutil

import pytest
import torch
from safetensors import safe_open

from common.errors import UserError
from networks.weights import load_network
from renderer.scenes.random_scenes import random_scene
from training.data import random_path
from training.loop import train
from training.loss import loss_fn
from training.settings import TrainSettings


def tiny(tmp_path, arch: str, minutes: float = 0.01, scenes: int = 2) -> TrainSettings:
    """Extrapolation on a few tiny scenes, a step or two."""
    return TrainSettings(
        task="extrapolate",
        arch=arch,
        minutes=minutes,
        scenes=scenes,
        batch=2,
        data=tmp_path / "data",
        work=tmp_path / "work",
        out=tmp_path / f"extrapolate-{arch}.safetensors",
        quiet=True,
    )


def test_train_writes_weights_and_resumes(tmp_path, monkeypatch):
    import training.data as data

    monkeypatch.setattr(data, "SIZE", (64, 48))  # tiny frames, same code
    settings = tiny(tmp_path, "unet", minutes=0.02, scenes=3)
    out = train(settings)
    _, meta = load_network("extrapolate", "unet", out)
    facts = meta["training"]
    first_steps = facts["steps"]
    assert first_steps >= 1 and facts["data"]["scenes"] == 3
    assert "validation_psnr" in facts and "final_train_loss" in facts
    # A residual network gets units that cannot die for good, and the loss that keeps a
    # gradient (with ReLU and L1 every unit its head saw died: measured).
    assert meta["config"].activation == "leaky" and "squared" in facts["loss"]
    checkpoint = tmp_path / "work" / "extrapolate-unet" / "checkpoint.safetensors"
    with safe_open(str(checkpoint), framework="pt") as f:
        assert int(f.metadata()["step"]) == first_steps
        spent = float(f.metadata()["elapsed"])  # over the budget by a step: slow under load
    # Resuming with a longer budget continues from the checkpoint's step count.
    settings.minutes = spent / 60.0 + 0.02
    train(settings)
    _, meta = load_network("extrapolate", "unet", out)
    assert meta["training"]["steps"] > first_steps
    # The data was rendered once and read back the second time.
    assert len(list((tmp_path / "data").glob("*.safetensors"))) == 3
    # Other settings would train on under the old ones while the file claimed the new.
    settings.learning_rate, settings.minutes = 0.01, 0.06
    with pytest.raises(UserError, match=r"--learning-rate None \(now 0.01\).*--fresh"):
        train(settings)
    settings.learning_rate = None
    # A checkpoint of another network shape is refused with a hint, not a traceback.
    other = tmp_path / "work" / "denoise-unet"
    other.mkdir()
    shutil.copy(checkpoint, other / "checkpoint.safetensors")
    settings.task, settings.out = "denoise", tmp_path / "denoise-unet.safetensors"
    with pytest.raises(UserError, match="--fresh"):
        train(settings)


def test_random_scenes_and_paths_are_reproducible():
    import numpy as np

    a = random_scene(np.random.default_rng([5, 1]))
    b = random_scene(np.random.default_rng([5, 1]))
    assert (a.static.positions == b.static.positions).all()
    path = random_path(np.random.default_rng(3), a)
    assert len(path) == 6 and json.dumps(path.to_json())


def _random_sequence(frames: int = 4, size: tuple[int, int] = (16, 16)):
    import torch

    from training.data import TrainingSequence

    g = torch.Generator().manual_seed(0)
    h, w = size
    shapes = {"color": 3, "albedo": 3, "normal": 3, "depth": 1, "motion": 2}
    shapes |= {"prev_depth": 1, "reference": 3}
    tensors = {k: torch.rand(frames, c, h, w, generator=g) for k, c in shapes.items()}
    tensors["motion"] = (tensors["motion"] - 0.5) * 2.0  # pixels, both directions
    for k, c in {"reference": 3, "albedo": 3, "normal": 3, "depth": 1}.items():
        tensors[f"low_{k}"] = torch.rand(frames, c, h // 2, w // 2, generator=g)
    return TrainingSequence(
        tensors={k: v.half() for k, v in tensors.items()}, jitters=[(0.0, 0.0)] * frames
    )


def test_recurrent_training_inputs_match_what_playback_feeds_the_network():
    """The unrolled 'previous output' in a training batch is what the evaluation method
    would have carried, had it played the ``unroll`` frames before the sample."""
    import dataclasses

    import torch

    from networks.method import NetworkMethod
    from networks.model import build
    from networks.tasks import TASKS
    from networks.unet import UNetConfig
    from training.batches import Batcher

    # Two frames of unrolling: each carries the answer of the one before.
    task = dataclasses.replace(TASKS["supersample"], unroll=2)
    torch.manual_seed(0)
    net = build(UNetConfig(task.in_channels, widths=(4, 8, 8))).eval()
    sequence = _random_sequence()
    batcher = Batcher(task, [sequence])
    samples = [(0, 0), (0, 1), (0, 3)]
    previous = batcher._previous_outputs(samples, net)
    assert previous[0] is None
    for (_, t), got in zip(samples[1:], previous[1:], strict=True):
        method = NetworkMethod(task, net)
        for u in range(max(0, t - task.unroll), t):
            frame, history = batcher.frames((0, u))
            expected = method(frame, history)
        torch.testing.assert_close(got, expected, rtol=1e-5, atol=1e-6)


def test_residual_loss_keeps_a_gradient_where_the_output_is_clamped():
    # An output thrown below zero is clamped to black on the way to HDR; the residual loss
    # must still pull it back (a run that lost this gradient ended at 5 dB).
    target = torch.full((1, 3, 4, 4), 0.5)
    modulation = torch.full((1, 3, 4, 4), 0.55)
    pred = torch.full((1, 3, 4, 4), -3.0, requires_grad=True)
    loss_fn(pred, target, modulation, residual=False).backward()
    assert float(pred.grad.abs().sum()) == 0.0, "the clamp stops L1's gradient"
    pred.grad = None
    loss_fn(pred, target, modulation, residual=True).backward()
    assert bool((pred.grad < 0).all()), "the residual loss pushes the output up"


def test_flip_term_adds_to_the_loss_and_keeps_finite_gradients():
    gen = torch.Generator().manual_seed(0)
    target = torch.rand(2, 3, 16, 16, generator=gen)
    modulation = torch.full((2, 3, 16, 16), 0.55)
    exact = torch.log1p(target / modulation)
    # Where the output equals the target FLIP's roots sit at zero.
    for pred in (exact, exact + 0.1 * torch.randn(2, 3, 16, 16, generator=gen)):
        pred = pred.clone().requires_grad_()
        plain = loss_fn(pred, target, modulation)
        with_flip = loss_fn(pred, target, modulation, flip_weight=0.5)
        assert float(with_flip.detach()) > float(plain.detach())
        with_flip.backward()
        assert bool(torch.isfinite(pred.grad).all())


def test_training_can_start_from_a_weight_file(tmp_path, monkeypatch):
    import training.data as data

    monkeypatch.setattr(data, "SIZE", (64, 48))
    common = dict(
        task="denoise", arch="unet", scenes=2, batch=2, data=tmp_path / "data", quiet=True
    )
    first = train(TrainSettings(minutes=0.01, work=tmp_path / "a", out=tmp_path / "a.st", **common))
    start, _ = load_network("denoise", "unet", first)
    out = train(
        TrainSettings(
            minutes=0.01, learning_rate=1e-9, flip_weight=1.0, init=first,
            work=tmp_path / "b", out=tmp_path / "b.st", **common,
        )
    )  # fmt: skip
    tuned, meta = load_network("denoise", "unet", out)
    facts = meta["training"]
    assert facts["started_from"]["file"] == "a.st" and "FLIP" in facts["loss"]
    assert facts["started_from"]["training"]["steps"] >= 1
    # A vanishing learning rate: the weights are the file's (to float16 storage).
    for (name, a), b in zip(start.state_dict().items(), tuned.state_dict().values(), strict=True):
        torch.testing.assert_close(a, b, atol=1e-3, rtol=1e-3, msg=name)


def test_the_default_weight_file_is_the_one_eval_loads_wherever_train_runs(tmp_path, monkeypatch):
    import networks.weights as weights
    import training.data as data

    monkeypatch.setattr(data, "SIZE", (64, 48))
    monkeypatch.setattr(weights, "WEIGHTS_DIR", tmp_path / "package")  # not the shipped ones
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    out = train(
        TrainSettings(
            task="denoise", arch="unet", minutes=0.005, scenes=2, batch=2,
            data=tmp_path / "data", work=tmp_path / "work", quiet=True,
        )
    )  # fmt: skip
    assert out == tmp_path / "package" / "denoise-unet.safetensors" and out.exists()
    assert not (tmp_path / "elsewhere" / "assets").exists()


def test_extranet_trains_for_extrapolation_only(tmp_path, monkeypatch):
    import training.data as data

    monkeypatch.setattr(data, "SIZE", (64, 48))
    net, meta = load_network("extrapolate", "extranet", train(tiny(tmp_path, "extranet")))
    assert meta["config"].widths == (24, 24, 32, 32) and meta["gated"] == "true"
    assert type(net).__name__ == "ExtraNet" and meta["training"]["steps"] >= 1
    with pytest.raises(UserError, match="extrapolate only"):
        train(TrainSettings(task="denoise", arch="extranet", work=tmp_path / "w", quiet=True))
