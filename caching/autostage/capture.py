"""Capturing a user's network as a graph: ``torch.fx`` where its trace reproduces eager,
else ``torch.export`` with height and width dynamic in multiples of the alignment, else
nothing (the eager route swaps modules instead, :mod:`caching.autostage.eager`).

Also what one eager run on the example tells before any capture: which modules run, how
often, what they return, and how far the network down-samples (its alignment).
"""

from __future__ import annotations

import inspect
import math
from dataclasses import dataclass, field
from typing import Any

import torch
from torch import fx, nn
from torch.utils import _pytree as pytree


def output_tensor(value: Any) -> torch.Tensor:
    """The one tensor a network returns (bare, or the only tensor of a tuple, dict or
    dataclass such as diffusers' ``UNet2DOutput``).

    Raises:
        ValueError: no tensor, or several.
    """
    leaves = [v for v in pytree.tree_leaves(value) if isinstance(v, torch.Tensor)]
    if len(leaves) != 1:
        raise ValueError(
            f"the model returns {len(leaves)} tensors; the cache takes a network with one "
            "image output"
        )
    return leaves[0]


@dataclass
class Probe:
    """One eager forward on the example, watched through module hooks."""

    output: torch.Tensor
    """The plain forward's output on the example."""
    calls: dict[str, int] = field(default_factory=dict)
    """Module name -> how often it ran."""
    tuples: set[str] = field(default_factory=set)
    """Modules that returned something other than one tensor."""
    order: list[str] = field(default_factory=list)
    """Modules in the order they finished (one entry per call)."""
    scale: float = 1.0
    """The largest down-sampling factor of any module's 4-d output."""


def probe(model: nn.Module, example: torch.Tensor, constants: dict) -> Probe:
    """Run ``model`` once on ``example``, recording what every module did.

    Raises:
        ValueError: the model cannot take the example, or returns no single tensor.
    """
    names = {m: n for n, m in model.named_modules()}
    found = Probe(output=torch.empty(0))
    h, w = example.shape[-2:]

    def hook(module: nn.Module, args: Any, out: Any) -> None:
        name = names[module]
        found.calls[name] = found.calls.get(name, 0) + 1
        found.order.append(name)
        if not isinstance(out, torch.Tensor):
            found.tuples.add(name)
            return
        # A global pool's 1x1 (an SE gate) is no level of the U-Net.
        if out.dim() == 4 and out.shape[-2] > 1 and out.shape[-1] > 1:
            found.scale = max(found.scale, h / out.shape[-2], w / out.shape[-1])

    handles = [m.register_forward_hook(hook) for m in names]
    try:
        out = model(example, **constants)
    except Exception as error:  # the user's model: any failure means it cannot take it
        raise ValueError(
            f"the model cannot take the example {tuple(example.shape)}: {first_line(error)}"
        ) from None
    finally:
        for handle in handles:
            handle.remove()
    found.output = output_tensor(out)
    return found


def infer_alignment(scale: float) -> int:
    """The power of two nearest the deepest down-sampling (an unaligned example rounds its
    deepest feature down: 360 rows at 1/16 are 22, a scale of 16.4)."""
    return 1 if scale <= 1 else 2 ** round(math.log2(scale))


@dataclass
class Captured:
    """A graph of the network's forward on one tensor input, with one tensor output."""

    graph: fx.GraphModule
    route: str
    """``fx`` or ``export``."""
    notes: list[str]
    """Why the routes before this one were not taken."""


def first_line(error: BaseException, width: int = 160) -> str:
    """``Type: the message's first line``, cut at ``width``: a user's model's error in one
    line of ours."""
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0][:width] if text else ''}"


def capture(
    model: nn.Module, example: torch.Tensor, constants: dict, alignment: int, expected: torch.Tensor
) -> tuple[Captured | None, list[str]]:
    """The first route whose graph reproduces ``expected`` (the eager output on the aligned
    ``example``) bit for bit, or None; and why the routes not taken failed."""
    notes: list[str] = []
    routes = {
        "fx": lambda: fx.symbolic_trace(Bound(model, constants) if constants else model),
        "export": lambda: _export(model, example, constants, alignment),
    }
    for route, build in routes.items():
        try:
            graph = build()
            with torch.no_grad():
                same = torch.equal(output_tensor(graph(example)), expected)
        except Exception as error:  # any capture failure sends us to the next route
            notes.append(f"{route}: {first_line(error)}")
            continue
        if same:
            return Captured(graph, route, notes), notes
        notes.append(f"{route}: the captured graph does not reproduce eager on the example")
    return None, notes


def _export(
    model: nn.Module, example: torch.Tensor, constants: dict, alignment: int
) -> fx.GraphModule:
    """``torch.export`` with height and width free in multiples of ``alignment`` (the
    example is aligned)."""
    from torch.export import Dim, export

    rows, cols = Dim("rows", min=1), Dim("cols", min=1)
    bound = Bound(model, constants) if constants else model
    name = next(iter(inspect.signature(bound.forward).parameters), "x")
    dynamic = {name: {2: alignment * rows, 3: alignment * cols}}
    return export(bound, (example,), dynamic_shapes=dynamic).module()


BOUND = "_reframe_bound"
"""The attribute a :class:`Bound` keeps the model in (left out of module names)."""


class Bound(nn.Module):
    """``model`` with its further forward arguments fixed: one tensor in."""

    def __init__(self, model: nn.Module, constants: dict) -> None:
        super().__init__()
        setattr(self, BOUND, model)
        self.constants = constants

    def forward(self, x: torch.Tensor) -> Any:
        return getattr(self, BOUND)(x, **self.constants)
