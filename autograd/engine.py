"""The scalar engine: a `Value` records each op into a graph, and backward applies the chain rule.

    ∂C/∂x = Σ over every consumer z of x:  ∂C/∂z · ∂z/∂x

The local derivatives ∂z/∂x come from the table in `autograd.ops`; a node keeps only its
inputs (`parents`) and the op's constants (`consts`), never a closure, so a graph holds no
reference cycles and is freed by reference counting the moment it is dropped.

This module holds Value, the one way to make a node (`apply`, and `_make` behind it), the
topological order and the one chain-rule walker (`backpropagate`), which `gradients`, its
non-finite diagnosis and `chain_rule` (the steps viz shows) all use. The speed tricks that the benchmark
justifies live together in one marked section at the end.
"""

import gc
import math
import numbers
import operator
import sys
from contextlib import contextmanager
from contextvars import ContextVar

from .backends import scalar
from .checks import all_finite_floats, as_flag, as_number, checked_arguments, foreign_value  # noqa: F401 (nn.data reads it here)
from .grad_mode import _enabled as _grad_enabled
from .messages import describe, node_name, non_finite, non_finite_sum, shown_inputs, unknown_op
from .ops import OPS

_number = as_number  # the one check of a public number (autograd.checks), under its old name


class Value:
    """One scalar in a computation graph.

    data           the number (a finite float)
    grad           ∂(output)/∂(this node), accumulated by `backward()`; 0.0 until then
    label          a name for pictures and error messages, e.g. "w1", "z(2)_1"
    op             the op that made this node ("+", "*", "tanh", "dot", ...), "" for a leaf
    parents        the op's inputs, in argument order (read them by group with
                   `autograd.ops.input_groups(node)`)
    consts         the op's constants, e.g. {"k": 2.0} for x ** 2; None when it has none
    saved          for an n-ary op (dot, sum, softmax, logsumexp), its inputs' numbers as it
                   read them, one tuple, kept for backward's local derivatives as PyTorch
                   keeps saved tensors; None for every other node
    requires_grad  False for a leaf that backward leaves alone: a plain number that an
                   expression made into a leaf (the 2 of `x * 2`), `.detach()`, and every
                   result computed under `no_grad()`, as in PyTorch
    """

    # No __weakref__: a ninth slot puts a node in the next allocator size class, and the cyclic
    # collector's passes over a large live graph (most of a 1,000,000-node chain's build) slow by 10%.
    __slots__ = ("data", "grad", "label", "op", "parents", "consts", "saved", "requires_grad")

    def __init__(self, data, label="", *, requires_grad=True):
        if not isinstance(label, str):
            raise TypeError(f"Value label: expected str, got {type(label).__name__}")
        self.data = as_number(data, f"Value({label!r})" if label else "Value")
        self.grad = 0.0
        self.label = label
        self.op = ""
        self.parents = ()
        self.consts = None
        self.saved = None
        self.requires_grad = requires_grad if type(requires_grad) is bool else as_flag(requires_grad, "Value requires_grad")

    def __repr__(self):
        """Every digit, as Python prints a float (and micrograd a Value): two Values that print
        alike hold the same number, and 1.0 does not read as the integer 1."""
        label = f", label={self.label!r}" if self.label else ""
        op = f", op={self.op!r}" if self.op else ""
        return f"Value(data={self.data!r}, grad={self.grad!r}{label}{op})"

    def __float__(self):
        _taken_out(self)
        return self.data

    def __bool__(self):
        """Always True, even for data 0.0 (PyTorch gives False): a Value is a node of a graph,
        and == compares nodes by identity, so `if v:` asks whether there is a node, never
        what it holds. Test the number itself: `if v.data:` or `if v.item():`."""
        return True

    def __format__(self, spec):
        """f"{loss:.4f}" formats the data, as for a PyTorch scalar; f"{loss}" is the repr."""
        return format(self.data, spec) if spec else repr(self)

    def item(self):
        """The data as a plain float, as PyTorch's `tensor.item()`."""
        _taken_out(self)
        return self.data

    def detach(self):
        """A new leaf with the same data (and label), outside the graph: backward through the
        result stops here, and the leaf itself gets no gradient (as PyTorch's `detach()`)."""
        return Value(self.data, self.label, requires_grad=False)

    # --- comparisons: of the data, as plain bools. Not differentiable, so not graph ops; ----
    # --- == stays identity, so that Values are dict keys (the gradients are kept in one). ---
    def __lt__(self, other): return _compared(self, other, operator.lt)
    def __le__(self, other): return _compared(self, other, operator.le)
    def __gt__(self, other): return _compared(self, other, operator.gt)
    def __ge__(self, other): return _compared(self, other, operator.ge)

    # --- arithmetic: each line records one node of the table ----------------------------
    def __add__(self, other):      return _make(OPS["+"], (self, as_value(other)))
    def __radd__(self, other):     return _make(OPS["+"], (as_value(other), self))
    def __sub__(self, other):      return _make(OPS["-"], (self, as_value(other)))
    def __rsub__(self, other):     return _make(OPS["-"], (as_value(other), self))
    def __mul__(self, other):      return _make(OPS["*"], (self, as_value(other)))
    def __rmul__(self, other):     return _make(OPS["*"], (as_value(other), self))
    def __truediv__(self, other):  return _make(OPS["/"], (self, as_value(other)))
    def __rtruediv__(self, other): return _make(OPS["/"], (as_value(other), self))
    def __neg__(self):             return _make(OPS["neg"], (self,))
    def __pos__(self):             return self
    def __abs__(self):             return _make(OPS["abs"], (self,))
    abs = __abs__  # torch's tensor.abs()

    # --- in place: PyTorch's update `p -= lr * p.grad` under no_grad() changes the leaf p -----
    def __iadd__(self, other):     return _in_place(self, Value.__add__, other)
    def __isub__(self, other):     return _in_place(self, Value.__sub__, other)
    def __imul__(self, other):     return _in_place(self, Value.__mul__, other)
    def __itruediv__(self, other): return _in_place(self, Value.__truediv__, other)

    def __pow__(self, exponent):
        if isinstance(exponent, Value):
            return _make(OPS["**"], (self, exponent))
        return _make(OPS["**k"], (self,), {"k": as_number(exponent, "exponent of **")})

    def __rpow__(self, base):
        return _make(OPS["c**y"], (self,), {"c": as_number(base, "base of **")})

    # --- functions and activations ----------------------------------------------------
    def exp(self):     return _make(OPS["exp"], (self,))
    def log(self):     return _make(OPS["log"], (self,))
    def sqrt(self):    return _make(OPS["sqrt"], (self,))
    def tanh(self):    return _make(OPS["tanh"], (self,))
    def sigmoid(self): return _make(OPS["sigmoid"], (self,))
    def relu(self):    return _make(OPS["relu"], (self,))

    # --- trigonometric, hyperbolic, logarithms in other bases, max and min -------------
    def sin(self):   return _make(OPS["sin"], (self,))
    def cos(self):   return _make(OPS["cos"], (self,))
    def tan(self):   return _make(OPS["tan"], (self,))
    def asin(self):  return _make(OPS["asin"], (self,))
    def acos(self):  return _make(OPS["acos"], (self,))
    def atan(self):  return _make(OPS["atan"], (self,))
    def sinh(self):  return _make(OPS["sinh"], (self,))
    def cosh(self):  return _make(OPS["cosh"], (self,))
    def asinh(self): return _make(OPS["asinh"], (self,))
    def acosh(self): return _make(OPS["acosh"], (self,))
    def atanh(self): return _make(OPS["atanh"], (self,))
    def log1p(self): return _make(OPS["log1p"], (self,))
    def expm1(self): return _make(OPS["expm1"], (self,))
    def log2(self):  return _make(OPS["log2"], (self,))
    def log10(self): return _make(OPS["log10"], (self,))

    def maximum(self, other):
        """max(self, other) as a node; at a tie each gets half the gradient, as torch.maximum."""
        return _make(OPS["maximum"], (self, as_value(other)))

    def minimum(self, other):
        """min(self, other) as a node; at a tie each gets half the gradient, as torch.minimum."""
        return _make(OPS["minimum"], (self, as_value(other)))

    def step(self, threshold=0.0):
        """The perceptron's activation: 1 if x >= threshold else 0. Its gradient is 0 everywhere."""
        return _make(OPS["step"], (self,), {"threshold": as_number(threshold, "step threshold")})

    # --- micrograd's names, so that its drawing code and its lecture's steps run as written ---
    @property
    def _prev(self):
        return set(self.parents)

    @property
    def _op(self):
        """The op as micrograd names it: `**2` (the exponent in the name), `ReLU`; else `op`."""
        if self.op == "**k":
            return f"**{self.consts['k']:g}"
        return "ReLU" if self.op == "relu" else self.op

    def _backward(self):
        """micrograd's one step of backprop, to step it by hand as its lecture does (o.grad = 1.0;
        o._backward(); n._backward(); ...): each parent that requires grad gets
        self.grad · ∂self/∂parent added to its .grad, from the table; a leaf's does nothing.
        backward() takes every step in order, all or none; here a step is one node's, and a term
        that is not finite raises FloatingPointError naming it before any .grad changes."""
        g = self.grad
        terms = [(parent, g * d) for parent, d in zip(self.parents, local_derivatives(self))]
        for k, (parent, term) in enumerate(terms):
            if parent.requires_grad and not math.isfinite(term):
                raise non_finite(self, parent, g, local_derivatives(self)[k], k)
        for parent, term in terms:
            if parent.requires_grad:
                parent.grad = _old_grad(parent) + term

    # --- backward ---------------------------------------------------------------------
    def backward(self, gradient=None, create_graph=False, *, retain_graph=None):
        """Seed ∂C/∂self = `gradient` (1 if not given) and add ∂C/∂node into `node.grad` for
        every ancestor that requires grad.

        Like PyTorch, gradients ACCUMULATE across calls (and across graphs sharing leaves):
        reset with `autograd.zero_grad(root)`, `model.zero_grad()` or an optimizer's
        `zero_grad()`. Each call computes its own gradients in full, then adds each node's
        total once, so a second call adds exactly the same amounts again. If a gradient,
        or a `.grad` it is added to, stops being finite, FloatingPointError names the node
        where it happened and no `.grad` is changed. `gradient` may be a Value: its number
        seeds first order, as PyTorch takes a tensor.

        With create_graph=True the backward pass is itself recorded (`autograd.higher`): each
        `.grad` becomes a Value, a node of that graph, which can be differentiated again, and
        `gradient` may be a Value too. As in PyTorch, zero the gradients before a first-order
        step reads them as numbers.

        retain_graph (True, False or None) is taken for PyTorch's sake and changes nothing: a
        graph is never freed by backward, only by dropping it, so backward may run on it again.
        """
        require_graph(self, "backward")
        if retain_graph is not None:
            as_flag(retain_graph, "backward retain_graph")
        if as_flag(create_graph, "backward create_graph"):
            from .higher import accumulate_as_values  # only here: the first-order path stays as it is
            return accumulate_as_values(self, 1.0 if gradient is None else gradient)
        if isinstance(gradient, Value):
            gradient = gradient.data
        seed = 1.0 if gradient is None else as_number(gradient, "backward gradient")
        with _collector_paused():
            grads = backpropagate(self, seed)
        add_to_grads(grads, lambda: _raise_at_first_non_finite(self, seed, None))


