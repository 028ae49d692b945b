"""The built-in "garden" scene: organic shapes, many small objects and fine detail.

A walled garden about 28 m across (Y up, metres): a lawn inside a clipped hedge, gravel
paths in a cross meeting at a stone plaza with a fountain, a pergola whose slats cast
striped shadows on the east path, trees, bushes, flower beds, pebbles and grass tufts.
A garden windmill turns and a lantern swings under the pergola. Lit by a low afternoon
sun and the sky.

The renderer pays per triangle and per shadow map, so detail comes from object-space
patterns and many small low-poly parts rather than from dense meshes: the static
geometry stays under 25k triangles and the moving parts under 1.5k.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import trimesh
from trimesh import transformations as tf

from renderer.camera import Camera
from renderer.path import Keyframe
from renderer.scenes.builder import SceneBuilder, mesh_from_trimesh
from renderer.scenes.scene import RGB, Material, Scene, Sky, SunLight, Vec3

SEED = 7305
"""Fixes every random choice: the scene is the same on every build."""

HALF = 14.2
"""The lawn spans [-HALF, HALF] in x and z, just past the hedge: the shadow maps cover the
scene's bounding sphere, so every metre of extent coarsens every shadow."""
HEDGE_LINE = 13.4
"""Centre line of the enclosing hedge; tall enough to hide the world's edge from inside."""
HEDGE_HEIGHT = 2.4

SUN = SunLight(
    # Afternoon sun from the west-south-west, 48 degrees up: the pergola slats (running
    # north-south) throw their stripes onto the path beneath them, and shadows cross the
    # views along the north-south path sideways, where they read best.
    direction=(
        -math.cos(math.radians(48)) * math.sin(math.radians(70)),
        math.sin(math.radians(48)),
        math.cos(math.radians(48)) * math.cos(math.radians(70)),
    ),
    angular_radius=1.5,
    irradiance=(3.0, 2.85, 2.6),
)

PERGOLA_X = (5.0, 11.0)
"""The pergola spans this stretch of the east path."""
PERGOLA_HEIGHT = 2.6
LANTERN_PIVOT = (8.0, PERGOLA_HEIGHT - 0.02, 0.0)
WINDMILL_HUB = (-7.0, 2.35, 6.2)
WINDMILL_YAW = math.radians(45)
"""The rotor faces south-east, towards the path's third shot."""

# Colours (linear RGB).
LAWN = (0.09, 0.19, 0.045)
HEDGE = (0.07, 0.2, 0.06)
GRAVEL = (0.4, 0.36, 0.3)
STONE = (0.5, 0.49, 0.46)
PALE_STONE = (0.62, 0.6, 0.56)
WATER = (0.06, 0.11, 0.13)
WOOD = (0.34, 0.21, 0.12)
BARK = (0.2, 0.14, 0.09)
SOIL = (0.16, 0.1, 0.06)
IRON = (0.06, 0.06, 0.06)
ROCK_TINTS = ((0.3, 0.27, 0.23), (0.25, 0.25, 0.26), (0.34, 0.3, 0.24))
LEAF_GREENS = ((0.1, 0.26, 0.06), (0.15, 0.28, 0.06), (0.07, 0.2, 0.08), (0.17, 0.27, 0.05))
BLOOMS = (
    (0.75, 0.08, 0.07),  # red
    (0.85, 0.65, 0.06),  # yellow
    (0.4, 0.15, 0.6),  # purple
    (0.82, 0.8, 0.76),  # white
    (0.85, 0.35, 0.5),  # pink
    (0.85, 0.32, 0.05),  # orange
)

Z_TO_Y = tf.rotation_matrix(-math.pi / 2, (1, 0, 0))
"""trimesh builds cylinders, cones and revolved shapes along +Z; the scene is Y-up."""

Part = tuple[trimesh.Trimesh, RGB]
PatternKey = tuple[str, float, float]


# -- small geometric helpers ------------------------------------------------------------


def _pose(
    position: Sequence[float] = (0, 0, 0),
    scale: float | Sequence[float] = 1.0,
    yaw: float = 0.0,
    tilt: Sequence[float] = (0.0, 0.0),
) -> np.ndarray:
    """Object-to-world: scale, tilt about x then z (radians), yaw about y, translate."""
    s = np.diag([*np.broadcast_to(np.asarray(scale, np.float64), 3), 1.0])
    r = (
        tf.rotation_matrix(yaw, (0, 1, 0))
        @ tf.rotation_matrix(tilt[1], (0, 0, 1))
        @ tf.rotation_matrix(tilt[0], (1, 0, 0))
    )
    return tf.translation_matrix(position) @ r @ s


def _moved(tm: trimesh.Trimesh, transform: np.ndarray) -> trimesh.Trimesh:
    """A transformed copy (trimesh transforms in place)."""
    out = tm.copy()
    out.apply_transform(transform)
    return out


def _cylinder(radius: float, height: float, sections: int = 7) -> trimesh.Trimesh:
    """Upright cylinder standing on y = 0."""
    tm = trimesh.creation.cylinder(radius, height, sections=sections)
    return _moved(tm, tf.translation_matrix((0, height / 2, 0)) @ Z_TO_Y)


def _cone(radius: float, height: float, sections: int = 7) -> trimesh.Trimesh:
    """Upright cone with its base on y = 0."""
    return _moved(trimesh.creation.cone(radius, height, sections=sections), Z_TO_Y)


def _revolved(profile: Sequence[tuple[float, float]], sections: int) -> trimesh.Trimesh:
    """A solid of revolution about +Y from (radius, height) points."""
    return _moved(
        trimesh.creation.revolve(np.asarray(profile, np.float64), sections=sections), Z_TO_Y
    )


def _box(size: Sequence[float], center: Sequence[float] = (0, 0, 0)) -> trimesh.Trimesh:
    """An axis-aligned box of ``size`` around ``center``."""
    return trimesh.creation.box(size, transform=tf.translation_matrix(center))


