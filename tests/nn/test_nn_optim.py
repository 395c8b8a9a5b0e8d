"""nn.SGD and nn.Adam: the update rules on arrays, the same through Values, and bad settings."""

import math

import numpy as np
import pytest

import nn
from autograd import Value


def _values(numbers, grads):
    values = [Value(x) for x in numbers]
    for v, g in zip(values, grads):
        v.grad = g
    return values


def test_sgd_plain_step():
    params = _values([1.0, -2.0], [0.5, 0.25])
    nn.SGD(params, lr=0.1).step()
    assert [p.data for p in params] == pytest.approx([0.95, -2.025])


def test_sgd_momentum_and_weight_decay_follow_the_formula():
    theta, lr, mu, wd = np.array([1.0, -2.0]), 0.1, 0.9, 0.01
    grads = [np.array([0.5, 0.25]), np.array([-0.1, 0.3]), np.array([0.2, 0.2])]
    expected, velocity = theta.copy(), None
    for g in grads:
        g = g + wd * expected
        velocity = g.copy() if velocity is None else mu * velocity + g
        expected = expected - lr * velocity
    optimizer = nn.SGD([Value(0.0), Value(0.0)], lr, momentum=mu, weight_decay=wd)
    for g in grads:
        optimizer.update(theta, g)
    assert theta == pytest.approx(expected, rel=1e-14)


def test_adam_follows_the_formula():
    theta = np.array([1.0, -2.0, 0.5])
    grads = [np.array([0.5, 0.25, -1.0]), np.array([-0.1, 0.3, 0.0]), np.array([0.2, 0.2, 2.0])]
    lr, b1, b2, eps = 0.01, 0.9, 0.999, 1e-8
    m = v = np.zeros(3)
    expected = theta.copy()
    for t, g in enumerate(grads, 1):
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        expected = expected - lr * (m / (1 - b1 ** t)) / (np.sqrt(v / (1 - b2 ** t)) + eps)
    optimizer = nn.Adam([Value(0.0)] * 1 + [Value(0.0), Value(0.0)], lr=lr)
    for g in grads:
        optimizer.update(theta, g)
    assert theta == pytest.approx(expected, rel=1e-14)
    assert optimizer.t == 3 and optimizer.steps == 3


@pytest.mark.parametrize("make", [lambda p: nn.SGD(p, 0.1, momentum=0.5), lambda p: nn.Adam(p, 0.05)])
def test_step_through_values_equals_update_on_arrays(make):
    rng = np.random.default_rng(0)
    start, grads = rng.normal(size=4), rng.normal(size=(3, 4))
    params = [Value(x) for x in start]
    by_values, by_arrays = make(params), make([Value(0.0) for _ in range(4)])
    theta = start.copy()
    for g in grads:
        for p, gk in zip(params, g):
            p.grad = gk
        by_values.step()
        by_arrays.update(theta, g)
    assert [p.data for p in params] == pytest.approx(theta, rel=1e-15)


def test_zero_grad_resets_the_values():
    params = _values([1.0, 2.0], [3.0, 4.0])
    nn.Adam(params).zero_grad()
    assert [p.grad for p in params] == [0.0, 0.0]


def test_a_step_that_would_make_a_parameter_non_finite_is_refused():
    params = _values([1.0], [1e308])
    params[0].label = "w(2)_1,1"
    with pytest.raises(FloatingPointError, match=r"w\(2\)_1,1"):
        nn.SGD(params, lr=1e10).step()
    assert params[0].data == 1.0


@pytest.mark.parametrize("make", [lambda p: nn.SGD(p, lr=0.1, momentum=0.9), lambda p: nn.Adam(p, lr=0.1)])
def test_a_refused_step_leaves_the_optimizers_state_as_it_was(make):
    params = _values([1.0], [0.5])
    optimizer = make(params)
    optimizer.step()  # one good step, so that momentum / Adam's m, v, t hold something
    before = {k: v.copy() if hasattr(v, "copy") else v for k, v in vars(optimizer).items()}
    params[0].grad = 1e308
    optimizer.lr = 1e300
    lr = optimizer.lr
    with pytest.raises(FloatingPointError):
        optimizer.step()
    after = vars(optimizer)
    assert after["_lr"] == lr and set(after) == set(before)
    for name, value in before.items():
        if name != "_lr":
            assert (after[name] == value).all() if hasattr(value, "all") else after[name] == value, name


