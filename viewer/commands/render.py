"""``reframe-rt render``: G-buffer EXRs of a scene along a camera path."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

import tyro
from tqdm import tqdm

from common.atomic import remove_partials
from evaluation.exr import frame_channels, frame_filename, write_exr
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
    settings = RenderSettings(size=play.size, spp=cfg.spp, seed=cfg.seed, reference=True)
    with PathPlayer(play.scene, settings) as player:
        frames = tqdm(
            range(play.count), desc=f"render {play.scene.name}", unit="frame", disable=cfg.quiet
        )
        for i in frames:
            write_exr(cfg.out / frame_filename(i), frame_channels(player.render(play.path, i)))
