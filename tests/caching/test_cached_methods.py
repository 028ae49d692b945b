"""The cache inside the evaluation runner: on rendered frames of a real path, ``every-1``
is the full network bit for bit on every frame, for every task."""

import pytest
import torch

from caching.cache import LayerCache
from caching.policies import EveryN, Policy
from evaluation.methods import CachedMethod
from evaluation.runner import Runner
from networks.method import NetworkMethod
from networks.model import build
from networks.tasks import TASK_NAMES, TASKS
from networks.unet import UNetConfig
from renderer.pathgen import resolve_path
from renderer.player import RenderSettings
from renderer.scenes import load_scene
from tests.conftest import TEST_QUALITY


class Never(Policy):
    def wants_refresh(self, x, cached_input, info):
        return False


@pytest.mark.parametrize("task_name", TASK_NAMES)
def test_every_1_equals_full_on_every_frame(task_name, gl):
    task = TASKS[task_name]
    torch.manual_seed(0)
    net = build(UNetConfig(task.in_channels, widths=(8, 12, 16))).eval()
    methods = [
        NetworkMethod(task, net, name="full"),
        CachedMethod(task, LayerCache(net, EveryN("every-1", 1)), name="every-1"),
        CachedMethod(task, LayerCache(net, Never("never")), name="never"),
    ]
    scene = load_scene("arena")
    runner = Runner(
        scene,
        resolve_path("default", scene),
        task,
        methods,
        RenderSettings(size=(48, 28), quality=TEST_QUALITY),
        gl=gl,
    )
    try:
        results = list(runner.run(5))
    finally:
        runner.close()
    assert len(results) >= 4
    for r in results:
        assert torch.equal(r.outputs["every-1"], r.outputs["full"]), f"frame {r.index}"
        assert r.refresh["every-1"] is True
        assert r.vs_full["every-1"].flip == 0.0
    # The same runner sees reuse frames differ: the comparison above could fail.
    reused = [r for r in results if r.refresh["never"] is False]
    assert reused and any(not torch.equal(r.outputs["never"], r.outputs["full"]) for r in reused)


def test_scoring_against_the_full_network_only(gl):
    task = TASKS["denoise"]
    torch.manual_seed(0)
    net = build(UNetConfig(task.in_channels, widths=(8, 12, 16))).eval()

    def run(against_reference: bool) -> list:
        methods = [
            NetworkMethod(task, net, name="full"),
            CachedMethod(task, LayerCache(net, Never("never")), name="never"),
        ]
        scene = load_scene("arena")
        settings = RenderSettings(size=(48, 28), quality=TEST_QUALITY)
        runner = Runner(scene, resolve_path("default", scene), task, methods, settings, gl=gl)
        try:
            return list(runner.run(3, against_reference=against_reference))
        finally:
            runner.close()

    scored, sweep = run(True), run(False)
    assert all(r.vs_reference == {} for r in sweep)
    assert all(r.vs_reference.keys() == {"full", "never"} for r in scored)
    for a, b in zip(scored, sweep, strict=True):
        assert a.vs_full["never"] == b.vs_full["never"]
