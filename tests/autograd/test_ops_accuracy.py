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
    "xlogy": (lambda x, y, c: [mpmath.log(y), x / y]),  # y > 0 here; x = y = 0: test_ops.py, against torch
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
    if name == "xlogy":
        return [([x, y], {}) for x in SIGNED + [0.0] for y in MAGNITUDES + LOG_POINTS]
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


# --- first, second and third derivatives through the table (create_graph), against mpmath ----
# The recorded backward pass differentiates each table entry again, so an entry must be a form
# whose own derivatives do not cancel: near 0 (tanh″, asin″, acos″, atanh″ are O(x) there) and at
# the largest magnitudes (no x² that overflows where the derivative is a finite float).

HIGHER_ULPS = 16  # second and third order: relative, in units of 2^-52 (3.6e-15)
NEAR_ZERO = [1e-300, 1e-170, 1e-20, 1e-12, 1e-8, 1e-4, 0.01, 0.1]
INSIDE_ONE = NEAR_ZERO + [0.3, 0.5, 0.9, 0.99, 1 - 1e-10, 0.9999999999999999]
ANY_SIZE = NEAR_ZERO + [0.3, 1.0, 7.5, 1e10, 1e100, 1e154, 1.4e154, 1e170, 1e200, 1e300, 1.7976931348623157e308]
LOG_POINTS = [5e-324, 1e-310, 2.42e-309, 2.5e-309, 4e-309, 5.5e-309, 5.57e-309, 8e-309, 8.1e-309, 2.3e-308,
              1e-300, 1e-170, 1e-10, 0.3, 1.0, 7.5, 1e10, 1e170, 1e300, 4.6e307, 1.7976931348623157e308]


def _mp_sech2(x):
    return 1 / mpmath.cosh(x) ** 2


# name: (points, [exact first, second, third derivative as functions of an mpf])
HIGHER = {
    "tanh": ([s * v for v in NEAR_ZERO + [0.3, 0.6, 0.7, 1.0, 3.0, 7.5, 19.0, 20.0, 35.0, 40.0, 300.0, 709.0, 800.0,
                                          1e10, 1e300] for s in (1.0, -1.0)],
             [_mp_sech2,
              lambda x: -2 * mpmath.tanh(x) * _mp_sech2(x),
              lambda x: -2 * _mp_sech2(x) * (1 - 3 * mpmath.tanh(x) ** 2)]),
    "asin": ([s * v for v in INSIDE_ONE for s in (1.0, -1.0)],
             [lambda x: (1 - x * x) ** -0.5, lambda x: x * (1 - x * x) ** -1.5,
              lambda x: (1 + 2 * x * x) * (1 - x * x) ** -2.5]),
    "acos": ([s * v for v in INSIDE_ONE for s in (1.0, -1.0)],
             [lambda x: -(1 - x * x) ** -0.5, lambda x: -x * (1 - x * x) ** -1.5,
              lambda x: -(1 + 2 * x * x) * (1 - x * x) ** -2.5]),
    "atanh": ([s * v for v in INSIDE_ONE for s in (1.0, -1.0)],
              [lambda x: 1 / (1 - x * x), lambda x: 2 * x / (1 - x * x) ** 2,
               lambda x: (2 + 6 * x * x) / (1 - x * x) ** 3]),
    "atan": ([s * v for v in ANY_SIZE for s in (1.0, -1.0)],
             [lambda x: 1 / (1 + x * x), lambda x: -2 * x / (1 + x * x) ** 2,
              lambda x: (6 * x * x - 2) / (1 + x * x) ** 3]),
    "asinh": ([s * v for v in ANY_SIZE for s in (1.0, -1.0)],
              [lambda x: (1 + x * x) ** -0.5, lambda x: -x * (1 + x * x) ** -1.5,
               lambda x: (2 * x * x - 1) * (1 + x * x) ** -2.5]),
    "log": (LOG_POINTS, [lambda x: 1 / x, lambda x: -1 / x ** 2, lambda x: 2 / x ** 3]),
    "log2": (LOG_POINTS, [lambda x: 1 / (x * mpmath.log(2)), lambda x: -1 / (x ** 2 * mpmath.log(2)),
                          lambda x: 2 / (x ** 3 * mpmath.log(2))]),
    "log10": (LOG_POINTS, [lambda x: 1 / (x * mpmath.log(10)), lambda x: -1 / (x ** 2 * mpmath.log(10)),
                           lambda x: 2 / (x ** 3 * mpmath.log(10))]),
}
# where a third derivative crosses 0 (tanh‴ at tanh² z = 1/3, atan‴ at x² = 1/3, asinh‴ at x² = 1/2)
# no form is relatively accurate: its rounding is relative to the terms that cancel there
THIRD_ORDER_ZEROS = {"tanh": math.atanh(3 ** -0.5), "atan": 3 ** -0.5, "asinh": 2 ** -0.5}
LARGEST = mpmath.mpf(1.7976931348623157e308)


