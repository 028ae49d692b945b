"""Do the denoisers generalise beyond our shapes? ``python -m benchmarks.generalization``.

Writes an OBJ scene that training never saw — a hilly terrain with a twisted tower, blobby
sculptures, a dome and a stair, with MTL diffuse colors — loads it as any user file would
be, and denoises frames along its generated orbit-and-walk path at 640x360.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import trimesh
from trimesh.transformations import rotation_matrix, translation_matrix

from benchmarks import runtime
from common.metrics.sequence import sequence_psnr
from evaluation.methods import methods_for
from evaluation.runlog import RunLog
from evaluation.runner import Runner
from networks.tasks import TASKS
from renderer.lights import ShadowQuality
from renderer.pathgen import resolve_path
from renderer.player import RenderSettings
from renderer.scenes import load_scene


def sculpture_court(rng: np.random.Generator) -> list[tuple[trimesh.Trimesh, tuple]]:
    parts = []
    n = 48
    xs = np.linspace(-20, 20, n)
    gx, gz = np.meshgrid(xs, xs)
    gy = 0.8 * np.sin(gx / 4.0) * np.cos(gz / 5.0) + 0.3 * np.sin(gx * 0.9 + gz * 0.7)
    vertices = np.stack([gx, gy, gz], -1).reshape(-1, 3)
    i, j = np.meshgrid(np.arange(n - 1), np.arange(n - 1), indexing="ij")
    a = (i * n + j).ravel()
    faces = np.concatenate([np.stack([a, a + n, a + 1], 1), np.stack([a + 1, a + n, a + n + 1], 1)])
    parts.append((trimesh.Trimesh(vertices, faces), (0.45, 0.5, 0.3)))
    tower = [
        trimesh.creation.box(
            (2.0, 0.5, 2.0),
            transform=translation_matrix((0, 1.5 + 0.5 * k, 0))
            @ rotation_matrix(0.15 * k, (0, 1, 0)),
        )
        for k in range(14)
    ]
    parts.append((trimesh.util.concatenate(tower), (0.75, 0.7, 0.65)))
    for k in range(6):
        blob = trimesh.creation.icosphere(3, radius=1.0)
        blob.vertices *= 1.0 + 0.25 * np.sin(3 * blob.vertices[:, :1] + k) * np.cos(
            2 * blob.vertices[:, 1:2]
        )
        angle = k / 6 * 2 * np.pi
        blob.apply_translation((8 * np.cos(angle), 2.0, 8 * np.sin(angle)))
        parts.append((blob, tuple(float(c) for c in rng.uniform(0.2, 0.85, 3))))
    dome = trimesh.creation.icosphere(3, radius=3.0)
    dome.update_faces(dome.triangles_center[:, 1] > 0)
    dome.apply_translation((-12, 0.5, -10))
    parts.append((dome, (0.8, 0.4, 0.3)))
    stair = [
        trimesh.creation.box(
            (4.0, 0.3 * (k + 1), 0.8),
            transform=translation_matrix((12, 0.15 * (k + 1), -12 + 0.8 * k)),
        )
        for k in range(8)
    ]
    parts.append((trimesh.util.concatenate(stair), (0.6, 0.6, 0.7)))
    return parts


def write_obj(parts, directory: Path) -> Path:
    """An OBJ and its MTL, one material per part."""
    lines, mtl, offset = ["mtllib court.mtl"], [], 1
    for k, (mesh, color) in enumerate(parts):
        mtl += [f"newmtl part{k}", f"Kd {color[0]:.4f} {color[1]:.4f} {color[2]:.4f}", ""]
        lines += [f"o part{k}", f"usemtl part{k}"]
        lines += [f"v {x:.5f} {y:.5f} {z:.5f}" for x, y, z in mesh.vertices]
        lines += [f"f {a + offset} {b + offset} {c + offset}" for a, b, c in mesh.faces]
        offset += len(mesh.vertices)
    (directory / "court.mtl").write_text("\n".join(mtl) + "\n")
    obj = directory / "court.obj"
    obj.write_text("\n".join(lines) + "\n")
    return obj


def main() -> None:
    parser = runtime.parser(__doc__)
    parser.add_argument("--frames", type=int, default=60)
    parser.add_argument("--arch", default="unet")
    args = runtime.start(parser)
    with tempfile.TemporaryDirectory() as tmp:
        obj = write_obj(sculpture_court(np.random.default_rng(11)), Path(tmp))
        scene = load_scene(str(obj))
        path = resolve_path("default", scene)
        task = TASKS["denoise"]
        settings = RenderSettings(size=(640, 360), quality=ShadowQuality())
        runner = Runner(scene, path, task, methods_for(task, ["full"], args.arch), settings)
        log = RunLog("denoise", scene.name, "generated", (640, 360), args.arch)
        try:
            for result in runner.run(args.frames):
                log.add(result)
        finally:
            runner.close()
    base = sequence_psnr([r["psnr_vs_ref"] for r in log.of("baseline")])
    full = sequence_psnr([r["psnr_vs_ref"] for r in log.of("full")])
    print(
        f"OBJ scene never seen in training ({scene.triangle_count} triangles), denoise "
        f"{args.arch}, {args.frames} frames at 640x360 along its generated path"
    )
    print("| method | PSNR vs reference | FLIP vs reference |")
    print("|---|---|---|")
    for method, value in (("1-spp input", base), (f"{args.arch} denoiser", full)):
        name = "baseline" if method.startswith("1-spp") else "full"
        flip = np.mean([r["flip_vs_ref"] for r in log.of(name)])
        print(f"| {method} | {value:.2f} dB | {flip:.4f} |")
    print(f"\ngain: {full - base:+.2f} dB")


if __name__ == "__main__":
    main()
