"""A sequence's PSNR from its frames' PSNRs: of the mean squared error over the frames.

A mean of per-frame PSNRs is ruled by near-perfect frames, and a frame reproduced exactly
would make it infinite; the PSNR of the mean error is what evaluation reports for a path and
training for its held-out frames.
"""

from __future__ import annotations

import math
import statistics

PSNR_CAP = 100.0
"""Sequence PSNR of a perfect reproduction (dB)."""


def sequence_psnr(values: list[float | None]) -> float | None:
    """PSNR of the mean squared error over frames, from per-frame PSNRs (peak 1); None
    entries are skipped, and None comes back when nothing is left."""
    errors = [10.0 ** (-min(v, PSNR_CAP) / 10.0) for v in values if v is not None]
    if not errors:
        return None
    if any(math.isnan(e) for e in errors):
        return math.nan  # the cap would read a broken frame as a perfect one
    return min(PSNR_CAP, -10.0 * math.log10(max(statistics.fmean(errors), 1e-30)))
