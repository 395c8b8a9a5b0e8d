"""Reading a recorded graph: its nodes in order, what each leaf stands for, and its structure.

A compiled program replays ONE recorded graph on every example of a batch. That is only
sound when the graph's structure (its ops, their constants and who feeds whom) is the same
for every example; `structure` is what two recordings are compared on.
"""

import itertools
import operator

import numpy as np

from ..engine import Value, reaching, topological_order, watching_numbers_taken_out
from ..grad_mode import enable_grad
from ..messages import show_constant


class GraphStructureError(ValueError):
    """The recorded graph cannot be replayed on other examples: its structure depends on the
    data, or on the parameters (`depends_on`: "data" or "parameters")."""

    def __init__(self, message, depends_on="data"):
        super().__init__(message)
        self.depends_on = depends_on


class ConstantLeafWarning(UserWarning):
    """A leaf that requires grad is compiled as a constant: it is neither an input, a target
    nor a parameter of the program, so the program gives it no gradient and keeps the number
    it held when compiled (see autograd.compile)."""


def reworded(error, message):
    """The same kind of error with another message (a GraphStructureError keeps what it depends on)."""
    if isinstance(error, GraphStructureError):
        return GraphStructureError(message, error.depends_on)
    return type(error)(message)


def nodes_in_order(roots, leaves=True):
    """Every node that feeds any root, each after its parents (roots in the order given);
    with leaves=False only the op nodes. One walk: the outputs share the network's nodes."""
    return topological_order(list(roots), leaves)


def ancestors(order, ends):
    """The nodes that `ends` depend on (and `ends`), from the graph's topological order."""
    needed = set(ends)
    for node in reversed(order):
        if node.parents and node in needed:
            needed.update(node.parents)
    return needed


class Leaves:
    """What the leaves of a graph stand for: input and target columns, and the parameters (one
    number each, shared by the whole batch, trained). Every other leaf is a constant."""

    def __init__(self, inputs, targets, parameters):
        self.inputs = _distinct(inputs, "inputs")
        self.targets = _distinct(targets, "targets")
        placeholders = set(self.inputs) | set(self.targets)
        if len(placeholders) < len(self.inputs) + len(self.targets):
            raise ValueError("compile: a Value cannot be both an input and a target")
        self.parameters = _distinct(parameters, "parameters")
        if any(map(_parents, self.parameters)):  # in C: a model has many parameters
            made = next(p for p in self.parameters if p.parents)
            raise ValueError(f"compile: parameter {_show(made)} is not a leaf (it was made by op "
                             f"{made.op!r}); parameters must be leaves")
        self._parameter_kind = dict(zip(self.parameters, zip(itertools.repeat("parameter"), itertools.count())))
        clash = next((p for p in placeholders if p in self._parameter_kind), None)
        if clash is not None:
            raise ValueError(f"compile: {_show(clash)} is given both as a parameter and as an input/target")

    def unknown_requiring_grad(self, order):
        """The leaves among `order` that require grad and are neither inputs, targets nor
        parameters: the program takes them as constants (autograd.compile warns of them)."""
        kinds = self._parameter_kind  # held already: 784-100-10's 80,000 nodes in 3 ms, a new set costs 8
        loose = [node for node in order if not node.parents and node.requires_grad and node not in kinds]
        if not loose:
            return loose
        placeholders = set(self.inputs).union(self.targets)
        return [node for node in loose if node not in placeholders]

    def of_recording(self, inputs, targets):
        """{leaf: what it stands for} in a recording whose placeholders are `inputs` and
        `targets` (another recording of the same function has its own), the same parameters."""
        kinds = dict(self._parameter_kind)
        kinds.update((x, ("input", j)) for j, x in enumerate(inputs))
        kinds.update((y, ("target", j)) for j, y in enumerate(targets))
        return kinds


_parents = operator.attrgetter("parents")


def _distinct(values, what):
    values = list(values)
    if not all(map(isinstance, values, itertools.repeat(Value))):  # in C: a model has many parameters
        v = next(v for v in values if not isinstance(v, Value))
        raise TypeError(f"compile: {what} must be Values, got {type(v).__name__} {v!r:.40}")
    if len(set(values)) < len(values):
        raise ValueError(f"compile: the same Value appears twice in {what}")
    return values


def _show(node):
    return f"'{node.label}'" if node.label else f"Value(data={node.data:.6g})"


def structure(roots, leaves, inputs, targets):
    """The graph's shape as a list of plain tuples: what two recordings must agree on.

    Each op node is its op, its constants and where each of its parents comes from: an
    earlier op node (its position among the op nodes) or a leaf, by what it stands for
    (input column j and target j of this recording's placeholders, parameter k of `leaves`;
    any other leaf is a constant, by its number). Leaves are not listed on their own: a
    recording costs its op nodes' inputs, not a pass over every weight of the model.
    """
    ops = nodes_in_order(roots, leaves=False)
    where = leaves.of_recording(inputs, targets)
    where.update((node, i) for i, node in enumerate(ops))
    entries = []
    for node in ops:
        consts = tuple(sorted(node.consts.items())) if node.consts else ()
        try:
            parents = tuple(map(where.__getitem__, node.parents))
        except KeyError:  # a constant among them
            parents = _sources(where, node.parents)
        entries.append((node.op, consts, parents))
    return entries, _sources(where, roots)


def _sources(where, nodes):
    return tuple(where[node] if node in where else ("constant", node.data) for node in nodes)


