"""The reference cache's key: it changes with everything that shows in a reference and
with nothing else, checked against rendered references."""

import dataclasses
import sys

import numpy as np
import pytest
import torch

from evaluation.reference_cache import ReferenceCache, default_cache_dir
from renderer.pathgen import resolve_path
from renderer.player import PathPlayer, RenderSettings
from renderer.scenes import load_scene
from tests.conftest import TEST_QUALITY

SIZE = (48, 27)


@pytest.fixture(scope="module")
def garden():
    return load_scene("garden")  # a lantern and other objects move


def references(scene, frames):
    path = resolve_path("default", scene)
    settings = RenderSettings(size=SIZE, quality=TEST_QUALITY, reference=True)
    with PathPlayer(scene, settings) as player:
        return [player.render(dataclasses.replace(path, frames=[f]), 0).reference for f in frames]


def still(scene):
    """``scene`` with its moving objects held where they are at time 0."""

    def held(matrix):
        return lambda t: matrix

    objects = [dataclasses.replace(o, motion=held(o.transform(0.0))) for o in scene.dynamic]
    return dataclasses.replace(scene, dynamic=objects)


def test_the_time_alone_does_not_change_the_key_or_the_reference(garden):
    scene = still(garden)
    frame = resolve_path("default", scene).frames[0]
    later = dataclasses.replace(frame, time=frame.time + 1.0)
    cache = ReferenceCache("unused", scene, SIZE, TEST_QUALITY)
    assert cache.key(frame) == cache.key(later)
    a, b = references(scene, [frame, later])
    assert torch.equal(a, b), "the oracle: the same image, so one key is right"


def test_moving_objects_change_the_key_and_the_reference(garden):
    frame = resolve_path("default", garden).frames[0]
    later = dataclasses.replace(frame, time=frame.time + 1.0)
    cache = ReferenceCache("unused", garden, SIZE, TEST_QUALITY)
    assert cache.key(frame) != cache.key(later)
    a, b = references(garden, [frame, later])
    assert not torch.equal(a, b)


def test_motion_after_a_frame_still_changes_its_key(garden):
    """The shadow maps are fitted to where the objects go over two minutes: a change of
    motion after frame 0's time changes frame 0's reference, and so its key."""
    frame = resolve_path("default", garden).frames[0]
    first = garden.dynamic[0]

    def changed(t, m=first.motion):
        out = np.array(m(t), dtype=np.float64)
        if t > 5.0:
            out[:3, 3] += 40.0
        return out

    moved = dataclasses.replace(
        garden, dynamic=[dataclasses.replace(first, motion=changed), *garden.dynamic[1:]]
    )
    keys = [ReferenceCache("unused", s, SIZE, TEST_QUALITY).key(frame) for s in (garden, moved)]
    assert keys[0] != keys[1]
    (a,), (b,) = references(garden, [frame]), references(moved, [frame])
    assert not torch.equal(a, b), "the oracle: the shadow maps moved"


def test_size_quality_jitter_and_scene_each_change_the_key(garden):
    frame = resolve_path("default", garden).frames[0]
    base = ReferenceCache("unused", garden, SIZE, TEST_QUALITY)
    others = [
        ReferenceCache("unused", garden, (SIZE[0] // 2, SIZE[1] // 2), TEST_QUALITY).key(frame),
        ReferenceCache(
            "unused",
            garden,
            SIZE,
            dataclasses.replace(TEST_QUALITY, light_samples=2 * TEST_QUALITY.light_samples),
        ).key(frame),
        ReferenceCache("unused", load_scene("arena"), SIZE, TEST_QUALITY).key(frame),
        base.key(frame, jitter=(0.25, -0.25)),
    ]
    assert len({base.key(frame), *others}) == 1 + len(others)


def test_a_damaged_file_is_a_miss_not_an_error(garden, tmp_path):
    frame = resolve_path("default", garden).frames[0]
    cache = ReferenceCache(tmp_path, garden, SIZE, TEST_QUALITY)
    cache.put(frame, torch.ones(3, SIZE[1], SIZE[0]))
    assert torch.equal(cache.get(frame), torch.ones(3, SIZE[1], SIZE[0]))
    (file,) = tmp_path.rglob("*.npy")
    file.write_bytes(file.read_bytes()[:40])
    assert cache.get(frame) is None and cache.misses == 1


@pytest.mark.skipif(sys.platform != "linux", reason="XDG directories are Linux's")
def test_the_default_folder_is_the_users_cache_unless_the_variable_names_one(tmp_path, monkeypatch):
    monkeypatch.delenv("REFRAME_RT_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_cache_dir() == tmp_path / "xdg" / "reframe-rt" / "references"
    monkeypatch.setenv("REFRAME_RT_CACHE", str(tmp_path / "mine"))
    assert default_cache_dir() == tmp_path / "mine" / "references"