class _Noise:
    """Smooth 3-D noise with values roughly in [-1, 1]: a sum of random plane waves.

    Cheaper to write than lattice noise and just as good for bumping a few hundred vertices.
    """

    def __init__(self, rng: np.random.Generator, frequency: float, octaves: int = 3) -> None:
        waves = 4
        dirs = rng.normal(size=(octaves * waves, 3))
        dirs /= np.linalg.norm(dirs, axis=1, keepdims=True)
        octave = np.repeat(np.arange(octaves), waves)
        self.k = dirs * (2 * np.pi * frequency * 2.0**octave)[:, None]
        self.phase = rng.uniform(0, 2 * np.pi, len(dirs))
        self.amp = 0.5**octave
        self.norm = 2.0 * math.sqrt(0.5 * float(np.sum(self.amp**2)))

    def __call__(self, points: np.ndarray) -> np.ndarray:
        return np.sin(np.asarray(points) @ self.k.T + self.phase) @ self.amp / self.norm


def _blob(
    rng: np.random.Generator,
    radii: Sequence[float],
    subdivisions: int = 1,
    roughness: float = 0.25,
    frequency: float = 0.9,
) -> trimesh.Trimesh:
    """A noise-displaced ellipsoid centred on the origin: crowns, bushes, stones."""
    tm = trimesh.creation.icosphere(subdivisions)
    v = np.asarray(tm.vertices)
    bump = 1.0 + roughness * _Noise(rng, frequency)(v)
    tm.vertices = v * bump[:, None] * np.asarray(radii, np.float64)
    return tm


def _grid_box(size: Sequence[float], cell: float) -> trimesh.Trimesh:
    """An open-bottomed box centred on the origin whose faces are grids of about ``cell``
    metres, so that it can be bent and bumped (a box has only its corners)."""
    sx, sy, sz = (float(s) / 2 for s in size)
    faces_def = [  # origin, u edge, v edge (u x v points outwards)
        ((-sx, sy, sz), (2 * sx, 0, 0), (0, 0, -2 * sz)),  # top
        ((-sx, -sy, sz), (2 * sx, 0, 0), (0, 2 * sy, 0)),  # +z
        ((sx, -sy, -sz), (-2 * sx, 0, 0), (0, 2 * sy, 0)),  # -z
        ((sx, -sy, sz), (0, 0, -2 * sz), (0, 2 * sy, 0)),  # +x
        ((-sx, -sy, -sz), (0, 0, 2 * sz), (0, 2 * sy, 0)),  # -x
    ]
    parts = []
    for origin, u, v in faces_def:
        nu = max(1, round(np.linalg.norm(u) / cell))
        nv = max(1, round(np.linalg.norm(v) / cell))
        a, b = np.meshgrid(np.linspace(0, 1, nu + 1), np.linspace(0, 1, nv + 1), indexing="ij")
        verts = (
            np.asarray(origin) + a.reshape(-1, 1) * np.asarray(u) + b.reshape(-1, 1) * np.asarray(v)
        )
        idx = np.arange((nu + 1) * (nv + 1)).reshape(nu + 1, nv + 1)
        p, q, r, s = idx[:-1, :-1], idx[1:, :-1], idx[1:, 1:], idx[:-1, 1:]
        tris = np.concatenate([np.stack([p, q, r], -1), np.stack([p, r, s], -1)]).reshape(-1, 3)
        parts.append(trimesh.Trimesh(verts, tris, process=False))
    tm = trimesh.util.concatenate(parts)
    tm.merge_vertices()
    return tm


# -- collecting parts -------------------------------------------------------------------


class _Parts:
    """Parts grouped by pattern, each part with its own albedo: one mesh per group keeps
    building fast however many pebbles and flowers there are."""

    def __init__(self) -> None:
        self.groups: dict[PatternKey, list[Part]] = {}

    def add(
        self,
        tm: trimesh.Trimesh,
        albedo: Sequence[float],
        transform: np.ndarray | None = None,
        pattern: str = "none",
        scale: float = 1.0,
        contrast: float = 0.0,
    ) -> None:
        if transform is not None:
            tm = _moved(tm, transform)
        rgb = tuple(float(np.clip(c, 0.0, 1.0)) for c in albedo)
        self.groups.setdefault((pattern, scale, contrast), []).append((tm, rgb))  # type: ignore[arg-type]

    def into(self, builder: SceneBuilder) -> None:
        for (pattern, scale, contrast), parts in self.groups.items():
            tm = trimesh.util.concatenate([p[0] for p in parts])
            colors = np.concatenate(
                [np.tile(np.asarray(rgb, np.float32), (len(m.vertices), 1)) for m, rgb in parts]
            )
            material = Material((1.0, 1.0, 1.0), pattern, scale, contrast)
            builder.add_mesh(mesh_from_trimesh(tm, material, vertex_albedo=colors))


def _vary(rng: np.random.Generator, rgb: Sequence[float], amount: float = 0.12) -> RGB:
    """``rgb`` with a random brightness and a slight hue shift, so repeats don't look cloned."""
    c = np.asarray(rgb) * rng.uniform(1 - amount, 1 + amount) * rng.uniform(0.95, 1.05, 3)
    return tuple(float(x) for x in np.clip(c, 0, 1))  # type: ignore[return-value]


# -- the garden's parts -----------------------------------------------------------------


