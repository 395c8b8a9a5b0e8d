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
    expected_grad = np.zeros(n)
    expected_loss = 0.0
    for row in X:
        out = cost([Value(x) for x in row])
        expected_loss += out.data / len(X)
        expected_grad += np.array(autograd.grad(out, theta)) / len(X)
    assert math.isclose(loss, expected_loss, rel_tol=1e-12, abs_tol=1e-12)
    np.testing.assert_allclose(program.grad, expected_grad, rtol=1e-10, atol=1e-10)


def test_the_compiled_path_refuses_create_graph_by_name():
    w = Value(0.5, label="w")
    x = Value(0.0, label="x")
    program = autograd.compile((w * x).sin(), inputs=[x], parameters=[w])
    with pytest.raises(FirstOrderOnlyError, match="first-order only.*autograd.grad"):
        program.backward(np.array([[1.0]]), create_graph=True)
    assert issubclass(FirstOrderOnlyError, NotImplementedError)
