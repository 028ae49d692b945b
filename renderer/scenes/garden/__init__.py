"""The built-in "garden" scene: organic shapes, many small objects and fine detail.

A walled garden about 28 m across (Y up, metres): a lawn inside a clipped hedge, gravel
paths in a cross meeting at a stone plaza with a fountain, a pergola whose slats cast
striped shadows on the east path, trees, bushes, flower beds, pebbles and grass tufts.
A garden windmill turns and a lantern swings under the pergola. Lit by a low afternoon
sun and the sky.

The renderer pays per triangle and per shadow map, so detail comes from object-space
patterns and many small low-poly parts rather than from dense meshes: the static
geometry stays under 25k triangles and the moving parts under 1.5k.
"""

from __future__ import annotations

import math

import numpy as np

from renderer.camera import Camera
from renderer.path import Keyframe
from renderer.scenes.builder import SceneBuilder
from renderer.scenes.garden.constants import BLOOMS, HEDGE_LINE, IRON, SEED, SUN
from renderer.scenes.garden.features import (
    bench,
    fountain,
    ground,
    lamp_post,
    pebble_ring,
    pergola,
    pond,
    rocks,
    stepping_stones,
)
from renderer.scenes.garden.hedges import box_hedge, hedges, topiary
from renderer.scenes.garden.moving import (
    lantern_frame,
    lantern_motion,
    windmill_motion,
    windmill_rotor,
    windmill_static,
)
from renderer.scenes.garden.parts import Parts
from renderer.scenes.garden.plants import (
    bush,
    conifer,
    fallen_leaves,
    flower_bed,
    grass_tuft,
    lawn_daisies,
    potted_plant,
    tree,
)
from renderer.scenes.scene import Material, Scene, Sky, Vec3
from renderer.scenes.shapes import box

# -- the layout ---------------------------------------------------------------------------


def _planting(parts: Parts, rng: np.random.Generator) -> None:
    """Trees, bushes, beds and small features in the four quadrants between the paths."""
    # North-west: a small orchard.
    for base, h in (((-9.5, -9.0), 2.6), ((-5.8, -10.2), 2.2), ((-10.0, -5.2), 2.4)):
        tree(parts, rng, base, h)
    # North-east: a tree, cypresses flanking a bench, a bed.
    tree(parts, rng, (9.5, -9.5), 2.8)
    for x in (4.6, 8.4):
        conifer(parts, rng, (x, -11.6), rng.uniform(2.6, 3.1))
    bench(parts, rng, (6.5, 0, -11.6), 0.0)
    flower_bed(parts, rng, (7.5, -5.0), (4.5, 1.6), 38, BLOOMS[:3])
    # South-east: a long flower bed, rose bushes, a tree.
    flower_bed(parts, rng, (6.8, 4.4), (5.0, 1.8), 44, (BLOOMS[4], BLOOMS[3], BLOOMS[2]))
    tree(parts, rng, (10.5, 9.5), 2.5)
    for base in ((4.0, 8.0), (5.3, 9.8), (7.0, 11.0), (3.3, 11.6)):
        bush(parts, rng, base, rng.uniform(0.45, 0.7), BLOOMS[0])
    # South-west: the rock garden and the windmill.
    rocks(parts, rng, (-7.0, 8.8))
    windmill_static(parts)
    flower_bed(parts, rng, (-5.0, 4.2), (3.2, 1.4), 28, (BLOOMS[5], BLOOMS[1]))
    tree(parts, rng, (-11.0, 11.0), 2.3)
    # Low bushes along the hedge foot break its straight line.
    for _ in range(14):
        t = rng.uniform(-11.5, 11.5)
        if abs(t) < 2.2:
            continue
        side = rng.choice((-1, 1)) * (HEDGE_LINE - 1.1)
        base = (t, side) if rng.random() < 0.5 else (side, t)
        bush(parts, rng, base, rng.uniform(0.4, 0.65))
    # Feature at each path's end, so no path runs into bare hedge.
    for x, z in ((0.0, -12.3), (0.0, 12.3), (-12.3, 0.0), (12.3, 0.0)):
        topiary(parts, rng, (x, z))
    for x, z in ((2.6, 2.6), (-2.6, 2.6), (2.6, -2.6), (-2.6, -2.6)):
        lamp_post(parts, (x * 1.02, z * 1.02))
    stepping_stones(parts, rng, [(-1.6 - 0.7 * i, 5.0 + 0.6 * i) for i in range(5)])
    pond(parts, rng, (-6.2, -5.8))
    for angle in np.radians([30, 60, 120, 150, 210, 240, 300, 330]):
        potted_plant(parts, rng, (2.9 * math.cos(angle), 2.9 * math.sin(angle)))
    for x in (-1.5, 1.5):
        box_hedge(parts, rng, (x, -7.8), (0.45, 7.0))
    for z in (-1.5, 1.5):
        box_hedge(parts, rng, (-7.8, z), (7.0, 0.45))
    fallen_leaves(parts, rng, 260)
    for _ in range(90):
        p = rng.uniform(-12.0, 12.0, 2)
        if np.min(np.abs(p)) > 1.5 and np.hypot(*p) > 3.8:
            grass_tuft(parts, rng, p, (0.14, 0.32, 0.06))


