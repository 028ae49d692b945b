"""What the panels, the keyboard shortcuts and scripted events do to the state: one
function per action, so every way in changes the state the same way."""

from __future__ import annotations

from networks.tasks import TASK_NAMES, TASKS
from viewer.app.state import POLICY_FAMILIES, TAU_RANGES, VIEW_MODES, AppState

MIN_FOLLOW_SIDE = 16


def set_task(state: AppState, name: str) -> None:
    if name == state.network.task:
        return
    old, c = state.network.task, state.cache
    state.network.task = name
    # Every threshold sitting on one of the old task's presets moves to the same preset of
    # the new task (a preset stays that preset, at the new task's tau).
    family, enabled = c.family, c.enabled
    for each in ("delta", "motion"):
        c.family, c.enabled = each, True
        spec = c.spec(old)
        if spec.endswith(("-H", "-L")):
            c.set_spec(spec, name)
    c.family, c.enabled = family, enabled
    w, h = state.scene.size
    if TASKS[name].needs_low_res and (w % 2 or h % 2):
        # Its half-resolution input needs even sides; a renderer cannot take odd ones.
        set_resolution(state, (w - w % 2, h - h % 2))
        state.messages.append(f"{name} needs even sides: rendering at {w - w % 2}x{h - h % 2}")
    state.invalidate()  # the history and the cache belong to the old task


def set_arch(state: AppState, name: str) -> None:
    if name != state.network.arch:
        state.network.arch = name
        state.invalidate()


def set_policy_family(state: AppState, family: str) -> None:
    state.cache.family = family
    state.cache.enabled = True


def cycle_policy(state: AppState) -> None:
    families = POLICY_FAMILIES
    set_policy_family(state, families[(families.index(state.cache.family) + 1) % len(families)])


def nudge_threshold(state: AppState, steps: int) -> None:
    """Move the current policy's threshold by ``steps`` twentieths of its slider."""
    c = state.cache
    if c.family == "every":
        c.every_n = max(1, min(16, c.every_n + steps))
        return
    lo, hi = TAU_RANGES[c.family]
    c.taus[c.family] = round(min(hi, max(lo, c.taus[c.family] + steps * (hi - lo) / 20)), 4)


def toggle_caching(state: AppState) -> None:
    state.cache.enabled = not state.cache.enabled


def set_view(state: AppState, mode: str) -> None:
    if mode not in VIEW_MODES:
        raise ValueError(f"unknown view {mode!r}")
    state.view.mode = mode


def toggle_heatmap(state: AppState) -> None:
    set_view(state, "cached" if state.view.mode == "heatmap" else "heatmap")


def cycle_view(state: AppState) -> None:
    set_view(state, VIEW_MODES[(VIEW_MODES.index(state.view.mode) + 1) % len(VIEW_MODES)])


def toggle_split(state: AppState) -> None:
    state.view.split = not state.view.split


def set_resolution(state: AppState, size: tuple[int, int]) -> None:
    if size != state.scene.size:
        state.scene.size = size
        state.invalidate()


def window_resized(state: AppState, width: int, height: int) -> None:
    state.window_size = (max(width, 1), max(height, 1))
    if state.scene.follow_window:
        follow_window(state)


def toggle_follow_window(state: AppState) -> None:
    state.scene.follow_window = not state.scene.follow_window
    if state.scene.follow_window:
        follow_window(state)


def follow_window(state: AppState) -> None:
    """Render at half the window size, even sides (super-resolution halves them again)."""
    w, h = state.window_size
    size = (max(MIN_FOLLOW_SIDE, w // 2 // 2 * 2), max(MIN_FOLLOW_SIDE, h // 2 // 2 * 2))
    set_resolution(state, size)


def toggle_play(state: AppState) -> None:
    state.playback.playing = not state.playback.playing


def step(state: AppState, frames: int = 1) -> None:
    """Pause and advance ``frames`` path frames (negative: go back, restarting the
    networks there)."""
    p = state.playback
    p.playing = False
    if frames > 0:
        p.step += frames
    elif p.path is not None:
        seek(state, max(0, p.index - 1 + frames))


def seek(state: AppState, index: int) -> None:
    p = state.playback
    if p.path is None:
        return
    p.seek = max(0, min(index, len(p.path) - 1))


def toggle_loop(state: AppState) -> None:
    state.playback.loop = not state.playback.loop


def toggle_record(state: AppState) -> None:
    if state.playback.path is None:
        state.playback.recording = not state.playback.recording


def set_task_by_number(state: AppState, number: int) -> None:
    set_task(state, TASK_NAMES[number - 1])


def request(state: AppState, what: str, arg: str = "") -> None:
    """Ask the app for something outside the state (load, save, screenshot, fly)."""
    state.requests.append((what, arg))
