"""The methods an evaluation runs for a task, from the policy specs on the command line:
the task's baseline, ``full`` (the whole network on every frame) and one layer-cached
network per caching policy; ``oidn`` adds Intel Open Image Denoise as a peer (denoise
only)."""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence

import torch

from caching import measures
from caching.cache import LayerCache
from caching.depth import DepthCache
from caching.online import DEFAULT_BUDGET, OnlineTau
from caching.policies import FrameInfo
from caching.spec import PolicyError, parse_policy
from common.device import precision_dtype, resolve_device
from common.metrics.flip import flip
from common.tonemap import tonemap
from evaluation.calibrated import record_for
from evaluation.oidn import NAME as OIDN
from evaluation.oidn import OidnMethod
from evaluation.presets import presets_for
from evaluation.runner import Baseline, Method
from evaluation.shared import FrameShare, SharedStages
from evaluation.user_network import UserNetwork, load_user_network
from networks.method import NetworkMethod
from networks.tasks import History, Task
from networks.weights import load_network
from renderer.errors import UserError
from renderer.frame import Frame


class CachedMethod(NetworkMethod):
    """The network behind a layer cache; ``last_refresh`` tells what the cache did.

    For a ``+online`` policy, ``online`` has the cache check what reuse would give against
    the full network now and then, and adapts the policy's tau (``caching.online``); the
    checks' FLIP is computed here, where the output becomes an image, and counts in
    ``last_ms``.
    """

    def __init__(
        self,
        task: Task,
        cache: LayerCache,
        name: str,
        budget: float | None = None,
        share: FrameShare | None = None,
    ):
        super().__init__(task, cache.net, name, share)
        self.cache = cache
        self.online = (
            OnlineTau(cache.policy, flip_budget(task.name) if budget is None else budget)
            if cache.policy.online
            else None
        )

    def reset(self) -> None:
        super().reset()
        self.cache.reset()
        if self.online is not None:
            self.online.reset()

    @property
    def tau(self) -> float | None:
        """The policy's tau now (None for ``every-N``); ``+online`` moves it."""
        policy = self.cache.policy
        return float(policy.tau) if policy.family else None

    def _info(self, frame: Frame) -> FrameInfo:
        return FrameInfo(
            index=frame.index,
            cut=frame.cut,
            # Left on the device: the cache reads it with its own check, in one transfer.
            motion=measures.motion_length(frame.motion) if self.cache.policy.reads_motion else 0.0,
            flow=frame.motion.unsqueeze(0) if self.cache.policy.warp else None,
        )

    def decide(self, x: torch.Tensor, frame: Frame) -> bool:
        """Whether the next call on ``frame`` refreshes, decided now on the input ``x``
        (``LayerCache.decide``); the call may then take a richer input of the frame."""
        decide = getattr(self.cache, "decide", None)
        if decide is None or self.online is not None:
            raise ValueError(f"{self.name}: decides on its own input only (+depth, +online)")
        return decide(x, self._info(frame))

    def run_network(self, x: torch.Tensor, frame: Frame, history: History) -> torch.Tensor:
        info = self._info(frame)
        y = self.cache(x, info, check=self.online is not None and self.online.due())
        self.last_refresh = self.cache.last_refresh
        # The level a reuse frame recomputed down to (None on a refresh).
        depth = getattr(self.cache, "last_depth", getattr(self.cache, "cut", None))
        self.last_depth = None if self.last_refresh else depth
        if self.cache.last_check is not None:
            reused, full = (
                tonemap(self.task.to_hdr(self.task.finish(out, x)[0], frame))
                for out in (self.cache.last_check, y)
            )
            self.online.adapt(float(flip(reused, full)[1]), frame.index)
        return y


def flip_budget(task: str) -> float:
    """The FLIP budget the task's calibration was made for (``+online`` keeps it)."""
    found = record_for(task)
    return float(found[0].get("flip_budget", DEFAULT_BUDGET)) if found else DEFAULT_BUDGET