def _check_order(name, x, order, got, exact, ulps):
    where = f"{name} derivative {order} at {x!r}"
    if abs(exact) > LARGEST:
        return  # beyond the float range: the engine refuses it (checked in the test)
    assert math.isfinite(got), f"{where}: got {got}, exact {mpmath.nstr(exact, 17)}"
    if abs(exact) >= TINY:
        assert abs(mpmath.mpf(got) - exact) <= ulps * 2.0 ** -52 * abs(exact), (
            f"{where}: got {got!r}, exact {mpmath.nstr(exact, 17)}, "
            f"{float(abs(mpmath.mpf(got) - exact) / abs(exact) / 2.0 ** -52):.1f} ulps")
    else:  # subnormal or 0: at the float's resolution there
        assert abs(mpmath.mpf(got) - exact) <= 2.0 ** -1060, (where, got, mpmath.nstr(exact, 17))


def _engine_derivatives(name, v, orders=3):
    """[f′, f″, f‴] of op `name` at v by the engine: each one the gradient of the one before,
    recorded (create_graph=True) so that it can be differentiated again; None once one is refused."""
    x = Value(v, label="x")
    g, got = getattr(x, name)(), []
    for order in range(1, orders + 1):
        try:
            g = autograd.grad(g, x, create_graph=order < orders)
        except FloatingPointError:
            return got + [None] * (orders - len(got))
        got.append(g.data if isinstance(g, Value) else g)
    return got


@pytest.mark.parametrize("name", sorted(HIGHER))
def test_first_second_and_third_derivatives_through_the_table_are_accurate(name):
    points, exact_of = HIGHER[name]
    for v in points:
        got = _engine_derivatives(name, v)
        x = mpmath.mpf(v)
        for order, (g, exact_at) in enumerate(zip(got, exact_of), start=1):
            exact = exact_at(x)
            if g is None:  # refused: only where this order, or one before it, is beyond the float range
                assert any(abs(e(x)) > LARGEST for e in exact_of[:order]), f"{name} order {order} at {v!r} refused"
                break
            ulps = ULPS if order == 1 else HIGHER_ULPS
            if order == 3 and name in THIRD_ORDER_ZEROS:
                ulps *= 1 + 1 / abs(abs(v) - THIRD_ORDER_ZEROS[name])  # the condition number near that zero
            _check_order(name, v, order, g, exact, ulps)


@pytest.mark.parametrize("name, v, order", [
    ("tanh", 1e-12, 2), ("tanh", 1e-20, 2), ("tanh", 0.01, 2), ("asin", 1e-8, 2), ("atanh", 1e-20, 2),
    ("acos", 1e-20, 2), ("tanh", 1e-300, 3), ("asin", 1e-300, 3), ("tanh", 800.0, 2), ("tanh", -1e300, 3)])
def test_higher_derivatives_at_the_points_the_review_reports(name, v, order):
    """tanh″(1e-12) was -2.0000668e-12 and tanh″(1e-20) 0 (exact -2e-12, -2e-20), tanh″(0.01) 44 ulps
    off, asin″(1e-8) 9.9999999947e-9 (exact 1.0000000000000002e-8), atanh″ and acos″(1e-20) 0."""
    got = _engine_derivatives(name, v, order)[-1]
    exact = HIGHER[name][1][order - 1](mpmath.mpf(v))
    assert abs(mpmath.mpf(got) - exact) <= 4 * 2.0 ** -52 * abs(exact) or abs(exact) < TINY and got == 0.0, (
        got, mpmath.nstr(exact, 17))


@pytest.mark.parametrize("name", ["atan", "asinh"])
@pytest.mark.parametrize("v", [1.35e154, 1e200, -1e200, 1e300, 1.7976931348623157e308])
def test_atan_and_asinh_with_create_graph_never_overflow(name, v):
    """The recorded derivative is the first-order one, and is itself differentiable (torch: no error)."""
    x = Value(v)
    first = autograd.grad(getattr(x, name)(), x, create_graph=True)
    y = Value(v)
    assert first.data == autograd.grad(getattr(y, name)(), y)
    assert math.isfinite(autograd.grad(first, x))


def test_asinh_at_1e200_with_create_graph_is_1e_minus_200():
    x = Value(1e200)
    assert autograd.grad(x.asinh(), x, create_graph=True).data == 1e-200


def test_asinh_and_atan_match_torch_with_create_graph_at_large_inputs():
    """Up to 1e154, where torch's 1 + x² is finite: beyond, torch gives asinh′ = 1/√inf = 0 (exact: 1/|x|,
    which the engine gives, test_first_second_and_third_derivatives_through_the_table_are_accurate)."""
    torch = pytest.importorskip("torch")
    for v in (1e-10, 0.75, -3.0, 1e10, -1e100, 1e154):
        for name in ("asinh", "atan"):
            t = torch.tensor(v, dtype=torch.float64, requires_grad=True)
            (tg,) = torch.autograd.grad(getattr(torch, name)(t), t, create_graph=True)
            x = Value(v)
            ours = autograd.grad(getattr(x, name)(), x, create_graph=True).data
            assert math.isclose(ours, float(tg.detach()), rel_tol=4 * 2.0 ** -52, abs_tol=2.0 ** -1060), (name, v, ours, tg)


