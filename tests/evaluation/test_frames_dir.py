"""``--frames-dir``: frames that ``reframe-rt render`` wrote, read back, are the frames as
rendered bit for bit, and give the same network inputs, refresh decisions and outputs for
every task; each kind of bad input is one clear error (or, for NaN, a warning)."""

from __future__ import annotations

import json
import logging
import shutil

import numpy as np
import pytest
import torch

from evaluation.conventions import Z_UP_TO_Y_UP, ray_lengths
from evaluation.exr import read_exr, write_exr
from evaluation.feed import FrameFeed
from evaluation.frames_dir import ChannelMap, FramesDir, natural_key, parse_channel_map
from evaluation.methods import methods_for
from evaluation.runner import TaskRun, play
from networks.tasks import TASKS
from renderer.errors import UserError
from renderer.path import CameraPath, load_path
from renderer.pathgen import resolve_path
from renderer.player import RenderSettings
from renderer.scenes import load_scene
from viewer.cli import main

SIZE, FRAMES = (64, 36), 8
POLICIES = ("full", "every-2", "delta-H", "motion-H")


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """temple's brief tour from its walk into the turn (frames 20-27 after the still
    opening would all be equal), rendered by the command, with the half-resolution frames."""
    out = tmp_path_factory.mktemp("render")
    args = ["render", "--path", "brief", "--resolution", f"{SIZE[0]}x{SIZE[1]}", "--quiet"]
    assert main([*args, "--frames", str(FRAMES), "--low-res", "--out", str(out)]) == 0
    return out


def direct_feed():
    scene = load_scene("temple")
    settings = RenderSettings(size=SIZE, reference=True)  # as `render` renders
    return FrameFeed(scene, resolve_path("brief", scene), settings, low_res=True)


def test_frames_read_back_are_the_frames_as_rendered(rendered):
    feed, back = direct_feed(), FramesDir(rendered, needs_low=True)
    try:
        assert len(back) == FRAMES and back.size == SIZE and back.has_reference
        for i in range(FRAMES):
            a, b = feed.frame(i), back.frame(i)
            for frame_a, frame_b in ((a, b), (a.low, b.low)):
                for name in ("color", "reference", "albedo", "normal", "depth", "motion"):
                    x, y = getattr(frame_a, name), getattr(frame_b, name)
                    assert torch.equal(x, y) and x.stride() == y.stride(), (i, name)
                assert torch.equal(frame_a.prev_depth, frame_b.prev_depth)
                assert frame_a.jitter == frame_b.jitter and frame_a.cut == frame_b.cut
            # The sidecar stores cameras to 9 decimals (our camera-path format).
            np.testing.assert_allclose(
                a.camera.camera_to_world, b.camera.camera_to_world, atol=1e-8
            )
    finally:
        feed.close()


@pytest.mark.parametrize("name", list(TASKS))
def test_every_task_runs_the_same_on_frames_read_back(rendered, name):
    task = TASKS[name]
    results = {}
    for source in ("direct", "dir"):
        feed = direct_feed() if source == "direct" else FramesDir(rendered, needs_low=True)
        methods = methods_for(task, POLICIES, "unet", 1, None, SIZE)
        inputs = []
        original = task.assemble

        def spy(frame, history, previous=None, original=original, inputs=inputs):
            x = original(frame, history, previous)
            inputs.append(x)
            return x

        run = TaskRun(task, methods)
        object.__setattr__(task, "assemble", spy)
        try:
            results[source] = (list(play(feed, [run], FRAMES)), inputs)
        finally:
            object.__delattr__(task, "assemble")
            feed.close()
    (direct, inputs_a), (back, inputs_b) = results["direct"], results["dir"]
    assert len(direct) == len(back) > 0 and len(inputs_a) == len(inputs_b) > 0
    assert all(torch.equal(x, y) for x, y in zip(inputs_a, inputs_b, strict=True))
    for (_, a), (_, b) in zip(direct, back, strict=True):
        assert a.refresh == b.refresh
        for method in a.outputs:
            assert torch.equal(a.outputs[method], b.outputs[method]), (a.index, method)


def test_names_sort_naturally():
    names = ["f_10.exr", "f_2.exr", "f_1.exr"]
    assert sorted(names, key=natural_key) == ["f_1.exr", "f_2.exr", "f_10.exr"]


