"""Any U-Net, cached: :func:`wrap` stages a user's network from its captured graph.

The capture routes (:mod:`.capture`), the cut and the split (:mod:`.graph`), the stages
(:mod:`.staged`, :mod:`.eager`), the self-check (:mod:`.check`) and the report
(:mod:`.report`) each live in their own module; this one puts them in order.
"""

from __future__ import annotations

import difflib
import time
from collections.abc import Sequence

import torch
from torch import nn

from caching.autostage.capture import capture, first_line, infer_alignment, output_tensor, probe
from caching.autostage.check import self_check
from caching.autostage.eager import EagerStaged, find_deep
from caching.autostage.graph import (
    dominated,
    entry_at_level,
    levels,
    module_outputs,
    of_module,
    output_values,
    split,
)
from caching.autostage.report import (
    CachedTensor,
    ShapeRecorder,
    WrapReport,
    cached_tensors,
    count_flops,
    graph_hazards,
)
from caching.autostage.staged import GraphStaged, StagedBase
from caching.cache import LayerCache
from caching.policies import Policy
from caching.spec import parse_policy
from common.padding import pad_to

__all__ = ["StagedBase", "WrapReport", "stage", "wrap"]

GENERIC_PRESETS = {"delta-H": 0.05, "delta-L": 0.1, "motion-H": 2.0, "motion-L": 4.0}
"""Named taus for a network of no known task: the denoiser's, the most sensitive of ours."""


def wrap(
    model: nn.Module,
    example: torch.Tensor,
    *,
    cache_at: str | Sequence[str] | None = None,
    deep_from: str | None = None,
    policy: str | Policy = "delta-H",
    cut: int = 1,
    alignment: int | None = None,
    constants: dict | None = None,
    presets: dict[str, float] | None = None,
) -> LayerCache:
    """A :class:`~caching.cache.LayerCache` around ``model``, staged from its graph and
    checked bit for bit (see :func:`stage`; ``cache.report`` says what was found).

    Args:
        policy: a policy spec (``caching.policies``) or a policy.
        presets: the taus of named specs (``delta-H`` ...); default :data:`GENERIC_PRESETS`.

    Raises:
        TypeError, ValueError: see :func:`stage`; a bad policy spec.
    """
    staged = stage(
        model,
        example,
        cache_at=cache_at,
        deep_from=deep_from,
        cut=cut,
        alignment=alignment,
        constants=constants,
    )
    if isinstance(policy, str):
        policy = parse_policy(policy, GENERIC_PRESETS if presets is None else presets)
    return LayerCache(staged, policy, staged.cut)


