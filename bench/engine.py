"""Engine benchmark: tracegrad's scalar engine against micrograd 0.1.0, side by side.

    python -m bench.engine
    python -m bench.engine --against-base 5    # only the last table, 5 times, each in a fresh process

1. One forward + backward per sample of MLP-shaped graphs (2-16-16-1 and 64-32-10, ReLU
   hidden, linear output, summed squared error), the input x given as Values in both engines
   (leaves of the graph, as `nn` gives them), micrograd's own `MLP` on the same x:
   a. tracegrad with one `dot` node per neuron (z = w·a + b), as `nn` builds it;
   b. tracegrad built from `*` and `+` nodes, exactly micrograd's graph, node for node.
2. Build + backward of a chain of 1,000,000 op nodes, v ← v · c; and the same with the cyclic
   garbage collector off (gc.disable()), which the README suggests around a very large build.
3. Bytes per op node of that chain (tracemalloc), after the build.
4. First-order backward against the engine at commit 2abb832 (before the engine was
   restructured), both in one process on identical graphs: that engine's `autograd/` is
   extracted with `git archive` into a temporary package. Needs a git checkout.
"""

import argparse
import gc
import importlib
import io
import os
import pathlib
import random
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
import tracemalloc

from bench.common import SAMPLE_REPEATS, answered_worker, in_fresh_process, median_seconds, print_table

CHAIN_LENGTH = 1_000_000
CHAIN_RUNS = 5  # one build + backward takes seconds: its median over fresh processes, not one reading
SHAPES = [(2, [16, 16, 1]), (64, [32, 10])]


# --- the graphs, built the same way in both engines --------------------------------------

def tracegrad_sample(nin, nouts, elementary=False, autograd=None):
    """One forward + backward of the MLP as tracegrad graphs: a dot node per neuron, or
    (elementary) micrograd's own structure, z = ((b + w1 a1) + w2 a2) + ..."""
    if autograd is None:
        import autograd
    build = mlp_builder(autograd, nin, nouts, elementary)
    return lambda: build().backward()


def mlp_builder(autograd, nin, nouts, elementary):
    Value = autograd.Value
    rng = random.Random(0)
    sizes = [nin] + nouts
    layers = [[([Value(rng.uniform(-1, 1)) for _ in range(n_in)], Value(0.0)) for _ in range(n_out)]
              for n_in, n_out in zip(sizes, sizes[1:])]
    x = [Value(rng.uniform(-1, 1)) for _ in range(nin)]
    y = [rng.uniform(-1, 1) for _ in range(nouts[-1])]

    def weighted_input(w, a, b):
        if not elementary:
            return autograd.dot(w, a, b)
        z = b
        for wk, ak in zip(w, a):
            z = z + wk * ak
        return z

    def build():
        a = x
        for i, layer in enumerate(layers):
            z = [weighted_input(w, a, b) for w, b in layer]
            a = [zj.relu() for zj in z] if i < len(layers) - 1 else z
        loss = Value(0.0)
        for aj, yj in zip(a, y):
            loss = loss + (aj - yj) ** 2
        return loss
    return build


def micrograd_sample(nin, nouts):
    from micrograd.engine import Value
    from micrograd.nn import MLP
    rng = random.Random(0)
    model = MLP(nin, nouts)
    x = [Value(rng.uniform(-1, 1)) for _ in range(nin)]
    y = [rng.uniform(-1, 1) for _ in range(nouts[-1])]

    def forward_backward():
        out = model(x)
        out = out if isinstance(out, list) else [out]
        loss = Value(0.0)
        for o, yi in zip(out, y):
            loss = loss + (o - yi) ** 2
        loss.backward()
    return forward_backward


def chain_seconds(value_class, length):
    """(build seconds, backward seconds), the latter None when backward hits the recursion limit."""
    start = time.perf_counter()
    v, c = value_class(1.0), value_class(1.0 + 1e-7)
    for _ in range(length):
        v = v * c
    built = time.perf_counter()
    try:
        v.backward()
    except RecursionError:
        return built - start, None
    return built - start, time.perf_counter() - built


def bytes_per_node(value_class, length=100_000):
    v, c = value_class(1.0), value_class(1.0 + 1e-7)
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    for _ in range(length):
        v = v * c
    used = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    return used / length