def test_channel_maps_from_pairs_and_json(tmp_path):
    assert parse_channel_map("color=Noisy Image, albedo=Denoising Albedo").names == {
        "color": "Noisy Image",
        "albedo": "Denoising Albedo",
    }
    file = tmp_path / "map.json"
    file.write_text('{"normal": "Normal"}')
    assert parse_channel_map(str(file)) == ChannelMap({"normal": "Normal"})
    blender = parse_channel_map("blender,color=ViewLayer.Noisy Image")
    assert blender.convention == "blender" and blender.names["color"] == "ViewLayer.Noisy Image"
    assert blender.names["motion"] == "ViewLayer.Vector"
    with pytest.raises(UserError, match="no layer colour"):
        parse_channel_map("colour=Image")
    with pytest.raises(UserError, match="ours=theirs"):
        parse_channel_map("color")


def copy_of(rendered, tmp_path):
    out = tmp_path / "frames"
    shutil.copytree(rendered, out, ignore=shutil.ignore_patterns("low"))
    return out


def test_an_empty_directory_is_refused(tmp_path):
    with pytest.raises(UserError, match=r"no \.exr files"):
        FramesDir(tmp_path)


def test_a_missing_layer_is_named(rendered, tmp_path):
    frames = copy_of(rendered, tmp_path)
    file = frames / "frame_0003.exr"
    channels = read_exr(file)
    write_exr(file, {k: v for k, v in channels.items() if k != "motion.Y"})
    # The first frames are read at once (their motion is checked): before anything runs.
    with pytest.raises(UserError, match=r"frame_0003\.exr: no channel motion\.Y \(our motion"):
        FramesDir(frames)
    write_exr(file, channels)
    for each in frames.glob("*.exr"):  # another renderer's name for our albedo
        renamed = {k.replace("albedo.", "Denoising Albedo."): v for k, v in read_exr(each).items()}
        write_exr(each, renamed)
    with pytest.raises(UserError, match=r"no channel albedo\.R"):
        FramesDir(frames)
    assert FramesDir(frames, ChannelMap({"albedo": "Denoising Albedo"})).size == SIZE


def test_a_frame_of_another_size_is_named(rendered, tmp_path):
    frames = copy_of(rendered, tmp_path)
    small = {k: v[:-2] for k, v in read_exr(frames / "frame_0005.exr").items()}
    write_exr(frames / "frame_0005.exr", small)
    with pytest.raises(UserError, match=r"frame_0005\.exr: 64x34, but the sequence is 64x36"):
        FramesDir(frames)  # any frame's size, from the headers, before anything runs


@pytest.mark.parametrize(("layer", "value"), [("depth.Z", np.nan), ("color.G", np.inf)])
def test_nan_or_inf_is_a_warning_naming_the_frame_and_the_layer(
    rendered, tmp_path, caplog, layer, value
):
    frames = copy_of(rendered, tmp_path)
    channels = read_exr(frames / "frame_0002.exr")
    channels[layer][3, 4] = value
    write_exr(frames / "frame_0002.exr", channels)
    with caplog.at_level(logging.WARNING, logger="reframe_rt"):
        frame = FramesDir(frames).frame(2)
    name = layer.split(".")[0]
    assert not torch.isfinite(getattr(frame, name)).all()
    says = f"frame 2 (frame_0002.exr): {name} holds NaN or infinite values"
    assert any(says in r.getMessage() for r in caplog.records)


def test_a_sidecar_of_another_length_and_missing_low_frames_are_refused(rendered, tmp_path):
    frames = copy_of(rendered, tmp_path)
    (frames / "frame_0007.exr").unlink()
    with pytest.raises(UserError, match="8 frames for 7 EXR files"):
        FramesDir(frames)
    (frames / "path.json").unlink()
    assert len(FramesDir(frames)) == 7  # no sidecar: still cameras, no cuts
    low = tmp_path / "low"
    shutil.copytree(rendered / "low", low)
    with pytest.raises(UserError, match="super-resolution needs a half-resolution frame"):
        FramesDir(frames, low_dir=low, needs_low=True)  # 8 for 7