def require_graph(output, what):
    """RuntimeError unless `output` requires grad (has a graph to differentiate), as PyTorch."""
    if not output.requires_grad:
        raise RuntimeError(
            f"{what}: {node_name(output)} does not require grad, so there is no graph to "
            f"differentiate: it was computed under autograd.no_grad(), or it is detached or a "
            f"constant (PyTorch: element 0 of tensors does not require grad)")


def _in_place(value, op, other):
    """value op= other. Under no_grad(), on a leaf (a parameter, a constant), as in PyTorch:
    the leaf's own data becomes the result, checked as the op checks it, so a training loop's
    `p -= lr * p.grad` updates the model. Anywhere else (grad mode on, or an op node, which is
    part of a graph) a new node, as `value = value op other` gives: `total += loss` builds the
    sum's graph."""
    result = op(value, other)
    if value.parents or _grad_enabled.get():
        if not value.parents and value.requires_grad and _inside_torch_no_grad():
            raise RuntimeError(
                f"in-place update of the leaf {node_name(value)} under torch.no_grad(), which tracegrad does "
                f"not see: here it would make a new node and leave the leaf as it was, so a parameter "
                f"would never train. Use `with autograd.no_grad():` for tracegrad's Values")
        return result
    value.data = result.data
    return value


def _inside_torch_no_grad():
    """Whether PyTorch is loaded and its grad mode is off: code carried over from torch updates
    `p -= lr * p.grad` under torch.no_grad(), which is no mode of this engine's."""
    torch = sys.modules.get("torch")
    return torch is not None and callable(getattr(torch, "is_grad_enabled", None)) and not torch.is_grad_enabled()


