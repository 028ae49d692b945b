"""The cache stands alone: ``import caching`` (every module of it, ``wrap`` run once)
needs torch and numpy only, with the renderer, the networks, the evaluation, the shipped
assets, GL, GUI, EXR and scipy made unimportable."""

import subprocess
import sys
import textwrap

BLOCKED = (
    "renderer", "networks", "evaluation", "viewer", "assets", "moderngl", "glcontext", "glfw",
    "imgui_bundle", "OpenEXR", "Imath", "scipy", "pyrr", "jsonschema", "trimesh",
    "platformdirs",
)  # fmt: skip

SCRIPT = textwrap.dedent(
    """
    import importlib, pkgutil, sys

    class Block:
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in BLOCKED:
                raise ImportError(f"blocked: {name}")

    sys.meta_path.insert(0, Block())
    import torch
    import caching
    for info in pkgutil.walk_packages(caching.__path__, "caching."):
        importlib.import_module(info.name)

    net = torch.nn.Sequential(
        torch.nn.Conv2d(3, 4, 3, padding=1), torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(4, 4, 3, padding=1), torch.nn.Upsample(scale_factor=2.0),
    )
    class Skip(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.enc, self.body, self.dec = net[0], net[1:], torch.nn.Conv2d(8, 3, 1)
        def forward(self, x):
            e = self.enc(x)
            return self.dec(torch.cat([self.body(e), e], 1))
    cache = caching.wrap(Skip().eval(), torch.rand(1, 3, 16, 16))
    loaded = sorted({m.split(".")[0] for m in sys.modules} & set(BLOCKED))
    print("route", cache.report.route, "loaded", loaded)
    """
)


def test_import_caching_needs_torch_and_numpy_only():
    done = subprocess.run(
        [sys.executable, "-c", f"BLOCKED = {BLOCKED!r}\n{SCRIPT}"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "route fx loaded []" in done.stdout
