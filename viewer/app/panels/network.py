"""Network: the task and the architecture."""

from __future__ import annotations

from imgui_bundle import imgui

from networks.tasks import TASK_NAMES
from networks.weights import weights_path
from viewer.app import actions
from viewer.app.panels.widgets import begin_panel, hint, place, radio_row
from viewer.app.state import ARCH_NAMES, AppState


def gui_network(state: AppState) -> None:
    place(8, 288, 128)
    expanded = begin_panel(state, "Network")
    if expanded:
        n = state.network
        imgui.text("task")
        chosen = radio_row(state, "task", TASK_NAMES, n.task)
        if chosen:
            actions.set_task(state, chosen)
        imgui.text("architecture")
        chosen = radio_row(state, "arch", ARCH_NAMES, n.arch)
        if chosen:
            actions.set_arch(state, chosen)
        if not weights_path(n.task, n.arch).exists():
            hint(f"no weights for {n.task} with {n.arch}")
        else:
            hint("keys 1 / 2 / 3 switch the task")
    imgui.end()