def _compared(value, other, compare):
    if isinstance(other, Value):
        _taken_out(value, other)
        return compare(value.data, other.data)
    if isinstance(other, numbers.Real):
        _taken_out(value)
        return bool(compare(value.data, other))  # exact, also for ints beyond the float range
    return NotImplemented  # Python then raises a TypeError naming both types


# --- numbers taken out of the graph, watched while autograd.compile records one ----------

_watched = ContextVar("values_taken_out", default=None)  # a list, inside watching_numbers_taken_out()


@contextmanager
def watching_numbers_taken_out():
    """Yield a list of every Value whose number Python code takes out through the Value (a
    comparison `v > 0`, so also max(), min() and sorted(); float(v); v.item()) meanwhile.

    A recording replays one graph for every example: code that branches on such a number
    may build another graph for another example (autograd.compile refuses it). Reading
    `.data` itself is not seen."""
    taken = []
    token = _watched.set(taken)
    try:
        yield taken
    finally:
        _watched.reset(token)


def _taken_out(*values):
    taken = _watched.get()
    if taken is not None:
        taken.extend(values)


def as_value(x):
    """x itself if it is a Value, else a new constant leaf (requires_grad False) holding x."""
    return x if isinstance(x, Value) else Value(x, requires_grad=False)


# --- making a node ------------------------------------------------------------------------

