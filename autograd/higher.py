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

import inspect
import math
import numbers

import numpy as np

from .backends import scalar
from .checks import as_number
from .engine import Value, _make, as_value, backpropagate, gradients, local_derivatives, reaching, topological_order
from .grad_mode import enable_grad
from .messages import into_input, node_name, non_finite, shown_inputs
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
        """z ln x (∂(x^y)/∂y with z = x^y), with the numbers of `backends.scalar`, as a node
        wherever x > 0: also where x^y underflowed to z = 0, whose slope in x, x^(y-1)(1 + y ln x),
        is not 0. Where x < 0 it is nan, as in `backends.scalar`: the caller
        names the node where it is wanted. At x = 0 it is the 0 of `backends.scalar`: for y <= 1
        its slope in x, x^(y-1)(1 + y ln x), is infinite, so where x requires grad it is nan here,
        not a 0 that would differentiate to 0. Otherwise, where z = 0^y = 0 (y > 0), it is 0 · z,
        a node of the graph as in torch (grad refuses a constant): z is 0 for every y > 0, and the
        slope in x tends to 0 for y > 1. At 0^0 with x a constant it stays the constant 0."""
        if as_float(x) > 0:
            return _or_nan(lambda: z * values.log(x))
        if as_float(x) < 0:  # ln x undefined, also where x^y underflowed to 0 (backends.scalar)
            return math.nan
        if not (isinstance(z, Value) and z.op == "**"):  # c ** y with c = 0: no base in the graph
            return 0.0
        if _requires_grad(x) and z.parents[1].data <= 1:
            return math.nan
        return 0.0 * z if as_float(z) == 0 else 0.0

    @staticmethod
    def power_slope(x, y):
        """y x^(y-1); nan (infinite) at x = 0 for 0 < y < 1, where x^(y-1) would raise: the caller
        names the node where it is wanted. At x = y = 0 it is the 0 of `backends.scalar`, whose
        slope in y, x^(y-1)(1 + y ln x), is infinite there: where y requires grad it is nan here
        (torch: a 0 whose derivatives are nan). Where y does not, it is 0 · x, a node of the graph
        as torch's: along y = 0, y x^(y-1) is 0 for every x, so its slope in x is 0."""
        if as_float(x) == 0 and as_float(y) != 0 and as_float(y) < 1:
            return math.nan
        if as_float(x) == 0 and as_float(y) == 0:
            return math.nan if _requires_grad(y) else 0.0 * x
        return _or_nan(lambda: y * x ** (y - 1))

    x_log_y = _lifted("xlogy", scalar.x_log_y)

    @staticmethod
    def x_log_y_dx(x, y):
        """ln y, taken as 0 at x = y = 0, as in `backends.scalar`."""
        return 0.0 if as_float(x) == 0 and as_float(y) == 0 else values.log(y)

    @staticmethod
    def quotient(u, y):
        """u / y as a node, or nan where it would not be a finite float (-z/y at y = 1e-300, the
        / entry's ∂z/∂y): wanted, the caller names the node; else it is dropped (grad(x / y, [x]))."""
        return _or_nan(lambda: u / y)

    @staticmethod
    def x_log_y_dy(x, y):
        """x / y, taken as 0 at x = y = 0, as in `backends.scalar` (at x = 0 < y a node: its slope in x is 1/y)."""
        return 0.0 if as_float(x) == 0 and as_float(y) == 0 else _or_nan(lambda: x / y)


def _or_nan(derivative):
    """derivative(), or nan where one of its nodes would not be a finite float (x / y at
    y = 1e-310), as the float it stands for: the caller names the node where it is wanted,
    and drops it where it is not (a derivative toward y when only x is asked for)."""
    try:
        return derivative()
    except OverflowError:
        return math.nan


def _requires_grad(x):
    """Whether x is a Value that requires grad (a float is a constant)."""
    return isinstance(x, Value) and x.requires_grad


def as_float(x):
    """The number in x: its data if it is a Value."""
    return x.data if isinstance(x, Value) else x


