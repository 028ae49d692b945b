"""Our torch FLIP against NVIDIA's flip-evaluator, the oracle."""

import flip_evaluator
import numpy as np
import pytest
import torch

from common.metrics.flip import FLIP, flip
from common.tonemap import tonemap
from networks.tasks import TASKS
from renderer.pathgen import resolve_path
from renderer.player import PathPlayer, RenderSettings
from renderer.scenes import load_scene
from tests.conftest import TEST_QUALITY


def oracle(test: torch.Tensor, reference: torch.Tensor) -> tuple[np.ndarray, float]:
    def hwc(x):
        return np.ascontiguousarray(x.permute(1, 2, 0).numpy().astype(np.float32))

    error, mean, _ = flip_evaluator.evaluate(hwc(reference), hwc(test), "LDR", applyMagma=False)
    return np.asarray(error).reshape(test.shape[-2:]), float(mean)


@pytest.fixture(scope="module")
def rendered_pairs(gl_session):
    """(test, reference) display-referred pairs from our renderer: noisy input and each
    task's baseline against the reference."""
    scene = load_scene("garden")
    path = resolve_path("default", scene)
    settings = RenderSettings(size=(320, 180), low_res=True, quality=TEST_QUALITY)
    with PathPlayer(scene, settings, gl_session) as player:
        previous, frame = player.render(path, 199), player.render(path, 200)
    ref = tonemap(frame.reference)
    pairs = [(tonemap(frame.color), ref)]
    for task in TASKS.values():
        pairs.append((tonemap(task.baseline(frame, [previous])), ref))
    return pairs


def test_mean_and_map_match_flip_evaluator_on_rendered_images(rendered_pairs):
    for test, ref in rendered_pairs:
        ours_map, ours_mean = flip(test, ref)
        their_map, their_mean = oracle(test, ref)
        assert abs(float(ours_mean) - their_mean) <= 0.02 * their_mean
        r = np.corrcoef(ours_map[0].numpy().ravel(), their_map.ravel())[0, 1]
        assert r >= 0.99
        np.testing.assert_allclose(ours_map[0].numpy(), their_map, atol=1e-3)


def test_synthetic_colors_and_edges_match():
    gen = torch.Generator().manual_seed(0)
    ref = torch.rand(3, 48, 64, generator=gen)
    blocks = torch.zeros(3, 48, 64)
    blocks[0, :, :32], blocks[1, 24:, :], blocks[2, :, 40:] = 0.9, 0.6, 0.3
    for test in (ref.flip(-1), blocks, (ref + 0.05).clamp(0, 1)):
        ours_map, ours_mean = flip(test, ref)
        their_map, their_mean = oracle(test, ref)
        assert float(ours_mean) == pytest.approx(their_mean, rel=1e-3)
        np.testing.assert_allclose(ours_map[0].numpy(), their_map, atol=1e-3)


def test_identical_images_have_no_error_and_errors_stay_in_range():
    x = torch.rand(3, 32, 32)
    error, mean = flip(x, x)
    assert float(error.max()) == 0.0 and float(mean) == 0.0
    error, _ = flip(torch.zeros(3, 32, 32), torch.ones(3, 32, 32))
    assert float(error.min()) >= 0.0 and float(error.max()) <= 1.0


def test_batches_equal_single_images_and_the_module():
    a, b = torch.rand(2, 3, 24, 40), torch.rand(2, 3, 24, 40)
    maps, means = flip(a, b)
    assert maps.shape == (2, 1, 24, 40) and means.shape == (2,)
    for i in range(2):
        single_map, single_mean = flip(a[i], b[i])
        torch.testing.assert_close(maps[i], single_map)
        torch.testing.assert_close(means[i], single_mean)
    torch.testing.assert_close(FLIP()(a, b), maps)


def test_eps_gives_finite_gradients_and_stays_close_to_the_metric():
    gen = torch.Generator().manual_seed(1)
    ref = torch.rand(2, 3, 32, 40, generator=gen)
    # One image equal to its reference (every root at zero), one a little off.
    test = torch.stack([ref[0], (ref[1] + 0.05 * torch.randn(3, 32, 40, generator=gen))])
    test = test.clamp(0.0, 1.0)
    exact = flip(test, ref)[1]
    for eps, finite in ((0.0, False), (1e-6, True)):
        x = test.clone().requires_grad_()
        _, mean = flip(x, ref, eps=eps)
        mean.sum().backward()
        assert bool(torch.isfinite(x.grad).all()) == finite
    assert float((mean.detach() - exact).abs().max()) < 1e-3
    assert float(x.grad[1].abs().sum()) > 0.0


@pytest.mark.parametrize(
    ("test", "reference", "message"),
    [
        (torch.rand(3, 8, 8), torch.rand(3, 8, 9), "differ in shape"),
        (torch.rand(4, 8, 8), torch.rand(4, 8, 8), "3 channels"),
        (torch.rand(8, 8), torch.rand(8, 8), r"\(C, H, W\)"),
        (
            torch.zeros(3, 8, 8, dtype=torch.uint8),
            torch.zeros(3, 8, 8, dtype=torch.uint8),
            "floating",
        ),
    ],
)
def test_bad_inputs_are_named(test, reference, message):
    with pytest.raises(ValueError, match=message):
        flip(test, reference)