def apply(op_name, *inputs, **consts):
    """Make the node `op(inputs)`: the public way to record any op of the table by name.

    Inputs are passed in order (plain numbers become constant leaves), an op's constants
    (the k of "**k") by keyword; both are checked as the op's table entry declares them.
    """
    if not isinstance(op_name, str):
        raise TypeError(f"apply: the op's name is a str such as 'tanh', got {type(op_name).__name__} {op_name!r:.40}")
    op = OPS.get(op_name) or unknown_op(op_name)
    consts = checked_arguments(op, inputs, consts)
    return _make(op, tuple(_input_value(op, k, x) for k, x in enumerate(inputs)), consts)


def _refuse_set_by_hand(op, inputs):
    """Before an op's error blames the op: an input whose .data is no finite float was set so
    by hand (p.data = float("inf"), p.data = "0.5"; the engine makes none), and is named as
    the culprit instead. Returns when every input holds a finite float."""
    for k, x in enumerate(inputs):
        which = f"input {k}" + (f" '{x.label}'" if x.label else "")
        if not isinstance(x.data, numbers.Real):
            raise TypeError(f"{op.name}: {which} holds {type(x.data).__name__} {x.data!r:.40}: its .data "
                            f"was set by hand to something that is no number")
        try:
            finite = math.isfinite(x.data)
        except OverflowError:  # an int beyond the float range
            raise ValueError(f"{op.name}: {which} holds an int too large for a float ({str(x.data)[:12]}..., "
                             f"{len(str(abs(x.data)))} digits): its .data was set by hand") from None
        if not finite:
            raise ValueError(f"{op.name}: {which} holds {x.data}: its .data was set by hand to a number "
                             f"that is not finite (the engine makes none); set it to a finite number, or "
                             f"reload the model")


