"""gradcheck: the engine's gradient against central differences and against a hand formula.

    ∂f/∂x ≈ (f(x + ε) - f(x - ε)) / 2ε

Each input gets two comparisons, each with its own tolerance, because their errors differ in kind:

engine vs numeric  |engine - numeric| <= atol + rtol |numeric|: torch.autograd.gradcheck's test
                   and defaults (eps 1e-6, atol 1e-5, rtol 1e-3), so that what passes there passes
                   here. A central difference in floats is off by its truncation (about ε² f'''/6)
                   and its rounding (about ulp(f)/ε): for 1/x at 3e-4 the first is 1.1e-5 of the
                   gradient, with a correct engine. The price is that this comparison cannot see a
                   gradient smaller than atol. Where f's rounding alone, |f| ε_mach / ε, is above
                   both the difference and the engine's gradient (f = 5e7, ∂f/∂x = 1e-4), the
                   report says the difference cannot resolve it, and rests on engine vs hand.
engine vs hand     |engine - hand| <= hand_atol + hand_rtol max(|engine|, |hand|, terms), with
                   hand_rtol 1e-9: both are exact formulas evaluated in floats and differ by rounding
                   only. hand_atol is, unless given, per input x 4 ulps of the largest
                   |∂f/∂v| · Σ_p r_p(v) · T_x(p) over the op nodes v on x's paths whose derivatives
                   are made of forward values (r_p: the absolute rounding ∂v/∂p carries from them,
                   |σ| for σ(1 - σ), 2a² for 1 - a², only its own size for 2u or -v/w; T_x: the
                   chain-rule terms from x into p; a forward value q carries A(q) = |q| + Σ_p A(p)
                   |∂q/∂p|, 0 for an input: its own rounding and what it inherits, so that the 2u
                   of u = y - σ(z) ≈ 0 in ½u² carries σ's rounding, about |σ|, not |u| ≈ 0), or,
                   for a v whose derivative may be written in its own value (σ, e^x, 1/w, √x, not
                   u²), A(v) · |∂f/∂v| · T_x(u), u the one node v is
                   a function of, with constants, as z for 1/(1 + e^-z): a derivative made of forward values (σ(1 - σ), 1 - tanh²)
                   carries their absolute rounding, so 1 - tanh²(10) and the engine's tanh' may
                   differ by 1e-8 of 8e-9, and σ(w x)'s ∂/∂w carries it times x; a value f
                   barely moves with adds nothing, nor does a sum, however large (a cost's term
                   of 5e7 that x does not feed), whose derivatives are exact. Each row keeps the
                   bound it was judged by (row.hand_atol). Rounding is relative to `terms`, the
                   size of the chain-rule terms the engine summed (Σ over paths of Π |local
                   derivative|): where they cancel, as in
                   sin²x + cos²x, the gradient is tiny but its rounding is not. A formula off by a
                   sign, a factor 2 or a square is off by O(1) relatively, however small the gradient.
                   Terms that overflow a float are left out of the scale (it is then stricter).
                   Where that bound is wider than 1% of the gradient (terms of 2e20 that cancel
                   to 1e-10: the engine's own sum is then rounding), the central difference judges
                   the hand value instead, when it is the sharper: within its spread (its
                   truncation, from a second step 2ε, and f's rounding) plus rtol |numeric|.
                   Where the difference cannot resolve the gradient (f's rounding alone moves it
                   more), engine and hand agreeing is the verdict.

An x within eps of the edge of f's domain (-log p at p = 5e-7) is not moved across it: gradcheck
raises the engine's error, of the same type, naming the input and x ± eps, and suggests a smaller eps.
"""

import inspect
import math
import sys
import textwrap
import warnings
from dataclasses import dataclass, field

import numpy as np

from .checks import as_bounded
from .engine import Value, _number, gradients, local_derivatives, topological_order
from .functional import term_sizes
from .higher import is_one_number, values as values_namespace
from .messages import node_name, number
from .ops import OPS

# The errors the engine raises for a point outside an op's domain, or a result beyond floats.
_ENGINE_ERRORS = (ZeroDivisionError, OverflowError, ValueError)


class KinkWarning(UserWarning):
    """An input sits where an op is not differentiable; the engine used its documented convention."""