@pytest.mark.parametrize("v", [4e-309, 2.43e-309, 5.5e-309])
def test_log10_derivative_at_subnormal_inputs_is_finite_and_exact(v):
    x = Value(v)
    got = autograd.grad(x.log10(), x)
    exact = 1 / (mpmath.mpf(v) * mpmath.log(10))
    assert abs(mpmath.mpf(got) - exact) <= 2 * 2.0 ** -52 * exact
    torch = pytest.importorskip("torch")
    t = torch.tensor(v, dtype=torch.float64, requires_grad=True)
    torch.log10(t).backward()
    assert math.isclose(got, float(t.grad), rel_tol=4 * 2.0 ** -52)


def test_log_derivatives_at_subnormal_inputs_are_refused_only_beyond_the_float_range():
    for name, scale in (("log", 1), ("log2", 1 / mpmath.log(2)), ("log10", 1 / mpmath.log(10))):
        for v in LOG_POINTS[:9]:
            exact = float(scale / mpmath.mpf(v)) if scale / mpmath.mpf(v) <= LARGEST else math.inf
            x = Value(v)
            if exact == math.inf:
                with pytest.raises(FloatingPointError, match="at node"):
                    autograd.grad(getattr(x, name)(), x)
            else:
                got = autograd.grad(getattr(x, name)(), x)
                assert math.isclose(got, exact, rel_tol=4 * 2.0 ** -52), (name, v, got, exact)


@pytest.mark.parametrize("name", ["tanh", "asin", "acos", "atanh", "atan", "asinh", "log2", "log10"])
def test_the_array_namespace_and_the_generated_source_give_the_scalar_derivative(name):
    """The same line of the table on floats, on a numpy array, and printed as numpy source."""
    import numpy as np

    from autograd import backends
    from autograd.compiled.emit import Code, Expr

    points, _ = HIGHER[name]
    xs = np.array([v for v in points if abs(v) < 1.7e308])
    op = OPS[name]
    with np.errstate(all="ignore"):
        out = op.forward(backends.array, xs)
        on_arrays = op.derivatives(backends.array, out, xs)[0]
        (source,) = op.derivatives(Code, Expr("out"), Expr("x"))
        printed = eval(str(source), {"M": backends.array, "out": out, "x": xs})
    on_floats = [op.derivatives(backends.scalar, op.forward(backends.scalar, v), v)[0] for v in xs.tolist()]
    for a, p, f, v in zip(on_arrays, printed, on_floats, xs):
        assert a == p and math.isclose(a, f, rel_tol=4 * 2.0 ** -52, abs_tol=2.0 ** -1060), (name, v, a, p, f)


@pytest.mark.parametrize("make, shown", [
    (lambda: Value(0.9999999999999999, label="x").acosh(), "inputs: 0.9999999999999999 ('x')"),
    (lambda: Value(1.0000000000000002, label="x").asin(), "inputs: 1.0000000000000002 ('x')"),
    (lambda: Value(-1.0000000000000002).acos(), "inputs: -1.0000000000000002"),
    (lambda: Value(1.0000000000000002).atanh(), "inputs: 1.0000000000000002"),
    (lambda: Value(-1e-320, label="p").log(), "inputs: -1e-320 ('p')"),
    (lambda: Value(-1.0000001, label="p").log1p(), "inputs: -1.0000001 ('p')"),
    (lambda: Value(710.4758600739442).sinh(), "inputs: 710.4758600739442"),
])
def test_a_domain_error_shows_the_input_exactly(make, shown):
    """A number just outside the domain must not print as one inside it (1 - 2^-53 is not 1)."""
    with pytest.raises((ValueError, OverflowError)) as error:
        make()
    assert shown in str(error.value), str(error.value)


def test_a_domain_error_keeps_short_numbers_short():
    with pytest.raises(ValueError) as error:
        Value(-1.5, label="x").sqrt()
    assert str(error.value) == "sqrt: sqrt is defined for x >= 0; inputs: -1.5 ('x')"
    with pytest.raises(ValueError) as error:
        Value(0.1 + 0.2).acosh()
    assert "inputs: 0.30000000000000004" in str(error.value)


@pytest.mark.parametrize("name", ["tanh", "asin", "acos", "atanh", "atan", "asinh", "log2", "log10"])
def test_the_formula_of_a_rewritten_derivative_is_one_phrase_per_input(name):
    """The compiled program comments each derivative with the op's formula cut at its commas after
    the ';', one phrase per input: a rewritten form must keep to that."""
    op = OPS[name]
    phrases = op.formula.split(";", 1)[1].split(",")
    assert len(phrases) == len(op.inputs) and phrases[0].strip().startswith("∂"), op.formula
