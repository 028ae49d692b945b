"""Temporal accumulation of noisy frames: cases with a known answer, exceptions, and on
rendered frames against the reference."""

from dataclasses import replace

import pytest
import torch

from networks.accumulate import accumulate
from networks.tasks import MODULATION_FLOOR, TASKS
from renderer.camera import Camera
from renderer.frame import Frame
from renderer.pathgen import resolve_path
from renderer.player import PathPlayer, RenderSettings
from renderer.scenes import load_scene
from tests.conftest import TEST_QUALITY

H, W = 8, 12
CAMERA = Camera.look_at((0.0, 0.0, 5.0), (0.0, 0.0, 0.0))


def frame(index, color, motion=(0.0, 0.0), depth=None, prev_depth=None, cut=False):
    """A frame of a flat grey wall at depth 2 (unless told otherwise)."""
    depth = torch.full((1, H, W), 2.0) if depth is None else depth
    return Frame(
        color=torch.as_tensor(color, dtype=torch.float32).expand(3, H, W).clone(),
        albedo=torch.full((3, H, W), 0.45),
        normal=torch.zeros(3, H, W),
        depth=depth,
        motion=torch.tensor(motion, dtype=torch.float32).view(2, 1, 1).expand(2, H, W).clone(),
        prev_depth=depth.clone() if prev_depth is None else prev_depth,
        reference=None,
        index=index,
        time=index / 30.0,
        cut=cut,
        camera=CAMERA,
    )


def test_one_frame_is_itself():
    f = frame(0, 0.7)
    color, count = accumulate([f], MODULATION_FLOOR)
    torch.testing.assert_close(color, f.color)
    assert torch.equal(count, torch.ones(1, H, W))


def test_a_still_view_averages_every_frame():
    frames = [frame(i, v) for i, v in enumerate((0.2, 1.0, 0.0, 0.6))]
    color, count = accumulate(frames, MODULATION_FLOOR)
    torch.testing.assert_close(color, torch.full((3, H, W), 0.45))
    torch.testing.assert_close(count, torch.full((1, H, W), 4.0))


def test_a_cut_starts_over():
    frames = [frame(0, 5.0), frame(1, 0.2, cut=True), frame(2, 0.4)]
    color, count = accumulate(frames, MODULATION_FLOOR)
    torch.testing.assert_close(color, torch.full((3, H, W), 0.3))
    torch.testing.assert_close(count, torch.full((1, H, W), 2.0))


def test_motion_brings_the_same_surface_and_disocclusions_start_fresh():
    first = torch.arange(W, dtype=torch.float32).expand(3, H, W).clone()
    # The view moved: what is at x now was at x + 1 in the frame before.
    second = first.clone() + 1.0
    depth = torch.full((1, H, W), 2.0)
    prev_depth = depth.clone()
    prev_depth[:, 2:4, 3:5] = 1.0  # there the surface was hidden behind something nearer
    frames = [
        frame(0, first, depth=torch.where(prev_depth < 2.0, 1.0, 2.0)),
        frame(1, second, motion=(1.0, 0.0), depth=depth, prev_depth=torch.full((1, H, W), 2.0)),
    ]
    color, count = accumulate(frames, MODULATION_FLOOR)
    # Carried over: both frames' value of the same surface point, x + 1.
    kept = count[0] == 2.0
    assert int(kept.sum()) == H * (W - 1) - 4
    expected = first.roll(-1, dims=-1) * 0.5 + second * 0.5
    torch.testing.assert_close(color[:, kept], expected[:, kept])
    # The last column came from outside the frame before.
    assert bool((count[0, :, -1] == 1.0).all())
    # Disoccluded (the frame before saw something nearer there): this frame alone.
    hidden = torch.zeros(H, W, dtype=torch.bool)
    hidden[2:4, 2:4] = True  # x + 1 lands in the occluder's columns 3-4
    assert bool((count[0][hidden] == 1.0).all())
    torch.testing.assert_close(color[:, hidden], second[:, hidden])


def test_no_frames_is_an_error():
    with pytest.raises(ValueError, match="at least one frame"):
        accumulate([], MODULATION_FLOOR)


def test_on_rendered_frames_it_is_closer_to_the_reference(gl):
    """On the still start of temple's path, six frames' noise averages down; the task's
    input carries the average and how many frames it holds."""
    scene = load_scene("temple")
    path = resolve_path("default", scene)
    with PathPlayer(scene, RenderSettings(size=(96, 54), quality=TEST_QUALITY), gl) as player:
        frames = [player.render(path, i) for i in range(6)]
    ref = frames[-1].reference
    color, count = accumulate(frames, MODULATION_FLOOR)
    error = {
        "one": float((frames[-1].color - ref).square().mean()),
        "six": float((color - ref).square().mean()),
    }
    assert error["six"] < error["one"] / 3.0, error
    assert float(count.mean()) > 5.5
    task = TASKS["denoise"]
    inputs = task.assemble(frames[-1], frames[:-1])
    assert inputs.shape == (task.in_channels, 54, 96)
    torch.testing.assert_close(inputs[-1:], count / 6.0)


def test_frames_weigh_by_their_spp():
    # A still wall: every frame carries over, so the mean is the spp-weighted one.
    frames = [frame(0, 0.2), frame(1, 0.6), frame(2, 1.0)]
    for f, spp in zip(frames, (1, 4, 3), strict=True):
        f.spp = spp
    color, count = accumulate(frames, MODULATION_FLOOR)
    expected = (0.2 * 1 + 0.6 * 4 + 1.0 * 3) / 8
    assert torch.allclose(color, torch.full_like(color, expected), rtol=1e-5)
    assert torch.equal(count, torch.full_like(count, 3.0))


def test_equal_spp_is_the_plain_mean_bit_for_bit():
    plain = [frame(i, 0.1 + 0.2 * i, motion=(0.5, 0.0)) for i in range(4)]
    rich = [frame(i, 0.1 + 0.2 * i, motion=(0.5, 0.0)) for i in range(4)]
    for f in rich:
        f.spp = 4
    ours, theirs = accumulate(rich, MODULATION_FLOOR), accumulate(plain, MODULATION_FLOOR)
    assert torch.equal(ours[0], theirs[0]) and torch.equal(ours[1], theirs[1])


@pytest.mark.parametrize("spps", [(1, 1, 1), (2, 1, 5)])
def test_prepare_does_not_read_the_current_color(spps):
    # What a top-up relies on: prepared before the frame gets more samples, completed after,
    # the input is the one assembled from the richer frame.
    task = TASKS["denoise"]
    history = [frame(i, 0.3 + 0.1 * i, motion=(0.25 * i, 0.0)) for i in range(3)]
    for f, spp in zip(history, spps, strict=True):
        f.spp = spp
    first = frame(3, 0.9, motion=(0.5, 0.0))
    prepared = task.prepare(first, history)
    richer = replace(first, color=torch.rand(3, H, W), spp=6)
    assert torch.equal(task.complete(prepared, richer), task.assemble(richer, history))
    assert not torch.equal(task.complete(prepared, first), task.assemble(richer, history))
