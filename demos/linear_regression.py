"""Linear regression is the simplest neural network (note 001).

One neuron, identity activation:  a = z = b + Σ_k w_k x_k,  squared loss  C = 1/n Σ_i (a_i - y_i)².
Backprop through the engine gives ∂C/∂w and ∂C/∂b; gradient descent

    w ← w - η ∂C/∂w,    b ← b - η ∂C/∂b

then recovers the ordinary-least-squares coefficients of `numpy.linalg.lstsq` to 1e-6.

    python -m demos.linear_regression [--quick] [--out DIR]
"""

from dataclasses import dataclass

import numpy as np

import autograd
from autograd import Value

from .common import parser, plt, save

TOLERANCE = 1e-6


def make_data(n=60, features=1, seed=0, noise=0.3):
    """y = 1.5 + x·(0.8, -0.5, ...) + noise, x uniform in [-2, 2]."""
    rng = np.random.default_rng(seed)
    X = rng.uniform(-2.0, 2.0, size=(n, features))
    true_w = np.array([0.8, -0.5, 0.3, 1.2][:features] + [0.1] * max(0, features - 4))
    y = 1.5 + X @ true_w + rng.normal(0.0, noise, size=n)
    return X, y


def ols(X, y):
    """(w, b) minimising Σ (b + x·w - y)², from numpy.linalg.lstsq."""
    design = np.column_stack([np.ones(len(X)), X])
    coefficients, *_ = np.linalg.lstsq(design, y, rcond=None)
    return coefficients[1:], coefficients[0]


def cost_of(w, b, X, y):
    """C = 1/n Σ_i (a_i - y_i)² as one engine graph, with a_i = z_i = w·x_i + b."""
    terms = [(autograd.dot(w, list(x), b) - target) ** 2 for x, target in zip(X, y)]
    return autograd.sum(terms) / len(terms)


@dataclass
class Fit:
    w: np.ndarray
    b: float
    losses: list
    steps: int


def train(X, y, learning_rate=0.3, max_steps=500, tolerance=1e-12, start=(0.0, 0.0)):
    """Gradient descent with the engine's gradients, until the gradient is below `tolerance`,
    from every weight = start[0] and b = start[1]."""
    w = [Value(float(start[0]), label=f"w_{k + 1}") for k in range(X.shape[1])]
    b = Value(float(start[1]), label="b")
    losses = []
    for step in range(1, max_steps + 1):
        cost = cost_of(w, b, X, y)
        grads = autograd.grad(cost, w + [b])
        losses.append(cost.data)
        for parameter, g in zip(w + [b], grads):
            parameter.data -= learning_rate * g
        if max(map(abs, grads)) < tolerance:
            break
    return Fit(np.array([p.data for p in w]), b.data, losses, step)


def plot(X, y, fit, ols_w, ols_b, out):
    figure, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    x = X[:, 0]
    line = np.linspace(x.min(), x.max(), 2)
    left.scatter(x, y, s=12, color="gray", label="data")
    left.plot(line, fit.b + fit.w[0] * line, color="C0", linewidth=3, label="backprop + gradient descent")
    left.plot(line, ols_b + ols_w[0] * line, color="C1", linestyle="--", label="OLS (lstsq)")
    left.set_xlabel("x")
    left.set_ylabel("y")
    left.set_title(f"a = {fit.b:.4f} + {fit.w[0]:.4f} x")
    left.legend()
    right.semilogy(np.array(fit.losses) - min(fit.losses) + 1e-16, color="C0")
    right.set_xlabel("gradient descent step")
    right.set_ylabel("C - min C")
    right.set_title(f"loss (C at the end: {fit.losses[-1]:.6f})")
    return save(figure, out, "linear_regression.png")


def run(quick=False, out="out", seed=0):
    """Returns (fit, (ols_w, ols_b), picture path)."""
    X, y = make_data(n=30 if quick else 60, seed=seed)
    fit = train(X, y)
    ols_w, ols_b = ols(X, y)
    return fit, (ols_w, ols_b), plot(X, y, fit, ols_w, ols_b, out)


def build():
    """C = 1/n Σ (a_i - y_i)² of the untrained neuron on 4 generated points (the root, for `viz`)."""
    X, y = make_data(n=4)
    cost = cost_of([Value(0.5, label="w_1")], Value(0.0, label="b"), X, y)
    cost.label = "C"
    return cost


def main(argv=None):
    args = parser("demos.linear_regression", "one linear neuron trained by backprop recovers OLS").parse_args(argv)
    fit, (ols_w, ols_b), picture = run(args.quick, args.out)
    gap = max(np.max(np.abs(fit.w - ols_w)), abs(fit.b - ols_b))
    print(f"backprop + gradient descent ({fit.steps} steps):  w = {fit.w}, b = {fit.b:.10f}")
    print(f"OLS (numpy.linalg.lstsq):                 w = {ols_w}, b = {ols_b:.10f}")
    print(f"max |difference| = {gap:.1e}  ->  {'matches' if gap <= TOLERANCE else 'DOES NOT match'} "
          f"OLS to {TOLERANCE:g}")
    print(f"wrote {picture}")
    return fit, (ols_w, ols_b)


if __name__ == "__main__":
    main()
