"""Every derivative of the table against an exact reference (mpmath, 60 digits), at extreme
magnitudes: wherever the true derivative is a normal float, the table's is finite and within a
few ulps (relative); where it is beyond the float range, backward refuses it by name (#13 item 8).
"""

import itertools
import math

import mpmath
import pytest

import autograd
from autograd import OPS, Value, local_derivatives

mpmath.mp.dps = 60
ULPS = 8  # relative error allowed, in units of 2^-52
TINY = 2.2250738585072014e-308  # the smallest normal float

MAGNITUDES = [1e-300, 1e-170, 1e-10, 0.3, 1.0, 7.5, 1e10, 1e170, 1e300]
SIGNED = [s * m for m in MAGNITUDES for s in (1.0, -1.0)]
ACTIVATION_POINTS = [-800.0, -709.0, -40.0, -35.0, -19.0, -3.0, -1e-10, 1e-300, 0.5, 3.0, 19.0, 20.0, 35.0,
                     37.0, 40.0, 709.0, 800.0, 1e300, -1e300]

sech2 = lambda z: mpmath.sech(z) ** 2
sigma = lambda z: 1 / (1 + mpmath.exp(-z))

# name: (points: lists of (numbers, consts), exact derivatives: f(mp numbers, consts) -> list)
EXACT = {
    "+": (lambda x, y, c: [1, 1]),
    "-": (lambda x, y, c: [1, -1]),
    "*": (lambda x, y, c: [y, x]),
    "/": (lambda x, y, c: [1 / y, -x / y ** 2]),
    "neg": (lambda x, c: [-1]),
    "abs": (lambda x, c: [mpmath.sign(x)]),
    "**k": (lambda x, c: [c["k"] * x ** (c["k"] - 1)]),
    "c**y": (lambda y, c: [mpmath.power(c["c"], y) * mpmath.log(c["c"])]),
    "**": (lambda x, y, c: [y * x ** (y - 1), x ** y * mpmath.log(x)]),
    "sqrt": (lambda x, c: [1 / (2 * mpmath.sqrt(x))]),
    "exp": (lambda x, c: [mpmath.exp(x)]),
    "log": (lambda x, c: [1 / x]),
    "tanh": (lambda x, c: [sech2(x)]),
    "sigmoid": (lambda x, c: [sigma(x) * sigma(-x)]),
    "relu": (lambda x, c: [1 if x > 0 else 0]),
    "step": (lambda x, c: [0]),
    # the elementary functions (#15)
    "sin": (lambda x, c: [mpmath.cos(x)]),
    "cos": (lambda x, c: [-mpmath.sin(x)]),
    "tan": (lambda x, c: [mpmath.sec(x) ** 2]),
    "asin": (lambda x, c: [1 / mpmath.sqrt(1 - x * x) if abs(x) != 1 else mpmath.inf]),  # infinite at ±1
    "acos": (lambda x, c: [-1 / mpmath.sqrt(1 - x * x) if abs(x) != 1 else -mpmath.inf]),
    "atan": (lambda x, c: [1 / (1 + x * x)]),
    "sinh": (lambda x, c: [mpmath.cosh(x)]),
    "cosh": (lambda x, c: [mpmath.sinh(x)]),
    "asinh": (lambda x, c: [1 / mpmath.sqrt(1 + x * x)]),
    "acosh": (lambda x, c: [1 / mpmath.sqrt(x * x - 1) if x != 1 else mpmath.inf]),
    "atanh": (lambda x, c: [1 / (1 - x * x)]),
    "log1p": (lambda x, c: [1 / (1 + x)]),
    "expm1": (lambda x, c: [mpmath.exp(x)]),
    "log2": (lambda x, c: [1 / (x * mpmath.log(2))]),
    "log10": (lambda x, c: [1 / (x * mpmath.log(10))]),
    "maximum": (lambda x, y, c: [1 if x > y else mpmath.mpf(0.5) if x == y else 0,
                                 1 if y > x else mpmath.mpf(0.5) if x == y else 0]),
    "minimum": (lambda x, y, c: [1 if x < y else mpmath.mpf(0.5) if x == y else 0,
                                 1 if y < x else mpmath.mpf(0.5) if x == y else 0]),
}
ELEMENTARY = ("sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "asinh", "acosh", "atanh",
              "log1p", "expm1", "log2", "log10")
