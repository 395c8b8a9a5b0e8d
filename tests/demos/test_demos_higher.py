"""The demos of higher order and forward mode: note 001's Hessian and Newton step, and the
work of forward against reverse mode."""

import numpy as np
import pytest

from demos import forward_reverse, newton


@pytest.fixture(scope="module")
def newton_run(tmp_path_factory):
    return newton.run(quick=True, out=tmp_path_factory.mktemp("newton"))


def test_the_engines_hessian_of_the_cost_is_two_xtx_over_n(newton_run):
    np.testing.assert_allclose(newton_run.H, newton_run.H_formula, rtol=1e-13, atol=1e-13)


@pytest.mark.parametrize("seed", [0, 1, 7])
def test_one_newton_step_from_any_start_lands_on_ols(seed, tmp_path):
    result = newton.run(quick=True, out=tmp_path, seed=seed)
    assert len(result.starts) >= 3 and max(np.max(np.abs(s)) for s in result.starts) > 5
    for theta in result.landings:
        np.testing.assert_allclose(theta, result.ols, rtol=0, atol=newton.TOLERANCE)


def test_gradient_descent_needs_many_steps_where_newton_needs_one(newton_run):
    assert newton_run.descent.steps > 10
    assert newton_run.picture.exists() and newton_run.picture.stat().st_size > 0
    text = newton.report(newton_run)
    assert "2 X̃ᵀX̃/n" in text and "lands on lstsq's OLS" in text


def test_a_wrong_hessian_would_be_caught():
    """The comparison can fail: the formula without its factor 2 is far from the engine's H."""
    X, y = newton.linear_regression.make_data(n=20, features=2)
    _, H = newton.newton_step([0.0, 0.0, 0.0], X, y)
    assert np.max(np.abs(H - newton.hessian_formula(X) / 2)) > 0.5


@pytest.mark.parametrize("n", [5, 40])
def test_forward_mode_asks_the_table_n_times_as_often_as_reverse_mode(n):
    reverse, forward, nodes, gap = forward_reverse.run(n)
    assert (reverse.passes, forward.passes) == (1, n)
    assert reverse.evaluations == nodes  # one local derivative per op node
    assert forward.evaluations == n * nodes
    assert gap <= 1e-14
    assert "forward mode did" in forward_reverse.report(n, reverse, forward, nodes, gap)


def test_counting_restores_the_table():
    import autograd
    before = dict(autograd.OPS)
    with forward_reverse.counting_table():
        assert autograd.OPS["sin"] is not before["sin"]
    assert all(autograd.OPS[name] is op for name, op in before.items())
