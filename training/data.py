"""Training data rendered here: random procedural scenes
(:mod:`renderer.scenes.random_scenes`) seen along random short camera paths, never the
built-in scenes or their paths.

Frames are small (192x112) with a narrow field of view, so their pixels have the density of
a 640x360 frame at 60 degrees: each is a crop of the kind of image the networks will see.
A dataset is a list of sequences of consecutive frames, kept on disk as float16.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from safetensors.torch import load_file, save_file
from tqdm import tqdm

from common.atomic import atomic_path
from renderer.camera import Camera
from renderer.frame import Frame
from renderer.path import CameraPath, Keyframe
from renderer.player import PathPlayer, RenderSettings
from renderer.scenes.random_scenes import random_scene
from renderer.scenes.scene import Scene

SIZE = (192, 112)
SEQUENCE = 6
"""Frames per sequence: enough history for every task (two frames back)."""
FIELDS = ("color", "reference", "albedo", "normal", "depth", "motion", "prev_depth")
LOW_FIELDS = ("reference", "albedo", "normal", "depth")
"""What is kept of the half-resolution frame (stored as ``low_<field>``): super-resolution
reads its image and, to upsample it along edges and texture, its G-buffers."""
DATA_VERSION = "2"


def random_path(rng: np.random.Generator, scene: Scene, fps: float = 30.0) -> CameraPath:
    """A short path: still, walking or turning (or both), at a narrow field of view."""
    lo, hi = scene.bounds()
    extent = min(hi[0] - lo[0], hi[2] - lo[2]) / 2
    # Look at something: a random point of the geometry above the floor.
    points = scene.static.positions[scene.static.positions[:, 1] > 0.2]
    look = points[rng.integers(len(points))].astype(np.float64) if len(points) else np.zeros(3)
    distance = rng.uniform(2.0, 12.0)
    angle = rng.uniform(0.0, 2 * math.pi)
    eye = look + np.array([math.cos(angle) * distance, 0.0, math.sin(angle) * distance])
    eye[1] = rng.uniform(0.4, 4.5)
    eye[[0, 2]] = np.clip(eye[[0, 2]], -0.95 * extent, 0.95 * extent)
    if np.linalg.norm(look - eye) < 1.0:
        eye = look + np.array([0.0, 1.0, 3.0])
    duration = (SEQUENCE - 1) / fps
    kind = rng.choice(["still", "walk", "turn", "both"], p=[0.15, 0.35, 0.25, 0.25])
    speed = rng.uniform(0.5, 4.0) if kind in ("walk", "both") else 0.0
    turn = math.radians(rng.uniform(-200, 200)) if kind in ("turn", "both") else 0.0
    heading = rng.normal(size=3) * np.array([1.0, 0.2, 1.0])
    heading /= np.linalg.norm(heading)
    end_eye = eye + heading * speed * duration
    direction = look - eye
    c, s = math.cos(turn * duration), math.sin(turn * duration)
    end_look = end_eye + np.array(
        [c * direction[0] + s * direction[2], direction[1], -s * direction[0] + c * direction[2]]
    )
    fov = float(rng.uniform(16.0, 26.0))
    t0 = float(rng.uniform(0.0, 20.0))  # where moving objects are in their motion
    keys = [
        Keyframe(t0, tuple(eye), tuple(Camera.look_at(tuple(eye), tuple(look)).rotation_xyzw), fov),
        Keyframe(
            t0 + duration,
            tuple(end_eye),
            tuple(Camera.look_at(tuple(end_eye), tuple(end_look)).rotation_xyzw),
            fov,
        ),
    ]
    return CameraPath.from_keyframes(keys, fps)


@dataclass
class TrainingSequence:
    """One rendered sequence: stacked per-frame tensors (float16) and the jitters."""

    tensors: dict[str, torch.Tensor]  # name -> (T, C, H, W)
    jitters: list[tuple[float, float]]

    def frame(self, t: int) -> Frame:
        get = {k: v[t].float() for k, v in self.tensors.items()}
        # Training never reads the half-resolution frame's noisy color or motion.
        low = Frame(
            color=get["low_reference"],
            albedo=get["low_albedo"],
            normal=get["low_normal"],
            depth=get["low_depth"],
            motion=torch.zeros_like(get["low_reference"][:2]),
            prev_depth=get["low_depth"],
            reference=get["low_reference"],
            index=t,
            time=0.0,
            cut=False,
            camera=_NO_CAMERA,
            jitter=self.jitters[t],
        )
        return Frame.from_buffers(
            get,
            index=t,
            time=0.0,
            cut=False,
            camera=_NO_CAMERA,
            low=low,
        )

    def __len__(self) -> int:
        return len(self.jitters)


_NO_CAMERA = Camera(np.eye(4), 60.0)


def render_sequence(scene: Scene, path: CameraPath, player: PathPlayer) -> TrainingSequence:
    frames = [player.render(path, i) for i in range(len(path))]
    tensors = {k: torch.stack([getattr(f, k) for f in frames]).half() for k in FIELDS}
    for k in LOW_FIELDS:
        tensors[f"low_{k}"] = torch.stack([getattr(f.low, k) for f in frames]).half()
    return TrainingSequence(tensors, [f.low.jitter for f in frames])


def build_dataset(
    directory: Path, scenes: int, seed: int = 1234, quiet: bool = False
) -> list[TrainingSequence]:
    """``scenes`` sequences (one random path per random scene), rendered once and then
    read back from ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    sequences = []
    for k in tqdm(range(scenes), desc="render training data", unit="scene", disable=quiet):
        file = directory / f"v{DATA_VERSION}_seed{seed}_{k:04d}.safetensors"
        if file.exists():
            sequences.append(_read(file))
            continue
        rng = np.random.default_rng([seed, k])
        scene = random_scene(rng)
        path = random_path(rng, scene)
        settings = RenderSettings(size=SIZE, seed=int(rng.integers(2**31)), low_res=True)
        with PathPlayer(scene, settings) as player:
            sequence = render_sequence(scene, path, player)
        _write(file, sequence)
        sequences.append(sequence)
    return sequences


def _write(file: Path, sequence: TrainingSequence) -> None:
    jitters = torch.tensor(sequence.jitters, dtype=torch.float32)
    with atomic_path(file) as tmp:
        save_file({**sequence.tensors, "jitters": jitters}, str(tmp))


def _read(file: Path) -> TrainingSequence:
    tensors = load_file(str(file))
    jitters = [tuple(float(v) for v in row) for row in tensors.pop("jitters")]
    return TrainingSequence(tensors, jitters)
