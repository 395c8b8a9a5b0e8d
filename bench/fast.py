"""Fast-path benchmark: nn.fit on the compiled path against hand-written numpy, side by side.

    python -m bench.fast                       # the table (about a minute)
    python -m bench.fast --repeats 7           # more runs for the medians
    python -m bench.fast --scalar-epochs 30    # also run the scalar path for all 30 epochs

1. Note 002's network in Nielsen's setting on the 8x8 digits (sklearn, bundled): 64-32-10,
   sigmoid, quadratic cost C = ½‖y - a^L‖² per example, N(0, 1) weights and biases, mini-
   batches of 10 (and of 100), η = 3.0, 30 epochs, a fixed 80/20 split. Every trainer starts
   from the same weights and sees the same batches (the same seeded permutation each epoch):
   - lean numpy: BP1-BP4 with one gather per epoch and the updates in place (`lean_fit`),
     the yardstick;
   - numpy reference: the notes' equations as `NumpyNetwork` writes them (a second row);
   - compiled: nn.fit(..., compiled=True), timed as the whole call and as its epochs alone
     (History.total_seconds);
   - scalar: nn.fit(..., compiled=False), on the digits only, timed on `--scalar-epochs`
     epochs (default 2) and extrapolated to 30 from its time per epoch (the table says so).
   nn's `sse` is Σ (a - y)², twice the notes' ½‖y - a‖², so nn.fit gets lr = η/2: the same step.
2. The notes' 784-input shape: 784-30-10 on 10,000 random examples of MNIST's shape, 3 epochs.
3. Memory: tracemalloc's peak while compiling 784-30-10 and running batches of 100.

The machine may be shared, so each repeat runs every trainer once, one after the other, and
the ratios (× lean) are taken within a repeat; the table gives medians over the repeats.
"""

import argparse
import statistics
import time
import tracemalloc

import numpy as np

import nn
from bench.common import print_table

DIGITS = dict(sizes=(64, 32, 10), batch_size=10, eta=3.0, epochs=30, seed=0)
DIGITS_100 = dict(DIGITS, batch_size=100)
MNIST_SHAPE = dict(sizes=(784, 30, 10), batch_size=10, eta=3.0, epochs=3, seed=0, examples=10_000)
MEMORY_LIMIT_MB = 200


# --- data and models ------------------------------------------------------------------------

def digits_split(seed=0):
    """sklearn's 8x8 digits scaled to [0, 1], split 80/20 by a fixed permutation."""
    from sklearn.datasets import load_digits
    digits = load_digits()
    X, y = digits.data / 16.0, digits.target
    order = np.random.default_rng(seed).permutation(len(X))
    cut = int(0.8 * len(X))
    return X[order[:cut]], y[order[:cut]], X[order[cut:]], y[order[cut:]]


def one_hot(labels, classes=10):
    return np.eye(classes)[labels]


def nielsen_network(sizes, seed):
    """Sigmoid layers with N(0, 1) weights and biases, as in note 002 (and Nielsen's network.py)."""
    return nn.MLP(sizes[0], list(sizes[1:]), activation="sigmoid", output_activation="sigmoid",
                  init="normal", bias_init="normal", seed=seed)


def sigmoid(z):
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-z))