@dataclass
class Row:
    """One input's two comparisons.

    numeric_error  |engine - numeric| / |numeric|
    hand_error     |engine - hand| / max(|engine|, |hand|, terms): the number hand_rtol bounds
    hand_atol      the absolute part of the bound this row's hand value was judged by
    hand, hand_error, hand_ok and hand_atol are None for an input without a hand formula.
    """
    name: str
    engine: float
    numeric: float
    numeric_error: float
    numeric_ok: bool
    hand: float | None = None
    hand_error: float | None = None
    hand_ok: bool | None = None
    hand_atol: float | None = None
    numeric_resolves: bool = True  # False: f's rounding alone moves the difference past the gradient
    hand_judged_by_numeric: float | None = None  # the difference's spread, where it judged the hand value

    @property
    def ok(self):
        """Both comparisons agree; where the difference cannot resolve the gradient (f = 5e7 +
        1e-4 x), engine and hand agreeing is the verdict, as the module's docstring says."""
        numeric_ok = self.numeric_ok or (not self.numeric_resolves and self.hand_ok is True)
        return numeric_ok and self.hand_ok is not False

    @property
    def abs_error(self):
        """The larger |engine - other| of the two comparisons."""
        others = [self.numeric] + ([] if self.hand is None else [self.hand])
        return max(abs(self.engine - other) for other in others)

    @property
    def rel_error(self):
        """The larger relative error of the two comparisons."""
        return max(self.numeric_error, self.hand_error or 0.0)


@dataclass
class GradcheckReport:
    rows: list = field(default_factory=list)
    value: float = math.nan
    eps: float = 1e-6
    atol: float = 1e-5
    rtol: float = 1e-3
    hand_rtol: float = 1e-9
    hand_atol: float = 0.0  # the largest row.hand_atol of the rows with a hand value (0 without one)

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
        width = max(len("input"), *(len(row.name) for row in self.rows))
        header = _line(width, "input", "engine", "numeric", "rel err", "ok", "hand", "rel err", "ok")
        pairs = f"{'':<{width}} {'':>14} {'engine vs numeric':^28}   {'engine vs hand':^28}".rstrip()
        lines = [f"gradcheck of f = {self.value:.10g} (eps {self.eps:g})", pairs, header, "-" * len(header)]
        lines += [_row_line(width, row) for row in self.rows]
        for verdict in self.verdicts():  # wrapped to the table's width, for a terminal
            lines += textwrap.wrap(verdict, len(header), subsequent_indent="    ")
        return "\n".join(lines)

    def _repr_pretty_(self, printer, cycle):
        """The table, not the dataclass, when a notebook shows a report left at the end of a cell."""
        printer.text(str(self))

    def verdicts(self):
        """The last lines of the report: 'all agree' and the tolerances, or one line per mismatch."""
        if self.ok:
            tolerances = f"numeric: atol {self.atol:g}, rtol {self.rtol:g}"
            if any(row.hand is not None for row in self.rows):
                tolerances += f"; hand: {_hand_tolerance(self)}"
            unresolved = [_unresolved(self, row) for row in self.rows if not row.numeric_ok]
            return [f"all agree ({tolerances})"] + [f"{text}: the hand formula and the engine agree, and that "
                                                    f"is the verdict" for text in unresolved]
        return [_mismatch(self, row) for row in self.rows if not row.ok]


def _line(width, *cells):
    name, engine, numeric, numeric_error, numeric_ok, hand, hand_error, hand_ok = cells
    return (f"{name:<{width}} {engine:>14} {numeric:>14} {numeric_error:>9} {numeric_ok:>3}   "
            f"{hand:>14} {hand_error:>9} {hand_ok:>3}")


def _row_line(width, row):
    def verdict(ok):
        return "-" if ok is None else "yes" if ok else "NO"
    hand = "-" if row.hand is None else f"{row.hand:.8g}"
    hand_error = "-" if row.hand_error is None else f"{row.hand_error:.2g}"
    return _line(width, row.name, f"{row.engine:.8g}", f"{row.numeric:.8g}", f"{row.numeric_error:.2g}",
                 verdict(row.numeric_ok), hand, hand_error, verdict(row.hand_ok))


def _hand_tolerance(report):
    """The bounds the hand values were judged by: each row's own atol (an input without a hand
    value was judged by none), then the one hand_rtol."""
    relative = f"rtol {report.hand_rtol:g}"
    judged = [row for row in report.rows if row.hand is not None]
    atols = sorted({row.hand_atol for row in judged})
    if atols == [0.0]:
        return relative
    if len(atols) == 1:
        return f"atol {atols[0]:.2g}, {relative}"
    if len(judged) <= 4:
        return f"atol {', '.join(f'{row.hand_atol:.2g} for {row.name}' for row in judged)}; {relative}"
    return f"atol {atols[0]:.2g} to {atols[-1]:.2g} (each input's: report[name].hand_atol), {relative}"


