"""Camera conventions: OpenGL (look down -Z, +Y up), jitter semantics, rigid inverses."""

import numpy as np
import pytest

from renderer.camera import Camera, halton, halton_jitter

SIZE = (64, 48)


def project(camera: Camera, point, jitter=(0.0, 0.0)) -> np.ndarray:
    """Image pixel coordinates (x right, y down) of a world point."""
    clip = (
        camera.projection(SIZE, 0.1, 100.0, jitter) @ camera.world_to_camera() @ np.r_[point, 1.0]
    )
    ndc = clip[:3] / clip[3]
    return np.array([(ndc[0] * 0.5 + 0.5) * SIZE[0], (0.5 - ndc[1] * 0.5) * SIZE[1]])


def test_identity_camera_looks_down_minus_z():
    cam = Camera(np.eye(4), 60.0)
    np.testing.assert_allclose(project(cam, [0, 0, -5]), [32, 24], atol=1e-9)
    # +Y is up: a point above the axis lands in the upper half (smaller y).
    assert project(cam, [0, 1, -5])[1] < 24
    assert project(cam, [1, 0, -5])[0] > 32


def test_vertical_fov_reaches_the_top_edge():
    cam = Camera(np.eye(4), 90.0)
    np.testing.assert_allclose(project(cam, [0, 5, -5]), [32, 0], atol=1e-9)


def test_look_at_points_the_camera_at_the_target():
    cam = Camera.look_at((3, 2, 5), (-1, 0.5, -2), fov=50)
    np.testing.assert_allclose(project(cam, [-1, 0.5, -2]), [32, 24], atol=1e-9)
    np.testing.assert_allclose(cam.position, [3, 2, 5])
    # The camera's up axis has no sideways tilt: world +Y stays up in the image.
    assert cam.camera_to_world[1, 1] > 0


def test_look_at_straight_down_is_well_defined():
    cam = Camera.look_at((0, 10, 0), (0, 0, 0))
    assert np.all(np.isfinite(cam.camera_to_world))
    np.testing.assert_allclose(project(cam, [0, 0, 0]), [32, 24], atol=1e-9)


def test_pose_round_trip_and_rigid_inverse():
    cam = Camera.look_at((1, 2, 3), (4, -1, 0))
    again = Camera.from_pose(tuple(cam.position), tuple(cam.rotation_xyzw), cam.fov)
    np.testing.assert_allclose(again.camera_to_world, cam.camera_to_world, atol=1e-12)
    np.testing.assert_allclose(cam.world_to_camera() @ cam.camera_to_world, np.eye(4), atol=1e-12)


@pytest.mark.parametrize("jitter", [(0.25, 0.0), (0.0, -0.4), (0.3, 0.2)])
def test_jitter_samples_at_pixel_centre_plus_jitter(jitter):
    """The jittered pixel centre p sees what the unjittered image shows at p + jitter,
    so every point appears shifted by -jitter."""
    cam = Camera.look_at((0, 1, 4), (0, 0, 0))
    for point in ([0.3, 0.2, -0.5], [-1.0, 0.7, 0.4]):
        np.testing.assert_allclose(
            project(cam, point, jitter), project(cam, point) - jitter, atol=1e-9
        )


def test_halton():
    assert [halton(i, 2) for i in range(1, 5)] == [0.5, 0.25, 0.75, 0.125]
    assert halton(1, 3) == pytest.approx(1 / 3)
    js = np.array([halton_jitter(i) for i in range(16)])
    assert np.all(np.abs(js) < 0.5)
    assert len({tuple(j) for j in js}) == 16
