"""Built-in scenes: what they must contain, that they render, and that they are fixed."""

import numpy as np
import pytest
import torch

from renderer.gpu_scene import GpuScene
from renderer.renderer import Renderer, View
from renderer.scenes import BUILTIN_SCENES, load_scene
from renderer.scenes.scene import RectLight, SunLight
from tests.conftest import TEST_QUALITY

STATIC_BUDGET = 25_000
MOVING_BUDGET = 2_500


@pytest.mark.parametrize("name", BUILTIN_SCENES)
def test_scene_contents(name):
    scene = load_scene(name)
    assert scene.name == name and scene.path == name and scene.camera is not None
    assert scene.static.triangle_count <= STATIC_BUDGET
    assert sum(o.mesh.triangle_count for o in scene.dynamic) <= MOVING_BUDGET
    assert any(isinstance(light, (SunLight, RectLight)) for light in scene.lights)
    albedos = np.unique(scene.static.albedo.round(2), axis=0)
    assert len(albedos) >= 5, "several materials"
    assert np.all((scene.static.albedo >= 0) & (scene.static.albedo <= 1))
    np.testing.assert_allclose(np.linalg.norm(scene.static.normals, axis=1), 1.0, atol=1e-4)


def test_each_scene_has_its_character():
    temple, garden, arena = (load_scene(n) for n in BUILTIN_SCENES)
    assert any(isinstance(light, RectLight) for light in temple.lights), "a lit sanctuary"
    assert garden.static.triangle_count > 3 * temple.static.triangle_count, "fine detail"
    assert len(arena.dynamic) >= 8, "objects that move"
    spins = [
        o
        for o in arena.dynamic
        if not np.allclose(o.transform(0.0)[:3, :3], o.transform(0.5)[:3, :3])
    ]
    assert len(spins) >= 4, "objects that rotate"


@pytest.mark.parametrize("name", BUILTIN_SCENES)
def test_building_twice_gives_the_same_scene(name):
    a, b = load_scene(name), load_scene(name)
    for field in ("positions", "normals", "albedo", "material"):
        np.testing.assert_array_equal(getattr(a.static, field), getattr(b.static, field))
    for oa, ob in zip(a.dynamic, b.dynamic, strict=True):
        np.testing.assert_array_equal(oa.transform(1.234), ob.transform(1.234))


@pytest.mark.parametrize("name", BUILTIN_SCENES)
def test_default_view_renders_a_lit_image(gl, name):
    scene = load_scene(name)
    gpu = GpuScene(gl.ctx, scene, TEST_QUALITY)
    renderer = Renderer(gpu, (96, 54))
    try:
        frame = renderer.render(View(scene.camera, 1.0), None, reference=True)
    finally:
        renderer.release()
        gpu.release()
    geometry = frame.depth > 0
    assert geometry.float().mean() > 0.5
    assert torch.isfinite(frame.reference).all() and torch.isfinite(frame.color).all()
    lum = frame.reference.mean(0, keepdim=True)[geometry]
    assert 0.05 < float(lum.median()) < 2.0, "well exposed"
    assert float(lum.std()) > 0.03, "shading varies (shadows, materials)"