class NumpyNetwork:
    """The notes' equations on a mini-batch of m examples (one column each):

        z^l = W^l a^(l-1) + b^l,   a^l = σ(z^l)
        BP1  δ^L = (a^L - y) ⊙ σ'(z^L)                  σ'(z) = a (1 - a)
        BP2  δ^l = ((W^(l+1))ᵀ δ^(l+1)) ⊙ σ'(z^l)
        BP3  ∂C/∂W^l = δ^l (a^(l-1))ᵀ                  (summed over the batch's columns)
        BP4  ∂C/∂b^l = δ^l
        W^l ← W^l - η/m ∂C/∂W^l,   b^l ← b^l - η/m ∂C/∂b^l

    (Note 002 prints BP1 with (y - a^L) and BP2 without the transpose; see the report.)
    """

    def __init__(self, weights):
        self.W = [np.array(W, dtype=float) for W, _ in weights]
        self.b = [np.array(b, dtype=float)[:, None] for _, b in weights]

    def fit(self, X, Y, *, epochs, batch_size, eta, seed):
        rng = np.random.default_rng(seed)  # the same permutations as nn.fit(seed=seed)
        for _ in range(epochs):
            order = rng.permutation(len(X))
            for first in range(0, len(X), batch_size):
                batch = order[first:first + batch_size]
                self.step(X[batch].T, Y[batch].T, eta)

    def step(self, x, y, eta):
        activations = [x]
        for W, b in zip(self.W, self.b):
            activations.append(sigmoid(W @ activations[-1] + b))
        a = activations[-1]
        delta = (a - y) * a * (1.0 - a)                                      # BP1
        rate = eta / x.shape[1]
        for l in range(len(self.W) - 1, -1, -1):
            a_before = activations[l]
            grad_W, grad_b = delta @ a_before.T, delta.sum(axis=1, keepdims=True)  # BP3, BP4
            if l:
                delta = (self.W[l].T @ delta) * a_before * (1.0 - a_before)  # BP2 (before W changes)
            self.W[l] -= rate * grad_W
            self.b[l] -= rate * grad_b

    def predict(self, X):
        a = X.T
        for W, b in zip(self.W, self.b):
            a = sigmoid(W @ a + b)
        return a.T


def lean_fit(weights, X, Y, *, epochs, batch_size, eta, seed, epoch_seconds=None):
    """BP1-BP4 as lean as numpy allows: one gather per epoch, every update in place, no calls
    but numpy's. Returns the trained [(W, b), ...]; each epoch's seconds are appended to
    `epoch_seconds` when given (as nn.fit's History.seconds)."""
    W = [np.array(W, dtype=float) for W, _ in weights]
    b = [np.array(b, dtype=float)[:, None] for _, b in weights]
    rng = np.random.default_rng(seed)  # the same permutations as nn.fit(seed=seed)
    layers = range(len(W))
    for _ in range(epochs):
        start = time.perf_counter()
        order = rng.permutation(len(X))
        X_epoch, Y_epoch = X[order], Y[order]
        for first in range(0, len(X), batch_size):
            a = [X_epoch[first:first + batch_size].T]
            y = Y_epoch[first:first + batch_size].T
            for l in layers:
                a.append(1.0 / (1.0 + np.exp(-(W[l] @ a[l] + b[l]))))
            delta = (a[-1] - y) * a[-1] * (1.0 - a[-1])                  # BP1
            rate = eta / y.shape[1]
            for l in reversed(layers):
                grad_W, grad_b = delta @ a[l].T, delta.sum(axis=1, keepdims=True)  # BP3, BP4
                if l:
                    delta = (W[l].T @ delta) * a[l] * (1.0 - a[l])          # BP2, before W changes
                W[l] -= rate * grad_W
                b[l] -= rate * grad_b
        if epoch_seconds is not None:
            epoch_seconds.append(time.perf_counter() - start)
    return [(W_l, b_l[:, 0]) for W_l, b_l in zip(W, b)]


def accuracy_of(weights, X, labels):
    """Test accuracy in % of a network given as [(W, b), ...], computed with numpy."""
    return 100.0 * float(np.mean(NumpyNetwork(weights).predict(X).argmax(axis=1) == labels))


# --- the trainers: each returns (seconds, seconds training, trained weights) ----------------

def train_lean(setting, X, Y, epoch_seconds=None):
    weights = nielsen_network(setting["sizes"], setting["seed"]).weights()
    start = time.perf_counter()
    trained = lean_fit(weights, X, Y, epochs=setting["epochs"], batch_size=setting["batch_size"],
                       eta=setting["eta"], seed=setting["seed"], epoch_seconds=epoch_seconds)
    seconds = time.perf_counter() - start
    return seconds, seconds, trained


def train_numpy(setting, X, Y):
    """numpy has nothing to set up: both times are the same."""
    model = nielsen_network(setting["sizes"], setting["seed"])
    net = NumpyNetwork(model.weights())
    start = time.perf_counter()
    net.fit(X, Y, epochs=setting["epochs"], batch_size=setting["batch_size"], eta=setting["eta"],
            seed=setting["seed"])
    seconds = time.perf_counter() - start
    return seconds, seconds, list(zip(net.W, (b[:, 0] for b in net.b)))