def test_without_half_resolution_frames_every_other_pixel_is_one(rendered, tmp_path, caplog):
    frames = copy_of(rendered, tmp_path)  # no low/
    with caplog.at_level(logging.WARNING, logger="reframe_rt"):
        source = FramesDir(frames, needs_low=True)
    assert any("every other pixel" in r.getMessage() for r in caplog.records)
    frame = source.frame(3)
    low = frame.low
    assert low.size == (SIZE[0] // 2, SIZE[1] // 2) and low.jitter == (-0.25, -0.25)
    assert torch.equal(low.reference, frame.reference[:, ::2, ::2])
    assert torch.equal(low.motion, frame.motion[:, ::2, ::2] * 0.5)
    out = tmp_path / "eval"
    args = ["eval", "--frames-dir", str(frames), "--task", "supersample", "--quiet"]
    assert main([*args, "--policy", "delta-H", "--frames", "3", "--out", str(out)]) == 0


def test_eval_and_dump_take_the_frames(rendered, tmp_path, capsys):
    out = tmp_path / "eval"
    args = ["--frames-dir", str(rendered), "--quiet", "--policy", "delta-H"]
    assert main(["eval", *args, "--frames", "4", "--out", str(out)]) == 0
    report = (out / "report.md").read_text()
    assert f"{rendered.name}, path frames, 4 frames at 64x36" in report
    assert main(["dump", *args, "--task", "extrapolate", "--out", str(tmp_path / "dump")]) == 0
    assert (tmp_path / "dump" / "frame_0003_delta-H_flip.png").exists()
    assert main(["eval", "--channel-map", "color=Image", "--out", str(tmp_path / "x")]) == 2
    assert "--channel-map needs --frames-dir" in capsys.readouterr().err


@pytest.fixture(scope="module")
def walking(tmp_path_factory):
    """Six frames of the brief tour's fast turn (frames 28-33; at 64x36 its walk moves
    under half a pixel a frame), without their sidecar."""
    out = tmp_path_factory.mktemp("tour")
    args = ["render", "--path", "brief", "--resolution", f"{SIZE[0]}x{SIZE[1]}", "--quiet"]
    assert main([*args, "--frames", "34", "--out", str(out / "all")]) == 0
    for k in range(6):
        shutil.copy(out / "all" / f"frame_{k + 28:04d}.exr", out / f"frame_{k:04d}.exr")
    return out


@pytest.mark.parametrize(("negate", "says"), [("XY", "x and y"), ("Y", "y")])
def test_flipped_motion_vectors_are_refused(walking, tmp_path, negate, says):
    frames = tmp_path / "flipped"
    shutil.copytree(walking, frames, ignore=shutil.ignore_patterns("all"))
    assert len(FramesDir(frames)) == 6  # as rendered: accepted
    for file in frames.glob("*.exr"):
        channels = read_exr(file)
        for axis in negate:
            channels[f"motion.{axis}"] = -channels[f"motion.{axis}"]
        write_exr(file, channels)
    with pytest.raises(UserError, match=f"motion vectors look flipped in {says}: "):
        FramesDir(frames)


def test_without_a_sidecar_a_frame_the_vectors_cannot_explain_is_a_cut(walking, rendered, tmp_path):
    frames = tmp_path / "spliced"
    frames.mkdir()
    for k in range(3):  # three frames of the turn, then three of the still opening
        shutil.copy(walking / f"frame_{k:04d}.exr", frames / f"a_{k}.exr")
        shutil.copy(rendered / f"frame_{k + 4:04d}.exr", frames / f"b_{k}.exr")
    source = FramesDir(frames)
    assert [source.frame(i).cut for i in range(6)] == [False, False, False, True, False, False]


def test_frames_without_a_reference_are_scored_against_the_full_network(rendered, tmp_path):
    frames = copy_of(rendered, tmp_path)
    for file in frames.glob("*.exr"):
        write_exr(file, {k: v for k, v in read_exr(file).items() if not k.startswith("reference")})
    out = tmp_path / "eval"
    args = ["eval", "--frames-dir", str(frames), "--task", "denoise", "--quiet"]
    assert main([*args, "--policy", "delta-H", "--frames", "4", "--out", str(out)]) == 0
    report = (out / "report.md").read_text()
    assert "scored against the full" in report
    summary = json.loads((out / "summary.json").read_text())
    (row,) = summary["runs"]
    assert row["psnr_full_vs_ref"] is None and row["flip_vs_full"] is not None
    assert (out / f"denoise_{frames.name}_quality.png").exists()
    dump = ["dump", "--frames-dir", str(frames), "--out", str(tmp_path / "dump")]
    assert main(dump) == 2
    # The other tasks read the reference as input: refused before anything runs.
    every = ["eval", "--frames-dir", str(frames), "--quiet", "--out", str(tmp_path / "all")]
    assert main(every) == 2 and not (tmp_path / "all").exists()


def as_blender(channels: dict, camera: np.ndarray) -> dict:
    """Our frame's layers as Blender's Cycles stores them (evaluation.conventions), our
    world taken for Blender's z-up one."""
    out = {f"ViewLayer.Combined.{c}": channels[f"color.{c}"] for c in "RGB"}
    out |= {f"ViewLayer.Denoising Albedo.{c}": channels[f"albedo.{c}"] for c in "RGB"}
    out |= {f"reference.{c}": channels[f"reference.{c}"] for c in "RGB"}
    out["ViewLayer.Vector.X"] = channels["motion.X"]
    out["ViewLayer.Vector.Y"] = -channels["motion.Y"]
    out["ViewLayer.Vector.Z"] = out["ViewLayer.Vector.W"] = np.zeros_like(channels["motion.X"])
    depth = channels["depth.Z"]
    out["ViewLayer.Depth.Z"] = np.where(depth > 0, depth, 1e10).astype(np.float32)
    world = np.stack([channels[f"normal.{a}"] for a in "XYZ"], axis=-1).astype(np.float64)
    camera_space = world @ Z_UP_TO_Y_UP @ camera[:3, :3]  # R^T Z2Y^T n, row-wise
    for k, a in enumerate("XYZ"):
        sign = -1.0 if a == "Z" else 1.0  # Blender's camera looks down +z
        out[f"ViewLayer.Denoising Normal.{a}"] = (sign * camera_space[..., k]).astype(np.float32)
    return out


def test_blenders_conventions_are_brought_to_ours(walking, tmp_path):
    frames = tmp_path / "blender"
    frames.mkdir()
    path = load_path(walking / "all" / "path.json")
    part = CameraPath(path.fps, path.frames[28:34])
    part.save(frames / "path.json")
    for k in range(6):
        channels = read_exr(walking / f"frame_{k:04d}.exr")
        write_exr(frames / f"f{k}.exr", as_blender(channels, part.frames[k].camera_to_world))
    ours, theirs = FramesDir(walking), FramesDir(frames, parse_channel_map("blender"))
    for i in range(1, 6):
        a, b = ours.frame(i), theirs.frame(i)
        assert torch.equal(a.motion, b.motion) and torch.equal(a.depth, b.depth)
        torch.testing.assert_close(b.normal, a.normal, atol=1e-5, rtol=0)
        # The previous depth from the cameras: temple's walls and floor do not move.
        geometry = a.depth > 0
        relative = ((b.prev_depth - a.prev_depth).abs() / a.prev_depth.clamp(min=1e-6))[geometry]
        assert float(relative.median()) < 1e-4 and float((relative < 1e-3).float().mean()) > 0.95
    with pytest.raises(UserError, match="need their cameras"):
        (frames / "path.json").unlink()
        FramesDir(frames, parse_channel_map("blender"))


def test_depth_along_the_rays_is_brought_to_the_view_axis(walking, tmp_path):
    """On the fast turn: the previous depth's ray goes through p + motion, far from p."""
    ours = tmp_path / "ours"
    shutil.copytree(walking, ours, ignore=shutil.ignore_patterns("all"))
    CameraPath(30.0, load_path(walking / "all" / "path.json").frames[28:34]).save(
        ours / "path.json"
    )
    frames = tmp_path / "rays"
    shutil.copytree(ours, frames)
    path = load_path(frames / "path.json")
    for k, file in enumerate(sorted(frames.glob("*.exr"))):
        channels = read_exr(file)
        motion = np.stack([channels["motion.X"], channels["motion.Y"]], axis=-1)
        fov = path.frames[k].fov
        channels["depth.Z"] = channels["depth.Z"] * ray_lengths(*SIZE[::-1], fov)[..., 0]
        # The previous depth lies along the previous camera's ray through p + motion.
        through = ray_lengths(*SIZE[::-1], fov, motion)[..., 0]
        channels["prev_depth.Z"] = channels["prev_depth.Z"] * through
        channels = {k: v.astype(np.float32) for k, v in channels.items() if "depth" in k} | {
            k: v for k, v in channels.items() if "depth" not in k
        }
        write_exr(file, channels)
    ours, rays = FramesDir(ours), FramesDir(frames, parse_channel_map("ray-depth"))
    for i in (0, 5):
        a, b = ours.frame(i), rays.frame(i)
        torch.testing.assert_close(b.depth, a.depth, rtol=1e-6, atol=0)
        torch.testing.assert_close(b.prev_depth, a.prev_depth, rtol=1e-6, atol=0)
    assert not torch.equal(FramesDir(frames).frame(5).depth, ours.frame(5).depth)
