"""Random graphs of every op of the table, kept inside each op's domain, and their PyTorch mirror.

`graphs(must_use=name)` draws a recipe: a few inputs and a list of steps, each step an op
applied to earlier nodes. `build(recipe, inputs)` replays it with tracegrad Values, so the same
recipe gives the same graph at any point. `mirror(output, leaves)` rebuilds a tracegrad graph
node for node with torch float64 tensors, from each node's op and constants.

Each op is reached through a SITE that keeps its input inside the domain, using other ops of
the table: log sees u² + 0.1, asin sees 0.9 tanh u, tan sees 1.4 tanh u, and so on.
"""

import functools
import operator

from hypothesis import strategies as st

import autograd
from autograd import OPS


def _squash(u, top):
    """top · tanh u: in (-top, top), a smooth way into a bounded domain."""
    return u.tanh() * top


def _positive(u, low=0.1):
    return u * u + low


SITES = {
    "+": lambda c, u, v, w: u + v,
    "-": lambda c, u, v, w: u - v,
    "*": lambda c, u, v, w: u * v,
    "/": lambda c, u, v, w: u / _positive(v, 0.5),
    "neg": lambda c, u, v, w: -u,
    "abs": lambda c, u, v, w: abs(u),
    "**k": lambda c, u, v, w: _positive(u, 0.5) ** c,
    "c**y": lambda c, u, v, w: (abs(c) + 0.2) ** _squash(u, 3.0),
    "**": lambda c, u, v, w: _positive(u, 0.5) ** _squash(v, 2.0),
    "sqrt": lambda c, u, v, w: _positive(u).sqrt(),
    "exp": lambda c, u, v, w: _squash(u, 5.0).exp(),
    "log": lambda c, u, v, w: _positive(u).log(),
    "tanh": lambda c, u, v, w: u.tanh(),
    "sigmoid": lambda c, u, v, w: u.sigmoid(),
    "relu": lambda c, u, v, w: u.relu(),
    "step": lambda c, u, v, w: u.step(c),
    "sum": lambda c, u, v, w: autograd.sum([u, v, w]),
    "dot": lambda c, u, v, w: autograd.dot([u, v], [w, u], v),
    "dot_data": lambda c, u, v, w: autograd.dot([u, v], [c, 0.5 - c], w),
    "logsumexp": lambda c, u, v, w: autograd.logsumexp([u, v, w]),
    "softmax": lambda c, u, v, w: autograd.softmax([u, v, w])[int(abs(c) * 1.4) % 3],
    "sin": lambda c, u, v, w: u.sin(),
    "cos": lambda c, u, v, w: u.cos(),
    "tan": lambda c, u, v, w: _squash(u, 1.4).tan(),
    "asin": lambda c, u, v, w: _squash(u, 0.9).asin(),
    "acos": lambda c, u, v, w: _squash(u, 0.9).acos(),
    "atan": lambda c, u, v, w: u.atan(),
    "sinh": lambda c, u, v, w: _squash(u, 5.0).sinh(),
    "cosh": lambda c, u, v, w: _squash(u, 5.0).cosh(),
    "asinh": lambda c, u, v, w: u.asinh(),
    "acosh": lambda c, u, v, w: _positive(u, 1.1).acosh(),
    "atanh": lambda c, u, v, w: _squash(u, 0.9).atanh(),
    "log1p": lambda c, u, v, w: _positive(u, -0.9).log1p(),
    "expm1": lambda c, u, v, w: _squash(u, 5.0).expm1(),
    "log2": lambda c, u, v, w: _positive(u).log2(),
    "log10": lambda c, u, v, w: _positive(u).log10(),
    "maximum": lambda c, u, v, w: u.maximum(v),
    "minimum": lambda c, u, v, w: u.minimum(v),
    "xlogy": lambda c, u, v, w: autograd.apply("xlogy", u, _positive(v)),
}
assert set(SITES) == set(OPS), f"ops with no site for random graphs: {sorted(set(OPS) - set(SITES))}"


def _reals(low, high):
    return st.floats(low, high, allow_nan=False, allow_infinity=False)


