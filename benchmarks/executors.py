"""A sweep's wall clock on each executor: ``python -m benchmarks.executors``.

One calibration sweep (``reframe-rt calibrate``: random scenes, one unit each, every
policy of the family against the full network) run three times from scratch in this
process: on the local executor, and on a local Ray instance with one worker and with two
(one CPU a unit, so the instance's CPUs are its workers). Prints the wall-clock times,
their ratio to one worker, and whether the three sweeps made the same decisions.
"""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path

from benchmarks import runtime

RUNS = (
    ("local", "this process, torch's threads", []),
    ("ray", "1 worker", ["--executor", "ray", "--ray-cpus", "1"]),
    ("ray", "2 workers", ["--executor", "ray", "--ray-cpus", "2"]),
)


def main() -> None:
    parser = runtime.parser(__doc__)
    parser.add_argument("--task", default="denoise")
    parser.add_argument("--scenes", type=int, default=4, help="units of the sweep")
    parser.add_argument("--frames", type=int, default=30, help="frames a unit")
    parser.add_argument("--resolution", default="320x180")
    parser.add_argument("--family", default="delta")
    args = runtime.start(parser)
    from viewer.cli import main as reframe_rt  # the whole command line: only when it runs

    sweep = ["calibrate", "--task", args.task, "--scenes", str(args.scenes), "--frames"]
    sweep += [str(args.frames), "--resolution", args.resolution, "--family", args.family]
    sweep += ["--quiet", "--fresh"]
    print(f"reframe-rt {' '.join(sweep)} --executor ...")
    rows, sweeps = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for k, (executor, workers, flags) in enumerate(RUNS):
            into = Path(tmp) / f"calibration-{k}.json"
            start = time.perf_counter()
            status = reframe_rt([*sweep, *flags, "--into", str(into), "--out", f"{tmp}/{k}"])
            seconds = time.perf_counter() - start
            if status:
                raise SystemExit(status)
            record = json.loads(into.read_text())["tasks"][args.task]
            sweeps.append([(r["spec"], r["refresh_rate"], r["flip"]) for r in record["sweep"]])
            rows.append((executor, workers, seconds))
    one = rows[1][2]
    print(f"\n{args.scenes} units of {args.frames} frames at {args.resolution}")
    print("| executor | workers | wall clock | vs 1 worker |")
    print("|---|---|---|---|")
    for executor, workers, seconds in rows:
        print(f"| {executor} | {workers} | {seconds:.1f} s | {one / seconds:.2f}x |")
    pairs = [(a, b) for other in sweeps[1:] for a, b in zip(sweeps[0], other, strict=True)]
    same = all(a[:2] == b[:2] for a, b in pairs)
    spread = max(abs(a[2] - b[2]) for a, b in pairs)
    print(f"\nsame refresh rates on all three: {same}; largest FLIP difference {spread:.1e}")


if __name__ == "__main__":
    main()
