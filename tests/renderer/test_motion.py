"""Motion vectors follow docs/DESIGN.md's convention and bring the previous frame into this one."""

import numpy as np
import pytest
import torch

from renderer.camera import Camera
from renderer.motion import backward_warp, moving_frames, warp_check
from renderer.pathgen import resolve_path
from renderer.player import PathPlayer, RenderSettings
from renderer.renderer import Renderer, View
from renderer.scenes import BUILTIN_SCENES, load_scene
from tests.conftest import TEST_QUALITY


def test_backward_warp_by_whole_pixels_is_a_shift():
    image = torch.arange(2 * 6 * 8, dtype=torch.float32).view(2, 6, 8)
    motion = torch.zeros(2, 6, 8)
    motion[0] = 2.0  # each pixel came from two pixels to the right
    motion[1] = -1.0  # ... and one row up
    out = backward_warp(image, motion)
    torch.testing.assert_close(out[:, 1:, :6], image[:, :5, 2:])
    torch.testing.assert_close(backward_warp(image, torch.zeros(2, 6, 8)), image)


def test_backward_warp_checks_shapes():
    with pytest.raises(ValueError, match="do not match"):
        backward_warp(torch.zeros(3, 4, 4), torch.zeros(2, 4, 5))


def reproject(depth: np.ndarray, camera: Camera, previous: Camera, size, near, far) -> np.ndarray:
    """Motion from an independent numpy reprojection: unproject each pixel centre with its
    depth through ``camera`` and project it through ``previous``."""
    w, h = size
    ys, xs = np.mgrid[0:h, 0:w] + 0.5
    proj = camera.projection(size, near, far)
    ndc_x, ndc_y = xs / w * 2 - 1, 1 - ys / h * 2
    view = np.stack(
        [ndc_x * depth / proj[0, 0], ndc_y * depth / proj[1, 1], -depth, np.ones_like(depth)], -1
    )
    clip = (
        view
        @ camera.camera_to_world.T
        @ (previous.projection(size, near, far) @ previous.world_to_camera()).T
    )
    px = (clip[..., 0] / clip[..., 3] * 0.5 + 0.5) * w
    py = (0.5 - clip[..., 1] / clip[..., 3] * 0.5) * h
    return np.stack([px - xs, py - ys])


def test_camera_motion_matches_an_independent_reprojection(gl):
    scene = load_scene("temple")
    path = resolve_path("default", scene)
    size = (96, 64)
    with PathPlayer(
        scene, RenderSettings(size=size, reference=False, quality=TEST_QUALITY), gl
    ) as p:
        for i in (70, 110):  # a walk and a fast turn
            frame = p.render(path, i)
            expected = reproject(
                frame.depth[0].numpy(),
                path.frames[i].camera,
                path.frames[i - 1].camera,
                size,
                p.gpu.near,
                p.gpu.far,
            )
            geometry = frame.depth[0].numpy() > 0
            assert geometry.mean() > 0.5
            error = np.abs(expected - frame.motion.numpy())[:, geometry]
            assert error.max() < 1e-3, f"frame {i}: motion off by {error.max():.5f} px"
            assert np.abs(expected[:, geometry]).mean() > 0.1


def test_background_motion_follows_the_camera_rotation(gl):
    scene = load_scene("temple")
    gpu = __import__("renderer.gpu_scene", fromlist=["GpuScene"]).GpuScene(
        gl.ctx, scene, TEST_QUALITY
    )
    renderer = Renderer(gpu, (64, 48))
    try:
        eye = (0.0, 30.0, 0.0)  # above the scene, looking at the sky
        now = Camera.look_at(eye, (0.0, 60.0, -20.0))
        before = Camera.look_at(eye, (1.0, 60.0, -20.0))
        frame = renderer.render(View(now, 0.0), View(before, 0.0))
        sky = frame.depth[0] == 0
        assert sky.float().mean() > 0.9
        # The camera turned left: what is at the centre now was left of centre before.
        assert float(frame.motion[0][sky].mean()) < -0.5
    finally:
        renderer.release()
        gpu.release()


MOTION_SIZE = (640, 360)


def fastest_turns(path, frames: list[int], count: int) -> list[int]:
    """The ``count`` frames among ``frames`` whose camera rotates most since the previous one."""

    def angle(i: int) -> float:
        r = path.frames[i].camera_to_world[:3, :3].T @ path.frames[i - 1].camera_to_world[:3, :3]
        return float(np.arccos(np.clip((np.trace(r) - 1) / 2, -1, 1)))

    return sorted(frames, key=angle)[-count:]


