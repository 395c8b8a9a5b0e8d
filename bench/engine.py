"""Engine benchmark: tracegrad's scalar engine against micrograd 0.1.0, side by side.

    python -m bench.engine

1. One forward + backward per sample of MLP-shaped graphs (2-16-16-1 and 64-32-10, ReLU
   hidden, linear output, summed squared error), built from engine ops with `dot` for the
   weighted sums; micrograd's own `MLP` on the same input. The input is data, plain floats
   in both engines: micrograd wraps each x_k in a new Value at every multiplication, the
   first layer's `dot` nodes keep x as constants (op "dot_data").
2. Build + backward of a chain of 1,000,000 op nodes, v ← v · c.
3. Bytes per op node of that chain (tracemalloc), after the build.
"""

import json
import random
import sys
import time
import tracemalloc

from bench.common import SAMPLE_REPEATS, in_fresh_process, median_seconds, print_table

CHAIN_LENGTH = 1_000_000
CHAIN_RUNS = 5  # one build + backward takes seconds: its median over fresh processes, not one reading
SHAPES = [(2, [16, 16, 1]), (64, [32, 10])]


# --- the graphs, built the same way in both engines --------------------------------------

def tracegrad_sample(nin, nouts):
    import autograd
    from autograd import Value
    rng = random.Random(0)
    sizes = [nin] + nouts
    layers = [[([Value(rng.uniform(-1, 1)) for _ in range(n_in)], Value(0.0)) for _ in range(n_out)]
              for n_in, n_out in zip(sizes, sizes[1:])]
    x = [rng.uniform(-1, 1) for _ in range(nin)]
    y = [rng.uniform(-1, 1) for _ in range(nouts[-1])]

    def forward_backward():
        a = x  # the sample is data, plain floats as micrograd's MLP takes it: dot keeps it as constants
        for i, layer in enumerate(layers):
            z = [autograd.dot(w, a, b) for w, b in layer]
            a = [zi.relu() for zi in z] if i < len(layers) - 1 else z
        loss = autograd.sum([(ai - yi) ** 2 for ai, yi in zip(a, y)])
        loss.backward()
    return forward_backward


def micrograd_sample(nin, nouts):
    from micrograd.engine import Value
    from micrograd.nn import MLP
    rng = random.Random(0)
    model = MLP(nin, nouts)
    x = [rng.uniform(-1, 1) for _ in range(nin)]
    y = [rng.uniform(-1, 1) for _ in range(nouts[-1])]

    def forward_backward():
        out = model(x)
        out = out if isinstance(out, list) else [out]
        loss = sum(((o - yi) ** 2 for o, yi in zip(out, y)), Value(0.0))
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
        build = tracegrad_sample if engine == "tracegrad" else micrograd_sample
        return {"seconds": median_seconds(build(nin, nouts), repeats=SAMPLE_REPEATS)}
    if task == "chain":
        build, backward = chain_seconds(value_class(engine), int(args[0]))
        return {"build": build, "backward": backward}
    if task == "chain_limit":
        return {"deepest": deepest_chain(value_class(engine))}
    if task == "bytes":
        return {"bytes": bytes_per_node(value_class(engine))}
    raise ValueError(f"unknown task {task!r}")


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
        ours = in_fresh_process("bench.engine", "sample", "tracegrad", i)
        peer = in_fresh_process("bench.engine", "sample", "micrograd", i)
        shape = "-".join(map(str, [nin] + nouts))
        rows.append(_row(f"MLP {shape}: forward+backward per sample", ours, peer, "seconds",
                         lambda s: f"{s * 1e3:.3f} ms", "faster"))
    ours, peer = _chain_median("tracegrad"), _chain_median("micrograd")
    limit = in_fresh_process("bench.engine", "chain_limit", "micrograd")
    rows.append([f"chain of {CHAIN_LENGTH:,} nodes: build + backward", _show_chain(ours),
                 _show_chain(peer, limit), _chain_ratio(ours, peer)])
    ours = in_fresh_process("bench.engine", "bytes", "tracegrad")
    peer = in_fresh_process("bench.engine", "bytes", "micrograd")
    rows.append(_row("bytes per op node (tracemalloc)", ours, peer, "bytes", lambda b: f"{b:.0f}", "smaller"))
    return rows


def _chain_median(engine):
    """The median of CHAIN_RUNS runs (by total time), each in a fresh process, and the range."""
    runs = [in_fresh_process("bench.engine", "chain", engine, CHAIN_LENGTH) for _ in range(CHAIN_RUNS)]
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


def main():
    if len(sys.argv) > 2 and sys.argv[1] == "--worker":
        print(json.dumps(worker(sys.argv[2], *sys.argv[3:])))
        return
    print_table(f"Engine: tracegrad vs micrograd 0.1.0 (per sample: medians of {SAMPLE_REPEATS} runs; each engine in its own process)",
                ["measurement", "tracegrad", "micrograd 0.1.0", "ratio"], run())


if __name__ == "__main__":
    main()
