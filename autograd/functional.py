"""Ops over many Values at once: each makes ONE n-ary node (or, for softmax, one per output)."""

import math

from . import higher
from .checks import as_flag
from .engine import (Value, _make, _number, all_finite_floats, apply, as_value, gradients, local_derivatives,
                     require_graph, shown_object)
from .higher import as_float
from .messages import node_name
from .ops import OPS


def _values(xs, what, entry="{what}: input {k}"):
    """xs as a tuple of Values (numbers become leaves); an empty sequence is an error. A bad
    number is named by `entry` (the function, the argument, its index k), not as a bare Value."""
    try:
        xs = tuple(xs)
    except TypeError:  # one number, None: not a list of them
        raise TypeError(f"{what}: expected a list of Values or numbers, got {type(xs).__name__} {xs!r:.40}") from None
    if not xs:
        raise ValueError(f"{what}: needs at least one value, got an empty sequence")
    if _all_values(xs):
        return xs
    return tuple(x if isinstance(x, Value) else as_value(_number(x, entry.format(what=what, k=k)))
                 for k, x in enumerate(xs))


def _all_values(xs):
    """SPEED: every item a Value, tested in C (all over map). A layer's neurons hand over
    their weights, all Values: converting them one by one in Python was 12% of nn's forward
    + backward per sample (MLP 64-32-10)."""
    return all(map(Value.__instancecheck__, xs))


def sum(values):
    """Σ_i x_i as one node. Equal in value and gradient to x_1 + x_2 + ... chained."""
    return _make(OPS["sum"], _values(values, "sum"), {})


def dot(ws, xs, bias=None):
    """A neuron's weighted input z = Σ_k w_k a_k (+ b) as one node: the notes' z = w·a + b.

    When the inputs are Values they are the node's parents, after the weights (op "dot").
    When they are all plain numbers they are data, as a network's input x is: the node keeps
    them as constants (op "dot_data") and they are not graph nodes, just as an input tensor
    that does not require grad is not in PyTorch's graph. Backward then spends nothing on
    them; to draw them, or to get ∂z/∂x, pass them as Values.
    """
    ws = _values(ws, "dot weights", "{what}[{k}]")  # as the inputs are named: dot inputs[k]
    xs, x = _values_or_data(xs, "dot inputs")
    if len(ws) != len(xs):
        raise ValueError(f"dot: {len(ws)} weights but {len(xs)} inputs; they must match")
    bias = () if bias is None else (bias if isinstance(bias, Value) else as_value(_number(bias, "dot bias")),)
    if x is not None:
        return _make(OPS["dot_data"], ws + bias, {"x": x})
    return _make(OPS["dot"], ws + xs + bias, {"n": len(ws)})


# --- SPEED: the neurons of a layer all read the same data tuple x; checking it once per layer
# rather than once per neuron is 10% of nn's forward + backward per sample (MLP 64-32-10 fed
# plain floats). A tuple is immutable, so one found all finite stays so; threads may at worst
# check it again.
_NONE_YET = object()
_checked_data = _NONE_YET  # the last data vector found to be all finite floats


def _values_or_data(xs, what):
    """(xs as Values, None), or (x, x) with x a tuple of finite floats when no entry is a Value.

    The common cases (all Values; all finite floats) are checked in C; anything else goes
    entry by entry, so that an error names the entry at fault. The neurons of a layer all
    read the same tuple x, so the tuple last found to be data is not checked again.
    """
    global _checked_data
    if xs is _checked_data:
        return xs, xs
    xs = tuple(xs)
    if not xs:
        raise ValueError(f"{what}: needs at least one value, got an empty sequence")
    kinds = set(map(type, xs))
    if kinds == {Value}:
        return xs, None
    if any(issubclass(kind, Value) for kind in kinds):
        return _values(xs, what, "{what}[{k}]"), None
    if all_finite_floats(xs):
        _checked_data = xs
        return xs, xs
    x = tuple(_number(x, f"{what}[{k}]") for k, x in enumerate(xs))
    return x, x


