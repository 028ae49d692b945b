"""What the app does for requests the panels and keys leave in ``AppState.requests``:
things beyond the state (files, scenes, screenshots). Failures become messages on screen,
never crashes."""

from __future__ import annotations

import time
from pathlib import Path

from renderer.errors import UserError
from renderer.path import CameraPath, load_path
from viewer.app import recording
from viewer.app.state import AppState

SCREENSHOT_DIR = Path("out/view")


def handle(app, state: AppState) -> None:
    while state.requests:
        what, arg = state.requests.pop(0)
        try:
            _handle(app, state, what, arg)
        except (UserError, ValueError) as error:
            state.messages.append(str(error))
            state.stats.error = str(error)


def _handle(app, state: AppState, what: str, arg: str) -> None:
    if what == "scene":
        app.source.scene(arg)  # raises on a bad name or file, before anything changes
        state.scene.name = arg
        state.invalidate()
        app.source.start_camera(state)
    elif what == "home":
        app.source.start_camera(state)
    elif what == "load":
        path = load_path(arg)
        if path.scene and path.scene != state.scene.name:
            _handle(app, state, "scene", path.scene)
        play(state, path, Path(arg).stem)
    elif what == "fly":
        state.playback.path = None
        state.invalidate()
    elif what == "screenshot":
        # Taken once this frame is drawn (the back buffer holds nothing before that).
        app.pending_screenshot = Path(
            arg or SCREENSHOT_DIR / f"screenshot-{time.strftime('%Y%m%d-%H%M%S')}.png"
        )
    else:
        raise ValueError(f"unknown request {what!r}")


def play(state: AppState, path: CameraPath, name: str) -> None:
    p = state.playback
    p.path, p.name, p.index, p.passes, p.playing = path, name, 0, 0, True
    p.recording = False
    p.hashes.clear()
    state.invalidate()


def save_recording(app, file: str) -> None:
    frames = app.source.live.frames[app.record_start :]
    try:
        path = recording.save_recording(frames, app.state.scene.name, file)
    except (OSError, ValueError) as error:
        app.state.messages.append(f"recording not saved: {error}")
        return
    app.state.messages.append(f"saved {len(path)} frames to {file}")
