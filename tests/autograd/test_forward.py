"""Forward mode (`autograd.jvp`): J v from the table, equal to reverse mode's J·v."""

import math

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import autograd
from autograd import OPS, Value
from tests.autograd.graphs import build, graphs
from tests.support import require_torch


@pytest.mark.parametrize("name", sorted(OPS))
@settings(max_examples=25)
@given(data=st.data())
def test_jvp_equals_reverse_mode_gradient_dot_v(name, data):
    recipe = data.draw(graphs(must_use=name), label="graph")
    point = recipe[0]
    v = data.draw(st.lists(st.floats(-3.0, 3.0), min_size=len(point), max_size=len(point)), label="v")
    try:
        value, jv = autograd.jvp(lambda *xs: build(recipe, xs), point, v)
    except (ValueError, ArithmeticError):
        assume(False)
    leaves = [Value(x) for x in point]
    output = build(recipe, leaves)
    gradient = autograd.grad(output, leaves)
    expected = math.fsum(g * vi for g, vi in zip(gradient, v))
    # Both modes round at every node, so they agree to rounding relative to the largest term
    # either one adds up: ∂f/∂z · ż at some node z (a graph may cancel two large branches).
    grads = autograd.gradients(output)
    dots = autograd.forward.tangents([output], dict(zip(leaves, v)))
    scale = max(abs(grads.get(node, 0.0) * dot) for node, dot in dots.items())
    assert value == output.data
    assert abs(jv - expected) <= 1e-12 * (1.0 + scale), f"{recipe}: jvp {jv}, reverse ∇f·v {expected}"


def test_jvp_of_several_outputs_is_the_jacobian_times_v():
    # f(x, y) = (x y, sin x + y²): J = [[y, x], [cos x, 2y]]
    x, y, v = 0.7, -1.3, [2.0, 0.5]
    values, jv = autograd.jvp(lambda a, b: [a * b, a.sin() + b * b], [x, y], v)
    assert values == [x * y, math.sin(x) + y * y]
    assert jv[0] == pytest.approx(y * v[0] + x * v[1], rel=1e-15)
    assert jv[1] == pytest.approx(math.cos(x) * v[0] + 2 * y * v[1], rel=1e-15)


def test_jvp_along_a_basis_vector_is_one_partial_derivative():
    f = lambda a, b, c: (a * b).exp() + c.log()  # noqa: E731
    point = [0.3, 0.2, 2.0]
    for i, expected in enumerate([0.2 * math.exp(0.06), 0.3 * math.exp(0.06), 0.5]):
        tangent = [1.0 if j == i else 0.0 for j in range(3)]
        assert autograd.jvp(f, point, tangent)[1] == pytest.approx(expected, rel=1e-15)


def test_jvp_of_an_input_returned_as_it_is():
    assert autograd.jvp(lambda a, b: b, [1.0, 2.0], [3.0, 4.0]) == (2.0, 4.0)


def test_jvp_refuses_bad_input_by_name():
    with pytest.raises(ValueError, match="2 tangents for 1 inputs"):
        autograd.jvp(lambda a: a, [1.0], [1.0, 2.0])
    with pytest.raises(ValueError, match="inputs is empty"):
        autograd.jvp(lambda: Value(1.0), [], [])
    with pytest.raises(TypeError, match="output 0 is float"):
        autograd.jvp(lambda a: [1.0], [1.0], [1.0])
    with pytest.raises(TypeError, match="expected a real number"):
        autograd.jvp(lambda a: a, ["x"], [1.0])


def test_jvp_under_no_grad_equals_torch():
    """jvp records f's graph whatever the caller's grad mode, as torch.autograd.functional.jvp."""
    require_torch()
    import torch
    from torch.autograd import functional

    def g(a, b):
        return a * a * b + b.exp()

    at = lambda *xs: tuple(torch.tensor(x, dtype=torch.float64) for x in xs)  # noqa: E731
    with torch.no_grad():
        value_t, jv_t = functional.jvp(g, at(1.0, 2.0), at(1.0, 0.0))
    with autograd.no_grad():
        value, jv = autograd.jvp(g, [1.0, 2.0], [1.0, 0.0])
        assert not autograd.is_grad_enabled()
    assert value == pytest.approx(float(value_t), rel=1e-15) and jv == pytest.approx(float(jv_t), rel=1e-15) == 4.0


@pytest.mark.parametrize("f, point, v, node", [
    (lambda x: x * 1e300 - x * 1e300, [1.0], [1e10], r"\(op \*, data 1e\+300"),  # torch: nan
    (lambda a: a.exp(), [700.0], [1e10], r"\(op exp, data 1\.0142"),              # torch: inf
])
def test_jvp_refuses_a_tangent_that_stops_being_finite_naming_the_node(f, point, v, node):
    with pytest.raises(FloatingPointError, match=r"^jvp \(forward mode\): the tangent at node " + node + ".* is inf"):
        autograd.jvp(f, point, v)


def test_jvp_errors_say_forward_mode_not_backward():
    with pytest.raises(FloatingPointError, match=r"^jvp \(forward mode\): the local derivative at node \(op asin"):
        autograd.jvp(lambda a: a.asin(), [1.0], [1.0])


def test_jvp_refuses_an_f_that_returns_a_number():
    with pytest.raises(TypeError, match="jvp: f must return a Value or a list of Values; got float"):
        autograd.jvp(lambda a, b: 3.0, [1.0, 2.0], [1.0, 1.0])


def test_jvp_pushes_no_tangent_into_a_constant_exponent():
    # ∂(x^c)/∂c = x^c ln x is nan at x < 0, but c is a constant: its tangent is 0 and it has no
    # term, as in backward (torch.func.jvp gives 12).
    c = autograd.Value(3.0, requires_grad=False)
    assert autograd.jvp(lambda a: a ** c, [-2.0], [1.0]) == (-8.0, 12.0)


def test_jvp_at_one_number_with_one_tangent():
    """As torch.autograd.functional.jvp takes a 0-d tensor: one number, one tangent."""
    def f(a):
        return a * a * a

    assert autograd.jvp(f, 2.0, 1.0) == autograd.jvp(f, [2.0], 1.0) == autograd.jvp(f, Value(2.0), [1.0]) == (8.0, 12.0)
    with pytest.raises(TypeError, match="jvp: tangents_in must be a number or a list of numbers, got NoneType"):
        autograd.jvp(f, 2.0, None)


def test_jvp_refuses_an_f_that_returns_a_dict_by_its_type():
    with pytest.raises(TypeError, match="jvp: f must return a Value or a list of Values; got dict"):
        autograd.jvp(lambda a: {"y": a}, [2.0], [1.0])