def train_nn(setting, X, Y, compiled, epochs=None, epoch_seconds=None):
    """(seconds of the whole nn.fit call, seconds in its epochs, trained weights); each epoch's
    seconds are appended to `epoch_seconds` when given."""
    model = nielsen_network(setting["sizes"], setting["seed"])
    start = time.perf_counter()
    history = nn.fit(model, X, Y, loss=nn.sse, lr=setting["eta"] / 2, batch_size=setting["batch_size"],
                     epochs=epochs or setting["epochs"], seed=setting["seed"], progress=False,
                     compiled=compiled)
    if epoch_seconds is not None:
        epoch_seconds.extend(history.seconds)
    return time.perf_counter() - start, history.total_seconds, model.weights()


def compile_seconds(setting, X, Y):
    """How long nn.fit's compiled path takes to record, check and compile the graph."""
    from nn.compiled_fit import compiled_path
    model = nielsen_network(setting["sizes"], setting["seed"])
    targets = [row.tolist() for row in Y]
    start = time.perf_counter()
    compiled_path(model, nn.sse, nn.SGD(model.parameters(), 1.0), X, targets, Y, required=True)
    return time.perf_counter() - start


LEAN, COMPILED = "lean numpy (BP1-BP4, in place)", "compiled nn.fit"
TRAINERS = {LEAN: train_lean,
            "numpy reference (NumpyNetwork)": train_numpy,
            COMPILED: lambda setting, X, Y, epoch_seconds=None: train_nn(setting, X, Y, True,
                                                                        epoch_seconds=epoch_seconds)}
# Per-epoch medians: on a shared machine a burst of load can land on one trainer's whole run
# and sway a repeat's ratio; the median epoch of every repeat's epochs is steadier.
PER_EPOCH = {}


def side_by_side(setting, X, Y, repeats):
    """{trainer: (median whole s, median training s, median whole × lean, median training × lean,
    trained weights)}: every repeat runs each trainer once, in turn."""
    runs = {name: [] for name in TRAINERS}
    epochs = {LEAN: [], COMPILED: []}
    for _ in range(repeats):
        for name, train in TRAINERS.items():
            runs[name].append(train(setting, X, Y, epochs[name]) if name in epochs else train(setting, X, Y))
    PER_EPOCH[setting_name(setting)] = statistics.median(epochs[COMPILED]) / statistics.median(epochs[LEAN])
    lean = runs[LEAN]
    summary = {}
    for name, results in runs.items():
        whole = [r[0] / l[0] for r, l in zip(results, lean)]
        training = [r[1] / l[0] for r, l in zip(results, lean)]
        summary[name] = (statistics.median(r[0] for r in results), statistics.median(r[1] for r in results),
                         statistics.median(whole), statistics.median(training), results[0][2])
    return summary


def setting_name(setting):
    return f"{'-'.join(map(str, setting['sizes']))}, batch {setting['batch_size']}"


# --- the measurements -----------------------------------------------------------------------

def setting_rows(what, setting, X, Y, repeats, test=None):
    rows = []
    for trainer, (whole, training, whole_x, training_x, weights) in side_by_side(setting, X, Y, repeats).items():
        accuracy = None if test is None else accuracy_of(weights, *test)
        rows.append((what, trainer, whole, whole_x, training, training_x, accuracy))
    return rows


def digits_rows(repeats, scalar_epochs):
    X, labels, X_test, labels_test = digits_split()
    Y = one_hot(labels)
    rows = setting_rows("digits 64-32-10, batch 10, 30 epochs", DIGITS, X, Y, repeats, (X_test, labels_test))
    rows += setting_rows("digits 64-32-10, batch 100, 30 epochs", DIGITS_100, X, Y, repeats,
                         (X_test, labels_test))
    lean_s = rows[0][2]
    compile_s = statistics.median(compile_seconds(DIGITS, X, Y) for _ in range(repeats))
    scalar_fit, scalar_train, scalar_w = train_nn(DIGITS, X, Y, False, epochs=scalar_epochs)
    scale = DIGITS["epochs"] / scalar_epochs
    full = scalar_epochs == DIGITS["epochs"]
    rows.append(("digits 64-32-10, batch 10, 30 epochs",
                 "scalar nn.fit" + ("" if full else f" ({scalar_epochs} epochs, x{scale:g})"),
                 scalar_fit * scale, scalar_fit * scale / lean_s, scalar_train * scale, scalar_train * scale / lean_s,
                 accuracy_of(scalar_w, X_test, labels_test) if full else None))
    compiled_train = rows[2][4]
    return rows, scalar_train * scale / (compile_s + compiled_train), compile_s


