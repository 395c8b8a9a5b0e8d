"""Everything viz asks the engine and its op table, in one place.

viz reads a graph through the engine's public attributes (data, grad, op, parents, label)
and the op table's description of each op: its constants, its named input groups (a dot's
weights, inputs and bias), whether it is an activation, and its symbol. Nothing else in viz
decodes a node by hand.
"""

import math

import autograd
from autograd import ops
from autograd.engine import backpropagate

from .style import compact


def constants(value):
    """The op's constants of a node (the k of x**k, the data x of dot_data), {} for none."""
    return value.consts or {}


def input_groups(value):
    """{group name: tuple of parents} from the op table: a dot's "weights", "inputs", "bias"."""
    return ops.input_groups(value)


def data_inputs(value):
    """The plain numbers a neuron reads as data (dot_data's constant x), else None."""
    groups = input_groups(value)
    return constants(value).get("x") if "weights" in groups and "inputs" not in groups else None


def is_neuron_sum(value):
    """True for a neuron's weighted input z = w·a + b (an op with a group of weights)."""
    return "weights" in input_groups(value)


def is_activation(value):
    """True for a node a = f(z) of an activation op (σ, tanh, ReLU, step), as the table says."""
    return ops.is_activation(value.op)


def symbol(value, digits=4):
    """The op's symbol as the notes write it (×, σ, Σ, x^2, ...), from the table, its constants
    to `digits` significant digits."""
    return ops.symbol(value, number=lambda c: _bracketed(c, digits)) or value.op


def function_name(value):
    """The op written as a function: σ for sigmoid, tanh, ReLU, exp, step, ... (the table's
    symbol, or its name when the symbol needs the op's constants)."""
    return autograd.OPS[value.op].symbol or value.op


def _bracketed(number, digits=4):
    """A constant inside a symbol: (-2)^y, not -2^y, which reads as -(2^y)."""
    shown = compact(number, digits)
    return f"({shown})" if shown.startswith("-") else shown


def local_derivatives(value):
    return autograd.local_derivatives(value)


def chain_rule_terms(root):
    """The engine's backward walk, term by term: ([(consumer z, input x, ∂C/∂z, ∂z/∂x, product)]
    in the very order the engine adds them, the error backward raises or None, and the node
    at which the walk stopped or None).

    The walk is the engine's own (`autograd.engine.backpropagate`), so summing a node's
    products in this order (the first, then + each later one) gives its gradient bit for bit.
    It stops before the first node whose terms are not all finite, or whose local derivative
    the op table cannot give; the error is the one `backward()` raises on this graph.
    """
    error = None
    try:
        autograd.gradients(root)
    except (ArithmeticError, ValueError) as raised:
        error = raised
    walked = []
    try:
        backpropagate(root, steps=walked)
    except (ArithmeticError, ValueError):  # a local derivative that is not finite
        pass
    order = list(reversed(autograd.topological_order(root, leaves=False)))
    terms, grads = [], {root: 1.0}
    for node, g, derivatives in walked:
        # A term into a constant that is not finite (∂(x^y)/∂y at x < 0, y fixed) is one the
        # engine never checks nor adds into anything that is shown: it is left out here too.
        node_terms = [(node, parent, g, d, g * d) for parent, d in zip(node.parents, derivatives)
                      if parent.requires_grad or math.isfinite(g * d)]
        totals = {}  # the node's terms go in together, or not at all
        for _, parent, _, _, product in node_terms:
            so_far = totals.get(parent, grads.get(parent))
            totals[parent] = product if so_far is None else so_far + product
        if not all(map(math.isfinite, (g, *(t[4] for t in node_terms), *totals.values()))):
            return terms, error, node
        terms.extend(node_terms)
        grads.update(totals)
    stopped = order[len(walked)] if len(walked) < len(order) else None
    return terms, error, stopped


def failure(node, g, grads):
    """Why the chain rule cannot pass node's gradient g = ∂C/∂node on to its inputs, as
    (reason, input, ∂node/∂input), the first reason met, input by input in the engine's order:

        "no derivative"  the op table gives no finite local derivative here (input and d None)
        "undefined"      ∂node/∂input is not a number (nan)
        "infinite"       ∂node/∂input is infinite
        "overflow"       both are finite, but g · ∂node/∂input is too large for a float
        "sum"            the input's gradient, its earlier terms (grads) plus this one, is

    or None when every term is finite. Only ever asked of the node chain_rule_terms stopped at."""
    try:
        derivatives = local_derivatives(node)
    except (ArithmeticError, ValueError):
        return "no derivative", None, None
    totals = {}
    for parent, d in zip(node.parents, derivatives):
        if math.isnan(d):
            return "undefined", parent, d
        if math.isinf(d):
            return "infinite", parent, d
        if not math.isfinite(g * d):
            return "overflow", parent, d
        so_far = totals.get(parent, grads.get(parent))
        totals[parent] = g * d if so_far is None else so_far + g * d
        if not math.isfinite(totals[parent]):
            return "sum", parent, d
    return None
