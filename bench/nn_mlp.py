"""nn benchmark: nn.MLP against micrograd 0.1.0's MLP, side by side.

    python -m bench.nn_mlp

1. One forward + backward of an MLP(64, [32, 10]) (ReLU hidden layer, linear output, as
   micrograd's) with an MSE loss, on the same input, target and weights in both.
2. One epoch of mini-batch training (batch size 32, plain SGD, gradient averaged over the batch)
   on 1,000 random 64-dimensional examples with 10 real targets: `nn.fit` on the scalar engine
   (compiled=False) and on the compiled path (the default), against the same loop written with
   micrograd. micrograd needs minutes for the whole epoch, so its time is that of
   its first 4 of the 32 batches, scaled by 32/4 (marked "est." in the table).

Each measurement runs in its own process, so one engine's garbage is never collected on the
other's clock.
"""

import argparse
import sys
import time

import numpy as np

from bench.common import SAMPLE_REPEATS, answered_worker, in_fresh_process, median_seconds, print_table

NIN, NOUTS = 64, [32, 10]
EXAMPLES, BATCH_SIZE, LR = 1000, 32, 0.01
MICROGRAD_BATCHES = 4  # micrograd takes minutes per epoch (its gc re-scans huge cyclic graphs): time 4 of 32


def _problem():
    """The shared input, target, weights (from tracegrad's seeded init) and training set."""
    import nn
    rng = np.random.default_rng(0)
    model = nn.MLP(NIN, NOUTS, activation="relu", output_activation="linear", seed=0)
    x, target = rng.standard_normal(NIN).tolist(), rng.standard_normal(NOUTS[-1]).tolist()
    X, Y = rng.standard_normal((EXAMPLES, NIN)), rng.standard_normal((EXAMPLES, NOUTS[-1]))
    return model, x, target, X, Y


def _micrograd_twin(model):
    """micrograd's MLP(64, [32, 10]) holding exactly the weights of `model`."""
    from micrograd.nn import MLP
    twin = MLP(NIN, list(NOUTS))
    for layer, (W, b) in zip(twin.layers, model.weights()):
        for neuron, row, bias in zip(layer.neurons, W.tolist(), b.tolist()):
            for w, value in zip(neuron.w, row):
                w.data = value
            neuron.b.data = bias
    return twin


def _micrograd_mse(outputs, target):
    from micrograd.engine import Value
    return sum(((o - t) ** 2 for o, t in zip(outputs, target)), Value(0.0)) * (1.0 / len(target))


def tracegrad_step():
    import nn
    model, x, target, _, _ = _problem()

    def forward_backward():
        model.zero_grad()
        loss = nn.mse(model(x), target)
        loss.backward()
        return loss.data
    return forward_backward


def micrograd_step():
    model, x, target, _, _ = _problem()
    twin = _micrograd_twin(model)

    def forward_backward():
        twin.zero_grad()
        loss = _micrograd_mse(twin(x), target)
        loss.backward()
        return loss.data
    return forward_backward


def tracegrad_epoch(compiled):
    import nn
    model, _, _, X, Y = _problem()
    start = time.perf_counter()
    history = nn.fit(model, X, Y, loss=nn.mse, epochs=1, batch_size=BATCH_SIZE, lr=LR, shuffle=False,
                     progress=False, compiled=compiled)
    return time.perf_counter() - start, history.loss[0]


def micrograd_epoch():
    model, _, _, X, Y = _problem()
    twin = _micrograd_twin(model)
    params = twin.parameters()
    batches = range(0, EXAMPLES, BATCH_SIZE)
    start = time.perf_counter()
    for first in batches[:MICROGRAD_BATCHES]:
        xs, ys = X[first:first + BATCH_SIZE].tolist(), Y[first:first + BATCH_SIZE].tolist()
        twin.zero_grad()
        losses = [_micrograd_mse(twin(x), y) for x, y in zip(xs, ys)]
        loss = sum(losses[1:], losses[0]) * (1.0 / len(losses))
        loss.backward()
        for p in params:
            p.data -= LR * p.grad
    seconds = time.perf_counter() - start
    return seconds * len(batches) / MICROGRAD_BATCHES, None  # the loss of a partial epoch is not comparable


def worker(task, engine):
    if task == "step":
        step = tracegrad_step() if engine == "tracegrad" else micrograd_step()
        return {"seconds": median_seconds(step, repeats=SAMPLE_REPEATS), "loss": step()}
    if task == "epoch":
        seconds, loss = micrograd_epoch() if engine == "micrograd" else tracegrad_epoch(engine == "compiled")
        return {"seconds": seconds, "loss": loss}
    raise ValueError(f"unknown task {task!r}")


def run():
    """Rows of [measurement, tracegrad, micrograd 0.1.0, ratio]."""
    rows = []
    ours = in_fresh_process("bench.nn_mlp", "step", "tracegrad")
    peer = in_fresh_process("bench.nn_mlp", "step", "micrograd")
    rows.append(_row(f"nn.MLP(64, [32, 10]) + MSE: forward+backward (median of {SAMPLE_REPEATS})", ours, peer, 1e3, "ms"))
    peer = in_fresh_process("bench.nn_mlp", "epoch", "micrograd")
    for path in ("scalar", "compiled"):
        ours = in_fresh_process("bench.nn_mlp", "epoch", path)
        rows.append(_row(f"one epoch, {EXAMPLES:,} examples, mini-batch {BATCH_SIZE}, SGD: nn.fit {path}",
                         ours, peer, 1, "s"))
    return rows


def _row(name, ours, peer, scale, unit):
    if "error" in ours or "error" in peer:
        return [name, ours.get("error", "-"), peer.get("error", "-"), "-"]
    estimated = peer["loss"] is None
    same = estimated or abs(ours["loss"] - peer["loss"]) <= 1e-9 * max(1.0, abs(peer["loss"]))
    ratio = f"{peer['seconds'] / ours['seconds']:.1f}x faster" + ("" if same else " (LOSSES DIFFER)")
    theirs = f"{peer['seconds'] * scale:.3f} {unit}" + (" (est.)" if estimated else "")
    return [name, f"{ours['seconds'] * scale:.3f} {unit}", theirs, ratio]


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if answered_worker(argv, worker):  # a measurement for in_fresh_process, not a user's command
        return
    argparse.ArgumentParser(prog="python -m bench.nn_mlp", description=__doc__.splitlines()[0]).parse_args(argv)
    print_table("nn: tracegrad nn.MLP vs micrograd 0.1.0 MLP (same weights and data, each in its own process)",
                ["measurement", "tracegrad", "micrograd 0.1.0", "ratio"], run())


if __name__ == "__main__":
    main()
