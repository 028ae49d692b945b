"""What the refresh policies measure: how far the input moved away from the one that built
the cache (SMAPE, the low-frequency difference) and how far the image moved (mean motion).

The plain functions define the quantities; :class:`Against` computes them the way the
policies need every frame, with the cached side kept from one refresh to the next and no
allocation per frame (BENCHMARKS.md, "Refresh decisions" and "Decision cost").
"""

from __future__ import annotations

import torch
import torch.nn.functional as F


class HostReads:
    """Counts the device-to-host transfers the refresh decisions make: on a GPU each one
    waits for the queued work, so a decision should cost one (the decision itself)."""

    def __init__(self) -> None:
        self.count = 0


HOST_READS = HostReads()


def read_host(*values: torch.Tensor) -> list[float]:
    """The 0-d tensors ``values`` as floats, in one transfer (counted in ``HOST_READS``)."""
    HOST_READS.count += 1
    if len(values) == 1:
        return [float(values[0])]
    return torch.stack([v.to(torch.float32) for v in values]).tolist()


def smape(x: torch.Tensor, c: torch.Tensor) -> float:
    """ReFrame's Delta: ``2 * mean|x - c| / mean(|x| + |c|)`` over the whole tensor."""
    num = (x - c).abs().mean()
    den = (x.abs() + c.abs()).mean()
    return read_host(2.0 * num / den.clamp(min=1e-12))[0]


def smape_of(diff: torch.Tensor, x_sum: torch.Tensor, c_sum: torch.Tensor) -> float:
    """SMAPE from its sums: ``sum|x - c|``, ``sum|x|`` and ``sum|c|``."""
    return read_host(2.0 * diff / (x_sum + c_sum).clamp(min=1e-12))[0]


def low_frequency_difference(x: torch.Tensor, c: torch.Tensor, factor: int = 8) -> float:
    """Relative L1 (SMAPE) of strongly downsampled (box-filtered) ``x`` and ``c``:
    PreciseCache's low-frequency difference, blind to per-pixel noise."""
    return smape(box(x, factor), box(c, factor))


def mean_motion(flow: torch.Tensor) -> float:
    """The mean length in pixels of the (..., 2, H, W) motion vectors ``flow``."""
    return read_host(motion_length(flow))[0]


def motion_length(flow: torch.Tensor) -> torch.Tensor:
    """:func:`mean_motion` as a 0-d tensor where ``flow`` is (read with the decision)."""
    return flow.norm(dim=-3).mean()


def box(t: torch.Tensor, factor: int) -> torch.Tensor:
    """(..., C, H, W) -> (N, C, ceil(H / factor), ceil(W / factor)) box-filtered."""
    t = t.reshape(-1, *t.shape[-3:])
    n, c, h, w = t.shape
    if h % factor or w % factor or not t.is_contiguous(memory_format=torch.channels_last):
        return F.avg_pool2d(t, factor, ceil_mode=True)
    # Read as (N, H, W, C), a channels-last image is rows of W * C values: adding up each
    # block's `factor` rows is a vectorised pass over memory in order, and what is left is
    # `factor` times smaller. avg_pool2d walks every window on its own (timings in
    # BENCHMARKS.md, "Decision cost").
    rows = t.permute(0, 2, 3, 1).reshape(n, h // factor, factor, w * c).sum(2)
    pooled = rows.view(n, h // factor, w // factor, factor, c).sum(3)
    return (pooled / (factor * factor)).permute(0, 3, 1, 2)


class Against:
    """The cached side of a comparison, kept from one refresh to the next, and one reusable
    workspace: the cached input only changes on refreshes, and a fresh full-size temporary
    per frame costs more than the arithmetic (page faults on every allocation)."""

    def __init__(self) -> None:
        self.forget()

    def forget(self) -> None:
        self.key: tuple | None = None
        self.value: torch.Tensor | None = None
        self.work: torch.Tensor | None = None
        self.chunk: torch.Tensor | None = None

    def kept(self, c: torch.Tensor, compute, moving: bool = False) -> torch.Tensor:
        """``compute(c)``, from the last call's result while ``c`` is the same tensor
        (``moving``: it never is; a warped input can reuse a freed one's memory)."""
        if moving:
            self.key = self.value = None  # the workspace stays: it fits the next frame too
            return compute(c)
        key = (c.data_ptr(), c.shape, c.dtype, c.device)
        if key != self.key:
            self.key, self.value = key, compute(c)
        return self.value

    def l1(self, x: torch.Tensor, c: torch.Tensor | None = None) -> torch.Tensor:
        """``sum|x - c|`` (``sum|x|`` without ``c``), a 0-d tensor.

        On the CPU, over the tensors' memory in chunks that stay in cache: the subtraction,
        the absolute value and the sum then read the inputs from memory once, where whole
        tensors took six passes (a quarter less time; BENCHMARKS.md, "Refresh decisions").
        """
        fx, fc = _flat(x), (None if c is None else _flat(c))
        # Chunks pair up element by element only between two tensors laid out alike.
        unlike = c is not None and (fc is None or c.stride() != x.stride())
        # Half-precision sums overflow at 65504: those add up in float32.
        acc = {"dtype": torch.float32} if x.dtype in (torch.float16, torch.bfloat16) else {}
        if x.device.type != "cpu" or fx is None or unlike:
            w = self.workspace(x)
            diff = torch.abs(x, out=w) if c is None else torch.sub(x, c, out=w).abs_()
            return diff.sum(**acc)
        if self.chunk is None or self.chunk.dtype != x.dtype:
            self.chunk = torch.empty(CHUNK, dtype=x.dtype)
        total = torch.zeros((), dtype=acc.get("dtype", x.dtype))
        for i in range(0, fx.numel(), CHUNK):
            a = fx[i : i + CHUNK]
            w = self.chunk[: a.numel()]
            if fc is None:
                torch.abs(a, out=w)
            else:
                torch.sub(a, fc[i : i + CHUNK], out=w).abs_()
            total += w.sum(**acc)
        return total

    def workspace(self, x: torch.Tensor) -> torch.Tensor:
        w = self.work
        # Same layout as x too: an out= of another memory format is written out of order.
        if w is None or (w.shape, w.stride(), w.dtype, w.device) != (
            x.shape,
            x.stride(),
            x.dtype,
            x.device,
        ):
            w = self.work = torch.empty_like(x)
        return w


CHUNK = 1 << 20
"""Elements per chunk of :meth:`Against.l1`: 4 MB of float32, a size that measured fastest
(256 K to 1 M elements alike; 64 K pays the calls)."""


def _flat(t: torch.Tensor) -> torch.Tensor | None:
    """``t``'s elements in memory order as a 1-d view (None unless it is dense)."""
    if t.is_contiguous():
        return t.view(-1)
    if t.dim() == 4 and t.is_contiguous(memory_format=torch.channels_last):
        return t.permute(0, 2, 3, 1).reshape(-1)
    return None
