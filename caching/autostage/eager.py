"""The last resort, for a network neither fx nor export can capture: its modules swapped
while it runs eagerly.

A refresh is the plain forward, the output of ``cache_at`` kept. A reuse frame runs the
forward again with ``cache_at`` returning the kept tensor and every *deep* module (one
whose output only ever reaches the output through ``cache_at``) returning what it returned
at the refresh without running: the code between modules still runs, the modules do not.
Which modules are deep is found on the example: a module is deep when poisoning its output
with NaN leaves the output of a forward with ``cache_at`` fixed unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import torch
from torch import nn

from caching.autostage.capture import output_tensor
from caching.autostage.staged import StagedBase


@contextmanager
def swapped(modules: dict[nn.Module, Callable[..., Any]]) -> Iterator[None]:
    """Each module's forward replaced while the block runs (an instance attribute: the
    class and the model's source are untouched)."""
    before = {m: m.__dict__["forward"] for m in modules if "forward" in m.__dict__}
    try:
        for module, forward in modules.items():
            module.forward = forward  # type: ignore[method-assign]
        yield
    finally:
        for module in modules:
            if module in before:
                module.forward = before[module]  # type: ignore[method-assign]
            else:
                module.__dict__.pop("forward", None)


class EagerStaged(StagedBase):
    """``top_encoder`` passes the input on; ``deep`` runs the plain forward and keeps the
    cached tensor (and the output, which the ``top_decoder`` of the same frame returns);
    ``top_decoder`` of a reuse frame runs the forward with the modules swapped."""

    def __init__(
        self,
        model: nn.Module,
        cache_at: str,
        deep: list[str],
        alignment: int,
        constants: dict,
    ) -> None:
        super().__init__(model, alignment, 1, constants)
        named = dict(model.named_modules())
        self.cache_at = cache_at
        self._point = named[cache_at]
        self._deep = {name: named[name] for name in deep}
        self.deep_modules = set(deep) | {cache_at}
        self._kept: dict[str, Any] = {}
        self._fresh: tuple[torch.Tensor, torch.Tensor] | None = None
        self._stub_ids: set[int] = set()

    def check_cut(self, k: int) -> None:
        if k != 1:
            raise ValueError("a network wrapped by module swaps is cut at its cache point only (1)")

    def top_encoder(self, x: torch.Tensor, k: int = 1) -> list[torch.Tensor]:
        return [x]

    def deep(self, skips: list[torch.Tensor], k: int = 1) -> list[torch.Tensor]:
        x = skips[0]
        kept: dict[str, Any] = {}
        names = {m: n for n, m in self._deep.items()}
        names[self._point] = self.cache_at

        def keep(module: nn.Module, args: Any, out: Any) -> None:
            kept[names[module]] = out

        handles = [m.register_forward_hook(keep) for m in names]
        try:
            out = self._plain(x)
        finally:
            for handle in handles:
                handle.remove()
        self._kept = {n: v for n, v in kept.items() if n != self.cache_at}
        self._fresh = (x, out)
        return [kept[self.cache_at]]

    def top_decoder(self, c: list[torch.Tensor], skips: list[torch.Tensor], k: int = 1):
        x = skips[0]
        if self._fresh is not None and self._fresh[0] is x:
            out, self._fresh = self._fresh[1], None
            return out
        self._fresh = None
        stubs: dict[nn.Module, Callable[..., Any]] = {self._point: _returning(c[0])}
        for name, module in self._deep.items():
            stubs[module] = _returning(self._kept[name])
        self._stub_ids = {id(c[0]), *(id(v) for v in self._kept.values())}
        with swapped(stubs):
            return self._plain(x)

    def is_stub(self, module: nn.Module, out: Any) -> bool:
        """Whether ``out`` came from a swapped module (which did not run)."""
        return id(out) in self._stub_ids

    def _plain(self, x: torch.Tensor) -> torch.Tensor:
        return output_tensor(self.model(x, **self.constants))

    def held_bytes(self) -> int:
        """What the kept outputs of the deep modules hold beyond the cached tensor."""
        return sum(t.numel() * t.element_size() for t in _tensors(self._kept.values()))


def _returning(value: Any) -> Callable[..., Any]:
    def forward(*args: Any, **kwargs: Any) -> Any:
        return value

    return forward


def _tensors(values: Any) -> Iterator[torch.Tensor]:
    for v in torch.utils._pytree.tree_leaves(list(values)):
        if isinstance(v, torch.Tensor):
            yield v


def find_deep(
    model: nn.Module,
    example: torch.Tensor,
    cache_at: str,
    order: list[str],
    constants: dict,
    expected: torch.Tensor,
) -> list[str]:
    """The leaf modules, each run once, that finished before ``cache_at`` did and whose
    output reaches the output only through it (see the module docstring); ``order``: the
    modules in the order they finished. One forward per candidate."""
    named = dict(model.named_modules())
    point = named[cache_at]
    inside = {n for n in named if n.startswith(cache_at + ".")}
    ends = order.index(cache_at)
    before = [
        n
        for n in order[:ends]
        if n not in inside and order.count(n) == 1 and not any(True for _ in named[n].children())
    ]
    kept: dict[str, Any] = {}
    names = {named[n]: n for n in before}

    def keep(module: nn.Module, args: Any, out: Any) -> None:
        kept[names.get(module, cache_at)] = out

    handles = [m.register_forward_hook(keep) for m in {*names, point}]
    try:
        model(example, **constants)
    finally:
        for handle in handles:
            handle.remove()
    cached = kept[cache_at]
    deep = []
    for name in before:
        if not (isinstance(kept[name], torch.Tensor) and kept[name].is_floating_point()):
            continue
        poison = torch.full_like(kept[name], float("nan"))
        stubs = {point: _returning(cached), named[name]: _returning(poison)}
        with swapped(stubs):
            out = output_tensor(model(example, **constants))
        if torch.equal(out, expected):
            deep.append(name)
    return deep
