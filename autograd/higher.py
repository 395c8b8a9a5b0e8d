"""Higher-order reverse mode: the backward pass recorded as a graph of Values.

First-order backward multiplies numbers:  ∂C/∂x += ∂C/∂z · ∂z/∂x,  with ∂z/∂x from the table
evaluated on floats (`backends.scalar`). Here the same table entries are evaluated on the
namespace `values`, whose numbers are Values: every ∂z/∂x, every product and every sum is then
itself a node, so the gradient ∂C/∂x is a Value with a graph of its own, and can be
differentiated again, to any order. No derivative is written a second time.

    x = Value(0.5)
    (dy_dx,) = autograd.grad(x.sin() * x, [x], create_graph=True)   # cos x · x + sin x, a Value
    (d2y_dx2,) = autograd.grad(dy_dx, [x])                          # -sin x · x + 2 cos x

The recorded pass is not on the first-order path: `backward()` and `grad()` without
`create_graph=True` never enter it.

Every function here that records a graph of its own (create_graph=True, hessian, hvp) records
it whatever the caller's grad mode, as PyTorch does (its engine runs create_graph's backward
in grad mode, and torch.autograd.functional enables grad inside): under `no_grad()` they would
otherwise differentiate a graph that was never made, and silently give 0.
"""

import math

from .backends import scalar
from .checks import as_number
from .engine import Value, _make, as_value, backpropagate, gradients
from .grad_mode import enable_grad
from .messages import node_name
from .ops import OPS


class FirstOrderOnlyError(NotImplementedError):
    """A path that computes first-order gradients only (the compiled batched path) was asked
    to record its backward pass."""


def _lifted(op_name, on_floats):
    """The namespace function for one op: a node when an argument is a Value, else a float."""
    def function(*args):
        if any(isinstance(a, Value) for a in args):
            return _make(OPS[op_name], tuple(map(as_value, args)))
        return on_floats(*args)
    function.__name__ = op_name
    return staticmethod(function)


class values:
    """The math namespace whose numbers are Values (and plain floats for constants).

    It offers what the table's derivatives call; each function records the op of the same
    name, so a derivative evaluated here is a graph. + - * / come from Value's operators.
    """

    exp, log, sqrt = _lifted("exp", math.exp), _lifted("log", scalar.log), _lifted("sqrt", math.sqrt)
    tanh, sigmoid = _lifted("tanh", math.tanh), _lifted("sigmoid", scalar.sigmoid)
    sin, cos, tan = _lifted("sin", math.sin), _lifted("cos", math.cos), _lifted("tan", math.tan)
    sinh, cosh = _lifted("sinh", math.sinh), _lifted("cosh", math.cosh)
    maximum, minimum = _lifted("maximum", max), _lifted("minimum", min)
    each, ones_like, constants, concat = scalar.each, scalar.ones_like, scalar.constants, scalar.concat
    square = scalar.square  # x * x: a "*" node of x with itself

    @staticmethod
    def total(xs):
        """Σ xs as one sum node when any term is a Value (0.0 for no terms)."""
        if any(isinstance(x, Value) for x in xs):
            return _make(OPS["sum"], tuple(map(as_value, xs)))
        return scalar.total(xs)

    @staticmethod
    def logsumexp(xs):
        """ln Σ e^x as one node when any term is a Value."""
        if any(isinstance(x, Value) for x in xs):
            return _make(OPS["logsumexp"], tuple(map(as_value, xs)))
        return scalar.logsumexp(xs)

    @staticmethod
    def exponent_slope(z, x):
        """z ln x, taken as 0 where z = 0 or x = 0, as in `backends.scalar`."""
        return 0.0 if as_float(z) == 0 or as_float(x) == 0 else z * values.log(x)

    @staticmethod
    def power_slope(x, y):
        """y x^(y-1), taken as 0 at x = y = 0, as in `backends.scalar`."""
        return 0.0 if as_float(x) == 0 and as_float(y) == 0 else y * x ** (y - 1)

    x_log_y = _lifted("xlogy", scalar.x_log_y)

    @staticmethod
    def x_log_y_dx(x, y):
        """ln y, taken as 0 at x = y = 0, as in `backends.scalar`."""
        return 0.0 if as_float(x) == 0 and as_float(y) == 0 else values.log(y)

    @staticmethod
    def x_log_y_dy(x, y):
        """x / y, taken as 0 at x = y = 0, as in `backends.scalar` (at x = 0 < y a node: its slope in x is 1/y)."""
        return 0.0 if as_float(x) == 0 and as_float(y) == 0 else x / y


def as_float(x):
    """The number in x: its data if it is a Value."""
    return x.data if isinstance(x, Value) else x


def local_derivatives_as_values(node):
    """∂node/∂parent for each parent, as Values (or floats, where the table gives a constant),
    from the same table entry as the first-order `local_derivatives`."""
    op = OPS[node.op]
    args = (tuple(node.parents),) if op.variadic else node.parents
    try:
        return op.derivatives(values, node, *args, **(node.consts or {}))
    except (ArithmeticError, ValueError) as error:
        raise FloatingPointError(f"backward (create_graph): the local derivative at node {node_name(node)} "
                                 f"is not finite ({error}); inputs {[p.data for p in node.parents][:6]}") from None


