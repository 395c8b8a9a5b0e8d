"""Writing the program: a recorded graph becomes straight-line numpy source, from the table.

Nodes are grouped by depth and by what they compute (op, constants, fan-in). A group runs as
one line: its table entry called on `Expr`s (autograd.compiled.emit), so a group's values are
one (nodes x batch) array, named after the nodes' labels: the neurons z(2)_1 ... z(2)_32 are
the rows of `z2`. A group of `dot` neurons whose weights are parameters and which read the
same inputs is a layer, W a + b (autograd.compiled.layer). Backward walks the groups in
reverse; each adds  ∂C/∂input = ∂C/∂z · ∂z/∂input  from the same table entry into d_input,
which holds ∂C/∂input for every example (the notes' δ where the input is a z). ∇θ, the batch's
sum, goes into `grad`. The rows s_i of one softmax (one node per i, all reading the same x)
are one group too, s = softmax(x), with e^(x - c) and its sum written once: its backward is
O(k) per example (`Writer._softmax_backward`), where row by row it would be O(k²).
"""

import builtins
import itertools
import keyword
import math
import operator
import re
import unicodedata
from dataclasses import dataclass, field

import numpy as np
from numpy.lib.stride_tricks import as_strided

from ..backends import array
from ..ops import OPS, input_groups
from .emit import Code, Expr, Shared, Stack, call, constant
from .graph import ancestors
from .layer import Block, LayerInputs, Layers, derivatives_by_block, vector_jacobian

# The names the generated code uses (with Python's builtins, such as the abs it may call): no
# group or view is given one of them.
RESERVED = {"np", "M", "theta", "grad", "x", "y", "seed", "batch", "rows", "others", "loss"} | set(dir(builtins))
_STEM = re.compile(r"^([^\W\d_]+)(?:\((\d+)\))?$")
_PLAIN = re.compile(r"[\w.]+(\[[\d:, None]*\])?|-?[\d.e+-]+")  # costs no numpy call worth a name


def dot_parts(node):
    """A dot node's (weights, inputs, biases), by the table's input groups."""
    groups = input_groups(node)
    return groups["weights"], groups["inputs"], groups["bias"]


def rows(*parts):
    """Row blocks stacked into one array; a block of one column is spread over the batch."""
    width = max(np.shape(part)[-1] for part in parts)
    return np.concatenate([np.broadcast_to(part, (len(part), width)) for part in parts])


def others(v):
    """Σ_(i≠j) v_i for each row j: the rows before j plus the rows after it, two running sums,
    as the table writes 1 - s_i = Σ_(k<i) e_k + Σ_(k>i) e_k (over Σ e). Σ v - v_j would cancel
    where v_j is nearly all of the sum (s_j near 1)."""
    v = np.asarray(v, dtype=float)
    result = np.zeros_like(v)
    np.cumsum(v[:-1], axis=0, out=result[1:])
    result[:-1] += np.cumsum(v[:0:-1], axis=0)[::-1]
    return result


# The calls that the softmax's and logsumexp's entries share (ops._shifted_exps), as a group
# names them once: the table's own names, and what each holds, in symbols that `in_names`
# writes as the group's names (x its input, c the logsumexp, E and S these lines).
SHARED_CALLS = {"logsumexp": ("top", "c = ln Σ_k e^(x_k) >= max x, so no e^(x_k - c) overflows"),
                "exp": ("e", "E_k = e^(x_k - c), each in [0, 1]"),
                "total": ("total", "S = Σ_k E_k, about 1")}


@dataclass(eq=False)
class Group:
    op: object
    consts: dict
    nodes: list
    name: str = ""
    layer: tuple = ()           # (W, a, b) Blocks when the group is a layer
    inputs: list = field(default_factory=list)
    lines: list = field(default_factory=list)
    shared: Shared = None       # softmax, logsumexp: the namespace that writes each call once
    stacked: str = ""           # an n-ary op: what its stack holds (t2 of xs_C = t2[:, None])


@dataclass
class Write:
    """One contribution to backward: into d_<target> (rows None: all of them), or into ∇θ."""
    target: str
    rows: object
    text: str
    added: str = ""             # the form that adds into ∇θ, where `text` overwrites it
    positions: tuple = ()
    one_row: bool = False       # `text` is one row that stands for every row (it broadcasts)
    comment: str = ""


