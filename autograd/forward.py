"""Forward mode: a directional derivative pushed from the inputs to the outputs.

Reverse mode (backward) carries ∂C/∂z from the output back to every input: one pass gives the
whole gradient of one output. Forward mode carries a tangent ż = ∂z/∂t along a direction
t ↦ x + t v from the inputs forward, with the same local derivatives from the table:

    ż = Σ over the inputs x of z:  ∂z/∂x · ẋ,       ẋ_i = v_i at the inputs

One pass gives J v, the derivative of every output along ONE direction v. The full gradient
of a function of n inputs therefore costs n forward passes, against one backward pass: the
reason backprop exists (`python -m demos.forward_reverse` counts the work).

A tangent that stops being finite raises FloatingPointError naming the node, as backward
does: a float product overflows to inf without a word, and inf - inf is nan.
"""

import math

from .checks import as_number
from .engine import Value, local_derivatives, topological_order
from .grad_mode import enable_grad
from .higher import as_float, as_point, leaves_at, require_function, require_takes
from .messages import node_name


def tangents(outputs, seeds):
    """{node: ż} for every ancestor of `outputs`, given {leaf: ẋ} in `seeds` (a leaf absent
    from seeds has ẋ = 0). Nodes are visited in topological order, so every input's tangent
    is complete before a node reads it."""
    dots = dict(seeds)
    for node in topological_order(list(outputs)):  # one walk for all of them, each node once
        if node.parents:
            dots[node] = _tangent(node, dots)
    return dots


def _tangent(node, dots):
    """ż = Σ ∂z/∂x · ẋ at one op node, whose inputs' tangents are in dots; FloatingPointError
    naming the node where it is not finite."""
    # A constant's tangent is 0 and its term is none (the derivative toward it may be nan:
    # ∂(x^y)/∂y at x < 0, y fixed), as in backward.
    pairs = [(d, dots.get(parent, 0.0)) for parent, d in zip(node.parents, _local_derivatives(node))
             if parent.requires_grad]
    dot = sum((d * x_dot for d, x_dot in pairs), 0.0)
    if not math.isfinite(dot):
        terms = " + ".join(f"{d:.6g} · {x_dot:.6g}" for d, x_dot in pairs[:6])
        raise FloatingPointError(f"jvp (forward mode): the tangent at node {node_name(node)} is {dot}: "
                                 f"Σ ∂z/∂x · ẋ over its inputs = {terms}")
    return dot


def _local_derivatives(node):
    """The table's ∂z/∂x at node, a failure told as forward mode's (local_derivatives, the
    engine's, words it for backward)."""
    try:
        return local_derivatives(node)
    except FloatingPointError as error:
        raise FloatingPointError(f"jvp (forward mode): {str(error).removeprefix('backward: ')}") from None


@enable_grad()  # f's graph is what the tangents are pushed along, whatever the caller's mode
def jvp(f, inputs, tangents_in):
    """(f(x), J v): f's value at x = `inputs` and its derivative along v = `tangents_in`.

    f takes one Value per input and returns a Value or a list (or tuple) of Values; the result
    follows that shape (floats). `inputs` and `tangents_in` are lists of numbers, or each one
    number for a function of one input. Equal to reverse mode's J·v, from the same table:
        (J v)_k = Σ_i ∂f_k/∂x_i v_i
    """
    require_function(f, "jvp")
    inputs, _ = as_point(inputs, "jvp")
    tangents_in, _ = as_point(tangents_in, "jvp", "tangents_in")
    v = [as_number(as_float(t), f"jvp tangent {i}") for i, t in enumerate(tangents_in)]
    if len(v) != len(inputs):
        raise ValueError(f"jvp: {len(v)} tangents for {len(inputs)} inputs; they must match")
    if not inputs:
        raise ValueError("jvp: inputs is empty; give at least one number")
    xs = leaves_at(inputs, "jvp")
    require_takes(f, len(xs), "jvp")
    out = f(*xs)
    single = isinstance(out, Value)
    if not single and not isinstance(out, (list, tuple)):  # a number, None, a dict (of its keys), ...
        raise TypeError(f"jvp: f must return a Value or a list of Values; got {type(out).__name__} {out!r:.40}")
    outputs = [out] if single else list(out)
    for k, y in enumerate(outputs):
        if not isinstance(y, Value):
            raise TypeError(f"jvp: f must return a Value or a list of Values; output {k} is {type(y).__name__}")
    dots = tangents(outputs, dict(zip(xs, v)))
    values, jv = [y.data for y in outputs], [dots.get(y, 0.0) for y in outputs]
    return (values[0], jv[0]) if single else (values, jv)
