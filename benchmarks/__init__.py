"""Speed and memory benchmarks: ``python -m benchmarks.<name>``; each prints a table."""
