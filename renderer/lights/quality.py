"""How finely lights are sampled: the number of samples and shadow-map sizes, which with
the scene fix a reference image."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ShadowQuality:
    """How finely lights are sampled; part of what determines a reference image."""

    light_samples: int = 64
    """Sample points or directions (and shadow maps) per sun or panel light."""
    sky_samples: int = 128
    """Sky directions (and shadow maps)."""
    light_tile: int = 256
    """Shadow-map resolution of a panel light's sample (its maps are perspective: sharp near
    the panel, where its shadows are)."""
    sun_tile: int = 512
    """Shadow-map resolution of a sun direction (its orthographic maps span the scene)."""
    sky_tile: int = 128
    """Shadow-map resolution of a sky direction."""
    frame_light_samples: int = 8
    """Each frame, every pixel picks among this many of a light's samples (one per stratum,
    drawn anew every frame). Fewer keep the shadow maps a frame touches in cache; the
    choice stays uniform over all samples, so images stay unbiased. Divides
    ``light_samples``."""
    frame_sky_samples: int = 16
    """The same for sky directions; divides ``sky_samples``."""

    def __post_init__(self) -> None:
        for total, per_frame, name in (
            (self.light_samples, self.frame_light_samples, "light"),
            (self.sky_samples, self.frame_sky_samples, "sky"),
        ):
            if total < 1 or per_frame < 1 or total % per_frame:
                raise ValueError(
                    f"frame_{name}_samples ({per_frame}) must divide {name}_samples ({total})"
                )


PREVIEW_QUALITY = ShadowQuality(
    light_samples=16,
    sky_samples=32,
    light_tile=256,
    sun_tile=256,
    sky_tile=128,
    frame_light_samples=8,
    frame_sky_samples=8,
)
"""Fewer and smaller shadow maps than the default, same maths: for tests and quick looks."""
