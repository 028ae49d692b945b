"""Stretches: the brief tour's designed still, walk, turn and cut frames are found from the
frames alone, and a still camera on moving objects is told from a still scene."""

import numpy as np

from evaluation.stretches import stretch_of, turn_degrees
from renderer.pathgen import resolve_path
from renderer.player import PathPlayer, RenderSettings
from renderer.scenes import load_scene


def kinds(gl, scene_name: str, frames: range) -> str:
    scene = load_scene(scene_name)
    path = resolve_path("brief" if scene_name == "temple" else "default", scene)
    out, previous = [], None
    with PathPlayer(scene, RenderSettings(size=(32, 18), reference=False), gl) as player:
        for i in frames:
            frame = player.render(path, i)
            out.append(stretch_of(frame, previous)[0])
            previous = frame
    return "".join(out)


def test_the_brief_tour_is_still_walk_turn_and_cut(gl):
    # assets/paths/temple-brief.json: still to 0.3 s, a walk to 0.9 s, a turn of 128
    # degrees to 1.5 s, a pause, and a cut at frame 49 (30 frames a second).
    expected = "c" + "s" * 9 + "w" * 18 + "t" * 18 + "s" * 3 + "c" + "w" * 3
    assert kinds(gl, "temple", range(53)) == expected


def test_a_still_camera_on_moving_objects(gl):
    # Arena's default path opens on a still camera while its objects move.
    assert kinds(gl, "arena", range(6)) == "c" + "o" * 5


def test_turn_degrees_is_the_angle_between_the_two_rotations(gl):
    scene = load_scene("temple")
    path = resolve_path("brief", scene)
    with PathPlayer(scene, RenderSettings(size=(32, 18), reference=False), gl) as player:
        a, b = player.render(path, 30), player.render(path, 31)
    ra, rb = a.camera.camera_to_world[:3, :3], b.camera.camera_to_world[:3, :3]
    # Rotating a's forward axis by the relative rotation moves it by at most that angle.
    fa, fb = ra[:, 2], rb[:, 2]
    assert np.degrees(np.arccos(np.clip(fa @ fb, -1, 1))) <= turn_degrees(b, a) + 1e-6
    assert 3.0 < turn_degrees(b, a) < 12.0 and turn_degrees(a, a) == 0.0
