"""Loading user scenes from OBJ/MTL and glTF/GLB files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import trimesh
from PIL import Image
from trimesh.visual import TextureVisuals
from trimesh.visual.material import PBRMaterial

from common.srgb import srgb_to_linear
from renderer.errors import SceneError
from renderer.player import PathPlayer, RenderSettings
from renderer.renderer import View
from renderer.scenes import load_scene
from renderer.scenes.mesh_file import (
    DEFAULT_ALBEDO,
    Z_UP_TO_Y_UP,
    default_camera,
    detect_up_axis,
    load_mesh_scene,
)
from renderer.scenes.scene import SunLight
from tests.conftest import TEST_QUALITY

Y_TO_Z_UP = Z_UP_TO_Y_UP.T
"""The inverse rotation: makes Z-up content out of Y-up content."""


def unique_albedos(scene) -> np.ndarray:
    return np.unique(np.round(scene.static.albedo, 5), axis=0)


def linear_kd(kd: list[float]) -> np.ndarray:
    """What an MTL ``Kd`` becomes: trimesh stores material colors in 8 bits, then sRGB
    decoding."""
    return srgb_to_linear(np.round(np.asarray(kd) * 255) / 255)


def write_two_material_obj(folder: Path) -> Path:
    (folder / "two.mtl").write_text("newmtl red\nKd 0.8 0.1 0.1\n\nnewmtl sky\nKd 0.2 0.4 0.9\n")
    (folder / "two.obj").write_text(
        "mtllib two.mtl\n"
        "v 0 0 0\nv 1 0 0\nv 1 0 1\nv 0 0 1\nv 0 1 0\nv 1 1 0\n"
        "usemtl red\nf 1 3 2\nf 1 4 3\n"
        "usemtl sky\nf 1 2 6\nf 1 6 5\n"
    )
    return folder / "two.obj"


def y_up_scene() -> trimesh.Scene:
    """A ground slab with boxes and spheres on it, Y up."""
    scene = trimesh.Scene()
    ground = trimesh.creation.box((10.0, 0.2, 8.0))
    scene.add_geometry(ground, "ground", transform=_translation(0, -0.1, 0))
    for i, (x, z) in enumerate([(-2.5, -1.0), (1.5, 2.0), (3.0, -2.5)]):
        box = trimesh.creation.box((1.0, 1.5 + i, 1.0))
        scene.add_geometry(box, f"box{i}", transform=_translation(x, (1.5 + i) / 2, z))
    for i, (x, z) in enumerate([(0.0, 0.0), (-3.5, 2.5)]):
        ball = trimesh.creation.icosphere(subdivisions=2, radius=0.8)
        scene.add_geometry(ball, f"ball{i}", transform=_translation(x, 0.8, z))
    return scene


def _translation(x: float, y: float, z: float) -> np.ndarray:
    return trimesh.transformations.translation_matrix([x, y, z])


def z_up(scene: trimesh.Scene) -> trimesh.Scene:
    rotated = scene.copy()
    rotated.apply_transform(Y_TO_Z_UP)
    return rotated


# --- materials ---------------------------------------------------------------------------


def test_obj_mtl_albedos_are_linearized_kd(tmp_path):
    scene = load_mesh_scene(write_two_material_obj(tmp_path), up="y")
    assert scene.name == "two" and scene.path is None and scene.triangle_count == 4
    tri_albedo = scene.static.albedo.reshape(-1, 3, 3)[:, 0]
    tri_normal_y = scene.static.normals.reshape(-1, 3, 3)[:, 0, 1]
    floor = tri_albedo[np.abs(tri_normal_y) > 0.9]  # the "red" quad lies in y = 0
    wall = tri_albedo[np.abs(tri_normal_y) < 0.1]
    np.testing.assert_allclose(floor, [linear_kd([0.8, 0.1, 0.1])] * 2, atol=1e-5)
    np.testing.assert_allclose(wall, [linear_kd([0.2, 0.4, 0.9])] * 2, atol=1e-5)


def test_default_lights_sky_and_camera(tmp_path):
    scene = load_scene(str(write_two_material_obj(tmp_path)))
    assert len(scene.lights) == 1 and isinstance(scene.lights[0], SunLight)
    assert np.linalg.norm(scene.lights[0].direction) == pytest.approx(1.0)
    assert scene.camera is not None and scene.camera.fov == 60.0


def test_glb_base_color_factor_is_linear(tmp_path):
    box = trimesh.creation.box((1.0, 1.0, 1.0))
    box.visual = TextureVisuals(material=PBRMaterial(baseColorFactor=[0.5, 0.25, 0.1, 1.0]))
    ball = trimesh.creation.icosphere(subdivisions=2)
    ball.visual = TextureVisuals(material=PBRMaterial(baseColorFactor=[0.1, 0.8, 0.2, 1.0]))
    source = trimesh.Scene()
    source.add_geometry(box, "box", transform=_translation(3, 0, 0))
    source.add_geometry(ball, "ball")
    path = tmp_path / "pbr.glb"
    path.write_bytes(source.export(file_type="glb"))

    scene = load_mesh_scene(path)
    boxes = scene.static.positions[:, 0] > 2.0  # the node transform was applied
    np.testing.assert_allclose(
        scene.static.albedo[boxes], [[0.5, 0.25, 0.1]] * boxes.sum(), atol=3e-3
    )
    np.testing.assert_allclose(
        scene.static.albedo[~boxes], [[0.1, 0.8, 0.2]] * (~boxes).sum(), atol=3e-3
    )
    lo, hi = scene.static.bounds()
    np.testing.assert_allclose(lo, [-1, -1, -1], atol=1e-5)
    np.testing.assert_allclose(hi, [3.5, 1, 1], atol=1e-5)


def test_glb_texture_gives_vertex_albedo(tmp_path):
    texel = (200, 100, 50)
    quad = trimesh.Trimesh(
        [[0, 0, 0], [1, 0, 0], [1, 0, -1], [0, 0, -1]], [[0, 1, 2], [0, 2, 3]], process=False
    )
    quad.visual = TextureVisuals(
        uv=[[0, 0], [1, 0], [1, 1], [0, 1]],
        material=PBRMaterial(
            baseColorTexture=Image.new("RGB", (4, 4), texel), baseColorFactor=[1.0, 0.5, 1.0, 1.0]
        ),
    )
    path = tmp_path / "textured.glb"
    path.write_bytes(trimesh.Scene(quad).export(file_type="glb"))
    scene = load_mesh_scene(path)
    expected = srgb_to_linear(np.array(texel) / 255) * [1.0, 0.5, 1.0]
    np.testing.assert_allclose(unique_albedos(scene), [expected], atol=3e-3)


def test_obj_vertex_colors_are_srgb(tmp_path):
    path = tmp_path / "colored.obj"
    path.write_text("v 0 0 0 1 0 0\nv 1 0 0 0 1 0\nv 0 0 -1 0.5 0.5 0.5\nf 1 2 3\n")
    scene = load_mesh_scene(path, up="y")
    expected = [[0.95, 0, 0], [0, 0.95, 0], srgb_to_linear([0.5] * 3)]
    np.testing.assert_allclose(scene.static.albedo, expected, atol=3e-3)


def test_mesh_without_material_is_default_gray(tmp_path):
    path = tmp_path / "plain.obj"
    path.write_text("v 0 0 0\nv 1 0 0\nv 0 0 -1\nf 1 2 3\n")
    scene = load_mesh_scene(path)
    np.testing.assert_allclose(unique_albedos(scene), [DEFAULT_ALBEDO], atol=1e-6)


# --- up axis -----------------------------------------------------------------------------


def test_auto_up_detects_y_and_z_on_the_same_content(tmp_path):
    y_path, z_path = tmp_path / "yup.obj", tmp_path / "zup.obj"
    y_up_scene().export(y_path)
    z_up(y_up_scene()).export(z_path)

    from_y = load_mesh_scene(y_path)
    from_z = load_mesh_scene(z_path)
    for scene in (from_y, from_z):
        lo, hi = scene.static.bounds()
        np.testing.assert_allclose(lo, [-5, -0.2, -4], atol=1e-4)
        np.testing.assert_allclose(hi, [5, 3.5, 4], atol=1e-4)
    # Forced axes agree with the detection; forcing the wrong one lays the scene down.
    np.testing.assert_allclose(
        load_mesh_scene(z_path, up="z").static.bounds()[1], [5, 3.5, 4], atol=1e-4
    )
    assert load_mesh_scene(z_path, up="y").static.bounds()[1][1] == pytest.approx(4.0)


def test_detect_up_axis_keeps_y_without_evidence():
    ball = trimesh.creation.icosphere(subdivisions=2)
    soup = ball.vertices[ball.faces].reshape(-1, 3)
    assert detect_up_axis(soup) == "y"
    assert detect_up_axis(soup @ Y_TO_Z_UP[:3, :3].T) == "y"


def test_z_up_is_rotated_right_handed(tmp_path):
    # A Z-up file's +Y (Blender's "back") must become our -Z, not a mirror image.
    path = tmp_path / "marker.obj"
    path.write_text("v 0 0 0\nv 1 0 0\nv 0 1 0\nv 0 0 2\nf 1 2 3\nf 1 2 4\n")
    lo, hi = load_mesh_scene(path, up="z").static.bounds()
    np.testing.assert_allclose(lo, [0, 0, -1], atol=1e-6)
    np.testing.assert_allclose(hi, [1, 2, 0], atol=1e-6)


def test_bad_up_argument():
    with pytest.raises(ValueError, match="up must be"):
        load_mesh_scene(Path("whatever.obj"), up="x")


def test_default_camera_sees_the_whole_bounding_sphere():
    lo, hi = np.array([-5.0, -0.2, -4.0]), np.array([5.0, 3.5, 4.0])
    camera = default_camera(lo, hi)
    center, radius = (lo + hi) / 2, np.linalg.norm(hi - lo) / 2
    local = camera.world_to_camera() @ np.append(center, 1.0)
    half_fov = np.radians(camera.fov / 2)
    # The sphere fits if the angle to its centre plus its angular radius is within fov / 2.
    assert local[2] < 0
    assert np.arcsin(radius / np.linalg.norm(local[:3])) <= half_fov
    assert camera.position[1] > center[1]  # elevated


# --- a big file, rendered ----------------------------------------------------------------


@pytest.fixture
def big_obj(tmp_path) -> Path:
    """A displaced icosphere (327k triangles) on a ground box, Z up."""
    blob = trimesh.creation.icosphere(subdivisions=7, radius=1.0)
    v = blob.vertices
    bumps = 1.0 + 0.08 * np.sin(7 * v[:, 0]) * np.sin(5 * v[:, 1]) * np.sin(6 * v[:, 2])
    blob.vertices = v * bumps[:, None]
    scene = trimesh.Scene()
    scene.add_geometry(blob, "blob", transform=_translation(0, 0, 1.2))
    scene.add_geometry(
        trimesh.creation.box((6, 6, 0.2)), "ground", transform=_translation(0, 0, -0.1)
    )
    path = tmp_path / "big.obj"
    scene.export(path)
    return path


def test_big_z_up_mesh_loads_and_renders(gl, big_obj):
    scene = load_mesh_scene(big_obj)
    assert scene.triangle_count > 100_000
    hi = scene.static.bounds()[1]
    assert hi[1] == pytest.approx(2.2, abs=0.1)  # the blob stands on the ground, up is +Y

    settings = RenderSettings(size=(96, 64), quality=TEST_QUALITY)
    with PathPlayer(scene, settings, gl=gl) as player:
        frame = player.renderer.render(View(scene.camera, 0.0), None, reference=True)
    assert frame.reference.std() > 0.02
    # The bounding-sphere framing leaves a flat scene small: about 13% of the pixels here.
    assert (frame.depth > 0).float().mean() > 0.08
    assert np.isfinite(frame.reference.numpy()).all()


@pytest.mark.parametrize("scale", [1.0, 1e5, 1e-4])
def test_a_huge_or_tiny_model_renders_as_the_same_model_at_unit_size(gl, tmp_path, scale):
    """The near plane and the default camera follow the scene's size: at a fixed 0.05 a
    1e5-unit model rendered as sky (its depths all rounded to the far plane), and a 1 mm
    model was framed from afar and cut by a near plane of 1e-3."""
    post = trimesh.creation.box((1, 2, 1))
    post.apply_translation((0, 1.5, 0))
    model = trimesh.util.concatenate([trimesh.creation.box((10, 1, 10)), post])
    model.apply_scale(scale)
    model.export(tmp_path / "model.obj")
    scene = load_mesh_scene(tmp_path / "model.obj")
    settings = RenderSettings(size=(64, 36), quality=TEST_QUALITY)
    with PathPlayer(scene, settings, gl=gl) as player:
        frame = player.renderer.render(View(scene.camera, 0.0), None)
    assert (frame.depth > 0).sum() > 250  # 303 pixels of geometry at every size


def test_geometry_far_from_the_origin_is_refused_with_why(tmp_path):
    model = trimesh.creation.box((10, 1, 10))
    model.apply_translation((5e5, 0, 5e5))
    model.export(tmp_path / "far.obj")
    with pytest.raises(SceneError, match=r"far\.obj: .* from the origin"):
        load_mesh_scene(tmp_path / "far.obj")


# --- errors ------------------------------------------------------------------------------


def _random_bytes(path: Path) -> None:
    path.write_bytes(np.random.default_rng(1).integers(0, 256, 4096, np.uint8).tobytes())


BAD_FILES = {
    "random.obj": _random_bytes,
    "garbage.obj": lambda p: p.write_text("hello\nthis is { not an obj\nf a b c\nv 1 2\n"),
    "invalid.gltf": lambda p: p.write_text('{"asset": {"version": "2.0"}, "meshes": ['),
    "random.glb": _random_bytes,
    "points.obj": lambda p: p.write_text("v 0 0 0\nv 1 0 0\nv 0 1 0\n"),
    "empty.obj": lambda p: p.write_text(""),
    "bad_index.obj": lambda p: p.write_text("v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 9\n"),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_files_raise_scene_error(tmp_path, name):
    path = tmp_path / name
    BAD_FILES[name](path)
    with pytest.raises(SceneError) as info:
        load_scene(str(path))
    message = str(info.value)
    assert name in message and "\n" not in message


def test_missing_file(tmp_path):
    with pytest.raises(SceneError, match=r"scene file not found: .*nothere\.glb"):
        load_scene(str(tmp_path / "nothere.glb"))
