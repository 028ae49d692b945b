"""User scenes from OBJ (with MTL diffuse colors) and glTF/GLB files, loaded through trimesh.

Every triangle mesh of the file's scene graph is placed by its node transform and merged
into the static geometry; the scene gets a framing camera, a default sun and the default
sky (lights in the file are not read: trimesh ignores ``KHR_lights_punctual``, and OBJ has
none).

Color spaces: OBJ/MTL colors (``Kd``, vertex colors) and every texture are taken as sRGB;
glTF ``baseColorFactor`` and ``COLOR_0`` are linear, as the glTF specification defines them.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np
import trimesh

from common.srgb import srgb_to_linear
from renderer.camera import Camera
from renderer.errors import SceneError
from renderer.scenes.builder import SceneBuilder, mesh_from_trimesh
from renderer.scenes.scene import Material, Mesh, Scene, SunLight

DEFAULT_ALBEDO = (0.6, 0.6, 0.6)
"""Linear albedo of meshes without any material or color."""
MAX_ALBEDO = 0.95
"""Albedos are clipped below 1 so no surface reflects all the light it receives."""
GLTF_SUFFIXES = (".gltf", ".glb")

_SUN_DIRECTION = np.array([0.4, 0.8, 0.35]) / np.linalg.norm([0.4, 0.8, 0.35])
DEFAULT_SUN = SunLight(
    direction=(float(_SUN_DIRECTION[0]), float(_SUN_DIRECTION[1]), float(_SUN_DIRECTION[2])),
    angular_radius=2.0,
    irradiance=(3.0, 2.9, 2.7),
)

Z_UP_TO_Y_UP = np.array(
    [[1.0, 0.0, 0.0, 0.0], [0.0, 0.0, 1.0, 0.0], [0.0, -1.0, 0.0, 0.0], [0.0, 0.0, 0.0, 1.0]]
)
"""Rotation by -90 degrees about X: +Z becomes +Y and +Y becomes -Z (right-handed kept)."""

UP_COS = np.cos(np.radians(25.0))
"""A face counts as facing up when its normal is within 25 degrees of the axis."""
BOTTOM_FRACTION = 0.1
"""... and it lies in the lowest 10% of the extent along that axis."""
Z_WINS_RATIO = 1.5
"""Z is chosen only when its score beats Y's by this factor ..."""
Z_MIN_AREA_FRACTION = 0.01
"""... and its up-facing bottom faces cover at least this fraction of the total area."""

CAMERA_FOV = 60.0
CAMERA_ELEVATION = np.radians(30.0)
CAMERA_AZIMUTH = np.radians(-35.0)
"""Around +Y from +Z: the camera stands front-left, the default sun front-right."""
CAMERA_MARGIN = 1.05


def load_mesh_scene(path: Path, up: str = "auto") -> Scene:
    """The scene in an OBJ, glTF or GLB file.

    Args:
        path: the file; a .gltf's buffers and an .obj's .mtl and textures are found next
            to it.
        up: the file's up axis: "y", "z" (rotated so +Z becomes our +Y), or "auto" (see
            :func:`detect_up_axis`).

    Raises:
        SceneError: missing, unreadable or corrupt file, or a file without triangles.
    """
    if up not in ("y", "z", "auto"):
        raise ValueError(f"up must be 'y', 'z' or 'auto', got {up!r}")
    path = Path(path)
    tm_scene = _read(path)
    linear_factors = path.suffix.lower() in GLTF_SUFFIXES
    meshes = [_convert(tm, transform, linear_factors) for tm, transform in _scene_parts(tm_scene)]
    mesh = Mesh.concatenate(meshes)
    if mesh.triangle_count == 0:
        raise SceneError(f"scene file {path} contains no triangles")
    if not np.isfinite(mesh.positions).all():
        raise SceneError(f"scene file {path} has non-finite vertex coordinates")
    lo, hi = mesh.bounds()
    size, far = float(np.linalg.norm(hi - lo)), float(np.abs((lo + hi) / 2).max())
    if far > MAX_OFFSET * max(size, 1e-9):
        raise SceneError(
            f"scene file {path}: its geometry ({size:.3g} across) sits {far:.3g} from the "
            "origin, beyond what float32 positions can place to a pixel; move it near the "
            "origin"
        )
    if up == "z" or (up == "auto" and detect_up_axis(mesh.positions) == "z"):
        mesh = _rotated(mesh, Z_UP_TO_Y_UP[:3, :3])
    builder = SceneBuilder(path.stem)
    builder.add_mesh(mesh)
    builder.add_light(DEFAULT_SUN)
    lo, hi = mesh.bounds()
    return builder.build(camera=default_camera(lo, hi), path=None)


MAX_OFFSET = 1e4
"""How many times its own size a file's geometry may sit from the origin. float32 holds
about 7 digits: a 10-unit model 5e5 away (5e4 times) rendered nothing; 3e4 times still did."""


