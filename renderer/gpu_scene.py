"""A scene on the GPU: vertex buffers, the shadow atlases and the shading parameters.

One ``GpuScene`` serves every :class:`~renderer.renderer.Renderer` of any image size on the
same context (the full-resolution and the half-resolution views share it).

Shadows come from two depth atlases with the same layout, one tile per light sample: the
static atlas holds the non-moving geometry and is rendered once; the dynamic atlas holds
the moving objects at the current frame's time and only the tiles a frame uses are drawn.
"""

from __future__ import annotations

from dataclasses import dataclass

import moderngl
import numpy as np

from renderer.context import bind_default_framebuffer
from renderer.lights import SampleSet, ShadowQuality, build_sample_sets, frame_strata, sample_table
from renderer.programs import Programs, set_uniform
from renderer.scenes.scene import Mesh, Scene, SunLight

VERTEX_FORMAT = "3f 3f 3f 4f 1f"
VERTEX_ATTRIBUTES = ("in_position", "in_normal", "in_albedo", "in_material", "in_object")
MAX_LIGHTS = 9
"""Suns and panels, plus one for the sky (``shade.frag`` has the same limit)."""
MAX_FRAME_SAMPLES = 16
MAX_MODELS = 17
"""Model matrix 0 is the identity of static geometry; moving objects use 1..16."""
MAX_SUNS = 4
MAX_TILES = 64
"""Shadow tiles drawn per instanced call (``shadow.vert`` has the same limit)."""
MAX_ATLAS = 16384
NOISE_UNIT = 6
"""Texture unit of the pattern noise (units 0-5 belong to the shading pass)."""
GL_CLIP_DISTANCE0 = 0x3000
CHUNK_TRIANGLES = 4096
"""Static geometry is cut into spatial chunks of about this many triangles for culling."""


@dataclass
class _Chunk:
    first: int  # first vertex
    count: int  # vertex count
    lo: np.ndarray
    hi: np.ndarray


@dataclass
class _Geometry:
    vbo: moderngl.Buffer
    gbuffer: moderngl.VertexArray
    depth: moderngl.VertexArray
    shadow: moderngl.VertexArray

    def release(self) -> None:
        for res in (self.gbuffer, self.depth, self.shadow, self.vbo):
            res.release()


@dataclass(frozen=True)
class FrameSamples:
    """Which sample of each light a frame may use: ``indices[l]`` for light ``l`` (the sky
    last), or every sample for a reference."""

    indices: tuple[tuple[int, ...], ...]


