"""Where the networks and everything around them run, and at which precision.

``auto`` is CUDA when torch sees a GPU, else the CPU. Inference precision is a dtype the
networks' weights and inputs are cast to; everything else (input assembly, metrics, the
cache's decision) stays float32, so ``fp32`` changes nothing at all.
"""

from __future__ import annotations

import re
from typing import Literal

import torch

from common.errors import UserError

Precision = Literal["fp32", "fp16", "bf16"]
DTYPES: dict[str, torch.dtype] = {
    "fp32": torch.float32,
    "fp16": torch.float16,
    "bf16": torch.bfloat16,
}
"""Inference precision -> the dtype the networks run in."""


def resolve_device(spec: str | torch.device = "auto") -> torch.device:
    """``auto``, ``cpu``, ``cuda`` or ``cuda:N`` -> a torch device that exists here.

    Raises:
        UserError: a malformed spec, CUDA asked for where torch sees none, or a GPU index
            beyond those present.
    """
    if isinstance(spec, torch.device):
        spec = str(spec)
    text = spec.strip().lower()
    if text == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if text == "cpu":
        return torch.device("cpu")
    match = re.fullmatch(r"cuda(?::(\d+))?", text)
    if not match:
        raise UserError(f"--device {spec!r}: expected auto, cpu, cuda or cuda:N")
    if not torch.cuda.is_available():
        raise UserError(
            f"--device {spec}: torch sees no CUDA GPU here (torch {torch.__version__}, "
            f"built for CUDA {torch.version.cuda or 'none'}); use --device cpu or auto"
        )
    index = int(match.group(1) or 0)
    count = torch.cuda.device_count()
    if index >= count:
        raise UserError(f"--device {spec}: torch sees {count} GPU(s), cuda:0..cuda:{count - 1}")
    # The current device too: streams, events, graphs and the interop's CUDA runtime use it.
    torch.cuda.set_device(index)
    return torch.device("cuda", index)


def precision_dtype(precision: str, device: torch.device | None = None) -> torch.dtype:
    """The dtype of an inference ``precision`` (fp32, fp16, bf16).

    Raises:
        UserError: an unknown precision, or bf16 on a GPU without it.
    """
    if precision not in DTYPES:
        raise UserError(f"--precision {precision!r}: expected one of {', '.join(DTYPES)}")
    dtype = DTYPES[precision]
    if (
        dtype == torch.bfloat16
        and device is not None
        and device.type == "cuda"
        and not torch.cuda.is_bf16_supported()
    ):
        raise UserError(f"--precision bf16: {torch.cuda.get_device_name(device)} has no bf16")
    return dtype