def stage(
    model: nn.Module,
    example: torch.Tensor,
    *,
    cache_at: str | Sequence[str] | None = None,
    deep_from: str | None = None,
    cut: int = 1,
    alignment: int | None = None,
    constants: dict | None = None,
) -> StagedBase:
    """``model`` as the three stages of :class:`caching.protocol.Staged`.

    Args:
        model: any ``nn.Module`` taking one (B, C, H, W) tensor (put in eval mode here;
            its dtype, device and the batch size are those of ``example`` from now on).
        example: (B, C, H, W) input it takes.
        cache_at: the module(s) whose output is the cached deep feature.
        deep_from: the first module of the deep part; the cached tensors are then what
            depends on the input only through it and feeds the rest.
        cut: with neither given, the deep part starts where the input is first brought
            down ``cut`` times by two (1: ReFrame's cut).
        alignment: what inputs are padded to a multiple of (default: inferred from the
            deepest down-sampling on the example).
        constants: further forward arguments, fixed here (a diffusion U-Net's timestep).

    Raises:
        TypeError: ``example`` is not a tensor.
        ValueError: naming what failed: a bad example, a name that is no module, a cache
            point called twice or returning a tuple, no cut found, or the self-check.
    """
    start = time.perf_counter()
    _check_example(example)
    names = [cache_at] if isinstance(cache_at, str) else list(cache_at or [])
    if names and deep_from is not None:
        raise ValueError("give cache_at or deep_from, not both")
    if (names or deep_from is not None) and cut != 1:
        raise ValueError("cut chooses a level only when neither cache_at nor deep_from is given")
    if cut < 1:
        raise ValueError(f"cut must be at least 1, got {cut}")
    if alignment is not None and (not isinstance(alignment, int) or alignment < 1):
        raise ValueError(f"alignment must be a positive integer, got {alignment!r}")
    constants = dict(constants or {})
    model.eval()
    with torch.no_grad():
        found = probe(model, example, constants)
    modules = dict(model.named_modules())
    for name in names:
        _check_point(name, modules, found, "cache_at")
    if deep_from is not None:
        _check_point(deep_from, modules, found, "deep_from")
    align = alignment or infer_alignment(found.scale)
    padded = pad_to(example, align)
    if min(padded.shape[-2:]) < 2 * align:
        raise ValueError(
            f"the example {tuple(example.shape)} is too small: each side at least "
            f"{2 * align} (twice the alignment {align})"
        )
    with torch.no_grad():
        expected = _plain(model, padded, constants)
        captured, notes = capture(model, padded, constants, align, expected)
        if captured is not None:
            staged, report = _from_graph(
                model, captured.graph, padded, names, deep_from, cut, align, constants
            )
            report.route, report.notes = captured.route, notes
        else:
            if len(names) != 1:
                raise ValueError(
                    f"{type(model).__name__} cannot be captured as a graph ("
                    + "; ".join(notes)
                    + "): the eager route needs one cache_at=NAME"
                )
            staged, report = _eager(
                model, padded, names[0], found.order, align, constants, expected
            )
            report.notes = notes
        report.alignment_given = alignment is not None
        staged.flops, staged.flops_at = report.flops, report.size
        other = _other_size(padded, align)
        try:
            report.checks = self_check(staged, [example, other])
        except ValueError as error:
            hint = ""
            if padded.shape != example.shape:
                hint = f" (the example is not a multiple of the alignment {align}: try one that is)"
            raise ValueError(f"{error}{hint}") from None
    report.seconds = time.perf_counter() - start
    staged.report = report
    return staged


def _plain(model: nn.Module, padded: torch.Tensor, constants: dict) -> torch.Tensor:
    """The eager output on the example padded to the alignment."""
    try:
        return output_tensor(model(padded, **constants))
    except ValueError:
        raise
    except Exception as error:  # the user's model: its failure is theirs to see, in a line
        raise ValueError(
            f"the model cannot take the example padded to {tuple(padded.shape)} (to the "
            f"alignment): {first_line(error, 200)}"
        ) from None


def _check_example(example: object) -> None:
    if not isinstance(example, torch.Tensor):
        raise TypeError(f"example must be one (B, C, H, W) tensor, not {type(example).__name__}")
    if example.dim() != 4:
        raise ValueError(f"example must be (B, C, H, W), got shape {tuple(example.shape)}")
    if not example.is_floating_point():
        raise ValueError(f"example must be floating point, got {example.dtype}")


def _check_point(name: str, modules: dict[str, nn.Module], found, option: str) -> None:
    if not isinstance(name, str) or name not in modules or not name:
        close = difflib.get_close_matches(str(name), [n for n in modules if n], n=3)
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        raise ValueError(f"{option} {name!r} is no module of the model{hint}")
    calls = found.calls.get(name, 0)
    if calls == 0:
        raise ValueError(f"{option} {name!r} does not run in the model's forward")
    if calls > 1:
        raise ValueError(
            f"{option} {name!r} is called {calls} times in one forward: the cached feature "
            "must be one call's output"
        )
    if name in found.tuples:
        raise ValueError(
            f"{option} {name!r} returns a tuple, not one tensor: name a module of it that "
            "returns a tensor"
        )


def _other_size(padded: torch.Tensor, align: int) -> torch.Tensor:
    """A second aligned input: one alignment step taller and two wider."""
    b, c, h, w = padded.shape
    generator = torch.Generator().manual_seed(0)
    x = torch.rand(b, c, h + align, w + 2 * align, generator=generator, dtype=padded.dtype)
    fmt = (
        torch.channels_last
        if padded.is_contiguous(memory_format=torch.channels_last) and c > 1
        else torch.contiguous_format
    )
    return x.to(padded.device).contiguous(memory_format=fmt)


