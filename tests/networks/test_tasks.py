"""The tasks' registry and baselines: jitter-aware upsampling, hole filling, reprojection."""

import torch
import torch.nn.functional as F

from networks.reproject import fill_holes
from networks.tasks import TASK_NAMES, TASKS
from networks.upsample import upsample_jittered
from renderer.pathgen import resolve_path
from renderer.player import PathPlayer, RenderSettings
from renderer.scenes import load_scene
from tests.conftest import TEST_QUALITY


def test_one_registry_names_the_tasks():
    """The command line's choices (``TaskName``) are the tasks there are, in order."""
    assert TASK_NAMES == ("denoise", "supersample", "extrapolate") == tuple(TASKS)
    assert all(task.name == name for name, task in TASKS.items())


def test_upsampling_without_jitter_is_plain_bilinear():
    low = torch.rand(3, 9, 16)
    expected = F.interpolate(low[None], size=(18, 32), mode="bilinear", align_corners=False)[0]
    torch.testing.assert_close(upsample_jittered(low, (0.0, 0.0), (32, 18)), expected)


def test_upsampling_undoes_the_jitter():
    """A linear ramp sampled with jitter j (in low-res pixels) is rebuilt exactly."""
    w, h = 16, 9
    jitter = (0.3, -0.2)
    xs = torch.arange(w) + 0.5 + jitter[0]
    low = xs.view(1, 1, w).expand(3, h, w).clone()
    up = upsample_jittered(low, jitter, (2 * w, 2 * h))
    expected = (torch.arange(2 * w) + 0.5) / 2
    # Away from the borders (where the ramp is clamped), the ramp is exact.
    torch.testing.assert_close(up[0, 4, 3:-3], expected[3:-3], atol=1e-5, rtol=0)


def test_fill_holes_keeps_valid_pixels_and_fills_from_neighbours():
    image = torch.full((3, 8, 8), 2.0)
    image[:, :, 4:] = 6.0
    valid = torch.ones(1, 8, 8, dtype=torch.bool)
    valid[:, 3:5, 3:5] = False
    image[:, 3:5, 3:5] = -100.0
    out = fill_holes(image, valid)
    torch.testing.assert_close(out[:, valid[0]], image[:, valid[0]])
    hole = out[0, 3:5, 3:5]
    assert float(hole.min()) >= 2.0 and float(hole.max()) <= 6.0
    assert float(hole[:, 0].mean()) < float(hole[:, 1].mean())


def test_baselines_on_rendered_frames(gl):
    scene = load_scene("temple")
    path = resolve_path("default", scene)
    settings = RenderSettings(size=(96, 54), low_res=True, quality=TEST_QUALITY)
    with PathPlayer(scene, settings, gl) as player:
        still_a, still_b = player.render(path, 10), player.render(path, 11)
        moving_a, moving_b = player.render(path, 80), player.render(path, 81)
    for task in TASKS.values():
        for frame, prev in ((still_b, still_a), (moving_b, moving_a)):
            out = task.baseline(frame, [prev])
            assert out.shape == frame.reference.shape and torch.isfinite(out).all()
    # Denoising's baseline is the noisy input; a still camera reprojects exactly.
    assert torch.equal(TASKS["denoise"].baseline(still_b, []), still_b.color)
    torch.testing.assert_close(TASKS["extrapolate"].baseline(still_b, [still_a]), still_a.reference)
    assert not TASKS["extrapolate"].applies(still_a, [])


def test_inputs_have_the_declared_channels_and_round_trip(gl):
    scene = load_scene("arena")
    path = resolve_path("default", scene)
    settings = RenderSettings(size=(64, 36), low_res=True, quality=TEST_QUALITY)
    with PathPlayer(scene, settings, gl) as player:
        frames = [player.render(path, i) for i in (100, 101, 102)]
    current, history = frames[-1], frames[:-1]
    for task in TASKS.values():
        previous_output = torch.rand(3, 36, 64) if task.unroll else None
        x = task.assemble(current, history, previous_output)
        assert x.shape == (task.in_channels, 36, 64) and torch.isfinite(x).all()
        # Without any history the inputs still assemble (zeros and zero masks).
        assert task.assemble(current, [], None).shape == x.shape
    # The networks' space and back is the identity on linear colors.
    color = current.reference
    back = compress_expand_round_trip(color, current)
    torch.testing.assert_close(back, color, atol=1e-4, rtol=1e-4)


def compress_expand_round_trip(color, frame):
    from networks.tasks import compress, expand

    return expand(compress(color, frame), frame)


def test_supersample_carries_its_previous_output_only_where_it_was_seen(gl):
    scene = load_scene("temple")
    path = resolve_path("default", scene)
    settings = RenderSettings(size=(64, 36), low_res=True, quality=TEST_QUALITY)
    with PathPlayer(scene, settings, gl) as player:
        prev, cur = player.render(path, 138), player.render(path, 139)  # 139: a cut
    task = TASKS["supersample"]
    assert task.unroll == 1 and task.history == 1
    assert float(task.assemble(cur, [prev], torch.ones(3, 36, 64))[-1].max()) == 0.0
    with PathPlayer(scene, settings, gl) as player:
        walk_a, walk_b = player.render(path, 60), player.render(path, 61)
    mask = task.assemble(walk_b, [walk_a], torch.ones(3, 36, 64))[-1]
    assert 0.5 < float(mask.mean()) < 1.0, "a walk carries most pixels over, not all"
    # A still camera carries every pixel over, the sky (no depth) included.
    with PathPlayer(scene, settings, gl) as player:
        still_a, still_b = player.render(path, 10), player.render(path, 11)
    assert bool((still_b.depth == 0).any()), "the view should show sky"
    assert float(task.assemble(still_b, [still_a], torch.ones(3, 36, 64))[-1].min()) == 1.0
    # The others never read their own output.
    assert TASKS["extrapolate"].unroll == TASKS["denoise"].unroll == 0
