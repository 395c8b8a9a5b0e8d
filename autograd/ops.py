"""The derivative table: each op's forward value and its local derivatives, side by side.

This module is pure math. It knows nothing of graphs: `Value` looks an op up here by name,
calls `forward` to get the node's data, and during backward calls `derivatives` to get
∂out/∂input for each input. Adding an op is adding one entry.

Conventions of the table
- `forward(M, *inputs, **consts)` and `derivatives(M, out, *inputs, **consts)` are written
  against a math namespace `M` (`autograd.backends.scalar` or `.array`), so the same line
  serves the scalar engine and the compiled batched path.
- An n-ary op (`variadic=True`) receives all its inputs as ONE vector `xs`, and returns one
  local derivative per input, as a vector in the same order.
- `inputs` names the op's input groups in order: one input per name for a fixed-arity op
  ("x", "y"); for an n-ary op, consecutive runs of its inputs, sized by `layout` (a dot
  node's inputs are its weights, then its inputs, then its bias). Read a node's groups with
  `input_groups(node)`, never by slicing its parents by hand.
- `consts` declares the op's constants, which are not graph inputs (the exponent k of
  `x ** k`, the threshold of `step`, the number of weights n of `dot`, the data x of
  `dot_data`), each with the check `apply` runs on it; a node keeps them in `node.consts`.
- `fan_in` is the rule on the number of inputs of an n-ary op, given its constants.
- `domain` lists the rules an input must satisfy, each with the Python error it raises.
- `kink_at` says where the op is not differentiable; `kink_rule` is the convention used there.
  The kink is a value of the op's first input, or of `kink_of(*inputs)` when the op gives one
  (maximum's kink is where x - y = 0).
- Derivatives are written in forms that stay finite and accurate wherever the true value is a
  finite float (acosh's 1/(√(x-1)√(x+1)), not 1/√(x²-1), which overflows for |x| > 1e154), and
  only with the namespace's functions and + - * /, so that a namespace whose numbers are
  Values (`autograd.higher.values`) records the backward pass as a graph: higher order for free.
  That graph is differentiated by the table again, so a form must not cancel when differentiated
  either (asin's (1-x)(1+x) and tanh's σ(2z)σ(-2z) near 0: `_one_minus_square`), nor hold an x² that
  overflows as a node (atan's and asinh's √(1 + x²) = cos z + x sin z = 1/cosh z + x tanh z).
- `activation` marks the ops a neuron applies to its z (a = σ(z)); `symbol` and `draw` say
  how a picture shows the op (`draw` fills in the constants: "x^{k}" for k = 2 is "x^2").
"""

from dataclasses import dataclass
from typing import Callable

from .checks import as_count, as_data, as_index, as_number

MAX_EXP_INPUT = 709.782712893384  # log(largest float): exp of anything larger overflows
MAX_COSH_INPUT = 710.4758600739439  # acosh(largest float): sinh and cosh of more overflow
LN2 = 0.6931471805599453
LN10 = 2.302585092994046
LOG2_E = 1.4426950408889634  # 1/ln 2, correctly rounded
LOG10_E = 0.4342944819032518  # 1/ln 10, correctly rounded


@dataclass(frozen=True)
class Rule:
    """One condition on an op's inputs, and the error raised when it fails."""

    holds: Callable
    error: type
    says: str


@dataclass(frozen=True)
class Const:
    """One constant of an op: its name and the check it must pass (from autograd.checks)."""

    name: str
    check: Callable


