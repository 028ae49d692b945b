"""What ``wrap`` found and did: ``cache.report``."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import torch
from torch import fx
from torch.utils.flop_counter import FlopCounterMode

from caching.autostage.graph import (
    Split,
    compute_nodes,
    descendants,
    input_node,
    modules_of,
)


@dataclass
class CachedTensor:
    name: str
    """The graph node (or the module, on the eager route)."""
    module: str
    """The innermost module that computes it."""
    shape: tuple[int, ...]
    dtype: str
    bytes: int


@dataclass
class WrapReport:
    """The capture route, the cut, the cached tensors, each stage's FLOPs on the example,
    the self-check and the hazards found."""

    model: str
    alignment: int
    cut: str
    cached: list[CachedTensor]
    flops: dict[str, int]
    """FLOPs per stage at ``size``, counted while the stages ran."""
    size: tuple[int, int]
    """(height, width) the FLOPs were counted at (the aligned example)."""
    route: str = ""
    """``fx``, ``export`` or ``eager`` (module swap)."""
    notes: list[str] = field(default_factory=list)
    """Why the routes before it were not taken."""
    alignment_given: bool = False
    checks: list[str] = field(default_factory=list)
    hazards: list[str] = field(default_factory=list)
    seconds: float = 0.0
    """Wall time of the wrap (capture, analysis, self-check)."""

    @property
    def reuse_share(self) -> float:
        """The reuse path's share of the full network's FLOPs."""
        total = sum(self.flops.values())
        return (total - self.flops.get("deep", 0)) / total if total else 1.0

    @property
    def cached_bytes(self) -> int:
        return sum(c.bytes for c in self.cached)

    def __str__(self) -> str:
        total = sum(self.flops.values()) or 1
        given = "given" if self.alignment_given else "inferred"
        lines = [
            f"{self.model}: captured by {self.route}; cut: {self.cut}; alignment {self.alignment} "
            f"({given}); wrapped in {self.seconds:.1f} s",
            *(f"  not {note}" for note in self.notes),
            f"cached tensors ({self.cached_bytes / 2**20:.2f} MiB at "
            f"{self.size[1]}x{self.size[0]}):",
            *(
                f"  {c.name} [{c.module}] {tuple(c.shape)} {c.dtype} {c.bytes / 2**20:.2f} MiB"
                for c in self.cached
            ),
            f"FLOPs at {self.size[1]}x{self.size[0]}: "
            + ", ".join(f"{k} {v / 1e9:.3f} G ({v / total:.1%})" for k, v in self.flops.items()),
            f"reuse path: {self.reuse_share:.1%} of the full network's FLOPs "
            f"(speedup ceiling {1 / max(self.reuse_share, 1e-9):.2f}x)",
            "self-check:",
            *(f"  {line}" for line in self.checks),
            "hazards:" if self.hazards else "hazards: none found",
            *(f"  - {h}" for h in self.hazards),
        ]
        return "\n".join(lines)


def _per_element(flops: int):
    def count(*args: Any, out_shape: Any = None, **kwargs: Any) -> int:
        shape = out_shape[0] if out_shape and isinstance(out_shape[0], (tuple, list)) else out_shape
        return flops * math.prod(shape or ())

    return count


def _pooling(x_shape: Any, kernel: Any, *args: Any, out_shape: Any = None, **kwargs: Any) -> int:
    shape = out_shape[0] if out_shape and isinstance(out_shape[0], (tuple, list)) else out_shape
    k = kernel if isinstance(kernel, (tuple, list)) else [kernel]
    return math.prod(shape) * math.prod(k) * (1 if len(k) > 1 else k[0])


_aten = torch.ops.aten
ELEMENTWISE = {
    **dict.fromkeys(
        (
            _aten.relu,
            _aten.relu_,
            _aten.leaky_relu,
            _aten.leaky_relu_,
            _aten.add,
            _aten.add_,
            _aten.sub,
            _aten.mul,
            _aten.mul_,
            _aten.div,
            _aten.div_,
            _aten.hardtanh,
            _aten.hardtanh_,
            _aten.upsample_nearest2d,
        ),
        1,
    ),
    **dict.fromkeys((_aten._prelu_kernel, _aten.prelu), 2),
    **dict.fromkeys((_aten.silu, _aten.silu_, _aten.sigmoid, _aten.tanh), 4),
    _aten.gelu: 8,
    **dict.fromkeys(
        (
            _aten.native_group_norm,
            _aten.native_batch_norm,
            _aten.native_layer_norm,
            _aten._native_batch_norm_legit_no_training,
            _aten._native_batch_norm_legit,
            _aten.group_norm,
            _aten.batch_norm,
            _aten.layer_norm,
            _aten.instance_norm,
            _aten._softmax,
            _aten.softmax,
        ),
        5,
    ),
    _aten.upsample_bilinear2d: 8,
}
"""FLOPs per output element of the operations torch's counter leaves at zero (it counts
matrix products and convolutions): activations, arithmetic, normalisation, softmax and
up-sampling, by the arithmetic each does; concatenation and padding move memory only."""

FLOP_MAPPING = {
    **{op: _per_element(k) for op, k in ELEMENTWISE.items()},
    **dict.fromkeys((_aten.max_pool2d, _aten.max_pool2d_with_indices, _aten.avg_pool2d), _pooling),
}


def count_flops(fn: Any, *args: Any) -> int:
    """FLOPs of ``fn(*args)``: torch's counter, with :data:`ELEMENTWISE` added."""
    with torch.no_grad(), FlopCounterMode(display=False, custom_mapping=FLOP_MAPPING) as counter:
        fn(*args)
    return int(counter.get_total_flops())


