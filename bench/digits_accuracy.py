"""The digits demo's claim, in full: the notes' 64-32-10 network with mini-batch SGD reaches at
least 96% on the held-out 20% of scikit-learn's 8x8 digits (fixed seed), and how long it takes.

    python -m bench.digits_accuracy [--repeats N]

Side by side, in one run, the same training (same initial weights, same shuffles, η = 3 on
C_x = 1/2 ‖y - a‖², mini-batches of 10, 20 epochs):
  - nn.fit on the scalar engine,
  - nn.fit on the compiled path (when nn offers it),
  - the same mini-batch SGD written directly in numpy with BP1-BP4 (the reference).
Times are medians over --repeats runs; accuracy is that of the first run (training is
deterministic). This is a benchmark, not a test: the full run takes about a minute on the
scalar engine.
"""

import argparse
import statistics
import time

import numpy as np

from bench.common import print_table
from demos import digits

SEED = 0


def engine_run(compiled):
    X_train, X_test, y_train, y_test = digits.load_sklearn_digits(SEED)
    start = time.perf_counter()
    result = digits.train_and_test(X_train, X_test, y_train, y_test, digits.HIDDEN, digits.EPOCHS, SEED,
                                   progress=False, compiled=compiled)
    return time.perf_counter() - start, result.accuracy


def numpy_run():
    """Mini-batch SGD with BP1-BP4 in numpy, from the nn model's initial weights and fit's shuffles."""
    X_train, X_test, y_train, y_test = digits.load_sklearn_digits(SEED)
    start = time.perf_counter()
    layers = [(np.array(W, dtype=float), np.array(b, dtype=float))
              for W, b in digits.network(64, digits.HIDDEN, SEED).weights()]
    targets = np.eye(10)[y_train]
    rng = np.random.default_rng(SEED)  # nn.fit draws one permutation per epoch from this generator
    for _ in range(digits.EPOCHS):
        order = rng.permutation(len(X_train))
        for first in range(0, len(order), digits.BATCH_SIZE):
            batch = order[first:first + digits.BATCH_SIZE]
            activations = [X_train[batch]]
            for W, b in layers:
                activations.append(1 / (1 + np.exp(-(activations[-1] @ W.T + b))))
            a = activations[-1]
            delta = (a - targets[batch]) * a * (1 - a)                                      # BP1
            for l in range(len(layers) - 1, -1, -1):
                W, b = layers[l]
                grad_W, grad_b = delta.T @ activations[l] / len(batch), delta.mean(axis=0)   # BP3, BP4
                if l > 0:
                    a_prev = activations[l]
                    delta = (delta @ W) * a_prev * (1 - a_prev)                                # BP2
                layers[l] = (W - digits.ETA * grad_W, b - digits.ETA * grad_b)
    a = X_test
    for W, b in layers:
        a = 1 / (1 + np.exp(-(a @ W.T + b)))
    return time.perf_counter() - start, float(np.mean(a.argmax(axis=1) == y_test))


def measure(run, repeats):
    results = [run() for _ in range(repeats)]
    return statistics.median(seconds for seconds, _ in results), results[0][1]


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.digits_accuracy", description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=1, help="runs per path (the median time is shown)")
    args = parser.parse_args(argv)
    rows, reference = [], measure(numpy_run, args.repeats)
    paths = [("nn.fit, scalar engine", lambda: engine_run(False)),
             ("nn.fit, compiled", lambda: engine_run(True)),
             ("numpy BP1-BP4 (reference)", numpy_run)]
    for name, run in paths:
        try:
            seconds, accuracy = reference if run is numpy_run else measure(run, args.repeats)
        except NotImplementedError as missing:
            rows.append([name, "-", "-", "-", f"not available: {str(missing)[:50]}"])
            continue
        rows.append([name, f"{seconds:.2f}", f"{seconds / reference[0]:.1f}x", f"{accuracy:.2%}",
                     "yes" if accuracy >= digits.THRESHOLD else "NO"])
    print_table(f"digits 64-32-10, logistic, C_x = 1/2 ‖y - a‖², η = {digits.ETA}, m = {digits.BATCH_SIZE}, "
                f"{digits.EPOCHS} epochs, seed {SEED}; held-out 20% (360 images)",
                ["path", "seconds (median)", "vs numpy", "test accuracy", f">= {digits.THRESHOLD:.0%}"], rows)


if __name__ == "__main__":
    main()
