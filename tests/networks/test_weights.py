"""Weight files: round trip, metadata, and clear errors for bad files; no code runs."""

import json
import pickle

import pytest
import torch
from safetensors.torch import load_file, save_file

from networks.model import build
from networks.tasks import TASKS
from networks.unet import UNetConfig
from networks.weights import WeightsError, load_network, read_metadata, save_weights, weights_path

CONFIG = UNetConfig(
    TASKS["denoise"].in_channels,
    widths=(8, 12, 16),
    arch="unet",
    activation="leaky" if TASKS["denoise"].residual else "relu",
)


@pytest.fixture
def saved(tmp_path):
    torch.manual_seed(0)
    net = build(CONFIG)
    path = tmp_path / "denoise-unet.safetensors"
    save_weights(path, net, CONFIG, "denoise", {"steps": 3, "minutes": 0.1})
    return net, path


def test_round_trip_keeps_config_facts_and_outputs(saved):
    net, path = saved
    loaded, meta = load_network("denoise", "unet", path)
    assert meta["config"] == CONFIG and meta["training"]["steps"] == 3
    assert not loaded.training
    # Stored as float16: the loaded network is the float16-rounded original.
    net.load_state_dict({k: v.half().float() for k, v in net.state_dict().items()})
    x = torch.rand(1, CONFIG.in_channels, 20, 28)
    with torch.no_grad():
        torch.testing.assert_close(loaded(x), net.eval()(x), atol=1e-5, rtol=1e-5)


def test_missing_file_says_how_to_make_it(tmp_path):
    with pytest.raises(WeightsError, match="reframe-rt train --task denoise --arch unet"):
        load_network("denoise", "unet", tmp_path / "nothing.safetensors")


def test_corrupt_file(tmp_path):
    path = tmp_path / "w.safetensors"
    path.write_bytes(b"\x00\x01garbage" * 100)
    with pytest.raises(WeightsError, match="cannot read weights"):
        load_network("denoise", "unet", path)


def test_other_task_or_architecture(saved):
    _, path = saved
    with pytest.raises(WeightsError, match="holds weights for denoise with unet, not supersample"):
        load_network("supersample", "unet", path)
    with pytest.raises(WeightsError, match="not denoise with unetpp"):
        load_network("denoise", "unetpp", path)


def test_a_file_for_an_earlier_input_width(tmp_path):
    """Same task and architecture, but made when the task assembled fewer channels."""
    old = UNetConfig(CONFIG.in_channels - 1, widths=(8, 12, 16), arch="unet")
    path = tmp_path / "old.safetensors"
    save_weights(path, build(old), old, "denoise", {})
    with pytest.raises(WeightsError, match="reads 10 input channels, but denoise now assembles 11"):
        load_network("denoise", "unet", path)


def test_a_file_that_disagrees_on_residual(tmp_path):
    """A file says whether its network outputs a correction to its input or the whole
    image; files from before it said so tell by their activation."""
    path = tmp_path / "w.safetensors"
    save_weights(path, build(CONFIG), CONFIG, "denoise", {})
    metadata = dict(read_metadata(path))
    flipped = json.dumps(not json.loads(metadata["residual"]))
    tensors = load_file(str(path))
    save_file(tensors, str(path), metadata={**metadata, "residual": flipped})
    with pytest.raises(WeightsError, match="now predicts"):
        load_network("denoise", "unet", path)
    del metadata["residual"]
    save_file(tensors, str(path), metadata=metadata)
    load_network("denoise", "unet", path)  # LeakyReLU <=> residual, as training made them
    other = {
        **json.loads(metadata["config"]),
        "activation": "relu" if TASKS["denoise"].residual else "leaky",
    }
    save_file(tensors, str(path), metadata={**metadata, "config": json.dumps(other)})
    with pytest.raises(WeightsError, match="now predicts"):
        load_network("denoise", "unet", path)
    save_file(tensors, str(path), metadata={**metadata, "residual": "{not json"})
    with pytest.raises(WeightsError, match="unreadable 'residual'"):
        load_network("denoise", "unet", path)


