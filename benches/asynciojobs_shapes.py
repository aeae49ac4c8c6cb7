#!/usr/bin/env python3
"""Times asynciojobs on the no-op workloads of benches/compare.rs.

    python3 benches/asynciojobs_shapes.py SHAPE JOBS [--width W] [--window N]

SHAPE is `independent`, `chain`, `layered` (each job of a layer of W jobs requires
every job of the previous layer) or `fanout` (one root, every other job requires it).
The graph is built first, then `Scheduler.run()` alone is timed; one JSON line is
printed: {"run_s": seconds of run(), "build_s": seconds of the build}.

Only the public API of asynciojobs is used (Scheduler, Job, add, run).
`cargo bench --bench compare` calls this script once per measurement.
"""

import argparse
import json
import sys
import time

from asynciojobs import Job, Scheduler


async def body():
    return None


def requirements(shape, jobs, width):
    """Yields, for each job in order, the indices of the jobs it requires."""
    for i in range(jobs):
        if shape == "independent":
            yield ()
        elif shape == "chain":
            yield () if i == 0 else (i - 1,)
        elif shape == "fanout":
            yield () if i == 0 else (0,)
        elif shape == "layered":
            layer = i // width
            yield () if layer == 0 else range((layer - 1) * width, layer * width)
        else:
            raise SystemExit(f"unknown shape {shape!r}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("shape")
    parser.add_argument("jobs", type=int)
    parser.add_argument("--width", type=int, default=100)
    parser.add_argument("--window", type=int, default=None)
    args = parser.parse_args()

    start = time.perf_counter()
    sched = Scheduler(jobs_window=args.window, critical=False)
    made = []
    for reqs in requirements(args.shape, args.jobs, args.width):
        job = Job(body(), required=[made[r] for r in reqs])
        made.append(job)
    for job in made:
        sched.add(job)
    built = time.perf_counter() - start

    start = time.perf_counter()
    ok = sched.run()
    ran = time.perf_counter() - start
    if not ok:
        print("the asynciojobs run failed", file=sys.stderr)
        sys.exit(1)
    print(json.dumps({"run_s": ran, "build_s": built}))


if __name__ == "__main__":
    main()
