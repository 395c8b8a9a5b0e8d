"""nn.SGD and nn.Adam: the update rules on arrays, the same through Values, and bad settings."""

import copy
import json
import math
import pickle

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
    (lambda p: nn.SGD(p, lr=-1e-300), ValueError, "learning rate lr must be >= 0, got -1e-300"),
    (lambda p: nn.SGD(p, lr=-0.1), ValueError, "lr must be >= 0, got -0.1"),
    (lambda p: nn.SGD(p, lr=math.inf), ValueError, "lr must be >= 0"),
    (lambda p: nn.SGD(p, lr="fast"), TypeError, "lr: expected a real number"),
    (lambda p: nn.Adam(p, lr=-1), ValueError, "Adam learning rate lr must be >= 0"),
    (lambda p: nn.SGD(p, lr=0.1, momentum=-0.5), ValueError, "SGD momentum must be >= 0, got -0.5"),
    (lambda p: nn.SGD(p, lr=0.1, momentum=math.nan), ValueError, "SGD momentum: expected a finite number"),
    (lambda p: nn.SGD(p, lr=0.1, momentum=0.9, dampening=-0.1), ValueError, "SGD dampening must be >= 0"),
    (lambda p: nn.SGD(p, lr=0.1, momentum=0.9, dampening=math.inf), ValueError, "SGD dampening: expected a finite"),
    (lambda p: nn.SGD(p, lr=0.1, nesterov=True), ValueError,
     "SGD nesterov=True: Nesterov momentum needs momentum > 0 and dampening 0, got momentum=0.0"),
    (lambda p: nn.SGD(p, lr=0.1, momentum=0.9, dampening=0.1, nesterov=True), ValueError,
     "needs momentum > 0 and dampening 0, got momentum=0.9, dampening=0.1"),
    (lambda p: nn.SGD(p, lr=0.1, momentum=0.9, nesterov="yes"), TypeError, "SGD nesterov: expected True or False"),
    (lambda p: nn.SGD(p, lr=0.1, weight_decay=-1), ValueError, "weight_decay must be >= 0"),
    (lambda p: nn.Adam(p, betas=(0.9, 1.0)), ValueError, "β2"),
    (lambda p: nn.Adam(p, eps=-1e-8), ValueError, "Adam eps must be >= 0, got -1e-08"),
    (lambda p: nn.Adam(p, eps=math.nan), ValueError, "Adam eps: expected a finite number"),
    (lambda p: nn.optim.AdamW(p, weight_decay=-0.01), ValueError, "AdamW weight_decay must be >= 0"),
    (lambda p: nn.SGD([], lr=0.1), ValueError, "empty parameter list"),
    (lambda p: nn.SGD([1.0], lr=0.1), TypeError, "parameter 0 is a float"),
    (lambda p: nn.SGD(p + p, lr=0.1), ValueError, "listed twice"),
    (lambda p: nn.SGD(nn.MLP(1, [1]), lr=0.1), TypeError, "model.parameters()"),
])
def test_bad_settings_raise_clear_errors(call, error, culprit):
    with pytest.raises(error, match=culprit.replace("(", r"\(").replace(")", r"\)")):
        call([Value(1.0)])


def test_learning_rate_can_be_changed_to_zero_but_not_below():
    # torch.optim accepts lr = 0: a warm-up schedule starts there.
    optimizer = nn.SGD([Value(1.0)], lr=0.1)
    optimizer.lr = 0.01
    assert optimizer.lr == 0.01
    optimizer.lr = 0
    assert optimizer.lr == 0.0
    with pytest.raises(ValueError, match="lr must be >= 0"):
        optimizer.lr = -0.01
    assert optimizer.lr == 0.0


# --- a bad .grad, bad arrays, and refusals that say what is wrong ------------------------

@pytest.mark.parametrize("grad, error, says", [
    ("x", TypeError, r"^SGD\.step: parameter 'w1' has \.grad str 'x'; expected a number"),
    (10 ** 400, ValueError, r"^SGD\.step: parameter 'w1' \.grad: .*int too large"),
    (True, TypeError, r"^SGD\.step: parameter 'w1' has \.grad bool True"),
], ids=["str", "huge int", "bool"])  # None: no gradient yet, skipped (test below)
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
    (lambda p: nn.SGD(p, lr=0.1), "momentum", -1.0, r"SGD momentum must be >= 0, got -1\.0"),
    (lambda p: nn.SGD(p, lr=0.1, momentum=0.9, nesterov=True), "momentum", 0.0,
     r"SGD momentum=0\.0: Nesterov momentum needs momentum > 0 and dampening 0"),
    (lambda p: nn.SGD(p, lr=0.1, momentum=0.9, nesterov=True), "dampening", 0.5,
     r"SGD dampening=0\.5: Nesterov momentum needs"),
    (lambda p: nn.SGD(p, lr=0.1, momentum=0.9, dampening=0.5), "nesterov", True, r"SGD nesterov=True: Nesterov"),
    (lambda p: nn.SGD(p, lr=0.1), "weight_decay", -1.0, r"SGD weight_decay must be >= 0"),
    (lambda p: nn.Adam(p), "betas", (math.nan, 2), r"Adam β1 \(betas\[0\]\): expected a finite number, got nan"),
    (lambda p: nn.Adam(p), "betas", (0.9, 2), r"Adam β2 \(betas\[1\]\) must be in \[0, 1\), got 2"),
    (lambda p: nn.Adam(p), "betas", 0.9, r"Adam betas: expected a pair"),
    (lambda p: nn.Adam(p), "eps", -1.0, r"Adam eps must be >= 0"),
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


# --- against torch.optim in float64: frozen parameters, and the settings carried over ------

