"""View: what the main image shows, and the split-screen compare."""

from __future__ import annotations

from imgui_bundle import imgui

from viewer.app import actions
from viewer.app.panels.widgets import begin_panel, hint, place, radio_row, track
from viewer.app.state import VIEW_MODES, AppState


def gui_view(state: AppState) -> None:
    place(8, 412, 160, right=True)
    expanded = begin_panel(state, "View")
    if expanded:
        v = state.view
        chosen = radio_row(state, "view", VIEW_MODES, v.mode)
        if chosen:
            actions.set_view(state, chosen)
        if v.mode == "heatmap" and state.stats.flip_mean is not None:
            imgui.text(f"FLIP cached vs full (magma): mean {state.stats.flip_mean:.4f}")
        _, v.split = imgui.checkbox("split screen", v.split)
        track(state, "split")
        if v.split:
            if imgui.begin_combo("right side", v.split_mode):
                for mode in VIEW_MODES:
                    if imgui.selectable(mode, mode == v.split_mode)[0]:
                        v.split_mode = mode
                imgui.end_combo()
            _, v.divider = imgui.slider_float("divider", v.divider, 0.0, 1.0, "%.2f")
            track(state, "divider")
        hint("H heatmap, V next view, X split; drag the divider")
    imgui.end()