def value_class(engine):
    if engine == "tracegrad":
        from autograd import Value
    else:
        from micrograd.engine import Value
    return Value


# --- workers: each measurement runs in its own process ----------------------------------

def worker(task, engine, *args):
    if task == "sample":
        nin, nouts = SHAPES[int(args[0])]
        if engine == "micrograd":
            step = micrograd_sample(nin, nouts)
        else:
            step = tracegrad_sample(nin, nouts, elementary=engine == "tracegrad-elementary")
        return {"seconds": median_seconds(step, repeats=SAMPLE_REPEATS)}
    if task == "backward_vs_base":
        return backward_against_base()
    if task in ("chain", "chain_gc_off"):
        if task == "chain_gc_off":  # what the README suggests around a very large build: no cycles to find
            gc.disable()
        build, backward = chain_seconds(value_class(engine), int(args[0]))
        return {"build": build, "backward": backward}
    if task == "chain_limit":
        return {"deepest": deepest_chain(value_class(engine))}
    if task == "bytes":
        return {"bytes": bytes_per_node(value_class(engine))}
    raise ValueError(f"unknown task {task!r}")


BASE_COMMIT = "2abb832"  # the engine before #19's restructuring; #15: backward may be at most 5% slower
BACKWARD_REPEATS = 61


