"""Code moved from micrograd (its README, demo.ipynb, trace_graph.ipynb and test_engine.py) with
the changes the README names: the same numbers, and an error that says what to write instead."""

import importlib.util

import numpy as np
import pytest

import nn
from autograd import Value
from tests.support import require


class ForeignValue:
    """micrograd's Value as far as nn's checks can see it: data, grad, _prev and _op."""

    def __init__(self, data):
        self.data, self.grad, self._prev, self._op = data, 0, set(), ""

    def __repr__(self):
        return f"Value(data={self.data}, grad={self.grad})"


ForeignValue.__module__, ForeignValue.__qualname__ = "micrograd.engine", "Value"


def require_micrograd():
    require(importlib.util.find_spec("micrograd") is not None, "micrograd",
            "pip install -e '.[bench]' (micrograd==0.1.0)")


@pytest.mark.parametrize("make", [lambda: nn.Neuron(2, nonlin=True), lambda: nn.Layer(2, 3, nonlin=False)])
def test_micrograds_nonlin_keyword_says_which_activation_it_is(make):
    with pytest.raises(TypeError, match=r'nonlin= is micrograd.s keyword; its nonlin=True is activation="relu"'
                                        r' here, nonlin=False is activation="linear"'):
        make()


@pytest.mark.parametrize("nonlin", [True, False, np.True_])
def test_micrograds_nonlin_given_in_activations_place_says_which_it_is(nonlin):
    with pytest.raises(TypeError, match=r'got bool.*micrograd.s nonlin=True is activation="relu"'):
        nn.Neuron(2, nonlin)


@pytest.mark.parametrize("call, culprit", [
    (lambda v: nn.MLP(2, [1], seed=0)([v, 1.0]), "MLP: input x_1"),
    (lambda v: nn.inputs([v]), "inputs: input x_1"),
    (lambda v: nn.hinge(Value(0.5), v), "hinge: target"),
    (lambda v: nn.mse([v], [1.0]), "mse: prediction"),
    (lambda v: nn.MLP(2, [1], seed=0).predict([[v, 2.0]]), r"MLP.predict X"),
    (lambda v: nn.SGD([v], lr=0.1), r"SGD: parameter 0 is"),
    (lambda v: nn.MSELoss()([v], [1.0]), r"MSELoss input: expected Values \(or numbers\), in lists, got"),
    (lambda v: nn.BCELoss()([0.5], [v]), r"BCELoss target: expected numbers .*, got"),
    (lambda v: nn.MLP(2, [1], seed=0)(v), r"MLP: expected a list, tuple or 1-D numpy array of 2 numbers, got"),
    (lambda v: nn.ReLU()(v), r"ReLU\(\): expected a list, tuple or 1-D numpy array of some numbers, got"),
])
def test_another_engines_value_is_named_by_its_module(call, culprit):
    # a notebook that kept `from micrograd.engine import Value` used to read "expected a real
    # number ..., got Value Value(data=1.0, grad=0)", as if tracegrad refused its own Values
    with pytest.raises(TypeError, match=culprit + r".*a micrograd\.engine\.Value \(another engine's Value; "
                                                  r"tracegrad's is `from autograd import Value`\)"):
        call(ForeignValue(1.0))


def test_micrograds_readme_example_gives_its_numbers_bit_for_bit():
    """micrograd's README example (test_more_ops), run with tracegrad's Value as written."""
    a, b = Value(-4.0), Value(2.0)
    c = a + b
    d = a * b + b**3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g += 10.0 / f
    g.backward()
    # micrograd 0.1.0 and torch float64 both give these exact floats
    assert (g.data, a.grad, b.grad) == (24.70408163265306, 138.83381924198252, 645.5772594752186)


def _moons_losses(Value, model, X, y, steps):
    """demo.ipynb's loop: SVM max-margin loss, L2 1e-4, SGD with lr 1 - 0.9 k / 100."""
    losses = []
    for k in range(steps):
        scores = [model(list(map(Value, row))) for row in X]
        data_loss = sum((1 + -yi * s).relu() for yi, s in zip(y, scores)) * (1.0 / len(scores))
        total = data_loss + 1e-4 * sum(p * p for p in model.parameters())
        model.zero_grad()
        total.backward()
        for p in model.parameters():
            p.data -= (1.0 - 0.9 * k / 100) * p.grad
        losses.append(total.data)
    return losses


def test_micrograds_moons_demo_gives_micrograds_losses_with_its_weights():
    require_micrograd()
    import micrograd.engine
    import micrograd.nn
    from sklearn.datasets import make_moons

    X, y = make_moons(n_samples=30, noise=0.1, random_state=1337)
    y = y * 2 - 1
    theirs = micrograd.nn.MLP(2, [16, 16, 1])
    ours = nn.MLP(2, [16, 16, 1], activation="relu")
    # the same parameter order: per neuron w_1 ... w_n then b, neuron by neuron, layer by layer
    for p, q in zip(ours.parameters(), theirs.parameters(), strict=True):
        p.data = q.data
    expected = _moons_losses(micrograd.engine.Value, theirs, X, y, 4)
    got = _moons_losses(Value, ours, X, y, 4)
    # rounding only: micrograd adds the bias first, a dot node last
    np.testing.assert_allclose(got, expected, rtol=1e-13)
    np.testing.assert_allclose([p.data for p in ours.parameters()], [q.data for q in theirs.parameters()],
                               rtol=0, atol=1e-14)
