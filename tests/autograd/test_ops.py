"""Every op of the derivative table `autograd.OPS` against central differences.

The table below gives, for each op, a hypothesis strategy for inputs inside its domain (and
away from its kinks, where a derivative does not exist), and how to build the op with `Value`s.
A new op added to `autograd.OPS` without an entry here makes `test_every_op_has_a_case` fail.
"""

import math
import warnings
from dataclasses import dataclass
from typing import Callable

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
from autograd import OPS, Value, backends, local_derivatives
from autograd.gradcheck import KinkWarning
from tests.support import require_torch

KINK_MARGIN = 1e-3  # far enough from a kink that a central difference (eps = 1e-6) never crosses it


def real(low=-10.0, high=10.0):
    return st.floats(low, high, allow_nan=False, allow_infinity=False)


def away_from(point, low=KINK_MARGIN, high=10.0):
    """Numbers at distance [low, high] from `point`, on either side."""
    return st.tuples(st.sampled_from([-1.0, 1.0]), real(low, high)).map(lambda t: point + t[0] * t[1])


def nonzero(low=0.1, high=10.0):
    return away_from(0.0, low, high)


@dataclass(frozen=True)
class Case:
    """inputs draws (numbers, constants); build(constants, *values) returns the op's node."""

    inputs: st.SearchStrategy
    build: Callable


def plain(*strategies):
    """Inputs that are graph inputs only (no constants)."""
    return st.tuples(*strategies).map(lambda numbers: (list(numbers), {}))


@st.composite
def power_of_constant(draw):
    """x ** k: a positive base with any exponent, or a negative base with an integer exponent."""
    if draw(st.booleans()):
        return [draw(real(0.1, 5.0))], {"k": draw(real(-3.0, 3.0))}
    return [draw(real(-5.0, -0.1))], {"k": float(draw(st.integers(-3, 3)))}


@st.composite
def step_inputs(draw):
    threshold = draw(real(-5.0, 5.0))
    return [draw(away_from(threshold))], {"threshold": threshold}


@st.composite
def dot_inputs(draw):
    n = draw(st.integers(1, 5))
    numbers = draw(st.lists(real(-5.0, 5.0), min_size=2 * n, max_size=2 * n))
    bias = draw(st.none() | real(-5.0, 5.0))
    return numbers + ([] if bias is None else [bias]), {"n": n, "bias": bias is not None}


def build_dot(constants, *values):
    n = constants["n"]
    bias = values[2 * n] if constants["bias"] else None
    return autograd.dot(values[:n], values[n:2 * n], bias)


@st.composite
def dot_data_inputs(draw):
    """Weights (and maybe a bias) as graph inputs; the data x as the case's constants."""
    n = draw(st.integers(1, 5))
    weights = draw(st.lists(real(-5.0, 5.0), min_size=n, max_size=n))
    x = draw(st.lists(real(-5.0, 5.0), min_size=n, max_size=n))
    bias = draw(st.none() | real(-5.0, 5.0))
    return weights + ([] if bias is None else [bias]), {"x": x, "bias": bias is not None}


def build_dot_data(constants, *values):
    n = len(constants["x"])
    bias = values[n] if constants["bias"] else None
    return autograd.dot(values[:n], constants["x"], bias)


def many(low, high):
    return st.lists(real(low, high), min_size=1, max_size=6).map(lambda numbers: (numbers, {}))


