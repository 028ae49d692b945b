"""SSIM and PSNR against scikit-image, an independent implementation."""

import numpy as np
import pytest
import torch
from skimage.metrics import peak_signal_noise_ratio, structural_similarity

from common.metrics.psnr import PSNR, psnr
from common.metrics.ssim import SSIM, ssim, ssim_map


def pairs():
    gen = torch.Generator().manual_seed(1)
    base = torch.rand(3, 60, 90, generator=gen)
    smooth = torch.nn.functional.avg_pool2d(base[None], 5, 1, 2)[0]
    yield base, (base + 0.1 * torch.randn(3, 60, 90, generator=gen)).clamp(0, 1)
    yield smooth, (smooth * 0.8 + 0.1).clamp(0, 1)
    yield smooth, smooth.flip(-1)


def hwc(x: torch.Tensor) -> np.ndarray:
    return x.permute(1, 2, 0).double().numpy()


@pytest.mark.parametrize(("test", "reference"), list(pairs()))
def test_ssim_matches_scikit_image(test, reference):
    expected = structural_similarity(
        hwc(reference),
        hwc(test),
        channel_axis=2,
        data_range=1.0,
        gaussian_weights=True,
        sigma=1.5,
        use_sample_covariance=False,
    )
    assert float(ssim(test, reference)) == pytest.approx(expected, abs=1e-3)


@pytest.mark.parametrize(("test", "reference"), list(pairs()))
def test_psnr_matches_scikit_image(test, reference):
    expected = peak_signal_noise_ratio(hwc(reference), hwc(test), data_range=1.0)
    assert float(psnr(test, reference)) == pytest.approx(expected, abs=1e-3)


def test_identical_and_batched():
    x = torch.rand(2, 3, 32, 32)
    assert torch.allclose(ssim(x, x), torch.ones(2))
    assert torch.isinf(psnr(x[0], x[0]))
    y = torch.rand(2, 3, 32, 32)
    torch.testing.assert_close(ssim(x, y)[1], ssim(x[1], y[1]))
    torch.testing.assert_close(psnr(x, y)[0], psnr(x[0], y[0]))
    torch.testing.assert_close(SSIM()(x, y), ssim(x, y))
    torch.testing.assert_close(PSNR()(x, y), psnr(x, y))
    assert ssim_map(x, y).shape == (2, 1, 22, 22)


def test_bad_inputs():
    with pytest.raises(ValueError, match="differ in shape"):
        ssim(torch.rand(3, 20, 20), torch.rand(3, 20, 21))
    with pytest.raises(ValueError, match="larger than 11"):
        ssim(torch.rand(3, 10, 20), torch.rand(3, 10, 20))
    with pytest.raises(ValueError, match="shapes differ"):
        psnr(torch.rand(3, 4, 4), torch.rand(3, 4, 5))


def test_never_above_one_for_near_identical_images():
    # Rounding in the float32 blurs put a real run's SSIM at 1 + 8e-8 (measured).
    gen = torch.Generator().manual_seed(3)
    x = torch.rand(1, 3, 40, 64, generator=gen)
    for eps in (0.0, 1e-7, 1e-6):
        y = (x + eps * torch.randn(x.shape, generator=gen)).clamp(0, 1)
        assert float(ssim_map(x, y).max()) <= 1.0 and float(ssim(x, y)) <= 1.0