def _twins(seed=0):
    """A small model, its torch twin (float64) and a classification data set."""
    from tests.support import require_torch
    require_torch()
    import torch
    rng = np.random.default_rng(seed)
    X, y = rng.normal(size=(16, 3)), rng.integers(0, 2, size=16)
    model = nn.Sequential(nn.Linear(3, 4, seed=0), nn.Tanh(), nn.Linear(4, 2, seed=1))
    return torch, model, nn.to_torch(model), X, y


def _gap(model, twin):
    return max(np.abs(a - b.detach().numpy()).max()
               for a, b in zip(nn.torch_state_dict(model).values(), twin.state_dict().values()))


def _train_both(make, make_torch, steps, frozen_at=lambda step: ()):
    """`steps` full-batch steps of both optimizers; frozen_at(step): the layers frozen in that
    step (requires_grad False; torch's then have .grad None). The largest weight gap at each step."""
    torch, model, twin, X, y = _twins()
    optimizer, torch_optimizer = make(model.parameters()), make_torch(twin.parameters())
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    gaps = []
    for step in range(steps):
        for layer in (0, 2):
            for p in model[layer].parameters():
                p.requires_grad = layer not in frozen_at(step)
            for p in twin[layer].parameters():
                p.requires_grad_(layer not in frozen_at(step))
        optimizer.zero_grad()
        nn.CrossEntropyLoss()([model(list(x)) for x in X], y.tolist()).backward()
        optimizer.step()
        torch_optimizer.zero_grad()
        torch.nn.CrossEntropyLoss()(twin(Xt), yt).backward()
        torch_optimizer.step()
        gaps.append(_gap(model, twin))
    return gaps, optimizer


def _freeze_then_unfreeze(step):
    """Layer 0 frozen from the start (its state starts when unfrozen), layer 2 in the middle
    (its momentum and Adam's m, v, t must wait for it)."""
    return {0} if step < 5 else {2} if 7 <= step < 10 else ()


OPTIMIZERS = {
    "SGD momentum, weight_decay": (lambda p: nn.SGD(p, lr=0.1, momentum=0.9, weight_decay=0.1),
                                   lambda torch, p: torch.optim.SGD(p, lr=0.1, momentum=0.9, weight_decay=0.1)),
    "SGD dampening": (lambda p: nn.SGD(p, lr=0.1, momentum=0.9, dampening=0.3, weight_decay=0.05),
                      lambda torch, p: torch.optim.SGD(p, lr=0.1, momentum=0.9, dampening=0.3, weight_decay=0.05)),
    "SGD nesterov": (lambda p: nn.SGD(p, lr=0.1, momentum=0.8, weight_decay=0.05, nesterov=True),
                     lambda torch, p: torch.optim.SGD(p, lr=0.1, momentum=0.8, weight_decay=0.05, nesterov=True)),
    "SGD momentum 1": (lambda p: nn.SGD(p, lr=0.02, momentum=1.0),
                       lambda torch, p: torch.optim.SGD(p, lr=0.02, momentum=1.0)),
    "SGD lr 0": (lambda p: nn.SGD(p, lr=0.0, momentum=0.9), lambda torch, p: torch.optim.SGD(p, lr=0.0, momentum=0.9)),
    "Adam weight_decay": (lambda p: nn.Adam(p, lr=0.05, weight_decay=0.1),
                          lambda torch, p: torch.optim.Adam(p, lr=0.05, weight_decay=0.1)),
    "Adam eps 0": (lambda p: nn.Adam(p, lr=0.05, eps=0.0), lambda torch, p: torch.optim.Adam(p, lr=0.05, eps=0.0)),
    "AdamW": (lambda p: nn.optim.AdamW(p, lr=0.05), lambda torch, p: torch.optim.AdamW(p, lr=0.05)),
    "AdamW weight_decay": (lambda p: nn.optim.AdamW(p, lr=0.05, betas=(0.8, 0.99), weight_decay=0.3),
                           lambda torch, p: torch.optim.AdamW(p, lr=0.05, betas=(0.8, 0.99), weight_decay=0.3)),
}


@pytest.mark.parametrize("name", ["SGD momentum, weight_decay", "SGD dampening", "SGD nesterov",
                                  "Adam weight_decay", "AdamW weight_decay"])
def test_a_frozen_parameter_keeps_its_optimizer_state_as_torch_skips_it(name):
    # torch skips a parameter whose .grad is None: no weight decay into its momentum or m, v,
    # and its own step count for Adam's bias correction.
    make, make_torch = OPTIMIZERS[name]
    gaps, optimizer = _train_both(make, lambda p: make_torch(__import__("torch"), p), 14, _freeze_then_unfreeze)
    assert max(gaps) < 1e-14, gaps
    if hasattr(optimizer, "m"):  # steps per parameter: layer 0 missed 5, layer 2 missed 3
        assert sorted(set(optimizer.t.tolist())) == [9, 11] and optimizer.steps == 14


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_the_settings_carried_over_from_torch_give_torchs_numbers(name):
    make, make_torch = OPTIMIZERS[name]
    gaps, _ = _train_both(make, lambda p: make_torch(__import__("torch"), p), 20)
    assert max(gaps) < 1e-12, gaps


