"""nn.utils.clip_grad_norm_ and clip_grad_value_ against torch.nn.utils's, in float64."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nn
from autograd import Value
from tests.support import require_torch


def _both(seed):
    """A Sequential and its torch copy, each with the gradients of the same loss."""
    import torch
    model = nn.Sequential(nn.Linear(3, 4, seed=seed), nn.Tanh(), nn.Linear(4, 2, seed=seed + 1))
    copy = nn.to_torch(model).double()
    x = np.random.default_rng(seed).normal(size=3) * 3
    out = model(x.tolist())
    (out[0] * 3.0 + out[1] * out[1]).backward()
    theirs = copy(torch.from_numpy(x))
    (theirs[0] * 3.0 + theirs[1] * theirs[1]).backward()
    return model, copy


def _close(ours, theirs):
    """Equal to rounding: the two engines' backward sums differ by ulps of the largest gradient."""
    scale = max(float(np.max(np.abs(t))) for t in theirs)
    for mine, other in zip(ours, theirs):
        np.testing.assert_allclose(mine, other, rtol=1e-12, atol=1e-14 * scale)


def _grads(model):
    return [np.array([[w.grad for w in row] for row in lin.weight] if kind == "weight" else [b.grad for b in lin.bias])
            for lin in (model[0], model[2]) for kind in ("weight", "bias")]


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 1000), max_norm=st.floats(0.0, 20.0), norm_type=st.sampled_from([1.0, 2.0, 3.0, math.inf]))
def test_clip_grad_norm_matches_torch(seed, max_norm, norm_type):
    require_torch()
    import torch
    model, copy = _both(seed)
    total = nn.utils.clip_grad_norm_(model.parameters(), max_norm, norm_type=norm_type)
    expected = torch.nn.utils.clip_grad_norm_(copy.parameters(), max_norm, norm_type=norm_type).item()
    assert math.isclose(total, expected, rel_tol=1e-12)
    _close(_grads(model), [p.grad.numpy() for p in copy.parameters()])


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 1000), clip=st.floats(0.0, 5.0))
def test_clip_grad_value_matches_torch(seed, clip):
    require_torch()
    import torch
    model, copy = _both(seed)
    nn.utils.clip_grad_value_(model.parameters(), clip)
    torch.nn.utils.clip_grad_value_(copy.parameters(), clip)
    _close(_grads(model), [p.grad.numpy() for p in copy.parameters()])


def test_a_norm_within_the_limit_leaves_every_gradient_as_it_was_bit_for_bit():
    w = Value(0.3, label="w")
    w.grad = 0.1 + 0.2
    assert nn.utils.clip_grad_norm_([w], 1.0) == 0.1 + 0.2 and w.grad == 0.1 + 0.2


def test_none_grads_are_skipped_and_one_value_is_taken_as_torch_takes_one_tensor():
    a, b = Value(1.0, label="a"), Value(2.0, label="b")
    a.grad, b.grad = 3.0, None
    assert nn.utils.clip_grad_norm_(a, 1.0) == 3.0 and math.isclose(a.grad, 1.0 / (3.0 + 1e-6) * 3.0)
    assert nn.utils.clip_grad_norm_([a, b], 10.0) > 0 and b.grad is None
    b.grad = None
    a.grad = None
    assert nn.utils.clip_grad_norm_([a, b], 1.0) == 0.0


@pytest.mark.parametrize("call, error, message", [
    (lambda w: nn.utils.clip_grad_norm_([w], -1.0), ValueError, "clip_grad_norm_ max_norm: must be >= 0, got -1.0"),
    (lambda w: nn.utils.clip_grad_norm_([w], 1.0, norm_type=0), ValueError, "clip_grad_norm_ norm_type: must be > 0"),
    (lambda w: nn.utils.clip_grad_value_([w], "1"), TypeError, "clip_grad_value_ clip_value"),
    (lambda w: nn.utils.clip_grad_norm_(nn.Linear(2, 1), 1.0), TypeError, "pass model.parameters(), not the model"),
])
def test_bad_arguments_are_named(call, error, message):
    w = Value(0.5, label="w")
    w.grad = 1.0
    with pytest.raises(error, match=message.replace("(", r"\(").replace(")", r"\)")):
        call(w)


def test_a_grad_that_is_not_finite_names_its_parameter_where_torch_would_spread_nan():
    w, v = Value(0.5, label="w"), Value(0.5, label="v")
    w.grad, v.grad = 1.0, float("nan")
    with pytest.raises(ValueError, match="clip_grad_norm_: the .grad of parameter v"):
        nn.utils.clip_grad_norm_([w, v], 1.0)
    assert w.grad == 1.0
    w.grad, v.grad = 1e300, 1e300
    with pytest.raises(FloatingPointError, match="the 2-norm of the gradients overflows a float"):
        nn.utils.clip_grad_norm_([w, v], 1.0)
    assert w.grad == 1e300
