"""Camera-path JSON: validation with clear errors, baking, round trips, built-in paths."""

import itertools
import json

import numpy as np
import pytest
from scipy.spatial.transform import Rotation

from assets import builtin_path_file
from renderer.camera import Camera
from renderer.errors import PathError
from renderer.path import CameraPath, Keyframe, bake, load_path, path_from_json
from renderer.pathgen import FPS, orbit_and_walk, resolve_path
from renderer.scenes import BUILTIN_SCENES, load_scene


def key(t, eye, target, cut=False, fov=60.0):
    cam = Camera.look_at(eye, target)
    return Keyframe(t, tuple(eye), tuple(cam.rotation_xyzw), fov, cut)


KEYS = [
    key(0.0, (0, 1, 5), (0, 0, 0)),
    key(1.0, (0, 1, 5), (0, 0, 0)),
    key(2.0, (2, 1, 4), (0, 0, 0)),
    key(3.0, (3, 1, 2), (1, 0, -1)),
    key(3.5, (-5, 2, 0), (0, 0, 0), cut=True),
    key(4.0, (-5, 2, 1), (0, 0, 0)),
]


def test_bake_samples_at_fps_over_the_keyframe_span():
    frames = bake(KEYS, 30.0)
    assert len(frames) == 121
    np.testing.assert_allclose([f.time for f in frames[:3]], [0, 1 / 30, 2 / 30])
    assert frames[-1].time == pytest.approx(4.0)


def test_held_keyframes_give_a_perfectly_still_camera():
    frames = bake(KEYS, 30.0)
    still = [f.camera_to_world for f in frames if f.time <= 1.0 + 1e-9]
    assert len(still) == 31
    for m in still:
        np.testing.assert_array_equal(m, still[0])


def test_keyframes_are_hit_exactly():
    frames = {round(f.time, 6): f for f in bake(KEYS, 30.0)}
    for k in KEYS[:4]:
        f = frames[round(k.time, 6)]
        np.testing.assert_allclose(f.camera_to_world[:3, 3], k.position, atol=1e-9)
        np.testing.assert_allclose(
            Rotation.from_matrix(f.camera_to_world[:3, :3]).as_quat(), k.rotation, atol=1e-9
        )


def test_a_cut_flags_only_the_first_frame_of_the_new_shot():
    frames = bake(KEYS, 30.0)
    cuts = [i for i, f in enumerate(frames) if f.cut]
    assert cuts == [105]
    assert frames[105].time == pytest.approx(3.5)
    # The camera jumps at the cut and holds before it.
    np.testing.assert_allclose(frames[104].camera_to_world[:3, 3], KEYS[3].position, atol=1e-9)
    np.testing.assert_allclose(frames[105].camera_to_world[:3, 3], KEYS[4].position, atol=1e-9)


def test_rotations_stay_orthonormal_between_keys():
    for f in bake(KEYS, 30.0):
        r = f.camera_to_world[:3, :3]
        np.testing.assert_allclose(r @ r.T, np.eye(3), atol=1e-9)


def test_save_load_round_trip(tmp_path):
    path = CameraPath.from_keyframes(KEYS, 30.0, scene="temple")
    path.save(tmp_path / "p.json")
    loaded = load_path(tmp_path / "p.json")
    assert loaded.scene == "temple" and loaded.fps == 30.0
    assert len(loaded.keyframes) == len(KEYS)
    for a, b in zip(loaded.keyframes, KEYS, strict=True):
        assert (a.time, a.fov, a.cut) == (b.time, b.fov, b.cut)
        np.testing.assert_allclose(a.position, b.position, atol=1e-6)
        np.testing.assert_allclose(a.rotation, b.rotation, atol=1e-8)
    assert [f.cut for f in loaded.frames] == [f.cut for f in path.frames]
    for a, b in zip(loaded.frames, path.frames, strict=True):
        np.testing.assert_allclose(a.camera_to_world, b.camera_to_world, atol=1e-8)


def test_keyframes_only_files_are_baked(tmp_path):
    data = CameraPath.from_keyframes(KEYS, 30.0).to_json()
    del data["frames"]
    assert len(path_from_json(data)) == 121


def test_frames_are_used_as_they_are():
    data = {
        "format": "reframe-camera-path",
        "version": 1,
        "fps": 24,
        "frames": [
            {"camera_to_world": np.eye(4).reshape(-1).tolist(), "fov": 40, "time": 0.5},
            {
                "camera_to_world": np.eye(4).reshape(-1).tolist(),
                "fov": 41,
                "time": 0.6,
                "cut": True,
            },
        ],
    }
    path = path_from_json(data)
    assert [f.fov for f in path.frames] == [40, 41]
    assert [f.cut for f in path.frames] == [False, True]