@pytest.mark.parametrize("name", ["SGD momentum, weight_decay", "SGD dampening", "Adam weight_decay"])
def test_fit_on_the_compiled_path_freezes_then_unfreezes_as_torch(name):
    # The compiled path hands the frozen positions to checked_update(frozen=...).
    make, make_torch = OPTIMIZERS[name]
    torch, model, twin, X, y = _twins()
    optimizer, torch_optimizer = make(model.parameters()), make_torch(torch, twin.parameters())
    for frozen, epochs in ((True, 5), (False, 7)):
        for p in model[0].parameters():
            p.requires_grad = not frozen
        for p in twin[0].parameters():
            p.requires_grad_(not frozen)
        nn.fit(model, X, y.tolist(), loss="cross_entropy", epochs=epochs, optimizer=optimizer,
               shuffle=False, progress=False, compiled=True)
        for _ in range(epochs):
            torch_optimizer.zero_grad()
            torch.nn.CrossEntropyLoss()(twin(torch.from_numpy(X)), torch.from_numpy(y)).backward()
            torch_optimizer.step()
    assert _gap(model, twin) < 1e-14


def test_frozen_positions_on_arrays_keep_their_state_entries():
    theta, grad = np.array([1.0, 2.0, 3.0]), np.array([0.5, 0.5, 0.5])
    adam = nn.Adam([Value(0.0) for _ in range(3)], lr=0.1, weight_decay=0.1)
    adam.checked_update(theta, grad.copy())
    m, v, theta_1 = adam.m.copy(), adam.v.copy(), theta[1]
    adam.checked_update(theta, grad.copy(), frozen=np.array([1]))
    assert adam.t.tolist() == [2, 1, 2] and adam.m[1] == m[1] and adam.v[1] == v[1] and theta[1] == theta_1
    sgd = nn.SGD([Value(0.0) for _ in range(3)], lr=0.1, momentum=0.9, weight_decay=0.1)
    sgd.checked_update(theta, grad.copy(), frozen=np.array([0, 2]))  # the very first step: nothing there yet
    assert sgd.velocity[[0, 2]].tolist() == [0.0, 0.0] and sgd.t.tolist() == [0, 1, 0]


@pytest.mark.parametrize("make", [lambda p: nn.SGD(p, lr=0.1, momentum=0.9, dampening=0.2),
                                  lambda p: nn.Adam(p, lr=0.1)])
def test_a_refused_step_with_frozen_parameters_restores_the_state_it_had(make):
    # the step count kept as one int must come back as that int, not as the array it became
    params = _values([1.0, 2.0], [0.5, 0.5])
    optimizer = make(params)
    optimizer.step()
    params[0].requires_grad = False
    params[1].grad, optimizer.lr = 1e308, 1e300
    before = {k: v.copy() if hasattr(v, "copy") else v for k, v in vars(optimizer).items() if k != "_lr"}
    with pytest.raises(FloatingPointError):
        optimizer.step()
    assert type(optimizer.t) is int
    for name, value in before.items():
        after = getattr(optimizer, name)
        assert (after == value).all() if hasattr(value, "all") else after == value, name


def test_step_calls_the_closure_and_returns_its_loss_as_torch():
    torch, model, twin, X, y = _twins()
    optimizer, torch_optimizer = nn.SGD(model.parameters(), lr=0.1, momentum=0.9), \
        torch.optim.SGD(twin.parameters(), lr=0.1, momentum=0.9)

    def closure():
        optimizer.zero_grad()
        loss = nn.CrossEntropyLoss()([model(list(x)) for x in X], y.tolist())
        loss.backward()
        return loss

    def torch_closure():
        torch_optimizer.zero_grad()
        loss = torch.nn.CrossEntropyLoss()(twin(torch.from_numpy(X)), torch.from_numpy(y))
        loss.backward()
        return loss

    for _ in range(20):
        loss, torch_loss = optimizer.step(closure), torch_optimizer.step(torch_closure)
        assert loss.data == pytest.approx(torch_loss.item(), abs=1e-12)
    assert _gap(model, twin) < 1e-12
    assert optimizer.step() is None
    with pytest.raises(TypeError, match=r"SGD\.step: closure must be a function that returns the loss, got float"):
        optimizer.step(0.5)


def test_zero_grad_takes_set_to_none_and_leaves_a_number():
    # a .grad here is always a number: set_to_none=True (torch's default) gives 0.0 too
    params = _values([1.0, 2.0], [3.0, 4.0])
    optimizer = nn.Adam(params)
    optimizer.zero_grad(set_to_none=True)
    assert [p.grad for p in params] == [0.0, 0.0]
    params[0].grad = 1.0
    optimizer.zero_grad(set_to_none=False)
    assert [p.grad for p in params] == [0.0, 0.0]


def test_adam_with_eps_0_names_a_parameter_whose_gradient_was_always_0():
    params = _values([1.0, 2.0], [0.5, 0.0])
    params[1].label = "b1"
    with pytest.raises(FloatingPointError, match=r"parameter 'b1' would become nan: with eps 0, .* use eps > 0"):
        nn.Adam(params, eps=0.0).step()
    assert [p.data for p in params] == [1.0, 2.0]


def test_adamw_defaults_are_torchs():
    adamw = nn.optim.AdamW([Value(1.0)])
    assert (adamw.lr, adamw.betas, adamw.eps, adamw.weight_decay) == (1e-3, (0.9, 0.999), 1e-8, 0.01)
    assert repr(adamw).startswith("AdamW(lr=0.001")


def test_sgd_takes_dampening_weight_decay_and_nesterov_by_keyword_only():
    # Before dampening existed the 4th argument was weight_decay; read positionally now it would
    # silently become dampening. By keyword, torch's names mean torch's settings.
    w = Value(1.0)
    with pytest.raises(TypeError, match="positional"):
        nn.SGD([w], 0.1, 0.9, 0.01)
    sgd = nn.SGD([w], 0.1, 0.9, weight_decay=0.01, dampening=0.1, nesterov=False)
    assert (sgd.momentum, sgd.weight_decay, sgd.dampening) == (0.9, 0.01, 0.1)