class GpuScene:
    """Uploads ``scene`` to ``ctx`` and renders its static shadow atlas."""

    def __init__(
        self, ctx: moderngl.Context, scene: Scene, quality: ShadowQuality | None = None
    ) -> None:
        if len(scene.dynamic) > MAX_MODELS - 1:
            raise ValueError(f"at most {MAX_MODELS - 1} moving objects are supported")
        if len(scene.lights) > MAX_LIGHTS - 1:
            raise ValueError(f"at most {MAX_LIGHTS - 1} lights are supported")
        self.ctx = ctx
        self.scene = scene
        self.quality = quality or ShadowQuality()
        self.programs = Programs.compile(ctx, dynamic=bool(scene.dynamic))
        lo, hi = scene.bounds()
        self.radius = float(np.linalg.norm(hi - lo)) / 2 + 1e-3
        # Within [1e-3, 0.05] from 0.5 to 250 units (the built-in scenes), a share of the
        # size outside: a fixed 0.05 left a 24-bit depth buffer unable to tell a large
        # scene's surfaces from the far plane (a 1e5-unit model rendered as sky), and a
        # fixed 1e-3 cut into a millimetre-sized one.
        r = self.radius
        self.near = float(np.clip(r * 2e-3, min(1e-3, r * 2e-3), max(0.05, r * 2e-4)))
        self.far = r * 8.0 + 10.0

        self.noise = _noise_texture(ctx)
        set_uniform(self.programs.gbuffer, "u_noise", NOISE_UNIT)
        static, self._chunks = _chunked(scene.static)
        self._static = self._upload(_interleave([static], first_object=0))
        self._moving = self._upload(_interleave([d.mesh for d in scene.dynamic], first_object=1))

        light_sets, sky_set = build_sample_sets(scene, self.quality)
        self.sets = [*light_sets, sky_set]
        self._tiles, width, height = _layout(self.sets)
        self._clear_vao = ctx.vertex_array(self.programs.clear_tiles, [])
        self.atlas, atlas_fbo = self._depth_atlas((width, height))
        self._draw_tiles(atlas_fbo, self._static, 0.0, _every_sample(self.sets))
        bind_default_framebuffer(ctx)
        atlas_fbo.release()
        self.dynamic_atlas, self._dynamic_fbo = (
            self._depth_atlas((width, height)) if scene.dynamic else (None, None)
        )
        self._dynamic_key: tuple[float, FrameSamples] | None = None
        self._offsets = np.cumsum([0] + [s.count for s in self.sets])[:-1]
        table = sample_table(
            self.sets,
            [[(x / width, y / height) for x, y in tiles] for tiles in self._tiles],
            [(s.tile / width, s.tile / height) for s in self.sets],
        )
        self.samples = ctx.texture((table.shape[1], table.shape[0]), 4, table.tobytes(), dtype="f4")
        self.samples.filter = (moderngl.NEAREST, moderngl.NEAREST)
        for prog in (self.programs.shade, self.programs.reference):
            self._configure_shading(prog)

    # -- per frame ------------------------------------------------------------------------

    def frame_samples(self, seed: int, index: int) -> FrameSamples:
        """The frame's light samples: one per stratum of each light, drawn from (seed, index)."""
        rng = np.random.default_rng([seed & 0xFFFFFFFF, index & 0xFFFFFFFF, 0x5A3])
        return FrameSamples(
            tuple(
                tuple(int(k) for k in frame_strata(s.count, s.frame_samples, rng))
                for s in self.sets
            )
        )

    def all_samples(self) -> FrameSamples:
        return _every_sample(self.sets)

    def prepare_shadows(self, time: float, samples: FrameSamples) -> None:
        """Draw the moving objects at ``time`` into the dynamic atlas tiles ``samples`` uses."""
        if self.dynamic_atlas is None or self._dynamic_key == (time, samples):
            return
        self._draw_tiles(self._dynamic_fbo, self._moving, time, samples, clear=True)
        self._dynamic_key = (time, samples)

    def set_frame_samples(self, prog: moderngl.Program, samples: FrameSamples) -> None:
        rows = np.zeros(MAX_LIGHTS * MAX_FRAME_SAMPLES, np.int32)
        counts = np.zeros(MAX_LIGHTS, np.int32)
        for light, (offset, indices) in enumerate(zip(self._offsets, samples.indices, strict=True)):
            start = light * MAX_FRAME_SAMPLES
            rows[start : start + len(indices)] = offset + np.asarray(indices)
            counts[light] = len(indices)
        set_uniform(prog, "u_frame_rows", rows)
        set_uniform(prog, "u_frame_count", counts)

    def draw_geometry(
        self, view_proj: np.ndarray, time: float, prev_time: float, depth_only: bool = False
    ) -> None:
        """Draw static and moving geometry into the bound framebuffer, with the G-buffer
        program or, for the depth pre-pass, the depth program (whose ``u_view_proj`` the
        caller sets). Static chunks outside the view frustum are skipped."""
        prog = self.programs.depth if depth_only else self.programs.gbuffer
        set_uniform(prog, "u_models", self._models(time))
        if not depth_only:
            set_uniform(prog, "u_prev_models", self._models(prev_time))
            self.noise.use(NOISE_UNIT)
        if self._static is not None:
            vao = self._static.depth if depth_only else self._static.gbuffer
            for first, count in self._visible_ranges(view_proj):
                vao.render(moderngl.TRIANGLES, vertices=count, first=first)
        if self._moving is not None:
            (self._moving.depth if depth_only else self._moving.gbuffer).render(moderngl.TRIANGLES)

    def bind_shading_textures(self) -> None:
        self.samples.use(2)
        self.atlas.use(3)
        if self.dynamic_atlas is not None:
            self.dynamic_atlas.use(5)

    def _models(self, time: float) -> np.ndarray:
        models = np.tile(np.eye(4), (MAX_MODELS, 1, 1))
        for i, obj in enumerate(self.scene.dynamic):
            models[i + 1] = obj.transform(time)
        return models

    def _visible_ranges(self, view_proj: np.ndarray) -> list[tuple[int, int]]:
        planes = _frustum_planes(view_proj)
        lo = np.stack([c.lo for c in self._chunks])
        hi = np.stack([c.hi for c in self._chunks])
        normals = planes[:, :3]
        # The box corner furthest along each plane normal decides whether the box is outside.
        far_corner = np.where(normals[None] > 0, hi[:, None, :], lo[:, None, :])
        outside = np.any(np.einsum("cpk,pk->cp", far_corner, normals) + planes[:, 3] < 0, axis=1)
        ranges: list[tuple[int, int]] = []
        for chunk, hidden in zip(self._chunks, outside, strict=True):
            if hidden:
                continue
            if ranges and ranges[-1][0] + ranges[-1][1] == chunk.first:
                ranges[-1] = (ranges[-1][0], ranges[-1][1] + chunk.count)
            else:
                ranges.append((chunk.first, chunk.count))
        return ranges

    # -- setup ----------------------------------------------------------------------------

    def _upload(self, vertices: np.ndarray | None) -> _Geometry | None:
        """A vertex buffer with its vertex arrays for every program that draws it."""
        if vertices is None:
            return None
        vbo = self.ctx.buffer(vertices.tobytes())
        positions = [(vbo, "3f 40x 1f", "in_position", "in_object")]
        return _Geometry(
            vbo=vbo,
            gbuffer=self.ctx.vertex_array(
                self.programs.gbuffer, [(vbo, VERTEX_FORMAT, *VERTEX_ATTRIBUTES)]
            ),
            depth=self.ctx.vertex_array(self.programs.depth, positions),
            shadow=self.ctx.vertex_array(self.programs.shadow, positions),
        )

    def _depth_atlas(self, size: tuple[int, int]) -> tuple[moderngl.Texture, moderngl.Framebuffer]:
        atlas = self.ctx.depth_texture(size)
        atlas.compare_func = "<="
        # Linear: hardware 2x2 percentage-closer filtering, as cheap as nearest on llvmpipe.
        atlas.filter = (moderngl.LINEAR, moderngl.LINEAR)
        fbo = self.ctx.framebuffer(depth_attachment=atlas)
        fbo.clear(depth=1.0)
        return atlas, fbo

    def _draw_tiles(
        self,
        fbo: moderngl.Framebuffer,
        geometry: _Geometry | None,
        time: float,
        samples: FrameSamples,
        clear: bool = False,
    ) -> None:
        """Draw ``geometry`` at ``time`` into the tiles of ``samples``, optionally clearing
        them first: one instanced draw per batch of tiles, whatever their number."""
        if geometry is None:
            return
        ctx = self.ctx
        width, height = fbo.size
        matrices, rects = [], []
        for s, tiles, indices in zip(self.sets, self._tiles, samples.indices, strict=True):
            for k in indices:
                x, y = tiles[k]
                matrices.append(s.view_proj[k])
                rects.append(
                    (2 * x / width - 1, 2 * y / height - 1, 2 * s.tile / width, 2 * s.tile / height)
                )
        fbo.use()
        fbo.viewport = (0, 0, width, height)
        ctx.enable(moderngl.DEPTH_TEST)
        for i in range(4):
            ctx.enable_direct(GL_CLIP_DISTANCE0 + i)
        set_uniform(self.programs.shadow, "u_models", self._models(time))
        for start in range(0, len(rects), MAX_TILES):
            batch = slice(start, start + MAX_TILES)
            count = len(rects[batch])
            rect_block = _pad(np.asarray(rects[batch]), MAX_TILES)
            if clear:
                ctx.depth_func = "1"
                set_uniform(self.programs.clear_tiles, "u_tile_rect", rect_block)
                self._clear_vao.render(moderngl.TRIANGLE_STRIP, vertices=4, instances=count)
            ctx.depth_func = "<"
            # Slope-scaled bias at render time keeps lit surfaces from shadowing themselves.
            ctx.polygon_offset = (1.0, 2.0)
            set_uniform(self.programs.shadow, "u_tile_rect", rect_block)
            set_uniform(
                self.programs.shadow,
                "u_tile_view_proj",
                _pad(np.asarray(matrices[batch]), MAX_TILES),
            )
            geometry.shadow.render(moderngl.TRIANGLES, instances=count)
            ctx.polygon_offset = (0.0, 0.0)
        for i in range(4):
            ctx.disable_direct(GL_CLIP_DISTANCE0 + i)

    def _configure_shading(self, prog: moderngl.Program) -> None:
        width, height = self.atlas.size
        set_uniform(prog, "u_light_count", len(self.sets) - 1)
        set_uniform(prog, "u_light_offset", _pad(self._offsets.astype(np.int32), MAX_LIGHTS))
        set_uniform(
            prog,
            "u_light_samples",
            _pad(np.array([s.count for s in self.sets], np.int32), MAX_LIGHTS),
        )
        set_uniform(
            prog, "u_light_pick", _pad(np.array([s.pick_weight for s in self.sets]), MAX_LIGHTS)
        )
        set_uniform(prog, "u_atlas_texel", (1.0 / width, 1.0 / height))
        set_uniform(prog, "u_atlas_aspect", width / height)
        sky = self.scene.sky
        set_uniform(prog, "u_sky_bounce", tuple(2.0 * np.pi * np.asarray(sky.bounce)))
        set_uniform(prog, "u_sky_zenith", tuple(sky.zenith))
        set_uniform(prog, "u_sky_horizon", tuple(sky.horizon))
        set_uniform(prog, "u_sky_ground", tuple(sky.ground))
        suns = [light for light in self.scene.lights if isinstance(light, SunLight)][:MAX_SUNS]
        disk = np.zeros((MAX_SUNS, 4))
        radiance = np.zeros((MAX_SUNS, 3))
        for i, sun in enumerate(suns):
            d = np.asarray(sun.direction, np.float64)
            cos_r = np.cos(np.radians(sun.angular_radius))
            disk[i] = [*(d / np.linalg.norm(d)), cos_r]
            # Irradiance spread over the disk's solid angle gives its radiance.
            radiance[i] = np.asarray(sun.irradiance) / (2.0 * np.pi * (1.0 - cos_r))
        set_uniform(prog, "u_sun_count", len(suns))
        set_uniform(prog, "u_sun_disk", disk)
        set_uniform(prog, "u_sun_radiance", radiance)
        for name, unit in (
            ("u_albedo", 0),
            ("u_normal", 1),
            ("u_samples", 2),
            ("u_atlas", 3),
            ("u_dynamic_atlas", 5),
        ):
            set_uniform(prog, name, unit)

    def release(self) -> None:
        bind_default_framebuffer(self.ctx)
        for geometry in (self._static, self._moving):
            if geometry is not None:
                geometry.release()
        for res in (
            self.noise,
            self._clear_vao,
            self.samples,
            self.atlas,
            self._dynamic_fbo,
            self.dynamic_atlas,
        ):
            if res is not None:
                res.release()
        self.programs.release()


