"""Shared helpers for the benchmarks: timing by medians, isolated workers, and tables."""

import json
import statistics
import subprocess
import sys
import time


# Per-sample timings are about a millisecond: 201 of them make the median robust to a burst
# of background work on a noisy machine (31 were not: one burst could move the whole median).
SAMPLE_REPEATS = 201


def median_seconds(fn, repeats=31, warmup=3):
    """The median wall time of fn() over `repeats` calls (machines here are noisy)."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def in_fresh_process(module, task, *args, timeout=600):
    """Run `python -m module --worker task args...` and return the JSON it prints.

    Each engine is measured in its own process so that one engine's garbage (micrograd's
    reference cycles) is not collected on the other's clock.
    """
    command = [sys.executable, "-m", module, "--worker", task, *map(str, args)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        return {"error": done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "failed"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def answered_worker(argv, worker):
    """True once a command line from in_fresh_process, `--worker task args...`, is answered
    (worker(task, *args) printed as JSON); False for any other, which is the user's to parse."""
    if len(argv) > 1 and argv[0] == "--worker":
        print(json.dumps(worker(*argv[1:])))
        return True
    return False


def print_table(title, header, rows):
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows)]
    line = "  ".join("-" * w for w in widths)
    print(f"\n{title}")
    print("  ".join(str(h).ljust(w) for h, w in zip(header, widths)))
    print(line)
    for row in rows:
        print("  ".join(str(cell).ljust(w) for cell, w in zip(row, widths)))
