"""The demos that need only the engine: BP1-BP4 in numpy vs the engine, linear regression vs OLS,
and the network builder they share."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
from demos import bp_equations, linear_regression
from demos.networks import Gradients, build, half_squared_error, random_layers


def test_bp_equations_agree_with_the_engine_to_1e_10(tmp_path):
    comparisons, picture = bp_equations.run(quick=True, out=tmp_path)
    assert comparisons and picture.exists() and picture.stat().st_size > 0
    for c in comparisons:
        assert max(c.errors.values()) <= 1e-10, (c.sizes, c.errors)
        assert c.agrees


@settings(max_examples=15)
@given(sizes=st.lists(st.integers(1, 4), min_size=2, max_size=4),
       hidden=st.sampled_from(["sigmoid", "tanh", "identity"]),
       output=st.sampled_from(["sigmoid", "tanh", "identity"]),
       seed=st.integers(0, 10_000))
def test_bp_equations_agree_on_random_shapes(sizes, hidden, output, seed):
    c = bp_equations.compare(sizes, hidden, output, seed)
    assert max(c.errors.values()) <= 1e-10


def test_bp2_without_the_transpose_is_caught():
    # 3-4-4-2: W^2 is square, so BP2 with W^2 in place of (W^2)ᵀ is computable, and wrong.
    rng = np.random.default_rng(0)
    weights, biases = random_layers([3, 4, 4, 2], rng)
    x, y = rng.normal(size=3), rng.uniform(size=2)
    activations = ["sigmoid"] * 3
    engine_delta, _, _ = bp_equations.engine_gradients(x, y, weights, biases, activations)
    hand_delta, _, _ = bp_equations.backprop(x, y, weights, biases, activations)
    a1 = 1 / (1 + np.exp(-(weights[0] @ x + biases[0])))
    untransposed = (weights[1] @ hand_delta[1]) * a1 * (1 - a1)
    assert np.max(np.abs(hand_delta[0] - engine_delta[0])) <= 1e-12
    assert np.max(np.abs(untransposed - engine_delta[0])) > 1e-4


def test_linear_regression_recovers_ols_to_1e_6(tmp_path):
    fit, (ols_w, ols_b), picture = linear_regression.run(quick=True, out=tmp_path)
    assert np.max(np.abs(fit.w - ols_w)) <= 1e-6
    assert abs(fit.b - ols_b) <= 1e-6
    assert fit.losses[-1] < fit.losses[0]
    assert picture.exists()


def test_linear_regression_with_two_features_recovers_ols():
    X, y = linear_regression.make_data(n=40, features=2, seed=3)
    fit = linear_regression.train(X, y, learning_rate=0.2, max_steps=2000)
    ols_w, ols_b = linear_regression.ols(X, y)
    assert np.max(np.abs(fit.w - ols_w)) <= 1e-6 and abs(fit.b - ols_b) <= 1e-6


def test_linear_regression_gradient_matches_central_differences():
    X, y = linear_regression.make_data(n=8, seed=1)

    def cost(w, b):
        return linear_regression.cost_of([w], b, X, y)

    assert autograd.gradcheck(cost, {"w": 0.4, "b": -0.2}).ok


def test_build_labels_follow_the_convention_and_checks_shapes():
    net = build([0.5, -1.0], [np.ones((3, 2))], [np.zeros(3)], "sigmoid")
    assert net.z[1][0].label == "z(2)_1" and net.a[1][2].label == "a(2)_3"
    assert net.weights[1][2][1].label == "w(2)_3,2" and net.biases[1][0].label == "b(2)_1"
    assert net.a[0][1].label == "x_2"
    assert net.z[1][0].op == "dot" and net.z[1][0].parents[-1] is net.biases[1][0]
    with pytest.raises(ValueError, match="layer 1 weights"):
        build([0.5, -1.0], [np.ones((3, 3))], [np.zeros(3)], "sigmoid")
    with pytest.raises(ValueError, match="unknown activation"):
        build([0.5], [np.ones((1, 1))], [np.zeros(1)], "softplus")


def test_network_gradients_match_central_differences():
    rng = np.random.default_rng(7)
    weights, biases = random_layers([2, 3, 1], rng)

    def cost(w11, b21):
        W = [[list(row) for row in weights[0]], [list(row) for row in weights[1]]]
        B = [list(biases[0]), list(biases[1])]
        W[0][0][0], B[1][0] = w11, b21
        net = build([0.3, -0.8], W, B, "tanh")
        return half_squared_error(net.output, [0.2])

    assert autograd.gradcheck(cost, {"w11": weights[0][0, 0], "b21": biases[1][0]}).ok
    net = build([0.3, -0.8], weights, biases, "tanh")
    g = Gradients(half_squared_error(net.output, [0.2]))
    assert g.matrix(net.weights[1]).shape == (3, 2)
