"""Other renderers' G-buffer conventions, brought to ours as the frames are read
(``--channel-map blender``; ours: README, "EXR channels").

Blender's Cycles, as its multi-layer EXR stores its passes. Its manual (Render ‣ View
Layers ‣ Passes) says of the vector pass that its four components are "the motion towards
the next and previous frame position in pixel space", and of Z "distance to any visible
surfaces": which pair, which signs and which distance were read off frames Blender 5.0
rendered (``benchmarks/blender_frames.py``), against the cameras it was given:

- ``Vector.X/Y``: where the surface was in the previous frame, in pixels, relative to the
  pixel, with y up (``Z/W``: towards the next frame). Ours: x right, y down, so y is negated.
  (Warping the previous frame by (X, -Y) matched the frame 2-3x better than any other
  pairing and sign.)
- ``Depth.Z``: distance along the view axis, as ours; 1e10 on the background, ours 0.
- ``Denoising Normal``: in camera space, with the camera looking down +z; ours are in world
  space (y up, as our scenes and the networks trained on them). They are brought there
  through the frame's camera from the sidecar, and Blender's z-up world turned y-up.
- No depth of the previous frame: it is derived from the cameras (each pixel's point, seen
  from the previous frame's camera), exact for still geometry; a moving object's own
  motion along the view axis is not in it.
- ``Combined``: the noisy image when Blender's denoiser is off (``Noisy Image`` when it is
  on: ``--channel-map blender,color=ViewLayer.Noisy Image``).
"""

from __future__ import annotations

import math

import numpy as np

BLENDER_NAMES = {
    "color": "ViewLayer.Combined",
    "albedo": "ViewLayer.Denoising Albedo",
    "normal": "ViewLayer.Denoising Normal",
    "depth": "ViewLayer.Depth",
    "motion": "ViewLayer.Vector",
}
BACKGROUND_DEPTH = 1e9
"""Blender's background depth is 1e10: anything this far is background."""
Z_UP_TO_Y_UP = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0], [0.0, -1.0, 0.0]])
"""A z-up world's directions in a y-up one: (x, y, z) -> (x, z, -y)."""


def blender_to_ours(
    layers: dict[str, np.ndarray],
    camera: np.ndarray,
    previous_camera: np.ndarray | None,
    fov: float,
) -> dict[str, np.ndarray]:
    """Blender's (H, W, C) layers of one frame in ours (a new dict).

    Args:
        camera, previous_camera: (4, 4) camera-to-world of this frame and the one before
            (None: the first frame of a shot, whose previous depth is its own).
        fov: vertical field of view in degrees.
    """
    out = dict(layers)
    motion = layers["motion"].copy()
    motion[..., 1] *= -1.0
    out["motion"] = motion
    depth = np.where(layers["depth"] >= BACKGROUND_DEPTH, 0.0, layers["depth"])
    out["depth"] = depth.astype(np.float32)
    normal = layers["normal"] * np.array([1.0, 1.0, -1.0])  # looking down -z, as ours
    world = normal @ camera[:3, :3].T @ Z_UP_TO_Y_UP.T
    out["normal"] = np.where(depth > 0, world, 0.0).astype(np.float32)
    if "prev_depth" not in layers:
        out["prev_depth"] = previous_depth(out["depth"], camera, previous_camera, fov)
    return out


def previous_depth(
    depth: np.ndarray, camera: np.ndarray, previous_camera: np.ndarray | None, fov: float
) -> np.ndarray:
    """(H, W, 1): each pixel's point at ``depth`` (along the view axis) seen from the
    previous camera, its depth there; 0 on the background."""
    if previous_camera is None:
        return depth.copy()
    xs, ys = pixel_slopes(*depth.shape[:2], fov)
    d = depth[..., 0].astype(np.float64)
    points = np.stack(
        [xs[None, :] * d, ys[:, None] * d, -d, np.ones_like(d)], axis=-1
    )  # camera space
    seen = points @ (np.linalg.inv(previous_camera) @ camera).T
    return np.where(d > 0, -seen[..., 2], 0.0)[..., None].astype(np.float32)


def ray_lengths(
    height: int, width: int, fov: float, motion: np.ndarray | None = None
) -> np.ndarray:
    """(H, W, 1): the length of each pixel's ray per unit of depth along the view axis
    (1 at the centre, more towards the corners), for a vertical field of view ``fov``; with
    ``motion`` (H, W, 2, pixels, y down), of the ray through ``p + motion`` instead."""
    xs, ys = pixel_slopes(height, width, fov)
    x = np.broadcast_to(xs[None, :], (height, width))
    y = np.broadcast_to(ys[:, None], (height, width))
    if motion is not None:
        per_pixel = math.tan(math.radians(fov) / 2.0) * 2.0 / height
        x = x + motion[..., 0] * per_pixel
        y = y - motion[..., 1] * per_pixel
    return np.sqrt(1.0 + x**2 + y**2)[..., None]


def pixel_slopes(height: int, width: int, fov: float) -> tuple[np.ndarray, np.ndarray]:
    """(W,) and (H,): x and y of each pixel centre's ray at depth 1 along the view axis (x
    right, y up, OpenGL's camera), for a vertical field of view ``fov`` in degrees."""
    tan = math.tan(math.radians(fov) / 2.0)
    xs = ((np.arange(width) + 0.5) / width * 2.0 - 1.0) * tan * (width / height)
    ys = (1.0 - (np.arange(height) + 0.5) / height * 2.0) * tan
    return xs, ys


def axis_depth(ray_depth: np.ndarray, fov: float, motion: np.ndarray | None = None) -> np.ndarray:
    """(H, W, 1) distances along the pixels' rays (through ``p + motion`` where given) ->
    depths along the view axis (0 stays 0: the background)."""
    h, w = ray_depth.shape[:2]
    return (ray_depth / ray_lengths(h, w, fov, motion)).astype(np.float32)