class Writer:
    def __init__(self, order, roots, leaves, theta, grad):
        self.roots = roots
        self.params = {p: k for k, p in enumerate(leaves.parameters)}
        self.namespace = {"np": np, "M": array, "theta": theta, "grad": grad, "rows": rows, "others": others}
        self.used = set(RESERVED)
        self.labels = [p.label for p in leaves.parameters]
        self.views = {}  # rows of θ -> the name of their view (w for a parameter labelled w)
        self.place = {x: ("x", j) for j, x in enumerate(leaves.inputs)}
        self.place.update({y: ("y", j) for j, y in enumerate(leaves.targets)})
        self.varies = set(self.place)  # nodes whose value depends on the example
        self.fixed = set()  # op nodes of constants alone: the same number for every example and θ
        self.on_path = ancestors(order, roots)  # what the loss (or the forward's ends) depends on
        self.groups = self._groups(order)
        self.size = {"x": len(leaves.inputs), "y": len(leaves.targets), "theta": len(self.params)}
        self.size.update({group.name: len(group.nodes) for group in self.groups})
        for group in self.groups:
            group.lines = self._forward(group)

    # --- grouping and naming -------------------------------------------------------------
    def _groups(self, order):
        depth, groups = {}, {}  # a leaf's depth is 0
        for node in order:
            if not node.parents:
                continue
            depth[node] = 1 + max(map(depth.get, node.parents, itertools.repeat(0)))
            key = (depth[node], node.op, tuple(sorted((node.consts or {}).items())), len(node.parents),
                   node in self.on_path)  # a row that is only an output would get δ = 0, and 0·∞ is nan
            if node.op == "dot":
                key += tuple(map(id, dot_parts(node)[1]))  # a layer's neurons read the same a
            if node.op == "softmax":  # its rows s_i, whatever their i, when they read the same x
                key = (depth[node], node.op, node in self.on_path) + tuple(map(id, node.parents))
            consts = {} if node.op == "softmax" else dict(node.consts or {})
            groups.setdefault(key, Group(OPS[node.op], consts, [])).nodes.append(node)
        ordered = [groups[key] for key in sorted(groups, key=lambda key: key[0])]
        for group in ordered:
            if group.op.name == "softmax":
                group.nodes.sort(key=lambda node: node.consts["i"])
        for group in ordered:
            is_loss = len(self.roots) == 1 and self.roots[0] in group.nodes
            group.name = self._name([node.label for node in group.nodes], "C" if is_loss else "t")
            self.place.update({node: (group.name, i) for i, node in enumerate(group.nodes)})
        return ordered

    def _name(self, labels, fallback, capital=False):
        """The labels' common stem (z(2)_1, z(2)_2 ... -> z2; with capital, W2 of w(2)_1,1),
        else the fallback; never reused."""
        stem = _stem(labels, capital) or fallback
        n = 1
        name = f"{stem}1" if stem == "t" else stem  # temporaries are numbered: t1, t2, ...
        while name in self.used or keyword.iskeyword(name):
            n += 1
            name = f"{stem}{n}" if stem == fallback else f"{stem}_{n}"
        self.used.add(name)
        return name

    def constant(self, value, stem):
        name = self._name([], stem)
        self.namespace[name] = value
        return name

    # --- the rows a group reads ------------------------------------------------------------
    def source_of(self, node):
        if node in self.place:
            return self.place[node]
        if node in self.params:
            return "theta", self.params[node]
        return "const", node.data

    def runs(self, nodes):
        """nodes as runs of (source, [rows]) of consecutive nodes from the same source."""
        runs = []
        for node in nodes:
            source, row = self.source_of(node)
            if runs and runs[-1][0] == source:
                runs[-1][1].append(row)
            else:
                runs.append((source, [row]))
        return runs

    def column(self, nodes):
        """The values of `nodes`, one row each: an expression of shape (len(nodes), batch or 1)."""
        parts = []
        for source, rows_ in self.runs(nodes):
            if source == "const" and len(set(rows_)) == 1 and len(nodes) == len(rows_):
                return constant(rows_[0])  # one number for every row: derivatives fold with it
            if source == "const":
                parts.append(self.constant(np.array(rows_, dtype=float)[:, None], "_k"))
            elif source == "theta":
                parts.append(self._parameters(rows_))
            else:
                index = self.index(rows_, source)
                parts.append(source if index is None else f"{source}[{index}]")
        return Expr(parts[0] if len(parts) == 1 else f"rows({', '.join(parts)})")

    def _parameters(self, rows_):
        """θ's rows as a column, by the parameters' name where their labels give one (w of a
        parameter labelled w; p of p_1, p_2): a view of θ, as a layer's W is, so that the code
        reads t1 = w * x. Else theta[rows]."""
        index = self.index(rows_)
        if ":" not in index:  # not consecutive (an index array): no view
            return f"theta[{index}, None]"
        key = tuple(rows_)
        if key not in self.views:
            labels = [self.labels[k] or "" for k in rows_]
            stem = _stem(labels) if all(labels) else ""
            self.views[key] = self._name(labels, stem) if stem else None
            if stem:
                self.namespace[self.views[key]] = self.namespace["theta"][rows_[0]:rows_[-1] + 1, None]
        return self.views[key] or f"theta[{index}, None]"

    def index(self, rows_, source=None):
        """rows as a slice where they are consecutive, else a constant index array; None when
        they are every row of `source`, in order."""
        if source is not None and rows_ == list(range(self.size[source])):
            return None
        if rows_ == list(range(rows_[0], rows_[0] + len(rows_))):
            return f"{rows_[0]}:{rows_[0] + len(rows_)}"
        return self.constant(np.array(rows_, dtype=np.intp), "_i")

    def bound(self, name, expr, lines, always=False):
        """expr as an expression, given a name of its own when it costs numpy calls (always:
        in any case; expr may then be source text)."""
        text = str(expr)
        if not always and _PLAIN.fullmatch(text):
            return expr  # an Expr: a number keeps its value (derivatives fold with it) and precedence
        name = self._name([], name)
        lines.append(f"{name} = {text}")
        return Expr(name)

    # --- forward ------------------------------------------------------------------------
    def _forward(self, group):
        first = group.nodes[0]
        if any(p in self.varies for node in group.nodes for p in node.parents):
            self.varies.update(group.nodes)
        if all(p in self.fixed or p not in self.place and p not in self.params
               for node in group.nodes for p in node.parents):
            # Computed from constants alone: the recorded numbers are its value for every example.
            self.fixed.update(group.nodes)
            self.namespace[group.name] = np.array([[node.data] for node in group.nodes])
            return []
        if first.op == "dot" and self._as_layer(group):
            z = group.op.forward(Layers, LayerInputs(first.consts["n"], *group.layer), **group.consts)
            return [f"{group.name} = {z}" + self._comment(group, "z = W a + b, a layer")]  # the notes' names
        if first.op == "softmax":
            return self._softmax_forward(group)
        lines = []
        if group.op.variadic:
            fan_in, size = len(first.parents), len(group.nodes)
            column = self.column([node.parents[i] for i in range(fan_in) for node in group.nodes])
            group.stacked = str(column)
            stacked = f"{column}[:, None]" if size == 1 else f"{column}.reshape({fan_in}, {size}, -1)"
            group.inputs = [Stack(str(self.bound(f"xs_{group.name}", stacked, lines, always=True)), fan_in)]
        else:
            group.inputs = [self.bound(f"{group.name}_in", self.column([node.parents[i] for node in group.nodes]),
                                       lines) for i in range(len(first.parents))]
        value = group.op.forward(Code, *group.inputs, **group.consts)
        if first.op == "logsumexp":  # its derivatives call it again: they read this line's name
            group.shared = Shared(self._bind_call(group), known={str(value): Expr(group.name)})
        lines.append(f"{group.name} = {value}" + self._comment(group, self._forward_formula(group)))
        return lines

    def symbols(self, group):
        """{symbol of the group's table formula: the name the program gives it}: the output (z
        of z = x y) is the group, each input (x, y; x of an n-ary op's x_i) its operand, each
        constant its number."""
        op = group.op
        names = {_output_symbol(op.formula): group.name}
        for symbol, operand in zip(op.inputs, group.inputs):
            names[symbol.rstrip("s") if op.variadic else symbol] = _operand(str(operand))
        for const, value in group.consts.items():
            names[const] = _operand(f"{value:g}")
        numbers = [value for value in group.consts.values() if not isinstance(value, tuple)]
        if len(numbers) == 1 and "k" not in names:  # step's threshold is the table's k
            names["k"] = _operand(f"{numbers[0]:g}")
        return names

    def _forward_formula(self, group):
        """The table's formula of the group's line, in the line's names (t1 = w x); an n-ary op of
        several input groups (dot), whose formula names them otherwise, as the table writes it."""
        formula = group.op.formula.split(";")[0]
        if group.op.variadic and len(group.op.inputs) > 1:
            return (f"{group.name} = {group.op.name}({group.inputs[0]}): the table's {formula}, the rows of "
                    f"{group.inputs[0]} its {', '.join(group.op.inputs)}")
        names = self.symbols(group)
        if group.op.variadic and len(group.nodes) == 1 and group.stacked.isidentifier():
            names["x"] = group.stacked  # Σ_i t2[i] of xs_C = t2[:, None]
        return in_names(formula, names)

    def _softmax_forward(self, group):
        """The rows of one softmax as one line s = e / Σ e: the table's forward e[i] / Σ e for
        every row i at once, with e = e^(x - c) and its sum each written once."""
        lines = []
        xs = self.bound(f"xs_{group.name}", self.column(group.nodes[0].parents), lines)
        group.inputs = [xs]
        group.shared = Shared(self._bind_call(group)).into(lines)
        rows_ = self._softmax_rows(group)
        value = group.op.forward(group.shared, xs, i=rows_)
        formula = group.op.formula.split(";")[0].split("  (")[0]  # s_i = e^(x_i) / Σ_j e^(x_j)
        if isinstance(rows_, slice):
            said = f"{group.name} = softmax({xs}): " + in_names(formula, {"s": group.name, "x": str(xs)})
        else:
            said = f"{group.name}: the rows i = {rows_} of softmax({xs}), " + in_names(formula, {"x": str(xs)})
        lines.append(f"{group.name} = {value}" + self._comment(group, said))
        return lines

    def _softmax_rows(self, group):
        """Which rows i of its softmax the group holds, as an index (slice(None): all, in order)."""
        rows_ = [node.consts["i"] for node in group.nodes]
        return slice(None) if rows_ == list(range(len(group.nodes[0].parents))) else Expr(self.index(rows_))

    def _bind_call(self, group):
        """bind(function, expr, lines): a call of the group's entries, given its own line."""
        names = {"x": None, "c": group.name}  # a logsumexp group's own line is c

        def bind(function, expr, lines):
            stem, says = SHARED_CALLS.get(function, (function, ""))
            name = self.bound(f"{stem}_{group.name}", expr, lines, always=True)
            names["x"] = str(group.inputs[0]) if group.inputs else None
            names.update({"logsumexp": {"c": str(name)}, "exp": {"E": str(name)},
                          "total": {"S": str(name)}}.get(function, {}))
            lines[-1] += f"  # {in_names(says, names)}" if says and names["x"] else ""
            return name
        return bind

    def _comment(self, group, formula):
        labels = [_printable(node.label) for node in group.nodes if node.label]
        shown = f"{labels[0]} ... {labels[-1]}" if len(labels) > 2 else ", ".join(labels)
        shown = "" if labels == [group.name] else shown  # z = t1 + b needs no (z)
        return f"  # {formula}" + (f"   ({shown})" if shown else "")

    def _as_layer(self, group):
        """The group as a layer (W, a, b) when every weight is a parameter, no weight appears
        twice, each neuron has at most one bias (a parameter), W and b sit on grids of θ and
        a depends on the example. Else it runs as n-ary dot nodes."""
        parts = [dot_parts(node) for node in group.nodes]
        weights = [w for ws, _, _ in parts for w in ws]
        biases = [b for _, _, bs in parts for b in bs]
        inputs = parts[0][1]
        if not (all(map(self.params.__contains__, weights)) and len(set(weights)) == len(weights)
                and all(map(self.params.__contains__, biases)) and len(set(biases)) == len(biases)
                and len(biases) in (0, len(group.nodes)) and any(a in self.varies for a in inputs)):
            return False
        position, label = self.params.__getitem__, operator.attrgetter("label")
        W = self._view([list(map(position, ws)) for ws, _, _ in parts], list(map(label, weights)), "W")
        b = self._view(list(map(position, biases)), list(map(label, biases)), "b") if biases else None
        if W is None or (biases and b is None):
            return False
        group.layer = (W, Block(str(self.column(inputs)), "kb"), b)
        return True

    def _view(self, positions, labels, fallback):
        """A Block for W (or b): a view of θ, and its gradient a view of grad, where the
        positions form a grid (as a neuron-by-neuron [w..., b] list does); else None."""
        positions = np.array(positions, dtype=np.intp)
        theta, grad = self.namespace["theta"], self.namespace["grad"]
        view, grad_view = _grid_view(theta, positions), _grid_view(grad, positions)
        if view is None:
            return None
        name = self._name(labels, fallback, capital=positions.ndim == 2)
        self.namespace[name] = view if positions.ndim == 2 else view[:, None]
        self.namespace["grad_" + name] = grad_view
        self.used.add("grad_" + name)
        return Block(name, "jk" if positions.ndim == 2 else "j", tuple(positions.ravel().tolist()), "grad_" + name)

    # --- backward -----------------------------------------------------------------------
    def backward(self, needs):
        """The backward items (lines and Writes), from the loss's seed down to the parameters."""
        root, = self.roots
        source, row = self.source_of(root)
        items = [Write(source, None if self.size[source] == 1 else [row], "seed",
                       comment=f"∂C/∂{source}(i) for each example i: 1/batch for the batch's mean")]
        written = {source}
        tail = self._squares_tail()
        for group in reversed(self.groups):
            if group.name in written and any(p in needs for node in group.nodes for p in node.parents):
                before = len(items)
                if tail is not None and root in group.nodes:
                    self._squares_tail_backward(group, tail, items, needs)
                else:
                    self._backward(group, items, needs)
                written.update(item.target for item in items[before:] if isinstance(item, Write))
        return items

    def _squares_tail_backward(self, group, tail, items, needs):
        """C = k Σ_j x_j² in one line, ∂C/∂x = 2k x: the Σ's 1 and the square's 2x folded, so
        that the notes' C = ½‖a - y‖² reads ∂C/∂t1 = t1 (t1 = a - y), as BP1 begins. The squares
        and their Σ get no δ of their own: only the loss reads them on its path (an output may
        read them too, but an output gets no gradient)."""
        twice, x = 2.0 * tail.k, tail.x
        said = f"2·{x}" if tail.k == 1.0 else f"2·{tail.k:g}·{x} = {_factor(twice)}{x}"
        self._scatter(tail.nodes, Expr(f"d_{group.name}") * (constant(twice) * x), items, needs,
                      comment=f"∂C/∂{x} = {said}  (C = {_factor(tail.k)}Σ_j {x}[j]²: its Σ and squares in one line)")

    def _backward(self, group, items, needs):
        delta = Expr(f"d_{group.name}")
        nodes = group.nodes
        writes = [item for item in items if isinstance(item, Write) and item.target == group.name]
        one_row = len(nodes) > 1 and all(write.one_row and write.rows in (None, list(range(len(nodes))))
                                         for write in writes)
        if one_row and (group.layer or group.op.variadic):  # they need every row of δ
            items.append(f"{delta} = np.repeat({delta}, {len(nodes)}, axis=0)")
            one_row = False
        if group.op.name == "softmax":
            self._softmax_backward(group, items, needs)
            return
        if group.layer:
            inputs = LayerInputs(nodes[0].consts["n"], *group.layer)
            for block, d in derivatives_by_block(group.op, inputs, group.consts):
                (text, says), (added, _) = vector_jacobian(delta, block, d, out=block.grad), vector_jacobian(delta, block, d)
                if block.grad:
                    items.append(Write("theta", None, text, f"{block.grad}[...] += {added}", block.positions,
                                       comment=says))
                elif any(a in needs for a in dot_parts(nodes[0])[1]):
                    self._scatter(dot_parts(nodes[0])[1], Expr(added, 5), items, needs, comment=says)
            return
        namespace = group.shared.into(items) if group.shared else Code
        derivatives = group.op.derivatives(namespace, Expr(group.name), *group.inputs, **group.consts)
        if group.op.variadic:
            fan_in = len(nodes[0].parents)
            constant = getattr(derivatives, "value", None) == 1.0
            if constant and len(nodes) == 1:  # every input gets δ itself: one row, broadcast
                spread = delta
            elif constant:
                spread = Expr(f"np.tile({delta}, ({fan_in}, 1))")
            else:
                spread = Expr(f"({delta * derivatives}).reshape({fan_in * len(nodes)}, -1)")
            self._scatter([node.parents[i] for i in range(fan_in) for node in nodes], spread, items, needs,
                          one_row=constant and len(nodes) == 1, comment=self._stacked_formula(group))
            return
        for i, d in enumerate(derivatives):
            column = [node.parents[i] for node in nodes]
            if any(p in needs for p in column):
                constant = not isinstance(d, Expr) or d.value is not None
                self._scatter(column, delta * d, items, needs, one_row=one_row and constant,
                              comment=in_names(_derivative_formula(group.op, i), self.symbols(group)))

    def _stacked_formula(self, group):
        """An n-ary op's derivative (∂C/∂t2[i] = 1 of C = Σ_i t2[i]) in the names of what its
        stack holds, where that is one name and the table gives one derivative; else ""."""
        formula = _derivative_formula(group.op, 0) if len(group.op.inputs) == 1 else ""
        if not formula or len(group.nodes) > 1 or not group.stacked.isidentifier():
            return ""
        return in_names(formula, {**self.symbols(group), "x": group.stacked})

    def _softmax_backward(self, group, items, needs):
        """∂C/∂x for the rows of one softmax, O(k) per example. The table's entry gives
        ∂s_i/∂x_j = s_i (δ_ij - s_j) as -s_i s_j off the diagonal and s_i Σ_(k≠i) s_k on it (its
        1 - s_i as a sum of the others, which does not cancel where s_i is near 1), so

            ∂C/∂x_j = Σ_i ∂C/∂s_i ∂s_i/∂x_j = s_j (∂C/∂s_j Σ_(k≠j) s_k - Σ_(i≠j) ∂C/∂s_i s_i)

        with each Σ_(k≠j) taken by `others`. A group of only some rows i of its softmax reads
        ∂C/∂s_i = 0 for the rest. tests/autograd/test_compile.py checks this form against the
        table's entry, row by row, to rounding."""
        first, delta, s = group.nodes[0], Expr(f"d_{group.name}"), Expr(group.name)
        rows_ = self._softmax_rows(group)
        if not isinstance(rows_, slice):  # s and ∂C/∂s for all k rows
            every = group.op.forward(group.shared.into(items), group.inputs[0], i=slice(None))
            s = self.bound(f"s_{group.name}", every, items, always=True)
            padded = self._name([], f"ds_{group.name}")
            items += [f"{padded} = np.zeros(({len(first.parents)}, batch))", f"{padded}[{rows_}] = {delta}"]
            delta = Expr(padded)
        d_x = s * (delta * call("others", s) - call("others", delta * s))
        self._scatter(list(first.parents), d_x, items, needs, comment=in_names(
            "∂C/∂x_j = s_j (∂C/∂s_j Σ_(k≠j) s_k - Σ_(i≠j) ∂C/∂s_i s_i)", {"x": str(group.inputs[0]), "s": str(s)}))

    def _scatter(self, nodes, value, items, needs, one_row=False, comment=""):
        """Add the rows of `value` (one per node; with one_row, one row for them all) into each
        node's d_ (or its ∇θ entry)."""
        runs, first = [], 0
        for source, rows_ in self.runs(nodes):
            wanted = source == "theta" or source in self.size and source not in ("x", "y") and \
                any(node in needs for node in nodes[first:first + len(rows_)])
            if wanted:
                runs.append((source, rows_, first))
            first += len(rows_)
        if not one_row and (len(runs) > 1 or runs and len(runs[0][1]) < len(nodes)):
            value = self.bound("c", str(value), items, always=True)
        for source, rows_, first in runs:
            part = value if one_row or len(rows_) == len(nodes) else value[first:first + len(rows_)]
            if source == "theta":
                index = self.index(rows_)
                summed = f"np.add.reduce({part}, axis=1)"
                added = f"np.add.at(grad, {index}, {summed})" if len(set(rows_)) < len(rows_) else \
                    f"grad[{index}] += {summed}"
                items.append(Write("theta", None, f"grad[{index}] = {summed}", added, tuple(rows_), comment=comment))
            else:
                items.append(Write(source, rows_, str(part), one_row=one_row, comment=comment))

    # --- the functions ----------------------------------------------------------------------
    def function(self, name, arguments, groups, returns, backward=()):
        """A function of the groups' lines; with `backward`, gradient(): its forward ends in
        `loss`, the batch's Σ_i C(i), and it returns that rather than every C(i). A function
        not given the targets (predict) reads zeros for them, in rows it does not return.
        Lines whose names nothing reads are left out."""
        root = self.roots[0] if backward else None
        given_y = "y" in arguments.split(", ") or not self.size["y"]
        body = [] if given_y else [f"y = np.zeros(({self.size['y']}, x.shape[1]))  # read only by rows not returned"]
        body += [line for group in groups
                 for line in (self._loss_lines(group) if root in group.nodes else group.lines)]
        body += _render(backward, self) if backward else []
        body = _without_unread_lines(body, returns)
        body.append(f"return {returns}")
        return f"def {name}({arguments}):\n" + "".join(f"    {line}\n" for line in body)

    def _loss_lines(self, group):
        """The loss group's lines, ending in `loss = Σ over the batch of C(i)`. A loss that is
        one Σ node (nn's losses) is summed over its terms and the batch at once: one numpy
        call where C(i) and then their sum would be two, and backward never reads C (the
        derivative of a Σ is 1). A Σ of squares x_i² (nn's sse, mse) is the dot product x·x."""
        root, = self.roots
        if root not in self.varies:  # the same C for every example
            return group.lines + [f"loss = {self.column(self.roots)}[0, 0] * batch"]
        C = self.column(self.roots)
        # C's own line (and the squares') stays only where something reads it (an output): see function().
        tail = self._squares_tail()
        if tail is not None:  # C = k Σ_j t1_j²: the squares are not computed
            scale = "" if tail.k == 1.0 else f"{tail.k!r} * "
            return group.lines + [f"loss = {scale}np.vdot({tail.x}, {tail.x})  # Σ over the batch of {C}(i) = "
                                  f"{_factor(tail.k)}Σ_j {tail.x}[j]²: one dot product {tail.x}·{tail.x}"]
        if group.op.name != "sum" or len(group.nodes) > 1:
            return group.lines + [f"loss = np.add.reduce({C}, axis=None)  # Σ over the batch of {C}(i)"]
        return group.lines + [f"loss = np.add.reduce({group.inputs[0]}, axis=None)"
                              f"  # Σ over the batch of {C}(i) = Σ_j {group.inputs[0]}[j], in one sum"]

    def _squares_tail(self):
        """The loss as C = k Σ_j x_j² (nn's sse: k = 1; mse: 1/n; the notes' ½‖a - y‖²: ½), a Σ
        (times a constant) of every row of one group x ** 2, in order, else None."""
        root, = self.roots
        total, k = root, 1.0
        if root.op == "*":
            constants = [p for p in root.parents if self.source_of(p)[0] == "const"]
            total = next((p for p in root.parents if p.op == "sum"), None)
            if len(constants) != 1 or total is None:
                return None
            k = constants[0].data
        if total.op != "sum":
            return None
        x = self._squared(total.parents)
        if x is None or not math.isfinite(2.0 * k):  # 2k is written into the code as a number
            return None
        return SquaresTail(x, k, [square.parents[0] for square in total.parents])

    def _squared(self, nodes):
        """x, when `nodes` are every row of one group x ** 2 in order, else None."""
        names = {self.place.get(node, (None,))[0] for node in nodes}  # None: a parameter or constant
        group = next((group for group in self.groups if group.name in names), None) if len(names) == 1 else None
        if group is None or group.op.name != "**k" or group.consts.get("k") != 2.0 or group.nodes != list(nodes):
            return None
        return group.inputs[0]