def backward_against_base():
    """{graph: [seconds now, seconds at BASE_COMMIT]}: medians of backward alone on identical
    graphs, the two engines interleaved run by run in this one process. Which engine goes
    first alternates: the first backward after a large graph was freed runs slower."""
    import autograd
    base = _engine_at(BASE_COMMIT)
    engines = (autograd, base)
    graphs = {"MLP 64-32-10, dot nodes": (64, [32, 10], False), "MLP 64-32-10, * and + nodes": (64, [32, 10], True)}
    builders = {name: [mlp_builder(engine, nin, nouts, elementary) for engine in engines]
                for name, (nin, nouts, elementary) in graphs.items()}
    builders["chain of 100,000 nodes"] = [lambda engine=engine: _chain(engine.Value, 100_000) for engine in engines]
    times = {}
    for name, pair in builders.items():  # one graph at a time
        seconds = ([], [])
        for repeat in range(BACKWARD_REPEATS if "MLP" in name else BACKWARD_REPEATS // 6):
            for k in (0, 1) if repeat % 2 == 0 else (1, 0):
                root = pair[k]()
                start = time.perf_counter()
                root.backward()
                seconds[k].append(time.perf_counter() - start)
                del root
        times[name] = [statistics.median(seconds[0]), statistics.median(seconds[1])]
    return times


def _chain(value_class, length):
    v, c = value_class(1.0), value_class(1.0 + 1e-7)
    for _ in range(length):
        v = v * c
    return v


def _engine_at(commit):
    """The package autograd/ as it was at `commit`, imported under another name."""
    folder = tempfile.mkdtemp(prefix="tracegrad-base-")
    archive = subprocess.run(["git", "archive", commit, "autograd"], capture_output=True,
                             cwd=pathlib.Path(__file__).resolve().parent.parent, check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(folder, filter="data")
    name = f"autograd_{commit}"
    os.rename(os.path.join(folder, "autograd"), os.path.join(folder, name))
    sys.path.insert(0, folder)
    return importlib.import_module(name)  # its imports are relative: it is a package of its own


def deepest_chain(value_class):
    """The longest chain (to the nearest 1) whose backward succeeds, searched by bisection."""
    low, high = 1, 100_000
    while low < high:
        mid = (low + high + 1) // 2
        if chain_seconds(value_class, mid)[1] is None:
            high = mid - 1
        else:
            low = mid
    return low


# --- the table --------------------------------------------------------------------------

def run():
    """Rows of [measurement, tracegrad, micrograd 0.1.0, ratio]; a failed worker shows its error."""
    rows = []
    for i, (nin, nouts) in enumerate(SHAPES):
        peer = in_fresh_process("bench.engine", "sample", "micrograd", i)
        shape = "-".join(map(str, [nin] + nouts))
        for engine, nodes in (("tracegrad", "dot nodes"), ("tracegrad-elementary", "* and + nodes")):
            ours = in_fresh_process("bench.engine", "sample", engine, i)
            rows.append(_row(f"MLP {shape}, Values as inputs, {nodes}: forward+backward per sample", ours, peer,
                             "seconds", lambda s: f"{s * 1e3:.3f} ms", "faster"))
    limit = in_fresh_process("bench.engine", "chain_limit", "micrograd")
    for task, how in (("chain", ""), ("chain_gc_off", ", the cyclic collector off (gc.disable())")):
        ours, peer = _chain_median("tracegrad", task), _chain_median("micrograd", task)
        rows.append([f"chain of {CHAIN_LENGTH:,} nodes{how}: build + backward", _show_chain(ours),
                     _show_chain(peer, limit), _chain_ratio(ours, peer)])
    ours = in_fresh_process("bench.engine", "bytes", "tracegrad")
    peer = in_fresh_process("bench.engine", "bytes", "micrograd")
    rows.append(_row("bytes per op node (tracemalloc)", ours, peer, "bytes", lambda b: f"{b:.0f}", "smaller"))
    return rows


def run_against_base():
    """Rows of [graph, backward now, backward at BASE_COMMIT, now / then]."""
    result = in_fresh_process("bench.engine", "backward_vs_base", "tracegrad")
    if "error" in result:
        return [["backward against " + BASE_COMMIT, result["error"], "-", "-"]]
    return [[f"{name}: backward", f"{now * 1e3:.3f} ms", f"{then * 1e3:.3f} ms", f"{now / then:.3f}x the time"]
            for name, (now, then) in result.items()]


def _chain_median(engine, task="chain"):
    """The median of CHAIN_RUNS runs (by total time), each in a fresh process, and the range."""
    runs = [in_fresh_process("bench.engine", task, engine, CHAIN_LENGTH) for _ in range(CHAIN_RUNS)]
    failed = [run["error"] for run in runs if "error" in run]
    if failed:
        return {"error": failed[0]}
    def total(run):  # micrograd's backward fails: its build alone
        return run["build"] + (run["backward"] or 0.0)
    runs.sort(key=total)
    return dict(runs[len(runs) // 2], fastest=total(runs[0]), slowest=total(runs[-1]))


def _show_chain(chain, limit=None):
    if "error" in chain:
        return chain["error"]
    spread = f"median of {CHAIN_RUNS} runs, {chain['fastest']:.2f}-{chain['slowest']:.2f}"
    if chain["backward"] is None:
        deepest = limit.get("error") or f"past {limit['deepest']:,} nodes"
        return f"build {chain['build']:.2f} s ({spread}); backward: RecursionError {deepest}"
    return (f"{chain['build'] + chain['backward']:.2f} s (build {chain['build']:.2f}, backward "
            f"{chain['backward']:.2f}; {spread})")


def _chain_ratio(ours, peer):
    if "error" in ours or "error" in peer:
        return "-"
    return f"build {peer['build'] / ours['build']:.1f}x faster"


def _row(name, ours, peer, key, show, better):
    if "error" in ours or "error" in peer:
        return [name, ours.get("error", "-"), peer.get("error", "-"), "-"]
    return [name, show(ours[key]), show(peer[key]), f"{peer[key] / ours[key]:.1f}x {better}"]


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if answered_worker(argv, worker):  # a measurement for in_fresh_process, not a user's command
        return
    parser = argparse.ArgumentParser(prog="python -m bench.engine", description=__doc__.splitlines()[0])
    parser.add_argument("--against-base", type=int, nargs="?", const=1, metavar="N",
                        help=f"only the last table (backward against the engine at {BASE_COMMIT}), "
                             f"N times (1 without N): its spread from run to run")
    args = parser.parse_args(argv)
    if args.against_base is not None:
        for _ in range(args.against_base):
            _print_against_base()
        return
    print_table(f"Engine: tracegrad vs micrograd 0.1.0 (per sample: medians of {SAMPLE_REPEATS} runs; each engine in its own process)",
                ["measurement", "tracegrad", "micrograd 0.1.0", "ratio"], run())
    _print_against_base()


def _print_against_base():
    print_table(f"Engine: first-order backward now against the engine at {BASE_COMMIT} (medians of "
                f"{BACKWARD_REPEATS} interleaved runs in one process; #15 allows at most 1.05x)",
                ["graph", "now", BASE_COMMIT, "ratio"], run_against_base())


if __name__ == "__main__":
    main()