def _input_value(op, k, x):
    """as_value(x), an error naming the op and the input: `xlogy: input 0: expected a real number`."""
    try:
        return as_value(x)
    except (TypeError, ValueError) as error:
        raise type(error)(f"{op.name}: input {k}: {error}") from None


def _make(op, inputs, consts=None):
    """The one way a node is made, from a tuple of Values and checked constants: check the
    op's domain, compute its data, and record its parents (unless grad mode is off). An
    n-ary op reads its inputs' numbers once, as one tuple, which the node keeps (`saved`)."""
    saved = _vector(inputs) if op.variadic else None
    try:
        for rule in op.domain:
            if not rule.holds(scalar, *_numbers(op, inputs, saved), **(consts or {})):
                raise rule.error(describe(op.name, rule.says, inputs, consts or {}, exact=True))
        try:
            out = _forward(op, inputs, consts, saved)
        except OverflowError:  # float ** overflows by raising rather than by giving inf
            raise OverflowError(describe(op.name, "the result overflows a float", inputs, consts or {})) from None
        except ZeroDivisionError as error:
            raise ZeroDivisionError(describe(op.name, str(error), inputs, consts or {})) from None
        if not math.isfinite(out):
            raise OverflowError(describe(op.name, f"the result {out} is not a finite float", inputs, consts or {}))
    except (ArithmeticError, ValueError, TypeError):  # first: an input whose .data was set by hand?
        _refuse_set_by_hand(op, inputs)
        raise
    node = Value.__new__(Value)  # Value.__init__ is for leaves: it would check `out` again
    node.data = out
    node.grad = 0.0
    node.label = ""
    if _grad_enabled.get() and (inputs[0].requires_grad or _any_requires_grad(inputs)):
        node.op = op.name
        node.parents = inputs
        node.consts = consts or None
        node.saved = saved
        node.requires_grad = True
    else:  # nothing to differentiate (no_grad, or constants alone): a constant leaf, as in PyTorch
        node.op = ""
        node.parents = ()
        node.consts = None
        node.saved = None
        node.requires_grad = False
    return node


# --- the order and the chain rule ---------------------------------------------------------

_PARENTS_DONE = object()  # on the stack of topological_order, above a node whose parents come first


def topological_order(root, leaves=True):
    """Every ancestor of `root` (root last), each after all of its parents. Iterative.

    Parents are visited in argument order, so the order is deterministic. With
    `leaves=False` only op nodes are listed: that is all backward needs to schedule.
    `root` may also be a list of roots: every node that feeds any of them, each once, the
    roots taken in the order given (one walk: outputs that share a network list it once).
    """
    roots = list(root) if isinstance(root, (list, tuple)) else [root]
    for each in roots:
        _check_root(each, "topological_order")
    order, visited = [], set()
    for each in roots:
        if each.parents or leaves:
            _walk_from(each, leaves, order, visited)
    return order


def _walk_from(root, leaves, order, visited):
    """Append to `order` every ancestor of root not yet `visited`, each after its parents."""
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


