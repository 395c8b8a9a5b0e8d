"""Ops over many Values at once: each makes ONE n-ary node (or, for softmax, one per output)."""

from .engine import Value, all_values, as_value, gradients, record


def _values(xs, what):
    """xs as a list of Values (numbers become leaves); an empty sequence is an error."""
    xs = list(xs)
    if not xs:
        raise ValueError(f"{what}: needs at least one value, got an empty sequence")
    if not all_values(xs):
        xs = [as_value(x) for x in xs]
    return xs


def sum(values):
    """Σ_i x_i as one node. Equal in value and gradient to x_1 + x_2 + ... chained."""
    return record("sum", *_values(values, "sum"))


def dot(ws, xs, bias=None):
    """A neuron's weighted input z = Σ_k w_k a_k (+ b) as one node: the notes' z = w·a + b."""
    ws, xs = _values(ws, "dot weights"), _values(xs, "dot inputs")
    if len(ws) != len(xs):
        raise ValueError(f"dot: {len(ws)} weights but {len(xs)} inputs; they must match")
    inputs = ws + xs + ([] if bias is None else [as_value(bias)])
    return record("dot", *inputs, n=len(ws))


def logsumexp(values):
    """ln Σ_i e^(x_i), computed stably (no overflow for any finite input)."""
    return record("logsumexp", *_values(values, "logsumexp"))


def softmax(values):
    """[e^(x_i) / Σ_j e^(x_j)] as Values, computed as e^(x_i - logsumexp(x)) so it never overflows."""
    values = _values(values, "softmax")
    lse = logsumexp(values)
    return [(x - lse).exp() for x in values]


def grad(output, inputs):
    """The gradients ∂output/∂input for each input, as floats, without touching any `.grad`.

    `inputs` is a Value or a sequence of Values; an input that output does not depend on
    gets 0.0.
    """
    if isinstance(inputs, Value):
        return gradients(output).get(inputs, 0.0)
    inputs = list(inputs)
    for i, x in enumerate(inputs):
        if not isinstance(x, Value):
            raise TypeError(f"grad: inputs[{i}] is {type(x).__name__} {x!r:.40}; expected a Value of the graph")
    grads = gradients(output)
    return [grads.get(x, 0.0) for x in inputs]

