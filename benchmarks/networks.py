"""Inference cost of the shipped networks: ``python -m benchmarks.networks``.

At 640x360, float32, channels-last, 2 threads, inference mode: the full network, and the
top-blocks-only path a reuse frame runs (top encoder block + top decoder block on a cached
deep feature), timed in turn (so that the machine's drift hits both alike), the median of
each; and what the analytic FLOP counter predicts for that path's share of the time.
"""

from __future__ import annotations

import os

os.environ.setdefault("GOMP_SPINCOUNT", "10000")  # as the reframe-rt command sets it

import argparse

import torch

from assets import WEIGHTS_DIR
from benchmarks.timing import paired_median_ms
from networks.blocks import pad_to
from networks.weights import load_network
from viewer.options import parse_resolution
from viewer.runtime import tune_allocator


def measure(file, height: int, width: int, repeats: int) -> dict:
    task, arch = file.stem.split("-")
    net, _ = load_network(task, arch, file)
    x = torch.rand(1, net.config.in_channels, height, width)
    x = x.contiguous(memory_format=torch.channels_last)
    padded = pad_to(x, net.alignment)
    with torch.inference_mode():
        cached = net.deep(net.top_encoder(padded))

        def top_only() -> torch.Tensor:
            skips = net.top_encoder(padded)
            return net.top_decoder(cached, skips)[..., :height, :width]

        full, top = paired_median_ms(lambda: net(x), top_only, repeats, warmup=2)
    flops = net.stage_flops(height, width)
    return {
        "name": file.stem, "params": sum(p.numel() for p in net.parameters()),
        "mb": file.stat().st_size / 1e6, "full": full, "top": top,
        "share": (flops["top_encoder"] + flops["top_decoder"]) / sum(flops.values()),
        "gflops": sum(flops.values()) / 1e9,
    }  # fmt: skip


def chain(facts: dict) -> list[dict]:
    """The training runs that made a file, first to last: a run started from another
    file's weights (``--init``) keeps that file's facts in ``started_from``."""
    runs = [facts]
    while runs[0].get("started_from"):
        runs.insert(0, runs[0]["started_from"]["training"])
    return runs


def training_facts() -> None:
    """What each shipped file says about its training (the header, no timing)."""
    print("\n| network | steps | minutes | runs | batch | data | validation PSNR (baseline) |")
    print("|---|---|---|---|---|---|---|")
    for file in sorted(WEIGHTS_DIR.glob("*.safetensors")):
        task, arch = file.stem.split("-")
        facts = load_network(task, arch, file)[1]["training"]
        runs = chain(facts)
        data = facts["data"]
        steps, minutes = sum(r["steps"] for r in runs), sum(r["minutes"] for r in runs)
        print(
            f"| {file.stem} | {steps} | {minutes:.0f} | {len(runs)} | {facts['batch']} | "
            f"{data['scenes']} scenes x {data['frames_per_sequence']} frames, "
            f"{data['size'][0]}x{data['size'][1]} | "
            f"{facts['validation_psnr']:.2f} dB ({facts['validation_baseline_psnr']:.2f} dB) |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resolution", default="640x360")
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--facts", action="store_true", help="only the training facts")
    args = parser.parse_args()
    # As the reframe-rt command does. Without it, whichever network came first timed its
    # top blocks 20-40% slow (BENCHMARKS.md: a cold heap hands out tensors by mmap).
    tune_allocator()
    if args.facts:
        training_facts()
        return
    torch.set_num_threads(2)
    width, height = parse_resolution(args.resolution)
    print(
        f"network inference at {width}x{height}, float32, channels-last, "
        f"{torch.get_num_threads()} threads, median of {args.repeats}"
    )
    print(
        "| network | params | file MB | full ms | top-only ms | time share | FLOP share | "
        "ratio | GFLOP full |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for file in sorted(WEIGHTS_DIR.glob("*.safetensors")):
        r = measure(file, height, width, args.repeats)
        time_share = r["top"] / r["full"]
        print(
            f"| {r['name']} | {r['params'] / 1e6:.2f}M | {r['mb']:.1f} | {r['full']:.0f} | "
            f"{r['top']:.0f} | {time_share:.2f} | {r['share']:.2f} | "
            f"{time_share / r['share']:.2f} | {r['gflops']:.1f} |"
        )
    training_facts()


if __name__ == "__main__":
    main()
