"""``--network``: a user's network in eval, dump and inspect; ours, wrapped, gives the
built-in staging's decisions and outputs bit for bit; bad input is one line and exit 2."""

import csv
import textwrap

import pytest
import torch

from evaluation.methods import methods_for
from evaluation.runner import Runner
from evaluation.user_network import UserNetwork
from networks.tasks import TASKS
from renderer.lights import ShadowQuality
from renderer.pathgen import resolve_path
from renderer.player import RenderSettings
from renderer.scenes import load_scene
from viewer.cli import main

FACTORIES = textwrap.dedent(
    """
    import torch
    from networks.weights import load_network

    def ours():
        return load_network("extrapolate", "unet")[0]

    def three_channels():
        return torch.nn.Sequential(torch.nn.Conv2d(3, 3, 3, padding=1))

    def not_a_module():
        return 42

    class Twice(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.enc = torch.nn.Conv2d(19, 4, 3, padding=1)
            self.down = torch.nn.Conv2d(4, 4, 3, stride=2, padding=1)
            self.up = torch.nn.Upsample(scale_factor=2.0)
            self.dec = torch.nn.Conv2d(8, 3, 1)

        def forward(self, x):
            e = self.enc(x)
            deep = self.up(self.up(self.down(e))[..., ::2, ::2])
            return self.dec(torch.cat([deep, e], 1))

    def twice():
        return Twice()
    """
)


@pytest.fixture
def factories(tmp_path, monkeypatch):
    (tmp_path / "user_nets.py").write_text(FACTORIES)
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    return "user_nets"


def test_our_unet_wrapped_matches_the_builtin_staging_bit_for_bit(factories, tmp_path):
    task = TASKS["extrapolate"]
    size = (64, 36)
    policies = ("full", "delta-H", "every-3")
    builtin = methods_for(task, policies, "unet")
    wrapped = methods_for(task, policies, "unet", network=UserNetwork(f"{factories}:ours"),
                          size=size)  # fmt: skip
    scene = load_scene("temple")
    path = resolve_path("default", scene)
    settings = RenderSettings(size=size, seed=0, quality=ShadowQuality())
    runs = []
    for methods in (builtin, wrapped):
        runner = Runner(scene, path, task, methods, settings, tmp_path / "refs")
        try:
            runs.append(list(runner.run(8)))
        finally:
            runner.close()
    assert len(runs[0]) == len(runs[1]) == 7
    for a, b in zip(*runs, strict=True):
        assert a.refresh == b.refresh
        for name in ("full", "delta-H", "every-3"):
            assert torch.equal(a.outputs[name], b.outputs[name]), (a.index, name)
    assert any(not r.refresh["delta-H"] for r in runs[1])


def test_eval_and_dump_take_a_network(factories, tmp_path):
    out = tmp_path / "eval"
    args = ["--task", "extrapolate", "--frames", "3", "--resolution", "64x36", "--quiet"]
    common = [*args, "--network", f"{factories}:ours", "--cache", str(tmp_path / "c")]
    assert main(["eval", *common, "--policy", "delta-H", "--out", str(out)]) == 0
    rows = list(csv.DictReader((out / "frames.csv").open()))
    assert {r["method"] for r in rows} == {"baseline", "full", "delta-H"}
    assert main(["dump", *common, "--policy", "every-2", "--out", str(tmp_path / "d")]) == 0
    assert (tmp_path / "d" / "frame_0001.exr").exists()


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--network", "no_such_module:make"], "cannot import no_such_module"),
        (["--network", "user_nets"], "expected module.path:factory"),
        (["--network", "user_nets:not_a_module"], "no nn.Module"),
        (["--network", "user_nets:ours", "--cache-at", "decoders.9"], "is no module"),
        (["--network", "user_nets:three_channels"], "cannot take the example"),
        (["--network", "user_nets:twice", "--cache-at", "up"], "called 2 times"),
        (["--cache-at", "ups.0"], "--cache-at need --network"),
    ],
)
def test_bad_network_options_are_one_line_and_exit_2(factories, tmp_path, capsys, extra, message):
    args = ["eval", "--task", "extrapolate", "--frames", "2", "--resolution", "64x36", "--quiet"]
    assert main([*args, *extra, "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1, err
    assert not (tmp_path / "o").exists()


def test_eval_with_a_network_needs_one_task(factories, tmp_path, capsys):
    args = ["eval", "--frames", "2", "--resolution", "64x36", "--network", "user_nets:ours"]
    assert main([*args, "--quiet", "--out", str(tmp_path / "o")]) == 2
    assert "--network needs one --task" in capsys.readouterr().err


def test_inspect_prints_the_report_and_the_times(factories, capsys):
    assert main(["inspect", "--network", f"{factories}:ours", "--input", "1x19x64x96",
                 "--repeats", "2"]) == 0  # fmt: skip
    out = capsys.readouterr().out
    assert "captured by export" in out and "reuse/full" in out and "speedup ceiling" in out
    assert main(["inspect", "--network", f"{factories}:ours", "--input", "64x96"]) == 2


def test_calibrate_wraps_the_network_before_its_sweep(factories, tmp_path, capsys):
    args = ["calibrate", "--task", "extrapolate", "--frames", "3", "--resolution", "64x36"]
    target = tmp_path / "calibration.json"
    assert main([*args, "--network", "user_nets:three_channels", "--into", str(target)]) == 2
    assert "cannot take the example" in capsys.readouterr().err
    assert not target.exists()