def term_sizes(root):
    """{node: Σ over the chain rule's paths from node to root of Π |local derivative|}: the size
    of the terms a gradient sums (the one walker, on |∂z/∂x|). Where they cancel (∂/∂x of
    sin²x + cos²x), what is left is rounding of that size. {} when they overflow a float."""
    try:
        return gradients(root, derivatives=lambda node: tuple(map(abs, local_derivatives(node))))
    except FloatingPointError:
        return {}


def xlogy(x, y):
    """x ln y as one node, 0 where x = 0 (torch.xlogy): the cross-entropy term, so that a term
    whose coefficient is 0 costs nothing even where its probability is 0 (0 · ln 0 = 0)."""
    return apply("xlogy", x, y)


def maximum(x, y):
    """max(x, y) as one node (numbers become leaves); at a tie x = y each input gets half the
    gradient, as torch.maximum does."""
    return apply("maximum", x, y)


def minimum(x, y):
    """min(x, y) as one node; at a tie each input gets half the gradient, as torch.minimum."""
    return apply("minimum", x, y)


def logsumexp(values):
    """ln Σ_i e^(x_i), computed stably (no overflow for any finite input)."""
    return _make(OPS["logsumexp"], _values(values, "logsumexp"), {})


def softmax(values):
    """[s_i = e^(x_i) / Σ_j e^(x_j)] as Values: one "softmax" node per output, each reading
    every x. Computed from e^(x_j - max x), so it never overflows for any finite input, and
    its gradient s_i (δ_ij - s_j) stays accurate where s_i saturates at 1 (see the op table)."""
    values = _values(values, "softmax")
    return [_make(OPS["softmax"], values, {"i": i}) for i in range(len(values))]


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False, allow_unused=None):
    """The gradients ∂output/∂input for each input, without touching any `.grad`.

    `inputs` is a Value or a sequence of Values, each of which must require grad (a constant
    has no gradient: RuntimeError, as PyTorch). The gradients are floats; with
    create_graph=True they are Values whose graph is the backward pass itself
    (`autograd.higher`), so they can be differentiated again: grad(grad(y, x,
    create_graph=True), x) is ∂²y/∂x². Only the paths from the outputs to the inputs are
    computed and checked, as in PyTorch.

    As torch.autograd.grad: `outputs` may be one Value or a sequence of them, and
    `grad_outputs` (a number, or a Value; one per output) seeds each, so that the result is
        Σ_i grad_outputs_i · ∂outputs_i/∂input     (grad_outputs 1 for each by default).
    An input the outputs do not depend on gets 0.0 (a constant Value(0.0) with create_graph)
    by default; allow_unused=True gives None there, allow_unused=False raises RuntimeError,
    as PyTorch. retain_graph is accepted and changes nothing: a graph is kept until dropped.
    """
    single = isinstance(inputs, Value)
    if not single and not isinstance(inputs, (list, tuple)):
        raise TypeError(f"grad: inputs is {shown_object(inputs)}; expected a Value "
                        f"(or a list of Values) to differentiate toward")
    inputs = _grad_inputs([inputs] if single else list(inputs))
    create_graph = as_flag(create_graph, "grad create_graph")
    outputs, seeds = _grad_outputs(outputs, grad_outputs, create_graph)
    for flag, name in ((retain_graph, "retain_graph"), (allow_unused, "allow_unused")):
        if flag is not None:
            as_flag(flag, f"grad {name}")
    totals = [None] * len(inputs)
    for output, seed in zip(outputs, seeds):
        totals = [_summed(total, g, k) for k, (total, g) in enumerate(zip(totals, _grads(output, inputs, seed,
                                                                                         create_graph)))]
    result = [_unused(k, x, allow_unused, create_graph) if g is None else g
              for k, (x, g) in enumerate(zip(inputs, totals))]
    return result[0] if single else result


