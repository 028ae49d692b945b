"""Filling disocclusions from the G-buffers: smoke, shapes, exceptions, and against the
plain pull-push on cases where the answer is known."""

import pytest
import torch

from networks.fill import fill_from_surface, reproject_guided, split_pull_push
from networks.reproject import carried_over, fill_holes, reproject
from networks.tasks import TASKS, modulation
from renderer.pathgen import resolve_path
from renderer.player import PathPlayer, RenderSettings
from renderer.scenes import load_scene
from tests.conftest import TEST_QUALITY

H, W = 12, 16


def two_surfaces():
    """A near wall (depth 1, facing the camera) on the left, a far floor (depth 5, facing
    up) on the right, each evenly lit; a hole on the floor next to the wall."""
    shading = torch.empty(3, H, W)
    shading[:, :, :8], shading[:, :, 8:] = 1.0, 4.0
    depth = torch.empty(1, H, W)
    depth[:, :, :8], depth[:, :, 8:] = 1.0, 5.0
    normal = torch.zeros(3, H, W)
    normal[2, :, :8], normal[1, :, 8:] = 1.0, 1.0
    valid = torch.ones(1, H, W, dtype=torch.bool)
    valid[:, 4:8, 8:11] = False
    shading[:, ~valid[0]] = -100.0
    return shading, valid, depth, normal


def test_holes_take_their_own_surface_not_the_occluder():
    shading, valid, depth, normal = two_surfaces()
    out = fill_from_surface(shading, valid, depth, normal)
    torch.testing.assert_close(out[:, valid[0]], shading[:, valid[0]], rtol=0, atol=0)
    torch.testing.assert_close(out[:, 4:8, 8:11], torch.full((3, 4, 3), 4.0))
    # The plain pull-push mixes the wall in: this is what the guided fill is for.
    assert float(fill_holes(shading, valid)[:, 4:8, 8].min()) < 3.9


def test_sky_and_geometry_never_mix():
    shading, valid, depth, normal = two_surfaces()
    depth[:, :, 8:] = 0.0  # the right half is sky now: no depth, any normal
    shading[:, :, 8:] = 20.0
    shading[:, ~valid[0]] = -100.0
    valid[:, 0:2, 0:3] = False  # and a hole in the wall
    out = fill_from_surface(shading, valid, depth, normal)
    torch.testing.assert_close(out[:, 4:8, 8:11], torch.full((3, 4, 3), 20.0))
    torch.testing.assert_close(out[:, 0:2, 0:3], torch.full((3, 2, 3), 1.0))


def test_holes_with_no_surface_in_reach_fall_back_to_a_pull_push_of_their_kind():
    shading, valid, depth, normal = two_surfaces()
    depth[:, 4:8, 8:11] = 50.0  # a surface seen nowhere else
    out = fill_from_surface(shading, valid, depth, normal)
    hole = out[:, 4:8, 8:11]
    assert torch.isfinite(hole).all()
    torch.testing.assert_close(hole, split_pull_push(shading, valid, depth)[:, 4:8, 8:11])
    assert float(hole.min()) >= 1.0 and float(hole.max()) <= 4.0


def test_nothing_to_fill_is_the_identity():
    shading, valid, depth, normal = two_surfaces()
    valid[:] = True
    out = fill_from_surface(shading, valid, depth, normal)
    assert torch.equal(out, shading) and out.data_ptr() != shading.data_ptr()


@pytest.mark.parametrize(
    ("name", "shape", "dtype"),
    [("valid", (1, H, W + 1), torch.bool), ("valid", (1, H, W), torch.float32)],
)
def test_exceptions(name, shape, dtype):
    shading, valid, depth, normal = two_surfaces()
    bad = torch.ones(shape, dtype=dtype)
    with pytest.raises(ValueError, match=name):
        fill_from_surface(shading, bad, depth, normal)
    with pytest.raises(ValueError, match="normal"):
        fill_from_surface(shading, valid, depth, normal[:2])


def test_guided_reprojection_on_rendered_frames(gl):
    """Equal to plain reprojection where the last frame saw the surface, closer to the
    reference in the holes of a turning camera."""
    scene = load_scene("temple")
    path = resolve_path("default", scene)
    settings = RenderSettings(size=(96, 54), quality=TEST_QUALITY)
    with PathPlayer(scene, settings, gl) as player:
        prev, cur = player.render(path, 119), player.render(path, 120)
    guided = reproject_guided(prev.reference, prev, cur, modulation(cur))
    plain = reproject(prev.reference, prev, cur)
    seen = carried_over(prev, cur)[0]
    assert int((~seen).sum()) > 0, "the frame should have holes"
    assert torch.equal(guided[:, seen], plain[:, seen])
    hole_error = {
        k: float((v[:, ~seen] - cur.reference[:, ~seen]).abs().mean())
        for k, v in (("guided", guided), ("plain", plain))
    }
    assert hole_error["guided"] < hole_error["plain"], hole_error
    # The network corrects the guided reprojection, warped sharp; the baseline stays plain.
    task = TASKS["extrapolate"]
    sharp = reproject_guided(prev.reference, prev, cur, modulation(cur), None, modulation(prev))
    assert torch.equal(task.start(cur, [prev]), sharp)
    assert torch.equal(task.baseline(cur, [prev]), plain)
