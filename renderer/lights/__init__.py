"""Light sample sets: every area light, and the sky, is a fixed set of K samples, each with
its own shadow map in one depth atlas.

A 1-spp pixel picks one light (the sky included) and one of its samples from the frame's
strata (see ``ShadowQuality.frame_light_samples``); the reference averages all of them.
With the sets fixed, the reference is exactly the expectation of the noisy image, so
averaging noisy images converges to it without bias.

Directions are spherical Fibonacci sets and panel points a Fibonacci lattice; each
sample's shadow-map frame is computed here and handed to the shader in a data texture
(see :func:`sample_table`), so the sample math lives in one place.

The modules: ``quality`` (how many samples, how sharp the maps), ``sample_set`` (one
light's samples and the shader's table of them), ``fibonacci`` (where the samples go),
``bounds`` (what the maps must cover), ``shadow_cameras`` (each sample's shadow map) and
``picking`` (how often each light is picked).
"""

from renderer.lights.bounds import MOTION_SPAN, bounding_sphere
from renderer.lights.fibonacci import GOLDEN_FRACTION, axis_frame, cap_frame, panel_points
from renderer.lights.quality import PREVIEW_QUALITY, ShadowQuality
from renderer.lights.sample_set import (
    KIND_PANEL,
    KIND_SKY,
    KIND_SUN,
    TABLE_TEXELS,
    SampleSet,
    frame_strata,
    sample_table,
)
from renderer.lights.shadow_cameras import build_sample_sets

__all__ = [
    "GOLDEN_FRACTION",
    "KIND_PANEL",
    "KIND_SKY",
    "KIND_SUN",
    "MOTION_SPAN",
    "PREVIEW_QUALITY",
    "TABLE_TEXELS",
    "SampleSet",
    "ShadowQuality",
    "axis_frame",
    "bounding_sphere",
    "build_sample_sets",
    "cap_frame",
    "frame_strata",
    "panel_points",
    "sample_table",
]