# -- the scene ----------------------------------------------------------------------------


def build() -> Scene:
    """The garden scene, the same on every call."""
    rng = np.random.default_rng(SEED)
    parts = Parts()
    ground(parts)
    fountain(parts)
    pebble_ring(parts, rng)
    hedges(parts, rng)
    pergola(parts, rng)
    _planting(parts, rng)
    lawn_daisies(parts, rng, 300)
    builder = SceneBuilder("garden")
    parts.into(builder)
    builder.add_dynamic(
        "windmill", [(windmill_rotor(), Material((0.85, 0.82, 0.75)))], windmill_motion
    )
    glass = box((0.15, 0.26, 0.15), (0, -0.77, 0))
    builder.add_dynamic(
        "lantern",
        [(lantern_frame(), Material(IRON)), (glass, Material((1.0, 0.75, 0.4), emission=1.5))],
        lantern_motion,
    )
    builder.add_light(SUN)
    camera = Camera.look_at((10.5, 1.8, 6.5), (2.0, 0.75, -1.5), fov=60.0)
    return builder.build(camera=camera, sky=Sky(), path="garden")


def _key(
    time: float,
    eye: Vec3,
    heading: float,
    pitch: float = -6.0,
    cut: bool = False,
    fov: float = 60.0,
) -> Keyframe:
    """A keyframe at ``eye`` looking along a compass ``heading`` (degrees; 0 is north, -Z,
    and 90 is east, +X) tilted by ``pitch`` degrees."""
    h, p = math.radians(heading), math.radians(pitch)
    forward = np.array([math.sin(h) * math.cos(p), math.sin(p), -math.cos(h) * math.cos(p)])
    rotation = Camera.look_at(eye, tuple(np.asarray(eye) + forward)).rotation_xyzw
    return Keyframe(time, tuple(eye), tuple(float(q) for q in rotation), fov, cut)  # type: ignore[arg-type]


def _aimed(eye: Vec3, target: Vec3) -> tuple[float, float]:
    """The (heading, pitch) in degrees that look from ``eye`` at ``target``."""
    d = np.asarray(target, np.float64) - np.asarray(eye, np.float64)
    return (
        math.degrees(math.atan2(d[0], -d[2])),
        math.degrees(math.atan2(d[1], math.hypot(d[0], d[2]))),
    )


def path_keyframes() -> list[Keyframe]:
    """The built-in camera path, 12.5 s in three shots (eye height 1.6 m unless noted):

    1. 0.0-1.8 s: still view up the south path to the fountain.
       1.8-5.6 s: slow walk north towards the plaza, 1.0 m/s on average, drifting right.
    2. cut at 5.6 s: on the east path at the plaza's edge, looking into the pergola and its
       striped shadows, creeping forward; 6.8-7.6 s: a fast 100-degree turn right, to the
       south, over the flower bed; 7.6-9.4 s: a slow walk south over the lawn, panning
       left towards the rose bushes.
    3. cut at 9.4 s: a low view (1.1 m) of the rock garden and the turning windmill,
       rising to 1.45 m and sliding sideways around it until 12.5 s.
    """
    keys = [
        _key(0.0, (0.0, 1.6, 11.0), 0.0),
        _key(1.8, (0.0, 1.6, 11.0), 0.0),
        _key(3.7, (0.2, 1.6, 9.1), 6.0),
        _key(5.6, (0.5, 1.6, 7.2), 14.0),
    ]
    keys += [
        _key(5.6, (3.3, 1.6, 0.0), 90.0, cut=True),
        _key(6.8, (3.7, 1.6, 0.1), 90.0),
        _key(7.2, (3.8, 1.6, 0.25), 140.0),
        _key(7.6, (3.9, 1.6, 0.45), 190.0),
        _key(9.4, (3.95, 1.6, 2.1), 170.0),
    ]
    windmill = (-7.0, 1.6, 6.6)
    keys += [
        _key(9.4, (-3.1, 1.05, 10.0), *_aimed((-3.1, 1.05, 10.0), windmill), cut=True),
        _key(12.5, (-3.9, 1.5, 10.9), *_aimed((-3.9, 1.5, 10.9), windmill)),
    ]
    return keys
