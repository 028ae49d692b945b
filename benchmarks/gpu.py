"""The GPU path, measured: ``python -m benchmarks.gpu`` (``benchmarks/gpu_check.sh`` runs it).

At each size: the G-buffers' transfer per frame through CUDA-GL interop and through the CPU
(readback, then a copy to the GPU); per task, the full network and a reuse frame at fp32 and
fp16 (CUDA events, medians), the reuse frame's share of the full time beside its share of
the FLOPs, and the ``delta`` decision's time as a share of the full network. Then ``eval``
on temple's path with ``delta-H`` and ``delta-L`` on the device, their speedups and FLIP
against the full network. Issue #23's goals are printed beside each number.

``--device cpu`` runs the same code on the CPU (small sizes), to check it before a GPU
is lent.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import torch

from benchmarks import runtime
from caching.policies import Delta, FrameInfo
from common.device import DTYPES, resolve_device
from common.padding import pad_to
from common.timing import median_ms
from networks.tasks import TASKS
from networks.weights import load_network
from renderer.context import create_context
from renderer.gpu_scene import GpuScene
from renderer.lights import ShadowQuality
from renderer.renderer import Renderer, View
from renderer.scenes import load_scene
from viewer.options import parse_resolution

GOALS = {"interop_ms": 1.0, "interop_speedup": 10.0, "share_ratio": 1.2, "decision": 0.02}


def timed(fn, device: torch.device, repeats: int) -> float:
    """Median ms of ``fn`` on ``device`` (the kernels' time on CUDA), after 3 warm-ups."""
    return median_ms(fn, repeats, warmup=3, device=device)


def transfer_rows(sizes, device: torch.device, repeats: int) -> list[str]:
    gl = create_context("egl")
    scene = load_scene("temple")
    gpu = GpuScene(gl.ctx, scene, ShadowQuality())
    rows = []
    try:
        for size in sizes:
            renderer = Renderer(gpu, size)
            renderer.draw(View(scene.camera, 0.0), None, index=0, spp=1, seed=0, reference=True)
            reader = renderer._reader
            readback = timed(lambda r=reader: r.read(device, interop=False), device, repeats)
            shared = timed(lambda r=reader: r.read(device), device, repeats)
            why = reader.why_readback or f"the device is {device.type}"
            route = reader.route if reader.route == "interop" else f"readback ({why})"
            ratio = readback / shared
            met = shared <= GOALS["interop_ms"] and ratio >= GOALS["interop_speedup"]
            rows.append(
                f"| {size[0]}x{size[1]} | {readback:.2f} | {shared:.2f} | {ratio:.1f}x | {route} "
                f"| {'met' if met and reader.route == 'interop' else 'missed'} |"
            )
            renderer.release()
    finally:
        gpu.release()
        gl.close()
    return rows


def network_rows(sizes, device: torch.device, precisions, repeats: int) -> list[str]:
    rows = []
    for task in TASKS.values():
        for precision in precisions:
            dtype = DTYPES[precision]
            net = load_network(task.name, "unet")[0].to(device=device, dtype=dtype)
            for width, height in sizes:
                rows.append(one_network(net, task, (width, height), device, dtype, repeats))
    return rows


@torch.inference_mode()
def one_network(net, task, size, device, dtype, repeats: int) -> str:
    width, height = size
    gen = torch.Generator().manual_seed(0)
    x = torch.rand(1, task.in_channels, height, width, generator=gen).to(device)
    x = x.contiguous(memory_format=torch.channels_last)
    xn = pad_to(x, net.alignment).to(dtype)
    skips = net.top_encoder(xn, 1)
    features = net.deep(skips, 1)
    full = timed(lambda: net(xn), device, repeats)
    reuse = timed(lambda: net.top_decoder(features, net.top_encoder(xn, 1), 1), device, repeats)
    flops = net.stage_flops(height, width, 1)
    flop_share = 1.0 - flops["deep"] / sum(flops.values())
    policy = Delta("delta", tau=0.1)
    cached = (x + 0.01).contiguous(memory_format=torch.channels_last)
    decision = timed(lambda: policy.wants_refresh(x, cached, FrameInfo()), device, repeats)
    share = reuse / full
    precision = next(k for k, v in DTYPES.items() if v == dtype)
    return (
        f"| {task.name} | {precision} | {width}x{height} | {full:.2f} | {reuse:.2f} "
        f"| {share:.2f} | {flop_share:.2f} | {share / flop_share:.2f} "
        f"({'met' if share / flop_share <= GOALS['share_ratio'] else 'missed'}) "
        f"| {decision:.3f} | {decision / full:.1%} "
        f"({'met' if decision / full <= GOALS['decision'] else 'missed'}) |"
    )


def speedup_rows(device: torch.device, frames: int, resolution: str) -> list[str]:
    from viewer.cli import main as reframe_rt  # the whole command line: only when it runs

    rows = []
    with tempfile.TemporaryDirectory() as work:
        out = Path(work) / "eval"
        command = ["eval", "--scene", "temple", "--path", "default", "--frames", str(frames)]
        command += ["--resolution", resolution, "--device", str(device), "--quiet"]
        command += ["--out", str(out), "--cache", str(Path(work) / "cache")]
        for policy in ("full", "delta-H", "delta-L"):
            command += ["--policy", policy]
        status = reframe_rt(command)
        if status:
            raise SystemExit(status)
        summary = json.loads((out / "summary.json").read_text())
    for run in summary["runs"]:
        rows.append(
            f"| {run['task']} | {run['policy']} | {run['frames']} | {run['speedup']:.2f}x "
            f"| {run['flip_vs_full']:.4f} | {run['full_ms_median']:.2f} "
            f"| {run['cached_ms_median']:.2f} |"
        )
    return rows


def main() -> None:
    parser = runtime.parser(__doc__)
    parser.add_argument("--device", default="cuda")
    parser.add_argument("--sizes", nargs="*", default=["1920x1080", "640x360"])
    parser.add_argument("--precisions", nargs="*", default=["fp32", "fp16"])
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--frames", type=int, default=60, help="frames of temple's path")
    parser.add_argument("--resolution", default="640x360", help="eval's size")
    args = runtime.start(parser)
    device = resolve_device(args.device)
    sizes = [parse_resolution(s) for s in args.sizes]
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else "CPU"
    print(f"# {name}, torch {torch.__version__}\n")
    print("| size | readback ms | interop ms | interop speedup | route | goal ≤1 ms, ≥10x |")
    print("|---|---|---|---|---|---|")
    print("\n".join(transfer_rows(sizes, device, args.repeats)), flush=True)
    print(
        "\n| task | precision | size | full ms | reuse ms | reuse time share "
        "| reuse FLOP share | time / FLOP share (goal ≤1.2) | decision ms "
        "| decision / full (goal ≤2%) |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    print("\n".join(network_rows(sizes, device, args.precisions, args.repeats)), flush=True)
    print(f"\n`eval` on temple's default path, {args.frames} frames at {args.resolution}:\n")
    print("| task | policy | frames | speedup | FLIP vs full | full ms | cached ms |")
    print("|---|---|---|---|---|---|---|")
    print("\n".join(speedup_rows(device, args.frames, args.resolution)))


if __name__ == "__main__":
    main()
