"""A G-buffer sequence from another renderer, Blender's Cycles, for ``--frames-dir``:
``python benchmarks/blender_frames.py --out DIR`` under a Python that has ``bpy`` and
``OpenEXR`` (``pip install bpy OpenEXR``: Blender as a module, about 370 MB; not one of our
dependencies, and nothing of ours is imported here).

A small scene (a checkered floor, three boxes, one of them moving, a sun and a sky) and a
camera that walks, turns and cuts, rendered by Cycles on the CPU. Per frame one multi-layer
EXR with Blender's own pass names and conventions (``ViewLayer.Combined``, noisy: the
denoiser is off; ``ViewLayer.Denoising Albedo``, ``ViewLayer.Denoising Normal``,
``ViewLayer.Depth``, ``ViewLayer.Vector``) at a few samples, and the same frame at many
samples as a layer of our name, ``reference``; beside them ``path.json``, the cameras in our
camera-path format (Blender's world, z up). ``--frames-dir DIR --channel-map blender``
reads them (README, "Your frames").
"""

from __future__ import annotations

import argparse
import json
import math
import tempfile
from pathlib import Path

import bpy  # type: ignore[import-not-found]
import numpy as np
import OpenEXR  # type: ignore[import-not-found]

FPS = 30
LAYER = "ViewLayer"
PASSES = ("Image", "Denoising Albedo", "Denoising Normal", "Depth", "Vector")
NAMES = {"Image": "Combined"}
"""The compositor's socket name -> the layer's name in Blender's own multi-layer EXR (with
denoising off, as here, the combined pass is the noisy image)."""


def build_scene(size: tuple[int, int], frames: int) -> bpy.types.Scene:
    bpy.ops.wm.read_factory_settings(use_empty=True)
    scene = bpy.context.scene
    scene.render.engine = "CYCLES"
    scene.cycles.device = "CPU"
    scene.render.resolution_x, scene.render.resolution_y = size
    scene.render.resolution_percentage = 100
    scene.render.fps = FPS
    scene.frame_start, scene.frame_end = 1, frames
    scene.render.use_motion_blur = False  # the vector pass needs it off
    world = bpy.data.worlds.new("sky")
    world.use_nodes = True
    world.node_tree.nodes["Background"].inputs[0].default_value = (0.45, 0.6, 0.9, 1.0)
    world.node_tree.nodes["Background"].inputs[1].default_value = 0.8
    scene.world = world
    bpy.ops.object.light_add(type="SUN", rotation=(0.7, 0.2, 0.6))
    bpy.context.object.data.energy = 3.0
    bpy.ops.mesh.primitive_plane_add(size=40)
    bpy.context.object.data.materials.append(checker_material())
    colours = ((0.8, 0.2, 0.1), (0.1, 0.6, 0.2), (0.9, 0.8, 0.3))
    for k, (x, y) in enumerate(((0.0, 0.0), (3.0, 2.0), (-2.5, 3.0))):
        bpy.ops.mesh.primitive_cube_add(size=1.5, location=(x, y, 0.75))
        box = bpy.context.object
        box.data.materials.append(plain_material(f"box{k}", colours[k]))
        if k == 2:  # object motion as well as the camera's
            for frame, dx in ((1, 0.0), (frames, 3.0)):
                box.location.x = x + dx
                box.keyframe_insert("location", frame=frame)
    bpy.ops.object.camera_add()
    scene.camera = bpy.context.object
    scene.camera.data.sensor_fit = "VERTICAL"
    scene.camera.data.angle_y = math.radians(60.0)
    layer = scene.view_layers[0]
    layer.use_pass_z = True
    layer.use_pass_vector = True
    layer.cycles.denoising_store_passes = True
    return scene


def checker_material() -> bpy.types.Material:
    material = bpy.data.materials.new("checker")
    material.use_nodes = True
    nodes, links = material.node_tree.nodes, material.node_tree.links
    checker = nodes.new("ShaderNodeTexChecker")
    checker.inputs["Scale"].default_value = 20.0
    links.new(checker.outputs["Color"], nodes["Principled BSDF"].inputs["Base Color"])
    return material


def plain_material(name: str, colour) -> bpy.types.Material:
    material = bpy.data.materials.new(name)
    material.use_nodes = True
    material.node_tree.nodes["Principled BSDF"].inputs["Base Color"].default_value = (*colour, 1)
    return material