def test_a_file_that_disagrees_on_the_gate(tmp_path):
    """Extrapolation's correction is gated; a file trained ungated (or saying nothing, as
    files from before the gate) is refused in one line, and so is an unreadable header."""
    shipped = weights_path("extrapolate", "unet")
    metadata = dict(read_metadata(shipped))
    tensors = load_file(str(shipped))
    path = tmp_path / "w.safetensors"
    for header in (
        {**metadata, "gated": "false"},
        {k: v for k, v in metadata.items() if k != "gated"},
    ):
        save_file(tensors, str(path), metadata=header)
        with pytest.raises(WeightsError, match="correction everywhere, but extrapolate now"):
            load_network("extrapolate", "unet", path)
    save_file(tensors, str(path), metadata={**metadata, "gated": "{not json"})
    with pytest.raises(WeightsError, match="unreadable 'gated'"):
        load_network("extrapolate", "unet", path)


def test_foreign_safetensors_and_wrong_shapes(tmp_path):
    plain = tmp_path / "plain.safetensors"
    save_file({"x": torch.zeros(2)}, str(plain))
    with pytest.raises(WeightsError, match="not a reframe-rt weight file"):
        load_network("denoise", "unet", plain)
    odd = tmp_path / "odd.safetensors"
    config = json.dumps(CONFIG.to_dict())
    save_file(
        {"head.weight": torch.zeros(1)},
        str(odd),
        metadata={"format": "reframe-rt-weights-1", "task": "denoise", "config": config},
    )
    with pytest.raises(WeightsError, match="do not fit its config"):
        load_network("denoise", "unet", odd)


class _Boom:
    def __reduce__(self):
        return (open, ("SHOULD_NOT_EXIST", "w"))


def test_a_pickle_is_never_executed(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "evil.safetensors"
    path.write_bytes(pickle.dumps(_Boom()))
    with pytest.raises(WeightsError):
        load_network("denoise", "unet", path)
    assert not (tmp_path / "SHOULD_NOT_EXIST").exists()


SHIPPED = [("denoise", "unet"), ("denoise", "unetpp"), ("supersample", "unet")]
SHIPPED += [("extrapolate", "unet")]
TRAINED = SHIPPED


@pytest.mark.parametrize(("task", "arch"), SHIPPED)
def test_shipped_weights_load_fit_their_task_and_stay_small(task, arch):
    from assets import WEIGHTS_DIR
    from networks.tasks import TASKS

    path = WEIGHTS_DIR / f"{task}-{arch}.safetensors"
    assert path.stat().st_size <= 8_000_000
    net, meta = load_network(task, arch, path)
    assert net.config.in_channels == TASKS[task].in_channels
    facts = meta["training"]
    assert facts["steps"] > 0 and facts["data"]["scenes"] > 0


@pytest.mark.parametrize(("task", "arch"), TRAINED)
def test_shipped_weights_beat_their_baseline_on_rendered_frames(task, arch, gl):
    """Run on frames of a built-in scene (never a training one) where the camera moves: the
    file's own validation numbers would pass even if its tensors were zero."""
    import dataclasses

    from common.metrics.sequence import sequence_psnr
    from evaluation.methods import methods_for
    from evaluation.runner import Runner
    from renderer.pathgen import resolve_path
    from renderer.player import RenderSettings
    from renderer.scenes import load_scene
    from tests.conftest import TEST_QUALITY

    scene = load_scene("garden")
    path = resolve_path("default", scene)
    path = dataclasses.replace(path, frames=path.frames[100:106])
    settings = RenderSettings(size=(128, 72), quality=TEST_QUALITY)
    runner = Runner(
        scene, path, TASKS[task], methods_for(TASKS[task], ["full"], arch), settings, gl=gl
    )
    try:
        results = list(runner.run())
    finally:
        runner.close()
    full, base = (
        sequence_psnr([r.vs_reference[m].psnr for r in results]) for m in ("full", "baseline")
    )
    assert len(results) >= 5 and full > base + MARGIN_DB[task], (full, base)


MARGIN_DB = {"denoise": 3.0, "supersample": 2.0, "extrapolate": 0.5}
"""About half of each network's gain on these frames (6.4, 4.0 and 1.3 dB when written); a
network that only passes its baseline through (a residual one with a zero head) gains 0."""