@dataclass
class SquaresTail:
    x: object       # the Expr of x in C = k Σ_j x_j²
    k: float
    nodes: list     # x's nodes, one per square


def _factor(k):
    """k as a comment writes it before what it multiplies ("0.5·"), nothing for 1."""
    return "" if k == 1.0 else f"{k:g}·"


def _stem(labels, capital=False):
    """The labels' common stem as an identifier (z2 of z(2)_1, z(2)_2 ...; with capital, W2 of
    w(2)_1,1), else "". Python reads identifiers in NFKC form (ｘ is x), so it is in that form."""
    prefix = labels[0].split("_", 1)[0] if labels else ""  # z(2) of z(2)_1
    shared = bool(labels) and _all_start_with(labels, prefix)
    match = _STEM.match(prefix) if shared else None
    stem = "".join(match.groups("")) if match else ""
    stem = stem[:1].upper() + stem[1:] if capital else stem
    stem = unicodedata.normalize("NFKC", stem)
    return stem if stem.isidentifier() else ""


# A symbol of a table formula: a run of letters (x, z, k; tanh and ln are runs too, never
# symbols), with its subscript (x_i). The ² of a² and the ₂ of log₂ are no letters.
_LETTER = r"[^\W\d_\u00b2\u00b3\u00b9\u2070-\u209f]"
_SYMBOL = re.compile(rf"({_LETTER}+)(?:_({_LETTER}+))?")


