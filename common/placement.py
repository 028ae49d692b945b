"""What a module computes in and where (the dtype and device its parameters say), and its
input cast to that dtype. Torch alone (``common.device``, the options, names user
errors): the cache imports this."""

from __future__ import annotations

import torch


def module_dtype(module: object) -> torch.dtype | None:
    """The dtype ``module`` computes in: its first floating-point parameter's (None for an
    object without any, which then takes its input as it comes)."""
    for p in getattr(module, "parameters", tuple)():
        if p.is_floating_point():
            return p.dtype
    return None


def as_input(x: torch.Tensor, module: object) -> torch.Tensor:
    """``x`` cast to the dtype ``module`` computes in (``x`` itself where it is already
    that, or ``module`` has no parameters to say)."""
    dtype = module_dtype(module)
    return x if dtype is None or dtype == x.dtype else x.to(dtype)


def module_device(module: object) -> torch.device:
    """Where ``module``'s parameters are (the CPU if it has none)."""
    for p in getattr(module, "parameters", tuple)():
        return p.device
    return torch.device("cpu")
