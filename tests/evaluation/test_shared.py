"""Methods that agree compute once (evaluation.shared), and give what each computes alone:
the same outputs bit for bit and the same decisions, frame by frame."""

from __future__ import annotations

import time

import pytest
import torch

from assets import builtin_path_file
from caching.cache import LayerCache
from caching.spec import parse_policy
from evaluation.methods import CachedMethod, methods_for
from evaluation.presets import presets_for
from evaluation.runner import run_methods, warm_up
from evaluation.shared import FrameShare, SharedStages
from networks.method import NetworkMethod
from networks.tasks import TASKS
from networks.weights import load_network
from renderer.path import load_path
from renderer.player import PathPlayer, RenderSettings
from renderer.scenes import load_scene

SIZE = (64, 36)
POLICIES = ("full", "every-2", "delta-H", "delta-L", "motion-H")


def alone(task, policies):
    """The methods as they were before sharing: each its own network calls."""
    net, _ = load_network(task.name, "unet")
    methods = [NetworkMethod(task, net, "full")]
    for spec in policies[1:]:
        cache = LayerCache(net, parse_policy(spec, presets_for(task.name)))
        methods.append(CachedMethod(task, cache, spec))
    return methods


@pytest.mark.parametrize("name", ["denoise", "supersample"])  # supersample is recurrent
def test_shared_methods_give_what_each_gives_alone(gl, name):
    task = TASKS[name]
    shared = methods_for(task, POLICIES, "unet", 1, None, SIZE)[1:]  # the baseline aside
    single = alone(task, POLICIES)
    settings = RenderSettings(size=SIZE, low_res=task.needs_low_res)
    path = load_path(builtin_path_file("temple-brief"))
    refreshes = {m.name: 0 for m in shared}
    with PathPlayer(load_scene("temple"), settings, gl) as player:
        # The brief tour's walk and turn: refreshes and reuses both.
        frames = [player.render(path, i) for i in range(8, 20)]
        for methods in (shared, single):
            warm_up(methods, frames[0])
        history = []
        for frame in frames:
            a, _, ra, _ = run_methods(shared, frame, history[-task.history :])
            b, _, rb, _ = run_methods(single, frame, history[-task.history :])
            history.append(frame)
            assert ra == rb
            for m in shared:
                assert torch.equal(a[m.name], b[m.name]), (m.name, frame.index)
                refreshes[m.name] += bool(ra[m.name])
            # A refresh is the full network: the very same output, computed once (for a
            # recurrent task, only where the method's last output was the full one's too).
            for m in shared[1:] if not task.unroll else []:
                assert (a[m.name] is a["full"]) == bool(ra[m.name])
    assert 0 < refreshes["delta-H"] < len(frames)


def test_a_shared_result_is_charged_the_time_it_took(gl):
    net, _ = load_network("denoise", "unet")
    stages, share = SharedStages(net), FrameShare()
    task = TASKS["denoise"]
    first = NetworkMethod(task, stages, "full", share)
    second = NetworkMethod(task, stages, "again", share)
    with PathPlayer(load_scene("temple"), RenderSettings(size=SIZE), gl) as player:
        frame = player.render(load_path(builtin_path_file("temple-brief")), 0)
    none = []  # the methods of a frame are given the same history
    out = first(frame, none)
    again = second(frame, none)
    assert again is out
    # The second asked for nothing new, yet is charged what the first spent on the stages.
    spent = sum(v[1].ms() for v in stages._memo.values())
    assert spent > 0 and first.last_ms >= spent and second.last_ms >= spent
    stages.clear()
    share.clear()
    alone = second(frame, none)
    assert alone is not out and torch.equal(alone, out)


def test_what_a_frame_shared_is_forgotten_before_the_next(gl):
    task = TASKS["denoise"]
    methods = methods_for(task, ("full", "every-2"), "unet", 1, None, SIZE)
    stages = methods[1].net
    with PathPlayer(load_scene("temple"), RenderSettings(size=SIZE), gl) as player:
        path = load_path(builtin_path_file("temple-brief"))
        frames = [player.render(path, i) for i in range(3)]
    for i, frame in enumerate(frames):
        _, _, refresh, _ = run_methods(methods, frame, frames[:i])
        # One frame's input, encoded once for both methods, and their outputs (one when
        # every-2 refreshes): nothing kept from the frame before.
        outputs = 1 if refresh["every-2"] else 2
        assert len(stages._inputs) == 1 and len(methods[1].share._entries) == 1 + outputs


def test_finding_a_shared_encoder_result_is_not_charged(monkeypatch):
    """A method served the encoder's result costs what computing it took, not the time its
    equal input took to find (a cost of sharing that a method alone would not pay)."""
    net, _ = load_network("denoise", "unet")
    stages = SharedStages(net)
    x = torch.rand(1, TASKS["denoise"].in_channels, 32, 64)
    slow_equal = torch.equal

    def equal(a, b):
        time.sleep(0.05)
        return slow_equal(a, b)

    with torch.inference_mode():
        stages.top_encoder(x.clone())
        stages.take_charged()
        monkeypatch.setattr(torch, "equal", equal)
        start = time.perf_counter()
        stages.top_encoder(x.clone())
        wall = (time.perf_counter() - start) * 1e3
        cost = wall + stages.take_charged()  # what NetworkMethod adds up for the caller
    computed = stages._memo[next(iter(stages._memo))][1].ms()
    assert wall >= 50.0
    assert abs(cost - computed) < 10.0, (wall, cost, computed)
