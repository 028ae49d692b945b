"""OpenGL G-buffer renderer with a Monte-Carlo path-tracing stub."""