# next to the edges of the domains and the poles: 1 ± 2^-53, the float nearest π/2, ±710
EDGES = [0.9999999999999999, -0.9999999999999999, 1.0000000000000002, -0.9999999999, 1.5707963267948966,
         -1.5707963, 710.0, -710.0, 709.0, -700.0, 3e-308, 1e150, -1e150, 1e20]


def points(name):
    """(numbers, consts) to try for op `name`."""
    if name in ELEMENTARY:
        return [([x], {}) for x in SIGNED + ACTIVATION_POINTS + EDGES]
    if name in ("maximum", "minimum"):
        return [([x, y], {}) for x, y in itertools.product(SIGNED, SIGNED)]
    if name in ("+", "-", "*", "/"):
        return [([x, y], {}) for x, y in itertools.product(SIGNED, SIGNED)]
    if name in ("neg", "abs", "log", "sqrt", "exp"):
        return [([x], {}) for x in SIGNED + ACTIVATION_POINTS]
    if name in ("tanh", "sigmoid", "relu", "step"):
        consts = {"threshold": 0.25} if name == "step" else {}
        return [([x], consts) for x in ACTIVATION_POINTS + SIGNED]
    if name == "**k":
        return [([x], {"k": k}) for x in SIGNED for k in (-3.0, -1.0, -0.5, 0.5, 2.0, 3.0, 1e-10)]
    if name == "c**y":
        return [([y], {"c": c}) for y in SIGNED + [2.0, -2.0, 0.5] for c in (1e-300, 0.5, 2.0, 1e300)]
    if name == "**":
        return [([x, y], {}) for x in MAGNITUDES for y in (-3.0, -0.5, 0.5, 1.0, 3.0, 1e-10)]
    raise KeyError(name)


def build(name, numbers, consts):
    try:
        return autograd.apply(name, *map(autograd.Value, numbers), **consts)  # leaves that require grad
    except (ArithmeticError, ValueError):
        return None  # outside the op's domain, or the forward value is not a float


def check_against(exact, node, ulps=ULPS):
    """The table's local derivatives of `node` against the exact values, one by one."""
    finite = [abs(e) <= mpmath.mpf(1.7976931348623157e308) for e in exact]
    if not all(finite):  # backward refuses it, naming the node
        with pytest.raises(FloatingPointError, match="at node"):
            autograd.gradients(node)
        return
    got = local_derivatives(node)
    for k, (g, e) in enumerate(zip(got, exact)):
        assert math.isfinite(g), f"{node.op} at {[p.data for p in node.parents]}: ∂/∂input {k} is {g}"
        if abs(e) >= TINY:
            assert abs(mpmath.mpf(g) - e) <= ulps * 2.0 ** -52 * abs(e), (
                f"{node.op} at {[p.data for p in node.parents]} {node.consts}: ∂/∂input {k} = {g!r}, "
                f"exact {mpmath.nstr(e, 17)}")
        else:  # subnormal or 0: absolute, at the float's resolution there
            assert abs(mpmath.mpf(g) - e) <= 2.0 ** -1060, (node.op, g, e)


def power_condition(name, numbers, consts):
    """1, or for a power x^(y-1) its condition number in the exponent, 1 + |(y - 1) ln x|: y - 1
    is a float, rounded, and x^(y-1) magnifies that rounding by |(y - 1) ln x| (no float form of
    the derivative does better without extra precision)."""
    if name == "**k":
        return 1 + abs((consts["k"] - 1) * math.log(abs(numbers[0])))
    if name == "**":
        return 1 + abs((numbers[1] - 1) * math.log(abs(numbers[0])))
    return 1


