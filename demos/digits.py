"""Handwritten digits with the notes' network and mini-batch SGD (note 002).

The notes' recipe: logistic neurons, the quadratic cost of one example
C_x = 1/2 ‖y(x) - a^L‖² with y(x) one-hot, and stochastic gradient descent on mini-batches:
θ ← θ - η/m Σ_(x in batch) ∂C_x/∂θ. Trained on the 8x8 digits bundled with scikit-learn
(`sklearn.datasets.load_digits`, nothing is downloaded), an MLP 64-32-10 reaches at least 96%
on a held-out 20%.

    python -m demos.digits [--quick] [--out DIR] [--epochs N]
    python -m demos.digits --mnist DIR      # the notes' 784-16-16-10 network on real MNIST IDX files

nn's `sse` loss is Σ_c (a_c - y_c)² = 2 C_x, so a step η on C_x is the step η/2 on `sse`.
"""

import time
from dataclasses import dataclass, field

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

import nn
from nn.targets import REAL

from .common import parser, plt, save
from .idx import IDXError, load_mnist

ETA = 3.0            # the notes' learning rate η on C_x = 1/2 ‖y - a‖² (Nielsen's choice)
BATCH_SIZE = 10      # mini-batch size m
EPOCHS = 20
HIDDEN = [32]        # 64-32-10 on the 8x8 digits
MNIST_HIDDEN = [16, 16]  # the notes' 784-?-?-10 with two hidden layers, as drawn by 3Blue1Brown
THRESHOLD = 0.96


def _half_sse(outputs, targets):
    """C_x = 1/2 ‖y - a‖² = 1/2 Σ_c (a_c - y_c)²: the 1/2 makes ∂C_x/∂a = a - y (note 002, PD1)."""
    return 0.5 * nn.sse.function(outputs, targets)


# The notes' cost as an nn loss, for what shows C_x and its gradients (the replay page, the
# compiled program); a custom loss trains on the compiled path only with compiled=True.
QUADRATIC_COST = nn.Loss("quadratic_cost", _half_sse, REAL, formula="C_x = ½‖y − a‖² = ½ Σ_c (a_c − y_c)²")


@dataclass
class Result:
    accuracy: float
    history: object
    path: str                  # which training path fit used: "compiled" or "scalar engine"
    seconds: float
    sizes: list
    test_images: np.ndarray
    test_labels: np.ndarray
    predicted: np.ndarray
    pictures: list = field(default_factory=list)

    @property
    def misclassified(self):
        return np.flatnonzero(self.predicted != self.test_labels)


def load_sklearn_digits(seed=0, test_size=0.2):
    """(X_train, X_test, y_train, y_test): 8x8 images as 64 floats in [0, 1], stratified split."""
    digits = load_digits()
    X = digits.data / 16.0
    return train_test_split(X, digits.target, test_size=test_size, random_state=seed, stratify=digits.target)


def network(nin, hidden, seed=0):
    """Logistic neurons throughout, as in the notes; Xavier-uniform weights, zero biases."""
    return nn.MLP(nin, list(hidden) + [10], activation="sigmoid", output_activation="sigmoid",
                  init="xavier", seed=seed)


def fit_notes_sgd(model, X, labels, epochs, eta=ETA, batch_size=BATCH_SIZE, seed=0, progress=True,
                  compiled="auto"):
    """Mini-batch SGD on C_x = 1/2 ‖y - a^L‖²; returns (history, which path trained).

    compiled="auto" uses nn.fit's compiled (batched numpy) path when nn offers it, else the
    scalar engine; True or False force one.
    """
    targets = np.eye(10)[labels]
    options = dict(loss=nn.sse, epochs=epochs, batch_size=batch_size, lr=eta / 2, shuffle=True, seed=seed,
                   progress=progress)
    if compiled == "auto":
        try:
            return nn.fit(model, X, targets, compiled=True, **options), "compiled"
        except NotImplementedError:
            compiled = False
    return nn.fit(model, X, targets, compiled=compiled, **options), "compiled" if compiled else "scalar engine"


def train_and_test(X_train, X_test, y_train, y_test, hidden, epochs, seed=0, progress=True, compiled="auto"):
    model = network(X_train.shape[1], hidden, seed)
    start = time.perf_counter()
    history, path = fit_notes_sgd(model, X_train, y_train, epochs, seed=seed, progress=progress, compiled=compiled)
    seconds = time.perf_counter() - start
    predicted = model.predict(X_test).argmax(axis=1)
    accuracy = float(np.mean(predicted == y_test))
    return Result(accuracy, history, path, seconds, [X_train.shape[1]] + list(hidden) + [10],
                  X_test, y_test, predicted)


