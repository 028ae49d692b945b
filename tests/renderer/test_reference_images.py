"""Rendered frames against reference images stored beside this test (mitsuba's render
tests): every G-buffer channel of one moving frame per built-in scene, within a tolerance.
On a failure the image, the reference and their difference are written out as PNGs for a
person to look at, and the assertion names the folder.

After a change that is meant to change the images, look at the failure PNGs, then run
``python -m tests.renderer.test_reference_images`` to store the new references.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from evaluation.exr import frame_channels, read_exr, write_exr
from renderer.context import GLContext
from renderer.pathgen import resolve_path
from renderer.player import PathPlayer, RenderSettings
from renderer.scenes import BUILTIN_SCENES, load_scene
from tests.conftest import TEST_QUALITY

REFERENCES = Path(__file__).parent / "references"
SIZE = (96, 54)
FRAME = 111
"""A frame where the camera and the scenes' objects move (motion is not zero)."""
RELATIVE, FLOOR, SHARE = 0.02, 0.05, 0.002
"""A pixel's channel is off when it differs by more than RELATIVE of its reference value
(at least of FLOOR: dark pixels and zero motion); at most SHARE of the values may be off."""


def render(scene_name: str, gl: GLContext | None = None) -> dict[str, np.ndarray]:
    scene = load_scene(scene_name)
    path = resolve_path("default", scene)
    settings = RenderSettings(size=SIZE, seed=0, quality=TEST_QUALITY, reference=True)
    with PathPlayer(scene, settings, gl) as player:
        # As the EXR contract stores them (half colours): the test compares like with like.
        return frame_channels(player.render(path, FRAME))


def off_share(image: np.ndarray, reference: np.ndarray) -> tuple[float, np.ndarray]:
    """The share of values off, and the per-pixel relative difference."""
    diff = np.abs(image - reference) / np.maximum(np.abs(reference), FLOOR)
    return float((diff > RELATIVE).mean()), diff


def write_failure(folder: Path, layer: str, image, reference, diff) -> None:
    """PNGs of a layer's (H, W, C) image, reference and relative difference (C of 1 to 3
    channels as grey or colour, scaled to the reference's largest value)."""
    folder.mkdir(parents=True, exist_ok=True)
    scale = max(float(np.abs(reference).max()), 1e-6)
    for label, data, top in (
        ("image", image, scale), ("reference", reference, scale), ("difference", diff, 1.0)
    ):  # fmt: skip
        pixels = (np.clip(np.abs(data) / top, 0, 1) * 255).astype(np.uint8)
        if pixels.shape[-1] == 2:
            pixels = np.concatenate([pixels, np.zeros_like(pixels[..., :1])], axis=-1)
        Image.fromarray(pixels.squeeze(-1) if pixels.shape[-1] == 1 else pixels).save(
            folder / f"{layer}_{label}.png"
        )


@pytest.mark.parametrize("scene", BUILTIN_SCENES)
def test_rendered_channels_match_the_stored_reference_images(scene, gl, tmp_path):
    expected = read_exr(REFERENCES / f"{scene}.exr")
    got = render(scene, gl)
    assert set(got) == set(expected), "the EXR contract's channels"
    assert {k: v.dtype for k, v in got.items()} == {k: v.dtype for k, v in expected.items()}
    assert np.abs(expected["motion.X"]).max() > 0.5, "a moving frame"
    bad = {}
    for layer in dict.fromkeys(name.split(".")[0] for name in expected):
        names = sorted(n for n in expected if n.split(".")[0] == layer)  # R, G, B / X, Y, Z
        image = np.stack([got[n].astype(np.float32) for n in names], axis=-1)
        reference = np.stack([expected[n].astype(np.float32) for n in names], axis=-1)
        assert image.shape == reference.shape == (*SIZE[::-1], len(names))
        share, diff = off_share(image, reference)
        if share > SHARE:
            bad[layer] = round(share, 4)
            write_failure(tmp_path / scene, layer, image, reference, diff)
    assert not bad, f"layers off ({bad}): image, reference, difference in {tmp_path / scene}"


def test_the_comparison_sees_a_change_a_person_would(gl):
    """The tolerance is not so loose that a missing shadow or a flipped motion passes."""
    expected = read_exr(REFERENCES / "temple.exr")
    brighter = expected["reference.R"].astype(np.float32) * 1.1
    assert off_share(brighter, expected["reference.R"].astype(np.float32))[0] > SHARE
    flipped = -expected["motion.Y"]
    assert off_share(flipped, expected["motion.Y"])[0] > SHARE


def main() -> None:
    REFERENCES.mkdir(parents=True, exist_ok=True)
    for scene in BUILTIN_SCENES:
        write_exr(REFERENCES / f"{scene}.exr", render(scene))
        print(
            f"wrote {REFERENCES / scene}.exr ({os.path.getsize(REFERENCES / f'{scene}.exr')} bytes)"
        )


if __name__ == "__main__":
    main()