def mnist_shape_rows(repeats):
    rng = np.random.default_rng(1)
    X = rng.random((MNIST_SHAPE["examples"], MNIST_SHAPE["sizes"][0]))
    Y = one_hot(rng.integers(0, 10, MNIST_SHAPE["examples"]))
    what = f"784-30-10, {MNIST_SHAPE['examples']:,} random, batch 10, {MNIST_SHAPE['epochs']} epochs"
    return setting_rows(what, MNIST_SHAPE, X, Y, repeats), compile_seconds(MNIST_SHAPE, X[:100], Y[:100])


def compiled_memory_mb(batch=100, steps=5):
    """tracemalloc's peak (MB) while compiling 784-30-10 and running `steps` batches of `batch`."""
    import autograd
    model = nielsen_network(MNIST_SHAPE["sizes"], 0)
    rng = np.random.default_rng(2)
    X, Y = rng.random((batch, 784)), one_hot(rng.integers(0, 10, batch))
    tracemalloc.start()
    program = autograd.compile(lambda xs, ys: nn.sse(model(xs), ys), examples=(X, Y),
                               parameters=model.parameters())
    for _ in range(steps):
        program.gradient(X, Y)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def run(repeats=5, scalar_epochs=2):
    """Rows (setting, trainer, whole s, × lean, training s, × lean, test accuracy %) and a summary."""
    rows, speedup, digits_compile = digits_rows(repeats, scalar_epochs)
    mnist, mnist_compile = mnist_shape_rows(repeats)
    summary = {"scalar / compiled, compile + train (digits)": speedup,
               "compile seconds (digits)": digits_compile,
               "compile seconds (784-30-10)": mnist_compile,
               "memory MB (784-30-10, batch 100)": compiled_memory_mb()}
    return rows + mnist, summary


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.fast", description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--scalar-epochs", type=int, default=2)
    args = parser.parse_args(argv)
    rows, summary = run(args.repeats, args.scalar_epochs)
    print_table("Fast path: nn.fit compiled vs hand-written numpy (wall seconds and ratios to the lean "
                f"trainer, medians of {args.repeats} side-by-side runs)",
                ["setting", "trainer", "whole call", "x lean", "epochs", "x lean", "test accuracy"],
                [(setting, trainer, f"{whole:.3f}", f"{whole_x:.2f}", f"{train:.3f}", f"{train_x:.2f}",
                  "-" if acc is None else f"{acc:.2f} %")
                 for setting, trainer, whole, whole_x, train, train_x, acc in rows])
    print()
    print("whole call: nn.fit from start to end (its checks of X and y, recording and compiling the graph,")
    print("the epochs); epochs: the epochs alone (History.total_seconds). Targets at batch 10: epochs <= 1.3x,")
    print("whole call <= 1.5x the lean trainer; at batch 100: <= 1.2x.")
    print("compiled nn.fit's epochs, per-epoch medians over every repeat's epochs (x lean): " +
          ", ".join(f"{name} {ratio:.2f}" for name, ratio in PER_EPOCH.items()))
    print(f"compile: {summary['compile seconds (digits)']:.3f} s for 64-32-10, "
          f"{summary['compile seconds (784-30-10)']:.3f} s for 784-30-10")
    print(f"compiled is {summary['scalar / compiled, compile + train (digits)']:.0f}x faster than the scalar "
          f"path on the digits, compile + train")
    print(f"compiled program 784-30-10, batch 100: tracemalloc peak "
          f"{summary['memory MB (784-30-10, batch 100)']:.1f} MB (limit {MEMORY_LIMIT_MB} MB)")


if __name__ == "__main__":
    main()