def test_every_flag_of_nn_is_one_check_taking_numpy_bools():
    # One rule: True, False or a numpy bool (as array comparisons give); 1, "yes", None refused by name.
    model = nn.MLP(2, [2], seed=0)
    assert model.requires_grad_(np.False_) is model and not any(p.requires_grad for p in model.parameters())
    model.train(np.True_)
    sgd = nn.SGD(model.parameters(), 0.1, 0.9, nesterov=np.True_)
    assert sgd.nesterov is True
    for call, what in [(lambda: sgd.zero_grad(set_to_none="no"), r"SGD.zero_grad\(set_to_none\)"),
                       (lambda: model.zero_grad(set_to_none=1), r"zero_grad\(set_to_none\)"),
                       (lambda: model.train(None), r"train\(mode\)"),
                       (lambda: nn.Linear(2, 2, bias=1), "Linear bias")]:
        with pytest.raises(TypeError, match=what + ": expected True or False"):
            call()


# --- state_dict / load_state_dict: a checkpoint that resumes exactly -----------------------

RESUMABLE = ["SGD momentum, weight_decay", "SGD dampening", "SGD nesterov",
             "Adam weight_decay", "AdamW weight_decay"]


def _data(seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(16, 3)), rng.integers(0, 2, size=16)


def _model(seed=0):
    return nn.Sequential(nn.Linear(3, 4, seed=seed), nn.Tanh(), nn.Linear(4, 2, seed=seed + 1))


def _hand_steps(model, optimizer, X, y, steps, frozen_at=lambda step: (), start=0):
    """Full-batch steps as a torch loop takes them (zero_grad, forward, backward, step);
    frozen_at(step): the layers frozen in that step."""
    for step in range(start, start + steps):
        for layer in (0, 2):
            for p in model[layer].parameters():
                p.requires_grad = layer not in frozen_at(step)
        optimizer.zero_grad()
        nn.CrossEntropyLoss()([model(list(x)) for x in X], y.tolist()).backward()
        optimizer.step()


def _resumed(model, optimizer):
    """A new model (other weights) and a new optimizer (default settings) loaded from the two
    checkpoints, the optimizer's through JSON (positions come back as strings, betas as a list)."""
    saved = json.loads(json.dumps(optimizer.state_dict()))
    new_model = _model(seed=7)
    new_model.load_state_dict(model.state_dict())
    new_optimizer = type(optimizer)(new_model.parameters())
    new_optimizer.load_state_dict(saved)
    return new_model, new_optimizer


def _weights(model):
    return [p.data for p in model.parameters()]


@pytest.mark.parametrize("name", RESUMABLE)
def test_a_run_resumed_from_state_dicts_takes_the_uninterrupted_runs_steps_bit_for_bit(name):
    make = OPTIMIZERS[name][0]
    X, y = _data()
    whole = _model()
    whole_optimizer = make(whole.parameters())
    _hand_steps(whole, whole_optimizer, X, y, 8)
    first = _model()
    first_optimizer = make(first.parameters())
    _hand_steps(first, first_optimizer, X, y, 4)
    model, optimizer = _resumed(first, first_optimizer)
    _hand_steps(model, optimizer, X, y, 4)
    assert _weights(model) == _weights(whole)
    assert optimizer.state_dict() == whole_optimizer.state_dict()


@pytest.mark.parametrize("name", RESUMABLE)
def test_fit_resumed_from_state_dicts_on_the_compiled_path_is_the_uninterrupted_fit(name):
    make = OPTIMIZERS[name][0]
    X, y = _data()
    settings = dict(loss="cross_entropy", batch_size=4, shuffle=False, progress=False, compiled=True)
    whole = _model()
    whole_optimizer = make(whole.parameters())
    losses = nn.fit(whole, X, y.tolist(), epochs=4, optimizer=whole_optimizer, **settings).loss
    first = _model()
    first_optimizer = make(first.parameters())
    nn.fit(first, X, y.tolist(), epochs=2, optimizer=first_optimizer, **settings)
    model, optimizer = _resumed(first, first_optimizer)
    resumed = nn.fit(model, X, y.tolist(), epochs=2, optimizer=optimizer, **settings).loss
    assert list(resumed) == list(losses[2:]) and _weights(model) == _weights(whole)
    assert optimizer.state_dict() == whole_optimizer.state_dict()


FREEZES = {  # (frozen_at, whether the checkpoint's t differ between parameters)
    "frozen then unfrozen": (lambda step: {0} if step < 3 else {2} if step in (5, 6) else (), True),
    # every t equal, yet counted per parameter: numpy's β^t rounds otherwise than one int's
    "each layer frozen once": (lambda step: {0} if step == 0 else {2} if step == 1 else (), False),
}


@pytest.mark.parametrize("freeze", FREEZES)
@pytest.mark.parametrize("name", ["SGD dampening", "Adam weight_decay", "AdamW weight_decay"])
def test_a_resumed_run_after_a_freeze_keeps_t_per_parameter_bit_for_bit(name, freeze):
    make = OPTIMIZERS[name][0]
    frozen_at, differ = FREEZES[freeze]
    X, y = _data()
    whole = _model()
    whole_optimizer = make(whole.parameters())
    _hand_steps(whole, whole_optimizer, X, y, 9, frozen_at)
    first = _model()
    first_optimizer = make(first.parameters())
    _hand_steps(first, first_optimizer, X, y, 4, frozen_at)
    saved = first_optimizer.state_dict()
    assert saved["t_per_parameter"] and (len({entry["t"] for entry in saved["state"].values()}) > 1) == differ
    model, optimizer = _resumed(first, first_optimizer)
    assert type(optimizer.t) is np.ndarray and optimizer.t.tolist() == first_optimizer.t.tolist()
    _hand_steps(model, optimizer, X, y, 5, frozen_at, start=4)
    assert _weights(model) == _weights(whole)
    assert optimizer.state_dict() == whole_optimizer.state_dict()


