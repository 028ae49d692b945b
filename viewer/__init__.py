"""The application: the ``reframe-rt`` command line, the desktop viewer and path playback."""
