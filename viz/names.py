"""Names a learner can read, for every value of a graph.

A labelled value is called by its label (bracketed inside a formula when it holds an operator
or a space: ∂o/∂(x1*w1)). An unlabelled one is called by what it computes,
written as the notes write it: `y_1 − a(4)_1`, `(y_1 − a(4)_1)²`, `0.5 · Σ(...)`. A number the
engine made into a leaf is called by the number. An expression too long to read in a formula
gets a short descriptive name instead ("× node 2": the second unlabelled × node). An
unlabelled root is called "out". Nothing is ever called by an internal number such as #41.
"""

from . import graph
from .style import compact

MAX_EXPRESSION = 32  # characters: longer expressions make formulas unreadable

# precedence of what an expression is: an atom needs no brackets anywhere
ATOM, POWER, PREFIX, PRODUCT, SUM = 5, 4, 3, 2, 1

_INFIX = {"+": (" + ", SUM), "-": (" − ", SUM), "*": (" · ", PRODUCT), "/": (" / ", PRODUCT)}
_SUPERSCRIPTS = {2.0: "²", 3.0: "³"}
_OPERATORS = set("+-−*/·×^=<>")


def is_compound(label):
    """True for a label a formula must bracket: one with an operator or a space in it, such
    as micrograd's 'x1*w1' (∂o/∂x1*w1 reads as (∂o/∂x1)·w1; ∂o/∂(x1*w1) does not)."""
    return any(ch in _OPERATORS or ch.isspace() for ch in label)


def input_place(consumer, slot=None):
    """Which input of its op a value is: "1st input of ×" for slot 0 of consumer's parents
    ("input of ×" for slot None). It tells apart the terms of a value one op reads twice (x · x)."""
    if slot is None:
        return f"input of {graph.symbol(consumer)}"
    n = slot + 1
    suffix = "th" if n % 100 in (11, 12, 13) else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix} input of {graph.symbol(consumer)}"


def value_names(order, aliases=None):
    """{value: name} for a topological order. `aliases` {node: the value it passes on} names a
    node after that value (a single-input Σ is its input)."""
    return _names(order, aliases)[0]


def formula_names(order, aliases=None):
    """{value: name} as written inside a formula: `∂C/∂(y_1 − a(4)_1)`, not `∂C/∂y_1 − a(4)_1`."""
    names, expressions = _names(order, aliases)
    return {v: name if expressions[v][1] >= POWER else f"({name})" for v, name in names.items()}


def _names(order, aliases):
    aliases = aliases or {}
    expressions, names, counts = {}, {}, {}
    for value in order:
        if value in aliases:
            expressions[value] = expressions[aliases[value]]
        elif value.label:
            expressions[value] = (value.label, SUM if is_compound(value.label) else ATOM)
        elif not value.op:
            expressions[value] = _number(value.data)
        else:
            expressions[value] = _expression(value, expressions)
        text = expressions[value][0]
        if not value.label and value.op and value not in aliases and len(text) > MAX_EXPRESSION:
            counts[value.op] = counts.get(value.op, 0) + 1
            text = f"{graph.symbol(value)} node {counts[value.op]}"
            expressions[value] = (text, SUM)  # bracketed inside formulas: ∂C/∂(Σ node 1)
        names[value] = text
    if order and not order[-1].label and order[-1] not in aliases:
        names[order[-1]] = "out"
        expressions[order[-1]] = ("out", ATOM)
    return names, expressions


def _expression(value, expressions):
    parts = [expressions[parent] for parent in value.parents]
    op = value.op
    if op in _INFIX and len(parts) == 2:
        joiner, precedence = _INFIX[op]
        left = _bracket(parts[0], precedence)
        right = _bracket(parts[1], precedence + (op in "-/"))  # x − (y − z), x / (y · z)
        return left + joiner + right, precedence
    if op == "neg":
        return "−" + _bracket(parts[0], PREFIX + 1), PREFIX
    if op == "abs":
        return f"|{parts[0][0]}|", ATOM
    if op == "sqrt":
        return "√" + _bracket(parts[0], ATOM), PREFIX
    if op == "**k":
        k = graph.constants(value)["k"]
        power = _SUPERSCRIPTS.get(k, f"^{compact(k)}")
        return _bracket(parts[0], ATOM) + power, POWER
    if op == "c**y":
        c = compact(graph.constants(value)["c"])
        return (f"({c})" if c.startswith("-") else c) + "^" + _bracket(parts[0], ATOM), POWER
    if op == "**":
        return _bracket(parts[0], ATOM) + "^" + _bracket(parts[1], ATOM), POWER
    if op == "sum":
        return " + ".join(_bracket(p, SUM) for p in parts), SUM
    if graph.is_neuron_sum(value):
        return _weighted_sum(value, expressions), SUM
    return f"{graph.function_name(value)}({', '.join(p[0] for p in parts)})", ATOM  # σ(z), exp(x), ...


def _number(x):
    """A number as an expression: a negative one is bracketed wherever it is an operand."""
    shown = compact(x)
    return shown, PREFIX if shown.startswith("-") else ATOM


def _weighted_sum(value, expressions):
    """z = w_1·a_1 + w_2·a_2 + b, the inputs being a neuron's values or its data numbers."""
    groups = graph.input_groups(value)
    data = graph.data_inputs(value)
    inputs = [expressions[a] for a in groups.get("inputs", ())] or [_number(x) for x in data or ()]
    terms = [f"{_bracket(expressions[w], PRODUCT)}·{_bracket(a, POWER)}" for w, a in zip(groups["weights"], inputs)]
    terms += [_bracket(expressions[b], SUM) for b in groups.get("bias", ())]
    return " + ".join(terms)


def _bracket(part, needed):
    text, precedence = part
    return text if precedence >= needed else f"({text})"
