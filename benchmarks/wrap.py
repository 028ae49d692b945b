"""``caching.wrap`` on seven U-Nets: ``python -m benchmarks.wrap``.

Per model, in one run: the capture route, the wrap's time (capture, split, self-check),
the full network's and a reuse frame's median time (timed in turn), reuse/full, the reuse
path's share of the FLOPs (counted from the graph by torch's FLOP counter, which counts
convolutions and matrix products: up-sampling, normalisation and activations are free to
it) and how far the time ratio sits from it. Then our U-Net through ``wrap`` against its
built-in staging's reuse path, timed in turn. Float32, channels-last, batch 1, the
machine's threads; the diffusers model at 128x128 (its attention is quadratic in pixels).
"""

from __future__ import annotations

import torch

from benchmarks import runtime
from caching import wrap
from caching.autostage.timing import full_and_reuse_ms
from common.padding import pad_to
from common.timing import paired_median_ms
from networks.weights import load_network


def _ours(task: str, arch: str):
    return lambda: load_network(task, arch)[0]


def _monai_basic():
    from monai.networks.nets import BasicUNet

    return BasicUNet(spatial_dims=2, in_channels=3, out_channels=3)


def _monai_unet():
    from monai.networks.nets import UNet

    return UNet(spatial_dims=2, in_channels=3, out_channels=3, channels=(16, 32, 64, 128, 256),
                strides=(2, 2, 2, 2))  # fmt: skip


def _diffusers():
    from diffusers import UNet2DModel

    return UNet2DModel(in_channels=3, out_channels=3, block_out_channels=(32, 64, 128, 128))


MODELS = {
    # name: (factory, channels, (height, width), constants)
    "ours unet (extrapolate)": (_ours("extrapolate", "unet"), 15, (360, 640), {}),
    "ours unet (supersample)": (_ours("supersample", "unet"), 14, (360, 640), {}),
    "ours unet++ (denoise)": (_ours("denoise", "unetpp"), 11, (360, 640), {}),
    "monai BasicUNet": (_monai_basic, 3, (360, 640), {}),
    "monai UNet": (_monai_unet, 3, (368, 640), {}),
    "diffusers UNet2DModel": (_diffusers, 3, (128, 128), {"timestep": 10}),
    "ours unet (denoise)": (_ours("denoise", "unet"), 11, (360, 640), {}),
}


def example(channels: int, size: tuple[int, int]) -> torch.Tensor:
    gen = torch.Generator().manual_seed(0)
    x = torch.rand(1, channels, *size, generator=gen)
    return x.contiguous(memory_format=torch.channels_last)


def builtin_against_wrapped(repeats: int) -> tuple[float, float]:
    """Reuse-frame ms of our U-Net's built-in staging and of its wrap, in turn."""
    net = load_network("extrapolate", "unet")[0]
    x = pad_to(example(15, (360, 640)), net.alignment)
    cache = wrap(net, x)
    staged = cache.net
    with torch.no_grad():
        c_ours = net.deep(net.top_encoder(x))
        c_wrap = staged.deep(staged.top_encoder(x))
        return paired_median_ms(
            lambda: net.top_decoder(c_ours, net.top_encoder(x)),
            lambda: staged.top_decoder(c_wrap, staged.top_encoder(x)),
            repeats,
        )


def main() -> None:
    parser = runtime.parser(__doc__)
    parser.add_argument("--repeats", type=int, default=7)
    args = runtime.start(parser, quiet=True)
    print("| model | input | route | wrap s | full ms | reuse ms | reuse/full | reuse FLOP share "
          "| time/FLOP ratio |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|")
    for name, (make, channels, size, constants) in MODELS.items():
        torch.manual_seed(0)
        x = example(channels, size)
        cache = wrap(make(), x, constants=constants)
        report = cache.report
        full, reuse = full_and_reuse_ms(cache.net, x, args.repeats)
        ratio = reuse / full
        print(
            f"| {name} | {channels}x{size[0]}x{size[1]} | {report.route} | {report.seconds:.1f} "
            f"| {full:.1f} | {reuse:.1f} | {ratio:.2f} | {report.reuse_share:.2f} "
            f"| {ratio / report.reuse_share:.2f} |"
        )
    builtin, wrapped = builtin_against_wrapped(args.repeats * 3)
    print(
        f"\nours unet (extrapolate) reuse frame, in turn: built-in staging {builtin:.1f} ms, "
        f"through wrap {wrapped:.1f} ms: {wrapped / builtin:.3f}x"
    )


if __name__ == "__main__":
    main()