@dataclass(frozen=True)
class Op:
    name: str
    formula: str
    forward: Callable
    derivatives: Callable
    inputs: tuple = ("x",)
    consts: tuple = ()
    variadic: bool = False
    layout: Callable | None = None   # n-ary ops with several groups: (count, **consts) -> group sizes
    fan_in: Rule | None = None       # n-ary ops: holds(count, **consts)
    domain: tuple = ()
    kink_at: Callable | None = None
    kink_rule: str = ""
    kink_of: Callable | None = None
    activation: bool = False
    # An input that is not finite gives an output that is not: it reaches the result through
    # this op and is seen there. An op that can turn it finite (step(nan) = 0, tanh(inf) = 1,
    # e^-inf = 0, c / inf = 0) leaves the compiled run and predict to check its inputs.
    keeps_non_finite: bool = False
    # The derivative is constant between kinks and reads the input (relu's and |x|'s masks): as
    # in torch, a gradient recorded through it (create_graph) stays a node of the graph, its
    # own derivative 0 (relu'' = 0). max's and min's masks read no input in torch: constants.
    piecewise_constant: bool = False
    symbol: str = ""
    draw: str = ""

    def sizes(self, count, consts):
        """How many of `count` inputs fall in each group, in the order of `self.inputs`."""
        if self.layout is not None:
            return self.layout(count, **consts)
        return (count,) if self.variadic else (1,) * len(self.inputs)

    def split(self, items, consts):
        """{group name: the run of `items` (a node's parents, or their numbers) in that group}."""
        return dict(zip(self.inputs, _runs(items, self.sizes(len(items), consts))))

    def shown(self, consts, number=lambda c: f"{c:g}"):
        """The short form a picture draws: `draw` with the constants filled in, else the symbol
        (or the name). `number` formats each numeric constant."""
        if self.draw:
            return self.draw.format(**{k: number(v) for k, v in consts.items() if not isinstance(v, tuple)})
        return self.symbol or self.name


def input_groups(node):
    """{group name: tuple of the node's parents in that group}, e.g. for a dot node
    {"weights": (w1, w2), "inputs": (a1, a2), "bias": (b,)}; {} for a leaf."""
    if not node.op:
        return {}
    return OPS[node.op].split(tuple(node.parents), node.consts or {})


def is_activation(op):
    """True for the ops a neuron applies to its weighted input z (tanh, sigmoid, relu, step);
    `op` is an op's name or a node (whose op is asked; a leaf has none)."""
    name = op if isinstance(op, str) else getattr(op, "op", None)
    if not isinstance(name, str):
        raise TypeError(f"is_activation: expected an op name or a node, got {type(op).__name__} {op!r:.40}")
    entry = OPS.get(name)
    return entry is not None and entry.activation


def symbol(node, number=lambda c: f"{c:g}"):
    """How a picture draws the op of `node` (×, σ, x^2, step≥0.5, Σ, ...); "" for a leaf."""
    return OPS[node.op].shown(node.consts or {}, number) if node.op else ""


def _pow_rules(base, exponent):
    """Domain of base ** exponent over the reals (shared by the three power ops).

    Written with | on comparisons, not `and`/`not`, so each rule holds elementwise on arrays too.
    """
    return (
        Rule(lambda M, *a, **p: (base(*a, **p) != 0) | (exponent(*a, **p) >= 0),
             ZeroDivisionError, "0 raised to a negative power"),
        Rule(lambda M, *a, **p: (base(*a, **p) >= 0) | M.is_integer(exponent(*a, **p)),
             ValueError, "a negative base needs an integer exponent"),
    )


def _dot_groups(xs, n):
    """A dot node's inputs: n weights, n inputs, then its bias (none or one)."""
    return xs[:n], xs[n:2 * n], xs[2 * n:]


def _dot_data_groups(xs, x):
    """A dot_data node's inputs: one weight per entry of its data x, then its bias."""
    return xs[:len(x)], xs[len(x):]


def _sizes_of(groups):
    """The layout of an op whose groups are cut by `groups`: the group sizes for `count` inputs."""
    return lambda count, **consts: tuple(map(len, groups(range(count), **consts)))


def _dot_forward(M, xs, n):
    ws, a, bias = _dot_groups(xs, n)
    return M.dot(ws, a) + M.total(bias)


def _dot_derivatives(M, out, xs, n):
    ws, a, bias = _dot_groups(xs, n)
    return M.concat(a, ws, M.ones_like(bias))


def _dot_data_forward(M, xs, x):
    ws, bias = _dot_data_groups(xs, x)
    return M.dot(ws, M.constants(x, like=xs)) + M.total(bias)


def _dot_data_derivatives(M, out, xs, x):
    ws, bias = _dot_data_groups(xs, x)
    return M.concat(M.constants(x, like=xs), M.ones_like(bias))


# A derivative is differentiated again by the table itself when it is recorded as Values (higher
# order), so its form must not cancel there either. 1 - u² (tanh′ with u = tanh z, atanh′, asin′
# with u = x) has two forms: one exact near |u| = 1, (1 - x)(1 + x) or 4σ(2z)σ(-2z), whose slope
# cancels near u = 0 (an increasing factor times a decreasing one: -(1 + x) + (1 - x) = -2x from
# two terms of 1), and 1 - u·u, whose slope -2u u′ never cancels but whose value does near |u| = 1.