def _mismatch(report, row):
    """Which comparison failed for `row`, and what the third number says about the culprit."""
    noise = _unresolved(report, row)
    if row.hand_judged_by_numeric is not None and not row.hand_ok:
        return (f"MISMATCH hand vs numeric for {row.name}: the engine's gradient sums chain-rule terms that "
                f"cancel, so its rounding cannot tell the hand value {row.hand:.6g} from the true gradient; the "
                f"central difference resolves it, {row.numeric:.6g} ± {row.hand_judged_by_numeric:.2g}, and the "
                f"hand formula is off by {abs(row.hand - row.numeric):.2g}")
    if row.hand_ok is None:
        if noise:
            return (f"MISMATCH engine vs numeric for {row.name}: {noise}; check this gradient with a hand "
                    f"formula, or with f's large terms left out")
        return (f"MISMATCH engine vs numeric for {row.name}: |engine - numeric| = "
                f"{abs(row.engine - row.numeric):.3g} > atol + rtol |numeric| (a wrong engine, a kink "
                f"within eps, or an eps wrong for f)")
    if row.hand_ok:
        if noise:
            return (f"MISMATCH engine vs numeric for {row.name}: the hand formula agrees with the engine; "
                    f"{noise}")
        return (f"MISMATCH engine vs numeric for {row.name}: the hand formula agrees with the engine, so the "
                f"central difference is the one off (its truncation or rounding, or a kink): try another eps")
    if noise:
        return (f"MISMATCH engine vs hand for {row.name}: they differ by {row.hand_error:.2g} relative; "
                f"{noise}, so the verdict rests on engine vs hand alone, which cannot say which of the two "
                f"is off (a hand formula is the likelier){_rounding_hint(row)}")
    if row.numeric_ok:
        return (f"MISMATCH engine vs hand for {row.name}: they differ by {row.hand_error:.2g} relative and "
                f"the central difference agrees with the engine, so the hand formula is the one off"
                f"{_rounding_hint(row)}")
    hand_is_numeric = abs(row.hand - row.numeric) <= report.atol + report.rtol * abs(row.numeric)
    culprit = ("the hand formula agrees with the central difference, so the engine is the one off"
               if hand_is_numeric else "all three differ")
    return f"MISMATCH engine vs numeric and engine vs hand for {row.name}: {culprit}"


def _unresolved(report, row):
    """Why the central difference says nothing about this gradient, or "": f's rounding alone,
    |f| ε_mach, moves (f(x + ε) - f(x - ε)) / 2ε by about |f| ε_mach / ε, and both the
    difference and the engine's gradient are below that (a cost with a term of 5e7 beside
    one of 1e-4, at eps 1e-6)."""
    noise = abs(report.value) * sys.float_info.epsilon / report.eps
    if not math.isfinite(noise) or noise <= abs(row.engine) or abs(row.numeric) > noise:
        return ""
    return (f"the central difference cannot resolve this gradient at eps {report.eps:g}: f = "
            f"{report.value:.3g} is too large, its rounding alone moves the difference by about {noise:.2g}, "
            f"above |engine| = {abs(row.engine):.2g}")


def _rounding_hint(row):
    """A slip (a sign, a factor, a square) is off by O(1); a difference this small may instead be the
    rounding of a formula written differently from the engine's (σ(1 - σ) where σ is near 1)."""
    if row.hand_error > 1e-6:
        return ""
    return (" (or it is written differently from the engine's formula and rounds differently: "
            "if you trust it, give a larger hand_rtol)")