def in_names(formula, names):
    """A table formula in a line's own names: each symbol that `names` maps is written as the
    program names it, x_i as x[i], so that z = x y on the line t1 = w * x reads t1 = w x. The
    words of the formula (tanh, ln, where) are no symbols and stay. A product of a number
    (x y with y = 0.5) is written with a dot, t1·0.5, and 2z as 2 z2."""
    text, end, last = [], 0, None  # `last`: the name the previous symbol became, where it ended
    for match in _SYMBOL.finditer(formula):
        symbol, subscript = match.groups()
        if names.get(symbol) is None:
            continue
        name = names[symbol] + (f"[{subscript}]" if subscript else "")
        between = formula[end:match.start()]
        if between == " " and last is not None and (_is_number(last) or _is_number(name)):
            between = "·"  # t3 0.5 would read as one number's digits
        elif formula[match.start() - 1:match.start()].isdigit():
            between += " "
        text += [between, name]
        end, last = match.end(), name
    return "".join(text) + formula[end:] if text else formula


def _is_number(text):
    return bool(re.fullmatch(r"\(?-?[\d.e+-]+\)?", text))


def _output_symbol(formula):
    """z of "z = x y", s of "s_i = ...": the symbol the formula defines."""
    return _SYMBOL.match(formula.strip()).group(1)