def backpropagate(root, gradient=1.0, derivatives=None, steps=None):
    """The chain rule on the graph of `root`: {node: ∂C/∂node} for every ancestor (C = root,
    seeded ∂C/∂C = gradient). The one walker: `gradients`, `chain_rule`, the non-finite
    diagnosis and viz's steps are all this loop.

    Op nodes are visited in reverse topological order, so a node's gradient is complete
    (every consumer has added its term) before it is passed on to its parents:

        ∂C/∂parent += ∂C/∂node · ∂node/∂parent

    Each parent's gradient is its first term, then + each later term, in the order of the
    walk; a second walk gives the same numbers bit for bit. The arithmetic is plain + and *,
    and `derivatives(node)` gives the local derivatives (by default `local_derivatives`, the
    table's on floats), so a walk whose numbers are Values (a gradient that is itself a
    graph) needs no other code. `steps`, if given, is a list that receives
    (node, ∂C/∂node, local derivatives) for each op node, in the order of the walk.
    """
    derivatives = derivatives or local_derivatives
    grads = {root: gradient}
    for node in reversed(topological_order(root, leaves=False)):
        g = grads[node]
        ds = derivatives(node)
        for parent, d in zip(node.parents, ds):
            so_far = grads.get(parent)
            grads[parent] = g * d if so_far is None else so_far + g * d
        if steps is not None:
            steps.append((node, g, ds))
    return grads


def chain_rule(root, gradient=1.0, derivatives=None):
    """Backward on the graph of `root` as a list of steps a reader can follow, with the
    engine's own numbers: (node, ∂C/∂node, terms), terms being one
    (parent, ∂node/∂parent, ∂C/∂node · ∂node/∂parent) per parent that requires grad, in the
    order of `node.parents`. The op nodes come in the order `backpropagate` visits them (each
    after every node that consumes it), then the leaves that require grad (terms ()), in the
    order the walk first reached them. A constant (requires_grad False: the 2 of x * 2) has
    neither step nor term, as backward gives it no .grad. Each node's ∂C/∂node is bit for bit
    what `gradients` gives."""
    _check_root(root, "chain_rule")
    gradient = _seed(gradient, "chain_rule", derivatives)
    steps = []
    grads = backpropagate(root, gradient, derivatives, steps)
    walked = [(node, g, tuple((p, d, g * d) for p, d in zip(node.parents, ds) if p.requires_grad))
              for node, g, ds in steps]
    leaves = [(node, g, ()) for node, g in grads.items() if not node.parents and node.requires_grad]
    return walked + leaves


def gradients(root, gradient=1.0, derivatives=None, inputs=None):
    """{node: ∂root/∂node} for every ancestor of root that requires grad, touching no
    `.grad` (a constant, requires_grad False, gets none, as backward gives it no .grad);
    `gradient` seeds ∂C/∂root (C = gradient · root). FloatingPointError names the node where
    a gradient stopped being finite. With `inputs` (the nodes whose gradients are wanted),
    only a gradient on a path to one of them is checked, as torch computes only those paths;
    a gradient elsewhere that is not finite is left out."""
    _check_root(root, "gradients")
    gradient = _seed(gradient, "gradients", derivatives)
    with _collector_paused():
        grads = backpropagate(root, gradient, derivatives)
    if not _all_finite(grads.values()):
        _raise_at_first_non_finite(root, gradient, derivatives, inputs)
        return {node: g for node, g in grads.items() if node.requires_grad and math.isfinite(g)}
    return {node: g for node, g in grads.items() if node.requires_grad}


def _raise_at_first_non_finite(root, gradient, derivatives, inputs=None):
    """Walk the chain rule again, checking every term, to name where a gradient stopped being finite.

    A term into a constant (a leaf that does not require grad, such as the y of x ** y held
    fixed at x < 0, where ∂z/∂y = x^y ln x is nan) is not checked: nothing reads it, and
    PyTorch computes none. With `inputs`, neither is a term into a node with no path to one
    of them (∂(x/y)/∂y at y = 1e-300 when only x is asked for). Returns when only such terms
    are not finite."""
    steps = []
    grads = backpropagate(root, gradient, derivatives, steps)
    if inputs is None:
        checked = {node for node in grads if node.requires_grad}
    else:
        checked = reaching(topological_order(root, leaves=False), inputs)
    for node, g, ds in steps:
        if node in checked and not math.isfinite(g):
            raise non_finite_sum(node, g)
        for k, (parent, d) in enumerate(zip(node.parents, ds)):
            if parent in checked and not math.isfinite(g * d):
                raise non_finite(node, parent, g, d, k)
    for node, g in grads.items():
        if node in checked and not math.isfinite(g):  # finite terms whose sum overflowed, at a leaf
            raise non_finite_sum(node, g)