def pass_outputs(scene: bpy.types.Scene, directory: Path) -> None:
    """A compositor writing each pass to its own EXR in ``directory`` (Blender 5 writes no
    pass but the combined one with the render itself)."""
    tree = bpy.data.node_groups.new("passes", "CompositorNodeTree")
    scene.compositing_node_group = tree
    layers = tree.nodes.new("CompositorNodeRLayers")
    layers.scene, layers.layer = scene, scene.view_layers[0].name
    out = tree.nodes.new("CompositorNodeOutputFile")
    out.directory, out.file_name = str(directory) + "/", "pass_"
    out.format.media_type = "IMAGE"
    out.format.file_format = "OPEN_EXR"
    out.format.color_depth = "32"
    for name in PASSES:
        socket = layers.outputs[name]
        # The vector pass has four components: RGBA keeps them all (VECTOR keeps three).
        kind = {"VALUE": "FLOAT", "VECTOR": "VECTOR"}.get(socket.type, "RGBA")
        kind = "RGBA" if name == "Vector" else kind
        out.file_output_items.new(kind, name)
        tree.links.new(socket, out.inputs[name])


def camera_at(frame: int, frames: int) -> tuple[tuple[float, float, float], float, bool]:
    """(position, heading in radians, cut) of frame ``frame`` (from 0): a walk into a turn,
    then a cut to another place and a walk."""
    cut_at = frames * 2 // 3
    t = frame / FPS
    if frame < cut_at:
        turn = max(0.0, (frame - frames / 3) / (frames / 3)) * math.radians(60)
        return (-1.0 + 1.5 * t, -9.0 + 3.0 * t, 1.6), turn, False
    return (6.0 - 1.5 * (t - cut_at / FPS), -6.0, 2.0), math.radians(40), frame == cut_at


def render(out: Path, size: tuple[int, int], frames: int, spp: int, reference_spp: int) -> None:
    scene = build_scene(size, frames)
    work = Path(tempfile.mkdtemp())
    for frame in range(frames):
        position, heading, _ = camera_at(frame, frames)
        scene.camera.location = position
        scene.camera.rotation_euler = (math.radians(80), 0.0, heading)
        for prop in ("location", "rotation_euler"):
            scene.camera.keyframe_insert(prop, frame=frame + 1)
    path_frames = []
    for frame in range(frames):
        scene.frame_set(frame + 1)
        channels = {}
        for name, samples in (("noisy", spp), ("reference", reference_spp)):
            folder = work / f"{name}{frame}"
            pass_outputs(scene, folder)
            scene.cycles.samples = samples
            scene.cycles.use_denoising = False
            scene.cycles.seed = frame
            bpy.ops.render.render(write_still=False)
            if name == "reference":
                image = read(folder / "pass_Image.exr")
                channels |= {f"reference.{c}": image[c] for c in "RGB"}
                continue
            for label in PASSES:
                image = read(folder / f"pass_{label}.exr")
                suffixes = {"Depth": "Z", "Denoising Normal": "XYZ", "Vector": "XYZW"}.get(
                    label, "RGB"
                )
                stored = {"X": "X", "Y": "Y", "Z": "Z", "W": "A", "R": "R", "G": "G", "B": "B"}
                source = {
                    "Depth": {"Z": "R"},
                    "Vector": {"X": "R", "Y": "G", "Z": "B", "W": "A"},
                }.get(label, {})
                for s in suffixes:
                    layer = NAMES.get(label, label)
                    channels[f"{LAYER}.{layer}.{s}"] = image[source.get(s, stored[s])]
        write(out / f"frame_{frame:04d}.exr", channels)
        matrix = np.array(scene.camera.matrix_world, dtype=np.float64)
        entry = {
            "camera_to_world": [round(float(v), 9) for v in matrix.reshape(-1)],
            "fov": 60.0,
            "time": round(frame / FPS, 6),
        }
        if camera_at(frame, frames)[2]:
            entry["cut"] = True
        path_frames.append(entry)
    sidecar = {"format": "reframe-camera-path", "version": 1, "fps": float(FPS)}
    sidecar["frames"] = path_frames
    (out / "path.json").write_text(json.dumps(sidecar, indent=1) + "\n", encoding="utf-8")


def read(file: Path) -> dict[str, np.ndarray]:
    with OpenEXR.File(str(file), separate_channels=True) as f:
        return {name: np.array(ch.pixels, dtype=np.float32) for name, ch in f.channels().items()}


def write(file: Path, channels: dict[str, np.ndarray]) -> None:
    header = {"compression": OpenEXR.ZIP_COMPRESSION, "type": OpenEXR.scanlineimage}
    arrays = {k: np.ascontiguousarray(v, np.float32) for k, v in channels.items()}
    OpenEXR.File(header, arrays).write(str(file))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--resolution", default="160x90")
    parser.add_argument("--frames", type=int, default=30)
    parser.add_argument("--spp", type=int, default=2)
    parser.add_argument("--reference-spp", type=int, default=256)
    args = parser.parse_args()
    width, height = (int(v) for v in args.resolution.split("x"))
    args.out.mkdir(parents=True, exist_ok=True)
    render(args.out, (width, height), args.frames, args.spp, args.reference_spp)


if __name__ == "__main__":
    main()