def local_derivatives_as_values(node, wanted=None):
    """∂node/∂parent for each parent, as Values (or floats, where the table gives a constant),
    from the same table entry as the first-order `local_derivatives`.

    A derivative toward a parent that is not wanted is 0.0 and is not checked, as first order
    checks no term into a constant: `wanted` is the set of nodes whose gradients are asked
    for, and those on a path to them; None: every node that requires grad (backward). A
    wanted derivative that is not finite raises `_NonFinite` (gradients_as_values words it)."""
    takes = [parent.requires_grad if wanted is None else parent in wanted for parent in node.parents]
    if not any(takes):  # nothing flows on from here: no derivative to compute, nor to fail
        return (0.0,) * len(node.parents)
    op = OPS[node.op]
    args = (tuple(node.parents),) if op.variadic else node.parents
    try:
        ds = op.derivatives(values, node, *args, **(node.consts or {}))
    except (ArithmeticError, ValueError) as error:  # a node of the derivative left its domain
        raise _not_recordable(node, takes, error) from None
    ds = tuple(d if take else 0.0 for d, take in zip(ds, takes))
    if op.piecewise_constant:  # its mask stays a node of the graph: relu'' = 0, as torch's
        ds = tuple(0.0 * node + d if take else d for d, take in zip(ds, takes))
    for k, d in enumerate(ds):
        if not isinstance(d, Value) and not math.isfinite(d):
            raise _NonFinite(node, k)
    return ds


class _NonFinite(Exception):
    """The derivative at `node` toward its parent number k is not finite (or, where the table's
    number is, its own slope is not): raised inside the walk, worded with the walk's ∂C/∂z."""

    def __init__(self, node, k):
        super().__init__(node, k)
        self.node, self.k = node, k

    def error(self, root, seed):
        """first order's FloatingPointError for this term: the node, the input, the numbers."""
        node, parent = self.node, self.node.parents[self.k]
        d, why = _first_order_derivative_and_why(node, self.k)
        if why:  # first order cannot even compute it (1/(2√x) at x = 0): say why, not "nan"
            g = _first_order_gradient(root, seed, node)
            return FloatingPointError(
                f"backward (create_graph): non-finite gradient at node {node_name(node)}"
                f"{into_input(node, parent, self.k)}: ∂C/∂z = {g:.6g} times a local derivative that is not "
                f"finite ({why}); inputs: {shown_inputs(node.parents)}")
        if not math.isfinite(d):
            g = _first_order_gradient(root, seed, node)
            said = str(non_finite(node, parent, g, d, self.k)).removeprefix("backward: ")
            return FloatingPointError(f"backward (create_graph): {said}")
        return FloatingPointError(
            f"backward (create_graph): the local derivative at node {node_name(node)}"
            f"{into_input(node, parent, self.k)} is {d:.6g}, but its own derivative there is infinite, "
            f"so it cannot be recorded to be differentiated again; inputs: {shown_inputs(node.parents)}")


def _first_order_derivative(node, k):
    """The table's number for ∂node/∂parent k, as first order computes it (nan if it fails)."""
    return _first_order_derivative_and_why(node, k)[0]


def _first_order_derivative_and_why(node, k):
    """(the table's number for ∂node/∂parent k, ""), or (nan, Python's reason) where first order
    fails to compute it: an infinite derivative (0.5 / √x at x = 0) raises rather than give a number."""
    try:
        return local_derivatives(node)[k], ""
    except FloatingPointError as error:
        return math.nan, str(error.__context__ or error)  # Python's words: "float division by zero"


def _first_order_gradient(root, seed, node):
    """∂C/∂node as first order computes it: the same numbers the recorded pass multiplies. The
    walk takes no local derivative from node on: ∂C/∂node is complete when it reaches node,
    whose own derivatives are the ones that failed (nan only if an earlier node fails)."""
    reached = False

    def derivatives(n):
        nonlocal reached
        reached = reached or n is node
        return (0.0,) * len(n.parents) if reached else local_derivatives(n)

    try:
        return backpropagate(root, as_float(seed), derivatives).get(node, math.nan)
    except FloatingPointError:
        return math.nan