def _operand(text):
    """An operand as a formula shows it: a negative number in parentheses (x^(-0.5))."""
    return f"({text})" if text.startswith("-") else text


def _all_start_with(labels, prefix):
    """Whether every label is `prefix` or starts with prefix + "_" (counted in C: a layer's W
    has a label per weight, 23,520 of them for 784-30-10)."""
    starting = sum(map(str.startswith, labels, itertools.repeat(prefix + "_")))
    return starting + labels.count(prefix) == len(labels)


def _printable(label):
    """A label as a comment may show it: a newline in it would end the comment and the rest
    would run as code, so what does not print is shown escaped."""
    return "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in label)


_ASSIGNED = re.compile(r"^(\w+) = ")
_NAME = re.compile(r"[^\W\d]\w*")


def _without_unread_lines(body, returns):
    """The lines without those that assign a name nothing after them reads (forward lines
    have no other effect): gradient() needs no C(i) when its loss is summed in one call."""
    read, kept = set(_NAME.findall(returns)), []
    for line in reversed(body):
        code = line.split("  #")[0]
        assigned = _ASSIGNED.match(code)
        if assigned and assigned.group(1) not in read:
            continue
        read.update(_NAME.findall(code[assigned.end():] if assigned else code))
        kept.append(line)
    return kept[::-1]


