"""A scene on the GPU: vertex buffers, the shadow atlases and the shading parameters.

One ``GpuScene`` serves every :class:`~renderer.renderer.Renderer` of any image size on the
same context (the full-resolution and the half-resolution views share it).

Shadows come from two depth atlases with the same layout, one tile per light sample: the
static atlas holds the non-moving geometry and is rendered once; the dynamic atlas holds
the moving objects at the current frame's time and only the tiles a frame uses are drawn.

The modules: ``scene`` (the ``GpuScene`` itself), ``vertices`` (vertex buffers and their
vertex arrays), ``culling`` (static geometry in chunks, skipped outside the view),
``atlas`` (the shadow atlases' layout and drawing), ``shading`` (the shading passes'
uniforms) and ``noise`` (the patterns' noise texture).
"""

from renderer.gpu_scene.atlas import FrameSamples
from renderer.gpu_scene.scene import GpuScene

__all__ = ["FrameSamples", "GpuScene"]