def gradients_as_values(root, seed=1.0):
    """{node: ∂root/∂node as a Value} for every ancestor of root: the engine's one chain-rule
    walker (`backpropagate`) with local derivatives that are Values, so that every

        ∂root/∂parent += ∂root/∂node · ∂node/∂parent

    is recorded as nodes. A gradient the table gives as a plain number (∂(x + y)/∂x = 1)
    becomes a constant, as in PyTorch: it has no graph, so its own gradient is 0.
    """
    try:
        grads = backpropagate(root, seed, local_derivatives_as_values)
    except (OverflowError, ValueError) as error:  # a product or sum of the recorded pass is not finite
        raise FloatingPointError(f"backward (create_graph): a gradient stopped being a finite float while "
                                 f"the backward pass of {node_name(root)} was recorded ({error})") from None
    for node, g in grads.items():
        if not isinstance(g, Value) and not math.isfinite(g):
            raise FloatingPointError(f"backward (create_graph): the gradient at node {node_name(node)} is {g}")
    return {node: g if isinstance(g, Value) else Value(g, requires_grad=False) for node, g in grads.items()}


def accumulate_as_values(root, seed=1.0):
    """`root.backward(gradient=seed, create_graph=True)`: add ∂C/∂node, a Value, into the
    `.grad` of every ancestor that requires grad (a 0.0 is replaced rather than added to, so
    no node is spent on it)."""
    if not isinstance(seed, Value):
        seed = as_number(seed, "backward gradient")
    with enable_grad():
        grads = gradients_as_values(root, seed)
        # all or none, as first order: every new .grad is made before any is written
        totals = {node: _accumulated(node, g) for node, g in grads.items() if node.requires_grad}
    for node, total in totals.items():
        node.grad = total


def _accumulated(node, g):
    """node.grad + g as a Value (g itself over a .grad of 0.0, so no node is spent on it);
    FloatingPointError in first order's words where the sum would not be a finite float."""
    if type(node.grad) is float and node.grad == 0.0:
        return g
    try:
        return node.grad + g
    except OverflowError:  # the + node refuses an inf result
        old = as_float(node.grad)
        raise FloatingPointError(
            f"backward (create_graph): the accumulated .grad at node {node_name(node)} would be "
            f"{old + g.data} ({old:.6g} + {g.data:.6g}); no .grad was changed (reset them with zero_grad())") from None


def grad_as_values(output, inputs):
    """[∂output/∂input as a Value for each input]: what `autograd.grad(..., create_graph=True)`
    returns. An input that output does not depend on gets Value(0.0)."""
    with enable_grad():
        grads = gradients_as_values(output)
    return [grads[x] if x in grads else Value(0.0, requires_grad=False) for x in inputs]


def leaves_at(inputs):
    """Fresh leaf Values at the numbers `inputs` (or at the data of Values), labelled x0, x1, ...
    unless they carry a label: the point where a function's derivatives are taken."""
    return [Value(as_float(x), label=getattr(x, "label", "") or f"x{i}") for i, x in enumerate(inputs)]


def _leaves(f, inputs, what):
    """Fresh leaf Values at the numbers `inputs`, and f of them (which must be a Value)."""
    xs = leaves_at(inputs)
    if not xs:
        raise ValueError(f"{what}: inputs is empty; give at least one number")
    out = f(*xs)
    if not isinstance(out, Value):
        raise TypeError(f"{what}: f must return one Value (a scalar function), got {type(out).__name__}")
    return xs, out


@enable_grad()  # f's graph and the recorded pass, whatever the caller's mode
def hessian(f, inputs):
    """The matrix H_ij = ∂²f/∂x_i∂x_j at the point `inputs` (numbers, or Values whose data is
    used), as a list of rows of floats: reverse mode over reverse mode, one backward pass
    recorded as a graph, then one first-order backward pass per row."""
    xs, out = _leaves(f, inputs, "hessian")
    first = grad_as_values(out, xs)
    return [gradients_list(g_i, xs) for g_i in first]


@enable_grad()  # f's graph, the recorded pass and ∇f · v, whatever the caller's mode
def hvp(f, inputs, v):
    """The Hessian-vector product H v at the point `inputs`, without forming H: the gradient
    of ∇f · v, so two backward passes whatever the number of inputs:  (H v)_i = ∂(Σ_j ∂f/∂x_j v_j)/∂x_i."""
    xs, out = _leaves(f, inputs, "hvp")
    v = [as_number(as_float(vj), f"hvp v[{j}]") for j, vj in enumerate(v)]
    if len(v) != len(xs):
        raise ValueError(f"hvp: v has {len(v)} entries for {len(xs)} inputs; they must match")
    first = grad_as_values(out, xs)
    directional = first[0] * v[0]
    for g_j, v_j in zip(first[1:], v[1:]):
        directional = directional + g_j * v_j
    return gradients_list(directional, xs)


def gradients_list(output, inputs):
    """[∂output/∂input as a float for each input], from the first-order engine."""
    grads = gradients(output)
    return [grads.get(x, 0.0) for x in inputs]