def gradcheck(f, inputs, *, hand=None, eps=1e-6, atol=1e-5, rtol=1e-3, hand_rtol=1e-9, hand_atol=None):
    """Check ∂f/∂input for every input: engine vs central differences, and engine vs `hand`.

    f          takes one Value per input (by keyword when `inputs` is a dict) and returns a Value
    inputs     {name: number} or a list of numbers (then named x0, x1, ...) or one number (x0);
               a Value counts as its .data, as torch.autograd.gradcheck takes tensors
    hand       {name: number or callable}, a list of them, or one for one input: hand-derived
               gradients; a callable takes the input floats as f takes its Values
    atol, rtol           engine vs numeric: |engine - numeric| <= atol + rtol |numeric| (torch's)
    hand_atol, hand_rtol engine vs hand: |engine - hand| <= hand_atol + hand_rtol max(|engine|,
               |hand|, terms), terms = Σ over paths of Π |local derivative|; hand_atol None:
               each input's own rounding bound (the module's docstring)
    A row is ok when both of its comparisons are.
    """
    if not callable(f):
        raise TypeError(f"gradcheck: f must be a function of the inputs returning a Value, got "
                        f"{type(f).__name__} {f!r:.40}")
    by_name = isinstance(inputs, dict)
    names, point = _named_inputs(inputs)
    _require_takes_inputs(f, names, by_name)
    hand = _named_hand(hand, names, by_name)
    eps = as_bounded(eps, "gradcheck eps", positive=True, meaning="the step of the central difference")
    tolerances = {what: as_bounded(value, f"gradcheck {what}", meaning="a tolerance") for what, value in
                  dict(atol=atol, rtol=rtol, hand_rtol=hand_rtol).items()}

    def call(numbers):
        values = [Value(x, label=name) for name, x in zip(names, numbers)]
        out = f(**dict(zip(names, values))) if by_name else f(*values)
        if not isinstance(out, Value):
            raise TypeError(f"gradcheck: f must return a Value, got {type(out).__name__}")
        return out, values

    out, values = call(point)
    # One backward pass serves the engine's column and the rounding bound: grad(out, values)'s
    # own walk, which checks only the paths to the inputs, the only nodes the bound reads.
    # f of constants alone (or of detached inputs) has no graph: the engine's gradient is 0,
    # which the central differences then confirm or refute, as torch.autograd.gradcheck does.
    grads = gradients(out, inputs=values) if out.requires_grad else {}
    engine = [grads.get(value, 0.0) for value in values]
    hand_atols = (_forward_rounding(out, values, grads) if hand_atol is None
                  else [as_bounded(hand_atol, "gradcheck hand_atol", meaning="a tolerance")] * len(values))
    terms = _term_sizes(out, values)
    report = GradcheckReport(value=out.data, eps=eps, **tolerances)
    kinks = {}
    for i, name in enumerate(names):
        numeric, plus, minus = _central_difference(call, point, names, i, eps)
        kinks.update(_kinks_in_reach(out, plus, minus))
        expected = _hand_value(hand.get(name), name, point, names, by_name)
        row = _compare(report, name, engine[i], numeric, expected, terms[i], hand_atols[i])
        if row.hand is not None and row.numeric_resolves and _too_coarse_for(row, report, terms[i]):
            _judge_hand_by_difference(row, report, call, point, names, i, (plus.data, minus.data), terms[i])
        report.rows.append(row)
    report.hand_atol = max((row.hand_atol for row in report.rows if row.hand is not None), default=0.0)
    _warn_about(kinks)
    return report


def _compare(report, name, engine, numeric, hand, terms, hand_atol):
    difference = abs(engine - numeric)
    row = Row(name, engine, numeric, numeric_error=_relative(difference, abs(numeric)),
              numeric_ok=difference <= report.atol + report.rtol * abs(numeric))
    row.numeric_resolves = not _unresolved(report, row)
    if hand is not None:
        scale = max(abs(engine), abs(hand), terms)
        row.hand, row.hand_error, row.hand_atol = hand, _relative(abs(engine - hand), scale), hand_atol
        row.hand_ok = abs(engine - hand) <= _engine_bound(row, report, terms)
    return row


def _engine_bound(row, report, terms):
    """How far engine and hand may differ by rounding alone: hand_atol + hand_rtol · the larger
    of the two and the chain-rule terms the engine summed."""
    return row.hand_atol + report.hand_rtol * max(abs(row.engine), abs(row.hand), terms)


def _too_coarse_for(row, report, terms):
    """Whether the engine's rounding bound is too wide to tell a slip (a factor, a sign) in a
    gradient of this size: chain-rule terms of 2e20 that cancel to 1e-10 leave the engine's sum
    uncertain by far more than the gradient, so its agreeing with a hand value proves nothing."""
    return _engine_bound(row, report, terms) > 0.01 * max(abs(row.hand), abs(row.numeric))