CASES = {
    "+": Case(plain(real(), real()), lambda c, x, y: x + y),
    "-": Case(plain(real(), real()), lambda c, x, y: x - y),
    "*": Case(plain(real(), real()), lambda c, x, y: x * y),
    "/": Case(plain(real(), nonzero()), lambda c, x, y: x / y),
    "neg": Case(plain(real()), lambda c, x: -x),
    "abs": Case(plain(away_from(0.0)), lambda c, x: abs(x)),
    "**k": Case(power_of_constant(), lambda c, x: x ** c["k"]),
    "c**y": Case(st.tuples(real(-3.0, 3.0), real(0.1, 5.0)).map(lambda t: ([t[0]], {"c": t[1]})),
                 lambda c, y: c["c"] ** y),
    "**": Case(plain(real(0.1, 5.0), real(-3.0, 3.0)), lambda c, x, y: x ** y),
    "sqrt": Case(plain(real(0.01, 100.0)), lambda c, x: x.sqrt()),
    "exp": Case(plain(real(-20.0, 20.0)), lambda c, x: x.exp()),
    "log": Case(plain(real(0.01, 100.0)), lambda c, x: x.log()),
    "tanh": Case(plain(real()), lambda c, x: x.tanh()),
    "sigmoid": Case(plain(real()), lambda c, x: x.sigmoid()),
    "relu": Case(plain(away_from(0.0)), lambda c, x: x.relu()),
    "step": Case(step_inputs(), lambda c, x: x.step(c["threshold"])),
    "sum": Case(many(-10.0, 10.0), lambda c, *xs: autograd.sum(xs)),
    "dot": Case(dot_inputs(), build_dot),
    "dot_data": Case(dot_data_inputs(), build_dot_data),
    "logsumexp": Case(many(-20.0, 20.0), lambda c, *xs: autograd.logsumexp(xs)),
    "softmax": Case(st.tuples(many(-20.0, 20.0), st.integers(0, 5)).map(lambda t: (t[0][0], {"i": t[1] % len(t[0][0])})),
                    lambda c, *xs: autograd.softmax(xs)[c["i"]]),
    "sin": Case(plain(real()), lambda c, x: x.sin()),
    "cos": Case(plain(real()), lambda c, x: x.cos()),
    "tan": Case(plain(real(-1.4, 1.4)), lambda c, x: x.tan()),  # away from the poles at ±π/2
    "asin": Case(plain(real(-0.95, 0.95)), lambda c, x: x.asin()),  # away from ±1, where ∂ is infinite
    "acos": Case(plain(real(-0.95, 0.95)), lambda c, x: x.acos()),
    "atan": Case(plain(real(-100.0, 100.0)), lambda c, x: x.atan()),
    "sinh": Case(plain(real()), lambda c, x: x.sinh()),
    "cosh": Case(plain(real()), lambda c, x: x.cosh()),
    "asinh": Case(plain(real(-100.0, 100.0)), lambda c, x: x.asinh()),
    "acosh": Case(plain(real(1.05, 100.0)), lambda c, x: x.acosh()),
    "atanh": Case(plain(real(-0.95, 0.95)), lambda c, x: x.atanh()),
    "log1p": Case(plain(real(-0.95, 100.0)), lambda c, x: x.log1p()),
    "expm1": Case(plain(real(-20.0, 20.0)), lambda c, x: x.expm1()),
    "log2": Case(plain(real(0.01, 100.0)), lambda c, x: x.log2()),
    "log10": Case(plain(real(0.01, 100.0)), lambda c, x: x.log10()),
    # x and y a kink margin apart or more: no tie
    "maximum": Case(st.tuples(real(), away_from(0.0)).map(lambda t: ([t[0], t[0] + t[1]], {})),
                    lambda c, x, y: x.maximum(y)),
    "minimum": Case(st.tuples(real(), away_from(0.0)).map(lambda t: ([t[0], t[0] + t[1]], {})),
                    lambda c, x, y: autograd.minimum(x, y)),
    "xlogy": Case(plain(real(), real(0.01, 100.0)), lambda c, x, y: autograd.apply("xlogy", x, y)),
}

OP_NAMES = sorted(OPS)


def test_every_op_has_a_case():
    missing = set(OPS) - set(CASES)
    assert not missing, f"ops of autograd.OPS with no test case in tests/test_ops.py: {sorted(missing)}"
    stale = set(CASES) - set(OPS)
    assert not stale, f"test cases for ops that autograd.OPS no longer has: {sorted(stale)}"


@pytest.mark.parametrize("name", OP_NAMES)
def test_table_entry_is_complete(name):
    op = OPS[name]
    assert op.name == name
    assert "∂" in op.formula, f"{name}: the formula should state the derivative: {op.formula!r}"
    assert callable(op.forward) and callable(op.derivatives)
    if op.kink_at is not None:
        assert op.kink_rule, f"{name} has a kink but no documented convention"