@pytest.mark.parametrize("name", sorted(EXACT))
def test_each_derivative_is_accurate_at_extreme_magnitudes(name):
    tried = 0
    for numbers, consts in points(name):
        node = build(name, numbers, consts)
        if node is None:
            continue
        tried += 1
        exact = EXACT[name](*map(mpmath.mpf, numbers), {k: mpmath.mpf(v) for k, v in consts.items()})
        if name == "sigmoid":  # σ(1 - σ), the notes' form (see ops.py): a few ulps of 1, absolute
            assert abs(mpmath.mpf(local_derivatives(node)[0]) - exact[0]) <= 2.0 ** -51, (numbers, exact)
            continue
        check_against(exact, node, ULPS * power_condition(name, numbers, consts))
    assert tried >= 10, f"{name}: only {tried} points inside the domain"


def test_every_op_of_the_table_has_an_exact_reference():
    nary = {"sum", "dot", "dot_data", "logsumexp", "softmax"}  # tested below
    assert set(OPS) == set(EXACT) | nary


def test_division_at_extreme_magnitudes_as_the_issue_reports():
    for v, expected in [(1e200, -1e-200), (1e-170, -1e170)]:
        x, y = Value(v), Value(v)
        assert autograd.grad(x / y, [x, y]) == [1 / v, expected]


NARY_POINTS = [[0.0, 30.0], [0.0, 35.0], [-1e308, 1e308], [1e300, -1e300, 0.0], [-745.0, 0.0, 3.0],
               [1e-300, -1e-300], [0.5, 0.25, -0.75, 2.0], [700.0, 700.0, 690.0]]


def exact_softmax(xs):
    top = max(xs)
    e = [mpmath.exp(x - top) for x in xs]
    return [ek / mpmath.fsum(e) for ek in e]


@pytest.mark.parametrize("xs", NARY_POINTS)
def test_softmax_and_logsumexp_derivatives_are_accurate_when_saturated(xs):
    """#13 item 9: softmax([0, 30]) and at 35 the gradient stays within a few ulps (PyTorch: 1e-3 off)."""
    exact = exact_softmax(list(map(mpmath.mpf, xs)))
    check_against(exact, autograd.logsumexp(xs))
    for i, s_i in enumerate(exact):
        node = autograd.softmax(xs)[i]
        assert abs(mpmath.mpf(node.data) - s_i) <= ULPS * 2.0 ** -52 * s_i or s_i < TINY
        check_against([s_i * ((1 if j == i else 0) - s_j) for j, s_j in enumerate(exact)], node)


def test_softmax_gradient_at_35_is_the_exact_6_3e_16():
    xs = [Value(0.0), Value(35.0)]
    g = autograd.grad(autograd.softmax(xs)[1], xs)
    exact = float(mpmath.exp(35) / (1 + mpmath.exp(35)) ** 2)
    assert math.isclose(g[1], exact, rel_tol=4 * 2.0 ** -52) and math.isclose(g[0], -exact, rel_tol=4 * 2.0 ** -52)
    assert math.isclose(exact, 6.305e-16, rel_tol=1e-3)


def test_softmax_is_stable_for_any_finite_input():
    s = autograd.softmax([-1e308, 1e308])
    assert [p.data for p in s] == [0.0, 1.0]
    s = autograd.softmax([Value(1e308), Value(1e308), Value(-1e308)])
    assert [p.data for p in s] == [0.5, 0.5, 0.0]


@pytest.mark.parametrize("n", [1, 3])
def test_dot_and_sum_derivatives_are_exact_at_extremes(n):
    ws = [1e300, -1e-300, 1e-10][:n]
    xs = [1e-300, 1e300, 3.0][:n]
    z = autograd.dot([Value(w) for w in ws], [Value(x) for x in xs], 1e200)
    assert local_derivatives(z) == tuple(xs + ws + [1.0])
    z = autograd.dot([Value(w) for w in ws], xs, 1e200)
    assert local_derivatives(z) == tuple(xs + [1.0])
    assert local_derivatives(autograd.sum([Value(w) for w in ws])) == (1.0,) * n
