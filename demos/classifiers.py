"""Classifiers: why the output error is p - y, and micrograd's two moons.

Softmax with cross entropy, and the logistic sigmoid with binary cross entropy, both give

    ∂C/∂z = p - y          (z the logits, p the predicted probabilities, y the target)

so the error of the output layer needs no σ' factor at all. The engine confirms it on
random logits; then an MLP 2-16-16-1 learns the two moons (generated with numpy) and its
decision boundary is drawn.

    python -m demos.classifiers [--quick] [--out DIR]
"""

from dataclasses import dataclass

import numpy as np

import autograd
import nn
from autograd import Value
from nn.datasets import two_moons

from .common import parser, plt, save

TOLERANCE = 1e-12


@dataclass
class OutputErrorCheck:
    name: str
    engine: np.ndarray     # ∂C/∂z from the engine
    hand: np.ndarray       # p - y

    @property
    def max_abs_diff(self):
        return float(np.max(np.abs(self.engine - self.hand)))


def softmax_cross_entropy(logits, label):
    """C = -Σ_c y_c ln p_c with p = softmax(z), written with the engine's softmax, and nn's loss."""
    z = [Value(v) for v in logits]
    p = autograd.softmax(z)
    by_hand_graph = -p[label].log()
    one_hot = np.eye(len(logits))[label]
    hand = np.array([q.data for q in p]) - one_hot
    z2 = [Value(v) for v in logits]
    return [OutputErrorCheck("softmax + cross entropy (-ln p_y)", np.array(autograd.grad(by_hand_graph, z)), hand),
            OutputErrorCheck("nn.cross_entropy on logits", np.array(autograd.grad(nn.cross_entropy(z2, label), z2)),
                             hand)]


def sigmoid_bce(logit, y):
    """C = -[y ln p + (1 - y) ln(1 - p)] with p = σ(z): through σ then nn.bce, and nn.bce_with_logits."""
    z = Value(logit)
    p = z.sigmoid()
    hand = np.array([p.data - y])
    z2 = Value(logit)
    return [OutputErrorCheck("sigmoid + BCE", np.array([autograd.grad(nn.bce(p, y), z)]), hand),
            OutputErrorCheck("nn.bce_with_logits", np.array([autograd.grad(nn.bce_with_logits(z2, y), z2)]), hand)]


def output_error_checks(cases=20, seed=0):
    """p - y against the engine's ∂C/∂z on random logits and targets."""
    rng = np.random.default_rng(seed)
    checks = []
    for _ in range(cases):
        k = int(rng.integers(2, 7))
        checks += softmax_cross_entropy(rng.normal(0.0, 3.0, size=k), int(rng.integers(k)))
        checks += sigmoid_bce(float(rng.normal(0.0, 3.0)), float(rng.integers(2)))
    return checks


def train_moons(n=100, hidden=16, epochs=60, seed=0):
    X, y = two_moons(n, noise=0.1, seed=seed)
    model = nn.MLP(2, [hidden, hidden, 1], activation="tanh", output_activation="linear", seed=seed)
    history = nn.fit(model, X, y, loss=nn.bce_with_logits, epochs=epochs, batch_size=10, lr=0.3, seed=seed,
                     progress=False, compiled=None)
    return model, X, y, history


def plot_moons(model, X, y, history, out, resolution=60):
    figure, (left, right) = plt.subplots(1, 2, figsize=(11, 4.5))
    xs = np.linspace(X[:, 0].min() - 0.5, X[:, 0].max() + 0.5, resolution)
    ys = np.linspace(X[:, 1].min() - 0.5, X[:, 1].max() + 0.5, resolution)
    gx, gy = np.meshgrid(xs, ys)
    logits = model.predict(np.column_stack([gx.ravel(), gy.ravel()])).reshape(gx.shape)
    left.contourf(gx, gy, logits >= 0, levels=[-0.5, 0.5, 1.5], cmap="coolwarm", alpha=0.35)
    left.contour(gx, gy, logits, levels=[0.0], colors="k", linewidths=1)
    left.scatter(X[:, 0], X[:, 1], c=y, cmap="coolwarm", edgecolors="k", s=20)
    accuracy = nn.accuracy(model, X, y, loss=nn.bce_with_logits)
    left.set_title(f"two moons: decision boundary z = 0 (accuracy {accuracy:.0%})")
    right.plot(history.loss)
    right.set_xlabel("epoch")
    right.set_ylabel("mean binary cross entropy")
    right.set_title("loss")
    return save(figure, out, "two_moons.png"), accuracy


def run(quick=False, out="out"):
    checks = output_error_checks(cases=5 if quick else 20)
    model, X, y, history = train_moons(n=60, hidden=8, epochs=40) if quick else train_moons()
    picture, accuracy = plot_moons(model, X, y, history, out, resolution=30 if quick else 60)
    return checks, accuracy, picture, model


def build():
    """The untrained two-moons MLP's BCE on one point (the root, for `viz`, which draws every node)."""
    X, y = two_moons(20, noise=0.1, seed=0)
    model = nn.MLP(2, [16, 16, 1], activation="tanh", output_activation="linear", seed=0)
    cost = nn.bce_with_logits(model(list(X[0])), y[0])
    cost.label = "C"
    return cost


def main(argv=None):
    args = parser("demos.classifiers", "∂C/∂logits = p - y, and the two-moons classifier").parse_args(argv)
    checks, accuracy, picture, model = run(args.quick, args.out)
    print("∂C/∂z = p - y, engine against hand:")
    for name in dict.fromkeys(c.name for c in checks):
        worst = max(c.max_abs_diff for c in checks if c.name == name)
        count = sum(c.name == name for c in checks)
        print(f"  {name:<36} {count:>3} cases, max |Δ| = {worst:.1e}  "
              f"{'agrees' if worst <= TOLERANCE else 'DISAGREES'}")
    sizes = "-".join(map(str, [model.nin] + model.nouts))
    print(f"two moons, MLP {sizes} (tanh, BCE with logits, mini-batch SGD): training accuracy {accuracy:.1%}")
    print(f"wrote {picture}")
    return checks, accuracy


if __name__ == "__main__":
    main()