def _ground(parts: _Parts) -> None:
    """Lawn, the cross of gravel paths and the round plaza, stacked a few cm apart so they
    never fight over depth."""
    parts.add(
        _box((2 * HALF, 0.2, 2 * HALF), (0, -0.1, 0)),
        LAWN,
        pattern="noise",
        scale=3.0,
        contrast=0.5,
    )
    for axis in (0, 2):
        for sign in (-1, 1):
            size = [2.2, 0.05, 2.2]
            size[axis] = HEDGE_LINE - 3.0
            center = [0.0, 0.0, 0.0]
            center[axis] = sign * (3.0 + size[axis] / 2)
            parts.add(_box(size, center), GRAVEL, pattern="noise", scale=14.0, contrast=0.6)
    plaza = _moved(trimesh.creation.cylinder(3.4, 0.08, sections=32), Z_TO_Y)
    parts.add(plaza, PALE_STONE, pattern="tiles", scale=1.6, contrast=0.45)


def _fountain(parts: _Parts) -> None:
    """A round basin with a two-tier fountain in the middle of the plaza."""
    rim = _moved(
        trimesh.creation.annulus(1.55, 1.85, 0.5, sections=28),
        tf.translation_matrix((0, 0.25, 0)) @ Z_TO_Y,
    )
    parts.add(rim, STONE, pattern="tiles", scale=2.5, contrast=0.35)
    water = _moved(
        trimesh.creation.cylinder(1.56, 0.02, sections=28),
        tf.translation_matrix((0, 0.36, 0)) @ Z_TO_Y,
    )
    parts.add(water, WATER, pattern="noise", scale=3.0, contrast=0.35)
    # Pedestal, lower bowl, stem, upper bowl, finial: one lathe profile (radius, height).
    profile = [
        (0.0, 0.3),
        (0.32, 0.3),
        (0.26, 0.45),
        (0.18, 0.55),
        (0.16, 0.85),
        (0.2, 0.92),
        (0.75, 1.02),
        (0.78, 1.1),
        (0.2, 1.12),
        (0.1, 1.2),
        (0.1, 1.55),
        (0.38, 1.62),
        (0.4, 1.68),
        (0.08, 1.7),
        (0.05, 1.85),
        (0.1, 1.95),
        (0.0, 2.05),
    ]
    parts.add(_revolved(profile, 14), PALE_STONE, pattern="noise", scale=6.0, contrast=0.2)


def _pebble_ring(parts: _Parts, rng: np.random.Generator) -> None:
    """Loose pebbles around the plaza edge and along the paths' borders."""
    spots = []
    for angle in np.linspace(0, 2 * np.pi, 60, endpoint=False):
        r = 3.45 + rng.uniform(0, 0.2)
        spots.append((r * math.cos(angle), r * math.sin(angle)))
    for _ in range(100):
        along = rng.uniform(3.6, HEDGE_LINE - 1.0)
        side = rng.choice((-1, 1)) * rng.uniform(1.12, 1.3)
        spots.append((along, side) if rng.random() < 0.5 else (side, along))
        if rng.random() < 0.5:
            spots[-1] = (-spots[-1][0], -spots[-1][1])
    for x, z in spots:
        size = rng.uniform(0.05, 0.13)
        radii = (size * rng.uniform(0.8, 1.3), size * rng.uniform(0.4, 0.7), size)
        tm = _blob(rng, radii, subdivisions=0, roughness=0.2)
        grey = rng.uniform(0.3, 0.65)
        parts.add(
            tm,
            _vary(rng, (grey, grey * 0.97, grey * 0.92), 0.05),
            _pose((x, radii[1] * 0.35, z), yaw=rng.uniform(0, 2 * np.pi)),
        )


def _hedges(parts: _Parts, rng: np.random.Generator) -> None:
    """The clipped hedge around the garden: four bumpy walls with leafy speckle."""
    noise = _Noise(rng, 0.35)
    for axis in (0, 2):
        for sign in (-1, 1):
            length = 2 * HEDGE_LINE + (1.2 if axis == 0 else -1.2)
            size = (length, HEDGE_HEIGHT, 1.2) if axis == 0 else (1.2, HEDGE_HEIGHT, length)
            tm = _grid_box(size, 0.8)
            center = np.array([0.0, HEDGE_HEIGHT / 2, 0.0])
            center[2 - axis] = sign * HEDGE_LINE
            tm.apply_translation(center)
            v = np.asarray(tm.vertices)
            # Bulge out at mid-height and wobble: a hand-clipped hedge, not a wall.
            bump = 0.12 * noise(v) + 0.08 * np.sin(np.pi * np.clip(v[:, 1] / HEDGE_HEIGHT, 0, 1))
            # The bottom rim stays put, so the hedge never floats above the lawn.
            above = v[:, 1] > 0.05
            tm.vertices = v + np.asarray(tm.vertex_normals) * (bump * above)[:, None]
            parts.add(tm, HEDGE, pattern="noise", scale=7.0, contrast=0.7)


def _tree(parts: _Parts, rng: np.random.Generator, base: Sequence[float], height: float) -> None:
    """A leaning trunk with two limbs and a crown of three or four leafy blobs."""
    x, z = base
    lean = rng.uniform(-0.08, 0.08, 2)
    # A cone rather than a cylinder: the trunk tapers into the crown, which hides its tip.
    trunk = _cone(0.22, height + 1.0, sections=7)
    parts.add(
        trunk,
        _vary(rng, BARK),
        _pose((x, 0, z), tilt=lean),
        pattern="noise",
        scale=5.0,
        contrast=0.4,
    )
    crown_y = height + 0.6
    for _ in range(2):
        yaw = rng.uniform(0, 2 * np.pi)
        limb = _cylinder(0.06, 1.3, sections=5)
        parts.add(limb, _vary(rng, BARK), _pose((x, height * 0.75, z), yaw=yaw, tilt=(0.8, 0)))
    green = LEAF_GREENS[rng.integers(len(LEAF_GREENS))]
    for i in range(rng.integers(3, 5)):
        size = rng.uniform(1.1, 1.6) * (1.0 if i == 0 else 0.8)
        offset = (0, 0, 0) if i == 0 else rng.normal(0, 0.7, 3) * (1, 0.4, 1)
        blob = _blob(rng, (size, size * 0.8, size), subdivisions=1, roughness=0.3)
        parts.add(
            blob,
            _vary(rng, green, 0.15),
            _pose((x + offset[0], crown_y + offset[1], z + offset[2])),
            pattern="noise",
            scale=3.5,
            contrast=0.6,
        )