def cached_tensors(parts: Split, values: list[torch.Tensor]) -> list[CachedTensor]:
    return [
        CachedTensor(
            node.name,
            (modules_of(node) or ["(top level)"])[-1],
            tuple(t.shape),
            str(t.dtype).removeprefix("torch."),
            t.numel() * t.element_size(),
        )
        for node, t in zip(parts.cached, values, strict=True)
    ]


def graph_hazards(
    graph: fx.GraphModule, parts: Split, sizes: dict[fx.Node, int], constants: dict
) -> list[str]:
    """Cached tensors taken after an up-sampling; work that does not depend on the input
    (conditioning baked in). (An in-place write of the top decoder into a cached tensor
    fails the self-check: the cache's guard raises on it.)"""
    found = []
    for node in parts.cached:
        inputs = [sizes[a] for a in node.all_input_nodes if a in sizes]
        if inputs and node in sizes and sizes[node] > max(inputs):
            ratio = sizes[node] / max(inputs)
            where = (modules_of(node) or [node.name])[-1]
            source = max((a for a in node.all_input_nodes if a in sizes), key=sizes.get)
            before = (modules_of(source) or [source.name])[-1]
            found.append(
                f"{node.name} [{where}] is taken after an up-sampling (ReFrame's cut): "
                f"{ratio:.0f}x the memory of its input; cache_at={before} holds {ratio:.0f}x "
                "less and runs the up-sampling on reuse frames"
            )
    if constants:
        baked = ", ".join(f"{k}={v!r}" for k, v in constants.items())
        found.append(f"conditioning inputs baked in at wrap time: {baked}")
    x = input_node(graph.graph)
    live = descendants([x])
    fixed = [n for n in compute_nodes(graph.graph) if n not in live and n.op != "get_attr"]
    used = [n for n in fixed if n in set(parts.encoder) | set(parts.decoder) | set(parts.deep)]
    if used:
        owners = sorted({(modules_of(n) or ["(top level)"])[0] for n in used})
        found.append(
            f"{len(used)} operations do not depend on the input ({', '.join(owners[:4])}): "
            "their values are fixed by the wrap's arguments, yet run every frame"
        )
    return found


class ShapeRecorder(fx.Interpreter):
    """One run of a graph, keeping each tensor node's element count and shape."""

    def __init__(self, gm: fx.GraphModule) -> None:
        super().__init__(gm)
        self.sizes: dict[fx.Node, int] = {}
        self.shapes: dict[fx.Node, tuple[int, ...]] = {}

    def run_node(self, n: fx.Node) -> Any:
        value = super().run_node(n)
        if isinstance(value, torch.Tensor):
            self.sizes[n] = value.numel() * value.element_size()
            self.shapes[n] = tuple(value.shape)
        return value