def _not_recordable(node, takes, error):
    """The error for a table entry whose derivatives, as nodes, leave an op's domain: the
    first wanted one that first order finds not finite, else the op's own complaint."""
    for k, take in enumerate(takes):
        if take and not math.isfinite(_first_order_derivative(node, k)):
            return _NonFinite(node, k)
    return FloatingPointError(f"backward (create_graph): the local derivatives at node {node_name(node)} "
                              f"cannot be recorded as nodes ({error}); inputs: {shown_inputs(node.parents)}")


def gradients_as_values(root, seed=1.0, inputs=None):
    """{node: ∂root/∂node as a Value} for every ancestor of root: the engine's one chain-rule
    walker (`backpropagate`) with local derivatives that are Values, so that every

        ∂root/∂parent += ∂root/∂node · ∂node/∂parent

    is recorded as nodes. A gradient the table gives as a plain number (∂(x + y)/∂x = 1)
    becomes a constant, as in PyTorch: it has no graph, so its own gradient is 0.

    With `inputs`, only the gradients on a path to one of them are recorded and checked (as
    torch computes only the paths to the inputs asked for): a node elsewhere gets 0. Without,
    every node that requires grad (what backward writes into `.grad`).
    """
    wanted = None if inputs is None else reaching(topological_order(root, leaves=False), inputs)
    visiting = [root]

    def derivatives(node):
        visiting[0] = node
        return local_derivatives_as_values(node, wanted)

    try:
        grads = backpropagate(root, seed, derivatives)
    except _NonFinite as term:
        raise term.error(root, seed) from None
    except (OverflowError, ValueError) as error:  # a product or sum of the recorded pass is not finite
        raise FloatingPointError(f"backward (create_graph): non-finite gradient at node {node_name(visiting[0])}: "
                                 f"a term ∂C/∂z · ∂z/∂x, or their sum, is not a finite float ({error})") from None
    for node, g in grads.items():
        if (wanted is None or node in wanted) and not isinstance(g, Value) and not math.isfinite(g):
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
    if node.grad is None or (type(node.grad) is float and node.grad == 0.0):  # None: no gradient yet, as torch
        return g
    try:
        return node.grad + g
    except OverflowError:  # the + node refuses an inf result
        old = as_float(node.grad)
        raise FloatingPointError(
            f"backward (create_graph): the accumulated .grad at node {node_name(node)} would be "
            f"{old + g.data} ({old:.6g} + {g.data:.6g}); no .grad was changed (reset them with zero_grad())") from None


def grad_as_values(output, inputs, seed=1.0):
    """[∂(seed · output)/∂input as a Value for each input, or None for an input that output does
    not depend on]: what `autograd.grad(..., create_graph=True)` computes. Only the paths to
    the inputs are recorded and checked."""
    with enable_grad():
        grads = gradients_as_values(output, seed, inputs)
    return [grads.get(x) for x in inputs]


def is_one_number(inputs):
    """Whether `inputs` is one number rather than a list of them (a Value, a 0-d array; a str,
    so that its error is a number's), as torch.autograd.functional takes one 0-d tensor."""
    return isinstance(inputs, (numbers.Real, np.generic, Value, str)) or getattr(inputs, "ndim", None) == 0


def as_point(inputs, what, name="inputs"):
    """(list of the entries, whether `inputs` was one number): a list's shape comes back as a list."""
    if is_one_number(inputs):
        return [inputs], True
    if isinstance(inputs, (dict, set, frozenset)):  # list() of it is its keys, or an order of its own
        hint = " (gradcheck takes a dict; here give its values as a list)" if isinstance(inputs, dict) else ""
        raise TypeError(f"{what}: {name} must be a number or a list of numbers, in the order f takes "
                        f"them, got {type(inputs).__name__} {inputs!r:.40}{hint}")
    try:
        return list(inputs), False
    except TypeError:
        raise TypeError(f"{what}: {name} must be a number or a list of numbers, got "
                        f"{type(inputs).__name__} {inputs!r:.40}") from None