def valid_document():
    return CameraPath.from_keyframes(KEYS[:3], 30.0).to_json()


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d.pop("format"), "'format' is a required property"),
        (lambda d: d.update(version=2), "version"),
        (lambda d: d.update(fps=0), "fps"),
        (lambda d: d["frames"][3].update(camera_to_world=[1.0] * 15), "frames[3].camera_to_world"),
        (lambda d: d["frames"][2].update(fov="wide"), "frames[2].fov"),
        (
            lambda d: d["frames"][1].update(camera_to_world=(2 * np.eye(4)).reshape(-1).tolist()),
            "frames[1].camera_to_world is not a rigid transform",
        ),
        (lambda d: d["frames"][5].update(time=-1.0), "frames[5].time goes back in time"),
        (lambda d: d["keyframes"][0].update(rotation=[0, 0, 0, 0]), "keyframes[0].rotation"),
        (lambda d: (d.pop("frames"), d.pop("keyframes")), "frames"),
        (
            lambda d: (d.pop("frames"), d["keyframes"][-1].update(time=1e7)),
            "make 300000001 frames: at most 200000",
        ),
    ],
)
def test_invalid_documents_name_the_problem(mutate, message):
    data = valid_document()
    mutate(data)
    with pytest.raises(PathError, match="camera path") as info:
        path_from_json(data)
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_unreadable_files(tmp_path):
    with pytest.raises(PathError, match="not found"):
        load_path(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{ not json")
    with pytest.raises(PathError, match="not valid JSON"):
        load_path(bad)
    for constant in ("NaN", "Infinity", "-Infinity"):
        text = json.dumps(valid_document()).replace('"fov": 60.0', f'"fov": {constant}', 1)
        assert constant in text
        bad.write_text(text)
        with pytest.raises(PathError, match=f"{constant} is not a number"):
            load_path(bad)


@pytest.mark.parametrize("name", BUILTIN_SCENES)
def test_builtin_paths_match_their_scenes_keyframes(name):
    import importlib

    shipped = load_path(builtin_path_file(name))
    keys = importlib.import_module(f"renderer.scenes.{name}").path_keyframes()
    rebaked = CameraPath.from_keyframes(keys, FPS, name)
    assert shipped.scene == name and shipped.fps == FPS
    assert len(shipped) == len(rebaked), "run `python -m renderer.pathgen` after editing keyframes"
    for a, b in zip(shipped.frames, rebaked.frames, strict=True):
        np.testing.assert_allclose(a.camera_to_world, b.camera_to_world, atol=1e-6)
        assert a.cut == b.cut


def yaw_degrees(frame) -> float:
    forward = -frame.camera_to_world[:3, 2]
    return float(np.degrees(np.arctan2(forward[0], -forward[2])))


def segments_of(path):
    """Per-frame speed (m/s) and yaw rate (deg/s) between consecutive frames of a shot."""
    speed, turn = [], []
    for a, b in itertools.pairwise(path.frames):
        if b.cut:
            speed.append(np.nan)
            turn.append(np.nan)
            continue
        dt = b.time - a.time
        speed.append(np.linalg.norm(b.camera_to_world[:3, 3] - a.camera_to_world[:3, 3]) / dt)
        turn.append(abs((yaw_degrees(b) - yaw_degrees(a) + 180) % 360 - 180) / dt)
    return np.array(speed), np.array(turn)


@pytest.mark.parametrize("name", BUILTIN_SCENES)
def test_builtin_paths_mix_still_walk_turn_and_cut(name):
    path = load_path(builtin_path_file(name))
    assert 8.0 <= path.duration <= 20.0
    assert path.fps == 30.0
    assert any(f.cut for f in path.frames)
    speed, turn = segments_of(path)
    still = (speed == 0) & (turn == 0)
    walking = (speed > 0.1) & (speed <= 1.5)
    # A still camera and a slow walk, each lasting at least a second (30 frames) somewhere.
    assert longest_run(still) >= 30
    assert longest_run(walking) >= 30
    # A fast turn: at least 90 degrees of yaw within one second.
    window = np.convolve(np.nan_to_num(turn) / 30.0, np.ones(30), mode="valid")
    assert window.max() >= 90.0


def longest_run(mask) -> int:
    best = run = 0
    for m in mask:
        run = run + 1 if m else 0
        best = max(best, run)
    return best


def test_resolve_path_names_and_errors(tmp_path):
    temple = load_scene("temple")
    assert resolve_path("default", temple).scene == "temple"
    assert len(resolve_path("garden", temple)) > 0
    with pytest.raises(PathError, match="unknown camera path 'nope'"):
        resolve_path("nope", temple)
    with pytest.raises(PathError, match="not found"):
        resolve_path(str(tmp_path / "x.json"), temple)


def test_generated_path_for_a_loaded_scene():
    scene = load_scene("temple")
    scene.path = None
    path = resolve_path("default", scene)
    assert 8.0 <= path.duration <= 20.0
    assert any(f.cut for f in path.frames)
    speed, turn = segments_of(path)
    assert longest_run((speed == 0) & (turn == 0)) >= 30
    window = np.convolve(np.nan_to_num(turn) / 30.0, np.ones(30), mode="valid")
    assert window.max() >= 90.0
    assert orbit_and_walk(scene)[0].fov == 55.0


def test_document_is_plain_json(tmp_path):
    CameraPath.from_keyframes(KEYS, 30.0).save(tmp_path / "p.json")
    data = json.loads((tmp_path / "p.json").read_text())
    assert data["format"] == "reframe-camera-path" and data["version"] == 1
    assert len(data["frames"][0]["camera_to_world"]) == 16
