"""The path-tracing stub's noise is real, unbiased and reproducible."""

import pytest
import torch

from common.metrics.psnr import psnr
from common.tonemap import tonemap
from tests.conftest import temple_renderer

SIZE = (160, 90)


@pytest.fixture(scope="module")
def temple(gl_session):
    with temple_renderer(gl_session, SIZE) as made:
        yield made


def test_averaging_independent_renders_converges_to_the_reference(gl, temple):
    renderer, view = temple
    reference = renderer.render(view, None, reference=True).reference
    renders = torch.stack([renderer.render(view, None, seed=s).color for s in range(64)])
    one = psnr(tonemap(renders[0]), tonemap(reference))
    mean = psnr(tonemap(renders.mean(0)), tonemap(reference))
    assert one < 25.0, f"one 1-spp render of temple should be noisy, got {one:.1f} dB"
    assert mean >= one + 12.0, f"64-render mean {mean:.1f} dB vs one {one:.1f} dB"


def test_noise_is_unbiased(gl, temple):
    renderer, view = temple
    reference = renderer.render(view, None, reference=True).reference
    renders = torch.stack([renderer.render(view, None, seed=100 + s).color for s in range(64)])
    # The image mean is a sum of 64 x 14400 samples: its error is far below 1%.
    assert abs(renders.mean() / reference.mean() - 1.0) < 0.01
    assert float(renders.std(0).mean()) > 0.05, "1-spp renders should differ per pixel"


def test_same_seed_and_frame_give_identical_images(gl, temple):
    renderer, view = temple
    a = renderer.render(view, None, seed=7, index=3, reference=True)
    b = renderer.render(view, None, seed=7, index=3, reference=True)
    assert torch.equal(a.color, b.color)
    assert torch.equal(a.reference, b.reference)
    c = renderer.render(view, None, seed=8, index=3, reference=True)
    d = renderer.render(view, None, seed=7, index=4, reference=True)
    assert not torch.equal(a.color, c.color)
    assert not torch.equal(a.color, d.color)
    # The reference does not depend on the noise.
    assert torch.equal(a.reference, c.reference) and torch.equal(a.reference, d.reference)


def test_more_samples_per_pixel_means_less_noise(gl, temple):
    renderer, view = temple
    reference = tonemap(renderer.render(view, None, reference=True).reference)
    one = psnr(tonemap(renderer.render(view, None, spp=1).color), reference)
    sixteen = psnr(tonemap(renderer.render(view, None, spp=16).color), reference)
    assert sixteen > one + 6.0