def _conifer(parts: _Parts, rng: np.random.Generator, base: Sequence[float], height: float) -> None:
    """A slim tiered cypress: stacked cones."""
    x, z = base
    parts.add(_cylinder(0.09, 0.6, sections=5), BARK, _pose((x, 0, z)))
    for i, f in enumerate((0.0, 0.3, 0.55)):
        r = 0.75 * (1 - f * 0.8)
        parts.add(
            _cone(r, height * (0.55 - i * 0.1), sections=8),
            _vary(rng, HEDGE, 0.1),
            _pose((x, 0.4 + f * height, z), yaw=rng.uniform(0, 1)),
            pattern="noise",
            scale=5.0,
            contrast=0.5,
        )


def _bush(
    parts: _Parts,
    rng: np.random.Generator,
    base: Sequence[float],
    size: float,
    bloom: RGB | None = None,
) -> None:
    """A low bush, optionally dotted with blooms on its upper side."""
    x, z = base
    radii = (size * rng.uniform(0.9, 1.2), size * rng.uniform(0.6, 0.8), size)
    yaw = rng.uniform(0, 2 * np.pi)
    parts.add(
        _blob(rng, radii, subdivisions=1, roughness=0.3, frequency=1.2),
        _vary(rng, LEAF_GREENS[rng.integers(len(LEAF_GREENS))]),
        _pose((x, radii[1] * 0.75, z), yaw=yaw),
        pattern="noise",
        scale=6.0,
        contrast=0.6,
    )
    if bloom is None:
        return
    for _ in range(int(10 * size / 0.6)):
        d = rng.normal(size=3)
        d[1] = abs(d[1]) + 0.5
        d /= np.linalg.norm(d)
        p = np.array([x, radii[1] * 0.75, z]) + d * np.asarray(radii) * 0.95
        r = rng.uniform(0.045, 0.07)
        parts.add(trimesh.creation.icosphere(0, r), _vary(rng, bloom), _pose(p))


def _quad(width: float, length: float) -> trimesh.Trimesh:
    """A flat diamond in the xz plane along +x from the origin: a leaf or a petal in two
    triangles (the renderer shades whichever side the camera sees)."""
    verts = [(0, 0, 0), (length / 2, 0, width / 2), (length, 0, 0), (length / 2, 0, -width / 2)]
    return trimesh.Trimesh(verts, [(0, 1, 2), (0, 2, 3)], process=False)


def _flower(parts: _Parts, rng: np.random.Generator, x: float, z: float, color: RGB) -> None:
    """One flower: a stem, two leaves and a head of one of three kinds, about 25 triangles."""
    h = rng.uniform(0.25, 0.55)
    tilt = rng.normal(0, 0.08, 2)
    stem = _pose((x, 0, z), tilt=tilt)
    parts.add(_cone(0.014, h, sections=3), LEAF_GREENS[1], stem)
    top = (stem @ np.array([0, h, 0, 1.0]))[:3]
    for _ in range(2):
        parts.add(
            _quad(0.04, 0.14),
            _vary(rng, LEAF_GREENS[0]),
            _pose(
                (x, rng.uniform(0.05, 0.15), z),
                yaw=rng.uniform(0, 6.3),
                tilt=(0, rng.uniform(0.2, 0.6)),
            ),
        )
    kind = rng.integers(3)
    if kind == 0:  # daisy: a flat petal fan with a yellow heart
        parts.add(_cone(0.065, 0.012, sections=6), color, _pose(top, tilt=tilt))
        parts.add(_cone(0.022, 0.025, sections=4), BLOOMS[1], _pose(top, tilt=tilt))
    elif kind == 1:  # tulip: a cup
        parts.add(
            _cone(0.04, 0.09, sections=6),
            color,
            _pose(np.add(top, (0, 0.09, 0)), tilt=(math.pi, 0)),
        )
    else:  # allium: a ball
        parts.add(trimesh.creation.icosphere(0, 0.05), color, _pose(np.add(top, (0, 0.03, 0))))