def first_difference(first, second):
    """A sentence saying where two structures (from `structure`) first differ, or None."""
    if first == second:
        return None
    (nodes_a, roots_a), (nodes_b, roots_b) = first, second
    for i, (a, b) in enumerate(zip(nodes_a, nodes_b)):
        if a != b:
            return f"op node {i} is {_describe(b)} where the first recording has {_describe(a)}"
    if len(nodes_a) != len(nodes_b):
        return f"it has {len(nodes_b)} op nodes where the first recording has {len(nodes_a)}"
    if roots_a != roots_b:
        return "its outputs are different nodes"
    return None


def _describe(entry):
    op, constants, parents = entry
    consts = "".join(f", {k}={show_constant(v)}" for k, v in constants)
    return f"op {op!r}{consts} of {', '.join(map(_source, parents[:8]))}" + (", ..." if len(parents) > 8 else "")


def _source(parent):
    if isinstance(parent, int):
        return f"op node {parent}"
    if parent[0] == "constant":
        return f"the constant {parent[1]:.6g}"
    return f"{parent[0]} {parent[1]}"


def record(build, x_row, y_row, parameters=()):
    """Call `build` on fresh placeholder Values holding one example: (its result, inputs,
    targets, the Values whose numbers it took out).

    The graph is recorded whatever the caller's grad mode (under no_grad too, as
    autograd.hessian records its own). GraphStructureError if `build` takes out a number that
    depends on the example or on one of `parameters` (`if v > 0`, max(a, b), float(v)): see
    `refuse_numbers_taken_out`."""
    xs = [Value(float(v), label=f"x_{k + 1}") for k, v in enumerate(x_row)]
    ys = None if y_row is None else [Value(float(v), label=f"y_{k + 1}") for k, v in enumerate(y_row)]
    with enable_grad(), watching_numbers_taken_out() as taken:
        out = build(xs) if ys is None else build(xs, ys)
    refuse_numbers_taken_out(taken, xs + (ys or []), parameters)
    return out, xs, ys or [], taken


def refuse_numbers_taken_out(taken, placeholders, parameters):
    """GraphStructureError if any Value in `taken` depends on a placeholder or a parameter.

    A recording replays the branch that number steered on every example, and for every θ:
    a branch on a parameter (`w if w > 0 else -w`) would stay the recorded one after
    training moves w across 0. A number of constants alone is the same every time: fine."""
    if not taken:
        return
    order = nodes_in_order(taken)
    of_example, of_parameters = reaching(order, placeholders), reaching(order, parameters)
    read = next((value for value in taken if value in of_example), None)
    on, why = "data", "depends on the example. A recording would replay this example's branch on every example"
    if read is None:
        read = next((value for value in taken if value in of_parameters), None)
        on, why = "parameters", ("is a parameter or is computed from one. A recording would replay "
                                 "this branch whatever θ becomes, also after training moves it")
    if read is not None:
        name = f"'{read.label}' " if read.label else ""
        raise GraphStructureError(
            f"compile: the graph's structure depends on the {on}: Python code took the number "
            f"out of the Value {name}(op {read.op or 'leaf'!r}, data {read.data:.6g}), which "
            f"{why}; it did so by comparing it (`if v > 0`, max(), min(), sorted()) or by "
            f"float(v) or v.item(). Write it with graph ops (v.relu(), v.abs(), v.maximum(w), "
            f"v.step()), or run it uncompiled (nn.fit: compiled=False).", on)


def leaf_role(leaf, leaves):
    """What a leaf stands for, in words: input column j, target j, parameter k, or a constant."""
    for what, values in (("input column", leaves.inputs), ("target", leaves.targets),
                         ("parameter", leaves.parameters)):
        for j, value in enumerate(values):
            if value is leaf:
                return f"{what} {j}"
    return None


def as_roots(out, what):
    if isinstance(out, Value):
        return [out]
    try:
        roots = list(out)
    except TypeError:
        raise TypeError(f"compile: {what} must give a Value or a list of Values, "
                        f"got {type(out).__name__}") from None
    if not roots or not all(isinstance(r, Value) for r in roots):
        raise TypeError(f"compile: {what} must give a Value or a non-empty list of Values")
    return roots


def as_rows(data, width, what):
    """A 2-d float array of examples (one per row), with the errors the scalar path gives; width
    None takes any number of columns (a 1-d array: one)."""
    try:
        rows = np.asarray(data)
    except ValueError:  # numpy's words are "inhomogeneous shape": rows of different lengths
        raise ValueError(f"{what}: expected a 2-d array (one example per row), got rows of "
                         f"different lengths") from None
    if rows.dtype == object or rows.dtype.kind not in "biuf":
        raise TypeError(f"{what}: expected real numbers, got an array of {rows.dtype}")
    if rows.ndim == 1 and width in (1, None):
        rows = rows[:, None]
    if rows.ndim != 2:
        raise ValueError(f"{what}: expected a 2-d array (one example per row), got shape {rows.shape}")
    if width is not None and rows.shape[1] != width:
        raise ValueError(f"{what}: expected {width} numbers per example, got {rows.shape[1]}")
    rows = rows.astype(float, copy=False)
    finite = np.isfinite(rows)
    if not finite.all():
        i, j = np.argwhere(~finite)[0]
        raise ValueError(f"{what}: expected finite numbers, got {rows[i, j]} in example {i}, column {j}")
    return rows
