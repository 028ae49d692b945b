"""One light's samples with their shadow maps, the shader's table of all of them, and the
strata a frame picks its samples from."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

KIND_SUN, KIND_SKY, KIND_PANEL = 0, 1, 2
TABLE_TEXELS = 6


@dataclass
class SampleSet:
    """One light's K samples and their shadow maps.

    Attributes:
        kind: ``KIND_SUN``, ``KIND_SKY`` or ``KIND_PANEL``.
        where: (K, 3) unit directions towards the light (sun, sky) or panel points.
        axes: (K, 3, 3) rows x, y, z of each shadow camera (it looks down -z).
        view_proj: (K, 4, 4) the shadow maps' view-projections.
        projection: sun/sky: bounding-sphere centre and radius (orthographic maps);
            panels: 1/tan(fov/2), and the depth terms A, B of the perspective maps.
        weight: sun irradiance, panel radiance times area (the sky's comes from the shader's
            sky model).
        texel: shadow-map texel size in metres (per metre of distance for panels).
        tile: shadow-map resolution.
    """

    kind: int
    where: np.ndarray
    axes: np.ndarray
    view_proj: np.ndarray
    projection: tuple[float, float, float, float]
    weight: np.ndarray
    texel: float
    tile: int
    frame_samples: int = 1
    """How many of the samples a frame uses (one per stratum)."""
    pick_weight: float = 0.0

    @property
    def count(self) -> int:
        return len(self.view_proj)


def sample_table(
    sets: list[SampleSet],
    tile_origins: list[list[tuple[float, float]]],
    tile_size: list[tuple[float, float]],
) -> np.ndarray:
    """(total samples, TABLE_TEXELS, 4) float32 rows for ``shade.frag``, lights in order:

    ====  =================================================================
     0    direction towards the light or panel point (xyz), kind (w)
     1    shadow camera x axis (xyz), tile origin u in the atlas (w)
     2    shadow camera y axis (xyz), tile origin v (w)
     3    shadow camera z axis (xyz), texel size (w)
     4    projection (see :class:`SampleSet`)
     5    weight (rgb), tile size u (w); the tile's v size follows from the atlas aspect
    ====  =================================================================
    """
    rows = []
    for s, origins, (du, _) in zip(sets, tile_origins, tile_size, strict=True):
        t = np.zeros((s.count, TABLE_TEXELS, 4))
        t[:, 0, :3], t[:, 0, 3] = s.where, s.kind
        t[:, 1:4, :3] = s.axes
        t[:, 1:3, 3] = np.asarray(origins)
        t[:, 3, 3] = s.texel
        t[:, 4] = s.projection
        t[:, 5, :3], t[:, 5, 3] = s.weight, du
        rows.append(t)
    return np.concatenate(rows).astype(np.float32)


def frame_strata(count: int, per_frame: int, rng: np.random.Generator) -> np.ndarray:
    """One sample index from each of ``per_frame`` equal strata of ``range(count)``."""
    stride = count // per_frame
    return np.arange(per_frame) * stride + rng.integers(0, stride, per_frame)