def _interleave(meshes: list[Mesh], first_object: int) -> np.ndarray | None:
    """(N, 14) float32 vertex rows: the mesh attributes and the object's model index."""
    rows = [
        np.hstack([m.interleaved(), np.full((len(m.positions), 1), first_object + i, np.float32)])
        for i, m in enumerate(meshes)
        if m.triangle_count
    ]
    return np.ascontiguousarray(np.concatenate(rows)) if rows else None


def _noise_texture(ctx: moderngl.Context, size: int = 32) -> moderngl.Texture3D:
    """Random lattice values for the patterns' value noise (``pattern.glsl``), fixed seed."""
    values = np.random.default_rng(0x401CE).integers(0, 256, (size, size, size), dtype=np.uint8)
    tex = ctx.texture3d((size, size, size), 1, values.tobytes(), dtype="f1")
    tex.filter = (moderngl.LINEAR, moderngl.LINEAR)
    tex.repeat_x = tex.repeat_y = tex.repeat_z = True
    return tex


def _pad(rows: np.ndarray, length: int) -> np.ndarray:
    """``rows`` followed by zero rows up to ``length`` (uniform arrays are written whole)."""
    out = np.zeros((length, *rows.shape[1:]), rows.dtype)
    out[: len(rows)] = rows
    return out


