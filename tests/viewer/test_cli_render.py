"""``reframe-rt render``: EXR output, determinism, and one clear line for every user mistake."""

import subprocess
import sys

import numpy as np
import pytest

from evaluation.exr import read_exr
from viewer.cli import main

SMALL = ["--resolution", "64x36", "--frames", "2", "--quiet"]
CHANNELS = {
    "color.R",
    "color.G",
    "color.B",
    "reference.R",
    "reference.G",
    "reference.B",
    "albedo.R",
    "albedo.G",
    "albedo.B",
    "normal.X",
    "normal.Y",
    "normal.Z",
    "depth.Z",
    "motion.X",
    "motion.Y",
    "prev_depth.Z",
}


def test_render_writes_one_exr_per_frame_with_the_design_channels(tmp_path):
    out = tmp_path / "render"
    assert main(["render", "--scene", "temple", *SMALL, "--out", str(out)]) == 0
    files = sorted(p.name for p in out.iterdir())
    # The frames, and their cameras, times and cuts (what --frames-dir reads beside them).
    assert files == ["frame_0000.exr", "frame_0001.exr", "path.json"]
    channels = read_exr(out / "frame_0001.exr")
    assert set(channels) == CHANNELS
    assert channels["depth.Z"].shape == (36, 64)
    # What the renderer makes at full precision is stored so (a lossless round trip).
    for name in ("depth.Z", "motion.X", "prev_depth.Z", "normal.X", "reference.R"):
        assert channels[name].dtype == np.float32, name
    assert channels["color.R"].dtype == np.float16 and channels["albedo.R"].dtype == np.float16
    normal = np.stack([channels[f"normal.{a}"] for a in "XYZ"]).astype(np.float32)
    length = np.linalg.norm(normal, axis=0)
    geometry = channels["depth.Z"] > 0
    np.testing.assert_allclose(length[geometry], 1.0, atol=2e-3)
    assert np.all(length[~geometry] == 0)


def test_the_same_command_twice_writes_identical_files(tmp_path):
    for run in ("a", "b"):
        assert (
            main(
                ["render", "--scene", "arena", *SMALL, "--seed", "3", "--out", str(tmp_path / run)]
            )
            == 0
        )
    for name in ("frame_0000.exr", "frame_0001.exr"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def corrupt_obj(tmp_path):
    path = tmp_path / "broken.obj"
    path.write_bytes(b"v 0 0 0\nv 1 nope\nf 1 2 3 4 5\n\x00\xff\xfe garbage")
    return str(path)


def bad_path_json(tmp_path):
    path = tmp_path / "path.json"
    path.write_text('{"format": "reframe-camera-path", "version": 1, "fps": 30, "frames": [{}]}')
    return str(path)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (lambda t: ["--scene", "atlantis"], "unknown scene 'atlantis'"),
        (lambda t: ["--scene", str(t / "missing.obj")], "scene file not found"),
        (lambda t: ["--scene", corrupt_obj(t)], "broken.obj"),
        (lambda t: ["--path", bad_path_json(t)], "frames[0]"),
        (lambda t: ["--path", str(t / "nothere.json")], "camera path file not found"),
        (lambda t: ["--resolution", "640by360"], "bad resolution '640by360'"),
        (lambda t: ["--resolution", "0x360"], "bad resolution '0x360'"),
        (lambda t: ["--frames", "0"], "--frames must be at least 1"),
        (lambda t: ["--out", str(t / "afile" / "out")], "--out"),
    ],
)
def test_bad_input_exits_2_with_one_line_and_writes_nothing(tmp_path, capsys, args, expected):
    (tmp_path / "afile").write_text("")
    out = tmp_path / "out"
    assert main(["render", "--quiet", "--out", str(out), *args(tmp_path)]) == 2
    err = capsys.readouterr().err.strip()
    assert expected in err
    assert len(err.splitlines()) == 1 and err.startswith("reframe-rt: error: ")
    assert not out.exists()


def test_console_script_end_to_end(tmp_path):
    """The installed entry point: status 2, one line on stderr, no traceback."""
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "viewer.cli",
            "render",
            "--scene",
            "nowhere",
            "--out",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "reframe-rt: error: unknown scene 'nowhere': use one of temple, garden, arena or a "
        ".obj/.gltf/.glb file"
    )
    assert "Traceback" not in result.stderr


def test_unknown_flag_is_a_usage_error():
    with pytest.raises(SystemExit) as info:
        main(["render", "--no-such-flag"])
    assert info.value.code == 2