def _grad_inputs(inputs):
    """The inputs, each a Value that requires grad, else an error naming it (as PyTorch)."""
    for k, x in enumerate(inputs):
        if not isinstance(x, Value):
            raise TypeError(f"grad: inputs[{k}] is {shown_object(x)}; expected a Value of the graph")
        if not x.requires_grad:
            raise RuntimeError(
                f"grad: inputs[{k}] {node_name(x)} does not require grad, so it has no gradient: it is a "
                f"constant (a number made a leaf, detached, or computed under no_grad()) (PyTorch: One of "
                f"the differentiated Tensors does not require grad)")
    return inputs


def _grad_outputs(outputs, grad_outputs, create_graph):
    """(the outputs, one seed for each): a Value seed stays a Value with create_graph, else
    its number is taken, as PyTorch takes a tensor."""
    single = isinstance(outputs, Value)
    if not single and not isinstance(outputs, (list, tuple)):
        raise TypeError(f"grad: output is {shown_object(outputs)}; expected a Value "
                        f"(or a list of Values)")
    outputs = [outputs] if single else list(outputs)
    if not outputs:
        raise ValueError("grad: outputs is empty; give at least one Value")
    for i, y in enumerate(outputs):
        if not isinstance(y, Value):
            raise TypeError(f"grad: outputs[{i}] is {shown_object(y)}; expected a Value")
        require_graph(y, "grad" if single else f"grad: outputs[{i}]")  # rather than gradients of 0, as PyTorch
    if grad_outputs is None:
        seeds = [1.0] * len(outputs)
    else:
        seeds = list(grad_outputs) if _one_per_output(grad_outputs) else [grad_outputs]
        if len(seeds) != len(outputs):
            raise ValueError(f"grad: {len(seeds)} grad_outputs for {len(outputs)} outputs; give one per output")
    return outputs, [_seed(s, i, create_graph) for i, s in enumerate(seeds)]


def _one_per_output(grad_outputs):
    """Whether grad_outputs holds one seed per output: a list or tuple, or a 1-d array or
    tensor (as torch takes a sequence of tensors); a Value, a number or a 0-d array is one seed."""
    if isinstance(grad_outputs, (list, tuple)):
        return True
    return not isinstance(grad_outputs, Value) and getattr(grad_outputs, "ndim", 0) == 1


def _seed(seed, i, create_graph):
    if isinstance(seed, Value):
        return seed if create_graph else seed.data
    return _number(1.0 if seed is None else seed, f"grad grad_outputs[{i}]")


def _grads(output, inputs, seed, create_graph):
    """[∂(seed · output)/∂input, or None where output does not depend on it]."""
    if create_graph:
        return higher.grad_as_values(output, inputs, seed)
    grads = gradients(output, seed, inputs=inputs)
    return [grads.get(x) for x in inputs]


def _summed(total, g, k):
    """The gradients toward inputs[k] of the outputs so far, plus one more output's."""
    if total is None or g is None:
        return g if total is None else total
    try:
        result = total + g
    except OverflowError:  # a Value's + refuses an inf result
        result = math.inf
    if not math.isfinite(result):
        raise FloatingPointError(f"grad: the gradients of the outputs toward inputs[{k}] sum to {result} "
                                 f"({as_float(total):.6g} + {as_float(g):.6g})")
    return result


def _unused(k, x, allow_unused, create_graph):
    """What an input the outputs do not depend on gets: 0 (None if allowed as unused, as PyTorch)."""
    if allow_unused is None:
        return Value(0.0, requires_grad=False) if create_graph else 0.0
    if allow_unused:
        return None
    raise RuntimeError(f"grad: inputs[{k}] {node_name(x)} is not used in the graph of the outputs (PyTorch: One "
                       f"of the differentiated Tensors appears to not have been used in the graph. Set "
                       f"allow_unused=True if this is the desired behavior.)")