def _render(items, writer):
    """Backward's items as lines: the first write into a d_ (or a block of ∇θ) assigns, the
    later ones add; a d_ that gets only some of its rows at a time starts from zeros."""
    partial = {item.target for item in items if isinstance(item, Write) and item.target != "theta"
               and item.rows is not None and item.rows != list(range(writer.size[item.target]))}
    theta_writes = [item for item in items if isinstance(item, Write) and item.target == "theta"]
    assigns = _theta_assigns(theta_writes, len(writer.params))
    lines, started = [] if assigns is not None else ["grad.fill(0.0)"], set()
    for item in items:
        if isinstance(item, str):
            lines.append(item)
        elif item.target == "theta":
            lines.append(item.text if assigns is not None and assigns[id(item)] else item.added)
        else:
            lines.extend(_delta_line(item, writer, item.target in partial, started))
        if isinstance(item, Write) and item.comment:
            lines[-1] += f"  # {item.comment}"
    return lines


def _derivative_formula(op, i):
    """The table's words for ∂z/∂(input i), e.g. "∂a/∂z = σ(z)(1 - σ(z))", or ""."""
    parts = [part.strip() for part in op.formula.split(";", 1)[-1].split(",")] if ";" in op.formula else []
    return parts[i] if i < len(parts) and len(parts) == len(op.inputs) else ""


