"""A sequence's PSNR from its frames' PSNRs."""

import math

import pytest

from common.metrics.sequence import sequence_psnr


def test_sequence_psnr_uses_the_mean_squared_error():
    assert sequence_psnr([20.0, 20.0]) == pytest.approx(20.0)
    # MSE 0.01 and 0.0001 average to 0.00505.
    assert sequence_psnr([20.0, 40.0]) == pytest.approx(22.967, abs=1e-3)
    assert sequence_psnr([float("inf")]) == 100.0
    assert sequence_psnr([]) is None
    assert math.isnan(sequence_psnr([20.0, float("nan")])), "not capped into a perfect 100 dB"
