"""What motion-compensated reuse costs per frame: ``python -m benchmarks.warp``.

At 640x360, each shipped U-Net through the layer cache, 2 threads, inference mode: a refresh
frame (the full network), a plain reuse frame, and a ``+warp`` reuse frame whose camera moves
(2.5 px per frame), two ways: warping the deep features before their up-sampling (what the
cache does with our U-Nets) and after it (what it does with a network that does not expose
``deep_core``/``lift``). Medians of repeated frames in one process.
"""

from __future__ import annotations

import os

os.environ.setdefault("GOMP_SPINCOUNT", "10000")  # as the reframe-rt command sets it

import argparse
import itertools

import torch
from torch import nn

from benchmarks.timing import median_ms
from caching.cache import LayerCache
from caching.policies import FrameInfo, parse_policy
from caching.protocol import StagesOnly
from networks.tasks import TASKS
from networks.weights import load_network
from viewer.runtime import tune_allocator

NEVER = "every-1000000"
"""A policy that refreshes on the first frame only: every timed frame is a reuse frame."""


def frame_ms(net: nn.Module, spec: str, x: torch.Tensor, repeats: int) -> float:
    cache = LayerCache(net, parse_policy(spec))
    flow = torch.zeros(1, 2, *x.shape[-2:])
    flow[:, 0] = 2.5
    frames = itertools.count()

    def step() -> torch.Tensor:
        return cache(x, FrameInfo(index=next(frames), flow=flow))

    step()  # the refresh
    return median_ms(step, repeats, warmup=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=11)
    args = parser.parse_args()
    tune_allocator()  # as the reframe-rt command does
    torch.set_num_threads(2)
    print(f"frame cost through the cache, 640x360, median of {args.repeats}")
    print("| task | full | reuse | reuse +warp (core) | reuse +warp (lifted) | warp's cost |")
    print("|---|---|---|---|---|---|")
    for name in TASKS:
        net, _ = load_network(name, "unet")
        x = torch.rand(1, TASKS[name].in_channels, 360, 640, generator=torch.Generator())
        x = x.contiguous(memory_format=torch.channels_last)
        with torch.inference_mode():
            full = median_ms(lambda net=net, x=x: net(x), args.repeats)
            plain = frame_ms(net, NEVER, x, args.repeats)
            core = frame_ms(net, NEVER + "+warp", x, args.repeats)
            lifted = frame_ms(StagesOnly(net), NEVER + "+warp", x, args.repeats)
        print(
            f"| {name} | {full:.0f} | {plain:.0f} | {core:.0f} | {lifted:.0f} | "
            f"+{100 * (core / plain - 1):.0f}% (lifted: +{100 * (lifted / plain - 1):.0f}%) |"
        )


if __name__ == "__main__":
    main()
