"""How far the deep features move from the refresh frame's, warped or not:
``python -m benchmarks.feature_drift``.

What ``+warp`` assumes: the deep features a network computes for frame t are the refresh
frame's moved by the motion since. Per task and built-in scene, the shipped U-Net runs in
full on frames of the default path (640x360; by default 100-147, where every path moves);
each frame's cached feature C (the cache's ``deep``) is kept, after ``--warmup`` frames
that fill the inputs' histories. With a refresh every
``--every`` frames, each later frame's C is compared with the refresh frame's C as it is
(plain reuse) and warped by the composed motion (``+warp``, ``caching.warp``): mean absolute
difference over the pixels whose source lies inside the image (what came into view is wrong
either way). A ratio below 1 says the features move with the scene.
"""

from __future__ import annotations

import torch

from benchmarks import runtime
from caching.warp import compose_flow, flow_at, warp_features
from common.padding import pad_to
from evaluation.reference_cache import default_cache_dir
from evaluation.runner import Runner
from networks.method import NetworkMethod
from networks.tasks import TASKS, History
from networks.weights import load_network
from renderer.frame import Frame
from renderer.lights import ShadowQuality
from renderer.path import CameraPath
from renderer.pathgen import resolve_path
from renderer.player import RenderSettings
from renderer.scenes import load_scene


class Recorder(NetworkMethod):
    """The full network, keeping each frame's cached feature C and motion vectors."""

    def __init__(self, task, net) -> None:
        super().__init__(task, net, "full")
        self.features: list[torch.Tensor] = []
        self.motion: list[torch.Tensor] = []

    def run_network(self, x: torch.Tensor, frame: Frame, history: History) -> torch.Tensor:
        # The stages, as a cache's refresh runs them: the plain forward bit for bit.
        skips = self.net.top_encoder(pad_to(x, self.net.alignment))
        self.features.append(self.net.deep(skips))
        self.motion.append(frame.motion.unsqueeze(0))
        return self.net.top_decoder(self.features[-1], skips)[..., : x.shape[-2], : x.shape[-1]]


def inside(flow: torch.Tensor) -> torch.Tensor:
    """(1, 1, H, W): where ``p + flow[p]`` lies within the image."""
    _, _, h, w = flow.shape
    x = torch.arange(w).view(1, w) + flow[:, 0]
    y = torch.arange(h).view(h, 1) + flow[:, 1]
    return ((x >= 0) & (x <= w - 1) & (y >= 0) & (y <= h - 1)).unsqueeze(1)


def drift(rec: Recorder, every: int) -> tuple[float, float, float]:
    """Mean over the reuse frames of (plain difference, warped difference, image motion)."""
    plain = warped = moved = 0.0
    count = 0
    for r in range(0, len(rec.features), every):
        flow = None
        for t in range(r + 1, min(r + every, len(rec.features))):
            flow = compose_flow(flow, rec.motion[t])
            padded = tuple(rec.features[r].shape[-2:])
            mask = inside(flow_at(flow, padded, padded)).float()
            n = float(mask.sum()) * rec.features[r].shape[1]
            truth = rec.features[t]
            moved_c = warp_features(rec.features[r], flow, padded)
            plain += float(((rec.features[r] - truth).abs() * mask).sum()) / n
            warped += float(((moved_c - truth).abs() * mask).sum()) / n
            moved += float(flow.norm(dim=1).mean())
            count += 1
    return plain / count, warped / count, moved / count


def main() -> None:
    parser = runtime.parser(__doc__)
    parser.add_argument("--tasks", nargs="*", default=["supersample", "extrapolate"])
    parser.add_argument("--scenes", nargs="*", default=["temple", "garden", "arena"])
    parser.add_argument("--start", type=int, default=100, help="first frame of each path")
    parser.add_argument("--frames", type=int, default=48)
    parser.add_argument("--every", type=int, default=8, help="frames from refresh to refresh")
    parser.add_argument(
        "--warmup", type=int, default=8, help="frames run before the first, to fill histories"
    )
    args = runtime.start(parser)
    if args.every < 2:
        parser.error("--every must be at least 2 (a refresh and a frame that reuses it)")
    size = (640, 360)
    print(f"deep features against the refresh frame's, a refresh every {args.every} frames,")
    print(f"frames {args.start}-{args.start + args.frames - 1} of each default path, 640x360")
    print("| task | scene | image moved since the refresh | plain | warped | warped / plain |")
    print("|---|---|---|---|---|---|")
    for name in args.tasks:
        task = TASKS[name]
        net, _ = load_network(name, "unet")
        for scene_name in args.scenes:
            scene = load_scene(scene_name)
            whole = resolve_path("default", scene)
            first = max(args.start - args.warmup, 0)
            frames = whole.frames[first : args.start + args.frames]
            path = CameraPath(whole.fps, frames, scene=whole.scene)
            rec = Recorder(task, net)
            settings = RenderSettings(size=size, quality=ShadowQuality())
            runner = Runner(scene, path, task, [rec], settings, default_cache_dir())
            try:
                for _ in runner.run(len(frames), against_reference=False):
                    pass
            finally:
                runner.close()
            # The tasks' inputs carry earlier frames (outputs, shaded frames), which the
            # first frames of a run lack.
            del rec.features[: args.start - first], rec.motion[: args.start - first]
            plain, warped, moved = drift(rec, args.every)
            print(
                f"| {name} | {scene_name} | {moved:.1f} px | {plain:.4f} | {warped:.4f} | "
                f"{warped / plain:.2f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
