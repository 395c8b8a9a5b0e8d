"""nn.save / nn.load: loading is linear in the parameter count, and an oversized file is refused at once.

    python -m bench.persist

For MLPs of the 784-h-10 shape (h = 30, 100, 300), side by side in one run: building the
model (`nn.MLP`), `nn.save` and `nn.load`, medians of a few runs. Loading builds a new model
and checks every name and number, so it costs a few times a build; the figure that shows
linear scaling is the time per parameter, which stays flat as the count grows tenfold
(before the fix, 784-30-10 loaded in 25.6 s and 784-100-10 in 355 s: quadratic).
The last line times the refusal of a 200 MB file (sparse: no blocks on disk), which is
refused by its size before a byte of it is read.
"""

import argparse
import os
import tempfile
import time

from bench.common import median_seconds, print_table

HIDDEN = (30, 100, 300)
REPEATS = 3
HUGE_FILE_BYTES = 200 * 2**20


def measure(hidden, directory):
    """{build, save, load} seconds (medians) and the parameter count for a 784-hidden-10 MLP."""
    import nn
    path = os.path.join(directory, f"mlp_{hidden}.json")
    model = nn.MLP(784, [hidden, 10], seed=0)
    nn.save(model, path)
    assert nn.load(path).state_dict() == model.state_dict()
    return {
        "parameters": model.num_parameters(),
        "bytes": os.path.getsize(path),
        "build": median_seconds(lambda: nn.MLP(784, [hidden, 10], seed=0), repeats=REPEATS, warmup=0),
        "save": median_seconds(lambda: nn.save(model, path), repeats=REPEATS, warmup=0),
        "load": median_seconds(lambda: nn.load(path), repeats=REPEATS, warmup=0),
    }


def refusal_seconds(directory):
    """How long nn.load takes to refuse a 200 MB model file."""
    import nn
    path = os.path.join(directory, "huge.json")
    with open(path, "wb") as file:
        file.truncate(HUGE_FILE_BYTES)
    start = time.perf_counter()
    try:
        nn.load(path)
    except nn.ModelFileError:
        return time.perf_counter() - start
    raise AssertionError("a 200 MB model file was not refused")


def rows(results):
    smallest = results[0]
    per_parameter = smallest["load"] / smallest["parameters"]
    table = []
    for hidden, r in zip(HIDDEN, results):
        growth = r["parameters"] / smallest["parameters"]
        table.append([f"784-{hidden}-10", f"{r['parameters']:,}", f"{r['bytes'] / 2**20:.1f} MB",
                      f"{r['build']:.3f}", f"{r['save']:.3f}", f"{r['load']:.3f}",
                      f"{r['load'] / r['parameters'] * 1e6:.1f}",
                      f"{growth:.1f}x params, {r['load'] / smallest['load']:.1f}x time "
                      f"({r['load'] / (per_parameter * r['parameters']):.2f} of linear)"])
    return table


def main(argv=None):
    argparse.ArgumentParser(prog="python -m bench.persist", description=__doc__.splitlines()[0]).parse_args(argv)
    with tempfile.TemporaryDirectory() as directory:
        results = [measure(hidden, directory) for hidden in HIDDEN]
        refused = refusal_seconds(directory)
    print_table(f"nn.save / nn.load (medians of {REPEATS})",
                ["model", "parameters", "file", "build (s)", "save (s)", "load (s)", "load µs/param",
                 "load against the smallest"], rows(results))
    print(f"a 200 MB model file: refused in {refused * 1e3:.2f} ms, before it is read (limit: 64 MB)")


if __name__ == "__main__":
    main()
