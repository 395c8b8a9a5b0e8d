"""The four backprop equations in matrix form (notes 001 and 002), in numpy, against the engine.

    BP1  δ^L = ∇_a C ⊙ σ'(z^L)
    BP2  δ^l = ((W^(l+1))ᵀ δ^(l+1)) ⊙ σ'(z^l)
    BP3  ∂C/∂W^l = δ^l (a^(l-1))ᵀ
    BP4  ∂C/∂b^l = δ^l

with C = 1/2 ‖y - a^L‖², so ∇_a C = a^L - y. (These are the corrected forms: see
`python -m demos.notes_check` for the forms the notes print.) On random networks of several
shapes and activations, numpy and the engine agree to 1e-10.

    python -m demos.bp_equations [--quick] [--out DIR]
"""

from dataclasses import dataclass

import numpy as np

from .common import parser, plt, save
from .networks import Gradients, half_squared_error, random_layers
from .networks import build as build_network
from .reference import backprop

TOLERANCE = 1e-10

# (layer sizes n_0, ..., n_L; hidden activation; output activation)
CASES = [
    ([2, 3, 1], "sigmoid", "sigmoid"),
    ([4, 2, 3, 1], "sigmoid", "sigmoid"),      # note 000's Figure 5 shape
    ([3, 5, 4, 2], "tanh", "sigmoid"),
    ([5, 8, 8, 3], "relu", "identity"),
    ([1, 1, 1, 1], "sigmoid", "identity"),     # note 001's chain
    ([6, 4, 4, 4, 10], "tanh", "tanh"),
    ([8, 16, 10], "sigmoid", "sigmoid"),       # note 002's shape, in miniature
]
QUICK_CASES = CASES[:4]


def engine_gradients(x, y, weights, biases, activations):
    """The same three lists, read from the engine's backward pass on the same network."""
    net = build_network(x, weights, biases, activations, label_offset=0)
    g = Gradients(half_squared_error(net.output, y))
    L = len(weights)
    delta = [g.vector(net.z[l]) for l in range(1, L + 1)]
    dW = [g.matrix(net.weights[l]) for l in range(1, L + 1)]
    db = [g.vector(net.biases[l]) for l in range(1, L + 1)]
    return delta, dW, db


@dataclass
class Comparison:
    sizes: list
    hidden: str
    output: str
    errors: dict          # equation name -> max |numpy - engine|
    numpy_grads: np.ndarray
    engine_grads: np.ndarray

    @property
    def agrees(self):
        return max(self.errors.values()) <= TOLERANCE


def compare(sizes, hidden, output, seed):
    rng = np.random.default_rng(seed)
    weights, biases = random_layers(sizes, rng)
    x, y = rng.normal(size=sizes[0]), rng.uniform(size=sizes[-1])
    activations = [hidden] * (len(sizes) - 2) + [output]
    by_hand = backprop(x, y, weights, biases, activations)
    by_engine = engine_gradients(x, y, weights, biases, activations)

    def worst(i, layers):
        return max((float(np.max(np.abs(by_hand[i][l] - by_engine[i][l]))) for l in layers), default=0.0)

    L = len(weights)
    errors = {"BP1": worst(0, [L - 1]), "BP2": worst(0, range(L - 1)), "BP3": worst(1, range(L)),
              "BP4": worst(2, range(L))}
    flat = [np.concatenate([np.ravel(m) for m in grads[1] + grads[2]]) for grads in (by_hand, by_engine)]
    return Comparison(sizes, hidden, output, errors, *flat)


def run(quick=False, out="out", seed=0):
    """Compare every case; returns (comparisons, path of the picture)."""
    cases = QUICK_CASES if quick else CASES
    comparisons = [compare(sizes, hidden, output, seed + i) for i, (sizes, hidden, output) in enumerate(cases)]
    return comparisons, plot(comparisons, out)


def plot(comparisons, out):
    figure, axis = plt.subplots(figsize=(5, 5))
    for c in comparisons:
        axis.scatter(c.numpy_grads, c.engine_grads, s=10, label="-".join(map(str, c.sizes)) + f" {c.hidden}")
    limits = axis.get_xlim()
    axis.plot(limits, limits, color="gray", linewidth=0.8)
    axis.set_xlabel("∂C/∂w, ∂C/∂b by BP1-BP4 in numpy")
    axis.set_ylabel("∂C/∂w, ∂C/∂b by the engine")
    worst = max(max(c.errors.values()) for c in comparisons)
    axis.set_title(f"BP1-BP4 vs the engine: max |Δ| = {worst:.1e}")
    axis.legend(fontsize=7)
    return save(figure, out, "bp_equations.png")


def summary(comparisons):
    header = f"{'layers':<16} {'hidden':<8} {'output':<9}" + "".join(f"{e:>10}" for e in ("BP1", "BP2", "BP3", "BP4"))
    lines = [header + "  agree to 1e-10", "-" * (len(header) + 16)]
    for c in comparisons:
        errors = "".join(f"{c.errors[e]:>10.1e}" for e in ("BP1", "BP2", "BP3", "BP4"))
        lines.append(f"{'-'.join(map(str, c.sizes)):<16} {c.hidden:<8} {c.output:<9}{errors}  "
                     f"{'yes' if c.agrees else 'NO'}")
    return "\n".join(lines)


def build():
    """C = 1/2 ‖y - a^L‖² of the 4-2-3-1 sigmoid case (the root, for `viz`)."""
    rng = np.random.default_rng(1)
    weights, biases = random_layers([4, 2, 3, 1], rng)
    net = build_network(rng.normal(size=4), weights, biases, "sigmoid")
    return half_squared_error(net.output, [0.5])


def main(argv=None):
    args = parser("demos.bp_equations", "BP1-BP4 in numpy against the engine").parse_args(argv)
    comparisons, picture = run(args.quick, args.out)
    print("max |numpy - engine| per equation (C = 1/2 ‖y - a^L‖²):")
    print(summary(comparisons))
    print(f"all agree to {TOLERANCE:g}: {all(c.agrees for c in comparisons)}")
    print(f"wrote {picture}")
    return comparisons


if __name__ == "__main__":
    main()
