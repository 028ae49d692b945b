"""Speed and memory benchmarks: ``python -m benchmarks.<name>``; each prints a table.

Every benchmark starts with :func:`benchmarks.runtime.start`. One setting cannot wait for it:
OpenMP reads its spin count when torch loads, and a benchmark's own imports load torch, so
the package sets it here, before any of them runs (``python -m benchmarks.NAME`` imports the
package first): as the ``reframe-rt`` command sets it (``viewer/cli.py`` says why), so that
benchmarks time what the command runs.
"""

import os

os.environ.setdefault("GOMP_SPINCOUNT", "10000")
