"""The calibration sweep's numbers: means over a path, and the worst stretch of it."""

import statistics

import pytest

from evaluation.calibration import measure
from evaluation.methods import methods_for
from evaluation.runner import Runner
from networks.tasks import TASKS
from renderer.lights import ShadowQuality
from renderer.pathgen import resolve_path
from renderer.player import RenderSettings
from renderer.scenes import load_scene

SIZE = (48, 28)


def test_the_worst_stretch_is_the_highest_mean_of_any_stretch(gl):
    scene = load_scene("garden")
    path = resolve_path("default", scene)
    specs = ["delta-0.05", "every-2"]
    # 7 frames in stretches of 2: the last stretch takes frames 4, 5 and 6.
    rows = measure("denoise", specs, [(scene, path)], 7, 7, SIZE, quiet=True, stretch=2)
    # The oracle: the same methods on the same frames, each frame's FLIP grouped by hand.
    methods = methods_for(TASKS["denoise"], ["full", *specs], "unet")
    settings = RenderSettings(size=SIZE, quality=ShadowQuality())
    runner = Runner(scene, path, TASKS["denoise"], methods, settings, gl=gl)
    try:
        results = list(runner.run(7, against_reference=False))
    finally:
        runner.close()
    by_spec = {r.spec: r for r in rows}
    for spec in specs:
        f = [r.vs_full[spec].flip for r in results]
        stretches = [f[0:2], f[2:4], f[4:7]]
        assert by_spec[spec].flip == pytest.approx(statistics.fmean(f), rel=1e-9)
        assert by_spec[spec].worst_flip == pytest.approx(
            max(statistics.fmean(s) for s in stretches), rel=1e-9
        )
    assert all(r.worst_flip >= r.flip for r in rows)


def test_without_stretches_there_is_no_worst_and_a_spec_named_twice_counts_once():
    scene = load_scene("garden")
    specs = ["every-2", "every-2"]
    (row,) = measure("denoise", specs, [(scene, resolve_path("default", scene))], 3, 3, SIZE,
                     quiet=True)  # fmt: skip
    assert row.worst_flip is None and row.judged_flip == row.flip
    assert row.refresh_rate == pytest.approx(2 / 3), "frames 0 and 2 of 3, each counted once"
