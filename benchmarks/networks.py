"""Inference cost of the shipped networks: ``python -m benchmarks.networks``.

At 640x360, float32, channels-last, 2 threads, inference mode: the full network, and the
top-blocks-only path a reuse frame runs (top encoder block + top decoder block on a cached
deep feature), timed in turn (so that the machine's drift hits both alike), the median of
each; and what the analytic FLOP counter predicts for that path's share of the time.
Then what assembling each task's input costs (outside the timed network: the denoiser's
six-frame accumulation, super-resolution's guided upsampling, extrapolation's warps and
fill), on frames of temple's default path.
"""

from __future__ import annotations

import torch

from assets import WEIGHTS_DIR
from benchmarks import runtime
from common.padding import pad_to
from common.timing import median_ms, paired_median_ms
from networks.tasks import TASKS
from networks.weights import load_network
from renderer.lights import PREVIEW_QUALITY
from renderer.pathgen import resolve_path
from renderer.player import PathPlayer, RenderSettings
from renderer.scenes import load_scene


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


def assembly_ms(width: int, height: int, repeats: int) -> dict[str, float]:
    """Median time of ``Task.assemble`` per task, on frame 60 of temple's default path with
    its history (and, for super-resolution, a previous output)."""
    scene = load_scene("temple")
    path = resolve_path("default", scene)
    settings = RenderSettings(size=(width, height), low_res=True, quality=PREVIEW_QUALITY)
    with PathPlayer(scene, settings) as player:
        frames = [player.render(path, i, reference=True) for i in range(55, 61)]
    frame, history = frames[-1], frames[:-1]
    times = {}
    for name, task in TASKS.items():
        previous = frame.reference if task.unroll else None
        recent = history[len(history) - task.history :] if task.history else []

        def run(task=task, recent=recent, previous=previous) -> torch.Tensor:
            return task.assemble(frame, recent, previous)

        times[name] = median_ms(run, repeats)
    return times


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
    parser = runtime.parser(__doc__)
    parser.add_argument("--resolution", default="640x360")
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--facts", action="store_true", help="only the training facts")
    # The allocator tuned as the reframe-rt command does it: without, whichever network came
    # first timed its top blocks 20-40% slow (BENCHMARKS.md: a cold heap hands out tensors by
    # mmap).
    args = runtime.start(parser, threads=2)
    if args.facts:
        training_facts()
        return
    width, height = args.size
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
    print("\n| task | input assembly ms (outside the network) |")
    print("|---|---|")
    for name, ms in assembly_ms(width, height, args.repeats).items():
        print(f"| {name} | {ms:.1f} |")
    training_facts()


if __name__ == "__main__":
    main()
