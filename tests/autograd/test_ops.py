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