def _from_graph(model, graph, padded, names, deep_from, cut, align, constants):
    recorder = ShapeRecorder(graph)
    recorder.run(padded)
    if len(output_values(graph.graph)) != 1:
        raise ValueError("the captured graph returns several values; one image output is needed")
    g = graph.graph
    if names:
        cached = []
        for name in names:
            outs = module_outputs(g, name)
            if len(outs) != 1:
                raise ValueError(
                    f"cache_at {name!r}: {len(outs)} values leave it in the graph, not one"
                )
            cached.append(outs[0])
        how = "cache_at=" + ",".join(names)
    elif deep_from is not None:
        cached = dominated(g, set(of_module(g, deep_from)))
        how = f"deep_from={deep_from}"
    else:
        cached, parts, level = _auto_cut(g, recorder.shapes, cut)
        how = f"level {level} (below the first down-sampling to 1/{2**level} that has a skip)"
    if names or deep_from is not None:
        if not cached:
            raise ValueError(f"{how}: nothing of the deep part reaches the output")
        try:
            parts = split(g, cached)
        except ValueError as error:
            raise ValueError(f"{how}: {error}") from None
    staged = GraphStaged(model, graph, parts, align, 1, constants)
    skips = staged.top_encoder(padded)
    features = staged.deep(skips)
    flops = {
        "top_encoder": count_flops(staged.top_encoder, padded),
        "deep": count_flops(staged.deep, skips),
        "top_decoder": count_flops(staged.top_decoder, features, skips),
    }
    report = WrapReport(
        model=type(model).__name__,
        alignment=align,
        cut=how,
        cached=cached_tensors(parts, features),
        flops=flops,
        size=tuple(padded.shape[-2:]),
        hazards=graph_hazards(graph, parts, recorder.sizes, constants),
    )
    return staged, report


def _auto_cut(graph, shapes, cut):
    """The ``cut``-th level, from the top, whose down-sampling leaves a skip around it (a
    network that down-samples its input at once has no skip at full size: its first level
    with one is its top)."""
    found = 0
    deepest = max(levels(graph, shapes).values(), default=0)
    for level in range(1, deepest + 1):
        entry = entry_at_level(graph, shapes, level)
        cached = dominated(graph, entry) if entry else []
        if not cached:
            continue
        try:
            parts = split(graph, cached)
        except ValueError:
            continue
        found += 1
        if found == cut:
            return cached, parts, level
    raise ValueError(
        f"cut {cut}: {found} down-sampling level(s) with a skip connection around them found "
        f"(of {deepest} levels): give a smaller cut, cache_at or deep_from"
    )


def _eager(model, padded, name, order, align, constants, expected):
    deep = find_deep(model, padded, name, order, constants, expected)
    staged = EagerStaged(model, name, deep, align, constants)
    skips = staged.top_encoder(padded)
    features = staged.deep(skips)
    full = count_flops(lambda x: model(x, **constants), padded)
    reuse = count_flops(staged.top_decoder, features, [padded.clone()])  # not the fresh input
    t = features[0]
    report = WrapReport(
        model=type(model).__name__,
        route="eager",
        alignment=align,
        cut=f"cache_at={name} (deep modules found by swapping: {len(deep)})",
        cached=[
            CachedTensor(
                name,
                name,
                tuple(t.shape),
                str(t.dtype).removeprefix("torch."),
                t.numel() * t.element_size(),
            )
        ],
        flops={"top_encoder": 0, "deep": full - reuse, "top_decoder": reuse},
        size=tuple(padded.shape[-2:]),
        hazards=[
            f"the eager route keeps every deep module's last output for its swap: "
            f"{staged.held_bytes() / 2**20:.2f} MiB beyond the cached tensor; the code "
            "between modules still runs on reuse frames"
        ],
    )
    return staged, report
