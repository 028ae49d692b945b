"""Everything the viewer's panels read and change, in one place (the imgui-bundle demos'
``AppState`` pattern). Plain data: the frame loop and the panels act on it."""

from __future__ import annotations

from dataclasses import dataclass, field

from caching.spec import DEPTH, ONLINE, WARP
from evaluation.presets import PRESETS, presets_for
from evaluation.user_network import UserNetwork
from networks.model import ARCHS
from networks.tasks import TaskName
from renderer.path import CameraPath
from viewer.app.fly import FlyCamera
from viewer.app.stats import LiveStats

ARCH_NAMES = tuple(ARCHS)
POLICY_FAMILIES = ("every", "delta", "motion", "lfd")
TAU_RANGES = {"delta": (0.0, 1.0), "motion": (0.0, 32.0), "lfd": (0.0, 0.3)}
"""Slider ranges of each policy's threshold (SMAPE, pixels, SMAPE): wide enough for every
task's presets (super-resolution's delta-L is 1.0)."""
DEFAULT_TAUS = {
    # The default task's own presets (the shipped ones: nothing is read at import time).
    "delta": PRESETS["denoise"]["delta-L"],
    "motion": PRESETS["denoise"]["motion-L"],
    "lfd": 0.05,
}
VIEW_MODES = ("cached", "full", "reference", "input", "albedo", "normal", "depth", "motion",
              "heatmap")  # fmt: skip
MAX_CUT = 4
"""The shipped networks have 5 levels: a reuse frame can recompute up to 4 of them."""
RESOLUTIONS = ((160, 90), (320, 180), (480, 270), (640, 360), (960, 540), (1280, 720))


@dataclass
class SceneState:
    name: str = "temple"
    """Built-in scene name or a .obj/.gltf/.glb file."""
    file_text: str = ""
    """What the scene-file box holds (loaded on Enter or with the button)."""
    animate: bool = True
    """Moving objects move (the scene clock advances 1/30 s per rendered frame)."""
    size: tuple[int, int] = (640, 360)
    """Render resolution (width, height)."""
    follow_window: bool = False
    """Render at half the window's size (even sides), following resizes."""
    frame_budget_ms: float = 0.0
    """Render, input and cached network held to this many ms a frame, what the cache saves
    spent on samples per pixel (0: off, 1 spp)."""
    max_spp: int = 16
    """Most samples per pixel the frame budget may buy."""
    preview_quality: bool = False
    """Fewer light samples: faster references (extrapolation and super-resolution need them)."""
    seed: int = 0


@dataclass
class NetworkState:
    task: TaskName = "denoise"
    arch: str = "unet"
    user: UserNetwork | None = None
    """The user's own network (``--network``) in place of ``arch``."""
    device: str = "cpu"
    """Where the networks run (``--device``, resolved)."""
    precision: str = "fp32"
    """The networks' inference precision (``--precision``)."""
    cuda_graphs: bool = False
    """Replay the networks as CUDA graphs (``--cuda-graphs``)."""


@dataclass
class CacheState:
    enabled: bool = True
    family: str = "delta"
    every_n: int = 2
    taus: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_TAUS))
    cut: int = 1
    warp: bool = False
    """Motion-compensated reuse (the ``+warp`` modifier)."""
    online: bool = False
    """Tau adapted while running (the ``+online`` modifier; not for ``every``)."""
    depth: bool = False
    """Adaptive depth (the ``+depth`` modifier: delta and lfd, without +warp or +online)."""

    def spec(self, task: str) -> str:
        """The policy spec string (preset names when a tau sits exactly on a preset)."""
        if not self.enabled:
            return "full"
        if self.depth and self.family in ("delta", "lfd"):
            return self._base_spec(task) + f"+{DEPTH}"  # it takes no other modifier
        modifiers = f"+{WARP}" if self.warp else ""
        if self.online and self.family != "every":
            modifiers += f"+{ONLINE}"
        return self._base_spec(task) + modifiers

    def _base_spec(self, task: str) -> str:
        if self.family == "every":
            return f"every-{self.every_n}"
        tau = self.taus[self.family]
        for name, value in presets_for(task).items():
            # Sliders hold float32: a preset is hit within its rounding.
            if name.startswith(self.family + "-") and abs(value - tau) <= 1e-6 * max(1, value):
                return name
        return f"{self.family}-{tau:g}"

    def set_spec(self, spec: str, task: str) -> None:
        """The inverse of :meth:`spec`, for command-line options (specs already parsed)."""
        spec, *modifiers = spec.split("+")
        self.warp, self.online = WARP in modifiers, ONLINE in modifiers
        self.depth = DEPTH in modifiers
        self.enabled = spec != "full"
        if not self.enabled:
            return
        family, _, value = spec.partition("-")
        self.family = family
        if family == "every":
            self.every_n = int(value)
        else:
            preset = presets_for(task).get(spec)
            # A preset's tau may be 0 (denoise's delta-auto): only a missing one is parsed.
            self.taus[family] = float(value) if preset is None else preset


@dataclass
class ViewState:
    mode: str = "cached"
    split: bool = False
    split_mode: str = "full"
    """What the right side of the split shows."""
    divider: float = 0.5
    """Where the split divider sits, as a share of the image width."""
    dragging: bool = False


@dataclass
class PlaybackState:
    path: CameraPath | None = None
    """The path being played; ``None``: flying freely."""
    name: str = ""
    index: int = 0
    """The next path frame to render."""
    playing: bool = True
    loop: bool = False
    step: int = 0
    """Frames still to advance while paused (the Step button)."""
    seek: int | None = None
    """A frame to jump to (scrubbing); the networks start afresh there."""
    load_text: str = ""
    save_text: str = "out/view/recording.json"
    recording: bool = False
    recorded: int = 0
    """Frames recorded so far."""
    hashes: list[tuple[int, int, str, bool | None]] = field(default_factory=list)
    """(pass, path frame, hash of the cached output, refreshed) per played frame; the
    pass counts loops."""
    passes: int = 0


@dataclass
class AppState:
    scene: SceneState = field(default_factory=SceneState)
    network: NetworkState = field(default_factory=NetworkState)
    cache: CacheState = field(default_factory=CacheState)
    view: ViewState = field(default_factory=ViewState)
    playback: PlaybackState = field(default_factory=PlaybackState)
    fly: FlyCamera = field(default_factory=FlyCamera)
    stats: LiveStats = field(default_factory=LiveStats)
    window_size: tuple[int, int] = (1280, 720)
    show_panels: bool = True
    ui_frame: int = 0
    generation: int = 0
    """Bumped whenever what the networks saw stops being valid (resize, task or scene
    change, seek): the worker then drops its cache and history."""
    messages: list[str] = field(default_factory=list)
    """Problems to show (a scene file that failed to load, missing weights, ...)."""
    widget_rects: dict[str, tuple[float, float, float, float]] = field(default_factory=dict)
    """Screen rectangles of named widgets, so scripted clicks can find them."""
    requests: list[tuple[str, str]] = field(default_factory=list)
    """Things for the app to do outside the state: ("load", file), ("save", file),
    ("screenshot", file), ("fly", ""), ("scene", name)."""
    quit: bool = False

    def invalidate(self) -> None:
        self.generation += 1

    def policy_spec(self) -> str:
        return self.cache.spec(self.network.task)