def methods_for(
    task: Task,
    policies: Sequence[str],
    arch: str,
    cut: int = 1,
    network: UserNetwork | None = None,
    size: tuple[int, int] = (640, 360),
    device: torch.device | str = "cpu",
    precision: str = "fp32",
    cuda_graphs: bool = False,
    presets: Mapping[str, float] | None = None,
    budget: float | None = None,
    shared: bool = True,
) -> list[Method]:
    """The task's baseline, then one method per policy spec (the network loaded once);
    cached methods recompute the top ``cut`` levels on reuse frames. ``network``: the
    user's own instead of ours (``arch`` then unused), staged on the task's input at
    ``size`` (width, height). The network runs on ``device`` at ``precision`` (fp32,
    fp16, bf16: its weights' dtype; inputs are cast to it, outputs back to float32).
    ``cuda_graphs``: the full network and each cache's paths are replayed as CUDA graphs
    (CUDA only); the methods then share no stage results (a graph replays all of its own).
    ``presets`` and ``budget``: the named taus and ``+online``'s FLIP budget (default: the
    calibration files', read here; a unit run elsewhere carries the driver's).
    ``shared=False``: each method computes everything itself (for methods given different
    frames, as under a frame budget, whose wall-clock times must be their own).

    Raises:
        UserError: a bad spec; WeightsError for missing or mismatched weights.
    """
    methods: list[Method] = [Baseline(task)]
    parsed = {}
    peers: list[Method] = []
    named = presets_for(task.name) if presets is None else presets
    for spec in dict.fromkeys(policies):
        if spec == OIDN:
            if task.name != "denoise":
                raise UserError(
                    f"--policy oidn is a denoiser: run it with --task denoise (not {task.name})"
                )
            peers.append(OidnMethod())
            continue
        try:
            parsed[spec] = parse_policy(spec, named)
        except PolicyError as error:
            raise UserError(str(error)) from None
    if not parsed:
        return methods + peers
    if network is not None:
        net = load_user_network(network, task, size, cut)
        cut = net.cut
    else:
        net, _ = load_network(task.name, arch)
        # Our networks' inference form (ExtraNet folds its batch norms; the others are it).
        net = net.for_inference() if hasattr(net, "for_inference") else net
    device = resolve_device(device)
    dtype = precision_dtype(precision, device)
    if cuda_graphs and device.type != "cuda":
        raise UserError(f"--cuda-graphs needs a CUDA device (the networks run on {device})")
    if network is not None and (dtype, device) != (torch.float32, torch.device("cpu")):
        # A staged user network is kept between calls (staging takes seconds): cast a
        # copy, so a later fp32 run does not get weights rounded through half precision.
        net = copy.deepcopy(net)
    net = net.to(device=device, dtype=dtype)
    # The methods of a frame share what they agree on (evaluation.shared). Our networks'
    # forward is their stages by construction; a user's network keeps its own forward for
    # ``full`` (its stages were checked against it at two sizes, not at every size).
    share, stages = FrameShare(), (net if cuda_graphs else SharedStages(net))
    if not shared:
        share, stages = None, net
    for spec, policy in parsed.items():
        if spec == "full":
            full = net if network else stages
            methods.append(NetworkMethod(task, full, "full", share, cuda_graphs))
        elif policy.depth:
            if cuda_graphs:
                raise UserError(f"--policy {spec}: +depth runs without --cuda-graphs")
            try:
                cache = DepthCache(net, policy)
            except TypeError:
                raise UserError(
                    f"--policy {spec}: +depth cuts the network at every level, which our "
                    "U-Net and U-Net++ do (not ExtraNet or --network, so far)"
                ) from None
            methods.append(CachedMethod(task, cache, name=spec, budget=budget, share=share))
        else:
            try:
                cache = LayerCache(stages, policy, cut)
            except ValueError as error:
                raise UserError(f"--cut {cut}: {error}") from None
            cache.cuda_graphs = cuda_graphs
            methods.append(CachedMethod(task, cache, name=spec, budget=budget, share=share))
    return methods + peers
