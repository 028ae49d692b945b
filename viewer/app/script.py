"""Scripted interaction for tests and demos: a JSON list of steps, run one per UI frame,
each going through the same input path as a person's (ImGui's glfw callbacks, which chain
to the viewer's).

Steps: ``{"wait": N}`` (N more network frames), ``{"frames": N}`` (N UI frames),
``{"key": "W", "action": "press|release|tap"}``, ``{"click": WIDGET}``,
``{"drag": WIDGET, "to": 0..1}`` (press on a slider at that share of its width),
``{"mouse": [x, y]}``, ``{"button": "left|right", "action": "press|release"}``,
``{"resize": [w, h]}``, ``{"screenshot": FILE}``, ``{"log": LABEL}`` (the state at that
moment goes into the report). Widgets are named by the panels (``AppState.widget_rects``).
"""

from __future__ import annotations

import json
from collections import deque
from pathlib import Path
from typing import Any

# isort: off
from imgui_bundle import imgui  # before glfw: it points pyGLFW at its own libglfw
import glfw

# isort: on

from renderer.errors import UserError
from viewer.app.state import AppState

BUTTONS = {"left": glfw.MOUSE_BUTTON_LEFT, "right": glfw.MOUSE_BUTTON_RIGHT}
ACTIONS = {"press": glfw.PRESS, "release": glfw.RELEASE}


