"""What the engine says when something is wrong: every message names the op, the numbers
involved and, where it has one, the node's label, so that a reader can find the culprit.

Pure formatting: nodes are read only through their public attributes `data`, `label`,
`op` and `parents`.
"""

from .ops import OPS


def number(x):
    """A number for a message, exactly: the shorter of its 6-significant-digit form (when that is
    the number) and its shortest round trip, so that 1 - 2⁻⁵³, just outside acosh's domain, prints
    as 0.9999999999999999, not as 1: `2`, `-1.5`, `1e+15`, `1e+308`, `-1e-320`, `0.30000000000000004`."""
    if isinstance(x, int):
        return str(x)
    short, exact = f"{x:.6g}", repr(float(x)).removesuffix(".0")
    return short if float(short) == x and len(short) <= len(exact) else exact


def shown_inputs(inputs, show_number=lambda v: f"{v:.6g}"):
    """`2 ('x'), -1.5, ...`: the first inputs of a node, each with its label when it has one."""
    def show(x):
        return f"{show_number(x.data)} ('{x.label}')" if x.label else show_number(x.data)
    return ", ".join(show(x) for x in inputs[:6]) + (", ..." if len(inputs) > 6 else "")


def describe(op_name, says, inputs, consts, exact=False):
    """`op: what went wrong; inputs: 2 ('x'), -1.5, k=0.5` for a forward error. exact: each
    number as `number` shows it (a domain error: is the input inside?), else to 6 digits (an
    overflow: the size is what matters, and the scalar and compiled paths, whose inputs
    differ by rounding, give the same message)."""
    def show_number(v):
        return number(v) if exact else f"{v:.6g}"

    shown = shown_inputs(inputs, show_number)
    shown_consts = "".join(f", {k}={show_constant(v, show_number)}" for k, v in consts.items())
    return f"{op_name}: {says}; inputs: {shown}{shown_consts}"


def show_constant(value, show_number=lambda v: f"{v:.6g}"):
    """An op's constant for a message: a number, or the first few numbers of a data vector."""
    if isinstance(value, tuple):
        return "(" + ", ".join(show_number(v) for v in value[:6]) + (", ...)" if len(value) > 6 else ")")
    return show_number(value)


def node_name(node):
    """`'z(2)_1' (op dot, data 0.5)`: a node as backward's errors name it."""
    label = f"'{node.label}' " if node.label else ""
    kind = f"op {node.op}" if node.op else "leaf"
    return f"{label}({kind}, data {node.data:.6g})"


def into_input(node, parent, k=None):
    """` into 'e' (input 1, data 3)`, ` into input 1 (data 3)`: the input of `node` a term goes
    into, by its label, its position k among the node's inputs and its data, each named, so
    that a number is never read as a position. Without k, every position the parent holds
    (`inputs 0 and 1` for x * x)."""
    positions = [k] if k is not None else [i for i, p in enumerate(node.parents) if p is parent]
    where = f"input {positions[0]}" if len(positions) == 1 else "inputs " + " and ".join(map(str, positions))
    if parent.label:
        return f" into '{parent.label}' ({where}, data {parent.data:.6g})"
    return f" into {where} (data {parent.data:.6g})"


def non_finite(node, parent, g, d, k=None):
    """The error for a chain-rule term ∂C/∂z · ∂z/∂x that is not finite (x: the parent, input k of z)."""
    return FloatingPointError(
        f"backward: non-finite gradient at node {node_name(node)}{into_input(node, parent, k)}: "
        f"∂C/∂z = {g:.6g} times local derivative {d:.6g} gives {g * d}")


def non_finite_sum(node, g):
    """The error for a gradient whose terms were finite but whose sum is not."""
    return FloatingPointError(f"backward: the gradient at node {node_name(node)} summed to {g}")


def unknown_op(op_name):
    raise KeyError(f"no op named {op_name!r}; the table has {', '.join(OPS)}")

