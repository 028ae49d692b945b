"""The small base every layer may use and that imports none of them: user errors, atomic
writes, padding to a network's alignment and warping by motion vectors (torch and the
standard library only)."""
