"""The self-check at wrap time: a refresh frame equals the plain forward bit for bit, a
reuse frame built from the same input's cached features equals it too, both at the
example's size and at one other aligned size, and no module of the deep part runs on the
reuse frame (counted)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import torch
from torch import fx, nn

from caching.autostage.capture import first_line
from caching.autostage.graph import modules_of
from caching.autostage.staged import GraphStaged, StagedBase
from caching.cache import CachedTensorMutated, LayerCache
from caching.policies import Policy


class _Counting(fx.Interpreter):
    """Runs a stage's graph node by node, counting the nodes of deep modules."""

    def __init__(self, gm: fx.GraphModule, deep: set[str], counts: dict[str, int]) -> None:
        super().__init__(gm)
        self.deep, self.counts = deep, counts

    def run_node(self, n: fx.Node) -> Any:
        for name in set(modules_of(n)) & self.deep:
            self.counts[name] = self.counts.get(name, 0) + 1
        return super().run_node(n)


@contextmanager
def deep_runs(staged: StagedBase) -> Iterator[dict[str, int]]:
    """Counts, by module name, what of the deep part runs inside the block."""
    counts: dict[str, int] = {}
    deep = staged.deep_modules
    named = dict(staged.model.named_modules())
    stub = getattr(staged, "is_stub", lambda module, out: False)

    def hook(module: nn.Module, args: Any, out: Any) -> None:
        if not stub(module, out):
            name = names[module]
            counts[name] = counts.get(name, 0) + 1

    names = {named[n]: n for n in deep if n in named}
    handles = [m.register_forward_hook(hook) for m in names]
    graph = isinstance(staged, GraphStaged)
    if graph:
        runner = staged.run
        staged.run = lambda gm, *args: _Counting(gm, deep, counts).run(*args)
    try:
        yield counts
    finally:
        for handle in handles:
            handle.remove()
        if graph:
            staged.run = runner


def self_check(staged: StagedBase, examples: list[torch.Tensor]) -> list[str]:
    """Runs the checks on each example; returns one line per size checked.

    Raises:
        ValueError: naming the check that failed and the size.
    """
    lines = []
    for x in examples:
        size = "x".join(map(str, x.shape[-2:][::-1]))
        try:
            lines.append(_check(staged, x, size))
        except CachedTensorMutated:
            raise ValueError(
                f"self-check at {size}: the top decoder writes in place into a cached tensor "
                "(h += skip, ReLU(inplace=True) on it ...): cache the tensor after that "
                "operation, or before the module that holds it"
            ) from None
        except ValueError:
            raise
        except Exception as error:  # the user's model failing at a size is theirs to see
            raise ValueError(
                f"self-check at {size}: the model fails there ({first_line(error, 200)})"
            ) from None
    return lines


def _check(staged: StagedBase, x: torch.Tensor, size: str) -> str:
    plain = staged(x)
    cache = LayerCache(staged, Policy("self-check"), staged.cut)
    refresh = cache(x)
    if not torch.equal(refresh, plain):
        raise ValueError(
            f"self-check at {size}: the refresh frame differs from the plain forward "
            f"(max |difference| {_gap(refresh, plain)})"
        )
    with deep_runs(staged) as counts:
        reuse = cache(x)
    if cache.last_refresh:
        raise ValueError(f"self-check at {size}: the cache refreshed a frame it could reuse")
    if not torch.equal(reuse, plain):
        raise ValueError(
            f"self-check at {size}: a reuse frame from the same input's cached features "
            f"differs from the plain forward (max |difference| {_gap(reuse, plain)}): the "
            "output depends on the deep part other than through the cached tensors"
        )
    if counts:
        ran = ", ".join(f"{n} ({c}x)" for n, c in sorted(counts.items()))
        raise ValueError(f"self-check at {size}: deep modules ran on a reuse frame: {ran}")
    return (
        f"{size}: refresh and reuse equal the plain forward bit for bit; "
        "deep modules run on reuse: 0"
    )


def _gap(a: torch.Tensor, b: torch.Tensor) -> str:
    if a.shape != b.shape:
        return f"shapes {tuple(a.shape)} and {tuple(b.shape)}"
    return f"{float((a.double() - b.double()).abs().max()):.3g}"
