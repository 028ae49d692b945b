"""The interactive viewer: one ``AppState``, a short frame loop (``app.py``), the network in
a worker thread (``worker.py``) and one small module per ImGui panel (``panels/``)."""
