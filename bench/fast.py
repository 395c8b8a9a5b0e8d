"""Fast-path benchmark: nn.fit on the compiled path against plain numpy (and the scalar path).

    python -m bench.fast                       # the table (a few minutes)
    python -m bench.fast --scalar-epochs 30    # also run the scalar path for all 30 epochs

1. Note 002's network in Nielsen's setting on the 8x8 digits (sklearn, bundled): 64-32-10,
   sigmoid, quadratic cost C = ½‖y - a^L‖² per example, N(0, 1) weights and biases, mini-
   batches of 10, η = 3.0, 30 epochs, a fixed 80/20 split. Three trainers start from the same
   weights and see the same batches (the same seeded permutation each epoch):
   - numpy: the notes' four equations on matrices, one column per example (`NumpyNetwork`);
   - compiled: nn.fit(..., compiled=True);
   - scalar: nn.fit(..., compiled=False), timed on `--scalar-epochs` epochs (default 2) and
     extrapolated to 30 from its time per epoch (the table says so).
   nn's `sse` is Σ (a - y)², twice the notes' ½‖y - a‖², so nn.fit gets lr = η/2: the same step.
2. The notes' 784-input shape: 784-30-10 on 60,000 random examples of MNIST's shape, one
   epoch, mini-batches of 10: compiled against numpy.
3. Memory: tracemalloc's peak while compiling 784-30-10 and running batches of 100.

Times are wall-clock medians of `--repeats` runs, shown two ways: the whole nn.fit call (which
also checks every target of y in Python, the same on every path), and compile + train (recording
and compiling the graph, plus the epochs), which is the compiled path's own cost.
"""

import argparse
import statistics
import time
import tracemalloc

import numpy as np

import nn
from bench.common import print_table

DIGITS = dict(sizes=(64, 32, 10), batch_size=10, eta=3.0, epochs=30, seed=0)
MNIST_SHAPE = dict(sizes=(784, 30, 10), batch_size=10, eta=3.0, epochs=1, seed=0, examples=60_000)
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


def accuracy_of(weights, X, labels):
    """Test accuracy in % of a network given as [(W, b), ...], computed with numpy."""
    return 100.0 * float(np.mean(NumpyNetwork(weights).predict(X).argmax(axis=1) == labels))


# --- the trainers ---------------------------------------------------------------------------

def train_numpy(setting, X, Y):
    """(seconds, seconds training, trained weights): numpy has nothing to set up."""
    model = nielsen_network(setting["sizes"], setting["seed"])
    net = NumpyNetwork(model.weights())
    start = time.perf_counter()
    net.fit(X, Y, epochs=setting["epochs"], batch_size=setting["batch_size"], eta=setting["eta"],
            seed=setting["seed"])
    seconds = time.perf_counter() - start
    return seconds, seconds, list(zip(net.W, (b[:, 0] for b in net.b)))


def train_nn(setting, X, Y, compiled, epochs=None):
    """(seconds of the whole nn.fit call, seconds in its epochs, trained weights)."""
    model = nielsen_network(setting["sizes"], setting["seed"])
    start = time.perf_counter()
    history = nn.fit(model, X, Y, loss=nn.sse, lr=setting["eta"] / 2, batch_size=setting["batch_size"],
                     epochs=epochs or setting["epochs"], seed=setting["seed"], progress=False,
                     compiled=compiled)
    return time.perf_counter() - start, history.total_seconds, model.weights()


def compile_seconds(setting, X, Y):
    """How long nn.fit's compiled path takes to record, check and compile the graph."""
    from nn.compiled_fit import compiled_path
    model = nielsen_network(setting["sizes"], setting["seed"])
    targets = [row.tolist() for row in Y]
    start = time.perf_counter()
    compiled_path(model, nn.sse, nn.SGD(model.parameters(), 1.0), X, targets, Y, required=True)
    return time.perf_counter() - start


def median_run(train, repeats):
    runs = [train() for _ in range(repeats)]
    return (statistics.median(run[0] for run in runs), statistics.median(run[1] for run in runs), runs[0][2])


# --- the three measurements -----------------------------------------------------------------