def _judge_hand_by_difference(row, report, call, point, names, i, shifted, terms):
    """Judge the hand value by the central difference instead, where that is the sharper of the
    two: its spread is its truncation, estimated from a second step 2ε (D(2ε) - D(ε) is about 3
    times D(ε)'s truncation), plus the rounding of the f it reads, |f| ε_mach / ε, with |f| the
    largest at x, x ± ε and x ± 2ε (at a minimum, f(x) is far smaller than f(x ± ε))."""
    doubled, plus, minus = _central_difference(call, point, names, i, 2 * report.eps)
    largest = max(abs(report.value), *map(abs, shifted), abs(plus.data), abs(minus.data))
    rounding = 4 * largest * sys.float_info.epsilon / report.eps
    spread = abs(doubled - row.numeric) + rounding + 1e-12 * abs(row.numeric)
    # The hand formula's own rounding (row.hand_atol) is allowed either way; the difference judges
    # only where its spread is below what the engine's sum may be off by (hand_rtol · its terms).
    if row.hand_atol + spread >= _engine_bound(row, report, terms):
        return  # the difference is no sharper: the engine's verdict stands
    row.hand_judged_by_numeric = spread
    row.hand_ok = abs(row.hand - row.numeric) <= spread + row.hand_atol + report.rtol * abs(row.numeric)


def _relative(difference, scale):
    if difference == 0:
        return 0.0
    return difference / scale if scale > 0 else math.inf


def _term_sizes(out, values):
    """For each input, the size of the chain-rule terms the engine's gradient sums, the scale
    its rounding is relative to (0 where they overflow: the scale is then the gradients' own)."""
    sizes = term_sizes(out) if out.requires_grad else {}
    return [sizes.get(value, 0.0) for value in values]


def _forward_rounding(out, inputs, grads):
    """For each input x, 4 ulps of the largest |∂f/∂v| · (rounding carried) · T_x over the op nodes v on x's
    paths whose local derivatives are made of forward values that vary (σ(1 - σ) near σ = 1 is
    exact to 2^-51 absolute, not relative): such a derivative carries v's absolute rounding, as
    much as f moves with v, and times T_x(v), the chain-rule terms from x into v (the x of σ(w x)
    multiplies σ′'s rounding in ∂f/∂w; where x reaches v only through a term 1e-9 of a sum, v's
    rounding reaches ∂f/∂x as 1e-9 of it). Where v is a function of one node u (an input, or a
    node of several varying inputs) and constants, through one-input steps, T_x(v) is at least
    u's terms: a hand formula may write ∂v/∂u in v's value, σ(1 - σ) for 1/(1 + e^-z) of u = z,
    which passes z on through a term e^-z. The derivatives of +, -, Σ, a product by a constant,
    relu's 0 or 1 are exact: those nodes add nothing, however large (the sum of a cost's
    terms), and neither does an e^40 whose ∂f/∂ is 1e-35. The forward values a derivative
    is made of carry their absolute rounding A (_value_rounding), not only their size: at
    σ(z) = y, y - σ is 0 or an ulp, and all it holds is σ's rounding. `grads` holds ∂f/∂v, from
    the engine's one pass."""
    if not out.requires_grad:
        return [0.0] * len(inputs)
    try:
        order = topological_order(out)
        local = {node: tuple(map(abs, local_derivatives(node))) for node in order if node.parents}
    except FloatingPointError:
        return [0.0] * len(inputs)
    varying = _varying(order, inputs)
    rounding = _value_rounding(order, local, varying)
    rounded = {node for node in local if _made_of_varying_values(node, varying)}
    own = {node for node in rounded if _written_in_its_own_value(node, varying)}
    carried = {node: _derivative_rounding(node, varying, rounding) for node in rounded}
    return [4 * sys.float_info.epsilon * _largest_rounding(x, order, local, grads, varying, carried, own, rounding)
            for x in inputs]


def _value_rounding(order, local, varying):
    """{v: A(v)}, the absolute rounding of each varying value in units of ε_mach:

        A(x) = 0 for an input (it is exact),   A(v) = |v| + Σ_p A(p) |∂v/∂p|

    v's own rounding plus what it inherits from its inputs. Where y - σ(z) ≈ 0, |y - σ| is
    nothing but A(y - σ) = |y - σ| + A(σ) is about |σ|: σ's rounding is all that difference is
    made of, and a hand (σ - y) σ(1 - σ) carries it. Where A overflows, |v| stands for it."""
    rounding = {}
    for node in order:
        if node in local and node in varying:
            inherited = sum(rounding.get(p, 0.0) * d for p, d in zip(node.parents, local[node]))
            size = abs(node.data) + inherited
            rounding[node] = size if math.isfinite(size) else abs(node.data)
    return rounding


def _varying(order, inputs):
    """The nodes that depend on an input: the rest of the graph is constants, exact for gradcheck."""
    varying = set(inputs)
    for node in order:
        if any(parent in varying for parent in node.parents):
            varying.add(node)
    return varying


