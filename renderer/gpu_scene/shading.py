"""The shading passes' uniforms: the lights' sample offsets and pick weights, the atlas
size, the sky and the suns' disks, and each frame's samples.

The array sizes here match ``shade.frag``'s: uniform arrays are written whole.
"""

from __future__ import annotations

import moderngl
import numpy as np

from renderer.gpu_scene.atlas import FrameSamples
from renderer.lights import SampleSet
from renderer.programs import pad_rows, set_uniform
from renderer.scenes.scene import Scene, SunLight

MAX_LIGHTS = 9
"""Suns and panels, plus one for the sky (``shade.frag`` has the same limit)."""
MAX_FRAME_SAMPLES = 16
MAX_SUNS = 4
TEXTURE_UNITS = (
    ("u_albedo", 0),
    ("u_normal", 1),
    ("u_samples", 2),
    ("u_atlas", 3),
    ("u_dynamic_atlas", 5),
)
"""The shading pass's textures and their units (``GpuScene.bind_shading_textures``)."""


def configure_shading(
    prog: moderngl.Program,
    scene: Scene,
    sets: list[SampleSet],
    offsets: np.ndarray,
    atlas_size: tuple[int, int],
) -> None:
    """Set what stays fixed for the scene: lights (the sky last), atlas, sky and suns."""
    width, height = atlas_size
    set_uniform(prog, "u_light_count", len(sets) - 1)
    set_uniform(prog, "u_light_offset", pad_rows(offsets.astype(np.int32), MAX_LIGHTS))
    set_uniform(
        prog,
        "u_light_samples",
        pad_rows(np.array([s.count for s in sets], np.int32), MAX_LIGHTS),
    )
    set_uniform(prog, "u_light_pick", pad_rows(np.array([s.pick_weight for s in sets]), MAX_LIGHTS))
    set_uniform(prog, "u_atlas_texel", (1.0 / width, 1.0 / height))
    set_uniform(prog, "u_atlas_aspect", width / height)
    sky = scene.sky
    set_uniform(prog, "u_sky_bounce", tuple(2.0 * np.pi * np.asarray(sky.bounce)))
    set_uniform(prog, "u_sky_zenith", tuple(sky.zenith))
    set_uniform(prog, "u_sky_horizon", tuple(sky.horizon))
    set_uniform(prog, "u_sky_ground", tuple(sky.ground))
    suns = [light for light in scene.lights if isinstance(light, SunLight)][:MAX_SUNS]
    disk = np.zeros((MAX_SUNS, 4))
    radiance = np.zeros((MAX_SUNS, 3))
    for i, sun in enumerate(suns):
        d = np.asarray(sun.direction, np.float64)
        cos_r = np.cos(np.radians(sun.angular_radius))
        disk[i] = [*(d / np.linalg.norm(d)), cos_r]
        # Irradiance spread over the disk's solid angle gives its radiance.
        radiance[i] = np.asarray(sun.irradiance) / (2.0 * np.pi * (1.0 - cos_r))
    set_uniform(prog, "u_sun_count", len(suns))
    set_uniform(prog, "u_sun_disk", disk)
    set_uniform(prog, "u_sun_radiance", radiance)
    for name, unit in TEXTURE_UNITS:
        set_uniform(prog, name, unit)


def set_frame_samples(prog: moderngl.Program, offsets: np.ndarray, samples: FrameSamples) -> None:
    """The sample table's rows each light may use this frame, and how many."""
    rows = np.zeros(MAX_LIGHTS * MAX_FRAME_SAMPLES, np.int32)
    counts = np.zeros(MAX_LIGHTS, np.int32)
    for light, (offset, indices) in enumerate(zip(offsets, samples.indices, strict=True)):
        start = light * MAX_FRAME_SAMPLES
        rows[start : start + len(indices)] = offset + np.asarray(indices)
        counts[light] = len(indices)
    set_uniform(prog, "u_frame_rows", rows)
    set_uniform(prog, "u_frame_count", counts)