def detect_up_axis(positions: np.ndarray) -> str:
    """ "y" or "z": which axis of a triangle soup ((3F, 3) positions) most likely points up.

    Heuristic: floors, ground planes and the tops of bases face up and sit at the bottom of
    a scene. Each candidate axis scores the area of the faces whose normal lies within 25
    degrees of +axis and whose centroid lies in the lowest 10% of the scene's extent along
    that axis. Walls seen along the wrong axis rarely face inwards at the bottom with as
    much area as a floor. Z wins only clearly: its score must exceed Y's by half again and
    cover at least 1% of the total surface area; otherwise "y" (glTF's convention and
    ours). Content with no up-facing bottom (a lone sphere, a closed cube room) stays "y";
    so does a lone Z-up object without a floor (a statue, a table), which then lies on its
    side: pass ``up="z"`` for those.
    """
    tri = np.asarray(positions, np.float64).reshape(-1, 3, 3)
    cross = np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0])
    double_area = np.linalg.norm(cross, axis=1)
    total = double_area.sum()
    if total <= 0:
        return "y"
    unit = cross / np.maximum(double_area, 1e-30)[:, None]
    centroid = tri.mean(axis=1)
    scores = {}
    for name, axis in (("y", 1), ("z", 2)):
        lo, hi = positions[:, axis].min(), positions[:, axis].max()
        bottom = centroid[:, axis] <= lo + BOTTOM_FRACTION * (hi - lo)
        facing = unit[:, axis] >= UP_COS
        scores[name] = double_area[bottom & facing].sum()
    z_clear = scores["z"] > Z_WINS_RATIO * scores["y"]
    z_big = scores["z"] >= Z_MIN_AREA_FRACTION * total
    return "z" if z_clear and z_big else "y"


def default_camera(lo: np.ndarray, hi: np.ndarray) -> Camera:
    """An elevated 3/4 view of the box ``lo``..``hi`` that holds its whole bounding sphere
    within the vertical field of view (images are wider than tall)."""
    center = (np.asarray(lo, np.float64) + np.asarray(hi, np.float64)) / 2
    # Any size frames alike (a floor of 1e-3 put a millimetre-sized model far off).
    radius = max(float(np.linalg.norm(np.asarray(hi) - np.asarray(lo))) / 2, 1e-9)
    distance = CAMERA_MARGIN * radius / np.sin(np.radians(CAMERA_FOV) / 2)
    direction = np.array(
        [
            np.cos(CAMERA_ELEVATION) * np.sin(CAMERA_AZIMUTH),
            np.sin(CAMERA_ELEVATION),
            np.cos(CAMERA_ELEVATION) * np.cos(CAMERA_AZIMUTH),
        ]
    )
    eye = center + distance * direction
    return Camera.look_at(tuple(eye), tuple(center), fov=CAMERA_FOV)


def _read(path: Path) -> trimesh.Scene:
    """The file as a trimesh scene; every failure of the parser becomes a SceneError."""
    if not path.exists():
        raise SceneError(f"scene file not found: {path}")
    if not path.is_file():
        raise SceneError(f"scene file {path} is not a file")
    _precheck(path)
    try:
        loaded = trimesh.load_scene(str(path))
    # Parsers fail in many ways on corrupt files (IndexError, KeyError, struct.error,
    # ValueError, ...): none of them is a bug of ours, so all become the user's error.
    except Exception as exc:
        raise SceneError(f"cannot read scene file {path} ({_describe(exc)})") from exc
    if not isinstance(loaded, trimesh.Scene):
        raise SceneError(f"scene file {path} holds no meshes")
    return loaded


def _precheck(path: Path) -> None:
    """Catch the corruptions trimesh reports misleadingly: a .gltf that is not JSON (it
    then looks for a missing "model.gltf"), an .obj that is binary data."""
    suffix = path.suffix.lower()
    try:
        if suffix == ".gltf":
            document = json.loads(path.read_bytes())
            if not isinstance(document, dict):
                raise SceneError(f"scene file {path} is not a glTF document (no JSON object)")
        elif suffix == ".obj":
            with path.open("rb") as f:
                head = f.read(1 << 16)
            if b"\0" in head:
                raise SceneError(f"scene file {path} is binary data, not OBJ text")
    except json.JSONDecodeError as exc:
        raise SceneError(
            f"scene file {path} is not valid JSON: {exc.msg} (line {exc.lineno})"
        ) from exc
    except UnicodeDecodeError as exc:
        raise SceneError(f"scene file {path} is not valid JSON (not UTF-8 text)") from exc
    except OSError as exc:
        raise SceneError(f"cannot read scene file {path} ({_describe(exc)})") from exc


def _describe(exc: Exception) -> str:
    """One short line about a parser's exception."""
    if isinstance(exc, ImportError) and exc.name == "charset_normalizer":
        # trimesh needs charset_normalizer to guess a text file's encoding when it is
        # not UTF-8; without it that is what the user can act on.
        return "not UTF-8 text"
    text = " ".join(str(exc).split())
    text = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    return text if len(text) <= 160 else text[:157] + "..."


