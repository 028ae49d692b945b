"""The one sRGB transfer function: both directions, numpy and torch alike."""

import numpy as np
import torch

from common.srgb import linear_to_srgb, srgb_to_linear


def test_numpy_and_torch_agree():
    x = np.random.default_rng(0).uniform(-0.2, 1.2, size=(64, 3))
    x[:4, 0] = (0.0, 0.0031308, 0.04045, 1.0)
    for f in (srgb_to_linear, linear_to_srgb):
        from_numpy = f(x)
        assert isinstance(from_numpy, np.ndarray) and from_numpy.dtype == np.float64
        # The same expression; the two libraries' powers may differ in the last bit.
        from_torch = f(torch.from_numpy(x)).numpy()
        np.testing.assert_allclose(from_numpy, from_torch, rtol=1e-15, atol=0, err_msg=f.__name__)


def test_the_directions_invert_each_other_and_clamp():
    x = torch.linspace(-0.5, 1.5, 2001, dtype=torch.float64)
    inside = x.clamp(0.0, 1.0)
    torch.testing.assert_close(srgb_to_linear(linear_to_srgb(x)), inside, rtol=0, atol=1e-12)
    torch.testing.assert_close(linear_to_srgb(srgb_to_linear(x)), inside, rtol=0, atol=1e-12)


def test_keeps_the_input_dtype_and_makes_integers_float():
    assert srgb_to_linear(torch.rand(2, 3, dtype=torch.float16)).dtype == torch.float16
    assert srgb_to_linear(np.zeros(3, np.float32)).dtype == np.float32
    decoded = srgb_to_linear([0, 1])
    assert decoded.dtype == np.float64 and decoded.tolist() == [0.0, 1.0]
