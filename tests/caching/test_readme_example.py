"""The README's example of caching a user's own network runs, and does what it says."""

import re
from pathlib import Path

import pytest
import torch

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_protocol_example_runs_and_reuses(capsys):
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    example = next(b for b in blocks if "LayerCache" in b)
    scope: dict = {}
    exec(compile(example, str(README), "exec"), scope)
    cache, net = scope["cache"], scope["net"]
    assert 0 < cache.stats.refresh_count < cache.stats.frames
    assert "refreshes of 8" in capsys.readouterr().out
    x = torch.rand(1, 4, 36, 64)
    with torch.no_grad():
        assert torch.equal(cache(x), net(x))  # disabled: the plain network


def test_readme_wrap_example_runs_on_monai(capsys):
    pytest.importorskip("monai")
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    example = next(b for b in blocks if "caching.wrap(" in b)
    scope: dict = {}
    exec(compile(example, str(README), "exec"), scope)
    cache = scope["cache"]
    assert cache.report.route == "export"
    assert "1 refresh of 4" in capsys.readouterr().out
