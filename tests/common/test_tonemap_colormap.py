"""The one tone mapping and the magma color map."""

import numpy as np
import torch
from matplotlib import colormaps

from common.colormap import magma
from common.srgb import linear_to_srgb
from common.tonemap import ToneMap, tonemap


def test_tonemap_is_monotonic_and_bounded():
    x = torch.linspace(0, 50, 2001)
    y = tonemap(x)
    assert float(y[0]) == 0.0 and float(y.max()) <= 1.0
    assert torch.all(y[1:] >= y[:-1])
    assert abs(float(tonemap(torch.tensor(1e6))) - 1.0) < 1e-6
    assert float(tonemap(torch.tensor(-3.0))) == 0.0
    torch.testing.assert_close(ToneMap()(x), y)


def test_srgb_transfer_function_endpoints():
    x = torch.tensor([0.0, 0.0031308, 0.5, 1.0])
    y = linear_to_srgb(x)
    assert float(y[0]) == 0.0 and abs(float(y[3]) - 1.0) < 1e-6
    assert abs(float(y[1]) - 0.04045) < 1e-4  # the two pieces meet
    assert abs(float(y[2]) - 0.7353569) < 1e-5


def test_magma_matches_matplotlib():
    values = torch.tensor([[0.0, 0.25], [0.5, 1.0]])
    colors = magma(values)
    assert colors.shape == (3, 2, 2)
    expected = colormaps["magma"](np.array([0.0, 1.0]))[:, :3]
    np.testing.assert_allclose(colors[:, 0, 0].numpy(), expected[0], atol=1e-6)
    np.testing.assert_allclose(colors[:, 1, 1].numpy(), expected[1], atol=1e-6)
    assert magma(torch.zeros(2, 1, 4, 5)).shape == (2, 3, 4, 5)


def test_tonemap_gradient_is_finite_at_black():
    """Training losses go through the tone mapping: black pixels (and clamped negative
    predictions) must not turn the gradient into NaN."""
    import torch

    from common.tonemap import tonemap

    x = torch.tensor([-1.0, 0.0, 1e-4, 0.5, 3.0], requires_grad=True)
    tonemap(x).sum().backward()
    assert torch.isfinite(x.grad).all()