def _made_of_varying_values(node, varying):
    """Whether a local derivative of `node` toward a varying input reads a varying number (its
    own value or an input's), so carries its rounding: the table's derivatives evaluated on the
    Values namespace, with the constants as floats, give a Value exactly then."""
    numbers = [Value(parent.data) if parent in varying else parent.data for parent in node.parents]
    ds = _derivatives_on_values(node, Value(node.data), numbers)
    if ds is None:  # a derivative that leaves its domain as a node: count it
        return True
    return any(isinstance(d, Value) for d, parent in zip(ds, node.parents) if parent in varying)


def _derivatives_on_values(node, out, numbers):
    """The table's local derivatives of `node` on the Values namespace, at its value `out` and
    its inputs' `numbers` (Values where their rounding is traced, floats where not): a derivative
    that reads one of them is a Value. None where one leaves its domain."""
    op = OPS[node.op]
    try:
        return op.derivatives(values_namespace, out, *((tuple(numbers),) if op.variadic else numbers),
                              **(node.consts or {}))
    except (ArithmeticError, ValueError):
        return None


def _written_in_its_own_value(node, varying):
    """Whether ∂node/∂(its input) is a function of the node's own value v, so that a hand formula
    may write it in v and carry v's absolute rounding: σ(1 - σ), e^x, -v/w of v = 1/w, 1/(2v) of
    v = √x (the table's derivative reads `out`), and x^k for k not a whole number >= 0 (k x^(k-1)
    = k v / x, -v² for v = 1/w). A power u² (2u) or a product u u is written in u: its node adds
    only its own rounding, times the terms that reach it (at z = -30, (0.3 - σ)²'s 0.09 reaches
    ∂C/∂z times σ' = 1e-13, not times 1, which let a hand formula off by 1e-3 pass)."""
    if node.op == "**k":
        k = node.consts["k"]
        return not (k >= 0 and k == int(k))
    ds = _derivatives_on_values(node, Value(node.data), [parent.data for parent in node.parents])
    if ds is None:
        return True
    return any(isinstance(d, Value) for d, parent in zip(ds, node.parents) if parent in varying)


def _derivative_rounding(node, varying, rounding):
    """For each input p of `node`, the absolute rounding ∂node/∂p carries from the forward numbers q
    it is made of, in units of ε: Σ_q A(q) · (the terms of ∂node/∂p in q), from the table's form on
    the Values namespace, A(q) the rounding q carries (_value_rounding, at least |q|). σ(1 - σ)
    carries A(σ) however small it is (σ near 1); -v/w of v = 1/w, y of x y carry their own
    rounding, and 2u of u = y - σ ≈ 0 carries σ's. tanh's table form is exact at saturation,
    but the notes' 1 - a² carries 2|a| A(a): that is what a hand formula carries."""
    out = Value(node.data)
    numbers = [Value(parent.data) if parent in varying else parent.data for parent in node.parents]
    read = {out: _size(node, rounding)}  # each forward number, with the rounding it carries
    read.update((q, _size(parent, rounding)) for q, parent in zip(numbers, node.parents) if isinstance(q, Value))
    ds = _derivatives_on_values(node, out, numbers)
    if ds is None:  # a derivative that leaves its domain: v's own size
        return [abs(node.data)] * len(node.parents)
    carried = []
    for d in ds:
        size = _carried(d, read) if isinstance(d, Value) else 0.0
        if not math.isfinite(size):  # terms that overflow: v's own size
            size = abs(node.data)
        if node.op == "tanh":
            size = max(size, 2 * abs(node.data) * _size(node, rounding))
        carried.append(size)
    return carried


def _size(node, rounding):
    """The absolute rounding a forward number carries: A(v) (_value_rounding), at least |v| (an
    input, exact, still rounds in a product or a power)."""
    return max(abs(node.data), rounding.get(node, 0.0))


def _carried(d, read):
    """Σ_q A(q) · (Σ over the paths from q to d of Π |local derivative|), in one forward sweep of
    d's small graph (no backward pass: gradcheck walks the chain rule twice); read: {q: A(q)}."""
    size = dict(read)
    try:
        for node in topological_order(d):
            if node.parents and node not in size:
                size[node] = sum(abs(dv) * size.get(p, 0.0)
                                 for p, dv in zip(node.parents, local_derivatives(node)))
    except FloatingPointError:
        return math.inf
    return size.get(d, 0.0)