@pytest.mark.parametrize("make", [lambda p: nn.SGD(p, lr=1e300, momentum=0.9), lambda p: nn.Adam(p, lr=1e300)])
def test_a_refused_update_on_arrays_leaves_theta_as_it_was(make):
    # The fast path's form: θ is one flat vector updated in place, so a refusal must restore it.
    params = _values([1.0, 2.0], [0.5, 1e308])
    params[1].label = "b(2)_1"
    optimizer = make(params)
    theta, grad = np.array([1.0, 2.0]), np.array([0.5, 1e308])
    with pytest.raises(FloatingPointError, match=r"parameter 'b\(2\)_1' would become"):
        optimizer.checked_update(theta, grad)
    assert theta.tolist() == [1.0, 2.0] and optimizer.steps == 0


class _CountingSGD(nn.SGD):
    """A subclass with state of its own, which SGD's declared STATE does not name."""

    def update(self, theta, grad):
        self.seen = getattr(self, "seen", 0) + 1
        super().update(theta, grad)


def test_a_subclass_with_state_of_its_own_has_it_restored_too():
    params = _values([1.0], [0.5])
    optimizer = _CountingSGD(params, lr=0.1, momentum=0.9)
    optimizer.step()
    theta, grad, before = np.array([1.0]), np.array([1e308]), np.empty(1)
    optimizer.lr = 1e300
    with pytest.raises(FloatingPointError):
        optimizer.checked_update(theta, grad, before=before)  # into the caller's buffer
    assert optimizer.seen == 1 and optimizer.steps == 1 and theta.tolist() == [1.0]


def test_huge_finite_weights_whose_sum_overflows_still_step():
    params = _values([1e308, 1e308], [1.0, 1.0])
    nn.SGD(params, lr=0.5).step()
    assert [p.data for p in params] == [1e308 - 0.5, 1e308 - 0.5]


@pytest.mark.parametrize("call,error,culprit", [
    (lambda p: nn.SGD(p, lr=0.0), ValueError, "learning rate lr must be > 0, got 0.0"),
    (lambda p: nn.SGD(p, lr=-0.1), ValueError, "lr must be > 0, got -0.1"),
    (lambda p: nn.SGD(p, lr=math.inf), ValueError, "lr must be > 0"),
    (lambda p: nn.SGD(p, lr="fast"), TypeError, "lr: expected a real number"),
    (lambda p: nn.Adam(p, lr=-1), ValueError, "Adam learning rate lr must be > 0"),
    (lambda p: nn.SGD(p, lr=0.1, momentum=1.5), ValueError, "momentum must be in"),
    (lambda p: nn.SGD(p, lr=0.1, weight_decay=-1), ValueError, "weight_decay must be >= 0"),
    (lambda p: nn.Adam(p, betas=(0.9, 1.0)), ValueError, "β2"),
    (lambda p: nn.Adam(p, eps=0), ValueError, "eps must be > 0"),
    (lambda p: nn.SGD([], lr=0.1), ValueError, "empty parameter list"),
    (lambda p: nn.SGD([1.0], lr=0.1), TypeError, "parameter 0 is a float"),
    (lambda p: nn.SGD(p + p, lr=0.1), ValueError, "listed twice"),
    (lambda p: nn.SGD(nn.MLP(1, [1]), lr=0.1), TypeError, "model.parameters()"),
])
def test_bad_settings_raise_clear_errors(call, error, culprit):
    with pytest.raises(error, match=culprit.replace("(", r"\(").replace(")", r"\)")):
        call([Value(1.0)])


def test_learning_rate_can_be_changed_but_not_to_zero():
    optimizer = nn.SGD([Value(1.0)], lr=0.1)
    optimizer.lr = 0.01
    assert optimizer.lr == 0.01
    with pytest.raises(ValueError, match="lr must be > 0"):
        optimizer.lr = 0


# --- a bad .grad, bad arrays, and refusals that say what is wrong ------------------------

@pytest.mark.parametrize("grad, error, says", [
    ("x", TypeError, r"^SGD\.step: parameter 'w1' has \.grad str 'x'; expected a number"),
    (None, TypeError, r"^SGD\.step: parameter 'w1' has \.grad NoneType None"),
    (10 ** 400, ValueError, r"^SGD\.step: parameter 'w1' \.grad: .*int too large"),
    (True, TypeError, r"^SGD\.step: parameter 'w1' has \.grad bool True"),
], ids=["str", "None", "huge int", "bool"])
def test_a_grad_that_is_not_a_number_is_named(grad, error, says):
    params = _values([1.0, 2.0], [0.5, 0.5])
    params[1].label, params[1].grad = "w1", grad
    with pytest.raises(error, match=says):
        nn.SGD(params, lr=0.1).step()
    assert [p.data for p in params] == [1.0, 2.0]


