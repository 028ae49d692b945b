"""Guided upsampling: bilinear where the geometry is alike, edge- and texture-aware where not."""

import dataclasses

import numpy as np
import pytest
import torch

from networks.upsample import upsample_guided, upsample_jittered
from renderer.camera import Camera
from renderer.frame import Frame
from renderer.pathgen import resolve_path
from renderer.player import PathPlayer, RenderSettings
from renderer.scenes import load_scene
from tests.conftest import TEST_QUALITY

FLOOR = 0.05


def _frame(albedo, normal, depth, jitter=(0.0, 0.0)) -> Frame:
    h, w = depth.shape[-2:]
    return Frame(
        color=albedo.clone(),
        albedo=albedo,
        normal=normal,
        depth=depth,
        motion=torch.zeros(2, h, w),
        prev_depth=depth,
        reference=None,
        index=0,
        time=0.0,
        cut=False,
        camera=Camera(np.eye(4), 60.0),
        jitter=jitter,
    )


def _plane(h, w, albedo=None, depth=2.0, jitter=(0.0, 0.0)) -> Frame:
    g = torch.Generator().manual_seed(h * w)
    albedo = torch.rand(3, h, w, generator=g) if albedo is None else albedo
    normal = torch.zeros(3, h, w)
    normal[2] = 1.0
    return _frame(albedo, normal, torch.full((1, h, w), depth), jitter)


@pytest.mark.parametrize("jitter", [(0.0, 0.0), (0.3, -0.2)])
def test_one_flat_surface_is_bilinear_upsampling_of_the_shading(jitter):
    """Where every sample sees the same surface, only the bilinear weights remain: the
    result is grid_sample's bilinear of log-shading (an independent implementation)."""
    low, high = _plane(9, 16, jitter=jitter), _plane(18, 32)
    g = torch.Generator().manual_seed(1)
    image = torch.rand(3, 9, 16, generator=g) * 4.0
    got = upsample_guided(image, low, high, FLOOR)
    shading = torch.log1p(image / (low.albedo + FLOOR))
    expected = torch.expm1(upsample_jittered(shading, jitter, high.size)) * (high.albedo + FLOOR)
    torch.testing.assert_close(got, expected, rtol=1e-5, atol=1e-6)


def test_texture_comes_from_the_full_resolution_albedo():
    """Constant light on a fine checkerboard: bilinear blurs the texture, guided
    upsampling gives it back exactly."""
    ys, xs = torch.meshgrid(torch.arange(18), torch.arange(32), indexing="ij")
    checker = ((xs + ys) % 2).float().expand(3, -1, -1) * 0.8 + 0.1
    high = _plane(18, 32, albedo=checker.clone())
    light = 1.7
    truth = light * high.albedo
    # The low-res image is the box average of the truth (what a converged render gives).
    low_albedo = torch.nn.functional.avg_pool2d(checker[None], 2)[0]
    low = _plane(9, 16, albedo=low_albedo)
    image = light * low_albedo
    got = upsample_guided(image, low, high, FLOOR)
    # Shading is light * (a + f) / (ā + f) - close to light, not exactly: the floor.
    plain = upsample_jittered(image, (0.0, 0.0), high.size)
    assert (got - truth).abs().max() < 0.15 * (plain - truth).abs().max()


def test_a_depth_edge_takes_each_side_from_its_own_side():
    """Near wall on the left, far wall on the right, differently lit: no pixel mixes them."""
    h, w = 8, 16
    depth_hi = torch.full((1, 2 * h, 2 * w), 2.0)
    depth_hi[..., w + 1 :] = 20.0  # the edge sits between two low-res samples' footprints
    depth_lo = torch.full((1, h, w), 2.0)
    depth_lo[..., w // 2 + 1 :] = 20.0
    high = _plane(2 * h, 2 * w, albedo=torch.full((3, 2 * h, 2 * w), 0.5))
    high = dataclasses.replace(high, depth=depth_hi)
    low = _plane(h, w, albedo=torch.full((3, h, w), 0.5))
    low = dataclasses.replace(low, depth=depth_lo)
    image = torch.where(depth_lo > 10.0, 3.0, 0.2).expand(3, -1, -1).clone()
    got = upsample_guided(image, low, high, FLOOR)
    near, far = got[:, depth_hi[0] < 10.0], got[:, depth_hi[0] > 10.0]
    torch.testing.assert_close(near, torch.full_like(near, 0.2), rtol=0, atol=1e-4)
    torch.testing.assert_close(far, torch.full_like(far, 3.0), rtol=0, atol=1e-4)
    plain = upsample_jittered(image, (0.0, 0.0), high.size)
    assert float(plain[:, depth_hi[0] > 10.0].min()) < 1.0  # bilinear bleeds across


def test_no_alike_neighbour_falls_back_to_bilinear():
    low, high = _plane(4, 4), _plane(8, 8, depth=50.0)  # nothing at the pixel's depth
    image = torch.rand(3, 4, 4, generator=torch.Generator().manual_seed(3))
    got = upsample_guided(image, low, high, FLOOR)
    assert torch.isfinite(got).all()
    shading = torch.log1p(image / (low.albedo + FLOOR))
    expected = torch.expm1(upsample_jittered(shading, (0.0, 0.0), high.size))
    torch.testing.assert_close(got, expected * (high.albedo + FLOOR), rtol=1e-4, atol=1e-5)


def test_mismatched_sizes_are_a_clear_error():
    low, high = _plane(4, 4), _plane(8, 8)
    with pytest.raises(ValueError, match="differ in size"):
        upsample_guided(torch.rand(3, 5, 4), low, high, FLOOR)
    with pytest.raises(ValueError, match=r"\(3, h, w\)"):
        upsample_guided(torch.rand(4, 4), low, high, FLOOR)


def test_rendered_frames_are_closer_to_the_reference_than_bilinear(gl):
    scene = load_scene("temple")
    # At 128x72 most edges are below a pixel and there is little to gain (0.93x).
    settings = RenderSettings(size=(256, 144), low_res=True, quality=TEST_QUALITY)
    with PathPlayer(scene, settings, gl) as player:
        frame = player.render(resolve_path("default", scene), 30)
    low = frame.low
    guided = upsample_guided(low.reference, low, frame, FLOOR)
    plain = upsample_jittered(low.reference, low.jitter, frame.size)
    assert guided.shape == frame.reference.shape and torch.isfinite(guided).all()

    def error(x):
        return float((x / (1 + x) - frame.reference / (1 + frame.reference)).square().mean())

    assert error(guided) < 0.75 * error(plain)  # 0.62x measured