def _lawn_daisies(parts: _Parts, rng: np.random.Generator, count: int) -> None:
    """Specks of white and yellow in the grass, two triangles each, in loose patches."""
    centers = rng.uniform(-11.5, 11.5, (count // 12, 2))
    for cx, cz in centers:
        if min(abs(cx), abs(cz)) < 1.6 or math.hypot(cx, cz) < 4.0:
            continue
        color = BLOOMS[3] if rng.random() < 0.75 else BLOOMS[1]
        for _ in range(12):
            x, z = cx + rng.normal(0, 0.5), cz + rng.normal(0, 0.5)
            if min(abs(x), abs(z)) < 1.3:
                continue
            parts.add(
                _quad(0.05, 0.06),
                _vary(rng, color, 0.1),
                _pose((x, 0.012, z), yaw=rng.uniform(0, 6.3)),
            )


def _flower_bed(
    parts: _Parts,
    rng: np.random.Generator,
    center: Sequence[float],
    size: Sequence[float],
    count: int,
    palette: Sequence[RGB],
) -> None:
    """A raised rectangle of soil edged with stone, planted with flowers in drifts."""
    cx, cz = center
    sx, sz = size
    parts.add(_box((sx, 0.16, sz), (cx, 0.0, cz)), SOIL, pattern="noise", scale=9.0, contrast=0.5)
    for dx, dz, lx, lz in (
        (0, sz / 2, sx + 0.2, 0.1),
        (0, -sz / 2, sx + 0.2, 0.1),
        (sx / 2, 0, 0.1, sz),
        (-sx / 2, 0, 0.1, sz),
    ):
        parts.add(
            _box((lx, 0.22, lz), (cx + dx, 0.04, cz + dz)),
            STONE,
            pattern="tiles",
            scale=3.0,
            contrast=0.4,
        )
    for _ in range(count):
        u, v = rng.uniform(-0.45, 0.45, 2)
        # Colour drifts along the bed's long side read better than confetti.
        drift = int(np.clip((u + 0.5) * len(palette), 0, len(palette) - 1))
        color = palette[drift] if rng.random() < 0.85 else palette[rng.integers(len(palette))]
        _flower(parts, rng, cx + u * sx, cz + v * sz, _vary(rng, color, 0.1))


def _pergola(parts: _Parts, rng: np.random.Generator) -> None:
    """Posts, two beams and thin cross slats over the east path, with climbers on the posts.

    Slat pitch and width are set so the sun's shadow-map texels (~15 cm over this scene)
    still resolve the stripes."""
    x0, x1 = PERGOLA_X
    h = PERGOLA_HEIGHT
    for x in np.linspace(x0, x1, 4):
        for z in (-1.45, 1.45):
            parts.add(
                _box((0.16, h, 0.16), (x, h / 2, z)), WOOD, pattern="noise", scale=8.0, contrast=0.3
            )
    for z in (-1.45, 1.45):
        parts.add(
            _box((x1 - x0 + 0.8, 0.22, 0.12), ((x0 + x1) / 2, h + 0.11, z)),
            WOOD,
            pattern="noise",
            scale=8.0,
            contrast=0.3,
        )
    for x in np.arange(x0 - 0.25, x1 + 0.26, 0.5):
        parts.add(
            _box((0.16, 0.18, 3.7), (x, h + 0.31, 0)),
            _vary(rng, WOOD, 0.08),
            pattern="noise",
            scale=8.0,
            contrast=0.3,
        )
    # Climbing roses: ragged leafy clumps winding up three posts, spilling over the beam,
    # with blooms sitting on the clumps' outer side.
    for x, z in ((x0, -1.45), (x0, 1.45), (x1, 1.45)):
        for i, y in enumerate(np.linspace(0.35, h + 0.15, 7)):
            size = rng.uniform(0.14, 0.26)
            angle = i * 2.1 + rng.uniform(0, 1)
            out = np.array([math.cos(angle), 0.0, math.sin(angle)])
            center = np.array([x, y, z]) + 0.14 * out
            parts.add(
                _blob(rng, (size, size * 1.3, size), 1, 0.22, 1.4),
                _vary(rng, LEAF_GREENS[2]),
                _pose(center, yaw=rng.uniform(0, 6)),
                pattern="noise",
                scale=9.0,
                contrast=0.6,
            )
            if rng.random() < 0.7:
                bloom = center + 0.85 * size * out + (0, rng.uniform(-0.1, 0.1), 0)
                parts.add(trimesh.creation.icosphere(0, 0.04), _vary(rng, BLOOMS[4]), _pose(bloom))
        for _ in range(2):
            drape = _blob(rng, (0.45, 0.2, 0.3), 1, 0.4, 1.4)
            dx = rng.uniform(-0.6, 0.6)
            parts.add(
                drape,
                _vary(rng, LEAF_GREENS[2]),
                _pose((x + dx, h + 0.38, z)),
                pattern="noise",
                scale=9.0,
                contrast=0.6,
            )


def _bench(parts: _Parts, rng: np.random.Generator, position: Sequence[float], yaw: float) -> None:
    """A slatted wooden bench with iron legs; it faces its local +z."""
    m = _pose(position, yaw=yaw)
    wood = _vary(rng, (0.42, 0.27, 0.15), 0.05)
    for i in range(4):
        parts.add(_box((1.7, 0.04, 0.09), (0, 0.45, -0.18 + i * 0.12)), wood, m)
    for i in range(3):
        parts.add(_box((1.7, 0.08, 0.03), (0, 0.62 + i * 0.12, -0.27 - i * 0.02)), wood, m)
    for sx in (-0.75, 0.75):
        parts.add(_box((0.05, 0.45, 0.05), (sx, 0.225, 0.15)), IRON, m)
        parts.add(_box((0.05, 0.85, 0.05), (sx, 0.425, -0.25)), IRON, m)


def _lamp_post(parts: _Parts, position: Sequence[float]) -> None:
    """An iron lamp post with a pale glass head (not a light: the sun does the work)."""
    x, z = position
    parts.add(_cylinder(0.05, 2.4, sections=6), IRON, _pose((x, 0, z)))
    parts.add(_cylinder(0.14, 0.12, sections=6), IRON, _pose((x, 0, z)))
    parts.add(_box((0.24, 0.3, 0.24), (x, 2.55, z)), (0.7, 0.68, 0.55))
    parts.add(_cone(0.22, 0.18, sections=4), IRON, _pose((x, 2.7, z), yaw=math.pi / 4))


def _rocks(parts: _Parts, rng: np.random.Generator, center: Sequence[float]) -> None:
    """A rock garden: a few boulders half sunk into gravel, with small plants between."""
    cx, cz = center
    disk = _moved(trimesh.creation.cylinder(2.4, 0.06, sections=16), Z_TO_Y)
    parts.add(
        disk,
        (0.33, 0.31, 0.28),
        _pose((cx, 0.0, cz), scale=(1, 1, 0.8)),
        pattern="noise",
        scale=16.0,
        contrast=0.6,
    )
    for _ in range(6):
        size = rng.uniform(0.3, 0.7)
        p = (cx + rng.uniform(-1.6, 1.6), size * 0.25, cz + rng.uniform(-1.2, 1.2))
        tm = _blob(rng, (size * 1.3, size * 0.8, size), 1, 0.35, 0.7)
        tint = ROCK_TINTS[rng.integers(len(ROCK_TINTS))]
        parts.add(
            tm,
            _vary(rng, tint, 0.15),
            _pose(p, yaw=rng.uniform(0, 6.3)),
            pattern="noise",
            scale=6.0,
            contrast=0.55,
        )
    for _ in range(10):
        p = (cx + rng.uniform(-1.8, 1.8), cz + rng.uniform(-1.4, 1.4))
        _grass_tuft(parts, rng, p, (0.25, 0.35, 0.1))


def _grass_tuft(
    parts: _Parts,
    rng: np.random.Generator,
    position: Sequence[float],
    color: RGB,
    height: float = 0.26,
) -> None:
    """A few thin leaning blades."""
    x, z = position
    for _ in range(4):
        h = rng.uniform(0.45, 1.0) * height
        parts.add(
            _cone(0.018, h, sections=3),
            _vary(rng, color, 0.2),
            _pose(
                (x + rng.normal(0, 0.03), 0, z + rng.normal(0, 0.03)),
                yaw=rng.uniform(0, 6.3),
                tilt=rng.normal(0, 0.3, 2),
            ),
        )


def _stepping_stones(
    parts: _Parts, rng: np.random.Generator, points: Sequence[tuple[float, float]]
) -> None:
    """Flat, slightly oval stones set into the lawn at ``points`` (x, z)."""
    for x, z in points:
        stone = _moved(trimesh.creation.cylinder(0.28, 0.06, sections=7), Z_TO_Y)
        parts.add(
            stone,
            _vary(rng, PALE_STONE, 0.1),
            _pose((x, 0.01, z), scale=(1, 1, rng.uniform(0.7, 0.9)), yaw=rng.uniform(0, 6.3)),
            pattern="noise",
            scale=10.0,
            contrast=0.3,
        )


def _windmill_static(parts: _Parts) -> None:
    """Pole, nacelle and tail of the garden windmill; the rotor moves (``_windmill_rotor``)."""
    x, y, z = WINDMILL_HUB
    parts.add(_cylinder(0.06, y, sections=6), (0.5, 0.5, 0.52), _pose((x, 0, z)))
    facing = _pose(WINDMILL_HUB, yaw=WINDMILL_YAW)
    parts.add(_box((0.16, 0.16, 0.45), (0, 0, -0.15)), (0.6, 0.1, 0.08), facing)
    parts.add(_box((0.02, 0.3, 0.3), (0, 0.05, -0.45)), (0.6, 0.1, 0.08), facing)


def _windmill_rotor() -> trimesh.Trimesh:
    """Four twisted blades and a hub, about the local z axis, in the hub's frame."""
    blades = [trimesh.creation.cylinder(0.07, 0.08, sections=8)]
    for i in range(4):
        blade = _box((0.14, 0.75, 0.015), (0, 0.45, 0))
        blades.append(
            _moved(
                blade,
                tf.rotation_matrix(i * math.pi / 2, (0, 0, 1))
                @ tf.rotation_matrix(0.35, (0, 1, 0)),
            )
        )
    return trimesh.util.concatenate(blades)


def _windmill_motion(t: float) -> np.ndarray:
    """A steady quarter turn per second, the rotor just in front of the nacelle."""
    spin = tf.rotation_matrix(2 * math.pi * 0.25 * t, (0, 0, 1))
    return _pose(WINDMILL_HUB, yaw=WINDMILL_YAW) @ tf.translation_matrix((0, 0, 0.12)) @ spin


def _lantern_frame() -> trimesh.Trimesh:
    """Chain, cap, base and four corner bars of a hanging lantern; pivot at the origin."""
    parts = [
        _box((0.015, 0.5, 0.015), (0, -0.25, 0)),
        _moved(_cone(0.16, 0.12, sections=4), _pose((0, -0.62, 0), yaw=math.pi / 4)),
        _box((0.2, 0.03, 0.2), (0, -0.93, 0)),
    ]
    for sx in (-0.09, 0.09):
        for sz in (-0.09, 0.09):
            parts.append(_box((0.02, 0.3, 0.02), (sx, -0.77, sz)))
    return trimesh.util.concatenate(parts)


def _lantern_motion(t: float) -> np.ndarray:
    """A gentle pendulum swing about the beam (x axis), 3.2 s period, +-14 degrees."""
    angle = math.radians(14) * math.sin(2 * math.pi * t / 3.2)
    return tf.translation_matrix(LANTERN_PIVOT) @ tf.rotation_matrix(angle, (1, 0, 0))


def _planting(parts: _Parts, rng: np.random.Generator) -> None:
    """Trees, bushes, beds and small features in the four quadrants between the paths."""
    # North-west: a small orchard.
    for base, h in (((-9.5, -9.0), 2.6), ((-5.8, -10.2), 2.2), ((-10.0, -5.2), 2.4)):
        _tree(parts, rng, base, h)
    # North-east: a tree, cypresses flanking a bench, a bed.
    _tree(parts, rng, (9.5, -9.5), 2.8)
    for x in (4.6, 8.4):
        _conifer(parts, rng, (x, -11.6), rng.uniform(2.6, 3.1))
    _bench(parts, rng, (6.5, 0, -11.6), 0.0)
    _flower_bed(parts, rng, (7.5, -5.0), (4.5, 1.6), 38, BLOOMS[:3])
    # South-east: a long flower bed, rose bushes, a tree.
    _flower_bed(parts, rng, (6.8, 4.4), (5.0, 1.8), 44, (BLOOMS[4], BLOOMS[3], BLOOMS[2]))
    _tree(parts, rng, (10.5, 9.5), 2.5)
    for base in ((4.0, 8.0), (5.3, 9.8), (7.0, 11.0), (3.3, 11.6)):
        _bush(parts, rng, base, rng.uniform(0.45, 0.7), BLOOMS[0])
    # South-west: the rock garden and the windmill.
    _rocks(parts, rng, (-7.0, 8.8))
    _windmill_static(parts)
    _flower_bed(parts, rng, (-5.0, 4.2), (3.2, 1.4), 28, (BLOOMS[5], BLOOMS[1]))
    _tree(parts, rng, (-11.0, 11.0), 2.3)
    # Low bushes along the hedge foot break its straight line.
    for _ in range(14):
        t = rng.uniform(-11.5, 11.5)
        if abs(t) < 2.2:
            continue
        side = rng.choice((-1, 1)) * (HEDGE_LINE - 1.1)
        base = (t, side) if rng.random() < 0.5 else (side, t)
        _bush(parts, rng, base, rng.uniform(0.4, 0.65))
    # Feature at each path's end, so no path runs into bare hedge.
    for x, z in ((0.0, -12.3), (0.0, 12.3), (-12.3, 0.0), (12.3, 0.0)):
        _topiary(parts, rng, (x, z))
    for x, z in ((2.6, 2.6), (-2.6, 2.6), (2.6, -2.6), (-2.6, -2.6)):
        _lamp_post(parts, (x * 1.02, z * 1.02))
    _stepping_stones(parts, rng, [(-1.6 - 0.7 * i, 5.0 + 0.6 * i) for i in range(5)])
    _pond(parts, rng, (-6.2, -5.8))
    for angle in np.radians([30, 60, 120, 150, 210, 240, 300, 330]):
        _potted_plant(parts, rng, (2.9 * math.cos(angle), 2.9 * math.sin(angle)))
    for x in (-1.5, 1.5):
        _box_hedge(parts, rng, (x, -7.8), (0.45, 7.0))
    for z in (-1.5, 1.5):
        _box_hedge(parts, rng, (-7.8, z), (7.0, 0.45))
    _fallen_leaves(parts, rng, 260)
    for _ in range(90):
        p = rng.uniform(-12.0, 12.0, 2)
        if np.min(np.abs(p)) > 1.5 and np.hypot(*p) > 3.8:
            _grass_tuft(parts, rng, p, (0.14, 0.32, 0.06))


def _pond(parts: _Parts, rng: np.random.Generator, center: Sequence[float]) -> None:
    """A lily pond: dark water ringed by rough stones, with pads, blooms and reeds."""
    cx, cz = center
    water = _moved(trimesh.creation.cylinder(1.7, 0.04, sections=20), Z_TO_Y)
    parts.add(
        water,
        WATER,
        _pose((cx, 0.0, cz), scale=(1, 1, 0.75)),
        pattern="noise",
        scale=2.5,
        contrast=0.4,
    )
    for angle in np.linspace(0, 2 * np.pi, 24, endpoint=False):
        size = rng.uniform(0.16, 0.26)
        p = (cx + 1.8 * math.cos(angle), size * 0.3, cz + 1.35 * math.sin(angle))
        tint = ROCK_TINTS[rng.integers(len(ROCK_TINTS))]
        parts.add(
            _blob(rng, (size * 1.2, size * 0.6, size), 0, 0.2),
            _vary(rng, tint, 0.2),
            _pose(p, yaw=rng.uniform(0, 6.3)),
        )
    for _ in range(9):
        r, angle = rng.uniform(0.2, 1.2), rng.uniform(0, 2 * np.pi)
        p = (cx + r * math.cos(angle), 0.03, cz + 0.75 * r * math.sin(angle))
        pad = _moved(trimesh.creation.cylinder(rng.uniform(0.13, 0.2), 0.01, sections=7), Z_TO_Y)
        parts.add(pad, _vary(rng, LEAF_GREENS[3]), _pose(p, yaw=rng.uniform(0, 6.3)))
        if rng.random() < 0.4:
            parts.add(
                _cone(0.05, 0.06, sections=5),
                _vary(rng, (0.9, 0.6, 0.7)),
                _pose(np.add(p, (0.04, 0.0, 0.03))),
            )
    for _ in range(5):
        angle = rng.uniform(0.6, 2.2)
        _grass_tuft(
            parts,
            rng,
            (cx + 1.45 * math.cos(angle), cz + 1.1 * math.sin(angle)),
            (0.2, 0.3, 0.08),
            height=0.7,
        )


def _potted_plant(parts: _Parts, rng: np.random.Generator, position: Sequence[float]) -> None:
    """A terracotta pot with a round clipped shrub."""
    x, z = position
    pot = _revolved(
        [(0.0, 0.0), (0.17, 0.0), (0.24, 0.42), (0.27, 0.45), (0.26, 0.5), (0.0, 0.5)], 8
    )
    parts.add(
        pot,
        _vary(rng, (0.55, 0.24, 0.12), 0.08),
        _pose((x, 0.04, z)),
        pattern="noise",
        scale=7.0,
        contrast=0.25,
    )
    size = rng.uniform(0.28, 0.36)
    parts.add(
        _blob(rng, (size, size * 0.9, size), 1, 0.2, 1.2),
        _vary(rng, LEAF_GREENS[rng.integers(len(LEAF_GREENS))]),
        _pose((x, 0.54 + size * 0.7, z)),
        pattern="noise",
        scale=10.0,
        contrast=0.6,
    )


def _box_hedge(
    parts: _Parts, rng: np.random.Generator, center: Sequence[float], size: Sequence[float]
) -> None:
    """A low clipped box-hedge edging a path: knee-high, slightly lumpy."""
    cx, cz = center
    tm = _grid_box((size[0], 0.5, size[1]), 0.5)
    v = np.asarray(tm.vertices)
    bump = 0.03 * _Noise(rng, 0.8)(v)
    tm.vertices = v + np.asarray(tm.vertex_normals) * (bump * (v[:, 1] > -0.2))[:, None]
    parts.add(
        tm,
        _vary(rng, HEDGE, 0.05),
        tf.translation_matrix((cx, 0.25, cz)),
        pattern="noise",
        scale=10.0,
        contrast=0.6,
    )


def _fallen_leaves(parts: _Parts, rng: np.random.Generator, count: int) -> None:
    """Autumn leaves on the paths and lawn, two triangles each: cheap fine detail."""
    colors = ((0.55, 0.22, 0.04), (0.6, 0.4, 0.06), (0.35, 0.14, 0.05), (0.5, 0.45, 0.1))
    for _ in range(count):
        x, z = rng.uniform(-12.5, 12.5, 2)
        if math.hypot(x, z) < 3.5:
            continue
        # Leaves lie on the gravel (its top is 2.5 cm up) or on the lawn.
        y = 0.03 if min(abs(x), abs(z)) < 1.1 else 0.01
        parts.add(
            _quad(0.05, 0.09),
            _vary(rng, colors[rng.integers(len(colors))], 0.15),
            _pose((x, y, z), yaw=rng.uniform(0, 6.3)),
        )


def _topiary(parts: _Parts, rng: np.random.Generator, position: Sequence[float]) -> None:
    """A clipped ball on a stone plinth."""
    x, z = position
    parts.add(
        _box((0.8, 0.6, 0.8), (x, 0.3, z)), PALE_STONE, pattern="tiles", scale=2.0, contrast=0.3
    )
    ball = _blob(rng, (0.65, 0.65, 0.65), 1, 0.06, 1.0)
    parts.add(
        ball, _vary(rng, HEDGE, 0.05), _pose((x, 1.22, z)), pattern="noise", scale=9.0, contrast=0.6
    )


# -- the scene ----------------------------------------------------------------------------


def build() -> Scene:
    """The garden scene, the same on every call."""
    rng = np.random.default_rng(SEED)
    parts = _Parts()
    _ground(parts)
    _fountain(parts)
    _pebble_ring(parts, rng)
    _hedges(parts, rng)
    _pergola(parts, rng)
    _planting(parts, rng)
    _lawn_daisies(parts, rng, 300)
    builder = SceneBuilder("garden")
    parts.into(builder)
    builder.add_dynamic(
        "windmill", [(_windmill_rotor(), Material((0.85, 0.82, 0.75)))], _windmill_motion
    )
    glass = _box((0.15, 0.26, 0.15), (0, -0.77, 0))
    builder.add_dynamic(
        "lantern",
        [(_lantern_frame(), Material(IRON)), (glass, Material((1.0, 0.75, 0.4), emission=1.5))],
        _lantern_motion,
    )
    builder.add_light(SUN)
    camera = Camera.look_at((10.5, 1.8, 6.5), (2.0, 0.75, -1.5), fov=60.0)
    return builder.build(camera=camera, sky=Sky(), path="garden")


def _key(
    time: float,
    eye: Vec3,
    heading: float,
    pitch: float = -6.0,
    cut: bool = False,
    fov: float = 60.0,
) -> Keyframe:
    """A keyframe at ``eye`` looking along a compass ``heading`` (degrees; 0 is north, -Z,
    and 90 is east, +X) tilted by ``pitch`` degrees."""
    h, p = math.radians(heading), math.radians(pitch)
    forward = np.array([math.sin(h) * math.cos(p), math.sin(p), -math.cos(h) * math.cos(p)])
    rotation = Camera.look_at(eye, tuple(np.asarray(eye) + forward)).rotation_xyzw
    return Keyframe(time, tuple(eye), tuple(float(q) for q in rotation), fov, cut)  # type: ignore[arg-type]


def _aimed(eye: Vec3, target: Vec3) -> tuple[float, float]:
    """The (heading, pitch) in degrees that look from ``eye`` at ``target``."""
    d = np.asarray(target, np.float64) - np.asarray(eye, np.float64)
    return (
        math.degrees(math.atan2(d[0], -d[2])),
        math.degrees(math.atan2(d[1], math.hypot(d[0], d[2]))),
    )


def path_keyframes() -> list[Keyframe]:
    """The built-in camera path, 12.5 s in three shots (eye height 1.6 m unless noted):

    1. 0.0-1.8 s: still view up the south path to the fountain.
       1.8-5.6 s: slow walk north towards the plaza, 1.0 m/s on average, drifting right.
    2. cut at 5.6 s: on the east path at the plaza's edge, looking into the pergola and its
       striped shadows, creeping forward; 6.8-7.6 s: a fast 100-degree turn right, to the
       south, over the flower bed; 7.6-9.4 s: a slow walk south over the lawn, panning
       left towards the rose bushes.
    3. cut at 9.4 s: a low view (1.1 m) of the rock garden and the turning windmill,
       rising to 1.45 m and sliding sideways around it until 12.5 s.
    """
    keys = [
        _key(0.0, (0.0, 1.6, 11.0), 0.0),
        _key(1.8, (0.0, 1.6, 11.0), 0.0),
        _key(3.7, (0.2, 1.6, 9.1), 6.0),
        _key(5.6, (0.5, 1.6, 7.2), 14.0),
    ]
    keys += [
        _key(5.6, (3.3, 1.6, 0.0), 90.0, cut=True),
        _key(6.8, (3.7, 1.6, 0.1), 90.0),
        _key(7.2, (3.8, 1.6, 0.25), 140.0),
        _key(7.6, (3.9, 1.6, 0.45), 190.0),
        _key(9.4, (3.95, 1.6, 2.1), 170.0),
    ]
    windmill = (-7.0, 1.6, 6.6)
    keys += [
        _key(9.4, (-3.1, 1.05, 10.0), *_aimed((-3.1, 1.05, 10.0), windmill), cut=True),
        _key(12.5, (-3.9, 1.5, 10.9), *_aimed((-3.9, 1.5, 10.9), windmill)),
    ]
    return keys