def test_state_dict_round_trips_before_a_step_and_with_no_momentum():
    for make in (lambda p: nn.SGD(p, lr=0.1), lambda p: nn.SGD(p, lr=0.1, momentum=0.5), nn.Adam):
        params = _values([1.0, 2.0], [0.5, -0.5])
        optimizer = make(params)
        fresh = optimizer.state_dict()
        assert fresh["state"] == {} and fresh["steps"] == 0 and not fresh["t_per_parameter"]
        params[0].requires_grad = False  # t counted per parameter from here, momentum or not
        optimizer.step()
        for saved in (fresh, optimizer.state_dict()):
            loaded = make([Value(0.0), Value(0.0)])
            loaded.load_state_dict(pickle.loads(pickle.dumps(saved)))
            assert loaded.state_dict() == saved
            assert type(loaded.t) is type(optimizer.t if saved is not fresh else 0)


def test_state_dict_is_plain_numbers_copied_from_the_optimizer():
    params = _values([1.0, 2.0], [0.5, -0.5])
    adam = nn.Adam(params, lr=0.1)
    adam.step()
    saved = adam.state_dict()
    kept = copy.deepcopy(saved)
    adam.step()
    adam.lr = 0.5
    assert saved == kept and saved != adam.state_dict()
    assert {type(x) for entry in saved["state"].values() for x in entry.values()} == {float, int}
    assert json.loads(json.dumps(saved))["state"]["0"] == saved["state"][0]


@pytest.mark.parametrize("name", RESUMABLE)
def test_a_resumed_run_gives_the_numbers_of_torchs_resumed_run(name):
    make, make_torch = OPTIMIZERS[name]
    torch, model, twin, X, y = _twins()
    optimizer, torch_optimizer = make(model.parameters()), make_torch(torch, twin.parameters())
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)

    def torch_steps(twin, torch_optimizer, steps):
        for _ in range(steps):
            torch_optimizer.zero_grad()
            torch.nn.CrossEntropyLoss()(twin(Xt), yt).backward()
            torch_optimizer.step()

    _hand_steps(model, optimizer, X, y, 5)
    torch_steps(twin, torch_optimizer, 5)
    model, optimizer = _resumed(model, optimizer)
    new_twin = nn.to_torch(_model(seed=7))
    new_twin.load_state_dict(twin.state_dict())
    new_torch_optimizer = type(torch_optimizer)(new_twin.parameters())
    new_torch_optimizer.load_state_dict(torch_optimizer.state_dict())
    _hand_steps(model, optimizer, X, y, 5)
    torch_steps(new_twin, new_torch_optimizer, 5)
    assert _gap(model, new_twin) < 1e-13


def _checkpoint(make=lambda p: nn.Adam(p, lr=0.05)):
    """A state dict after two steps, and an optimizer of the same kind (other state) to load it into."""
    params = _values([1.0, -2.0, 0.5], [0.5, 0.25, -1.0])
    optimizer = make(params)
    optimizer.step()
    optimizer.step()
    target = make(_values([3.0, 1.0, -1.0], [0.1, -0.2, 0.3]))
    target.lr = 0.3
    target.step()
    return optimizer.state_dict(), target


def _set(path, value):
    def change(saved):
        *where, last = path
        for key in where:
            saved = saved[key]
        saved[last] = value
    return change


def _delete(*path):
    def change(saved):
        *where, last = path
        for key in where:
            saved = saved[key]
        del saved[last]
    return change