@pytest.mark.parametrize("name", OP_NAMES)
@settings(max_examples=100)
@given(data=st.data())
def test_op_gradient_matches_central_differences(name, data):
    case = CASES[name]
    numbers, constants = data.draw(case.inputs, label="inputs")
    node = case.build(constants, *map(Value, numbers))
    assert node.op == name, f"the case for {name!r} built a {node.op!r} node"

    with warnings.catch_warnings():
        warnings.simplefilter("error", KinkWarning)  # the strategies stay away from kinks
        report = autograd.gradcheck(lambda *values: case.build(constants, *values), numbers)
    assert report.ok, f"{name} at {numbers} {constants}:\n{report}"


def central_difference(forward, args, i, eps=1e-6):
    plus, minus = list(args), list(args)
    plus[i] += eps
    minus[i] -= eps
    return (forward(plus) - forward(minus)) / (2 * eps)


@pytest.mark.parametrize("name", OP_NAMES)
@settings(max_examples=60)
@given(data=st.data())
def test_local_derivatives_match_the_table_forward(name, data):
    """Straight from the table: ∂node/∂parent_i against central differences of op.forward."""
    op, case = OPS[name], CASES[name]
    numbers, constants = data.draw(case.inputs, label="inputs")
    node = case.build(constants, *map(Value, numbers))
    consts = node.consts or {}
    inputs = [parent.data for parent in node.parents]

    def forward(args):
        return op.forward(backends.scalar, *([tuple(args)] if op.variadic else args), **consts)

    assert forward(inputs) == node.data
    derivatives = list(local_derivatives(node))
    assert len(derivatives) == len(node.parents)
    for i, derivative in enumerate(derivatives):
        numeric = central_difference(forward, inputs, i)
        assert math.isclose(derivative, numeric, rel_tol=1e-5, abs_tol=1e-6), (
            f"{name}: ∂/∂input {i} at {inputs} {consts}: table {derivative}, numeric {numeric}")


@pytest.mark.parametrize("name", OP_NAMES)
@settings(max_examples=30)
@given(data=st.data())
def test_array_backend_agrees_with_scalar_backend(name, data):
    """The batched (numpy) form of each formula gives the scalar form's numbers, per sample."""
    op, case = OPS[name], CASES[name]
    numbers, constants = data.draw(case.inputs, label="inputs")
    batch = [[x + 1e-4 * sample for x in numbers] for sample in range(3)]  # stays off kinks
    nodes = [case.build(constants, *map(Value, sample)) for sample in batch]
    consts = nodes[0].consts or {}
    # one row per op input, one column per sample
    columns = np.array([[parent.data for parent in node.parents] for node in nodes]).T
    args = [columns] if op.variadic else list(columns)

    out = op.forward(backends.array, *args, **consts)
    # atol: logsumexp near 0 is top + ln(1 + tiny), where one ulp of a sum shows
    np.testing.assert_allclose(np.broadcast_to(out, (3,)), [node.data for node in nodes], rtol=1e-12, atol=1e-14)

    derivatives = op.derivatives(backends.array, out, *args, **consts)
    rows = [np.broadcast_to(np.asarray(d, dtype=float), (3,)) for d in derivatives]
    assert len(rows) == len(nodes[0].parents)
    expected = np.array([local_derivatives(node) for node in nodes]).T
    # atol: 1 - tanh² and σ(1 - σ) cancel, so one ulp of the forward value shows there
    np.testing.assert_allclose(rows, expected, rtol=1e-12, atol=1e-14)


# --- kinks: one documented table -------------------------------------------------------

def gradient_at(build, x):
    value = Value(x)
    build(value).backward()
    return value.grad


def test_relu_derivative_at_zero_is_zero():
    assert gradient_at(Value.relu, 0.0) == 0.0
    assert gradient_at(Value.relu, -0.0) == 0.0


def test_abs_derivative_at_zero_is_zero():
    assert gradient_at(abs, 0.0) == 0.0


@given(x=real(), threshold=real())
def test_step_derivative_is_zero_everywhere(x, threshold):
    assert gradient_at(lambda v: v.step(threshold), x) == 0.0
    assert gradient_at(lambda v: v.step(threshold), threshold) == 0.0