def load_script(file: str | Path) -> list[dict[str, Any]]:
    try:
        steps = json.loads(Path(file).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise UserError(f"cannot read script {file}: {error}") from None
    if not isinstance(steps, list) or not all(isinstance(s, dict) for s in steps):
        raise UserError(f"{file}: a script is a JSON list of objects")
    for number, step in enumerate(steps, start=1):
        problem = _problem(step)
        if problem:
            raise UserError(f"{file}: step {number} {json.dumps(step)}: {problem}")
    return steps


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _is_pair(v: Any) -> bool:
    return isinstance(v, list) and len(v) == 2 and all(_is_number(x) for x in v)


def _problem(step: dict[str, Any]) -> str | None:
    """What is wrong with a step, found before the run (mid-run it would be a traceback)."""
    if "wait" in step or "frames" in step:
        n = step.get("wait", step.get("frames"))
        return (
            None if isinstance(n, int) and not isinstance(n, bool) and n >= 0 else "needs a count"
        )
    if "key" in step:
        key = step["key"]
        if not isinstance(key, str) or not hasattr(glfw, f"KEY_{key.upper()}"):
            return f"no key {key!r}"
        return (
            None
            if step.get("action", "tap") in (*ACTIONS, "tap")
            else "action: press, release or tap"
        )
    if "click" in step or "drag" in step:
        if not isinstance(step.get("click", step.get("drag")), str):
            return "names a widget"
        return None if _is_number(step.get("to", 0.5)) else "'to' is a share of the width"
    if "mouse" in step:
        return None if _is_pair(step["mouse"]) else "needs [x, y]"
    if "button" in step:
        ok = step["button"] in BUTTONS and step.get("action") in ACTIONS
        return None if ok else "button: left or right, action: press or release"
    if "resize" in step:
        ok = _is_pair(step["resize"]) and min(step["resize"]) >= 1
        return None if ok else "needs [width, height]"
    if "screenshot" in step or "log" in step:
        return (
            None if isinstance(step.get("screenshot", step.get("log")), str) else "needs a string"
        )
    return "unknown step"


def snapshot(state: AppState) -> dict[str, Any]:
    """The parts of the state a script checks."""
    return {
        "task": state.network.task,
        "arch": state.network.arch,
        "caching": state.cache.enabled,
        "policy": state.policy_spec(),
        "family": state.cache.family,
        "taus": dict(state.cache.taus),
        "every_n": state.cache.every_n,
        "view": state.view.mode,
        "split": state.view.split,
        "divider": state.view.divider,
        "resolution": list(state.scene.size),
        "window": list(state.window_size),
        "generation": state.generation,
        "camera_position": [float(v) for v in state.fly.position],
        "yaw": state.fly.yaw,
        "recording": state.playback.recording,
        "network_frames": state.stats.frames,
    }


class Script:
    def __init__(self, steps: list[dict[str, Any]], window) -> None:
        self.steps = deque(steps)
        self.window = window
        self.address = _address(window)
        self.log: list[dict[str, Any]] = []
        self._later: list[dict[str, Any]] = []
        self._wait_net: int | None = None
        self._wait_arm: int | None = None
        self._wait_ui = 0
        self._started = False

    @property
    def done(self) -> bool:
        return (
            not self.steps
            and not self._later
            and self._wait_ui <= 0
            and not self._wait_net
            and self._wait_arm is None
        )

    @property
    def waiting_for_network(self) -> bool:
        return self._wait_net is not None or self._wait_arm is not None

    def feed(self, state: AppState, network_results: int) -> None:
        """Run what is due this UI frame; ``network_results`` counts results so far."""
        if not self._started:
            # The cursor is in the window from the start: ImGui then takes positions from
            # the events below, not from the platform.
            imgui.backends.glfw_cursor_enter_callback(self.address, 1)
            self._started = True
        for step in self._later:
            self._run(step, state)
        self._later = []
        if self._wait_arm is not None:
            # A click lands when its release goes out, in the panels drawn after this
            # frame's results were taken: counting from here leaves out the result of
            # settings the click replaced.
            self._wait_net, self._wait_arm = network_results + self._wait_arm, None
            return
        if self._wait_ui > 0:
            self._wait_ui -= 1
            return
        if self._wait_net is not None:
            if network_results < self._wait_net:
                return
            self._wait_net = None
        if self.steps:
            step = self.steps.popleft()
            if "wait" in step:
                self._wait_arm = int(step["wait"])
            elif "frames" in step:
                self._wait_ui = int(step["frames"])
            else:
                self._run(step, state)

    def _run(self, step: dict[str, Any], state: AppState) -> None:
        a = self.address
        if "key" in step:
            key = getattr(glfw, f"KEY_{step['key'].upper()}")
            action = step.get("action", "tap")
            imgui.backends.glfw_key_callback(a, key, 0, ACTIONS.get(action, glfw.PRESS), 0)
            if action == "tap":
                self._later.append({"key": step["key"], "action": "release"})
        elif "click" in step or "drag" in step:
            name = step.get("click") or step["drag"]
            if name not in state.widget_rects:
                raise UserError(f"script: no widget {name!r} on screen")
            x0, y0, x1, y1 = state.widget_rects[name]
            share = float(step.get("to", 0.5))
            self._move(x0 + (x1 - x0) * share, (y0 + y1) / 2)
            imgui.backends.glfw_mouse_button_callback(a, glfw.MOUSE_BUTTON_LEFT, glfw.PRESS, 0)
            self._later.append({"button": "left", "action": "release"})
        elif "mouse" in step:
            self._move(*step["mouse"])
        elif "button" in step:
            button, action = BUTTONS[step["button"]], ACTIONS[step["action"]]
            imgui.backends.glfw_mouse_button_callback(a, button, action, 0)
        elif "resize" in step:
            glfw.set_window_size(self.window, *step["resize"])
        elif "screenshot" in step:
            state.requests.append(("screenshot", step["screenshot"]))
        elif "log" in step:
            self.log.append({"label": step["log"], **snapshot(state)})
        else:
            raise UserError(f"script: unknown step {step}")

    def _move(self, x: float, y: float) -> None:
        glfw.set_cursor_pos(self.window, x, y)
        imgui.backends.glfw_cursor_pos_callback(self.address, float(x), float(y))


def _address(window) -> int:
    import ctypes

    return ctypes.cast(window, ctypes.c_void_p).value