@pytest.mark.parametrize("theta, grad, error, says", [
    ([1.0], np.array([1.0]), TypeError, r"checked_update: theta must be a numpy array of floats, got list"),
    (np.array([1.0]), [1.0], TypeError, r"checked_update: grad must be a numpy array of floats, got list"),
    (np.array([1]), np.array([1.0]), TypeError, r"checked_update: theta must be a numpy array of floats, got .*int"),
    (np.array([1.0, 2.0]), np.array([1.0, 2.0]), ValueError,
     r"checked_update: theta has shape \(2,\); expected \(1,\)"),
    (np.array([1.0]), np.array([[1.0]]), ValueError, r"checked_update: grad has shape \(1, 1\); expected \(1,\)"),
])
def test_checked_update_names_a_bad_array(theta, grad, error, says):
    optimizer = nn.SGD([Value(1.0)], lr=0.1)
    with pytest.raises(error, match=r"^SGD\." + says):
        optimizer.checked_update(theta, grad)
    assert optimizer.steps == 0


def test_a_refusal_says_what_is_wrong():
    params = _values([1.0, 2.0], [0.5, math.nan])
    params[1].label = "w1"
    with pytest.raises(FloatingPointError, match=r"parameter 'w1' has the gradient nan") as caught:
        nn.SGD(params, lr=0.1).step()
    assert "learning rate" not in str(caught.value)
    params[1].grad, params[1].data = 0.5, math.inf  # set by hand: a Value would refuse it
    with pytest.raises(FloatingPointError, match=r"parameter 'w1' is inf already, before this step") as caught:
        nn.Adam(params, lr=0.1).step()
    assert "learning rate" not in str(caught.value)
    params[1].data = 2.0
    params[1].grad = 1e308
    with pytest.raises(FloatingPointError, match=r"parameter 'w1' would become -inf .*lower the learning rate"):
        nn.SGD(params, lr=1e10).step()


@pytest.mark.parametrize("make, name, bad, says", [
    (lambda p: nn.SGD(p, lr=0.1), "momentum", math.nan, r"SGD momentum: expected a finite number, got nan"),
    (lambda p: nn.SGD(p, lr=0.1), "momentum", 1.0, r"SGD momentum must be in \[0, 1\), got 1\.0"),
    (lambda p: nn.SGD(p, lr=0.1), "weight_decay", -1.0, r"SGD weight_decay must be >= 0"),
    (lambda p: nn.Adam(p), "betas", (math.nan, 2), r"Adam β1 \(betas\[0\]\): expected a finite number, got nan"),
    (lambda p: nn.Adam(p), "betas", (0.9, 2), r"Adam β2 \(betas\[1\]\) must be in \[0, 1\), got 2"),
    (lambda p: nn.Adam(p), "betas", 0.9, r"Adam betas: expected a pair"),
    (lambda p: nn.Adam(p), "eps", 0.0, r"Adam eps must be > 0"),
    (lambda p: nn.Adam(p), "weight_decay", math.inf, r"Adam weight_decay: expected a finite number"),
])
def test_settings_are_checked_when_assigned_too(make, name, bad, says):
    optimizer = make([Value(1.0)])
    before = getattr(optimizer, name)
    with pytest.raises((ValueError, TypeError), match=says):
        setattr(optimizer, name, bad)
    assert getattr(optimizer, name) == before


def test_settings_can_be_changed_to_good_values():
    optimizer = nn.Adam([Value(1.0)])
    optimizer.betas, optimizer.eps = [0.5, 0.25], 1e-6
    assert optimizer.betas == (0.5, 0.25) and optimizer.eps == 1e-6
    sgd = nn.SGD([Value(1.0)], lr=0.1)
    sgd.momentum = 0.9
    assert sgd.momentum == 0.9


def test_a_step_after_backward_with_create_graph_takes_the_gradients_numbers():
    # backward(create_graph=True) leaves Values in .grad; torch's step takes .grad's data.
    w = Value(1.5, label="w")
    optimizer = nn.SGD([w], 0.1)
    (w * w * w).backward(create_graph=True)
    assert isinstance(w.grad, Value)
    optimizer.step()
    assert w.data == 1.5 - 0.1 * (3 * 1.5 ** 2)