def _one_minus_square(M, u, exact_near_one):
    """1 - u² for |u| <= 1 as (1 - u·u)² + u² · `exact_near_one` (a form of 1 - u² exact near |u| = 1),
    which is (1 - u²)((1 - u²) + u²). Both terms are >= 0. Near u = 0 the first is the value and the slope,
    and the second, weighted by u², hides its form's cancelling slope; near |u| = 1 the second is
    the value and the first, the square of a small number, errs by its own tiny size only."""
    return M.square(1.0 - u * u) + u * u * exact_near_one


# tanh's slope is written with σ of ±2z, never |z|: |z| has a kink at 0, and run on Values
# (higher order) it would make the slope's own derivatives wrong there (the third derivative
# of tanh at 0 would come out 0, not -2). σ(-2z) is computed directly, so it does not cancel
# at saturation, where 1 - a² rounds to 0 (|z| > 19).

def _sech_squared(M, z, a):
    """1 - tanh² z = 1 - a², with 4 σ(2z) σ(-2z) (each factor in (0, 1], never overflowing) as
    its form exact at saturation."""
    return _one_minus_square(M, a, 4.0 * M.sigmoid(2.0 * z) * M.sigmoid(-2.0 * z))


# √(1 + x²) without x², which overflows for |x| > 1.34e154 (and raises as a node of Values): with
# θ = atan x (or u = asinh x) the output of the op, √(1 + x²) = cos θ + x sin θ = sech u + x tanh u.
# Both terms are >= 0 (no cancellation), x sin θ <= |x| never overflows, and the sum is stationary
# in θ (its θ-derivative -sin θ + x cos θ is 0), so the rounding of θ does not reach it.

def _atan_slope(M, x, angle):
    """1/(1 + x²) = 1/h/h with h = √(1 + x²) = cos θ + x sin θ, θ = atan x (1/h >= 5.6e-309 is
    normal, so 1/h/h underflows only where 1/(1 + x²) does)."""
    h = M.cos(angle) + x * M.sin(angle)
    return 1.0 / h / h


def _hypot1_of_asinh(M, x, u):
    """√(1 + x²) = 1/cosh u + x tanh u, u = asinh x (|u| <= 710.48, so cosh u is finite)."""
    return 1.0 / M.cosh(u) + x * M.tanh(u)


def _softmax_forward(M, xs, i):
    e, total = _shifted_exps(M, xs)
    return e[i] / total


def _softmax_derivatives(M, out, xs, i):
    """∂s_i/∂x_j = -s_i s_j, and ∂s_i/∂x_i = s_i (1 - s_i) with 1 - s_i = Σ_(k≠i) s_k: that sum
    of small positive terms stays accurate where 1 - s_i would cancel to 0."""
    e, total = _shifted_exps(M, xs)
    rest = (M.total(e[:i]) + M.total(e[i + 1:])) / total
    others = M.each(lambda ek: -out * (ek / total), e)
    return M.concat(others[:i], (out * rest,), others[i + 1:])


def _softmax_of(M, xs):
    e, total = _shifted_exps(M, xs)
    return M.each(lambda ek: ek / total, e)


def _shifted_exps(M, xs):
    """e^(x_k - c) for every k with c = logsumexp(x) >= max x (each in [0, 1]: no overflow), and
    their sum (about 1). The rounding of c is common to every entry, so it cancels in e_k / Σ e."""
    top = M.logsumexp(xs)
    e = M.each(lambda x: M.exp(x - top), xs)
    return e, M.total(e)


def _runs(items, sizes):
    """items cut into consecutive runs of the given sizes (a list: also for numpy arrays)."""
    runs, start = [], 0
    for size in sizes:
        runs.append(items[start:start + size])
        start += size
    return runs


_XY = ("x", "y")

