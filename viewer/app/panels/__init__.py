"""One module per ImGui panel; each is a free function ``gui_xxx(state)``."""
