"""Scene & camera: which scene, animation, the fly camera, resolution."""

from __future__ import annotations

from imgui_bundle import imgui

from renderer.scenes import BUILTIN_SCENES
from viewer.app import actions
from viewer.app.panels.widgets import begin_panel, hint, place, track
from viewer.app.state import RESOLUTIONS, AppState


def gui_scene(state: AppState) -> None:
    place(8, 8, 272)
    expanded = begin_panel(state, "Scene & camera")
    if expanded:
        s = state.scene
        if imgui.begin_combo("scene", s.name if s.name in BUILTIN_SCENES else "file"):
            for name in BUILTIN_SCENES:
                if imgui.selectable(name, name == s.name)[0] and name != s.name:
                    actions.request(state, "scene", name)
            imgui.end_combo()
        track(state, "scene")
        entered, s.file_text = imgui.input_text(
            "##file", s.file_text, imgui.InputTextFlags_.enter_returns_true
        )
        imgui.same_line()
        if (imgui.button("load file") or entered) and s.file_text:
            actions.request(state, "scene", s.file_text)
        _, s.animate = imgui.checkbox("animation", s.animate)
        track(state, "animate")
        fly = state.fly
        _, fly.speed = imgui.slider_float("speed m/s", fly.speed, 0.05, 30.0, "%.2f",
                                          imgui.SliderFlags_.logarithmic)  # fmt: skip
        _, fly.fov = imgui.slider_float("fov", fly.fov, 15.0, 110.0, "%.0f deg")
        track(state, "fov")
        if imgui.button("back to the start"):
            actions.request(state, "home")
        w, h = s.size
        if imgui.begin_combo("resolution", f"{w}x{h}"):
            for size in RESOLUTIONS:
                if imgui.selectable(f"{size[0]}x{size[1]}", size == s.size)[0]:
                    s.follow_window = False
                    actions.set_resolution(state, size)
            imgui.end_combo()
        changed, s.follow_window = imgui.checkbox("follow window (half size)", s.follow_window)
        track(state, "follow")
        if changed and s.follow_window:
            actions.follow_window(state)
        changed, s.preview_quality = imgui.checkbox("preview light sampling", s.preview_quality)
        if changed:
            state.invalidate()
        hint("WASD, Q/E: fly; Shift: fast; drag: look; wheel: speed; Tab: panels")
    imgui.end()
