"""Metrics, tone mapping, the playback runner, reports and EXR/PNG dumps."""
