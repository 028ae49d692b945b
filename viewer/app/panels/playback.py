"""Recording and playback: record the fly camera into a path file, load a path and play it
frame by frame (pause, step, scrub, loop)."""

from __future__ import annotations

from imgui_bundle import imgui

from viewer.app import actions
from viewer.app.panels.widgets import begin_panel, hint, place, track
from viewer.app.state import AppState

RECORDING = (1.0, 0.3, 0.3, 1.0)


def gui_playback(state: AppState) -> None:
    place(8, 580, 132, right=True)
    expanded = begin_panel(state, "Recording & playback")
    if expanded:
        if state.playback.path is None:
            _record(state)
        else:
            _play(state)
        p = state.playback
        entered, p.load_text = imgui.input_text(
            "##load", p.load_text, imgui.InputTextFlags_.enter_returns_true
        )
        imgui.same_line()
        if (imgui.button("load path") or entered) and p.load_text:
            actions.request(state, "load", p.load_text)
        track(state, "load")
        if state.messages:
            hint(state.messages[-1])
    imgui.end()


def _record(state: AppState) -> None:
    p = state.playback
    label = "stop and save" if p.recording else "record"
    if p.recording:
        imgui.push_style_color(imgui.Col_.button, RECORDING)
    if imgui.button(label):
        actions.toggle_record(state)
    if p.recording:
        imgui.pop_style_color()
    track(state, "record")
    imgui.same_line()
    imgui.set_next_item_width(-1)
    _, p.save_text = imgui.input_text("##save", p.save_text)
    if p.recording:
        imgui.text_colored(RECORDING, f"recording: {p.recorded} frames")
    hint("R: record; load a path below to play it")


def _play(state: AppState) -> None:
    p = state.playback
    total = len(p.path)
    imgui.text(f"{p.name}: frame {min(p.index, total)} / {total}, pass {p.passes + 1}")
    if imgui.button("pause" if p.playing else "play"):
        actions.toggle_play(state)
    imgui.set_item_tooltip("Space; arrows step, Home restarts, L loops")
    track(state, "play")
    imgui.same_line()
    if imgui.button("<"):
        actions.step(state, -1)
    track(state, "back")
    imgui.same_line()
    if imgui.button(">"):
        actions.step(state, 1)
    track(state, "step")
    imgui.same_line()
    _, p.loop = imgui.checkbox("loop", p.loop)
    track(state, "loop")
    imgui.same_line()
    if imgui.button("fly"):
        actions.request(state, "fly")
    changed, frame = imgui.slider_int("frame", max(p.index - 1, 0), 0, total - 1)
    track(state, "scrub")
    imgui.set_item_tooltip("a jump starts the networks afresh there")
    if changed:
        actions.seek(state, frame)