def _every_sample(sets: list[SampleSet]) -> FrameSamples:
    return FrameSamples(tuple(tuple(range(s.count)) for s in sets))


def _columns(s: SampleSet) -> int:
    return int(np.ceil(np.sqrt(s.count)))


def _layout(sets: list[SampleSet]) -> tuple[list[list[tuple[int, int]]], int, int]:
    """Each light gets a near-square block of tiles, sample k at column k % cols and row
    k // cols; blocks are shelf-packed, tallest first. Returns every tile's corner and the
    atlas size."""
    shapes = [(_columns(s) * s.tile, int(np.ceil(s.count / _columns(s))) * s.tile) for s in sets]
    area = sum(w * h for w, h in shapes)
    widest = max(w for w, _ in shapes)
    width = int(min(MAX_ATLAS, max(widest, 2 ** int(np.ceil(np.log2(np.sqrt(area)))))))
    corners = [(0, 0)] * len(sets)
    x = y = shelf = 0
    for i in sorted(range(len(sets)), key=lambda i: -shapes[i][1]):
        w, h = shapes[i]
        if x + w > width:
            x, y, shelf = 0, y + shelf, 0
        corners[i] = (x, y)
        x += w
        shelf = max(shelf, h)
    if y + shelf > MAX_ATLAS:
        raise ValueError(
            f"the shadow atlas would exceed {MAX_ATLAS} texels: lower the shadow quality"
        )
    tiles = []
    for s, (bx, by) in zip(sets, corners, strict=True):
        cols = _columns(s)
        tiles.append(
            [(bx + (k % cols) * s.tile, by + (k // cols) * s.tile) for k in range(s.count)]
        )
    return tiles, width, y + shelf


def _chunked(mesh: Mesh) -> tuple[Mesh, list[_Chunk]]:
    """Reorder triangles into spatial chunks (a k-d split on centroids) for frustum culling."""
    n = mesh.triangle_count
    if n == 0:
        return mesh, []
    tri = mesh.positions.reshape(n, 3, 3)
    centroids = tri.mean(axis=1)
    groups: list[np.ndarray] = []
    stack = [np.arange(n)]
    while stack:
        idx = stack.pop()
        if len(idx) <= CHUNK_TRIANGLES:
            groups.append(idx)
            continue
        c = centroids[idx]
        axis = int(np.argmax(c.max(axis=0) - c.min(axis=0)))
        order = idx[np.argsort(c[:, axis], kind="stable")]
        half = len(order) // 2
        stack.extend([order[half:], order[:half]])
    order = np.concatenate(groups)
    vertex_order = (order[:, None] * 3 + np.arange(3)).reshape(-1)
    reordered = Mesh(
        *(getattr(mesh, k)[vertex_order] for k in ("positions", "normals", "albedo", "material"))
    )
    chunks, first = [], 0
    for g in groups:
        pts = tri[g].reshape(-1, 3)
        chunks.append(_Chunk(first, len(g) * 3, pts.min(axis=0), pts.max(axis=0)))
        first += len(g) * 3
    return reordered, chunks


def _frustum_planes(view_proj: np.ndarray) -> np.ndarray:
    """(6, 4) planes (a, b, c, d) with a*x + b*y + c*z + d >= 0 inside the frustum."""
    m = view_proj
    planes = np.stack(
        [m[3] + m[0], m[3] - m[0], m[3] + m[1], m[3] - m[1], m[3] + m[2], m[3] - m[2]]
    )
    return planes / np.linalg.norm(planes[:, :3], axis=1, keepdims=True)
