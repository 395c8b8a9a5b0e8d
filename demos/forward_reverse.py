"""Why backprop: forward mode against reverse mode on a function of many inputs and one output.

Forward mode (`autograd.jvp`) pushes one tangent from the inputs to the output: one pass gives
the derivative along ONE direction. The gradient of f: Rⁿ → R needs n passes, one per input
(v = e_1, ..., e_n). Reverse mode (`backward`) pulls ∂f/∂z from the output back to every
input: one pass gives all n partial derivatives. Both read the same local derivatives from
the table; this demo counts how many times each mode asks the table for them. The graph is
recorded once for each mode; only the derivative passes are counted and timed.

    python -m demos.forward_reverse [--quick] [--inputs N]
"""

import dataclasses
import time
from contextlib import contextmanager
from dataclasses import dataclass

import autograd
from autograd import Value
from autograd.forward import tangents

from .common import parser


def f(xs):
    """A cost of many inputs: Σ_i sin(x_i) x_(i+1) + ln Σ_i e^(x_i) + (Σ_i x_i²)^(1/2)."""
    terms = [xs[i].sin() * xs[i + 1] for i in range(len(xs) - 1)]
    return autograd.sum(terms) + autograd.logsumexp(xs) + autograd.sum([x * x for x in xs]).sqrt()


@contextmanager
def counting_table():
    """Count every evaluation of a local derivative, whichever mode asks the table for it:
    each op's `derivatives` is wrapped for the duration of the block (and restored after)."""
    counter = {"evaluations": 0}
    saved = dict(autograd.OPS)

    def counted(derivatives):
        def wrapper(*args, **consts):
            counter["evaluations"] += 1
            return derivatives(*args, **consts)
        return wrapper

    try:
        for name, op in saved.items():
            autograd.OPS[name] = dataclasses.replace(op, derivatives=counted(op.derivatives))
        yield counter
    finally:
        autograd.OPS.update(saved)


@dataclass
class Work:
    mode: str
    passes: int
    evaluations: int  # local derivatives the table was asked for
    seconds: float
    gradient: list


def reverse_mode(point):
    xs = [Value(x) for x in point]
    out = f(xs)
    with counting_table() as counter:
        start = time.perf_counter()
        gradient = autograd.grad(out, xs)
        seconds = time.perf_counter() - start
    return Work("reverse (backward)", 1, counter["evaluations"], seconds, gradient)


def forward_mode(point):
    """n tangent passes over the recorded graph, one per input (v = e_i gives ∂f/∂x_i)."""
    xs = [Value(x) for x in point]
    out = f(xs)
    gradient = []
    with counting_table() as counter:
        start = time.perf_counter()
        for x in xs:
            gradient.append(tangents([out], {x: 1.0})[out])
        seconds = time.perf_counter() - start
    return Work("forward (jvp)", len(xs), counter["evaluations"], seconds, gradient)


def op_nodes(point):
    return len(autograd.topological_order(f([Value(x) for x in point]), leaves=False))


def run(n=200):
    point = [0.01 * ((7 * i) % 23) - 0.1 for i in range(n)]
    reverse, forward = reverse_mode(point), forward_mode(point)
    gap = max(abs(a - b) for a, b in zip(reverse.gradient, forward.gradient))
    return reverse, forward, op_nodes(point), gap


def report(n, reverse, forward, nodes, gap):
    lines = [f"f: R^{n} -> R, a graph of {nodes} op nodes. The whole gradient ∇f, both ways:",
             f"  {'mode':<20} {'passes':>7} {'local derivatives':>18} {'time':>10}"]
    for work in (forward, reverse):
        lines.append(f"  {work.mode:<20} {work.passes:>7} {work.evaluations:>18} {work.seconds * 1e3:>8.1f} ms")
    lines.append(f"  forward mode did {forward.evaluations / reverse.evaluations:.0f}x the work "
                 f"(n = {n} passes of {nodes} nodes, against one); the gradients agree to {gap:.1e}")
    lines.append("  With one output, reverse mode costs one pass whatever n is: that is backprop.")
    return "\n".join(lines)


def main(argv=None):
    p = parser("demos.forward_reverse", "forward mode against reverse mode: the work of a whole gradient")
    p.add_argument("--inputs", type=int, default=200, help="the number n of inputs (default 200)")
    args = p.parse_args(argv)
    n = 40 if args.quick else args.inputs
    reverse, forward, nodes, gap = run(n)
    print(report(n, reverse, forward, nodes, gap))
    return reverse, forward


if __name__ == "__main__":
    main()
