"""Note 001's linear regression, second order: the engine's Hessian and one Newton step.

The cost of the one linear neuron a = z = b + Σ_k w_k x_k over n points,

    C(θ) = 1/n Σ_i (b + x_i·w - y_i)²,   θ = (b, w_1, ..., w_m),

is quadratic in θ, with the constant Hessian  H = 2 X̃ᵀX̃ / n,  X̃ = [1 X] (a column of ones
for the bias). The engine gets H by differentiating its own recorded backward pass
(`autograd.hessian`), and then one Newton step

    θ ← θ - H⁻¹ ∇C(θ)

lands on the OLS coefficients of `numpy.linalg.lstsq` from ANY start, where the note's
gradient descent  θ ← θ - η ∇C  takes dozens of steps (more, the worse H is conditioned).

    python -m demos.newton [--quick] [--out DIR]
"""

from dataclasses import dataclass

import numpy as np

import autograd
from autograd import Value

from . import linear_regression
from .common import parser, plt, save

TOLERANCE = 1e-9  # Newton and OLS solve the same linear system: they agree to rounding


def cost(theta, X, y):
    """C(θ) with θ = (b, w_1, ..., w_m) as Values: the note's cost, the graph of linear_regression."""
    b, *w = theta
    return linear_regression.cost_of(list(w), b, X, y)


def hessian_formula(X):
    """2 X̃ᵀX̃ / n: the Hessian of C by hand, in the order θ = (b, w)."""
    design = np.column_stack([np.ones(len(X)), X])
    return 2.0 * design.T @ design / len(X)


def newton_step(theta, X, y):
    """θ - H⁻¹ ∇C(θ), with ∇C and H both from the engine."""
    H = np.array(autograd.hessian(lambda *t: cost(t, X, y), theta))
    leaves = [Value(t) for t in theta]
    gradient = np.array(autograd.grad(cost(leaves, X, y), leaves))
    return np.asarray(theta) - np.linalg.solve(H, gradient), H


@dataclass
class Result:
    H: np.ndarray
    H_formula: np.ndarray
    starts: list
    landings: list
    ols: np.ndarray
    descent: linear_regression.Fit
    picture: object


def run(quick=False, out="out", seed=0):
    features = 2 if quick else 3
    X, y = linear_regression.make_data(n=30 if quick else 60, features=features, seed=seed)
    ols_w, ols_b = linear_regression.ols(X, y)
    ols = np.concatenate([[ols_b], ols_w])
    rng = np.random.default_rng(seed + 1)
    starts = [np.zeros(features + 1)] + [rng.normal(0.0, 10.0, features + 1) for _ in range(2 if quick else 4)]
    landings, H = [], None
    for start in starts:
        theta, H = newton_step(list(start), X, y)
        landings.append(theta)
    descent = linear_regression.train(X, y, max_steps=150 if quick else 500, tolerance=1e-9)
    picture = plot(descent, cost_at(starts[0], X, y), cost_at(landings[0], X, y), out)
    return Result(H, hessian_formula(X), starts, landings, ols, descent, picture)


def cost_at(theta, X, y):
    return cost([Value(t) for t in theta], X, y).data


def plot(descent, start_cost, newton_cost, out):
    figure, axes = plt.subplots(figsize=(6, 4))
    floor = min(min(descent.losses), newton_cost)
    axes.semilogy(np.array(descent.losses) - floor + 1e-16, color="C0", label="gradient descent, η = 0.3")
    axes.semilogy([0, 1], [start_cost - floor + 1e-16, newton_cost - floor + 1e-16], "o-", color="C3",
                  label="one Newton step, H from the engine")
    axes.set_xlabel("step")
    axes.set_ylabel("C - min C")
    axes.set_title("linear regression (note 001): Newton vs gradient descent")
    axes.legend()
    return save(figure, out, "newton.png")


def report(result):
    n_theta = len(result.ols)
    gap_H = np.max(np.abs(result.H - result.H_formula))
    lines = [f"Hessian of C from the engine ({n_theta}x{n_theta}, θ = (b, w)), against 2 X̃ᵀX̃/n: "
             f"max |difference| = {gap_H:.1e}",
             "  " + np.array2string(result.H, precision=4, suppress_small=True).replace("\n", "\n  ")]
    worst = max(np.max(np.abs(theta - result.ols)) for theta in result.landings)
    lines.append(f"one Newton step θ - H⁻¹∇C from {len(result.starts)} starts (0 and random, |θ| up to "
                 f"{max(np.max(np.abs(s)) for s in result.starts):.0f}) lands on lstsq's OLS "
                 f"coefficients to {worst:.1e}")
    lines.append(f"  OLS (b, w) = {np.array2string(result.ols, precision=6)}")
    descent_gap = max(np.max(np.abs(result.descent.w - result.ols[1:])), abs(result.descent.b - result.ols[0]))
    lines.append(f"the note's gradient descent (η = 0.3) from 0: {result.descent.steps} steps, "
                 f"then {descent_gap:.1e} from OLS")
    return "\n".join(lines)


def main(argv=None):
    args = parser("demos.newton", "note 001: the engine's Hessian and one Newton step vs OLS").parse_args(argv)
    result = run(args.quick, args.out)
    print(report(result))
    print(f"wrote {result.picture}")
    return result


if __name__ == "__main__":
    main()
