"""The scalar engine: a `Value` records each op into a graph, and backward applies the chain rule.

    ∂C/∂x = Σ over every consumer z of x:  ∂C/∂z · ∂z/∂x

The local derivatives ∂z/∂x come from the table in `autograd.ops`; a node keeps only its
inputs (`parents`) and the op's constants, never a closure, so a graph holds no reference
cycles and is freed by reference counting the moment it is dropped.
"""

import gc
import math
import numbers
import operator
from contextlib import contextmanager

from .backends import scalar
from .checks import as_number, checked_arguments
from .messages import describe, node_name, non_finite, unknown_op
from .ops import OPS

_recording = True


@contextmanager
def no_grad():
    """Within this block ops record no parents: results are leaves (inference, no graph)."""
    global _recording
    previous, _recording = _recording, False
    try:
        yield
    finally:
        _recording = previous


_number = as_number  # the one check of a public number (autograd.checks), by its old name


class Value:
    """One scalar in a computation graph.

    data     the number (a finite float)
    grad     ∂(output)/∂(this node), accumulated by `backward()`; 0.0 until then
    label    a name for pictures and error messages, e.g. "w1", "z(2)_1"
    op       the op that made this node ("+", "*", "tanh", "dot", ...), "" for a leaf
    parents  the op's inputs, in argument order
    """

    __slots__ = ("data", "grad", "label", "op", "parents", "consts", "__weakref__")

    def __init__(self, data, label=""):
        if not isinstance(label, str):
            raise TypeError(f"Value label: expected str, got {type(label).__name__}")
        self.data = _number(data, f"Value({label!r})" if label else "Value")
        self.grad = 0.0
        self.label = label
        self.op = ""
        self.parents = ()
        self.consts = None

    def __repr__(self):
        label = f", label={self.label!r}" if self.label else ""
        op = f", op={self.op!r}" if self.op else ""
        return f"Value(data={self.data:.6g}, grad={self.grad:.6g}{label}{op})"

    def __float__(self):
        return self.data

    def __format__(self, spec):
        """f"{loss:.4f}" formats the data, as for a PyTorch scalar; f"{loss}" is the repr."""
        return format(self.data, spec) if spec else repr(self)

    # --- comparisons: of the data, as plain bools. Not differentiable, so not graph ops; ----
    # --- == stays identity, so that Values are dict keys (the gradients are kept in one). ---
    def __lt__(self, other): return _compared(self, other, operator.lt)
    def __le__(self, other): return _compared(self, other, operator.le)
    def __gt__(self, other): return _compared(self, other, operator.gt)
    def __ge__(self, other): return _compared(self, other, operator.ge)

    # --- arithmetic: each line records one node of the table ----------------------------
    def __add__(self, other):      return record("+", self, as_value(other))
    def __radd__(self, other):     return record("+", as_value(other), self)
    def __sub__(self, other):      return record("-", self, as_value(other))
    def __rsub__(self, other):     return record("-", as_value(other), self)
    def __mul__(self, other):      return record("*", self, as_value(other))
    def __rmul__(self, other):     return record("*", as_value(other), self)
    def __truediv__(self, other):  return record("/", self, as_value(other))
    def __rtruediv__(self, other): return record("/", as_value(other), self)
    def __neg__(self):             return record("neg", self)
    def __pos__(self):             return self
    def __abs__(self):             return record("abs", self)

    def __pow__(self, exponent):
        if isinstance(exponent, Value):
            return record("**", self, exponent)
        return record("**k", self, k=_number(exponent, "exponent of **"))

    def __rpow__(self, base):
        return record("c**y", self, c=_number(base, "base of **"))

    # --- functions and activations ----------------------------------------------------
    def exp(self):     return record("exp", self)
    def log(self):     return record("log", self)
    def sqrt(self):    return record("sqrt", self)
    def tanh(self):    return record("tanh", self)
    def sigmoid(self): return record("sigmoid", self)
    def relu(self):    return record("relu", self)

    def step(self, threshold=0.0):
        """The perceptron's activation: 1 if x >= threshold else 0. Its gradient is 0 everywhere."""
        return record("step", self, threshold=_number(threshold, "step threshold"))

    # --- backward ---------------------------------------------------------------------
    def backward(self):
        """Seed ∂self/∂self = 1 and add ∂self/∂node into `node.grad` for every ancestor.

        Like PyTorch, gradients ACCUMULATE across calls (and across graphs sharing leaves):
        reset with `autograd.zero_grad(root)`, `model.zero_grad()` or an optimizer's
        `zero_grad()`. Each call computes its own gradients in full, then adds each node's
        total once, so a second call adds exactly the same amounts again. If a gradient
        stops being finite, FloatingPointError names the node where it happened and no
        `.grad` is changed.
        """
        for node, g in gradients(self).items():
            node.grad += g