GROUP = ("param_groups", 0)
REFUSED = [  # (change to Adam's state dict, error, what the message says)
    (_delete("steps"), ValueError, r"the state dict: missing key 'steps'"),
    (_set(("extra",), 1), ValueError, r"the state dict: unknown key 'extra'"),
    (_delete(*GROUP, "eps"), ValueError, r"param_groups\[0\]: missing key 'eps'"),
    (_set((*GROUP, "amsgrad"), False), ValueError, r"param_groups\[0\]: unknown key 'amsgrad'"),
    (_delete("state", 1, "v"), ValueError, r"state\[1\]: missing key 'v'"),
    (_set(("state", 1, "exp_avg"), 0.0), ValueError, r"state\[1\]: unknown key 'exp_avg'"),
    (_set(("optimizer",), 3), TypeError, r"'optimizer'"),
    (_set(("optimizer",), "AdamW"), ValueError, r"'optimizer': the state dict is AdamW's"),
    (_set(("steps",), "2"), TypeError, r"'steps': expected an int >= 0"),
    (_set(("steps",), -1), ValueError, r"'steps': expected an int >= 0, got -1"),
    (_set(("t_per_parameter",), 0), TypeError, r"'t_per_parameter'"),
    (_set(("param_groups",), {}), TypeError, r"'param_groups'"),
    (_set(("param_groups",), []), ValueError, r"one parameter group, got 0"),
    (_set((*GROUP, "params"), "all"), TypeError, r"\['params'\]"),
    (_set((*GROUP, "params"), [0, 1]), ValueError, r"of 2 parameters, this optimizer has 3"),
    (_set((*GROUP, "params"), [2, 1, 0]), ValueError, r"positions 0 to 2 in order"),
    (_set((*GROUP, "lr"), "0.1"), TypeError, r"param_groups\[0\]\['lr'\]"),
    (_set((*GROUP, "lr"), math.inf), ValueError, r"param_groups\[0\]\['lr'\]"),
    (_set((*GROUP, "lr"), -0.1), ValueError, r"param_groups\[0\]\['lr'\].*>= 0"),
    (_set((*GROUP, "betas"), [0.9]), TypeError, r"param_groups\[0\]\['betas'\].*pair"),
    (_set((*GROUP, "betas"), (1.0, 0.999)), ValueError, r"param_groups\[0\]\['betas'\].*β1"),
    (_set((*GROUP, "eps"), math.nan), ValueError, r"param_groups\[0\]\['eps'\]"),
    (_set((*GROUP, "weight_decay"), True), TypeError, r"param_groups\[0\]\['weight_decay'\]"),
    (_set(("state",), []), TypeError, r"'state': expected a dict"),
    (_set(("state", 0), [0.1, 0.2, 1]), TypeError, r"state\[0\]: expected a dict"),
    (_set(("state", 0, "m"), "x"), TypeError, r"state\[0\]\['m'\]"),
    (_set(("state", 0, "m"), math.nan), ValueError, r"state\[0\]\['m'\].*finite"),
    (_set(("state", 2, "v"), -1e-3), ValueError, r"state\[2\]\['v'\].*below 0"),
    (_set(("state", 0, "t"), 2.0), TypeError, r"state\[0\]\['t'\]: expected an int >= 0"),
    (_set(("state", 0, "t"), True), TypeError, r"state\[0\]\['t'\]"),
    (_set(("state", 0, "t"), -1), ValueError, r"state\[0\]\['t'\]: expected an int >= 0, got -1"),
    (_set(("state", 0, "t"), 1), ValueError, r"t_per_parameter' is False.*t differ"),
    (_set(("state", "x"), {}), TypeError, r"'state' key 'x' \(a parameter's position\): expected an int from 0 to 2"),
    (_set(("state", 3), {}), ValueError, r"'state' key 3 \(a parameter's position\): expected an int from 0 to 2, got 3"),
    (_set(("state", "01"), {}), TypeError, r"'state' key '01'"),
    (_set(("state", "0"), {}), ValueError, r"position 0 is given twice"),
    (_delete("state", 2), ValueError, r"no entry for the parameters at 2"),
]


@pytest.mark.parametrize("change, error, says", REFUSED)
def test_a_bad_state_dict_is_refused_by_name_and_changes_nothing(change, error, says):
    saved, target = _checkpoint()
    before = target.state_dict()
    change(saved)
    with pytest.raises(error, match=says) as refusal:
        target.load_state_dict(saved)
    assert str(refusal.value).startswith("Adam.load_state_dict: ") and "nothing was loaded" in str(refusal.value)
    assert target.state_dict() == before


def test_a_parameter_with_no_step_yet_cannot_have_momentum():
    saved, target = _checkpoint()
    saved["t_per_parameter"], saved["state"][1]["t"] = True, 0
    before = target.state_dict()
    with pytest.raises(ValueError, match=r"state\[1\]: t is 0 \(the parameter has not stepped\), yet its m, v"):
        target.load_state_dict(saved)
    assert target.state_dict() == before


@pytest.mark.parametrize("make, into, says", [
    (lambda p: nn.Adam(p), lambda p: nn.SGD(p, momentum=0.9), "Adam's and this optimizer is SGD"),
    (lambda p: nn.SGD(p, momentum=0.9), lambda p: nn.Adam(p), "SGD's and this optimizer is Adam"),
    (lambda p: nn.optim.AdamW(p), lambda p: nn.Adam(p), "AdamW's and this optimizer is Adam"),
    (lambda p: nn.Adam(p), lambda p: nn.optim.AdamW(p), "Adam's and this optimizer is AdamW"),
])
def test_another_optimizers_state_dict_is_refused(make, into, says):
    saved, _ = _checkpoint(make)
    _, target = _checkpoint(into)
    before = target.state_dict()
    with pytest.raises(ValueError, match=says):
        target.load_state_dict(saved)
    assert target.state_dict() == before


def test_a_state_dict_of_another_number_of_parameters_is_refused():
    saved, _ = _checkpoint()
    target = nn.Adam(_values([1.0, 2.0], [0.5, 0.5]))
    target.step()
    before = target.state_dict()
    with pytest.raises(ValueError, match=r"of 3 parameters, this optimizer has 2"):
        target.load_state_dict(saved)
    assert target.state_dict() == before


@pytest.mark.parametrize("settings, error, says", [
    (dict(nesterov=True, dampening=0.5), ValueError, r"\['nesterov'\].*Nesterov momentum needs"),
    (dict(nesterov=True, momentum=0.0), ValueError, r"\['nesterov'\].*Nesterov momentum needs"),
    (dict(nesterov=1), TypeError, r"\['nesterov'\].*expected True or False"),
    (dict(momentum=-0.5), ValueError, r"\['momentum'\].*>= 0"),
    (dict(dampening="0"), TypeError, r"\['dampening'\]"),
])
def test_sgd_settings_are_checked_as_when_set(settings, error, says):
    saved, target = _checkpoint(lambda p: nn.SGD(p, lr=0.1, momentum=0.9, nesterov=True))
    saved["param_groups"][0].update(settings)
    before = target.state_dict()
    with pytest.raises(error, match=says):
        target.load_state_dict(saved)
    assert target.state_dict() == before