def digits_rows(repeats, scalar_epochs):
    X, labels, X_test, labels_test = digits_split()
    Y = one_hot(labels)
    what = "digits 64-32-10, 30 epochs"
    numpy_s, _, numpy_w = median_run(lambda: train_numpy(DIGITS, X, Y), repeats)
    fit_s, train_s, compiled_w = median_run(lambda: train_nn(DIGITS, X, Y, True), repeats)
    compile_s = statistics.median(compile_seconds(DIGITS, X, Y) for _ in range(repeats))
    scalar_fit, scalar_train, scalar_w = train_nn(DIGITS, X, Y, False, epochs=scalar_epochs)
    scale = DIGITS["epochs"] / scalar_epochs
    full = scalar_epochs == DIGITS["epochs"]
    rows = [
        (what, "numpy (BP1-BP4)", numpy_s, numpy_s, numpy_s, accuracy_of(numpy_w, X_test, labels_test)),
        (what, "compiled nn.fit", fit_s, compile_s + train_s, numpy_s, accuracy_of(compiled_w, X_test, labels_test)),
        (what, "scalar nn.fit" + ("" if full else f" ({scalar_epochs} epochs, x{scale:g})"),
         scalar_fit * scale, scalar_train * scale, numpy_s,
         accuracy_of(scalar_w, X_test, labels_test) if full else None),
    ]
    return rows, scalar_train * scale / (compile_s + train_s), compile_s


def mnist_shape_rows(repeats):
    rng = np.random.default_rng(1)
    X = rng.random((MNIST_SHAPE["examples"], MNIST_SHAPE["sizes"][0]))
    Y = one_hot(rng.integers(0, 10, MNIST_SHAPE["examples"]))
    what = "784-30-10, 60,000 random, 1 epoch"
    numpy_s, _, _ = median_run(lambda: train_numpy(MNIST_SHAPE, X, Y), repeats)
    fit_s, train_s, _ = median_run(lambda: train_nn(MNIST_SHAPE, X, Y, True), repeats)
    compile_s = compile_seconds(MNIST_SHAPE, X[:100], Y[:100])
    return [(what, "numpy (BP1-BP4)", numpy_s, numpy_s, numpy_s, None),
            (what, "compiled nn.fit", fit_s, compile_s + train_s, numpy_s, None)], compile_s


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


def run(repeats=3, scalar_epochs=2):
    """Rows (setting, trainer, nn.fit seconds, compile + train seconds, numpy seconds, test accuracy %)
    and a summary dict."""
    rows, speedup, digits_compile = digits_rows(repeats, scalar_epochs)
    mnist, mnist_compile = mnist_shape_rows(repeats)
    summary = {"scalar / compiled, compile + train (digits)": speedup,
               "compile seconds (digits)": digits_compile,
               "compile seconds (784-30-10)": mnist_compile,
               "memory MB (784-30-10, batch 100)": compiled_memory_mb()}
    return rows + mnist, summary


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.fast", description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--scalar-epochs", type=int, default=2)
    args = parser.parse_args(argv)
    rows, summary = run(args.repeats, args.scalar_epochs)
    print_table("Fast path: nn.fit compiled vs plain numpy vs the scalar engine "
                f"(wall seconds, median of {args.repeats} runs)",
                ["setting", "trainer", "nn.fit call", "x numpy", "compile+train", "x numpy", "test accuracy"],
                [(setting, trainer, f"{fit_s:.3f}", f"{fit_s / numpy_s:.2f}", f"{core_s:.3f}",
                  f"{core_s / numpy_s:.2f}", "-" if acc is None else f"{acc:.2f} %")
                 for setting, trainer, fit_s, core_s, numpy_s, acc in rows])
    print()
    print("nn.fit call: the whole call, including nn's checks of X and y (numpy over the whole arrays);")
    print("compile+train: recording and compiling the graph, plus the epochs (History.total_seconds).")
    print(f"compile: {summary['compile seconds (digits)']:.3f} s for 64-32-10, "
          f"{summary['compile seconds (784-30-10)']:.3f} s for 784-30-10")
    print(f"compiled is {summary['scalar / compiled, compile + train (digits)']:.0f}x faster than the scalar "
          f"path on the digits, compile + train (target: >= 50x)")
    print(f"compiled program 784-30-10, batch 100: tracemalloc peak "
          f"{summary['memory MB (784-30-10, batch 100)']:.1f} MB (limit {MEMORY_LIMIT_MB} MB)")


if __name__ == "__main__":
    main()
