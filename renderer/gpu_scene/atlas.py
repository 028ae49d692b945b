"""The shadow atlases: one depth tile per light sample, laid out in blocks per light, and
drawn with one instanced call per batch of tiles.

The static atlas and the dynamic one share this layout; a frame draws the moving objects
into only the tiles of the samples it uses (its ``FrameSamples``).
"""

from __future__ import annotations

from dataclasses import dataclass

import moderngl
import numpy as np

from renderer.gpu_scene.vertices import Geometry
from renderer.lights import SampleSet
from renderer.programs import Programs, pad_rows, set_uniform

MAX_TILES = 64
"""Shadow tiles drawn per instanced call (``shadow.vert`` has the same limit)."""
MAX_ATLAS = 16384
GL_CLIP_DISTANCE0 = 0x3000

Tiles = list[list[tuple[int, int]]]
"""Each light's tiles' corners in the atlas, in texels, sample by sample."""


@dataclass(frozen=True)
class FrameSamples:
    """Which sample of each light a frame may use: ``indices[l]`` for light ``l`` (the sky
    last), or every sample for a reference."""

    indices: tuple[tuple[int, ...], ...]


def every_sample(sets: list[SampleSet]) -> FrameSamples:
    return FrameSamples(tuple(tuple(range(s.count)) for s in sets))


def _columns(s: SampleSet) -> int:
    return int(np.ceil(np.sqrt(s.count)))


def layout(sets: list[SampleSet]) -> tuple[Tiles, int, int]:
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


def depth_atlas(
    ctx: moderngl.Context, size: tuple[int, int]
) -> tuple[moderngl.Texture, moderngl.Framebuffer]:
    """A cleared depth texture that compares (for shadow lookups) and its framebuffer."""
    atlas = ctx.depth_texture(size)
    atlas.compare_func = "<="
    # Linear: hardware 2x2 percentage-closer filtering, as cheap as nearest on llvmpipe.
    atlas.filter = (moderngl.LINEAR, moderngl.LINEAR)
    fbo = ctx.framebuffer(depth_attachment=atlas)
    fbo.clear(depth=1.0)
    return atlas, fbo


@dataclass
class TileDrawer:
    """Draws geometry into the tiles of an atlas laid out for ``sets`` by ``tiles``."""

    ctx: moderngl.Context
    programs: Programs
    sets: list[SampleSet]
    tiles: Tiles
    clear_vao: moderngl.VertexArray

    def draw(
        self,
        fbo: moderngl.Framebuffer,
        geometry: Geometry | None,
        models: np.ndarray,
        samples: FrameSamples,
        clear: bool = False,
    ) -> None:
        """Draw ``geometry`` placed by ``models`` into the tiles of ``samples``, optionally
        clearing them first: one instanced draw per batch of tiles, whatever their number."""
        if geometry is None:
            return
        ctx, programs = self.ctx, self.programs
        width, height = fbo.size
        matrices, rects = [], []
        for s, tiles, indices in zip(self.sets, self.tiles, samples.indices, strict=True):
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
        set_uniform(programs.shadow, "u_models", models)
        for start in range(0, len(rects), MAX_TILES):
            batch = slice(start, start + MAX_TILES)
            count = len(rects[batch])
            rect_block = pad_rows(np.asarray(rects[batch]), MAX_TILES)
            if clear:
                ctx.depth_func = "1"
                set_uniform(programs.clear_tiles, "u_tile_rect", rect_block)
                self.clear_vao.render(moderngl.TRIANGLE_STRIP, vertices=4, instances=count)
            ctx.depth_func = "<"
            # Slope-scaled bias at render time keeps lit surfaces from shadowing themselves.
            ctx.polygon_offset = (1.0, 2.0)
            set_uniform(programs.shadow, "u_tile_rect", rect_block)
            set_uniform(
                programs.shadow,
                "u_tile_view_proj",
                pad_rows(np.asarray(matrices[batch]), MAX_TILES),
            )
            geometry.shadow.render(moderngl.TRIANGLES, instances=count)
            ctx.polygon_offset = (0.0, 0.0)
        for i in range(4):
            ctx.disable_direct(GL_CLIP_DISTANCE0 + i)
