"""Live stats: the speedup measured live, refreshes, whether the network keeps up,
per-stage times, and plots of the last seconds (implot)."""

from __future__ import annotations

import numpy as np
from imgui_bundle import imgui, implot

from networks.tasks import TASKS
from viewer.app.panels.widgets import begin_panel, place
from viewer.app.state import AppState
from viewer.app.stats import WINDOW_SECONDS, LiveStats

PLOT_HEIGHT = 96.0
BEHIND = (1.0, 0.55, 0.2, 1.0)


def gui_live_stats(state: AppState) -> None:
    place(8, 8, 396, right=True)
    expanded = begin_panel(state, "Live stats")
    if expanded:
        s = state.stats
        live, total = s.live_speedup(), s.speedup
        imgui.text("live speedup")
        imgui.same_line()
        imgui.text_colored((0.4, 1.0, 0.5, 1.0), "-" if live is None else f"{live:.2f}x")
        imgui.same_line()
        imgui.text_disabled("(last 3 s)")
        imgui.text(f"since start: {'-' if total is None else f'{total:.2f}x'} over {s.frames} "
                   f"frames")  # fmt: skip
        rate = s.refresh_rate
        imgui.text(f"refresh rate {'-' if rate is None else f'{rate:.0%}'}, "
                   f"{s.since_refresh} frames since refresh")  # fmt: skip
        c = state.cache
        if c.depth and c.enabled and c.family in ("delta", "lfd"):
            now = "refresh" if s.depth is None else f"depth {s.depth}"
            counts = ", ".join(f"{k}: {v}" for k, v in sorted(s.depths.items()))
            imgui.text(f"{now}; reuse frames by depth {counts or '-'}")
        if state.scene.frame_budget_ms > 0:
            margin = s.budget_margin_ms
            text = "-" if margin is None else f"{margin:+.0f}"
            # Short enough for the panel's width: the budget is on the Caching panel.
            imgui.text(f"spp {s.spp} (next {s.next_spp}), margin {text} of "
                       f"{state.scene.frame_budget_ms:.0f} ms")  # fmt: skip
            if not TASKS[state.network.task].reads_spp:
                imgui.text_disabled("this task reads converged images: spp cannot help it")
        else:
            imgui.text(f"spp {s.spp} (no frame budget)")
        if state.cache.online and s.tau is not None:
            imgui.text(f"tau now {s.tau:.4g} (+online; the slider's is where it started)")
        if s.flip_mean is not None and "heatmap" in (state.view.mode, state.view.split_mode):
            imgui.text(f"FLIP cached vs full: {s.flip_mean:.4f}")
        _pace(s)
        if s.error:
            imgui.text_colored((1.0, 0.4, 0.4, 1.0), s.error[:200])
        # Two stages per row: the table stays short enough for the plots below it.
        if imgui.begin_table("stages", 4, imgui.TableFlags_.borders_inner_h):
            for i, (name, ms) in enumerate(s.stages.items()):
                if i % 2 == 0:
                    imgui.table_next_row()
                imgui.table_next_column()
                imgui.text(name)
                imgui.table_next_column()
                imgui.text(f"{ms:6.1f}")
            imgui.end_table()
        imgui.text_disabled("per-stage times in ms (last frame)")
        _plots(s)
    imgui.end()


def _pace(s: LiveStats) -> None:
    net, ui = s.network_fps(), s.ui_fps()
    imgui.text(f"network {net:4.1f} fps, UI {ui:4.1f} fps")
    behind = s.network_busy and s.output_age_ms > 100.0
    text = f"shown output is {s.output_age_ms:.0f} ms old"
    if behind:
        imgui.text_colored(BEHIND, f"network behind: {text}")
    else:
        imgui.text(text)
    if s.camera_frames_dropped:
        imgui.text_colored(BEHIND, f"{s.camera_frames_dropped} camera moves waited for it")


def _plots(s: LiveStats) -> None:
    ui = s.recent(s.ui_times)
    net = s.recent(s.net_times)
    if implot.begin_plot("frame time, ms (last 10 s)", (-1, PLOT_HEIGHT)):
        implot.setup_axes("", "", implot.AxisFlags_.no_tick_labels)
        implot.setup_legend(implot.Location_.north_west, implot.LegendFlags_.horizontal)
        implot.setup_axis_limits(implot.ImAxis_.x1, -WINDOW_SECONDS, 0, implot.Cond_.always)
        # A warm-up or a scene load would flatten everything else: scale to the bulk.
        values = [ui[:, 1]] + ([net[:, 1], net[:, 2]] if len(net) else [])
        top = max(float(np.percentile(v, 90)) for v in values) if len(ui) else 100.0
        implot.setup_axis_limits(implot.ImAxis_.y1, 0, top * 1.4, implot.Cond_.always)
        if len(ui):
            implot.plot_line("UI", _c(ui[:, 0]), _c(ui[:, 1]))
        if len(net):
            implot.plot_line("full", _c(net[:, 0]), _c(net[:, 1]))
            implot.plot_line("cached", _c(net[:, 0]), _c(net[:, 2]))
        implot.end_plot()
    imgui.text("refreshes (last 10 s)")
    if implot.begin_plot("##refreshes", (-1, PLOT_HEIGHT * 0.45), implot.Flags_.canvas_only):
        none = implot.AxisFlags_.no_decorations
        implot.setup_axes("", "", none, none)
        implot.setup_axis_limits(implot.ImAxis_.x1, -WINDOW_SECONDS, 0, implot.Cond_.always)
        implot.setup_axis_limits(implot.ImAxis_.y1, 0, 1.1, implot.Cond_.always)
        if len(net):
            implot.plot_bars("refresh", _c(net[:, 0]), _c(net[:, 3]), 0.04)
        implot.end_plot()


def _c(values: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(values, dtype=np.float64)
