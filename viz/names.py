"""Names a learner can read, for every value of a graph.

A labelled value is called by its label (bracketed inside a formula when it holds an operator
or a space: ∂o/∂(x1*w1)). An unlabelled one is called by what it computes,
written as the notes write it: `y_1 − a(4)_1`, `(y_1 − a(4)_1)²`, `0.5 · Σ(...)`. A number the
engine made into a leaf (a constant: requires_grad False, the 2 of x * 2) is called by the
number. An unlabelled leaf you made (requires_grad True: micrograd's Value(2.0)) is called v1,
v2, ... in the order the walk meets it: by its number, two inputs that hold 2 would read alike,
and ∂out/∂2 reads as a derivative by a number. An expression too long to read in a formula
gets a short descriptive name instead ("× node 2": the second unlabelled × node). An
unlabelled root is called "out". Nothing is ever called by an internal number such as #41.

Every value drawn gets a name of its own: values whose names would be equal (two constants 2,
two leaves labelled "w", one product a · b computed twice) are told apart by an index, in the
order the walk meets them: 2₁ and 2₂, w₁ and w₂, (a · b)₁ and (a · b)₂. Pictures and steps take
their names from here, so a value is called the same in both.
"""

from . import graph
from .style import compact

MAX_EXPRESSION = 32  # characters: longer expressions make formulas unreadable
# significant digits of an op's constant in a name (x^2.00002, step≥0.50001(x)), and of a
# constant leaf's: with the picture's 4, x ** 2.00002 would read x^2, as if it were x², and
# the constants 0.12345 and 0.12349 both 0.1235, told apart only by an index
CONSTANT_DIGITS = 6

# precedence of what an expression is: an atom needs no brackets anywhere; a label with an
# operator (micrograd's "x1*w1") is bracketed in anything but a sum: x1*w1 + x2*w2, (x1*w1) · 2
ATOM, POWER, PREFIX, PRODUCT, LABEL, SUM = 6, 5, 4, 3, 2, 1

_INFIX = {"+": (" + ", SUM), "-": (" − ", SUM), "*": (" · ", PRODUCT), "/": (" / ", PRODUCT)}
_SUPERSCRIPTS = {2.0: "²", 3.0: "³"}
_OPERATORS = set("+-−*/·×^=<>")
# ops whose symbol is a formula in x (ln(1+x)), written with their input in it:
# (the formula, how tightly the input binds in it, the formula's precedence)
_WRITTEN = {"log1p": ("ln(1 + {})", PRODUCT, ATOM), "expm1": ("e^{} − 1", ATOM, SUM)}


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
    from .scene import reading_order  # here: scene names its boxes through this module

    aliases = aliases or {}
    # numbered as a reader meets them (a · b + c: a is v1): the engine's topological order
    # lists a node's leaf inputs when it first reaches the node, c before a
    walk = reading_order(order[-1]) if order else []
    expressions = _own_names(walk, aliases)
    taken = {text for text, _ in expressions.values()}
    twins = _computed_twice(walk, aliases)
    counts = {}
    for value in walk:
        if value in aliases:
            expressions[value] = expressions[aliases[value]]
        elif value not in expressions:
            expression = _expression(value, expressions)
            if value in twins:
                expression = _indexed(expression, twins[value])
            if len(expression[0]) > MAX_EXPRESSION or expression[0] in taken:
                # too long to read, or reading like a label ("a · b"): a short name of its own
                expression = _short_name(value, counts, taken)
            expressions[value] = expression
            taken.add(expression[0])
    return {value: expressions[value][0] for value in order}, expressions


def _own_names(order, aliases):
    """{value: expression} of the values named without their inputs: a label, a constant's
    number, v1, v2, ... for an unlabelled leaf you made, "out" for an unlabelled root. Equal
    names are told apart by an index in walk order (2₁, 2₂), so each value's is its own."""
    own, leaves = {}, []
    for value in order:
        label = _label(value)
        if value in aliases:
            continue
        if label:
            own[value] = (label, LABEL if is_compound(label) else ATOM)
        elif value is order[-1]:
            own[value] = ("out", ATOM)
        elif not value.op and not getattr(value, "requires_grad", False):
            own[value] = _number(value.data, CONSTANT_DIGITS)  # 0.12345 and 0.12349 read apart
        elif not value.op:
            leaves.append(value)
    labels = {text for text, _ in own.values()}
    counter = (f"v{n}" for n in range(1, len(order) + len(labels) + 1))
    for value in leaves:  # v1, v2, ...: none is a label of this graph
        own[value] = (next(name for name in counter if name not in labels), ATOM)
    alike = {}
    for value, (text, _) in own.items():
        alike.setdefault(text, []).append(value)
    texts = set(alike)
    for values in (values for values in alike.values() if len(values) > 1):
        k = 0
        for value in values:
            k += 1
            while _indexed(own[value], k)[0] in texts:  # w₂ is another value's label: w₃
                k += 1
            own[value] = _indexed(own[value], k)
    return own


