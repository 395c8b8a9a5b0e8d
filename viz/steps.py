"""Backpropagation as a list of steps a learner can follow, with the engine's own numbers.

Step 0 is the forward pass alone: every data known, every gradient "?". Step 1 seeds
∂C/∂C = 1 at the output C. Then comes one step per node, in the engine's order (reverse
topological: a node comes after every node that consumes it), and each says

    ∂C/∂x = Σ over each consumer z of x:  ∂C/∂z · ∂z/∂x

with the numbers: the consumer's gradient (complete by then), the local derivative from
the op table, their product, and the sum that becomes x's gradient. The terms are added
in the order the engine adds them, so every gradient is bit-for-bit the engine's.
"""

from dataclasses import dataclass

import autograd

from .scene import value_names
from .style import compact


@dataclass(frozen=True, eq=False)
class Term:
    """One chain-rule term ∂C/∂z · ∂z/∂x that node x receives from its consumer z."""

    consumer: object
    consumer_grad: float   # ∂C/∂z
    local: float           # ∂z/∂x, from the op table
    product: float         # their product, exactly as the engine computes it


@dataclass(frozen=True, eq=False)
class Step:
    number: int
    kind: str              # "forward", "seed" or "node"
    node: object           # the value whose gradient this step completes (None for step 0)
    terms: tuple           # the Terms it received (empty for steps 0 and 1)
    grad: float | None     # ∂C/∂node after this step
    text: str              # the step in words and numbers, e.g. "∂C/∂x = ... = 0.75"


def backward_steps(root, digits=4):
    """The steps of backward on the graph of `root` (see the module docstring)."""
    if not isinstance(root, autograd.Value):
        raise TypeError(f"backward_steps: expected the root Value of a graph, got {type(root).__name__} {root!r:.60}")
    order = autograd.topological_order(root)
    names = value_names(order)
    c = names[root]
    steps = [Step(0, "forward", None, (), None,
                  f"Forward pass: all {len(order)} values computed from the inputs; "
                  f"no gradient known yet (shown as ?).")]
    received = {node: [] for node in order}
    for node in reversed(order):  # the engine's order; leaves slot in where they are complete
        if node is root:
            grad = 1.0
            steps.append(Step(1, "seed", root, (), grad, f"Seed: ∂{c}/∂{c} = 1."))
        else:
            terms = tuple(received[node])
            grad = 0.0
            for term in terms:  # the engine's sum: 0.0 + first + second + ..., in this order
                grad += term.product
            steps.append(Step(len(steps), "node", node, terms, grad, _explain(node, terms, grad, names, c, digits)))
        if node.op:
            for parent, local in zip(node.parents, autograd.local_derivatives(node)):
                received[parent].append(Term(node, grad, local, grad * local))
    return steps


def gradients_after(steps, number):
    """{value: gradient} for the values whose gradient is known once step `number` is done."""
    return {step.node: step.grad for step in steps[1:number + 1]}


def _explain(node, terms, grad, names, c, digits):
    x = names[node]
    symbols = " + ".join(f"∂{c}/∂{names[t.consumer]} · ∂{names[t.consumer]}/∂{x}" for t in terms)
    numbers = " + ".join(f"{_number(t.consumer_grad, digits)} × {_number(t.local, digits)}" for t in terms)
    text = f"∂{c}/∂{x} = {symbols} = {numbers}"
    if len(terms) > 1:
        text += " = " + " + ".join(_number(t.product, digits) for t in terms)
    return f"{text} = {compact(grad, digits)}"


def _number(number, digits):
    shown = compact(number, digits)
    return f"({shown})" if shown.startswith("-") else shown
