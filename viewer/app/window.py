"""The glfw window with its moderngl context and Dear ImGui (imgui-bundle's own GLFW and
OpenGL3 backends, and implot). Headless runs put the window on GLFW's null platform with
an EGL context (see ``gl_window``): no X server needed, and the screenshot still shows
everything."""

from __future__ import annotations

import ctypes
from pathlib import Path

# isort: off
from imgui_bundle import imgui, implot  # before glfw: it points pyGLFW at its own libglfw
import glfw

# isort: on
import numpy as np
from PIL import Image

from common.atomic import atomic_path
from renderer.context import GLContext
from viewer.app.gl_window import open_window


class Window:
    def __init__(self, size: tuple[int, int], headless: bool) -> None:
        handle, gl = open_window(
            size, "reframe-rt view", visible=not headless,
            null_platform=True if headless else None,
        )  # fmt: skip
        self.handle = handle
        self.gl: GLContext = gl
        self.address = ctypes.cast(self.handle, ctypes.c_void_p).value
        self._imgui = False

    def start_imgui(self, ini_file: Path | None) -> None:
        """After the viewer's callbacks are installed: ImGui's chain to them."""
        imgui.create_context()
        implot.create_context()
        io = imgui.get_io()
        io.set_ini_filename(str(ini_file) if ini_file else None)
        io.config_flags |= imgui.ConfigFlags_.docking_enable
        imgui.backends.glfw_init_for_opengl(self.address, True)
        imgui.backends.opengl3_init("#version 330")
        self._imgui = True

    @property
    def size(self) -> tuple[int, int]:
        return tuple(glfw.get_framebuffer_size(self.handle))

    def should_close(self) -> bool:
        return bool(glfw.window_should_close(self.handle))

    def poll(self) -> None:
        glfw.poll_events()

    def new_frame(self) -> None:
        imgui.backends.opengl3_new_frame()
        imgui.backends.glfw_new_frame()
        imgui.new_frame()

    def render(self) -> None:
        ctx = self.gl.ctx
        ctx.screen.use()
        w, h = self.size
        ctx.viewport = (0, 0, w, h)
        ctx.clear(0.08, 0.08, 0.09, 1.0)
        imgui.render()
        imgui.backends.opengl3_render_draw_data(imgui.get_draw_data())

    def screenshot(self, file: str | Path) -> None:
        """The window as it is now (panels included), as a PNG; call before ``swap``."""
        ctx = self.gl.ctx
        w, h = self.size
        data = ctx.screen.read(viewport=(0, 0, w, h), components=3)
        # The read leaves a stale GL error behind (docs/DESIGN.md, where things run).
        _ = ctx.error
        pixels = np.frombuffer(data, np.uint8).reshape(h, w, 3)[::-1]
        Path(file).parent.mkdir(parents=True, exist_ok=True)
        with atomic_path(file) as tmp:
            Image.fromarray(pixels).save(tmp, format="PNG")

    def swap(self) -> None:
        glfw.swap_buffers(self.handle)

    def close(self) -> None:
        if self._imgui:
            imgui.backends.opengl3_shutdown()
            imgui.backends.glfw_shutdown()
            implot.destroy_context()
            imgui.destroy_context()
            self._imgui = False
        self.gl.close()