def _compared(value, other, compare):
    if isinstance(other, Value):
        return compare(value.data, other.data)
    if isinstance(other, numbers.Real):
        return bool(compare(value.data, other))  # exact, also for ints beyond the float range
    return NotImplemented  # Python then raises a TypeError naming both types


def all_values(xs):
    """True when every item is a Value (the loop runs in C: it is on every n-ary op's path)."""
    return all(map(Value.__instancecheck__, xs))


def all_finite_floats(xs):
    """True when every item is a finite float (in C: it runs on every `dot` of data).

    A sum of finite floats that overflows answers False; callers then check item by item.
    """
    return set(map(type, xs)) == {float} and math.isfinite(sum(xs))  # inf and nan propagate


def as_value(x):
    """x itself if it is a Value, else a new leaf holding the number x."""
    return x if isinstance(x, Value) else Value(x)


def apply(op_name, *inputs, **consts):
    """Make the node `op(inputs)`; plain numbers among the inputs become leaf Values.

    Inputs are passed in order, an op's constants (the k of "**k") by keyword; both are
    checked as the op's table entry declares them.
    """
    op = OPS.get(op_name) or unknown_op(op_name)
    consts = checked_arguments(op, inputs, consts)
    if not all_values(inputs):
        inputs = tuple(map(as_value, inputs))
    return make_node(op, inputs, consts)


def record(op_name, *inputs, **consts):
    """Make the node `op(inputs)` from Values: check the op's domain, compute, record its parents."""
    return make_node(OPS.get(op_name) or unknown_op(op_name), inputs, consts)


def make_node(op, inputs, consts):
    """`record` for callers that already hold the op and a tuple of input Values (the n-ary
    functions: spreading a long tuple into `*inputs` costs as much as the sum itself)."""
    args = _arguments(op, inputs)
    for rule in op.domain:
        if not rule.holds(scalar, *args, **consts):
            raise rule.error(describe(op.name, rule.says, inputs, consts))
    try:
        if len(args) == 2 and not consts:  # a binary op, the commonest node: skip the star-call
            out = op.forward(scalar, args[0], args[1])
        else:
            out = op.forward(scalar, *args, **consts)
    except OverflowError:  # float ** overflows by raising rather than by giving inf
        raise OverflowError(describe(op.name, "the result overflows a float", inputs, consts)) from None
    except ZeroDivisionError as error:
        raise ZeroDivisionError(describe(op.name, str(error), inputs, consts)) from None
    if not math.isfinite(out):
        raise OverflowError(describe(op.name, f"the result {out} is not a finite float", inputs, consts))

    node = Value.__new__(Value)
    node.data = out
    node.grad = 0.0
    node.label = ""
    if _recording:
        node.op, node.parents, node.consts = op.name, inputs, (consts or None)
    else:
        node.op, node.parents, node.consts = "", (), None
    return node