_TABLE = [
    # --- arithmetic ------------------------------------------------------------------
    Op("+", "z = x + y;  ∂z/∂x = 1,  ∂z/∂y = 1", inputs=_XY, symbol="+",
       forward=lambda M, x, y: x + y,
       derivatives=lambda M, out, x, y: (1.0, 1.0),
       keeps_non_finite=True),
    Op("-", "z = x - y;  ∂z/∂x = 1,  ∂z/∂y = -1", inputs=_XY, symbol="-",
       forward=lambda M, x, y: x - y,
       derivatives=lambda M, out, x, y: (1.0, -1.0),
       keeps_non_finite=True),
    Op("*", "z = x y;  ∂z/∂x = y,  ∂z/∂y = x", inputs=_XY, symbol="×",
       forward=lambda M, x, y: x * y,
       derivatives=lambda M, out, x, y: (y, x),
       keeps_non_finite=True),
    # ∂z/∂y is M.quotient(-z, y), -z/y, so that the recorded pass (create_graph) can drop it
    # where it is not wanted: -z/y overflows at y = 1e-300, while 1/y, all that
    # grad(x / y, [x], create_graph=True) needs, does not.
    Op("/", "z = x / y;  ∂z/∂x = 1/y,  ∂z/∂y = -x/y² = -z/y  (as -z/y: y² would overflow or underflow)",
       inputs=_XY, symbol="÷",
       forward=lambda M, x, y: x / y,
       derivatives=lambda M, out, x, y: (1.0 / y, M.quotient(-out, y)),
       domain=(Rule(lambda M, x, y: y != 0, ZeroDivisionError, "division by zero"),)),
    Op("neg", "z = -x;  ∂z/∂x = -1", symbol="−",
       forward=lambda M, x: -x,
       derivatives=lambda M, out, x: (-1.0,),
       keeps_non_finite=True),
    Op("abs", "z = |x|;  ∂z/∂x = sign(x)", symbol="|x|",
       forward=lambda M, x: abs(x),
       derivatives=lambda M, out, x: ((x > 0) * 1.0 - (x < 0) * 1.0,),
       kink_at=lambda: 0.0, kink_rule="|x|' at 0 is taken as 0",
       keeps_non_finite=True, piecewise_constant=True),
    # --- powers ----------------------------------------------------------------------
    Op("**k", "z = x^k;  ∂z/∂x = k x^(k-1)", consts=(Const("k", as_number),), draw="x^{k}",
       forward=lambda M, x, k: x ** k,
       derivatives=lambda M, out, x, k: (k * x ** (k - 1) if k != 0 else 0.0 * x,),
       domain=_pow_rules(lambda x, k: x, lambda x, k: k)),
    Op("c**y", "z = c^y;  ∂z/∂y = c^y ln c  (0 where c = 0, or c^y = 0 with c > 0)", inputs=("y",),
       consts=(Const("c", as_number),), draw="{c}^y",
       forward=lambda M, y, c: c ** y,
       derivatives=lambda M, out, y, c: (M.exponent_slope(out, c),),
       domain=_pow_rules(lambda y, c: c, lambda y, c: y)),
    Op("**", "z = x^y;  ∂z/∂x = y x^(y-1)  (0 at x = y = 0),  ∂z/∂y = x^y ln x  (0 where x = 0, or x^y = 0 with x > 0)", inputs=_XY,
       symbol="x^y",
       forward=lambda M, x, y: x ** y,
       derivatives=lambda M, out, x, y: (M.power_slope(x, y), M.exponent_slope(out, x)),
       domain=_pow_rules(lambda x, y: x, lambda x, y: y)),
    Op("sqrt", "z = √x;  ∂z/∂x = 1 / (2√x)", symbol="√",
       forward=lambda M, x: M.sqrt(x),
       derivatives=lambda M, out, x: (0.5 / out,),
       domain=(Rule(lambda M, x: x >= 0, ValueError, "sqrt is defined for x >= 0"),),
       keeps_non_finite=True),
    # --- exponentials and activations -------------------------------------------------
    Op("exp", "z = e^x;  ∂z/∂x = e^x", symbol="exp",
       forward=lambda M, x: M.exp(x),
       derivatives=lambda M, out, x: (out,),
       domain=(Rule(lambda M, x: x <= MAX_EXP_INPUT, OverflowError,
                    f"exp overflows a float for x > {MAX_EXP_INPUT:.3f}"),)),
    Op("log", "z = ln x;  ∂z/∂x = 1/x", symbol="log",
       forward=lambda M, x: M.log(x),
       derivatives=lambda M, out, x: (1.0 / x,),
       domain=(Rule(lambda M, x: x > 0, ValueError, "log is defined for x > 0"),),
       keeps_non_finite=True),
    Op("tanh", "a = tanh z;  ∂a/∂z = 1 - a² = (1 - a²)² + a² 4σ(2z)σ(-2z)", inputs=("z",),
       activation=True, symbol="tanh",
       forward=lambda M, x: M.tanh(x),
       derivatives=lambda M, out, x: (_sech_squared(M, x, out),)),
    # σ(1 - σ) is the notes' form, and the one the compiled program prints as BP1's σ′; where σ
    # rounds to 1 (z > 37) it gives 0 for a true value below 1e-16 (absolute error < 2^-51).
    Op("sigmoid", "a = σ(z) = 1 / (1 + e^-z);  ∂a/∂z = σ(z)(1 - σ(z))", inputs=("z",),
       activation=True, symbol="σ",
       forward=lambda M, x: M.sigmoid(x),
       derivatives=lambda M, out, x: (out * (1.0 - out),)),
    Op("relu", "a = max(0, z);  ∂a/∂z = 1 if z > 0 else 0", inputs=("z",), activation=True,
       symbol="ReLU",
       forward=lambda M, x: M.maximum(x, 0.0),
       derivatives=lambda M, out, x: ((x > 0) * 1.0,),
       kink_at=lambda: 0.0, kink_rule="relu'(0) is taken as 0", piecewise_constant=True),
    Op("step", "a = 1 if z >= k else 0;  ∂a/∂z = 0 (the perceptron cannot learn by gradients)",
       inputs=("z",), consts=(Const("threshold", as_number),), activation=True, draw="step≥{threshold}",
       forward=lambda M, x, threshold: (x >= threshold) * 1.0,
       derivatives=lambda M, out, x, threshold: (0.0 * x,),
       kink_at=lambda threshold: threshold, kink_rule="step' is taken as 0 everywhere, "
                                                           "even at the threshold"),
    # --- n-ary: one node for a whole sum ---------------------------------------------
    Op("sum", "z = Σ_i x_i;  ∂z/∂x_i = 1", inputs=("xs",), symbol="Σ", variadic=True,
       forward=lambda M, xs: M.total(xs),
       derivatives=lambda M, out, xs: M.ones_like(xs),
       keeps_non_finite=True),
    Op("dot", "z = Σ_k w_k a_k + b;  ∂z/∂w_k = a_k,  ∂z/∂a_k = w_k,  ∂z/∂b = 1",
       inputs=("weights", "inputs", "bias"), consts=(Const("n", as_count),), variadic=True,
       layout=_sizes_of(_dot_groups),
       fan_in=Rule(lambda count, n: 2 * n <= count <= 2 * n + 1, ValueError,
                   "the inputs are n weights, n inputs and at most one bias (2n or 2n + 1 inputs)"),
       symbol="w·a+b",
       forward=_dot_forward,
       derivatives=_dot_derivatives,
       keeps_non_finite=True),
    Op("dot_data", "z = Σ_k w_k x_k + b, x data (constants of the node, not in the graph);  "
                   "∂z/∂w_k = x_k,  ∂z/∂b = 1",
       inputs=("weights", "bias"), consts=(Const("x", as_data),), variadic=True,
       layout=_sizes_of(_dot_data_groups),
       fan_in=Rule(lambda count, x: len(x) <= count <= len(x) + 1, ValueError,
                   "the inputs are one weight per entry of x and at most one bias (len(x) or len(x) + 1 inputs)"),
       symbol="w·x+b",
       forward=_dot_data_forward,
       derivatives=_dot_data_derivatives,
       keeps_non_finite=True),
    Op("softmax", "s_i = e^(x_i) / Σ_j e^(x_j)  (one output i of a softmax);  "
                  "∂s_i/∂x_j = s_i (δ_ij - s_j)", inputs=("xs",), consts=(Const("i", as_index),), variadic=True,
       fan_in=Rule(lambda count, i: i < count, ValueError, "i is the index of one of the inputs (0 <= i < count)"),
       symbol="softmax", draw="softmax_{i}",
       forward=_softmax_forward,
       derivatives=_softmax_derivatives),
    Op("logsumexp", "z = ln Σ_i e^(x_i);  ∂z/∂x_i = e^(x_i - z) (the softmax, as e^(x_i - z) / Σ_k e^(x_k - z): "
                    "normalised, so z's rounding cancels)",
       inputs=("xs",), symbol="logΣexp", variadic=True,
       forward=lambda M, xs: M.logsumexp(xs),
       derivatives=lambda M, out, xs: _softmax_of(M, xs)),
    # --- trigonometric and hyperbolic --------------------------------------------------
    Op("sin", "z = sin x;  ∂z/∂x = cos x",
       forward=lambda M, x: M.sin(x),
       derivatives=lambda M, out, x: (M.cos(x),),
       keeps_non_finite=True),
    Op("cos", "z = cos x;  ∂z/∂x = -sin x",
       forward=lambda M, x: M.cos(x),
       derivatives=lambda M, out, x: (-M.sin(x),),
       keeps_non_finite=True),
    Op("tan", "z = tan x;  ∂z/∂x = 1 + tan² x",
       forward=lambda M, x: M.tan(x),
       derivatives=lambda M, out, x: (1.0 + out * out,),
       keeps_non_finite=True),
    Op("asin", "z = asin x;  ∂z/∂x = 1/√(1-x²) with 1-x² = (1-x²)² + x²(1-x)(1+x)  (infinite at x = ±1)",
       forward=lambda M, x: M.asin(x),
       derivatives=lambda M, out, x: (1.0 / M.sqrt(_one_minus_square(M, x, (1.0 - x) * (1.0 + x))),),
       domain=(Rule(lambda M, x: (x >= -1) & (x <= 1), ValueError, "asin is defined for -1 <= x <= 1"),),
       keeps_non_finite=True),
    Op("acos", "z = acos x;  ∂z/∂x = -1/√(1-x²) with 1-x² = (1-x²)² + x²(1-x)(1+x)  (infinite at x = ±1)",
       forward=lambda M, x: M.acos(x),
       derivatives=lambda M, out, x: (-1.0 / M.sqrt(_one_minus_square(M, x, (1.0 - x) * (1.0 + x))),),
       domain=(Rule(lambda M, x: (x >= -1) & (x <= 1), ValueError, "acos is defined for -1 <= x <= 1"),),
       keeps_non_finite=True),
    Op("atan", "z = atan x;  ∂z/∂x = 1/(1+x²) = 1/h/h with h = √(1+x²) = cos z + x sin z",
       forward=lambda M, x: M.atan(x),
       derivatives=lambda M, out, x: (_atan_slope(M, x, out),)),
    Op("sinh", "z = sinh x;  ∂z/∂x = cosh x",
       forward=lambda M, x: M.sinh(x),
       derivatives=lambda M, out, x: (M.cosh(x),),
       domain=(Rule(lambda M, x: abs(x) <= MAX_COSH_INPUT, OverflowError,
                    f"sinh overflows a float for |x| > {MAX_COSH_INPUT:.3f}"),),
       keeps_non_finite=True),
    Op("cosh", "z = cosh x;  ∂z/∂x = sinh x",
       forward=lambda M, x: M.cosh(x),
       derivatives=lambda M, out, x: (M.sinh(x),),
       domain=(Rule(lambda M, x: abs(x) <= MAX_COSH_INPUT, OverflowError,
                    f"cosh overflows a float for |x| > {MAX_COSH_INPUT:.3f}"),),
       keeps_non_finite=True),
    Op("asinh", "z = asinh x;  ∂z/∂x = 1/√(1+x²) with √(1+x²) = 1/cosh z + x tanh z",
       forward=lambda M, x: M.asinh(x),
       derivatives=lambda M, out, x: (1.0 / _hypot1_of_asinh(M, x, out),),
       keeps_non_finite=True),
    Op("acosh", "z = acosh x;  ∂z/∂x = 1/(√(x-1) √(x+1))  (infinite at x = 1)",
       forward=lambda M, x: M.acosh(x),
       derivatives=lambda M, out, x: (1.0 / (M.sqrt(x - 1.0) * M.sqrt(x + 1.0)),),
       domain=(Rule(lambda M, x: x >= 1, ValueError, "acosh is defined for x >= 1"),),
       keeps_non_finite=True),
    Op("atanh", "z = atanh x;  ∂z/∂x = 1/(1-x²) with 1-x² = (1-x²)² + x²(1-x)(1+x)",
       forward=lambda M, x: M.atanh(x),
       derivatives=lambda M, out, x: (1.0 / _one_minus_square(M, x, (1.0 - x) * (1.0 + x)),),
       domain=(Rule(lambda M, x: (x > -1) & (x < 1), ValueError, "atanh is defined for -1 < x < 1"),),
       keeps_non_finite=True),
    # --- logarithms and exponentials near 0, and in other bases ----------------------
    Op("log1p", "z = ln(1 + x);  ∂z/∂x = 1/(1+x)", symbol="ln(1+x)",
       forward=lambda M, x: M.log1p(x),
       derivatives=lambda M, out, x: (1.0 / (1.0 + x),),
       domain=(Rule(lambda M, x: x > -1, ValueError, "log1p is defined for x > -1"),),
       keeps_non_finite=True),
    Op("expm1", "z = e^x - 1;  ∂z/∂x = e^x", symbol="eˣ−1",
       forward=lambda M, x: M.expm1(x),
       derivatives=lambda M, out, x: (M.exp(x),),  # not out + 1: for x < -37 that is 0
       domain=(Rule(lambda M, x: x <= MAX_EXP_INPUT, OverflowError,
                    f"expm1 overflows a float for x > {MAX_EXP_INPUT:.3f}"),)),
    # log₂e / x, one rounding: 1/(x ln 2) loses digits where x ln 2 is subnormal, (1/x)/ln 10
    # overflows for x < 5.6e-309 where the result is finite, (1/x)/ln 2 loses digits where 1/x is subnormal
    Op("log2", "z = log₂ x;  ∂z/∂x = 1/(x ln 2) = log₂e / x", symbol="log₂",
       forward=lambda M, x: M.log2(x),
       derivatives=lambda M, out, x: (LOG2_E / x,),
       domain=(Rule(lambda M, x: x > 0, ValueError, "log2 is defined for x > 0"),),
       keeps_non_finite=True),
    Op("log10", "z = log₁₀ x;  ∂z/∂x = 1/(x ln 10) = log₁₀e / x", symbol="log₁₀",
       forward=lambda M, x: M.log10(x),
       derivatives=lambda M, out, x: (LOG10_E / x,),
       domain=(Rule(lambda M, x: x > 0, ValueError, "log10 is defined for x > 0"),),
       keeps_non_finite=True),
    # The cross-entropy term y ln p as one node: 0 · ln 0 is taken as 0 (as torch.xlogy), so a
    # probability saturated at 0 or 1 costs nothing where its coefficient is 0, even when the
    # coefficient is a graph input (autograd.compile's targets). The form y * log(p) would raise.
    Op("xlogy", "z = x ln y  (0 where x = 0);  ∂z/∂x = ln y  (0 at x = y = 0),  ∂z/∂y = x / y  (0 at x = y = 0)",
       inputs=_XY,  # drawn by its name: xlogy(y, p), as torch spells it
       forward=lambda M, x, y: M.x_log_y(x, y),
       derivatives=lambda M, out, x, y: (M.x_log_y_dx(x, y), M.x_log_y_dy(x, y)),
       domain=(Rule(lambda M, x, y: (y > 0) | ((y == 0) & (x == 0)), ValueError,
                    "xlogy is defined for y > 0, and for y = 0 where x = 0 (x ln 0 is ±∞ for x ≠ 0: a "
                    "probability y that saturated to 0 where its weight x needs it; a loss written "
                    "on logits does not saturate)"),)),
    # --- the larger and the smaller of two -------------------------------------------
    # A tie is written with < and <= only: on Values those compare the data, where == is identity.
    Op("maximum", "z = max(x, y);  ∂z/∂x = 1 if x > y, ½ if x = y, else 0;  ∂z/∂y likewise",
       inputs=_XY, symbol="max",
       forward=lambda M, x, y: M.maximum(x, y),
       derivatives=lambda M, out, x, y: ((x > y) * 0.5 + (x >= y) * 0.5, (y > x) * 0.5 + (y >= x) * 0.5),
       kink_at=lambda: 0.0, kink_of=lambda x, y: x - y,
       kink_rule="at a tie x = y each input gets half the gradient (0.5), as torch.maximum"),
    Op("minimum", "z = min(x, y);  ∂z/∂x = 1 if x < y, ½ if x = y, else 0;  ∂z/∂y likewise",
       inputs=_XY, symbol="min",
       forward=lambda M, x, y: M.minimum(x, y),
       derivatives=lambda M, out, x, y: ((x < y) * 0.5 + (x <= y) * 0.5, (y < x) * 0.5 + (y <= x) * 0.5),
       kink_at=lambda: 0.0, kink_of=lambda x, y: x - y,
       kink_rule="at a tie x = y each input gets half the gradient (0.5), as torch.minimum"),
]

OPS = {op.name: op for op in _TABLE}
ACTIVATIONS = tuple(op.name for op in _TABLE if op.activation)
"""The names of the activation ops, in table order."""