def plot_loss(result, out, name):
    figure, axis = plt.subplots(figsize=(6, 4))
    axis.plot(range(1, len(result.history.loss) + 1), np.array(result.history.loss) / 2, marker="o")
    axis.set_xlabel("epoch")
    axis.set_ylabel("mean C_x = 1/2 ‖y - a‖² over the epoch")
    axis.set_title(f"{'-'.join(map(str, result.sizes))}, η = {ETA}, m = {BATCH_SIZE}: "
                   f"test accuracy {result.accuracy:.1%}")
    return save(figure, out, name)


def plot_misclassified(result, out, name, limit=24):
    wrong = result.misclassified[:limit]
    side = int(round(np.sqrt(result.test_images.shape[1])))
    columns = 8
    rows = max(1, -(-len(wrong) // columns))
    figure, axes = plt.subplots(rows, columns, figsize=(columns * 1.3, rows * 1.5 + 0.4), squeeze=False)
    for axis in axes.ravel():
        axis.axis("off")
    for axis, i in zip(axes.ravel(), wrong):
        axis.imshow(result.test_images[i].reshape(side, side), cmap="gray_r")
        axis.set_title(f"{result.test_labels[i]} → {result.predicted[i]}", fontsize=9, color="C3")
    figure.suptitle(f"misclassified test digits ({len(result.misclassified)} of {len(result.test_labels)}; "
                    "true → predicted)")
    return save(figure, out, name)


def run(quick=False, out="out", epochs=None, seed=0, progress=True, compiled="auto", mnist=None, limit=None):
    """Train and test; returns a Result whose `pictures` are the loss curve and the misclassified digits."""
    if mnist is not None:
        data = load_mnist(mnist)
        X_train, y_train = data["train_images"], data["train_labels"]
        if limit is not None:
            X_train, y_train = X_train[:limit], y_train[:limit]
        X_test, y_test, hidden, prefix = data["test_images"], data["test_labels"], MNIST_HIDDEN, "mnist"
        epochs = epochs or (1 if quick else 5)
    else:
        X_train, X_test, y_train, y_test = load_sklearn_digits(seed)
        if quick:
            X_train, y_train, X_test, y_test = X_train[:300], y_train[:300], X_test[:100], y_test[:100]
        hidden, prefix = HIDDEN, "digits"
        epochs = epochs or (3 if quick else EPOCHS)
    result = train_and_test(X_train, X_test, y_train, y_test, hidden, epochs, seed, progress, compiled)
    result.pictures = [plot_loss(result, out, f"{prefix}_loss.png"),
                       plot_misclassified(result, out, f"{prefix}_misclassified.png")]
    return result


def build():
    """C_x = 1/2 ‖y - a^L‖² of the untrained 64-32-10 network on one digit (the root, for `viz`,
    which folds it by neuron or layer)."""
    X_train, _, y_train, _ = load_sklearn_digits()
    model = network(64, HIDDEN)
    cost = 0.5 * nn.sse(model(list(X_train[0])), list(np.eye(10)[y_train[0]]))
    cost.label = "C"
    return cost


def main(argv=None):
    p = parser("demos.digits", "the notes' network and mini-batch SGD on handwritten digits")
    p.add_argument("--epochs", type=int, default=None, help=f"passes over the training set (default {EPOCHS})")
    p.add_argument("--mnist", metavar="DIR", default=None,
                   help="a folder with MNIST's IDX files (train-images-idx3-ubyte[.gz], ...)")
    p.add_argument("--limit", type=int, default=None, help="with --mnist: train on the first N images only")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    args = p.parse_args(argv)
    try:
        result = run(args.quick, args.out, args.epochs, mnist=args.mnist, limit=args.limit,
                     progress=not args.no_progress)
    except (FileNotFoundError, IDXError) as error:  # a missing or malformed MNIST file: say which, and why
        p.error(str(error))
    source = f"MNIST from {args.mnist}" if args.mnist else "sklearn's 8x8 digits (held-out 20%)"
    print(f"{source}: MLP {'-'.join(map(str, result.sizes))}, logistic, C_x = 1/2 ‖y - a‖², mini-batch SGD "
          f"η = {ETA}, m = {BATCH_SIZE}, {result.history.epochs} epochs on the {result.path} path "
          f"({result.seconds:.1f} s)")
    print(f"test accuracy {result.accuracy:.2%} ({len(result.misclassified)} of {len(result.test_labels)} wrong)")
    for picture in result.pictures:
        print(f"wrote {picture}")
    return result


if __name__ == "__main__":
    main()
