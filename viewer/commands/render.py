"""``reframe-rt render``: G-buffer EXRs of a scene along a camera path."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

import tyro
from tqdm import tqdm

from common.atomic import remove_partials
from evaluation.exr import frame_channels, frame_filename, jitter_attribute, write_exr
from evaluation.frames_dir import LOW_DIR, SIDECAR
from renderer.path import CameraPath
from renderer.player import PathPlayer, RenderSettings
from viewer.options import PlaybackOptions, check_positive, prepare_out, resolve_playback


@dataclass
class RenderConfig(PlaybackOptions):
    """Render noisy color, the converged reference and the G-buffers of each frame of a
    camera path into frame_NNNN.exr files."""

    frames: Annotated[int | None, tyro.conf.arg(metavar="N")] = None
    """Number of frames from the start of the path (default: all)."""
    spp: int = 1
    """Samples per pixel of the noisy color."""
    low_res: bool = False
    """Also render each frame at half resolution, jittered (what super-resolution reads),
    into low/ beside the frames."""
    up: Literal["auto", "y", "z"] = "auto"
    """Up axis of a scene file's content (auto: detected)."""
    out: Path = Path("out/render")
    """Output directory."""


def run(cfg: RenderConfig) -> None:
    # Everything the user asked for is checked before anything is written.
    check_positive("spp", cfg.spp)
    play = resolve_playback(cfg, cfg.frames, cfg.up)
    prepare_out(cfg.out)
    remove_partials(cfg.out)
    settings = RenderSettings(
        size=play.size, spp=cfg.spp, seed=cfg.seed, reference=True, low_res=cfg.low_res
    )
    # The frames' cameras, times and cuts, in our camera-path format (what
    # ``--frames-dir`` reads beside the frames).
    sidecar = CameraPath(play.path.fps, play.path.frames[: play.count], scene=play.scene.name)
    sidecar.save(cfg.out / SIDECAR)
    if cfg.low_res:
        (cfg.out / LOW_DIR).mkdir(exist_ok=True)
        remove_partials(cfg.out / LOW_DIR)
    with PathPlayer(play.scene, settings) as player:
        frames = tqdm(
            range(play.count), desc=f"render {play.scene.name}", unit="frame", disable=cfg.quiet
        )
        for i in frames:
            frame = player.render(play.path, i)
            write_exr(cfg.out / frame_filename(i), frame_channels(frame))
            if frame.low is not None:
                write_exr(
                    cfg.out / LOW_DIR / frame_filename(i),
                    frame_channels(frame.low),
                    jitter_attribute(frame.low.jitter),
                )