@pytest.mark.parametrize("name", BUILTIN_SCENES)
def test_warping_by_motion_reproduces_the_next_reference(gl, name):
    """The previous reference warped by the motion vectors against the current reference.

    Where the image moves by 4 px or more per frame, warping must cut the error at least
    5x. Over all moving frames the cut is smaller (``python -m benchmarks.motion``): at a
    pixel or two of motion the bilinear resampling error of point-sampled images is as large
    as the change, and in the arena moving shadows change the image where no surface moves.
    2.5x over a spread of moving frames still fails for any wrong motion: motion off by
    20% scores about 2x, no warp at all 1x.
    """
    scene = load_scene(name)
    path = resolve_path("default", scene)
    moving = moving_frames(path, scene)
    spread = [moving[k] for k in np.linspace(0, len(moving) - 1, 6).round().astype(int)]
    settings = RenderSettings(size=MOTION_SIZE, quality=TEST_QUALITY)
    fast = np.zeros(3)
    overall = np.zeros(3)
    with PathPlayer(scene, settings, gl) as player:
        for i in sorted({*spread, *fastest_turns(path, moving, 3)}):
            check = warp_check(player.render(path, i - 1), player.render(path, i))
            if i in spread:
                overall += (check.warped, check.unwarped, 1)
            if check.motion >= 4.0:
                fast += (check.warped, check.unwarped, 1)
    assert fast[2] >= 2, f"{name}: the path needs fast motion (>= 4 px per frame)"
    assert fast[1] / fast[0] >= 5.0, f"{name}: fast motion only {fast[1] / fast[0]:.1f}x"
    assert overall[1] / overall[0] >= 2.5, (
        f"{name}: moving frames only {overall[1] / overall[0]:.1f}x"
    )


def test_object_motion_matches_the_objects_own_transforms(gl):
    """An independent oracle for object motion: take each pixel's surface point into the
    object's frame with this frame's transform and out with the previous frame's."""
    scene = load_scene("arena")
    path = resolve_path("default", scene)
    size = (160, 90)
    i = 18  # the camera is still here: all motion is object motion
    now, before = path.frames[i], path.frames[i - 1]
    with PathPlayer(
        scene, RenderSettings(size=size, reference=False, quality=TEST_QUALITY), gl
    ) as p:
        frame = p.render(path, i)
        near, far = p.gpu.near, p.gpu.far
    depth = frame.depth[0].numpy()
    w, h = size
    ys, xs = np.mgrid[0:h, 0:w] + 0.5
    proj = now.camera.projection(size, near, far)
    view = np.stack(
        [
            (xs / w * 2 - 1) * depth / proj[0, 0],
            (1 - ys / h * 2) * depth / proj[1, 1],
            -depth,
            np.ones_like(depth),
        ],
        -1,
    )
    world = view @ now.camera.camera_to_world.T
    to_prev_image = before.camera.projection(size, near, far) @ before.camera.world_to_camera()
    checked = np.zeros((h, w), bool)
    for obj in scene.dynamic:
        local = world @ np.linalg.inv(obj.transform(now.time)).T
        lo, hi = obj.mesh.bounds()
        on_object = np.all((local[..., :3] >= lo - 0.01) & (local[..., :3] <= hi + 0.01), -1)
        on_object &= (depth > 0) & ~checked
        clip = local @ obj.transform(before.time).T @ to_prev_image.T
        expected = np.stack(
            [
                (clip[..., 0] / clip[..., 3] * 0.5 + 0.5) * w - xs,
                (0.5 - clip[..., 1] / clip[..., 3] * 0.5) * h - ys,
            ]
        )
        error = np.abs(expected - frame.motion.numpy())[:, on_object]
        if on_object.any():
            assert np.median(error) < 1e-4 and np.percentile(error, 90) < 1e-2, obj.name
        checked |= on_object
    assert checked.sum() > 500, "the moving objects should cover part of the image"


def test_warping_tracks_the_arena_objects_with_a_still_camera(gl):
    """With the camera still, everything that moves is an object. Their checker and stripe
    patterns keep sharp edges, whose bilinear resampling error limits this ratio to about
    4-6x (BENCHMARKS.md); wrong object motion leaves it near 1x."""
    scene = load_scene("arena")
    path = resolve_path("default", scene)
    still = [
        i
        for i in range(1, len(path))
        if not path.frames[i].cut
        and np.array_equal(path.frames[i].camera_to_world, path.frames[i - 1].camera_to_world)
    ]
    assert len(still) >= 60, "the arena path needs a still camera segment"
    settings = RenderSettings(size=MOTION_SIZE, quality=TEST_QUALITY)
    total = np.zeros(2)
    with PathPlayer(scene, settings, gl) as player:
        for i in still[5:60:18]:
            check = warp_check(player.render(path, i - 1), player.render(path, i), moving_only=True)
            assert check.motion > 1.0, "no moving object in view"
            total += (check.warped, check.unwarped)
    assert total[1] / total[0] >= 3.0, f"object motion: warping only {total[1] / total[0]:.1f}x"
