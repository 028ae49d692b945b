"""Our U-Net through ``caching.wrap`` against its built-in staging on a whole path:
``python -m benchmarks.wrap_path``.

Both method sets (``full`` and the default cached policies) run on the same rendered
frames, in one run; per method, the frames whose refresh decision and whose output
(bit for bit, before any scoring) agree. What ``reframe-rt eval --network`` runs is
``methods_for`` with the user's network, as here.
"""

from __future__ import annotations

import sys
from collections import deque
from pathlib import Path

import torch
from tqdm import tqdm

from benchmarks import runtime
from evaluation.methods import methods_for
from evaluation.reference_cache import default_cache_dir
from evaluation.runner import Runner, run_methods
from evaluation.user_network import UserNetwork
from networks.tasks import TASKS
from renderer.lights import ShadowQuality
from renderer.pathgen import resolve_path
from renderer.player import RenderSettings
from renderer.scenes import load_scene
from viewer.commands.eval import DEFAULT_POLICIES

FACTORY = "benchmarks.wrap_path:shipped_unet"
TASK = "extrapolate"


def shipped_unet() -> torch.nn.Module:
    """The ``--network`` factory: the shipped U-Net of ``TASK``, as a user would load it."""
    from networks.weights import load_network

    return load_network(TASK, "unet")[0]


def main() -> None:
    parser = runtime.parser(__doc__)
    parser.add_argument("--scene", default="temple")
    parser.add_argument("--frames", type=int, default=None, help="default: the whole path")
    parser.add_argument("--resolution", default="640x360")
    args = runtime.start(parser, quiet=True)
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    size = args.size
    task = TASKS[TASK]
    builtin = methods_for(task, DEFAULT_POLICIES, "unet")
    wrapped = methods_for(task, DEFAULT_POLICIES, "unet", network=UserNetwork(FACTORY), size=size)
    for m in wrapped:
        m.name = f"wrapped {m.name}"
    scene = load_scene(args.scene)
    path = resolve_path("default", scene)
    settings = RenderSettings(size=size, seed=0, quality=ShadowQuality())
    runner = Runner(scene, path, task, [*builtin, *wrapped], settings, default_cache_dir())
    count = len(path) if args.frames is None else min(args.frames, len(path))
    names = [m.name for m in builtin if m.name != "baseline"]
    same_output = dict.fromkeys(names, 0)
    same_refresh = dict.fromkeys(names, 0)
    refreshes = dict.fromkeys(names, 0)
    history: deque = deque(maxlen=max(task.history, 1))
    for m in runner.methods:
        m.reset()
    try:
        for i in tqdm(range(count), desc=f"{TASK} {args.scene}", unit="frame"):
            frame = runner.feed.frame(i)
            past = list(history)[-task.history :]
            outputs, _, refresh, _ = run_methods(runner.methods, frame, past)
            history.append(frame)
            for name in names:
                same_output[name] += torch.equal(outputs[name], outputs[f"wrapped {name}"])
                same_refresh[name] += refresh[name] == refresh[f"wrapped {name}"]
                refreshes[name] += bool(refresh[name])
    finally:
        runner.close()
    print(f"\n{TASK} on {args.scene}'s default path, {count} frames at {args.resolution}, "
          f"--network {FACTORY} (route {wrapped[1].net.report.route}) against the built-in "
          "staging:")  # fmt: skip
    print("| method | refreshes | same decision | bit-identical output |")
    print("|---|---|---|---|")
    for name in names:
        print(f"| {name} | {refreshes[name]} | {same_refresh[name]}/{count} "
              f"| {same_output[name]}/{count} |")  # fmt: skip


if __name__ == "__main__":
    main()
