"""The elementary functions of the table: trigonometric, hyperbolic, log1p/expm1/log2/log10, max, min.

(Central differences for every op, on the scalar and the array namespace, are in test_ops.py.)
Here: their domain errors; first order against PyTorch float64 and the exact value (their
accuracy at extreme magnitudes is in test_ops_accuracy.py, with every op's); the tie convention of maximum and
minimum against torch's; and HIPS autograd's scalar checks, restated: 3·f(x) at the same kind
of point, first AND second derivative, in reverse and in forward mode, against numerical
differences.
"""

import math

import mpmath
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
from autograd import Value
from tests.autograd.test_ops_accuracy import EXACT  # the exact derivatives, with mpmath
from tests.support import require_torch

ULPS = 8 * 2.0 ** -52  # relative: a few roundings of the derivative's formula

UNARY = ["sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "asinh", "acosh", "atanh",
         "log1p", "expm1", "log2", "log10"]


def derivative(name, x):
    """∂f/∂x from the engine (one backward pass through the table)."""
    value = Value(x)
    getattr(value, name)().backward()
    return value.grad


# --- domain: a named error of the right type --------------------------------------------

@pytest.mark.parametrize("name, x, error, says", [
    ("asin", 1.5, ValueError, "-1 <= x <= 1"), ("asin", -1.0000001, ValueError, "-1 <= x <= 1"),
    ("acos", -2.0, ValueError, "-1 <= x <= 1"),
    ("acosh", 0.5, ValueError, "x >= 1"),
    ("atanh", 1.0, ValueError, "-1 < x < 1"), ("atanh", -1.0, ValueError, "-1 < x < 1"),
    ("log1p", -1.0, ValueError, "x > -1"), ("log1p", -3.0, ValueError, "x > -1"),
    ("log2", 0.0, ValueError, "x > 0"), ("log10", -1.0, ValueError, "x > 0"),
    ("sinh", 711.0, OverflowError, "overflows"), ("cosh", -711.0, OverflowError, "overflows"),
    ("expm1", 710.0, OverflowError, "overflows"),
])
def test_outside_the_domain_is_a_named_error(name, x, error, says):
    with pytest.raises(error) as raised:
        getattr(Value(x, label="u"), name)()
    message = str(raised.value)
    assert message.startswith(f"{name}:") and says in message, message
    shown = message.split("inputs: ", 1)[-1].split(" ('u')")[0]  # exactly: -1.0000001 is not -1
    assert " ('u')" in message and float(shown) == x, f"the message should name the value and its label: {message}"


@pytest.mark.parametrize("name, x", [("asin", 1.0), ("asin", -1.0), ("acos", 1.0), ("acosh", 1.0)])
def test_an_infinite_derivative_at_the_edge_of_the_domain_is_a_named_error(name, x):
    """asin(1) = π/2 is a number, but its slope there is infinite: backward names the node."""
    node = getattr(Value(x, label="u"), name)()
    node.label = "f"
    with pytest.raises(FloatingPointError, match=f"'f' \\(op {name}"):
        node.backward()


def test_the_largest_inputs_inside_the_domain_still_work():
    assert math.isfinite(Value(710.0).sinh().data) and math.isfinite(Value(-710.0).cosh().data)
    assert Value(709.0).expm1().data == math.expm1(709.0)
    assert Value(-0.9999999999999999).log1p().data == math.log1p(-0.9999999999999999)


# --- first order against PyTorch float64 ------------------------------------------------

INSIDE = {
    "sin": (-10.0, 10.0), "cos": (-10.0, 10.0), "tan": (-1.5, 1.5), "asin": (-0.999, 0.999),
    "acos": (-0.999, 0.999), "atan": (-100.0, 100.0), "sinh": (-700.0, 700.0), "cosh": (-700.0, 700.0),
    "asinh": (-1e6, 1e6), "acosh": (1.001, 1e6), "atanh": (-0.999, 0.999), "log1p": (-0.999, 1e6),
    "expm1": (-700.0, 700.0), "log2": (1e-6, 1e6), "log10": (1e-6, 1e6),
}


@pytest.mark.parametrize("name", UNARY)
@settings(max_examples=100)
@given(data=st.data())
def test_value_and_derivative_match_torch(name, data):
    require_torch()
    import torch

    x = data.draw(st.floats(*INSIDE[name], allow_nan=False), label="x")
    value = Value(x)
    node = getattr(value, name)()
    node.backward()
    t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    out = getattr(torch, name)(t)
    out.backward()
    assert math.isclose(node.data, out.item(), rel_tol=4e-16, abs_tol=1e-300), f"{name}({x!r})"
    # torch writes some derivatives in less accurate forms (asin's 1/√(1 - x²) near 1, expm1's
    # e^x - 1 + 1): there the two may differ by torch's own error, which the exact value shows
    exact, theirs = float(EXACT[name](mpmath.mpf(x), {})[0]), t.grad.item()
    assert abs(value.grad - exact) <= ULPS * abs(exact), f"{name}'({x!r}): engine {value.grad!r}, exact {exact!r}"
    assert abs(value.grad - theirs) <= ULPS * abs(exact) + abs(theirs - exact), (
        f"{name}'({x!r}): engine {value.grad!r}, torch {theirs!r}, exact {exact!r}")