def _scene_parts(tm_scene: trimesh.Scene) -> list[tuple[trimesh.Trimesh, np.ndarray]]:
    """Every triangle mesh instance with its node's world transform (file axes)."""
    parts = []
    for node in tm_scene.graph.nodes_geometry:
        transform, geometry_name = tm_scene.graph[node]
        geometry = tm_scene.geometry.get(geometry_name)
        # Lines and point clouds have no surface to render.
        if isinstance(geometry, trimesh.Trimesh) and len(geometry.faces):
            parts.append((geometry, np.asarray(transform, np.float64)))
    return parts


def _convert(tm: trimesh.Trimesh, transform: np.ndarray, linear_factors: bool) -> Mesh:
    """Our triangle soup of one placed mesh with its per-vertex, per-face or single albedo."""
    albedo, kind = _albedo(tm, linear_factors)
    if kind == "vertex":
        return mesh_from_trimesh(tm, Material(DEFAULT_ALBEDO), transform, vertex_albedo=albedo)
    if kind == "face":
        mesh = mesh_from_trimesh(tm, Material(DEFAULT_ALBEDO), transform)
        return replace(mesh, albedo=np.repeat(albedo.astype(np.float32), 3, axis=0))
    return mesh_from_trimesh(tm, Material(tuple(float(v) for v in albedo)), transform)


def _albedo(tm: trimesh.Trimesh, linear_factors: bool) -> tuple[np.ndarray, str]:
    """Linear albedo of ``tm`` and its kind: "vertex" (V, 3), "face" (F, 3) or "uniform" (3,).

    ``linear_factors``: material factors and vertex colors are linear (glTF), not sRGB.
    """
    visual = tm.visual
    decode = _to_linear if linear_factors else _srgb_bytes_to_linear
    if isinstance(visual, trimesh.visual.ColorVisuals):
        if visual.kind == "vertex":
            return _clip(decode(visual.vertex_colors)), "vertex"
        if visual.kind == "face":
            return _clip(decode(visual.face_colors)), "face"
        return np.asarray(DEFAULT_ALBEDO), "uniform"
    if isinstance(visual, trimesh.visual.TextureVisuals):
        return _texture_albedo(visual, decode)
    return np.asarray(DEFAULT_ALBEDO), "uniform"


def _texture_albedo(
    visual: trimesh.visual.TextureVisuals, decode: Callable[[np.ndarray], np.ndarray]
) -> tuple[np.ndarray, str]:
    """A material's color: its texture sampled at the vertices when it has one (times the
    glTF factor and vertex colors, which multiply it), else its flat color."""
    material = visual.material
    if isinstance(material, trimesh.visual.material.PBRMaterial):
        image = material.baseColorTexture
        # glTF's default baseColorFactor is white.
        factor = (
            np.ones(3) if material.baseColorFactor is None else decode(material.baseColorFactor)
        )
    elif isinstance(material, trimesh.visual.material.SimpleMaterial):
        image = material.image
        # OBJ viewers show map_Kd as is and ignore Kd next to it.
        factor = np.ones(3) if image is not None else decode(material.diffuse)
    else:
        return np.asarray(DEFAULT_ALBEDO), "uniform"
    colors = visual.vertex_attributes.get("color")
    if image is not None and visual.uv is not None and len(visual.uv):
        texels = _srgb_bytes_to_linear(material.to_color(visual.uv))
        result = texels * factor
        if colors is not None and len(colors) == len(result):
            result = result * decode(colors)
        return _clip(result), "vertex"
    if colors is not None and len(colors):
        return _clip(decode(colors) * factor), "vertex"
    return _clip(factor), "uniform"


def _srgb_bytes_to_linear(colors: np.ndarray) -> np.ndarray:
    """RGB(A) colors, 8-bit or float in [0, 1], decoded from sRGB (float64); alpha dropped."""
    return srgb_to_linear(_unit(colors))


def _to_linear(colors: np.ndarray) -> np.ndarray:
    """RGB(A) colors that already are linear, as floats in [0, 1]; alpha dropped."""
    return _unit(colors)


def _unit(colors: np.ndarray) -> np.ndarray:
    """RGB of colors stored as floats or as normalized integers (glTF allows 8 and 16 bits)."""
    c = np.asarray(colors)
    rgb = c[..., :3].astype(np.float64)
    return rgb / np.iinfo(c.dtype).max if np.issubdtype(c.dtype, np.integer) else rgb


def _clip(albedo: np.ndarray) -> np.ndarray:
    return np.clip(albedo, 0.0, MAX_ALBEDO)


def _rotated(mesh: Mesh, rotation: np.ndarray) -> Mesh:
    """``mesh`` turned by a (3, 3) rotation (positions and normals alike)."""
    r = rotation.astype(np.float32)
    return replace(mesh, positions=mesh.positions @ r.T, normals=mesh.normals @ r.T)
