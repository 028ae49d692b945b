"""Random procedural scenes: a floor, walls, a few dozen shapes of random materials and
patterns, moving objects, a sun, panel lights and a sky, all drawn from one generator.

Training renders its data from them and calibration chooses its taus on them, so neither
ever sees the built-in scenes (what evaluation scores) before it is scored. The same
generator state gives the same scene.
"""

from __future__ import annotations

import math

import numpy as np
import trimesh
from trimesh.transformations import euler_matrix, rotation_matrix, translation_matrix

from renderer.camera import Camera
from renderer.scenes.builder import SceneBuilder
from renderer.scenes.scene import PATTERNS, Material, RectLight, Scene, Sky, SunLight


def random_material(rng: np.random.Generator) -> Material:
    hue, sat, val = rng.random(), rng.uniform(0.0, 0.8), rng.uniform(0.08, 0.9)
    albedo = tuple(float(c) for c in _hsv(hue, sat, val))
    pattern = str(rng.choice(list(PATTERNS), p=[0.3, 0.3, 0.15, 0.15, 0.1]))
    return Material(albedo, pattern, float(rng.uniform(0.3, 8.0)), float(rng.uniform(0.1, 0.7)))


def _hsv(h: float, s: float, v: float) -> np.ndarray:
    k = (np.array([5.0, 3.0, 1.0]) + h * 6.0) % 6.0
    return v - v * s * np.clip(np.minimum(k, 4.0 - k), 0.0, 1.0)


def random_shape(rng: np.random.Generator) -> trimesh.Trimesh:
    kind = rng.integers(0, 6)
    s = rng.uniform(0.2, 2.5, size=3)
    if kind == 0:
        return trimesh.creation.box(s)
    if kind == 1:
        return trimesh.creation.icosphere(int(rng.integers(1, 3)), radius=float(s[0] / 1.5))
    if kind == 2:
        return trimesh.creation.cylinder(
            float(s[0] / 3), float(s[1] * 1.5), sections=int(rng.integers(6, 16))
        )
    if kind == 3:
        return trimesh.creation.cone(
            float(s[0] / 2), float(s[1] * 1.5), sections=int(rng.integers(4, 12))
        )
    if kind == 4:
        return trimesh.creation.torus(
            float(s[0] / 2), float(s[0] / 8), major_sections=16, minor_sections=8
        )
    return trimesh.creation.capsule(height=float(s[1]), radius=float(s[0] / 4), count=(8, 8))


def random_scene(rng: np.random.Generator) -> Scene:
    b = SceneBuilder("random")
    half = float(rng.uniform(6.0, 15.0))
    b.add(
        trimesh.creation.box((2 * half, 0.2, 2 * half)),
        random_material(rng),
        translation_matrix((0.0, -0.1, 0.0)),
    )
    for _ in range(int(rng.integers(0, 4))):  # walls
        along = rng.uniform(-half, half)
        height = rng.uniform(1.0, 5.0)
        wall = trimesh.creation.box((rng.uniform(2.0, 2 * half), height, 0.3))
        yaw = rng.choice([0.0, math.pi / 2])
        b.add(
            wall,
            random_material(rng),
            rotation_matrix(yaw, (0, 1, 0)) @ translation_matrix((0.0, height / 2, along)),
        )
    for _ in range(int(rng.integers(12, 45))):
        shape = random_shape(rng)
        lift = -shape.bounds[0][1] if rng.random() < 0.7 else rng.uniform(0.0, 3.0)
        place = translation_matrix(
            (rng.uniform(-half, half) * 0.9, lift, rng.uniform(-half, half) * 0.9)
        )
        tilt = euler_matrix(*(rng.normal(0.0, 0.3, 2)), 0.0) if rng.random() < 0.3 else np.eye(4)
        b.add(
            shape,
            random_material(rng),
            place @ rotation_matrix(rng.uniform(0, 2 * math.pi), (0, 1, 0)) @ tilt,
        )
    for k in range(int(rng.integers(0, 4))):
        b.add_dynamic(
            f"mover{k}", [(random_shape(rng), random_material(rng))], _random_motion(rng, half)
        )
    elevation, azimuth = math.radians(rng.uniform(12, 75)), rng.uniform(0, 2 * math.pi)
    sun_dir = (
        math.cos(elevation) * math.cos(azimuth),
        math.sin(elevation),
        math.cos(elevation) * math.sin(azimuth),
    )
    tint = _hsv(rng.uniform(0.05, 0.6), rng.uniform(0.0, 0.3), 1.0)
    b.add_light(
        SunLight(
            sun_dir,
            float(rng.uniform(0.5, 4.0)),
            tuple(float(v) for v in tint * rng.uniform(1.2, 4.0)),
        )
    )
    for _ in range(int(rng.integers(0, 3))):
        center = (
            rng.uniform(-half, half) * 0.7,
            rng.uniform(2.5, 6.0),
            rng.uniform(-half, half) * 0.7,
        )
        color = _hsv(rng.random(), rng.uniform(0, 0.6), 1.0) * rng.uniform(3.0, 15.0)
        b.add_light(
            RectLight(
                center,
                (rng.uniform(0.5, 3.0), 0, 0),
                (0, 0, -rng.uniform(0.5, 2.0)),
                tuple(float(v) for v in color),
            )
        )
    sky_scale = rng.uniform(0.3, 1.6)
    sky = Sky(
        zenith=tuple(
            float(v) for v in _hsv(rng.uniform(0.5, 0.7), rng.uniform(0.2, 0.8), 0.4) * sky_scale
        ),
        horizon=tuple(
            float(v) for v in _hsv(rng.uniform(0.0, 0.7), rng.uniform(0.0, 0.3), 0.45) * sky_scale
        ),
        ground=tuple(float(v) for v in _hsv(rng.uniform(0.0, 0.2), rng.uniform(0.1, 0.5), 0.12)),
        bounce=tuple(float(v) for v in _hsv(rng.random(), rng.uniform(0.0, 0.4), 0.06)),
    )
    return b.build(camera=Camera.look_at((0, 3, half), (0, 0, 0)), sky=sky)


def _random_motion(rng: np.random.Generator, half: float):
    center = np.array(
        [rng.uniform(-half, half) * 0.7, rng.uniform(0.5, 3.0), rng.uniform(-half, half) * 0.7]
    )
    axis = rng.normal(size=3)
    axis /= np.linalg.norm(axis)
    spin = rng.uniform(-5.0, 5.0)
    sway = rng.normal(size=3) * rng.uniform(0.0, 2.0)
    rate = rng.uniform(0.5, 3.0)

    def motion(t: float) -> np.ndarray:
        offset = center + sway * math.sin(rate * t)
        return translation_matrix(offset) @ rotation_matrix(spin * t, axis)

    return motion