def test_settings_are_checked_against_the_loaded_ones_not_the_current_ones():
    # nesterov True now, momentum 0 and nesterov False in the dict: fine, whatever the order
    saved, _ = _checkpoint(lambda p: nn.SGD(p, lr=0.1))
    _, nesterov = _checkpoint(lambda p: nn.SGD(p, lr=0.1, momentum=0.9, nesterov=True))
    nesterov.load_state_dict(saved)
    assert nesterov.state_dict() == saved and nesterov.velocity is None
    saved, _ = _checkpoint(lambda p: nn.SGD(p, lr=0.1, momentum=0.9, nesterov=True))
    plain = nn.SGD(_values([0.0, 0.0, 0.0], [0.0, 0.0, 0.0]))
    plain.load_state_dict(saved)
    assert plain.state_dict() == saved


def test_a_subclass_with_state_of_its_own_is_not_saved_without_it():
    optimizer = _CountingSGD(_values([1.0], [0.5]), lr=0.1, momentum=0.9)
    optimizer.step()
    with pytest.raises(TypeError, match=r"_CountingSGD.state_dict: .*\(seen\)"):
        optimizer.state_dict()
    with pytest.raises(TypeError, match=r"_CountingSGD.load_state_dict: .*\(seen\)"):
        optimizer.load_state_dict(nn.SGD([Value(0.0)], lr=0.1).state_dict())


def _unordered(params):
    """The collections whose order is not the model's: a set's follows memory addresses."""
    return {"set": set(params), "frozenset": frozenset(params),
            "dict_keys": dict.fromkeys(params).keys(), "dict_values": dict(enumerate(params)).values()}


@pytest.mark.parametrize("kind", ["set", "frozenset", "dict_keys", "dict_values"])
@pytest.mark.parametrize("cls", [nn.SGD, nn.Adam, nn.AdamW])
def test_an_optimizer_refuses_parameters_in_no_fixed_order(cls, kind):
    # Its state (momentum, m, v) is kept by position: built over a set, a checkpoint loads
    # into another run's optimizer, whose set has another order, and resumes wrongly.
    model = nn.MLP(2, [3, 1], seed=0)
    with pytest.raises(TypeError, match=rf"{cls.__name__}: params is a {kind}\b.*pass model.parameters\(\) or a list"):
        cls(_unordered(model.parameters())[kind], lr=0.1)
    assert len(cls(iter(model.parameters()), lr=0.1).params) == 13  # any ordered iterable is taken


@pytest.mark.parametrize("cls", [nn.SGD, nn.Adam, nn.AdamW])
def test_an_optimizer_refuses_a_non_leaf_value_as_torch_does(cls):
    from tests.support import require_torch
    require_torch()
    import torch
    t = torch.tensor(1.0, dtype=torch.float64, requires_grad=True)
    with pytest.raises(ValueError, match="can't optimize a non-leaf Tensor"):
        getattr(torch.optim, cls.__name__)([t * 3.0], lr=0.1)
    x = Value(1.0, label="x")
    y = x * 3.0
    y.label = "y"
    # a step would write y's data, and y = 3x would no longer hold
    with pytest.raises(ValueError, match=rf"{cls.__name__}: can't optimize a non-leaf Value: parameter 1 'y'.*'\*'"):
        cls([x, y], lr=0.1)
    with pytest.raises(ValueError, match=r"parameter 0 \(unlabelled\) is the result of the op 'tanh'"):
        cls([x.tanh()], lr=0.1)
    assert cls([x, y.detach()], lr=0.1).params[0] is x  # a detached copy is a leaf


@pytest.mark.parametrize("make", [lambda ps: nn.SGD(ps, lr=0.1, momentum=0.9), lambda ps: nn.Adam(ps, lr=0.1)],
                         ids=["SGD", "Adam"])
def test_a_parameter_whose_grad_is_none_is_skipped_as_torch_skips_it(make):
    """p.grad = None is torch's "no gradient yet": the engine's backward takes it, and a step
    skips that parameter, θ and state alike (it was refused with a TypeError)."""
    from tests.support import require_torch
    require_torch()
    import torch
    a, b = Value(1.0, label="a"), Value(2.0, label="b")
    ta, tb = (torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in (1.0, 2.0))
    ours, theirs = make([a, b]), (torch.optim.SGD([ta, tb], lr=0.1, momentum=0.9) if isinstance(make([Value(0.0)]), nn.SGD)
                                  else torch.optim.Adam([ta, tb], lr=0.1))
    for step in range(3):
        ours.zero_grad()
        theirs.zero_grad(set_to_none=True)
        b.grad = None
        (a * a * 2).backward()
        (ta * ta * 2).backward()
        ours.step()
        theirs.step()
        assert [a.data, b.data] == pytest.approx([ta.item(), tb.item()], rel=1e-15)
    assert b.data == 2.0 and b.grad is None


# --- what an optimizer was given instead of parameters, and torch's param_groups ---------

class _MicrogradValue:
    """micrograd's Value as far as the optimizer can see it: data, grad and _prev."""

    def __init__(self, data):
        self.data, self.grad, self._prev = data, 0, set()


_MicrogradValue.__module__, _MicrogradValue.__qualname__ = "micrograd.engine", "Value"


@pytest.mark.parametrize("params, culprit", [
    # "parameter 0 is a Value, expected an autograd.Value" did not say which engine's
    (lambda m: [_MicrogradValue(1.0)], r"parameter 0 is a micrograd\.engine\.Value \(another engine's Value"),
    (lambda m: [{"params": m.parameters(), "lr": 0.1}], r"parameter 0 is a dict, a parameter group.*one group"),
    (lambda m: [*m.named_parameters(), 1.0], r"parameter 0 is a \(name, Value\) pair, as named_parameters\(\) "
                                             r"gives, but parameter 3 is a float"),
    (lambda m: dict(m.named_parameters()), r"params is a dict \(of names.*list\(d\.values\(\)\)"),
    (lambda m: [m.parameters(), m.parameters()], r"parameter 0 is a list inside the list"),
])
def test_an_optimizer_says_what_it_got_instead_of_a_parameter(params, culprit):
    model = nn.MLP(2, [1], seed=0)
    with pytest.raises(TypeError, match=r"^SGD: " + culprit):
        nn.SGD(params(model), lr=0.1)


