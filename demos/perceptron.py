"""Why a perceptron cannot be trained by gradients (note 002), and a sigmoid neuron can.

The perceptron P(x) = step(w·x + b) is flat everywhere except at its threshold, so

    ∂P/∂w_i = 0,   ∂P/∂b = 0     and every ∂C/∂w through it is 0.

Gradient descent on a linearly separable set therefore never moves its weights. The same
neuron with σ(z) = 1/(1 + e^-z) in place of the step has σ'(z) = σ(z)(1 - σ(z)) > 0 and
learns the set.

    python -m demos.perceptron [--quick] [--out DIR]
"""

import warnings
from dataclasses import dataclass

import numpy as np

import autograd
import nn

from .common import parser, plt, save


def separable_set(n=40, seed=0, margin=0.15):
    """Points in [-1, 1]², labelled 1 above the line x_1 + 2 x_2 = 0.2, none within `margin` of it."""
    rng = np.random.default_rng(seed)
    X = np.empty((0, 2))
    while len(X) < n:
        candidates = rng.uniform(-1.0, 1.0, size=(2 * n, 2))
        distance = (candidates @ [1.0, 2.0] - 0.2) / np.sqrt(5.0)
        X = np.concatenate([X, candidates[np.abs(distance) > margin]])
    X = X[:n]
    return X, (X @ [1.0, 2.0] > 0.2).astype(float)


START = (np.array([[-1.0, 0.5]]), np.array([0.3]))  # a wrong boundary, the same for both neurons


def neuron(activation):
    """The note's single neuron, 2 inputs, starting from the weights START: a = σ(w·x + b) for
    "sigmoid", a = 1 if w·x + b >= 0 else 0 for "step" (the perceptron)."""
    model = nn.MLP(2, [1], activation=[activation])
    model.set_weights([START])
    return model


@dataclass
class Run:
    activation: str
    gradients: list          # ∂C/∂θ of the first batch, before any update
    before: dict             # weights before training
    after: dict              # weights after training
    accuracy_before: float
    accuracy_after: float
    history: object
    warned: bool             # fit warned that the model cannot learn


def train(activation, X, y, epochs, lr=2.0):
    model = neuron(activation)
    cost = nn.mean_loss(nn.mse, [model(list(x)) for x in X], list(y))
    gradients = autograd.grad(cost, model.parameters())
    before = model.state_dict()
    accuracy_before = nn.accuracy(model, X, y)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        history = nn.fit(model, X, y, loss=nn.mse, epochs=epochs, lr=lr, batch_size=None, shuffle=False,
                         seed=0, progress=False, compiled=None)
    warned = any(issubclass(w.category, nn.StepActivationWarning) for w in caught)
    return Run(activation, gradients, before, model.state_dict(), accuracy_before, nn.accuracy(model, X, y),
               history, warned), model


def plot(X, y, runs, out):
    figure, axes = plt.subplots(1, 3, figsize=(14, 4))
    grid = np.linspace(-1.05, 1.05, 2)
    for axis, (run, model) in zip(axes, runs):
        axis.scatter(X[:, 0], X[:, 1], c=y, cmap="coolwarm", edgecolors="k", s=25)
        for weights, style, name in ((run.before, "--", "before"), (run.after, "-", "after")):
            w1, w2, b = weights_of(weights)
            if abs(w2) > 1e-12:
                axis.plot(grid, -(b + w1 * grid) / w2, style, color="k", label=f"w·x + b = 0 {name}")
        axis.set_xlim(-1.05, 1.05)
        axis.set_ylim(-1.05, 1.05)
        axis.set_title(f"{run.activation}: accuracy {run.accuracy_before:.0%} → {run.accuracy_after:.0%}")
        axis.legend(fontsize=7, loc="lower left")
    for run, _ in runs:
        axes[2].plot(run.history.loss, label=run.activation)
    axes[2].set_xlabel("epoch")
    axes[2].set_ylabel("mean squared error")
    axes[2].set_title("loss: the step never moves")
    axes[2].legend()
    return save(figure, out, "perceptron.png")


def weights_of(state):
    """(w_1, w_2, b) of the single neuron, from its state dict."""
    w = [v for k, v in state.items() if ".w." in k]
    b = [v for k, v in state.items() if k.endswith(".b")]
    return w[0], w[1], b[0]


def run(quick=False, out="out"):
    X, y = separable_set(n=24 if quick else 40)
    epochs = 40 if quick else 150
    runs = [train(activation, X, y, epochs) for activation in ("step", "sigmoid")]
    return [r for r, _ in runs], plot(X, y, runs, out)


def build():
    """The step perceptron's squared error on one example (the root, for `viz`): every gradient
    behind the step node is 0."""
    model = neuron("step")
    X, y = separable_set()
    wrong = next(i for i, x in enumerate(X) if model(list(x)).data != y[i])  # C = 1 there
    cost = (model(list(X[wrong])) - y[wrong]) ** 2
    cost.label = "C"
    return cost


def main(argv=None):
    args = parser("demos.perceptron", "a step neuron cannot learn by gradients; a sigmoid neuron can").parse_args(argv)
    runs, picture = run(args.quick, args.out)
    for r in runs:
        moved = max(abs(r.after[k] - r.before[k]) for k in r.before)
        print(f"{r.activation:>7}: ∂C/∂(w_1, w_2, b) = {np.round(r.gradients, 6).tolist()}, weights moved by "
              f"{moved:.3g}, accuracy {r.accuracy_before:.0%} → {r.accuracy_after:.0%}"
              + ("  (fit warned: step activation cannot learn)" if r.warned else ""))
    print(f"wrote {picture}")
    return runs


if __name__ == "__main__":
    main()