def reaching(order, inputs):
    """The nodes of `order` (a topological order: each node after its parents) with a path
    from one of `inputs`, and the inputs: the nodes that depend on them, so the only ones
    whose gradients reach them (a gradient anywhere else is never read)."""
    found = set(inputs)
    for node in order:
        if node.parents and not found.isdisjoint(node.parents):
            found.add(node)
    return found


def add_to_grads(grads, explain=None):
    """node.grad += g for every {node: g} whose node requires grad, all or none.

    Every new `.grad` is made, and all are checked at once, before any is written. A finite
    `.grad` plus a gradient that is not finite is not finite, so this one check covers the
    gradients too: `explain()`, when given, names where a gradient stopped being finite
    (backward's chain rule); else, or when it returns, FloatingPointError names the node
    whose `.grad` would overflow. No `.grad` has changed then. A constant's gradient is
    neither written nor checked. (Also the compiled path's `program.backward`.)"""
    try:
        totals = [node.grad + g for node, g in grads.items()]
    except OverflowError:  # a .grad left a Value by backward(create_graph=True): its + refuses inf
        totals = None
    except TypeError:  # a .grad set by hand to None (torch's "no gradient yet") or to no number
        totals = [_old_grad(node) + g for node, g in grads.items()]
    if totals is None or not _all_finite(totals):
        if explain is not None and not _all_finite(grads.values()):
            explain()
        _raise_at_first_non_finite_total(grads)
    for node, total in zip(grads, totals):
        if node.requires_grad:
            node.grad = total


def _old_grad(node):
    """node.grad as backward adds to it: None is 0.0, as torch takes a .grad of None (set by
    hand, `p.grad = None`); anything else that is no number is a TypeError naming the node."""
    if node.grad is None:
        return 0.0
    if isinstance(node.grad, (numbers.Real, Value)) and not isinstance(node.grad, bool):
        return node.grad
    raise TypeError(f"backward: the .grad of {node_name(node)} is {type(node.grad).__name__} "
                    f"{node.grad!r:.40}, set by hand; a .grad is a number (0.0 after zero_grad()), or "
                    f"None for none yet")


def _raise_at_first_non_finite_total(grads):
    """Name the node whose `.grad` would not be finite, if one that requires grad is (a
    constant's `.grad` is not written); return when none is. A `.grad` may be a Value, left
    by backward(create_graph=True): its number is what is added."""
    for node, g in grads.items():
        old = _old_grad(node)
        old = old.data if isinstance(old, Value) else old
        total = old + g
        if node.requires_grad and not math.isfinite(total):  # nan fails it too
            raise FloatingPointError(
                f"backward: the accumulated .grad at node {node_name(node)} would be {total} "
                f"({old:.6g} + {g:.6g}); no .grad was changed (reset them with zero_grad())")


def zero_grad(root):
    """Set `.grad = 0.0` on root and every ancestor."""
    _check_root(root, "zero_grad")
    for node in topological_order(root):
        node.grad = 0.0


def _check_root(root, who):
    if not isinstance(root, Value):
        raise TypeError(f"{who}: expected the Value whose graph to walk, got {shown_object(root)}")


def shown_object(x):
    """What a message says it got instead of a Value: `float 3.0`, or for a micrograd Value
    that it is another engine's (its repr alone, `Value(data=1.0, grad=0)`, reads as ours)."""
    return foreign_value(x) or f"{type(x).__name__} {x!r:.40}"