@st.composite
def graphs(draw, must_use, max_steps=5):
    """(inputs, steps): 1-3 input numbers and up to max_steps (op, constant, three earlier node
    indices); the op `must_use` is among the steps."""
    inputs = draw(st.lists(_reals(-2.0, 2.0), min_size=1, max_size=3))
    names = sorted(OPS)
    steps = []
    for k in range(draw(st.integers(1, max_steps))):
        earlier = len(inputs) + k
        op = draw(st.sampled_from(names))
        steps.append((op, draw(_reals(-2.0, 2.0)), *draw(st.lists(st.integers(0, earlier - 1),
                                                                    min_size=3, max_size=3))))
    where = draw(st.integers(0, len(steps) - 1))
    steps[where] = (must_use,) + steps[where][1:]
    return inputs, steps


def build(recipe, leaves):
    """Replay the recipe's steps on the leaf Values; the output is the sum of every step's node
    (so every node reaches it)."""
    _, steps = recipe
    nodes = list(leaves)
    for op, constant, i, j, k in steps:
        nodes.append(SITES[op](constant, nodes[i], nodes[j], nodes[k]))
    return autograd.sum(nodes[len(leaves):])


def _left_fold(xs):
    return functools.reduce(operator.add, xs)


def _torch_ops(torch):
    """The table's ops in torch, each from tracegrad's (parents, constants), summed in the
    engine's left-to-right order so forward values agree to the last bit where torch allows."""
    def dot(xs, n):
        return _left_fold([w * a for w, a in zip(xs[:n], xs[n:2 * n])] + list(xs[2 * n:]))

    def dot_data(xs, x):
        return _left_fold([w * float(xk) for w, xk in zip(xs[:len(x)], x)] + list(xs[len(x):]))

    return {
        "+": lambda x, y: x + y, "-": lambda x, y: x - y, "*": lambda x, y: x * y, "/": lambda x, y: x / y,
        "neg": lambda x: -x, "abs": torch.abs, "**k": lambda x, k: x ** k, "c**y": lambda y, c: c ** y,
        "**": torch.pow, "sqrt": torch.sqrt, "exp": torch.exp, "log": torch.log, "tanh": torch.tanh,
        "sigmoid": torch.sigmoid, "relu": torch.relu,
        # a comparison has no gradient in torch; x·0 keeps the node in the graph with derivative 0, as here
        "step": lambda x, threshold: (x >= threshold).double() + 0.0 * x,
        "sum": lambda xs: _left_fold(xs), "dot": dot, "dot_data": dot_data,
        "logsumexp": lambda xs: torch.logsumexp(torch.stack(list(xs)), dim=0),
        "softmax": lambda xs, i: torch.softmax(torch.stack(list(xs)), dim=0)[i],
        "sin": torch.sin, "cos": torch.cos, "tan": torch.tan, "asin": torch.asin, "acos": torch.acos,
        "atan": torch.atan, "sinh": torch.sinh, "cosh": torch.cosh, "asinh": torch.asinh,
        "acosh": torch.acosh, "atanh": torch.atanh, "log1p": torch.log1p, "expm1": torch.expm1,
        "log2": torch.log2, "log10": torch.log10, "maximum": torch.maximum, "minimum": torch.minimum,
        "xlogy": torch.xlogy,
    }


def mirror(torch, output, leaves, tensors):
    """torch's value of `output`, rebuilt node for node from the tracegrad graph; `tensors` are
    the torch leaves standing for `leaves`. Returns {Value: tensor} for every node."""
    ops = _torch_ops(torch)
    mirrored = dict(zip(leaves, tensors))
    for node in autograd.topological_order(output):
        if node in mirrored:
            continue
        if not node.parents:  # a constant the engine made into a leaf
            mirrored[node] = torch.tensor(node.data, dtype=torch.float64)
            continue
        parents = [mirrored[p] for p in node.parents]
        args = [parents] if OPS[node.op].variadic else parents
        mirrored[node] = ops[node.op](*args, **(node.consts or {}))
    return mirrored
