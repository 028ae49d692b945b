"""Where frames come from: the scene and its ``PathPlayer`` on the window's GL context, the
path the fly camera leaves behind (it is also what recording saves), and a loaded path.

Every frame goes through ``PathPlayer.render`` (the renderer's public way), so a recorded
path plays back through exactly the code that rendered it live.
"""

from __future__ import annotations

import numpy as np

from networks.tasks import TASKS
from renderer.camera import Camera
from renderer.context import GLContext, bind_default_framebuffer
from renderer.frame import Frame
from renderer.lights import PREVIEW_QUALITY, ShadowQuality
from renderer.path import CameraPath, PathFrame
from renderer.pathgen import FPS, resolve_path
from renderer.player import PathPlayer, RenderSettings
from renderer.scenes import load_scene
from renderer.scenes.scene import Scene
from viewer.app.state import AppState

RENDER_STAGES = ("shadows", "gbuffer", "shade", "reference")


class FrameSource:
    def __init__(self, gl: GLContext) -> None:
        self.gl = gl
        self._scenes: dict[str, Scene] = {}
        self.player: PathPlayer | None = None
        self._player_key: tuple | None = None
        self.live = CameraPath(fps=FPS, frames=[])
        """The fly camera's frames so far: frame i is rendered with motion from i - 1."""
        self.clock = 0.0
        """Scene time of the next live frame (advances 1/FPS per frame while animating)."""
        self._live_generation: int | None = None
        self.frames = None
        """Frames read from a directory (``evaluation.frames_dir.FramesDir``): its path plays
        them instead of rendering (``view --frames-dir``)."""

    def scene(self, name: str) -> Scene:
        """The scene ``name`` (loaded once); raises a UserError for a bad name or file."""
        if name not in self._scenes:
            self._scenes[name] = load_scene(name)
        return self._scenes[name]

    def add_scene(self, name: str, scene: Scene) -> None:
        self._scenes[name] = scene

    def start_camera(self, state: AppState) -> None:
        """Put the fly camera where the scene's own path starts."""
        scene = self.scene(state.scene.name)
        state.fly.set_from(resolve_path("default", scene).frames[0].camera)

    def render(self, state: AppState, path: CameraPath, index: int) -> Frame:
        """Frame ``index`` of ``path`` with what the task and the view need."""
        if self.frames is not None and path is self.frames.path:
            return self.frames.frame(index)
        task = state.network.task
        views = (state.view.mode, state.view.split_mode if state.view.split else "")
        reference = task == "extrapolate" or "reference" in views
        player = self._player(state)
        # Straight to the networks' device (CUDA-GL interop where it works).
        budgeted = state.scene.frame_budget_ms > 0 and TASKS[task].reads_spp
        spp = state.stats.next_spp if budgeted else 1
        frame = player.render(
            path, index, state.network.device, reference=reference,
            low_reference=task == "supersample", spp=spp,
        )  # fmt: skip
        bind_default_framebuffer(self.gl.ctx)
        times = player.renderer.stage_times
        if player.low_renderer is not None:
            for name, t in player.low_renderer.stage_times.items():
                times[name] = times.get(name, 0.0) + t
        state.stats.record("render", sum(times.get(s, 0.0) for s in RENDER_STAGES) * 1e3)
        # What a frame budget counts: the converged reference is a view's, not the pipeline's.
        state.stats.budget_render_ms = (
            sum(times.get(s, 0.0) for s in (*RENDER_STAGES, "read") if s != "reference") * 1e3
        )
        state.stats.record("transfer", times.get("read", 0.0) * 1e3)
        for r in (player.renderer, player.low_renderer):
            if r is not None:
                r.stage_times.clear()
        return frame

    def next_live(self, state: AppState) -> Frame:
        """A new frame where the fly camera is now."""
        camera = state.fly.camera()
        # The first frame after the networks restart is a cut: nothing carries over.
        cut = self._live_generation != state.generation
        self._live_generation = state.generation
        self.live.frames.append(PathFrame(*as_saved(camera, self.clock), cut))
        if state.scene.animate:
            self.clock += 1.0 / FPS
        return self.render(state, self.live, len(self.live) - 1)

    def _player(self, state: AppState) -> PathPlayer:
        s = state.scene
        low_res = state.network.task == "supersample"
        key = (s.name, s.size, low_res, s.preview_quality, s.seed)
        if key != self._player_key:
            self.close()
            quality = PREVIEW_QUALITY if s.preview_quality else ShadowQuality()
            settings = RenderSettings(
                size=s.size, seed=s.seed, reference=False, low_res=low_res, quality=quality
            )
            self.player = PathPlayer(self.scene(s.name), settings, gl=self.gl)
            for r in (self.player.renderer, self.player.low_renderer):
                if r is not None:
                    r.profile = True  # per-stage times for the stats panel
            self._player_key = key
        return self.player

    def close(self) -> None:
        if self.player is not None:
            self.player.close()
            self.player = None
            self._player_key = None


def as_saved(camera: Camera, clock: float) -> tuple[np.ndarray, float, float]:
    """A live frame's camera, lens and time rounded as a path file stores them
    (renderer/path.py: 9 digits for matrices, 6 for the rest): a recording then replays
    exactly the frames that were seen."""
    m = np.array([round(float(v), 9) for v in camera.camera_to_world.reshape(-1)])
    return m.reshape(4, 4), round(float(camera.fov), 6), round(clock, 6)
