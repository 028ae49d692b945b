"""Training the task networks on data rendered from random procedural scenes.

Beside ``evaluation`` and independent of it: both build on the renderer, the networks and
the shared metrics of ``common``, and neither imports the other.
"""