def test_param_groups_is_torchs_one_group_view_of_the_settings():
    # torch's schedule idiom, `for g in opt.param_groups: g["lr"] = ...`, was an AttributeError
    params = [Value(1.0), Value(2.0)]
    optimizer = nn.SGD(params, lr=0.1, momentum=0.9)
    for group in optimizer.param_groups:
        group["lr"] *= 0.5
    assert optimizer.lr == 0.05
    group = optimizer.param_groups[0]
    assert len(optimizer.param_groups) == 1 and group["params"] == params and group["momentum"] == 0.9
    assert list(group) == ["lr", "momentum", "dampening", "weight_decay", "nesterov", "params"]
    with pytest.raises(ValueError, match="SGD learning rate lr must be >= 0"):  # checked as opt.lr is
        group["lr"] = -1.0
    with pytest.raises(ValueError, match="SGD nesterov=True: Nesterov momentum needs"):
        nn.SGD(params, lr=0.1).param_groups[0]["nesterov"] = True
    with pytest.raises(KeyError, match="SGD.param_groups\\[0\\] has no setting 'betas'"):
        group["betas"] = (0.9, 0.99)  # torch would keep it unread
    with pytest.raises(TypeError, match=r"\['params'\] cannot be replaced"):
        group["params"] = []
    adam = nn.Adam(params, lr=0.1)
    adam.param_groups[0]["betas"] = (0.8, 0.9)
    assert adam.betas == (0.8, 0.9) and optimizer.lr == 0.05


def test_an_lr_schedule_through_param_groups_gives_torchs_steps():
    torch, model, torch_model, X, y = _twins()
    optimizer = nn.SGD(model.parameters(), lr=0.2, momentum=0.9)
    torch_optimizer = torch.optim.SGD(torch_model.parameters(), lr=0.2, momentum=0.9)
    loss, torch_loss = nn.CrossEntropyLoss(), torch.nn.CrossEntropyLoss()
    for step in range(6):
        for opt in (optimizer, torch_optimizer):
            for group in opt.param_groups:
                group["lr"] = 0.2 * 0.5 ** step
        optimizer.zero_grad()
        loss([model(x) for x in X], y).backward()
        optimizer.step()
        torch_optimizer.zero_grad()
        torch_loss(torch_model(torch.from_numpy(X)), torch.from_numpy(y)).backward()
        torch_optimizer.step()
    assert optimizer.lr == 0.2 * 0.5 ** 5
    assert _gap(model, torch_model) <= 1e-12


def test_an_optimizer_takes_named_parameters_as_torch_optim_does():
    # torch.optim.SGD(model.named_parameters()) runs; here it was "parameter 0 is a tuple"
    model = nn.MLP(2, [2, 1], seed=0)
    optimizer = nn.Adam(model.named_parameters(), lr=0.1)
    assert len(optimizer.params) == 9 and all(a is b for a, b in zip(optimizer.params, model.parameters()))


@pytest.mark.parametrize("make", [
    lambda p: nn.SGD(p, lr=0.1, momentum=0.9, maximize=False, foreach=None, differentiable=False, fused=None),
    lambda p: nn.Adam(p, lr=0.1, amsgrad=False, foreach=None, maximize=False, capturable=False,
                      differentiable=False, fused=None, decoupled_weight_decay=False),
    lambda p: nn.AdamW(p, lr=0.1, amsgrad=False, maximize=False, foreach=None, capturable=False),
])
def test_torchs_other_optimizer_arguments_are_taken_at_their_defaults(make):
    # code written for torch may spell out amsgrad=False: it was "got an unexpected keyword argument"
    make([Value(1.0)])


@pytest.mark.parametrize("make, culprit", [
    (lambda p: nn.SGD(p, lr=0.1, maximize=True), r"^SGD: maximize=True not supported here; it takes lr, momentum, "
                                                 r"dampening, weight_decay, nesterov, and torch's other arguments"),
    (lambda p: nn.Adam(p, amsgrad=True), r"^Adam: amsgrad=True not supported here"),
    (lambda p: nn.AdamW(p, decoupled_weight_decay=False), r"^AdamW: decoupled_weight_decay=False not supported"),
    (lambda p: nn.SGD(p, lr=0.1, momentun=0.9), r"^SGD: momentun=0.9 not supported here"),
])
def test_torchs_other_optimizer_arguments_are_refused_by_name_otherwise(make, culprit):
    with pytest.raises(TypeError, match=culprit):
        make([Value(1.0)])


def test_a_torch_optimizers_state_dict_is_named_as_torchs():
    # it was "missing keys 'optimizer', 'steps', 't_per_parameter'", as if a few keys were lost
    torch, model, torch_model, X, y = _twins()
    torch_optimizer = torch.optim.SGD(torch_model.parameters(), lr=0.1, momentum=0.9)
    torch.nn.CrossEntropyLoss()(torch_model(torch.from_numpy(X)), torch.from_numpy(y)).backward()
    torch_optimizer.step()
    optimizer = nn.SGD(model.parameters(), lr=0.5, momentum=0.9)
    with pytest.raises(ValueError, match=r"^SGD\.load_state_dict: the state dict is torch\.optim's .*nothing was "
                                         r"loaded"):
        optimizer.load_state_dict(torch_optimizer.state_dict())
    assert optimizer.lr == 0.5 and optimizer.velocity is None
