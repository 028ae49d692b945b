"""What motion-compensated reuse costs per frame: ``python -m benchmarks.warp``.

At 640x360, each shipped U-Net through the layer cache, 2 threads, inference mode: a refresh
frame (the full network), a plain reuse frame, and a ``+warp`` reuse frame whose camera moves
(2.5 px per frame), for a policy that decides without looking at the input (``every-N``) and
for ``delta``, whose ``+warp`` decision also warps the cached input. Taus so large that
every timed frame is a reuse frame. Medians of repeated frames in one process, each
policy's plain and ``+warp`` frames timed in turn (this machine's speed drifts).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

import torch
from torch import nn

from benchmarks import runtime
from caching.cache import LayerCache
from caching.policies import FrameInfo
from caching.spec import parse_policy
from common.timing import median_ms, paired_median_ms
from networks.tasks import TASKS
from networks.weights import load_network

NEVER = ("every-1000000", "delta-1000000")
"""Policies that refresh on the first frame only: every timed frame is a reuse frame."""


def reuse_step(net: nn.Module, spec: str, x: torch.Tensor) -> Callable[[], torch.Tensor]:
    """One more frame through a cache of ``spec`` whose refresh has run, the camera moving
    2.5 px per frame."""
    cache = LayerCache(net, parse_policy(spec))
    flow = torch.zeros(1, 2, *x.shape[-2:])
    flow[:, 0] = 2.5
    frames = itertools.count()

    def step() -> torch.Tensor:
        return cache(x, FrameInfo(index=next(frames), flow=flow))

    step()  # the refresh
    return step


def main() -> None:
    parser = runtime.parser(__doc__)
    parser.add_argument("--repeats", type=int, default=31)
    args = runtime.start(parser, threads=2)
    print(f"frame cost through the cache, 640x360, median of {args.repeats} (ms)")
    print("| task | full | every: reuse | +warp | delta: reuse | +warp | warp's cost |")
    print("|---|---|---|---|---|---|---|")
    for name in TASKS:
        net, _ = load_network(name, "unet")
        x = torch.rand(1, TASKS[name].in_channels, 360, 640, generator=torch.Generator())
        x = x.contiguous(memory_format=torch.channels_last)
        with torch.inference_mode():
            full = median_ms(lambda net=net, x=x: net(x), args.repeats)
            ms = [
                t
                for spec in NEVER
                for t in paired_median_ms(
                    reuse_step(net, spec, x), reuse_step(net, spec + "+warp", x), args.repeats
                )
            ]
        cost = f"{100 * (ms[1] / ms[0] - 1):+.0f}% / {100 * (ms[3] / ms[2] - 1):+.0f}%"
        print(f"| {name} | {full:.0f} | " + " | ".join(f"{m:.0f}" for m in ms) + f" | {cost} |")


if __name__ == "__main__":
    main()
