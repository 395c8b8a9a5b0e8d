"""gradcheck: the engine's gradient against central differences and against a hand formula.

    ∂f/∂x ≈ (f(x + ε) - f(x - ε)) / 2ε
"""

import math
import warnings
from dataclasses import dataclass, field

from .engine import Value, _number, topological_order
from .functional import grad
from .ops import OPS


class KinkWarning(UserWarning):
    """An input sits where an op is not differentiable; the engine used its documented convention."""


@dataclass
class Row:
    name: str
    engine: float
    numeric: float
    hand: float | None
    abs_error: float
    rel_error: float
    ok: bool


@dataclass
class GradcheckReport:
    rows: list = field(default_factory=list)
    value: float = math.nan

    @property
    def ok(self):
        return all(row.ok for row in self.rows)

    def __bool__(self):
        """The verdict, so that `assert autograd.gradcheck(...)` fails on a mismatch (as
        PyTorch's gradcheck returns a bool)."""
        return self.ok

    def __getitem__(self, name):
        for row in self.rows:
            if row.name == name:
                return row
        raise KeyError(f"gradcheck report has no input named {name!r}")

    def __str__(self):
        header = f"{'input':<12} {'engine':>14} {'numeric':>14} {'hand':>14} {'abs err':>10} {'rel err':>10}  ok"
        lines = [f"gradcheck of f = {self.value:.10g}", header, "-" * len(header)]
        for r in self.rows:
            hand = "-" if r.hand is None else f"{r.hand:.8g}"
            lines.append(f"{r.name:<12} {r.engine:>14.8g} {r.numeric:>14.8g} {hand:>14} "
                         f"{r.abs_error:>10.2e} {r.rel_error:>10.2e}  {'yes' if r.ok else 'NO'}")
        lines.append("all agree" if self.ok else "MISMATCH: see the rows marked NO")
        return "\n".join(lines)


def gradcheck(f, inputs, *, hand=None, eps=1e-6, atol=1e-6, rtol=1e-5):
    """Check ∂f/∂input for every input: engine vs central differences (and vs `hand`).

    f       takes one Value per input (by keyword when `inputs` is a dict) and returns a Value
    inputs  {name: number} or a list of numbers (then named x0, x1, ...)
    hand    {name: number or callable of the input floats} (or a list): hand-derived gradients
    A row is ok when every comparison satisfies |engine - other| <= atol + rtol |other|.
    """
    names, point = _named_inputs(inputs)
    hand = _named_hand(hand, names)
    eps = _number(eps, "gradcheck eps")
    if eps <= 0:
        raise ValueError(f"gradcheck eps: the step of the central difference must be > 0, got {eps}")

    def call(numbers):
        values = [Value(x, label=name) for name, x in zip(names, numbers)]
        kwargs = dict(zip(names, values))
        out = f(**kwargs) if isinstance(inputs, dict) else f(*values)
        if not isinstance(out, Value):
            raise TypeError(f"gradcheck: f must return a Value, got {type(out).__name__}")
        return out, values

    out, values = call(point)
    # f of constants alone (or of detached inputs) has no graph: the engine's gradient is 0,
    # which the central differences then confirm or refute, as torch.autograd.gradcheck does.
    engine = grad(out, values) if out.requires_grad else [0.0] * len(values)
    report = GradcheckReport(value=out.data)
    kinks = {}
    for i, name in enumerate(names):
        numeric, plus, minus = _central_difference(call, point, i, eps)
        kinks.update(_kinks_in_reach(out, plus, minus))
        expected = _hand_value(hand.get(name), point, names, inputs)
        others = [numeric] + ([] if expected is None else [expected])
        abs_error = max(abs(engine[i] - other) for other in others)
        rel_error = max(abs(engine[i] - other) / max(abs(other), 1e-300) for other in others)
        ok = all(abs(engine[i] - other) <= atol + rtol * abs(other) for other in others)
        report.rows.append(Row(name, engine[i], numeric, expected, abs_error, rel_error, ok))
    for node, op in kinks.items():
        where = f"node '{node.label}'" if node.label else f"a {node.op} node"
        what = "its input" if op.kink_of is None else "the difference of its inputs"
        warnings.warn(f"gradcheck: {where} has {what} {_kinked(op, node):g} on or within eps of a "
                      f"kink: {op.kink_rule}; central differences may disagree there",
                      KinkWarning, stacklevel=2)
    return report


def _named_inputs(inputs):
    if isinstance(inputs, dict):
        names = [str(name) for name in inputs]
        numbers = [_number(x, f"gradcheck input {name!r}") for name, x in inputs.items()]
    else:
        numbers = [_number(x, f"gradcheck input {i}") for i, x in enumerate(inputs)]
        names = [f"x{i}" for i in range(len(numbers))]
    if not numbers:
        raise ValueError("gradcheck: inputs is empty; give at least one input")
    return names, numbers


def _named_hand(hand, names):
    if hand is None:
        return {}
    if isinstance(hand, dict):
        unknown = set(map(str, hand)) - set(names)
        if unknown:
            raise KeyError(f"gradcheck: hand names inputs that do not exist: {sorted(unknown)}")
        return {str(k): v for k, v in hand.items()}
    hand = list(hand)
    if len(hand) != len(names):
        raise ValueError(f"gradcheck: hand has {len(hand)} entries for {len(names)} inputs")
    return dict(zip(names, hand))


def _hand_value(formula, point, names, inputs):
    if formula is None:
        return None
    if callable(formula):
        formula = formula(**dict(zip(names, point))) if isinstance(inputs, dict) else formula(*point)
    return _number(formula, "gradcheck hand value")


def _central_difference(call, point, i, eps):
    """(f(x + ε) - f(x - ε)) / 2ε along input i, and the two graphs (kept to look for kinks)."""
    plus, minus = list(point), list(point)
    plus[i] += eps
    minus[i] -= eps
    plus_out, minus_out = call(plus)[0], call(minus)[0]
    return (plus_out.data - minus_out.data) / (2 * eps), plus_out, minus_out


def _kinks_in_reach(out, plus, minus):
    """{node: op} for kink nodes of `out` whose input sits on the kink, or crosses it between the
    graphs at x - ε and x + ε (the same graph, node for node, when the structure allows)."""
    base = topological_order(out)
    shifted = [topological_order(plus), topological_order(minus)]
    comparable = all(len(order) == len(base) for order in shifted)
    found = {}
    for k, node in enumerate(base):
        op = OPS.get(node.op)
        if op is None or op.kink_at is None:
            continue
        at = op.kink_at(**(node.consts or {}))
        up, down = ((_kinked(op, order[k]) - at) for order in shifted) if comparable else (1.0, 1.0)
        if _kinked(op, node) == at or up * down <= 0:
            found[node] = op
    return found


def _kinked(op, node):
    """The number whose value `op.kink_at` names: the first input, or `op.kink_of(inputs)`."""
    if op.kink_of is None:
        return node.parents[0].data
    return op.kink_of(*(parent.data for parent in node.parents))
