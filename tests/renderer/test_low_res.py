"""Half-resolution frames for super-resolution: same camera, jittered samples."""

import numpy as np

from renderer.camera import halton_jitter
from renderer.pathgen import resolve_path
from renderer.player import PathPlayer, RenderSettings
from renderer.scenes import load_scene
from tests.conftest import TEST_QUALITY


def test_low_res_frame_is_half_size_jittered_and_consistent(gl):
    scene = load_scene("temple")
    path = resolve_path("default", scene)
    settings = RenderSettings(size=(128, 72), low_res=True, quality=TEST_QUALITY)
    with PathPlayer(scene, settings, gl) as player:
        frame = player.render(path, 120)
    low = frame.low
    assert low is not None and low.size == (64, 36)
    assert low.jitter == halton_jitter(120) and frame.jitter == (0.0, 0.0)
    assert low.reference is not None
    np.testing.assert_array_equal(low.camera.camera_to_world, frame.camera.camera_to_world)
    # Depth at the low-res pixel centres matches the full-res depth near the same point.
    ys, xs = np.mgrid[0:36, 0:64]
    jx, jy = low.jitter
    full_x = np.clip(((xs + 0.5 + jx) * 2).astype(int), 0, 127)
    full_y = np.clip(((ys + 0.5 + jy) * 2).astype(int), 0, 71)
    low_depth = low.depth[0].numpy()
    full_depth = frame.depth[0].numpy()[full_y, full_x]
    both = (low_depth > 0) & (full_depth > 0)
    close = np.abs(low_depth - full_depth) < 0.05 * full_depth
    assert close[both].mean() > 0.9


def test_jitter_changes_the_low_res_image_not_the_full_one(gl):
    scene = load_scene("temple")
    path = resolve_path("default", scene)
    settings = RenderSettings(size=(64, 36), low_res=True, reference=False, quality=TEST_QUALITY)
    with PathPlayer(scene, settings, gl) as player:
        # Frames 0 and 1 share the camera (the path starts still) but not the jitter.
        a, b = player.render(path, 1), player.render(path, 2)
    assert np.array_equal(a.depth.numpy(), b.depth.numpy())
    assert not np.array_equal(a.low.depth.numpy(), b.low.depth.numpy())


def test_odd_sizes_cannot_be_halved(gl):
    import pytest

    with pytest.raises(ValueError, match="even size"):
        PathPlayer(load_scene("temple"), RenderSettings(size=(65, 36), low_res=True), gl)
