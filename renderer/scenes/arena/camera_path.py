"""The arena's built-in camera path: a still shot, a walk with a fast turn, a crane."""

from __future__ import annotations

import math

from renderer.camera import Camera
from renderer.path import Keyframe
from renderer.scenes.arena.parts import Vec3


def _key(time: float, eye: Vec3, target: Vec3, fov: float = 60.0, cut: bool = False) -> Keyframe:
    """A key at ``eye`` looking at ``target``."""
    rotation = Camera.look_at(eye, target, fov=fov).rotation_xyzw
    return Keyframe(time, eye, tuple(float(q) for q in rotation), fov, cut)  # type: ignore[arg-type]


def path_keyframes() -> list[Keyframe]:
    """12.5 s in three shots.

    ====  ===========  =============================================================
    shot  seconds      what
    ====  ===========  =============================================================
    1     0.0 - 2.6    still, from the south stand: only the objects move
    2     2.6 - 7.0    cut to the floor; walk 4.4 m north at 1 m/s towards the
                       carousel, between the tumbler and the bouncing ball
          7.0 - 7.3    stand
          7.3 - 8.1    fast turn, about 100 degrees to the left in 0.8 s, from the
                       carousel to the tumbler, the drum and the ring
          8.1 - 8.8    hold
    3     8.8 - 12.5   cut to a high crane inside the east stand, sweeping from
                       north-east to east at about 2.3 m/s over the orrery, the
                       pendulum and the bobbing cube
    ====  ===========  =============================================================
    """
    return [*_still_shot(0.0, 2.6), *_walk_shot(2.6, 7.0), *_crane_shot(8.8, 12.5)]


def _still_shot(start: float, end: float) -> list[Keyframe]:
    """A spectator on the top step of the south stand: nine moving objects in view."""
    stand, target = (0.8, 3.3, 12.0), (-0.3, 1.1, 1.0)
    return [_key(start, stand, target, 55.0), _key(end, stand, target, 55.0)]


def _walk_shot(start: float, end: float) -> list[Keyframe]:
    """Walk north looking right of the carousel, stop, then whip about 100 degrees left to
    the drum and the ring.

    Evenly spaced keys keep the walk at a steady pace: PCHIP slows only into the stop (and
    peaks at 1.3 m/s just before it)."""
    x, y, z0, z1 = -0.5, 1.7, 10.0, 5.6
    walk_target, turn_target = (3.5, 1.4, -1.5), (-7.5, 1.2, 3.5)
    steps = 4
    keys = []
    for i in range(steps + 1):
        s = i / steps
        eye = (x, y, z0 + (z1 - z0) * s)
        keys.append(_key(start + (end - start) * s, eye, walk_target, cut=i == 0))
    eye = (x, y, z1)
    return [
        *keys,
        _key(end + 0.3, eye, walk_target),
        _key(end + 1.1, eye, turn_target),
        _key(end + 1.8, eye, turn_target),
    ]


def _crane_shot(start: float, end: float) -> list[Keyframe]:
    """An arc 8.4 m from the centre, above the pillars' height, looking down into the arena."""
    mid = (start + end) / 2
    stops = [
        (start, -55.0, 5.8, (0.0, 1.5, -3.0)),
        (mid, -28.0, 5.5, (0.0, 1.2, -1.0)),
        (end, 0.0, 5.0, (0.0, 1.0, 2.0)),
    ]
    keys = []
    for i, (t, azimuth, height, target) in enumerate(stops):
        a = math.radians(azimuth)
        keys.append(_key(t, (8.4 * math.cos(a), height, 8.4 * math.sin(a)), target, cut=i == 0))
    return keys
