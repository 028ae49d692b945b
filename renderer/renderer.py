"""Render one frame: G-buffer pass, the path-tracing stub, optionally the reference.

The noisy image and the reference are shaded from the same G-buffers, at pixel centres,
so the reference is the exact expectation of the noisy image at every pixel.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace

import moderngl
import numpy as np
import torch

from renderer.camera import Camera
from renderer.context import bind_default_framebuffer
from renderer.frame import Frame
from renderer.gpu_scene import GpuScene
from renderer.programs import set_uniform
from renderer.transfer import TextureReader

FLIP_Y = np.diag([1.0, -1.0, 1.0, 1.0])

RENDERER_VERSION = "2"
"""Bumped whenever shading changes, so cached references are not reused across versions."""


@dataclass(frozen=True)
class View:
    """What one image sees: a camera at a scene time, with a sub-pixel jitter."""

    camera: Camera
    time: float
    jitter: tuple[float, float] = (0.0, 0.0)


def _proj_terms(proj: np.ndarray) -> tuple[float, float, float, float]:
    """What shaders need of a projection to turn pixels into view rays."""
    return float(proj[0, 0]), float(proj[1, 1]), float(proj[0, 2]), float(proj[1, 2])


def frame_seed(seed: int, index: int) -> int:
    """A 32-bit noise seed for (seed, frame): nearby pairs give unrelated noise."""
    return int(np.random.SeedSequence([seed & 0xFFFFFFFF, index & 0xFFFFFFFF]).generate_state(1)[0])


class Renderer:
    """Renders ``gpu``'s scene at one image size.

    >>> gl = create_context("egl")
    >>> gpu = GpuScene(gl.ctx, load_scene("temple"))
    >>> frame = Renderer(gpu, (640, 360)).render(View(camera, 0.0), None, reference=True)
    """

    def __init__(self, gpu: GpuScene, size: tuple[int, int], profile: bool = False) -> None:
        width, height = size
        self.profile = profile
        """Measure each stage's time into ``stage_times`` (seconds)."""
        self.stage_times: dict[str, float] = {}
        if width < 1 or height < 1:
            raise ValueError(f"image size must be positive, got {width}x{height}")
        self.gpu = gpu
        self.size = (int(width), int(height))
        ctx = gpu.ctx
        # albedo + emission; normal + linear depth (the shading pass reads only these two);
        # motion + previous depth.
        self._albedo = ctx.texture(self.size, 4, dtype="f2")
        self._normal = ctx.texture(self.size, 4, dtype="f4")
        self._motion = ctx.texture(self.size, 4, dtype="f4")
        self._depth = ctx.depth_texture(self.size)
        for tex in (self._albedo, self._normal, self._motion):
            tex.filter = (moderngl.NEAREST, moderngl.NEAREST)
        self._gbuffer = ctx.framebuffer([self._albedo, self._normal, self._motion], self._depth)
        self._depth_only = ctx.framebuffer(depth_attachment=self._depth)
        self._color = ctx.texture(self.size, 4, dtype="f2")
        self._reference = ctx.texture(self.size, 4, dtype="f4")
        self._color_fbo = ctx.framebuffer([self._color])
        self._reference_fbo = ctx.framebuffer([self._reference])
        slices = {
            "color": (self._color, slice(0, 3)),
            "albedo": (self._albedo, slice(0, 3)),
            "normal": (self._normal, slice(0, 3)),
            "depth": (self._normal, slice(3, 4)),
            "motion": (self._motion, slice(0, 2)),
            "prev_depth": (self._motion, slice(2, 3)),
        }
        # One reader for both kinds of frame: CUDA registers each texture once.
        self._reader = TextureReader({**slices, "reference": (self._reference, slice(0, 3))})
        self._all_but_color = frozenset(slices) - {"color"} | {"reference"}
        self._fullscreen = ctx.vertex_array(gpu.programs.background, [])
        self._shade_vao = ctx.vertex_array(gpu.programs.shade, [])
        self._reference_vao = ctx.vertex_array(gpu.programs.reference, [])

    def render(
        self,
        view: View,
        prev: View | None,
        *,
        index: int = 0,
        spp: int = 1,
        seed: int = 0,
        reference: bool = False,
        cut: bool = False,
        device: torch.device | str = "cpu",
    ) -> Frame:
        """Render ``view``; ``prev`` is the previous frame's view (``None``: no motion).

        Args:
            index: frame number; with ``seed`` it decides the noise.
            spp: samples per pixel of the noisy image.
            reference: also render the converged image.
            cut: recorded in the frame (the camera jumped since ``prev``).
        """
        if spp < 1:
            raise ValueError(f"spp must be at least 1, got {spp}")
        self.draw(view, prev, index=index, spp=spp, seed=seed, reference=reference)
        return self.read(view, index=index, spp=spp, reference=reference, cut=cut, device=device)

    def draw(
        self,
        view: View,
        prev: View | None,
        *,
        index: int = 0,
        spp: int = 1,
        seed: int = 0,
        reference: bool = False,
    ) -> None:
        """Run the GL passes without reading anything back (the viewer displays the
        textures directly)."""
        prev = prev or View(view.camera, view.time, view.jitter)
        view_proj, proj = self._view_proj(view)
        prev_view_proj, _ = self._view_proj(prev)
        samples = self.gpu.frame_samples(seed, index)
        with self._stage("shadows"):
            self.gpu.prepare_shadows(view.time, self.gpu.all_samples() if reference else samples)
        with self._stage("gbuffer"):
            self._draw_gbuffer(view, prev, view_proj, proj, prev_view_proj)
        self._albedo.use(0)
        self._normal.use(1)
        self.gpu.bind_shading_textures()
        passes = [("shade", self.gpu.programs.shade, self._shade_vao, self._color_fbo)]
        if reference:
            passes.append(
                ("reference", self.gpu.programs.reference, self._reference_vao, self._reference_fbo)
            )
        for stage, prog, vao, fbo in passes:
            with self._stage(stage):
                self._shade(prog, vao, fbo, view, proj, frame_seed(seed, index), spp, 0, samples)

    def add_samples(
        self,
        frame: Frame,
        view: View,
        count: int,
        *,
        seed: int = 0,
        device: torch.device | str = "cpu",
    ) -> Frame:
        """``frame``, the last one this renderer drew, with ``count`` more samples per pixel
        averaged into its color: the samples a render at ``frame.spp + count`` would have
        drawn after its first ``frame.spp``, so the result is that render (up to the
        half-float rounding of the color target). Only the shading pass runs again: a
        frame budget adds samples once it knows what the rest of the frame will cost."""
        if count < 1:
            raise ValueError(f"count must be at least 1, got {count}")
        _, proj = self._view_proj(view)
        self._albedo.use(0)
        self._normal.use(1)
        self.gpu.bind_shading_textures()
        prog = self.gpu.programs.shade
        samples = self.gpu.frame_samples(seed, frame.index)
        with self._stage("add_samples"):
            self._shade(
                prog, self._shade_vao, self._color_fbo, view, proj,
                frame_seed(seed, frame.index), count, frame.spp, samples,
            )  # fmt: skip
        added = self._reader.read(device, skip=self._all_but_color)["color"]
        total = frame.spp + count
        color = (frame.color * frame.spp + added * count) / total
        return replace(frame, color=color, spp=total)

    def _shade(self, prog, vao, fbo, view: View, proj, seed: int, spp: int, first: int, samples):
        fbo.use()
        set_uniform(prog, "u_size", self.size)
        set_uniform(prog, "u_camera_to_world", view.camera.camera_to_world)
        set_uniform(prog, "u_proj", _proj_terms(proj))
        set_uniform(prog, "u_seed", seed)
        set_uniform(prog, "u_spp", int(spp))
        set_uniform(prog, "u_first_sample", int(first))
        self.gpu.set_frame_samples(prog, samples)
        vao.render(moderngl.TRIANGLES, vertices=3)

    def _draw_gbuffer(
        self,
        view: View,
        prev: View,
        view_proj: np.ndarray,
        proj: np.ndarray,
        prev_view_proj: np.ndarray,
    ) -> None:
        ctx = self.gpu.ctx
        # Depth first, then the G-buffer where depth is equal: each pixel runs the
        # G-buffer shader once instead of once per overlapping surface (5x in temple).
        self._depth_only.use()
        self._depth_only.clear(depth=1.0)
        ctx.enable(moderngl.DEPTH_TEST)
        ctx.depth_func = "<"
        set_uniform(self.gpu.programs.depth, "u_view_proj", view_proj)
        self.gpu.draw_geometry(view_proj, view.time, prev.time, depth_only=True)
        self._gbuffer.use()
        self._gbuffer.depth_mask = False
        ctx.depth_func = "<="
        gb = self.gpu.programs.gbuffer
        set_uniform(gb, "u_size", self.size)
        set_uniform(gb, "u_camera_position", tuple(view.camera.position))
        set_uniform(gb, "u_view_proj", view_proj)
        set_uniform(gb, "u_prev_view_proj", prev_view_proj)
        self.gpu.draw_geometry(view_proj, view.time, prev.time)
        # The sky goes in last at depth 1.0, so it fills only the pixels geometry left
        # empty and no target needs clearing.
        bg = self.gpu.programs.background
        set_uniform(bg, "u_size", self.size)
        set_uniform(bg, "u_camera_to_world", view.camera.camera_to_world)
        set_uniform(bg, "u_proj", _proj_terms(proj))
        set_uniform(bg, "u_prev_view_proj", prev_view_proj)
        self._fullscreen.render(moderngl.TRIANGLES, vertices=3)
        ctx.depth_func = "<"
        ctx.disable(moderngl.DEPTH_TEST)

    def read(
        self,
        view: View,
        *,
        index: int,
        spp: int,
        reference: bool,
        cut: bool,
        device: torch.device | str = "cpu",
    ) -> Frame:
        """The G-buffers drawn last as a frame on ``device`` (through CUDA-GL interop where
        it works: ``renderer.transfer``)."""
        with self._stage("read"):
            skip = frozenset() if reference else frozenset({"reference"})
            t = self._reader.read(device, skip=skip)
        return Frame.from_buffers(
            t,
            index=index,
            time=view.time,
            cut=cut,
            camera=view.camera,
            jitter=view.jitter,
            spp=spp,
        )

    @contextmanager
    def _stage(self, name: str) -> Iterator[None]:
        """Time a stage when ``profile`` is on; finishing the GL queue around it makes the
        time the stage's own (and costs a little, so it is off by default)."""
        if not self.profile:
            yield
            return
        self.gpu.ctx.finish()
        start = time.perf_counter()
        yield
        self.gpu.ctx.finish()
        self.stage_times[name] = time.perf_counter() - start

    def _view_proj(self, view: View) -> tuple[np.ndarray, np.ndarray]:
        # Flipping y makes GL's window rows run top-down, like image rows: textures read
        # back in image order and shaders work in image pixel coordinates.
        proj = FLIP_Y @ view.camera.projection(self.size, self.gpu.near, self.gpu.far, view.jitter)
        return proj @ view.camera.world_to_camera(), proj

    def release(self) -> None:
        bind_default_framebuffer(self.gpu.ctx)
        self._reader.release()
        for res in (
            self._gbuffer,
            self._depth_only,
            self._color_fbo,
            self._reference_fbo,
            self._albedo,
            self._normal,
            self._motion,
            self._depth,
            self._color,
            self._reference,
            self._fullscreen,
            self._shade_vao,
            self._reference_vao,
        ):
            res.release()