@given(x=real(), threshold=real())
def test_step_is_one_at_and_above_its_threshold(x, threshold):
    assert Value(x).step(threshold).data == (1.0 if x >= threshold else 0.0)
    assert Value(threshold).step(threshold).data == 1.0
    assert Value(x).step().data == (1.0 if x >= 0 else 0.0)


@pytest.mark.parametrize("name, at, consts", [("relu", 0.0, {}), ("abs", 0.0, {}),
                                              ("step", 0.5, {"threshold": 0.5})])
def test_kink_table_names_where_and_which_convention(name, at, consts):
    op = OPS[name]
    assert op.kink_at is not None and op.kink_at(**consts) == at
    assert "0" in op.kink_rule, f"{name}: the convention should say the value used: {op.kink_rule!r}"


# --- xlogy: the cross-entropy term x ln y, 0 · ln 0 taken as 0 --------------------------------

def xlogy(x, y):
    return autograd.apply("xlogy", x, y)


# (x, y): x = 0 at y > 0 (z = 0, ∂z/∂x = ln y, ∂²z/∂x∂y = 1/y), either sign of x, y far from 1
XLOGY_POINTS = [(2.0, 3.0), (-2.0, 3.0), (0.0, 2.0), (0.0, 1e-300), (0.7, 1e-150), (-1e10, 1e200),
                (1.0, 1.0), (0.25, 0.5), (1e-300, 7.5), (3.0, 1e-5)]


@pytest.mark.parametrize("x, y", XLOGY_POINTS)
def test_xlogy_matches_torch_to_the_second_order(x, y):
    """z, ∇z and the Hessian against torch.xlogy in float64 (torch.autograd.grad, create_graph),
    also at x = 0, where torch gives ∂z/∂x = ln y as the engine does."""
    require_torch()
    import torch

    tx, ty = (torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in (x, y))
    tz = torch.xlogy(tx, ty)
    first = torch.autograd.grad(tz, [tx, ty], create_graph=True)
    hessian = [[0.0 if h is None else float(h) for h in torch.autograd.grad(g, [tx, ty], allow_unused=True,
                                                                            retain_graph=True)]
               for g in first]
    vx, vy = Value(x), Value(y)
    z = xlogy(vx, vy)
    ours_first = autograd.grad(z, [vx, vy])
    assert z.data == float(tz.detach())
    for ours, theirs in zip(ours_first + sum(autograd.hessian(xlogy, [x, y]), []),
                            [float(g.detach()) for g in first] + sum(hessian, [])):
        assert math.isclose(ours, theirs, rel_tol=4 * 2.0 ** -52, abs_tol=2.0 ** -1060), (x, y, ours, theirs)


def test_xlogy_at_zero_zero_is_zero_with_torchs_slopes_where_torch_has_them():
    """0 · ln 0: z = 0 and ∂z/∂x = 0, as torch gives; torch's ∂z/∂y there is 0/0 = nan, the
    engine's 0 (the term of a saturated probability whose coefficient is 0 adds nothing)."""
    require_torch()
    import torch

    tx, ty = (torch.tensor(0.0, dtype=torch.float64, requires_grad=True) for _ in range(2))
    tz = torch.xlogy(tx, ty)
    tgx, tgy = torch.autograd.grad(tz, [tx, ty])
    assert float(tz.detach()) == 0.0 and float(tgx) == 0.0 and math.isnan(float(tgy))
    x, y = Value(0.0), Value(0.0)
    z = xlogy(x, y)
    assert z.data == 0.0 and autograd.grad(z, [x, y]) == [0.0, 0.0]
    assert autograd.jvp(xlogy, [0.0, 0.0], [1.0, 1.0]) == (0.0, 0.0)
    assert autograd.hessian(xlogy, [0.0, 0.0]) == [[0.0, 0.0], [0.0, 0.0]]  # torch: nan and inf