def leaves_at(inputs, what):
    """Fresh leaf Values at the numbers `inputs` (or at the data of Values), labelled x0, x1, ...
    unless they carry a label: the point where a function's derivatives are taken. A bad number
    is named as `what`'s input (`hessian input 0`), not as a bare Value."""
    return [Value(as_number(as_float(x), f"{what} input {i}"), label=getattr(x, "label", "") or f"x{i}")
            for i, x in enumerate(inputs)]


def require_function(f, what):
    """f itself, or a TypeError naming `what` where f cannot be called."""
    if not callable(f):
        raise TypeError(f"{what}: f must be a function of the inputs returning a Value, got "
                        f"{type(f).__name__} {f!r:.40}")
    return f


def require_takes(f, count, what):
    """A TypeError naming `what` where f cannot take `count` positional inputs (one Value per
    number of the point), rather than Python's bare "missing 1 required positional argument"."""
    try:
        signature = inspect.signature(f)
    except (TypeError, ValueError):  # a builtin that does not say: let the call judge
        return
    try:
        signature.bind(*range(count))
    except TypeError as error:
        raise TypeError(f"{what}: f is called with one Value per input, {count} here; it takes "
                        f"{signature} ({error})") from None


def _leaves(f, inputs, what):
    """Fresh leaf Values at the numbers `inputs`, and f of them (which must be a Value)."""
    require_function(f, what)
    xs = leaves_at(inputs, what)
    if not xs:
        raise ValueError(f"{what}: inputs is empty; give at least one number")
    require_takes(f, len(xs), what)
    out = f(*xs)
    if not isinstance(out, Value):
        raise TypeError(f"{what}: f must return one Value (a scalar function), got {type(out).__name__}")
    return xs, out


def _first_as_values(out, xs):
    """∇f as Values, a constant 0 where f does not depend on an input."""
    return [Value(0.0, requires_grad=False) if g is None else g for g in grad_as_values(out, xs)]


@enable_grad()  # f's graph and the recorded pass, whatever the caller's mode
def hessian(f, inputs):
    """The matrix H_ij = ∂²f/∂x_i∂x_j at the point `inputs` (numbers, or Values whose data is
    used), as a list of rows of floats: reverse mode over reverse mode, one backward pass
    recorded as a graph, then one first-order backward pass per row. At one number (not a
    list) it is the float f''(x), as torch.autograd.functional.hessian of a 0-d tensor."""
    point, one = as_point(inputs, "hessian")
    xs, out = _leaves(f, point, "hessian")
    rows = [gradients_list(g_i, xs) for g_i in _first_as_values(out, xs)]
    return rows[0][0] if one else rows


@enable_grad()  # f's graph, the recorded pass and ∇f · v, whatever the caller's mode
def hvp(f, inputs, v):
    """The Hessian-vector product H v at the point `inputs`, without forming H: the gradient
    of ∇f · v, so two backward passes whatever the number of inputs:  (H v)_i = ∂(Σ_j ∂f/∂x_j v_j)/∂x_i.
    A list of floats; at one number (and v one number) the float f''(x) v."""
    point, one = as_point(inputs, "hvp")
    xs, out = _leaves(f, point, "hvp")
    v, _ = as_point(v, "hvp", "v")
    v = [as_number(as_float(vj), f"hvp v[{j}]") for j, vj in enumerate(v)]
    if len(v) != len(xs):
        raise ValueError(f"hvp: v has {len(v)} entries for {len(xs)} inputs; they must match")
    first = _first_as_values(out, xs)
    directional = first[0] * v[0]
    for g_j, v_j in zip(first[1:], v[1:]):
        directional = directional + g_j * v_j
    hv = gradients_list(directional, xs)
    return hv[0] if one else hv


def gradients_list(output, inputs):
    """[∂output/∂input as a float for each input], from the first-order engine (which checks
    only the paths to the inputs)."""
    grads = gradients(output, inputs=inputs)
    return [grads.get(x, 0.0) for x in inputs]