# --- maximum and minimum: the tie splits the gradient, as in torch ---------------------

@pytest.mark.parametrize("name", ["maximum", "minimum"])
@given(x=st.floats(-1e6, 1e6), y=st.floats(-1e6, 1e6), same=st.booleans())
def test_maximum_and_minimum_match_torch_also_at_ties(name, x, y, same):
    require_torch()
    import torch

    y = x if same else y
    a, b = Value(x), Value(y)
    node = getattr(autograd, name)(a, b)
    node.backward()
    ta = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    tb = torch.tensor(y, dtype=torch.float64, requires_grad=True)
    getattr(torch, name)(ta, tb).backward()
    assert node.data == (max(x, y) if name == "maximum" else min(x, y))
    assert (a.grad, b.grad) == (ta.grad.item(), tb.grad.item())


@pytest.mark.parametrize("name", ["maximum", "minimum"])
def test_a_tie_gives_each_input_half(name):
    a, b = Value(2.0), Value(2.0)
    getattr(a, name)(b).backward()
    assert (a.grad, b.grad) == (0.5, 0.5)
    c = Value(3.0)
    getattr(c, name)(c).backward()  # max(c, c) = c: the halves add up to 1
    assert c.grad == 1.0


def test_maximum_takes_a_number_and_is_drawn_as_max():
    node = autograd.maximum(Value(1.0), 4.0)
    assert node.data == 4.0 and node.op == "maximum"
    assert autograd.ops.symbol(node) == "max" and autograd.ops.symbol(autograd.minimum(Value(1.0), 2.0)) == "min"


def test_gradcheck_warns_at_a_tie_of_maximum():
    with pytest.warns(autograd.KinkWarning, match="half"):
        autograd.gradcheck(lambda x, y: x.maximum(y), [1.0, 1.0])


# --- HIPS autograd's scalar checks, restated -------------------------------------------
# HIPS checks 3·f(x) at one point per function (a standard normal draw, |draw| where the
# domain needs x > 0, fixed points inside (-1, 1) for the arc functions, draw² + 1.2 for
# arccosh), in forward and reverse mode, to second order, against numerical differences.

HIPS_POINTS = {
    "sin": 1.624, "cos": -0.612, "tan": -0.528, "sinh": -1.073, "cosh": 0.865, "tanh": -2.302,
    "asin": 0.1, "acos": 0.1, "atan": 0.2, "asinh": 1.745, "acosh": 0.762 ** 2 + 1.2, "atanh": 0.2,
    "log2": 0.319, "log10": 0.249, "log1p": 1.462, "expm1": 2.060,
    # and the ops the table had before, which HIPS checks the same way
    "exp": -0.322, "log": 0.384, "sqrt": 3.2, "sigmoid": 0.4,
}
OTHER_SCALAR_CHECKS = {  # name: (3·f as Values, point)
    "abs+": (lambda v: 3.0 * abs(v), 1.1), "abs-": (lambda v: 3.0 * abs(v), -1.1),
    "neg": (lambda v: 3.0 * -v, 0.7), "x**k": (lambda v: v ** 2.3, 1.4), "c**y": (lambda v: 0.8 ** v, 0.3),
    "0**y": (lambda v: 0.0 ** v, 0.6), "x/y": (lambda v: v / 0.4, 0.3), "c/x": (lambda v: 0.4 / v, 0.3),
    "x*y": (lambda v: v * 0.6, 0.2), "reciprocal": (lambda v: 1.0 / v, 0.45),
}
CHECKS = {name: ((lambda v, name=name: 3.0 * getattr(v, name)()), x) for name, x in HIPS_POINTS.items()}
CHECKS.update(OTHER_SCALAR_CHECKS)


def _numeric(f, x, eps=1e-5):
    return (f(x + eps) - f(x - eps)) / (2 * eps)


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_hips_scalar_check_first_and_second_order_forward_and_reverse(name):
    f, x = CHECKS[name]

    def value(x):
        return f(Value(x)).data

    first_numeric = _numeric(value, x)
    leaf = Value(x)
    (first,) = autograd.grad(f(leaf), [leaf], create_graph=True)
    # A constant first derivative (-x, x + 2.5) has no graph, as in PyTorch: its derivative is 0.
    second = autograd.grad(first, leaf) if first.requires_grad else 0.0
    _, first_forward = autograd.jvp(f, [x], [1.0])
    # forward over reverse: the tangent of the recorded backward pass
    _, second_forward = autograd.jvp(lambda v: autograd.grad(f(v), v, create_graph=True), [x], [1.0])

    def first_of(x):
        v = Value(x)
        return autograd.grad(f(v), v)

    second_numeric = _numeric(first_of, x)
    for what, got, expected in [("reverse first", first.data, first_numeric),
                                ("forward first", first_forward, first_numeric),
                                ("reverse second", second, second_numeric),
                                ("forward-over-reverse second", second_forward, second_numeric)]:
        assert math.isclose(got, expected, rel_tol=1e-6, abs_tol=1e-7), f"{name} {what} at {x}: {got} vs {expected}"