def _delta_line(item, writer, partial, started):
    d = f"d_{item.target}"
    lines = []
    if partial and d not in started:
        lines.append(f"{d} = np.zeros(({writer.size[item.target]}, batch))")
        started.add(d)
    if not partial:
        lines.append(f"{d} = {d} + {item.text}" if d in started else f"{d} = {item.text}")
        started.add(d)
        return lines
    index = writer.index(item.rows, item.target)
    if index is None:
        lines.append(f"{d} += {item.text}")
    elif len(set(item.rows)) < len(item.rows):
        lines.append(f"np.add.at({d}, {index}, {item.text})")
    else:
        lines.append(f"{d}[{index}] += {item.text}")
    return lines


def _theta_assigns(writes, n):
    """{write: whether it may assign}: a write may assign when it is the first into every one
    of its positions. None when some position is added to before any assignment or never
    written at all: then ∇θ is zeroed first and every write adds."""
    written, assigns = set(), {}
    for write in writes:
        positions = set(write.positions)
        if not positions & written and len(positions) == len(write.positions):
            assigns[id(write)] = True
        elif positions <= written:
            assigns[id(write)] = False
        else:
            return None
        written |= positions
    return assigns if len(written) == n else None


def _grid_view(vector, positions):
    """vector[positions] as a strided VIEW when the positions form a grid (s + i·r + j·c), else None."""
    if positions.size == 0:
        return None
    strides = []
    for axis in range(positions.ndim):
        steps = np.diff(positions, axis=axis)
        step = int(steps.flat[0]) if steps.size else 1
        if steps.size and not np.all(steps == step):
            return None
        strides.append(step)
    start = int(positions.flat[0])
    grid = start + sum(np.arange(n).reshape([-1 if a == axis else 1 for a in range(positions.ndim)]) * step
                       for axis, (n, step) in enumerate(zip(positions.shape, strides)))
    if min(strides) < 1 or not np.array_equal(grid, positions):
        return None
    return as_strided(vector[start:], shape=positions.shape, strides=tuple(s * vector.itemsize for s in strides))
