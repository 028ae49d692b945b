"""Finding the cut in a captured graph and splitting it into the three stages.

With the cached nodes ``C`` chosen, the graph falls into three sets, each computed in the
graph's own (topological) order:

- the *reuse* set: what the output needs when ``C`` is given (walked back from the output,
  stopping at ``C``); its part that does not depend on ``C`` is the **top encoder**, the
  rest the **top decoder**;
- the **deep** part: what ``C`` needs beyond the top encoder.

The top encoder hands the deep part and the top decoder the values they read of it (the
*skips*). Nothing of the deep part is in the reuse set, so a reuse frame cannot run it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass

import torch
from torch import fx

from caching.autostage.capture import BOUND

_BRACKETS = re.compile(r"\[['\"]?([^\]'\"]+)['\"]?\]")


def module_path(path: str) -> str:
    """``L['self'].encoders[1]`` (dynamo's spelling) -> ``encoders.1``."""
    if path.startswith("L['self']"):
        path = path[len("L['self']") :].lstrip(".")
    path = _BRACKETS.sub(r".\1", path).strip(".")
    return path.removeprefix(BOUND).lstrip(".")


def modules_of(node: fx.Node) -> list[str]:
    """The modules ``node`` runs inside, outermost first (the root left out)."""
    stack = node.meta.get("nn_module_stack") or {}
    paths = [module_path(v[0] if isinstance(v, tuple) else str(v)) for v in stack.values()]
    if node.op == "call_module" and (not paths or paths[-1] != module_path(str(node.target))):
        paths.append(module_path(str(node.target)))
    return [p for p in paths if p]


def compute_nodes(graph: fx.Graph) -> list[fx.Node]:
    """The nodes that compute something (not inputs, parameters or the output)."""
    return [n for n in graph.nodes if n.op in ("call_function", "call_method", "call_module")]


def input_node(graph: fx.Graph) -> fx.Node:
    """The tensor input (the first placeholder: constants were baked in)."""
    return next(n for n in graph.nodes if n.op == "placeholder")


def output_values(graph: fx.Graph) -> list[fx.Node]:
    out = next(n for n in graph.nodes if n.op == "output")
    return [a for a in torch.utils._pytree.tree_leaves(out.args) if isinstance(a, fx.Node)]


def of_module(graph: fx.Graph, name: str) -> list[fx.Node]:
    """The compute nodes of module ``name`` (its own and its children's)."""
    return [n for n in compute_nodes(graph) if name in modules_of(n)]


def module_outputs(graph: fx.Graph, name: str) -> list[fx.Node]:
    """The nodes of module ``name`` that something outside it reads."""
    inside = set(of_module(graph, name))
    return [n for n in inside if any(u not in inside for u in n.users)]


def descendants(starts: Iterable[fx.Node], blocked: set[fx.Node] | None = None) -> set[fx.Node]:
    """Every node reachable forward from ``starts`` (themselves included), not entering
    ``blocked``."""
    blocked = blocked or set()
    seen: set[fx.Node] = set()
    todo = [s for s in starts if s not in blocked]
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        todo.extend(u for u in node.users if u not in blocked and u not in seen)
    return seen


def ancestors(starts: Iterable[fx.Node], stop: set[fx.Node] | None = None) -> set[fx.Node]:
    """``starts`` and every node they read, not reading past ``stop`` (kept as leaves)."""
    stop = stop or set()
    seen: set[fx.Node] = set()
    todo = list(starts)
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        if node not in stop:
            todo.extend(node.all_input_nodes)
    return seen


def dominated(graph: fx.Graph, entry: set[fx.Node]) -> list[fx.Node]:
    """The cached nodes for a deep part entered at ``entry``: of the nodes that depend on
    the input only through ``entry`` (``entry`` included), those that something outside
    them reads, in graph order."""
    x = input_node(graph)
    around = descendants([x], blocked=entry)
    region = descendants(entry) - around
    order = {n: i for i, n in enumerate(graph.nodes)}
    return sorted((n for n in region if any(u not in region for u in n.users)), key=order.get)


def levels(graph: fx.Graph, shapes: dict[fx.Node, tuple[int, ...]]) -> dict[fx.Node, int]:
    """Each 4-d node's resolution level against the input's (0: full size, 1: half...)."""
    x = input_node(graph)
    h, w = shapes[x][-2:]
    out = {}
    for node, shape in shapes.items():
        # A global pool's 1x1 (an SE gate) is no level of the U-Net.
        if len(shape) == 4 and shape[-2] > 1 and shape[-1] > 1:
            out[node] = max(0, round(math.log2(max(h / shape[-2], w / shape[-1]))))
    return out


def entry_at_level(
    graph: fx.Graph, shapes: dict[fx.Node, tuple[int, ...]], level: int
) -> set[fx.Node]:
    """The nodes that first bring the input down to ``level`` or below (their input is
    above it): where a U-Net's encoder leaves level ``level - 1``."""
    lv = levels(graph, shapes)
    return {
        n
        for n in compute_nodes(graph)
        if lv.get(n, -1) >= level and any(lv.get(a, -1) in range(level) for a in n.all_input_nodes)
    }


@dataclass
class Split:
    """The three stages' node lists and what flows between them."""

    encoder: list[fx.Node]
    deep: list[fx.Node]
    decoder: list[fx.Node]
    cached: list[fx.Node]
    skips: list[fx.Node]
    """Values of the top encoder read by the deep part or the top decoder."""


def split(graph: fx.Graph, cached: list[fx.Node]) -> Split:
    """The stages around ``cached`` (see the module docstring).

    Raises:
        ValueError: the output does not depend on the cached nodes, or depends on the input
            only through them (nothing would run on reuse frames but a copy).
    """
    outputs = output_values(graph)
    cset = set(cached)
    reuse = ancestors(outputs, stop=cset)
    if not cset & reuse:
        raise ValueError("the output does not depend on the cached tensors")
    after = descendants(cached)
    x = input_node(graph)
    order = list(graph.nodes)
    free = {n for n in order if n.op in ("get_attr", "placeholder", "output")}
    encoder = [n for n in order if n in reuse and n not in after and n not in free]
    decoder = [n for n in order if n in reuse and n in after and n not in cset and n not in free]
    if x not in ancestors(decoder or outputs, stop=cset):
        raise ValueError(
            "the output depends on the input only through the cached tensors: a reuse frame "
            "would repeat the last refresh; cache a feature below the top skip connection"
        )
    enc = set(encoder)
    deep = [n for n in order if n in ancestors(cached) and n not in enc and n not in free]
    both = set(deep) & set(decoder)
    if both:
        name = min(both, key=order.index).name
        raise ValueError(
            f"a cached tensor depends on another ({name} is needed by both): name cache "
            "points that do not feed each other"
        )
    readers = set(deep) | set(decoder)
    skips = [n for n in [x, *encoder] if any(u in readers for u in n.users)]
    return Split(encoder, deep, decoder, list(cached), skips)


def build(
    root: fx.GraphModule, nodes: list[fx.Node], inputs: list[fx.Node], outputs: list[fx.Node]
) -> fx.GraphModule:
    """A graph module computing ``outputs`` (as a list) from ``inputs`` (placeholders in
    that order) by ``nodes``, copied from ``root``'s graph; parameters and buffers are
    shared with ``root``, not copied."""
    graph = fx.Graph()
    env: dict[fx.Node, fx.Node] = {}
    for i, node in enumerate(inputs):
        env[node] = graph.placeholder(f"in_{i}_{node.name}")

    def value(n: fx.Node) -> fx.Node:
        if n not in env:
            if n.op != "get_attr":
                raise AssertionError(f"{n.name} is read before it is computed")
            env[n] = graph.node_copy(n)
        return env[n]

    for node in nodes:
        if node in env:
            continue
        env[node] = graph.node_copy(node, value)
    graph.output([value(n) for n in outputs])
    graph.lint()
    return fx.GraphModule(root, graph)