def _largest_rounding(x, order, local, grads, varying, carried, own, rounding):
    """The largest |∂f/∂v| times the rounding v's local derivatives carry times T_x: the terms
    into each input p of v (Σ_p carried_p reach[p]), or, where a hand formula may write v's
    derivative in v's own value (σ(1 - σ) of 1/(1 + e^-z)), A(v) times the terms of the one
    node u that v is a function of."""
    reach, largest = {x: 1.0}, 0.0  # reach[v]: Σ over the paths from x to v of Π |∂|
    start = {}  # start[v]: the u that v is a function of, with constants, through one-input steps
    for node in order:
        if not node.parents:
            continue
        into = max((reach.get(p, 0.0) for p in node.parents), default=0.0)
        if into == 0.0:
            continue
        sources = {p for p in node.parents if p in varying}
        if len(sources) == 1:
            (source,) = sources
            start[node] = start.get(source, source)
        if node in carried:
            size = sum(c * reach.get(p, 0.0) for p, c in zip(node.parents, carried[node]))
            if node in own:
                size = max(size, _size(node, rounding) * reach.get(start.get(node), 0.0))
            largest = max(largest, abs(grads.get(node, 0.0)) * size)
        reach[node] = sum(d * reach.get(p, 0.0) for p, d in zip(node.parents, local[node]))
    return largest if math.isfinite(largest) else 0.0


def _as_float(x, what):
    """A number, or a Value by its .data (as torch's gradcheck takes the tensors themselves)."""
    return _number(x.data if isinstance(x, Value) else x, what)


def _named_inputs(inputs):
    if inputs is None or isinstance(inputs, (str, bytes)):
        raise TypeError(f"gradcheck inputs: expected a number, a list of numbers or a dict of them, "
                        f"got {type(inputs).__name__} {inputs!r:.40}")
    if isinstance(inputs, dict):
        names = [str(name) for name in inputs]
        point = [_as_float(x, f"gradcheck input {name!r}") for name, x in inputs.items()]
    else:
        inputs = [inputs] if is_one_number(inputs) else inputs  # one input, as torch takes one tensor
        point = [_as_float(x, f"gradcheck input {i}") for i, x in enumerate(inputs)]
        names = [f"x{i}" for i in range(len(point))]
    if not point:
        raise ValueError("gradcheck: inputs is empty; give at least one input")
    return names, point


def _named_hand(hand, names, by_name):
    if hand is None:
        return {}
    if isinstance(hand, dict):
        unknown = [key for key in hand if str(key) not in names]
        if unknown:
            how = "" if by_name else " (a list's inputs are named x0, x1, ...; or give hand as a list)"
            raise KeyError(f"gradcheck: hand names inputs that do not exist: {', '.join(map(repr, unknown))};"
                           f" the inputs are {', '.join(names)}{how}")
        return {str(k): v for k, v in hand.items()}
    if callable(hand) or is_one_number(hand):
        if len(names) != 1:
            raise TypeError(f"gradcheck: hand is one formula for {len(names)} inputs ({', '.join(names)}); "
                            f"give a dict {{name: formula}} or a list")
        return {names[0]: hand}
    hand = list(hand)
    if len(hand) != len(names):
        raise ValueError(f"gradcheck: hand has {len(hand)} entries for {len(names)} inputs")
    return dict(zip(names, hand))


def _hand_value(formula, name, point, names, by_name):
    if formula is None:
        return None
    if callable(formula) and not isinstance(formula, Value):
        formula = _call_hand(formula, name, point, names, by_name)
    return _as_float(formula, f"gradcheck hand value for {name!r}")


def _require_takes_inputs(f, names, by_name):
    """A TypeError naming gradcheck, the inputs and f's parameters where f cannot take the
    inputs as gradcheck passes them (by name for a dict), rather than Python's bare "got an
    unexpected keyword argument" from inside the call."""
    try:
        signature = inspect.signature(f)
    except (TypeError, ValueError):  # a builtin that does not say: let the call judge
        return
    args = () if by_name else tuple(names)
    kwargs = dict.fromkeys(names) if by_name else {}
    try:
        signature.bind(*args, **kwargs)
    except TypeError as error:
        raise TypeError(f"gradcheck: f must take the inputs {_as_passed(names, by_name)}; it takes "
                        f"{signature} ({error})") from None


def _as_passed(names, by_name):
    """How gradcheck passes the inputs to f and to a hand formula, for a message."""
    if by_name:
        return f"by name: ({', '.join(names)})"
    return f"{len(names)} positional argument{'' if len(names) == 1 else 's'} ({', '.join(names)})"


