"""Small helpers the panels share."""

from __future__ import annotations

from imgui_bundle import imgui

from viewer.app.state import AppState

PANEL_WIDTH = 300.0


def track(state: AppState, name: str) -> None:
    """Remember where the last widget is on screen, under ``name`` (for scripted clicks)."""
    lo, hi = imgui.get_item_rect_min(), imgui.get_item_rect_max()
    state.widget_rects[name] = (lo.x, lo.y, hi.x, hi.y)


def place(x: float, y: float, height: float, right: bool = False) -> None:
    """Where a panel starts the first time (the user may move and dock it after)."""
    width = imgui.get_io().display_size.x
    pos = (width - PANEL_WIDTH - x if right else x, y)
    imgui.set_next_window_pos(pos, imgui.Cond_.first_use_ever)
    imgui.set_next_window_size((PANEL_WIDTH, height), imgui.Cond_.first_use_ever)
    imgui.set_next_window_bg_alpha(0.82)


def begin_panel(state: AppState, title: str) -> bool:
    """``imgui.begin`` that also remembers where the panel is (reported by headless runs);
    returns whether it is expanded. Call ``imgui.end()`` whatever it returns."""
    expanded, _ = imgui.begin(title)
    pos, size = imgui.get_window_pos(), imgui.get_window_size()
    state.widget_rects[f"panel:{title}"] = (pos.x, pos.y, pos.x + size.x, pos.y + size.y)
    return expanded


def radio_row(state: AppState, prefix: str, names, current: str) -> str | None:
    """A row of radio buttons; returns the one clicked, if any."""
    chosen = None
    style = imgui.get_style()
    right = imgui.get_cursor_screen_pos().x + imgui.get_content_region_avail().x
    for i, name in enumerate(names):
        width = imgui.get_frame_height() + style.item_inner_spacing.x + imgui.calc_text_size(name).x
        if i and imgui.get_item_rect_max().x + style.item_spacing.x + width <= right:
            imgui.same_line()  # wrap onto a new line when the next button does not fit
        if imgui.radio_button(f"{name}##{prefix}", current == name):
            chosen = name
        track(state, f"{prefix}:{name}")
    return chosen


def hint(text: str) -> None:
    imgui.push_style_color(imgui.Col_.text, (0.65, 0.65, 0.7, 1.0))
    imgui.text_wrapped(text)
    imgui.pop_style_color()
