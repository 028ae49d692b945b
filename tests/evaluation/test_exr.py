"""EXR files: channel names and precision, round trips, and no partial files."""

import numpy as np
import pytest
import torch

from evaluation.exr import layer_channels, read_exr, write_exr


def test_round_trip_keeps_names_dtypes_and_values(tmp_path):
    rng = np.random.default_rng(0)
    channels = {
        "color.R": rng.random((5, 7)).astype(np.float16),
        "depth.Z": rng.random((5, 7)).astype(np.float32) * 100,
    }
    write_exr(tmp_path / "f.exr", channels)
    back = read_exr(tmp_path / "f.exr")
    assert set(back) == set(channels)
    for name, data in channels.items():
        assert back[name].dtype == data.dtype
        np.testing.assert_array_equal(back[name], data)


def test_layer_channels_split_a_tensor():
    image = torch.arange(2 * 3 * 4, dtype=torch.float32).view(2, 3, 4)
    out = layer_channels("motion", image, ("X", "Y"), half=False)
    assert list(out) == ["motion.X", "motion.Y"]
    np.testing.assert_array_equal(out["motion.Y"], image[1].numpy())
    with pytest.raises(ValueError, match="2 channels for 3 names"):
        layer_channels("normal", image, ("X", "Y", "Z"))


def test_a_failed_write_leaves_no_file(tmp_path):
    with pytest.raises(Exception):  # noqa: B017 - OpenEXR's own error type
        write_exr(tmp_path / "f.exr", {"color.R": np.zeros((4, 4), np.float64)})
    assert list(tmp_path.iterdir()) == []