def _call_hand(formula, name, point, names, by_name):
    """formula(the input floats), taken as f takes its Values: by name for dict inputs."""
    args, kwargs = ((), dict(zip(names, point))) if by_name else (tuple(point), {})
    try:
        signature = inspect.signature(formula)
    except (TypeError, ValueError):  # a builtin that does not say: let the call judge
        return formula(*args, **kwargs)
    try:
        signature.bind(*args, **kwargs)
    except TypeError as error:
        raise TypeError(f"gradcheck: the hand formula for {name!r} must take the inputs as f does, "
                        f"{_as_passed(names, by_name)}; it takes {signature} ({error})") from None
    return formula(*args, **kwargs)


def _central_difference(call, point, names, i, eps):
    """(f(x + ε) - f(x - ε)) / 2ε along input i, and the two graphs (kept to look for kinks)."""
    outs = []
    for step in (eps, -eps):
        try:
            outs.append(call(_shifted(point, i, step))[0])
        except _ENGINE_ERRORS as error:
            raise _outside_domain(error, call, point, names, i, step) from error
    plus_out, minus_out = outs
    return (plus_out.data - minus_out.data) / (2 * eps), plus_out, minus_out


def _shifted(point, i, step):
    shifted = list(point)
    shifted[i] += step
    return shifted


def _outside_domain(error, call, point, names, i, step):
    """The engine's error at x ± ε, of the same type, naming the input, the shifted point and eps."""
    name, eps = names[i], abs(step)
    smaller = _eps_inside(call, point, i, eps)
    advice = f"such as eps={smaller:g}" if smaller else "one smaller than the distance to that edge"
    kind = next(kind for kind in _ENGINE_ERRORS if isinstance(error, kind))
    edge = "where f overflows a float" if kind is OverflowError else "the edge of f's domain"
    return kind(f"gradcheck: input {name!r} = {number(point[i])} is within eps = {eps:g} of {edge}: "
                f"f fails at {name} {'+' if step > 0 else '-'} eps = {number(point[i] + step)} "
                f"({error}); give gradcheck a smaller eps, {advice}")


def _eps_inside(call, point, i, eps):
    """A step a hundred times smaller than the largest eps/10^k at which f is defined on both
    sides of input i (a step just inside the domain has a large truncation error), or None."""
    for k in range(1, 9):
        trial = eps / 10 ** k
        try:
            call(_shifted(point, i, trial)), call(_shifted(point, i, -trial))
        except _ENGINE_ERRORS:
            continue
        return trial / 100
    return None


def _warn_about(kinks):
    """One KinkWarning per kind of node on a kink: two identical nodes (abs(x) * abs(x)) give one."""
    counts = {}
    for node, op in kinks.items():
        key = (node_name(node), op.kink_of is None, _kinked(op, node), op.kink_rule)
        counts[key] = counts.get(key, 0) + 1
    for (name, of_input, at, rule), count in counts.items():
        whose = "its" if count == 1 else "their"
        what = f"{whose} input" if of_input else f"the difference of {whose} inputs"
        where = f"node {name} has {what}" if count == 1 else f"{count} nodes {name} have {what}"
        warnings.warn(f"gradcheck: {where} {at:g} on or within eps of a kink: {rule}; central differences "
                      f"may disagree there", KinkWarning, stacklevel=3)


def _kinks_in_reach(out, plus, minus):
    """{node: op} for kink nodes of `out` whose input sits on the kink, or crosses it between the
    graphs at x - ε and x + ε (the same graph, node for node, when the structure allows)."""
    base = topological_order(out)
    shifted = [topological_order(plus), topological_order(minus)]
    comparable = all(len(order) == len(base) for order in shifted)
    found = {}
    for k, node in enumerate(base):
        op = OPS.get(node.op)
        if op is None or op.kink_at is None or _tied_to_itself(op, node):
            continue
        at = op.kink_at(**(node.consts or {}))
        up, down = ((_kinked(op, order[k]) - at) for order in shifted) if comparable else (1.0, 1.0)
        if _kinked(op, node) == at or up * down <= 0:
            found[node] = op
    return found


def _tied_to_itself(op, node):
    """maximum(a, a): a kink of the difference of two inputs that are one node is never left,
    and never a kink: the difference is 0 at every a, and the op is a itself, smooth."""
    return op.kink_of is not None and len(node.parents) == 2 and node.parents[0] is node.parents[1]


def _kinked(op, node):
    """The number whose value `op.kink_at` names: the first input, or `op.kink_of(inputs)`."""
    if op.kink_of is None:
        return node.parents[0].data
    return op.kink_of(*(parent.data for parent in node.parents))
