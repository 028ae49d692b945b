"""Caching: on/off, the refresh policy, its threshold (presets marked on the slider), the
cut depth, motion-compensated reuse, online thresholds and adaptive depth; the frame budget
whose savings buy samples per pixel."""

from __future__ import annotations

from imgui_bundle import imgui

from evaluation.presets import presets_for
from viewer.app import actions
from viewer.app.panels.widgets import begin_panel, hint, place, radio_row, track
from viewer.app.state import MAX_CUT, POLICY_FAMILIES, TAU_RANGES, AppState

UNITS = {"delta": "SMAPE", "motion": "px", "lfd": "SMAPE"}
BUDGET_MAX_MS = 1000.0
"""The frame budget slider's end (0: off)."""


def gui_caching(state: AppState) -> None:
    place(8, 424, 200)
    expanded = begin_panel(state, "Caching")
    if expanded:
        c = state.cache
        _, c.enabled = imgui.checkbox("layer caching", c.enabled)
        track(state, "caching")
        imgui.same_line()
        imgui.text_disabled(state.policy_spec())  # the spec, as --policy takes it
        if not c.enabled:
            imgui.begin_disabled()
        chosen = radio_row(state, "policy", POLICY_FAMILIES, c.family)
        if chosen:
            actions.set_policy_family(state, chosen)
        if c.family == "every":
            _, c.every_n = imgui.slider_int("N", c.every_n, 1, 16)
            track(state, "threshold")
        else:
            _threshold(state)
        imgui.set_next_item_width(imgui.calc_item_width() * 0.45)
        _, c.cut = imgui.slider_int("cut", c.cut, 1, MAX_CUT)
        track(state, "cut")
        imgui.same_line()
        _, c.warp = imgui.checkbox("+warp", c.warp)
        track(state, "warp")
        if c.family != "every":
            imgui.same_line()
            _, c.online = imgui.checkbox("+online", c.online)
            track(state, "online")
        if c.family in ("delta", "lfd"):
            imgui.same_line()
            _, c.depth = imgui.checkbox("+depth", c.depth)
            track(state, "depth")
        if not c.enabled:
            imgui.end_disabled()
        _budget(state)
        hint("C: on/off, P: next policy, [ ]: tau; +warp: follow motion; +online: adapt tau; "
             "+depth: recompute as deep as it changed (alone)")  # fmt: skip
    imgui.end()


def _threshold(state: AppState) -> None:
    c = state.cache
    lo, hi = TAU_RANGES[c.family]
    _, c.taus[c.family] = imgui.slider_float(
        f"tau ({UNITS[c.family]})", c.taus[c.family], lo, hi, "%.3f"
    )
    track(state, "threshold")
    presets = {k: v for k, v in presets_for(state.network.task).items()
               if k.startswith(c.family + "-")}  # fmt: skip
    # Mark the presets on the slider's track: a tick and the preset's letter.
    x0, y0, _, y1 = state.widget_rects["threshold"]
    width = imgui.calc_item_width()
    grab = imgui.get_style().grab_min_size
    draw = imgui.get_window_draw_list()
    color = imgui.get_color_u32((1.0, 0.75, 0.2, 1.0))
    for name, tau in presets.items():
        x = x0 + grab / 2 + (width - grab) * (tau - lo) / (hi - lo)
        draw.add_line((x, y0), (x, y1), color, 2.0)
        draw.add_text((x + 2, y0 - 2), color, name.split("-")[-1][0])
    for i, (name, tau) in enumerate(presets.items()):
        if i:
            imgui.same_line()
        # "H = 0.1": the family is the policy chosen above; the ID keeps the full name.
        if imgui.small_button(f"{name.split('-', 1)[1]} = {tau:g}###{name}"):
            c.taus[c.family] = tau
        track(state, f"preset:{name}")


def _budget(state: AppState) -> None:
    """The frame budget: render, input and cached network held to it, the time saved spent
    on samples per pixel."""
    scene = state.scene
    imgui.set_next_item_width(imgui.calc_item_width() * 0.5)
    _, scene.frame_budget_ms = imgui.slider_float(
        "budget ms", scene.frame_budget_ms, 0.0, BUDGET_MAX_MS, "%.0f"
    )
    track(state, "frame budget")
    imgui.same_line()
    imgui.set_next_item_width(imgui.calc_item_width() * 0.25)
    _, scene.max_spp = imgui.slider_int("max spp", scene.max_spp, 1, 64)
    track(state, "max spp")
