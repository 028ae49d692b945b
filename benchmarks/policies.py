"""What a refresh decision costs next to the network: ``python -m benchmarks.policies``.

At 640x360, for each task's input (its channel count), the median time of each policy's
decision (including the cache's own checks: shape, dtype, finiteness) against the median
time of the shipped full U-Net on the same input, the two called in turn (this machine's
speed drifts, and a share of medians taken minutes apart would carry the drift); 2
threads, inference mode.
"""

from __future__ import annotations

import torch

from benchmarks import runtime
from caching.cache import LayerCache
from caching.policies import FrameInfo
from caching.spec import parse_policy
from common.timing import paired_median_ms
from evaluation.presets import presets_for
from networks.tasks import TASKS
from networks.weights import load_network

SPECS = ("every-2", "delta-H", "motion-H", "lfd-0.05")


def measure_task(name: str, repeats: int = 21) -> list[tuple[str, float, float]]:
    """(policy, decision ms, full network ms) for one task's input size."""
    task = TASKS[name]
    net, _ = load_network(name, "unet")
    gen = torch.Generator().manual_seed(0)
    x = torch.rand(1, task.in_channels, 360, 640, generator=gen)
    x = x.contiguous(memory_format=torch.channels_last)
    noise = 0.01 * torch.rand(x.shape, generator=gen)
    cached = (x + noise).contiguous(memory_format=torch.channels_last)
    info = FrameInfo(index=1, motion=1.0)
    rows = []
    for spec in SPECS:
        cache = LayerCache(net, parse_policy(spec, presets_for(name)))
        cache._input = cached

        def decide(cache: LayerCache = cache) -> bool:
            forced = cache._checks(x, info, cache.policy.compares_input)[1]
            return forced or cache.policy.wants_refresh(x, cached, info)

        with torch.inference_mode():
            ms, full = paired_median_ms(decide, lambda: net(x), repeats)
        rows.append((spec, ms, full))
    return rows


def main() -> None:
    parser = runtime.parser(__doc__)
    parser.add_argument("--repeats", type=int, default=21, help="calls of each, in turn")
    args = runtime.start(parser, threads=2)
    print(f"refresh decision vs full network, 640x360, median of {args.repeats}")
    print("| task | policy | decision ms | full network ms | share |")
    print("|---|---|---|---|---|")
    for name in TASKS:
        for spec, ms, full in measure_task(name, args.repeats):
            print(f"| {name} | {spec} | {ms:.2f} | {full:.0f} | {100 * ms / full:.2f}% |")


if __name__ == "__main__":
    main()
