"""The ``GpuScene``: a scene's geometry, shadow atlases and shading parameters on one
context, and what a frame asks of them (its light samples, its moving objects' shadows,
its geometry drawn)."""

from __future__ import annotations

import moderngl
import numpy as np

from renderer.context import bind_default_framebuffer
from renderer.gpu_scene.atlas import FrameSamples, TileDrawer, depth_atlas, every_sample, layout
from renderer.gpu_scene.culling import chunked, visible_ranges
from renderer.gpu_scene.noise import NOISE_UNIT, noise_texture
from renderer.gpu_scene.shading import MAX_LIGHTS, configure_shading, set_frame_samples
from renderer.gpu_scene.vertices import interleave, upload
from renderer.lights import ShadowQuality, build_sample_sets, frame_strata, sample_table
from renderer.programs import Programs, set_uniform
from renderer.scenes.scene import Scene

MAX_MODELS = 17
"""Model matrix 0 is the identity of static geometry; moving objects use 1..16."""


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

        self.noise = noise_texture(ctx)
        set_uniform(self.programs.gbuffer, "u_noise", NOISE_UNIT)
        static, self._chunks = chunked(scene.static)
        self._static = upload(ctx, self.programs, interleave([static], first_object=0))
        self._moving = upload(
            ctx, self.programs, interleave([d.mesh for d in scene.dynamic], first_object=1)
        )

        light_sets, sky_set = build_sample_sets(scene, self.quality)
        self.sets = [*light_sets, sky_set]
        tiles, width, height = layout(self.sets)
        self._clear_vao = ctx.vertex_array(self.programs.clear_tiles, [])
        self._tile_drawer = TileDrawer(ctx, self.programs, self.sets, tiles, self._clear_vao)
        self.atlas, atlas_fbo = depth_atlas(ctx, (width, height))
        self._tile_drawer.draw(atlas_fbo, self._static, self._models(0.0), every_sample(self.sets))
        bind_default_framebuffer(ctx)
        atlas_fbo.release()
        self.dynamic_atlas, self._dynamic_fbo = (
            depth_atlas(ctx, (width, height)) if scene.dynamic else (None, None)
        )
        self._dynamic_key: tuple[float, FrameSamples] | None = None
        self._offsets = np.cumsum([0] + [s.count for s in self.sets])[:-1]
        table = sample_table(
            self.sets,
            [[(x / width, y / height) for x, y in light_tiles] for light_tiles in tiles],
            [(s.tile / width, s.tile / height) for s in self.sets],
        )
        self.samples = ctx.texture((table.shape[1], table.shape[0]), 4, table.tobytes(), dtype="f4")
        self.samples.filter = (moderngl.NEAREST, moderngl.NEAREST)
        for prog in (self.programs.shade, self.programs.reference):
            configure_shading(prog, scene, self.sets, self._offsets, (width, height))

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
        return every_sample(self.sets)

    def prepare_shadows(self, time: float, samples: FrameSamples) -> None:
        """Draw the moving objects at ``time`` into the dynamic atlas tiles ``samples`` uses."""
        if self.dynamic_atlas is None or self._dynamic_key == (time, samples):
            return
        self._tile_drawer.draw(
            self._dynamic_fbo, self._moving, self._models(time), samples, clear=True
        )
        self._dynamic_key = (time, samples)

    def set_frame_samples(self, prog: moderngl.Program, samples: FrameSamples) -> None:
        set_frame_samples(prog, self._offsets, samples)

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
            for first, count in visible_ranges(self._chunks, view_proj):
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
