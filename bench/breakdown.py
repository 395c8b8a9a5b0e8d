"""Where the time goes: the parts behind the figures #16 and #19 have not met, each timed alone.

    python -m bench.breakdown

1. The `*` and `+` 64-32-10 graph (bench.engine's), on a fresh graph each time, as a sample
   builds one: tracegrad's forward, its topological walk, the table's local derivatives, the
   chain rule accumulating into .grad directly, and the engine's own backward (the dictionary
   of each call's gradients, added all or none); micrograd's forward, its recursive walk and
   its closures. Then tracegrad's backward walk on one graph walked again and again.
2. The compiled path's set-up for note 002's digits network at batch 100 (bench.fast's):
   recording the graph, generating and compiling the program, checking it against the scalar
   engine, checking the compiled losses.
3. One batch of 100 of that network: the generated gradient() alone, the update's whole path,
   the optimizer's update() alone, and the lean numpy trainer's whole batch (bench.fast's lean_fit).

Medians; run it on a quiet machine, and compare parts within one run.
"""

import argparse
import functools
import random
import statistics
import time

import numpy as np

from bench.common import median_seconds, print_table

REPEATS = 41


def _median_ms(samples):
    return f"{statistics.median(samples) * 1e3:.2f} ms"


def _fresh(build, part, repeats=REPEATS):
    """The median of part(graph) over `repeats` graphs, each built fresh (not timed)."""
    samples = []
    for _ in range(repeats):
        graph = build()
        start = time.perf_counter()
        part(graph)
        samples.append(time.perf_counter() - start)
    return samples


def engine_parts():
    import autograd
    from autograd import engine
    from bench.engine import mlp_builder
    build = mlp_builder(autograd, 64, [32, 10], elementary=True)

    def into_grad(root):  # the chain rule term by term into .grad, as micrograd's closures do
        order = engine.topological_order(root, leaves=False)
        root.grad = 1.0
        for node in reversed(order):
            for parent, d in zip(node.parents, engine.local_derivatives(node)):
                parent.grad += node.grad * d

    def derivatives(root):
        for node in reversed(engine.topological_order(root, leaves=False)):
            engine.local_derivatives(node)

    walked = build()
    rows = [("tracegrad forward (building the graph)", _median_ms(_timed_builds(build))),
            ("tracegrad topological walk", _median_ms(_fresh(build, lambda r: engine.topological_order(r, leaves=False)))),
            ("tracegrad walk + local derivatives", _median_ms(_fresh(build, derivatives))),
            ("tracegrad walk + derivatives + accumulating into .grad", _median_ms(_fresh(build, into_grad))),
            ("tracegrad backward() (a dictionary per call, all or none)", _median_ms(_fresh(build, lambda r: r.backward()))),
            ("tracegrad backward() on one graph walked again", _median_ms(_fresh(lambda: walked, lambda r: r.backward())))]
    return rows + _micrograd_parts()


def _timed_builds(build):
    return _fresh(lambda: None, lambda _: build())


def _micrograd_parts():
    from micrograd.engine import Value
    from micrograd.nn import MLP
    rng = random.Random(0)
    model = MLP(64, [32, 10])
    x = [Value(rng.uniform(-1, 1)) for _ in range(64)]
    y = [rng.uniform(-1, 1) for _ in range(10)]

    def build():
        loss = Value(0.0)
        for out, target in zip(model(x), y):
            loss = loss + (out - target) ** 2
        return loss

    def walk(root):  # micrograd's own backward, its two halves apart
        order, seen = [], set()

        def visit(v):
            if v not in seen:
                seen.add(v)
                for child in v._prev:
                    visit(child)
                order.append(v)
        visit(root)
        return order

    def closures(root):
        order = walk(root)
        root.grad = 1.0
        for v in reversed(order):
            v._backward()

    return [("micrograd forward", _median_ms(_timed_builds(build))),
            ("micrograd recursive walk", _median_ms(_fresh(build, walk))),
            ("micrograd walk + closures (its backward)", _median_ms(_fresh(build, closures)))]