def _seed(gradient, who, derivatives):
    """The seed ∂C/∂root as a checked number, a Value's number as backward takes it (a walk on
    Values, given its own `derivatives`, may seed the Value itself)."""
    if isinstance(gradient, Value):  # backward(gradient=g) takes a Value's number: so do these
        return gradient if derivatives is not None else gradient.data
    return as_number(gradient, f"{who} gradient")


# --- SPEED: the tricks bench/engine.py shows to pay (each >= 10% on a bench figure) -------
# Read the code above as if these were the plain one-liners their docstrings give.

def _numbers(op, inputs, saved=None):
    """The inputs' numbers as the table's functions take them after M: one per input, or
    for an n-ary op one tuple of them (`saved`, when the node has read them already). Plainly
    tuple(x.data for x in inputs); a comprehension costs ten times a one-input op's
    arithmetic, so one and two inputs are spelled out."""
    if op.variadic:
        return (_vector(inputs) if saved is None else saved,)
    if len(inputs) == 1:
        return (inputs[0].data,)
    if len(inputs) == 2:
        return (inputs[0].data, inputs[1].data)
    return _vector(inputs)


def _vector(inputs):
    """An n-ary op's one vector of numbers. Kept in the node (`Value.saved`): gathering the
    2n + 1 numbers of a dot node again in backward was 9% of the backward of the 64-32-10 MLP
    of dot nodes (bench/engine.py against 2abb832: 1.08x that engine's time, now 0.96x). A
    binary op's two numbers are not kept: their tuple would cost 56 bytes a node for nothing."""
    return tuple([x.data for x in inputs])


def _forward(op, inputs, consts, saved=None):
    """op.forward(M, *_numbers(op, inputs, saved), **consts). The star-call (and the comprehension
    behind it) costs more than a binary op's arithmetic, so one and two inputs without
    constants, most nodes, call the table directly. With local_derivatives' same shortcut:
    23% of the per-sample time of the MLP built from * and + nodes (bench/engine.py)."""
    if consts is None and not op.variadic:
        if len(inputs) == 2:
            return op.forward(scalar, inputs[0].data, inputs[1].data)
        if len(inputs) == 1:
            return op.forward(scalar, inputs[0].data)
    return op.forward(scalar, *_numbers(op, inputs, saved), **(consts or {}))


def local_derivatives(node):
    """∂node/∂parent for each parent, in the order of `node.parents` (from the op table);
    () for a leaf. Plainly: OPS[node.op].derivatives(M, node.data, *parents' numbers,
    **node.consts), with the same shortcut as _forward (it runs once per node in backward);
    an n-ary node's numbers are the ones it saved."""
    parents = node.parents
    if not parents:
        return ()
    op = OPS[node.op]
    try:
        if node.consts is None and not op.variadic:
            if len(parents) == 2:
                return op.derivatives(scalar, node.data, parents[0].data, parents[1].data)
            if len(parents) == 1:
                return op.derivatives(scalar, node.data, parents[0].data)
        return op.derivatives(scalar, node.data, *_numbers(op, parents, node.saved), **(node.consts or {}))
    except (ArithmeticError, ValueError) as error:  # Python's way of saying "infinite" here
        raise FloatingPointError(f"backward: the local derivative at node {node_name(node)} is not "
                                 f"finite ({error}); inputs: {shown_inputs(parents)}") from None


def _any_requires_grad(inputs):
    """any(x.requires_grad for x in inputs). `_make` asks inputs[0] itself first: it almost
    always requires grad, and a call per node costs 5% of the per-sample time of the MLP built
    from * and + nodes (bench/engine.py)."""
    return any(map(_requires_grad, inputs))


_requires_grad = operator.attrgetter("requires_grad")


def _all_finite(numbers):
    """Whether every number (of a list or a dict's view: read twice) is finite: one C-level
    sum (inf and nan propagate through it); only when it overflows are they checked one by one."""
    try:
        if math.isfinite(sum(numbers)):
            return True
    except OverflowError:  # Values (a .grad after backward(create_graph=True)) refuse an inf sum
        pass
    return all(map(math.isfinite, numbers))


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
