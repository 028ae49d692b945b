"""Keyboard and mouse: glfw callbacks (chained behind ImGui's, which sees every event first
and says whether it wants it), the keyboard shortcuts, mouse look and the split divider.

Scripted events (``script.py``) enter through ImGui's own glfw callbacks, which chain to
these: a test drives exactly the path a person's keys and mouse take.
"""

from __future__ import annotations

# isort: off
from imgui_bundle import imgui  # before glfw: it points pyGLFW at its own libglfw
import glfw

# isort: on

from viewer.app import actions
from viewer.app.display import Display
from viewer.app.state import AppState

SCROLL_SPEED_FACTOR = 1.25

SHORTCUTS = {
    glfw.KEY_TAB: lambda s: setattr(s, "show_panels", not s.show_panels),
    glfw.KEY_1: lambda s: actions.set_task_by_number(s, 1),
    glfw.KEY_2: lambda s: actions.set_task_by_number(s, 2),
    glfw.KEY_3: lambda s: actions.set_task_by_number(s, 3),
    glfw.KEY_C: actions.toggle_caching,
    glfw.KEY_P: actions.cycle_policy,
    glfw.KEY_LEFT_BRACKET: lambda s: actions.nudge_threshold(s, -1),
    glfw.KEY_RIGHT_BRACKET: lambda s: actions.nudge_threshold(s, 1),
    glfw.KEY_H: actions.toggle_heatmap,
    glfw.KEY_V: actions.cycle_view,
    glfw.KEY_X: actions.toggle_split,
    glfw.KEY_F: actions.toggle_follow_window,
    glfw.KEY_SPACE: actions.toggle_play,
    glfw.KEY_RIGHT: lambda s: actions.step(s, 1),
    glfw.KEY_LEFT: lambda s: actions.step(s, -1),
    glfw.KEY_HOME: lambda s: actions.seek(s, 0),
    glfw.KEY_L: actions.toggle_loop,
    glfw.KEY_R: actions.toggle_record,
    glfw.KEY_F12: lambda s: actions.request(s, "screenshot"),
    glfw.KEY_ESCAPE: lambda s: setattr(s, "quit", True),
}
MOVE_KEYS = {
    glfw.KEY_W: "W", glfw.KEY_A: "A", glfw.KEY_S: "S", glfw.KEY_D: "D",
    glfw.KEY_Q: "Q", glfw.KEY_E: "E",
    glfw.KEY_LEFT_SHIFT: "SHIFT", glfw.KEY_RIGHT_SHIFT: "SHIFT",
}  # fmt: skip


class Input:
    """Installs the viewer's glfw callbacks; ImGui's backend, initialised afterwards,
    chains to them."""

    def __init__(self, window, state: AppState, display: Display) -> None:
        self.state = state
        self.display = display
        self.cursor = (0.0, 0.0)
        self.looking = False
        # pyGLFW keeps the Python callables alive for as long as they are installed.
        glfw.set_key_callback(window, self.on_key)
        glfw.set_mouse_button_callback(window, self.on_mouse_button)
        glfw.set_cursor_pos_callback(window, self.on_cursor)
        glfw.set_scroll_callback(window, self.on_scroll)
        glfw.set_framebuffer_size_callback(window, self.on_resize)

    def on_key(self, window, key: int, scancode: int, action: int, mods: int) -> None:
        if imgui.get_io().want_capture_keyboard:
            self.state.fly.held.clear()
            return
        name = MOVE_KEYS.get(key)
        if name is not None:
            if action == glfw.PRESS:
                self.state.fly.held.add(name)
            elif action == glfw.RELEASE:
                self.state.fly.held.discard(name)
            return
        if action == glfw.PRESS and key in SHORTCUTS:
            SHORTCUTS[key](self.state)

    def on_mouse_button(self, window, button: int, action: int, mods: int) -> None:
        view = self.state.view
        if action == glfw.RELEASE:
            self.looking = False
            view.dragging = False
            return
        if imgui.get_io().want_capture_mouse:
            return
        x, y = self.cursor
        if button == glfw.MOUSE_BUTTON_LEFT and self.display.near_divider(self.state, x, y):
            view.dragging = True
        elif button in (glfw.MOUSE_BUTTON_LEFT, glfw.MOUSE_BUTTON_RIGHT):
            self.looking = True

    def on_cursor(self, window, x: float, y: float) -> None:
        dx, dy = x - self.cursor[0], y - self.cursor[1]
        self.cursor = (x, y)
        if self.state.view.dragging:
            self.state.view.divider = self.display.divider_at(x)
        elif self.looking:
            self.state.fly.look(dx, dy)

    def on_scroll(self, window, dx: float, dy: float) -> None:
        if not imgui.get_io().want_capture_mouse and dy:
            fly = self.state.fly
            fly.speed = min(100.0, max(0.05, fly.speed * SCROLL_SPEED_FACTOR**dy))

    def on_resize(self, window, width: int, height: int) -> None:
        actions.window_resized(self.state, width, height)
