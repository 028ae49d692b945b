"""The viewer's own cost per frame against the network's: ``python -m benchmarks.viewer``.

Runs the real app (``reframe-rt view --headless``: GLFW's null platform, every panel
drawn) along the start of the default temple path at 640x360 in a 1280x720 window, and
prints the median time of each stage the viewer adds — render (the GL passes), transfer
(GL -> torch), display (tone mapping and texture upload of the shown image), UI (ImGui
frame) and present (swap) — against the network's time measured in the same run (the
full network and the layer-cached one). The UI stages run once per UI frame (capped at
--max-fps), the others once per network frame. Then eval's runner plays the same path
frames with the same networks in the same process, and the live speedup is printed beside
eval's with their ratio (the goal: within 10%).
"""

from __future__ import annotations

import argparse

from benchmarks import runtime
from viewer.app.app import Options, run_app
from viewer.commands.view import ViewConfig, initial_state
from viewer.options import parse_resolution

PER_NETWORK_FRAME = ("render", "transfer", "display")
PER_UI_FRAME = ("ImGui", "present")


def main() -> None:
    parser = runtime.parser(__doc__)
    parser.add_argument("--resolution", default="640x360")
    parser.add_argument("--window", default="1280x720")
    parser.add_argument("--frames", type=int, default=40, help="network frames")
    parser.add_argument("--task", default="denoise")
    parser.add_argument("--policy", default="delta-L")
    parser.add_argument("--max-fps", type=float, default=30.0)
    args = runtime.start(parser)
    cfg = ViewConfig(resolution=args.resolution, task=args.task, policy=args.policy)
    options = Options(
        window=parse_resolution(args.window), headless=True, frames=args.frames,
        max_fps=args.max_fps,
    )  # fmt: skip
    report = run_app(initial_state(cfg), options, "default")
    m = report["stage_medians_ms"]
    ui_per_net = report["ui_frames"] / max(report["network_frames"], 1)
    full, cached = m.get("net full", 0.0), m.get("net cached", 0.0)

    def share(ms: float, of: float) -> str:
        return f"{ms / of:.1%}" if of else "–"  # no cached network with --policy full

    print(
        f"viewer at {args.resolution} in a {args.window} window, {args.task} with "
        f"{args.policy}, {report['network_frames']} network frames, "
        f"{ui_per_net:.1f} UI frames per network frame (median ms)"
    )
    print("\n| stage | per | ms | share of full network | share of cached network |")
    print("|---|---|---|---|---|")
    overhead = 0.0
    for stage in PER_NETWORK_FRAME + PER_UI_FRAME:
        ms = m.get(stage, 0.0)
        per_ui = stage in PER_UI_FRAME
        overhead += ms * (ui_per_net if per_ui else 1.0)
        print(f"| {stage} | {'UI' if per_ui else 'network'} frame | {ms:.2f} | "
              f"{share(ms, full)} | {share(ms, cached)} |")  # fmt: skip
    print(f"| viewer total per network frame | network frame | {overhead:.2f} | "
          f"{share(overhead, full)} | {share(overhead, cached)} |")  # fmt: skip
    print(f"| network, full | network frame | {full:.2f} | | |")
    print(f"| network, cached ({args.policy}) | network frame | {cached:.2f} | | |")
    if args.policy == "full":
        return
    live = report["speedup"]
    offline = eval_speedup(args, report["network_frames"])
    print(f"\nspeedup measured live: {live:.2f}x "
          f"({report['refreshes']} refreshes in {report['network_frames']} frames); "
          f"eval on the same frames: {offline:.2f}x; live / eval {live / offline:.3f} "
          "(goal within 10%)")  # fmt: skip


def eval_speedup(args: argparse.Namespace, frames: int) -> float:
    """Eval's speedup (total full time over total cached time) on the path frames the viewer
    played, its runner and networks in this process."""
    from evaluation.methods import methods_for
    from evaluation.runner import Runner
    from networks.tasks import TASKS
    from renderer.lights import ShadowQuality
    from renderer.pathgen import resolve_path
    from renderer.player import RenderSettings
    from renderer.scenes import load_scene

    scene, task = load_scene("temple"), TASKS[args.task]
    settings = RenderSettings(size=args.size, quality=ShadowQuality())
    methods = methods_for(task, ["full", args.policy], "unet")
    runner = Runner(scene, resolve_path("default", scene), task, methods, settings)
    try:
        results = list(runner.run(frames))
    finally:
        runner.close()
    return sum(r.ms["full"] for r in results) / sum(r.ms[args.policy] for r in results)


if __name__ == "__main__":
    main()
