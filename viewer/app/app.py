"""The viewer application: a window, the state, the frame pipeline and the panels, and a
short frame loop."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from renderer.path import CameraPath
from renderer.pathgen import resolve_path
from renderer.scenes import load_scene
from renderer.scenes.scene import Scene
from viewer.app import requests
from viewer.app.display import Display
from viewer.app.events import Input
from viewer.app.panels.caching import gui_caching
from viewer.app.panels.live_stats import gui_live_stats
from viewer.app.panels.network import gui_network
from viewer.app.panels.playback import gui_playback
from viewer.app.panels.scene import gui_scene
from viewer.app.panels.view import gui_view
from viewer.app.pipeline import Pipeline
from viewer.app.script import Script, snapshot
from viewer.app.source import FrameSource
from viewer.app.state import AppState
from viewer.app.window import Window
from viewer.app.worker import NetworkWorker

PANELS = (gui_scene, gui_network, gui_caching, gui_live_stats, gui_view, gui_playback)


@dataclass
class Options:
    """How the app runs (the parts of ``view``'s config that are not state)."""

    window: tuple[int, int] = (1280, 720)
    headless: bool = False
    frames: int | None = None
    """Quit after this many network frames (headless runs)."""
    screenshot: Path | None = None
    script: list | None = None
    record: Path | None = None
    """Record from the start and save here on quit."""
    max_fps: float = 30.0
    threads: int = 2
    ini_file: Path | None = None


class App:
    def __init__(self, state: AppState, options: Options) -> None:
        self.state = state
        self.options = options
        self.window = Window(options.window, options.headless)
        state.window_size = self.window.size
        self.display = Display(self.window.gl.ctx)
        self.input = Input(self.window.handle, state, self.display)
        self.window.start_imgui(options.ini_file)
        self.source = FrameSource(self.window.gl)
        self.worker = NetworkWorker(options.threads)
        self.pipeline = Pipeline(self.source, self.worker)
        self.script = Script(options.script, self.window.handle) if options.script else None
        self.record_start = 0
        self._recording = False
        self._last = time.perf_counter()
        self.pending_screenshot: Path | None = None

    def start(self, scene: Scene, path: CameraPath | None, name: str = "") -> None:
        """Begin with ``scene`` (loaded by the caller) and the path to play (``None``: fly
        freely)."""
        self.source.add_scene(self.state.scene.name, scene)
        self.source.start_camera(self.state)
        if path is not None:
            requests.play(self.state, path, name)
        if self.options.record is not None:
            self.state.playback.recording = True
            self.state.playback.save_text = str(self.options.record)

    def run(self) -> dict:
        try:
            while not (self.window.should_close() or self.state.quit or self._finished()):
                self.frame()
            self._stop_recording()
            # Two more frames so the panels show the final numbers, then the screenshot.
            for _ in range(2):
                self.frame(collect=False)
            if self.options.screenshot is not None:
                self.frame(collect=False, screenshot=self.options.screenshot)
            return self.report()
        finally:
            self._stop_recording()  # an interrupted flight is still saved
            self.close()

    def frame(self, collect: bool = True, screenshot: Path | None = None) -> None:
        state = self.state
        now = time.perf_counter()
        dt, self._last = now - self._last, now
        self.window.poll()
        if self.script is not None:
            self.script.feed(state, self.pipeline.results)
        moved = state.fly.advance(min(dt, 0.25))
        requests.handle(self, state)
        self._record_transition()
        if collect:
            self.pipeline.step(state, moved)
        self.display.update(state, self.pipeline.latest)
        ui_start = time.perf_counter()
        self.window.new_frame()
        self.display.draw(state)
        if state.show_panels:
            for panel in PANELS:
                panel(state)
        self.window.render()
        screenshot = screenshot or self.pending_screenshot
        if screenshot is not None:
            self.window.screenshot(screenshot)
            self.pending_screenshot = None
        present_start = time.perf_counter()
        self.window.swap()
        end = time.perf_counter()
        state.ui_frame += 1
        state.stats.record("ImGui", (present_start - ui_start) * 1e3)
        state.stats.record("present", (end - present_start) * 1e3)
        state.stats.add_ui((end - now) * 1e3)
        self.pipeline.hand_over()
        self._pace(now)

    def _pace(self, start: float) -> None:
        """Cap the UI rate: spare CPU goes to the network (2 cores)."""
        rest = 1.0 / self.options.max_fps - (time.perf_counter() - start)
        if rest > 0:
            time.sleep(rest)

    def _finished(self) -> bool:
        o = self.options
        # Headless, nothing will change the settings once the networks cannot run: --frames
        # or a script's wait would never come.
        idle = self.script is None or self.script.done or self.script.waiting_for_network
        if o.headless and self.pipeline.stuck and idle:
            return True
        if self.script is not None and not self.script.done:
            return False
        if o.frames is not None:
            return self.pipeline.results >= o.frames
        return self.script is not None and o.headless

    def _stop_recording(self) -> None:
        if self.state.playback.recording:
            self.state.playback.recording = False
            self._record_transition()

    def _record_transition(self) -> None:
        p = self.state.playback
        if p.recording and not self._recording:
            self.record_start = len(self.source.live)
        elif self._recording and not p.recording:
            requests.save_recording(self, p.save_text)
        self._recording = p.recording
        if p.recording:
            p.recorded = len(self.source.live) - self.record_start

    def report(self) -> dict:
        state = self.state
        return {
            **state.stats.report(),
            "state": snapshot(state),
            "ui_frames": state.ui_frame,
            "hashes": [list(h) for h in state.playback.hashes],
            "script_log": self.script.log if self.script else [],
            "widgets": {k: list(v) for k, v in state.widget_rects.items()},
            "image_rect": list(self.display.rect),
            "messages": list(state.messages),
        }

    def close(self) -> None:
        self.worker.close()
        self.display.release()
        self.source.close()
        self.window.close()


def run_app(state: AppState, options: Options, path_spec: str | None, frames=None) -> dict:
    """Run the viewer; the scene and the path are loaded first, so a bad one is reported
    (UserError) before any window opens. ``frames`` (``evaluation.frames_dir.FramesDir``):
    play those instead of a path."""
    scene = load_scene(state.scene.name)
    path = resolve_path(path_spec, scene) if path_spec is not None else None
    name = Path(path_spec).stem if path_spec is not None else ""
    if frames is not None:
        path, name = frames.path, frames.directory.name
    app = App(state, options)
    app.source.frames = frames
    app.start(scene, path, name)
    return app.run()
