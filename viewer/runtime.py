"""Process-wide tuning done once by the application (never by the libraries)."""

from __future__ import annotations

import ctypes
import ctypes.util

_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3


def tune_allocator(threshold: int = 256 * 1024 * 1024) -> bool:
    """Keep freed frame-sized buffers in glibc's heap instead of returning them to the OS.

    Every frame allocates a few megabytes of tensors; served by fresh ``mmap`` they cost a
    page fault per 4 KiB, which measured 3-5 ms per 640x360 frame. Returns whether it
    applied (only on glibc).
    """
    name = ctypes.util.find_library("c")
    if not name:
        return False
    try:
        libc = ctypes.CDLL(name)
        return bool(libc.mallopt(_M_MMAP_THRESHOLD, threshold)) and bool(
            libc.mallopt(_M_TRIM_THRESHOLD, threshold)
        )
    except (OSError, AttributeError):
        return False