@pytest.mark.parametrize("x, y", [(1.0, 0.0), (-0.5, 0.0), (0.0, -1.0), (2.0, -3.0)])
def test_xlogy_refuses_ln_0_with_a_coefficient_and_a_negative_y_by_name(x, y):
    """Outside y > 0 only 0 · ln 0 is defined (torch gives -inf for 1 · ln 0, and 0 for 0 · ln(-1),
    where the engine refuses both, as log refuses ln of x <= 0)."""
    with pytest.raises(ValueError) as error:
        xlogy(Value(x, label="t"), Value(y, label="p"))
    assert str(error.value) == (f"xlogy: xlogy is defined for y > 0, and for y = 0 where x = 0 (x ln 0 is "
                                f"±∞ for x ≠ 0: a probability y that saturated to 0 where its weight x "
                                f"needs it; a loss written on logits does not saturate); "
                                f"inputs: {x:g} ('t'), {y:g} ('p')")


def test_xlogy_on_arrays_is_not_finite_outside_its_domain_and_the_power_helper_keeps_its_rules():
    """The compiled path runs the array namespace without the domain check: a number that is not
    finite is what its checks find, never a silent 0. `exponent_slope(z, x)`, the helper of the power ops'
    ∂/∂y, still takes z ln 0 as 0."""
    x, y = np.array([1.0, -1.0, 0.0, 3.0, 0.0]), np.array([0.0, 0.0, -1.0, -2.0, 0.0])
    with np.errstate(all="ignore"):  # as the program runs the namespace
        z = backends.array.x_log_y(x, y)
        assert not np.isfinite(z[:4]).any() and z[4] == 0.0
        assert not np.isfinite(backends.array.x_log_y_dy(x, y)[:2]).any()
        assert backends.array.x_log_y_dx(x, y)[4] == 0.0 and backends.array.x_log_y_dy(x, y)[4] == 0.0
        assert backends.array.exponent_slope(np.array([2.0]), np.array([0.0]))[0] == 0.0
    assert backends.scalar.exponent_slope(2.0, 0.0) == 0.0


_XLOGY_PARAMS = (Value(0.8, label="w"), Value(1.5, label="v"))


def _cross_entropy_terms(xs, ys):
    """A cross-entropy with the target t as a graph input, and a coefficient w t that requires grad
    (0 at t = 0, where ∂/∂w goes through ∂z/∂x = ln y): p = σ(v x) saturates to 1.0 at x = 40."""
    w, v = _XLOGY_PARAMS
    (x,), (t,) = xs, ys
    p = (v * x).sigmoid()
    return -(xlogy(w * t, p) + xlogy(1.0 - t, 1.0 - p))



def test_xlogy_on_the_compiled_path_equals_the_scalar_engine():
    X = np.array([[40.0], [0.3], [-0.2], [40.0], [1.0]])  # σ(60) is 1.0 exactly
    Y = np.array([[1.0], [0.0], [1.0], [1.0], [0.25]])
    program = autograd.compile(_cross_entropy_terms, examples=(X, Y), parameters=list(_XLOGY_PARAMS))
    loss = program.gradient(X, Y)
    losses, grads = [], []
    for x, t in zip(X.tolist(), Y.tolist()):
        c = _cross_entropy_terms([Value(x[0])], [Value(t[0], requires_grad=False)])
        losses.append(c.data)
        grads.append(autograd.grad(c, list(_XLOGY_PARAMS)))
    assert math.isclose(loss, math.fsum(losses) / len(X), rel_tol=1e-14)
    np.testing.assert_allclose(program.grad, np.mean(grads, axis=0), rtol=1e-13, atol=0)


def test_the_compiled_path_names_xlogy_outside_its_domain_as_the_scalar_engine():
    X, Y = np.array([[0.3], [40.0]]), np.array([[1.0], [0.0]])  # example 1: 1 · ln(1 - 1.0)
    program = autograd.compile(_cross_entropy_terms, examples=(X[:1], Y[:1]), parameters=list(_XLOGY_PARAMS))
    with pytest.raises(ValueError) as scalar:
        _cross_entropy_terms([Value(40.0)], [Value(0.0)])
    with pytest.raises(ValueError) as batched:
        program.gradient(X, Y)
    assert "xlogy is defined for y > 0" in str(scalar.value)
    assert str(batched.value) == f"{scalar.value} (in example 1 of the batch)"