def _label(value):
    """value.label, which must be a str: one set by assignment (a.label = 5) is not checked by
    the engine, which refuses it at Value(..., label=5) with these words."""
    label = value.label
    if not isinstance(label, str):
        kind = f"op {value.op}" if value.op else "leaf"
        raise TypeError(f"viz: Value label: expected str, got {type(label).__name__}: the label "
                        f"{label!r:.60} of the value ({kind}, data {value.data!r:.60}); set .label to a str")
    return label


def _computed_twice(order, aliases):
    """{node: its index among its twins} for the unlabelled nodes that compute the same op of
    the same inputs as another one (two a * b): such twins would read alike, so each is indexed."""
    seen = {}
    for value in order:
        if value.op and not value.label and value not in aliases and value is not order[-1]:
            inputs = tuple(id(aliases.get(parent, parent)) for parent in value.parents)
            key = (value.op, inputs, repr(sorted(graph.constants(value).items())))
            seen.setdefault(key, []).append(value)
    return {value: k for values in seen.values() if len(values) > 1 for k, value in enumerate(values, 1)}


def _short_name(value, counts, taken):
    """"× node 2": the second unlabelled × node named so, skipping a name a label has taken."""
    while True:
        counts[value.op] = counts.get(value.op, 0) + 1
        text = f"{graph.symbol(value)} node {counts[value.op]}"
        if text not in taken:
            return text, SUM  # bracketed inside formulas: ∂C/∂(Σ node 1)


_SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def _indexed(expression, k):
    """The k-th of several values that would read alike: w₂, 2₂, (a · b)₂."""
    return _bracket(expression, ATOM) + str(k).translate(_SUBSCRIPTS), ATOM


def _expression(value, expressions):
    parts = [expressions[parent] for parent in value.parents]
    op = value.op
    if op in _INFIX and len(parts) == 2:
        return _infix(op, *parts)
    if op == "neg":
        return "−" + _bracket(parts[0], POWER), PREFIX
    if op == "abs":
        return f"|{parts[0][0]}|", ATOM
    if op == "sqrt":
        return "√" + _bracket(parts[0], ATOM), PREFIX
    if op == "**k":
        k = graph.constants(value)["k"]
        power = _SUPERSCRIPTS.get(k, f"^{compact(k, CONSTANT_DIGITS)}")
        return _bracket(parts[0], ATOM) + power, POWER
    if op == "c**y":
        c = compact(graph.constants(value)["c"], CONSTANT_DIGITS)
        return (f"({c})" if c.startswith("-") else c) + "^" + _bracket(parts[0], ATOM), POWER
    if op == "**":
        return _bracket(parts[0], ATOM) + "^" + _bracket(parts[1], ATOM), POWER
    if op == "sum":  # Σ(a + b, c) is (a + b) + c: a + b + c would read as three inputs
        terms = [_bracket(p, LABEL) for p in parts[:1]] + [_operand(p, LABEL) for p in parts[1:]]
        return " + ".join(terms), SUM
    if graph.is_neuron_sum(value):
        return _weighted_sum(value, expressions), SUM
    if op == "step":  # step≥0.5(x) and step≥0.7(x) are two nodes: the threshold tells them apart
        return f"{graph.symbol(value, CONSTANT_DIGITS)}({parts[0][0]})", ATOM
    if op in _WRITTEN:  # ln(1 + x), e^x − 1: the op's symbol names its input x
        text, needed, precedence = _WRITTEN[op]
        return text.format(_operand(parts[0], needed)), precedence
    if op == "softmax":  # output i of the vector softmax(x): softmax_2(l0, l1, l2), as its op node is drawn
        return f"{graph.symbol(value)}({', '.join(p[0] for p in parts)})", ATOM
    return f"{graph.function_name(value)}({', '.join(p[0] for p in parts)})", ATOM  # σ(z), exp(x), ...


def _infix(op, left, right):
    """x · y, a + b · c, x − (y − z): a right operand of the op's own precedence is bracketed,
    and then a left one too, so that each operand reads as the node it is: (x · y) · (x · y),
    not x · y · x · y; a left chain keeps the left-to-right reading, a · b · c."""
    joiner, precedence = _INFIX[op]
    tighter = PREFIX if precedence == PRODUCT else PRODUCT  # what needs no brackets beside it
    nested = right[1] == precedence  # (x · y) · (x · y), x − (y − z)
    left = _bracket(left, tighter if nested else precedence)
    return left + joiner + _operand(right, tighter if nested or op in "-/" else precedence), precedence


def _operand(part, needed):
    """A right operand: bracketed below `needed`, and when it is negative (x · (−y), x − (-2)):
    x · -2 and x − −y read as one operator too many."""
    return _bracket(part, POWER if part[1] == PREFIX else needed)


def _number(x, digits=4):
    """A number as an expression: a negative one is bracketed wherever it is an operand."""
    shown = compact(x, digits)
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
