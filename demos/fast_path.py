"""The fast path, printed: the digits network (note 002's 64-32-10) compiled to numpy source.

    python -m demos.fast_path [--out DIR]

autograd.compile records one example's graph with the scalar engine and writes it out as
straight-line numpy, from the same derivative table. For this network the source reads like
the notes' four equations on note 002's cost C_x = 1/2 ‖y - a‖²: z = W a + b and a = σ(z)
forward; backward ∂C/∂a = 1/2 · 2 (a - y) = a - y (the power rule, as note 002 derives PD1),
δ^L = ∂C/∂a ⊙ σ'(z^L), δ^l = (W^(l+1))ᵀ δ^(l+1) ⊙ σ'(z^l), ∂C/∂W = δ aᵀ and ∂C/∂b = δ summed
over the batch.
"""

import numpy as np

import autograd

from .common import output_dir, parser
from .digits import HIDDEN, QUADRATIC_COST, network


def program(seed=0):
    """The compiled program of C_x = 1/2 Σ_j (a_j - y_j)² for the digits network, recorded on two examples."""
    model = network(64, HIDDEN, seed)
    examples = (np.linspace(0.0, 1.0, 128).reshape(2, 64), np.eye(10)[[3, 7]])

    def loss(xs, ys):
        outputs = model(xs)
        return QUADRATIC_COST.function(outputs, ys), outputs

    return autograd.compile(loss, examples=examples, parameters=model.parameters())


def run(out="out"):
    """Write the program's source to out/digits_program.py; returns (its path, the source)."""
    source = program().source
    path = output_dir(out) / "digits_program.py"
    path.write_text(source, encoding="utf-8")
    return path, source


def main(argv=None):
    args = parser("demos.fast_path", "the digits network as generated numpy source").parse_args(argv)
    path, source = run(args.out)
    print("def gradient" + source.split("def gradient")[1].split("def predict")[0].rstrip())
    print(f"(the whole program: {path})")


if __name__ == "__main__":
    main()
