"""The compiled path runs every op of the table, first order, equal to the scalar engine; it
says by name that it is first-order only."""

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import autograd
from autograd import OPS, Value
from autograd.higher import FirstOrderOnlyError
from tests.autograd.graphs import build, graphs


@pytest.mark.parametrize("name", sorted(OPS))
@settings(max_examples=10)
@given(data=st.data())
def test_compiled_gradient_equals_the_scalar_engine_on_graphs_of_every_op(name, data):
    recipe = data.draw(graphs(must_use=name, max_steps=4), label="graph")
    n = len(recipe[0])
    theta = [Value(t, label=f"p{i}") for i, t in enumerate(recipe[0])]
    X = np.array([[0.01 * (row + 1) * (-1) ** i for i in range(n)] for row in range(4)])

    def cost(xs):
        return build(recipe, [x + p for x, p in zip(xs, theta)])

    try:
        program = autograd.compile(cost, examples=X, parameters=theta)
    except (ValueError, ArithmeticError):
        assume(False)
    loss = program.gradient(X)
    expected_loss, expected_grad = _scalar_engine(cost, X, theta)
    assert math.isclose(loss, expected_loss, rel_tol=1e-12, abs_tol=1e-12)
    # Where the graph is ill-conditioned (cos of a 1e8 built from expm1 and **), numpy's expm1
    # one ulp from libm's is amplified into the gradient: the scalar engine's own gradient moves
    # as much when the example and θ move by 4 ulps. A wrong program differs by far more.
    values = [p.data for p in theta]
    spread = np.zeros(n)
    for factor in (1.0 + 4 * EPS, 1.0 - 4 * EPS):
        for p, v in zip(theta, values):
            p.data = v * factor
        spread = np.maximum(spread, np.abs(_scalar_engine(cost, X * factor, theta)[1] - expected_grad))
    for p, v in zip(theta, values):
        p.data = v
    assert np.all(np.abs(program.grad - expected_grad) <= 1e-10 * (1.0 + np.abs(expected_grad)) + 16 * spread)


EPS = np.finfo(float).eps


def _scalar_engine(cost, X, theta):
    """The batch's mean loss and gradient, example by example on the scalar engine."""
    loss, grad = 0.0, np.zeros(len(theta))
    for row in X:
        out = cost([Value(x) for x in row])
        loss += out.data / len(X)
        grad += np.array(autograd.grad(out, theta)) / len(X)
    return loss, grad


def test_the_compiled_path_refuses_create_graph_by_name():
    w = Value(0.5, label="w")
    x = Value(0.0, label="x")
    program = autograd.compile((w * x).sin(), inputs=[x], parameters=[w])
    with pytest.raises(FirstOrderOnlyError, match="first-order only.*autograd.grad"):
        program.backward(np.array([[1.0]]), create_graph=True)
    assert issubclass(FirstOrderOnlyError, NotImplementedError)
