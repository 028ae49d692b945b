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


def test_extrapolation_corrects_only_near_holes(gl):
    """A still camera gets the reprojection exactly, whatever the network says; a walk
    gets the correction within GATE_RADIUS pixels of its holes and nowhere else."""
    from networks.tasks import GATE_RADIUS, SEEN

    task = TASKS["extrapolate"]
    scene = load_scene("temple")
    path = resolve_path("default", scene)
    settings = RenderSettings(size=(64, 36), quality=TEST_QUALITY)
    with PathPlayer(scene, settings, gl) as player:
        still = [player.render(path, i) for i in (8, 9, 10)]
        walk = [player.render(path, i) for i in (59, 60, 61, 62)]
    correction = torch.randn(1, 3, 36, 64)
    x = task.assemble(still[-1], still[:-1]).unsqueeze(0)
    assert torch.equal(task.finish(correction, x), x[:, :3])
    assert torch.equal(x[0, :3], compress_expand_round_trip_start(task, still))
    x = task.assemble(walk[-1], walk[:-1]).unsqueeze(0)
    holes = x[0, SEEN] == 0
    assert 0 < int(holes.sum()) < holes.numel() // 4, "a walk opens some holes"
    changed = task.finish(correction, x)[0] != x[0, :3]
    near = F.max_pool2d(holes[None, None].float(), 2 * GATE_RADIUS + 1, 1, GATE_RADIUS)[0, 0] > 0
    assert bool(changed[:, near].all()) and not bool(changed[:, ~near].any())
    # Four frames of one shot: the two older ones come in with their masks.
    assert float(x[0, 14].mean()) > 0.5 and float(x[0, 18].mean()) > 0.5
    cut = TASKS["extrapolate"].assemble(walk[-1], [still[0], *walk[:-1]])
    assert torch.equal(cut, x[0]), "frames before the last three are not read"


def compress_expand_round_trip_start(task, frames):
    from networks.tasks import compress

    return compress(task.start(frames[-1], frames[:-1]), frames[-1])