def setup_parts():
    """The compiled path's set-up, by part (its functions timed as nn.fit calls them)."""
    import autograd.compiled as compiled
    import nn
    import nn.compiled_fit as compiled_fit
    from bench.fast import DIGITS_100, digits_split, nielsen_network, one_hot
    X, labels, _, _ = digits_split()
    Y = one_hot(labels)
    targets = [row.tolist() for row in Y]
    spent = {}
    parts = [(compiled, "_record_checked", "recording the graph (three times)"),
             (compiled, "Program", "generating and compiling the program"),
             (compiled, "_check_against_engine", "the program against the scalar engine"),
             (compiled_fit, "check_program_loss", "the compiled losses against the scalar engine's")]
    originals = [(module, name, getattr(module, name)) for module, name, _ in parts]
    for module, name, what in parts:
        setattr(module, name, _summing(getattr(module, name), spent, what))
    totals = []
    try:
        for _ in range(9):
            model = nielsen_network(DIGITS_100["sizes"], DIGITS_100["seed"])
            start = time.perf_counter()
            compiled_fit.compiled_path(model, nn.sse, nn.SGD(model.parameters(), 1.0), X, targets, Y, required=True)
            totals.append(time.perf_counter() - start)
    finally:
        for module, name, original in originals:
            setattr(module, name, original)
    return [("the whole set-up", _median_ms(totals))] + [(what, _median_ms(spent[what])) for _, _, what in parts]


def _summing(function, spent, what):
    @functools.wraps(function)
    def timed(*args, **kwargs):
        start = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            spent.setdefault(what, []).append(time.perf_counter() - start)
    return timed


def batch_parts():
    """One batch of 100 of the digits network: the compiled path's parts and the lean batch."""
    import nn
    from nn.compiled_fit import compiled_path
    from bench.fast import DIGITS_100, digits_split, nielsen_network, one_hot
    X, labels, _, _ = digits_split()
    Y = one_hot(labels)
    model = nielsen_network(DIGITS_100["sizes"], DIGITS_100["seed"])
    optimizer = nn.SGD(model.parameters(), 0.0)  # lr 0: every repeat updates the same θ
    path, _ = compiled_path(model, nn.sse, optimizer, X, [row.tolist() for row in Y], Y, required=True)
    path.begin_epoch(np.random.default_rng(0).permutation(len(X)))
    program, rows, targets = path.program, path._epoch_X[:100], path._epoch_Y[:100]
    seed = program._seed(100)
    W = [rng_matrix(32, 64), rng_matrix(10, 32)]
    b = [rng_matrix(32, 1), rng_matrix(10, 1)]

    def lean_batch():  # bench.fast.lean_fit's batch, its update at rate 0
        a = [rows.T]
        for l in range(2):
            a.append(1.0 / (1.0 + np.exp(-(W[l] @ a[l] + b[l]))))
        delta = (a[-1] - targets.T) * a[-1] * (1.0 - a[-1])
        for l in (1, 0):
            grad_W, grad_b = delta @ a[l].T, delta.sum(axis=1, keepdims=True)
            if l:
                delta = (W[l].T @ delta) * a[l] * (1.0 - a[l])
            W[l] -= 0.0 * grad_W
            b[l] -= 0.0 * grad_b

    with np.errstate(all="ignore"):  # as nn.fit's epoch loop runs
        parts = [("the generated gradient() alone", lambda: program._gradient(rows.T, targets.T, seed, 100)),
                 ("the path's loss_and_gradients (the batch's slices, checks)", lambda: path.loss_and_gradients(0, 100, None)),
                 ("the path's update (θ copied, state snapshot, step, θ checked)", path.update),
                 ("the optimizer's update() alone", lambda: optimizer.update(path.theta, path.grad)),
                 ("the lean trainer's whole batch", lean_batch)]
        return [(what, f"{_median_us(part):.1f} µs") for what, part in parts]


def rng_matrix(rows, columns):
    return np.random.default_rng(rows * columns).normal(size=(rows, columns))


def _median_us(part):
    return median_seconds(part, repeats=2001, warmup=50) * 1e6


def main(argv=None):
    argparse.ArgumentParser(prog="python -m bench.breakdown", description=__doc__.splitlines()[0]).parse_args(argv)
    print_table("The * and + 64-32-10 graph, fresh each time (medians of 41)", ["part", "time"], engine_parts())
    print_table("The compiled path's set-up, digits 64-32-10 at batch 100 (medians of 9)", ["part", "time"],
                setup_parts())
    print_table("One batch of 100, digits 64-32-10 (medians of 2,001)", ["part", "time"], batch_parts())


if __name__ == "__main__":
    main()