def local_derivatives(node):
    """∂node/∂parent for each parent, in the order of `node.parents` (from the op table);
    () for a leaf."""
    parents = node.parents
    if not parents:
        return ()
    op = OPS[node.op]
    try:
        if len(parents) == 2 and not (node.consts or op.variadic):  # as in make_node
            return op.derivatives(scalar, node.data, parents[0].data, parents[1].data)
        return op.derivatives(scalar, node.data, *_arguments(op, parents), **(node.consts or {}))
    except (ArithmeticError, ValueError) as error:  # Python's way of saying "infinite" here
        raise FloatingPointError(f"backward: the local derivative at node {node_name(node)} is not "
                                 f"finite ({error}); inputs {[p.data for p in parents][:6]}") from None


def _arguments(op, inputs):
    """What the table's functions take after M: the inputs' numbers, or for an n-ary op one
    tuple of them. Binary ops, most nodes, skip the comprehension (it costs more than the
    arithmetic it feeds)."""
    if op.variadic:
        return (tuple([x.data for x in inputs]),)
    if len(inputs) == 2:
        return (inputs[0].data, inputs[1].data)
    return tuple([x.data for x in inputs])


_PARENTS_DONE = object()  # on the stack of topological_order, above a node whose parents come first


def topological_order(root, leaves=True):
    """Every ancestor of `root` (root last), each after all of its parents. Iterative.

    Parents are visited in argument order, so the order is deterministic. With
    `leaves=False` only op nodes are listed: that is all backward needs to schedule.
    """
    if not (root.parents or leaves):
        return []
    order, visited = [], set()
    stack = [root]
    while stack:
        node = stack.pop()
        if node is _PARENTS_DONE:  # the node under the marker has all its parents in order now
            order.append(stack.pop())
        elif node not in visited:  # first visit: come back to it after its parents
            visited.add(node)
            stack.append(node)
            stack.append(_PARENTS_DONE)
            for parent in reversed(node.parents):  # reversed: the first parent is popped first
                if parent.parents and parent not in visited:
                    stack.append(parent)
            if leaves:
                for parent in node.parents:
                    if not parent.parents and parent not in visited:
                        visited.add(parent)  # a leaf has no parents to wait for
                        order.append(parent)
    return order


def gradients(root):
    """{node: ∂root/∂node} for every ancestor of root, touching no `.grad`.

    Op nodes are visited in reverse topological order, so a node's gradient is complete
    (every consumer has added its term) before it is passed on to its parents:
        ∂root/∂parent += ∂root/∂node · ∂node/∂parent
    """
    with _collector_paused():
        order = topological_order(root, leaves=False)
        grads = {root: 1.0}
        so_far = grads.get
        for node in reversed(order):
            g = grads[node]
            for parent, d in zip(node.parents, local_derivatives(node)):
                grads[parent] = so_far(parent, 0.0) + g * d
    if not math.isfinite(sum(grads.values())):
        _raise_at_first_non_finite(order, root)
    return grads


@contextmanager
def _collector_paused():
    """Backward creates no reference cycles, so the cyclic garbage collector has nothing to
    find; left on, it re-scans the whole (large, live) graph many times over."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _raise_at_first_non_finite(order, root):
    """Replay the chain rule with checks, to name the node where a gradient stopped being finite."""
    grads = {root: 1.0}
    for node in reversed(order):
        g = grads[node]
        if not math.isfinite(g):
            raise FloatingPointError(f"backward: the gradient at node {node_name(node)} summed to {g}")
        for parent, d in zip(node.parents, local_derivatives(node)):
            if not math.isfinite(g * d):
                raise non_finite(node, parent, g, d)
            grads[parent] = grads.get(parent, 0.0) + g * d
    for node, g in grads.items():
        if not math.isfinite(g):  # finite terms whose sum overflowed
            raise FloatingPointError(f"backward: the gradient at node {node_name(node)} summed to {g}")


def zero_grad(root):
    """Set `.grad = 0.0` on root and every ancestor."""
    for node in topological_order(root):
        node.grad = 0.0
