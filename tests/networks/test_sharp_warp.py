"""Extrapolation's sharp warp: exact where nothing moves or the motion is whole pixels, no
overshoot past the source's neighbourhood, and texture edges from this frame's albedo where
the shading is smooth."""

from types import SimpleNamespace

import torch

from common.warping import backward_warp
from networks.sharp_warp import sharp_warp

H, W = 12, 16


def frame(motion, depth=None):
    return SimpleNamespace(motion=motion, depth=torch.ones(1, H, W) if depth is None else depth)


def shifted(dx):
    """Motion of a camera panning ``dx`` pixels: the surface at p was at p + dx."""
    m = torch.zeros(2, H, W)
    m[0] = dx
    return m


def stripes(edge=8.0):
    """Albedo with a vertical edge at x = ``edge``, point-sampled at pixel centres (as the
    renderer samples a G-buffer: no pixel straddles it)."""
    x = torch.arange(W, dtype=torch.float32) + 0.5
    bright = (x >= edge).to(torch.float32)
    return (0.2 + 0.6 * bright.view(1, 1, W).expand(3, H, W)).contiguous()


def test_a_still_frame_is_returned_as_it_was():
    gen = torch.Generator().manual_seed(0)
    image = torch.rand(3, H, W, generator=gen)
    mod = torch.rand(3, H, W, generator=gen) + 0.05
    out = sharp_warp(image, frame(torch.zeros(2, H, W)), mod, mod)
    # Up to float rounding of the sample positions and of colour / albedo * albedo.
    torch.testing.assert_close(out, image, rtol=1e-4, atol=1e-6)


def test_a_whole_pixel_pan_moves_the_image_exactly():
    gen = torch.Generator().manual_seed(1)
    image = torch.rand(3, H, W, generator=gen) * 4.0  # rough shading: the bicubic route
    mod = torch.full((3, H, W), 0.55)
    out = sharp_warp(image, frame(shifted(2.0)), mod, mod)
    torch.testing.assert_close(out[..., : W - 2], image[..., 2:], rtol=1e-4, atol=1e-5)


def test_no_overshoot_past_the_sources_neighbourhood():
    # A bright step, rough enough that the shading test sends it down the bicubic route,
    # which alone rings on both sides of the edge.
    image = torch.full((3, H, W), 0.1)
    image[..., 8:] = 10.0
    mod = torch.ones(3, H, W)
    out = sharp_warp(image, frame(shifted(0.4)), mod, mod)
    plain = backward_warp(image, shifted(0.4), "bicubic")
    assert plain.min() < 0.1 - 1e-3 or plain.max() > 10.0 + 1e-3  # it would ring
    assert out.min() >= 0.1 - 1e-6 and out.max() <= 10.0 + 1e-6


def test_texture_edges_come_from_this_frames_albedo():
    # Constant lighting on a textured wall panning 0.4 pixel: the truth is this frame's
    # albedo times the light; a bilinear warp blurs the edge, the sharp warp does not.
    light = 2.0
    before, after = stripes(8.0), stripes(7.6)  # the edge moved 0.4 pixel left
    image = before * light
    floor = 0.05
    out = sharp_warp(image, frame(shifted(0.4)), before + floor, after + floor)
    truth = after * light
    blurred = backward_warp(image, shifted(0.4))
    inside = (slice(None), slice(None), slice(2, W - 2))
    sharp_error = (out - truth)[inside].abs().max()
    blur_error = (blurred - truth)[inside].abs().max()
    # Not exact: the floor added to albedo leaves a little of the edge in the shading.
    assert blur_error > 0.3 and sharp_error < 0.25 * blur_error, (sharp_error, blur_error)


def test_this_frames_albedo_is_not_used_on_sky():
    gen = torch.Generator().manual_seed(2)
    image = torch.full((3, H, W), 2.0)  # smooth shading: demodulated wherever allowed
    before = torch.full((3, H, W), 0.5)
    texture_a, texture_b = (torch.rand(3, H, W, generator=gen) + 0.05 for _ in range(2))
    for depth, same in ((torch.zeros(1, H, W), True), (torch.ones(1, H, W), False)):
        a, b = (
            sharp_warp(image, frame(shifted(0.3), depth), before, t) for t in (texture_a, texture_b)
        )
        assert torch.equal(a, b) == same
