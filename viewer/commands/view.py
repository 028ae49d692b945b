"""``reframe-rt view``: the interactive viewer, or the same app headless for scripts."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

import tyro
from platformdirs import user_config_path

from caching.spec import PolicyError, parse_policy
from evaluation.budget import check_max_spp
from evaluation.presets import presets_for
from evaluation.user_network import load_user_network
from networks.model import ArchName
from networks.tasks import TASKS, TaskName
from networks.weights import load_network
from renderer.errors import UserError
from viewer.app.state import MAX_CUT, AppState
from viewer.options import (
    DeviceOptions,
    FramesOptions,
    NetworkOptions,
    check_positive,
    check_task_size,
    parse_resolution,
)

ViewMode = Literal["cached", "full", "reference", "input", "albedo", "normal", "depth",
                   "motion", "heatmap"]  # fmt: skip


@dataclass
class ViewConfig(DeviceOptions, FramesOptions, NetworkOptions):
    """Interactive viewer: fly through a scene while the network (with or without its layer
    cache) runs beside the renderer; record camera paths and play them back."""

    scene: str = "temple"
    """Built-in scene (temple, garden, arena) or a .obj/.gltf/.glb file."""
    path: Annotated[str | None, tyro.conf.arg(metavar="PATH")] = None
    """Camera path to play: 'default' (the scene's own), a built-in name, or a .json file;
    None: fly freely."""
    resolution: str = "640x360"
    """Render size as WIDTHxHEIGHT."""
    window: str = "1280x720"
    """Window size as WIDTHxHEIGHT."""
    task: TaskName = "denoise"
    """The network's task."""
    arch: ArchName = "unet"
    """Network architecture."""
    policy: str = "delta-L"
    """Refresh policy of the layer cache: full (no caching), every-N, delta-H, delta-L,
    delta-auto, delta-<tau>, motion-H, motion-L, motion-auto, motion-<tau>, lfd-<tau>;
    any but full may add +warp (motion-compensated reuse), delta, motion and lfd +online
    (tau adapted to the calibration's FLIP budget by checks)."""
    cut: int = 1
    """Top levels a reuse frame recomputes (1: ReFrame's cut)."""
    frame_budget: Annotated[float, tyro.conf.arg(metavar="MS")] = 0.0
    """Hold render, input and cached network to MS milliseconds a frame, what the cache
    saves spent on samples per pixel (up to --max-spp; the Caching panel's slider; 0:
    off)."""
    max_spp: int = 16
    """Most samples per pixel the frame budget may buy."""
    show: ViewMode = "cached"
    """What the main image shows first."""
    compare: ViewMode | None = None
    """Split the image: the right side shows this (drag the divider to compare)."""
    loop: bool = False
    """Play the path over and over."""
    seed: int = 0
    """Noise seed."""
    preview: bool = False
    """Fewer light samples: faster references (extrapolation and super-resolution)."""
    headless: bool = False
    """Run on GLFW's null platform (no display needed), for scripts and tests."""
    frames: Annotated[int | None, tyro.conf.arg(metavar="N")] = None
    """Quit after the network has run on N frames; None: run until the window closes."""
    screenshot: Annotated[Path | None, tyro.conf.arg(metavar="FILE.png")] = None
    """Save the window, panels included, as a PNG before quitting."""
    script: Annotated[Path | None, tyro.conf.arg(metavar="FILE.json")] = None
    """Scripted key, mouse and resize events to play (see viewer/app/script.py)."""
    record: Annotated[Path | None, tyro.conf.arg(metavar="FILE.json")] = None
    """Record the fly camera from the start and save the path here on quitting."""
    report: Annotated[Path | None, tyro.conf.arg(metavar="FILE.json")] = None
    """Write the final stats, state and per-frame hashes as JSON (also printed headless)."""
    max_fps: float = 30.0
    """Cap of the UI frame rate: what it leaves goes to the network."""
    threads: int = 2
    """Torch threads of the network worker."""


def initial_state(cfg: ViewConfig) -> AppState:
    """The state the options ask for; raises a UserError for a bad one."""
    state = AppState()
    state.scene.name = cfg.scene
    state.scene.size = parse_resolution(cfg.resolution)
    state.scene.seed = cfg.seed
    state.scene.preview_quality = cfg.preview
    check_task_size(state.scene.size, [TASKS[cfg.task]], scored=False)
    state.network.task, state.network.arch = cfg.task, cfg.arch
    state.network.user = cfg.user_network()
    device, _ = cfg.placement()
    state.network.device, state.network.precision = str(device), cfg.precision
    state.network.cuda_graphs = cfg.cuda_graphs
    try:
        parse_policy(cfg.policy, presets_for(cfg.task))
    except PolicyError as error:
        raise UserError(str(error)) from None
    state.cache.set_spec(cfg.policy, cfg.task)
    state.cache.cut = cfg.cut
    if not (cfg.frame_budget >= 0 and cfg.frame_budget < float("inf")):
        raise UserError(f"--frame-budget {cfg.frame_budget}: must be 0 (off) or positive ms")
    check_max_spp(cfg.max_spp)
    state.scene.frame_budget_ms, state.scene.max_spp = cfg.frame_budget, cfg.max_spp
    state.view.mode = cfg.show
    if cfg.compare is not None:
        state.view.split, state.view.split_mode = True, cfg.compare
    state.playback.loop = cfg.loop
    return state


def imgui_ini_file() -> Path:
    """Where the window keeps its panels' places: ``imgui.ini`` in the user's config
    directory (platformdirs: ``~/.config/reframe-rt`` on Linux), not the working one."""
    return user_config_path("reframe-rt", appauthor=False) / "imgui.ini"


def run(cfg: ViewConfig) -> None:
    # The window stack is imported here: the other commands never need it.
    from viewer.app.app import Options, run_app
    from viewer.app.script import load_script

    check_positive("frames", cfg.frames)
    check_positive("threads", cfg.threads)
    if not 1 <= cfg.cut <= MAX_CUT:
        raise UserError(f"--cut must be within 1..{MAX_CUT} (the networks have 5 levels)")
    if cfg.headless and cfg.frames is None and cfg.script is None:
        raise UserError("--headless needs --frames N or --script FILE (when to stop)")
    if cfg.max_fps <= 0:
        raise UserError(f"--max-fps must be positive, got {cfg.max_fps}")
    if cfg.record is not None and cfg.path is not None:
        raise UserError(
            "--record records the fly camera from the start, and --path plays a path instead "
            "(record a flight from the Playback panel once the path stops)"
        )
    device, _ = cfg.placement()
    frames = cfg.frames_source([TASKS[cfg.task]], device)
    if frames is not None and cfg.path is not None:
        raise UserError("--frames-dir plays its frames: give no --path with it")
    state = initial_state(cfg)
    if frames is not None:
        state.scene.size = frames.size
        check_task_size(frames.size, [TASKS[cfg.task]], scored=False)
    # Before the window opens: a missing weight file is one line and exit 2, not an error
    # on screen that a headless run would wait on.
    if state.network.user is not None:
        load_user_network(state.network.user, TASKS[cfg.task], state.scene.size, cfg.cut)
    else:
        load_network(cfg.task, cfg.arch)
    options = Options(
        window=parse_resolution(cfg.window),
        headless=cfg.headless,
        frames=cfg.frames,
        screenshot=cfg.screenshot,
        script=load_script(cfg.script) if cfg.script else None,
        record=cfg.record,
        max_fps=cfg.max_fps,
        threads=cfg.threads,
        ini_file=None if cfg.headless else imgui_ini_file(),
    )
    if options.ini_file is not None:
        options.ini_file.parent.mkdir(parents=True, exist_ok=True)
    report = run_app(state, options, cfg.path, frames)
    text = json.dumps(report, indent=1)
    if cfg.report is not None:
        cfg.report.parent.mkdir(parents=True, exist_ok=True)
        cfg.report.write_text(text + "\n", encoding="utf-8")
    if cfg.headless:
        sys.stdout.write(text + "\n")
        if report["error"]:
            raise UserError(f"the networks stopped: {report['error']}")
