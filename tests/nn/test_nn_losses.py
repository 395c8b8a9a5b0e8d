"""nn losses: values against the notes' formulas, gradients against central differences and hand formulas."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
import nn
from autograd import Value

finite = st.floats(-30, 30, allow_nan=False)


def sigmoid(z):
    return 1 / (1 + math.exp(-z))


def test_sse_and_mse_values_follow_the_notes():
    yhat, y = [Value(1.0), Value(3.0)], [0.0, 1.0]
    assert nn.sse(yhat, y).data == 1.0 + 4.0
    assert nn.mse(yhat, y).data == 5.0 / 2
    assert nn.mse(yhat, y, half=True).data == 5.0 / 4
    assert nn.mse.with_options(half=True)(Value(3.0), 1.0).data == 2.0  # C = ½ (y - ŷ)²


@settings(max_examples=30)
@given(st.lists(finite, min_size=3, max_size=3), st.lists(finite, min_size=3, max_size=3))
def test_squared_errors_gradients(yhat, y):
    for loss, scale in ((nn.sse, 2.0), (nn.mse, 2.0 / 3), (nn.mse.with_options(half=True), 1.0 / 3)):
        hand = [scale * (a - b) for a, b in zip(yhat, y)]
        report = autograd.gradcheck(lambda *v: loss(list(v), y), yhat, hand=hand, atol=1e-5)
        assert report.ok, str(report)


@settings(max_examples=30)
@given(st.floats(-8, 8), st.sampled_from([0.0, 1.0, 0.3]))
def test_bce_value_and_gradient(logit, y):
    p = sigmoid(logit)
    assert nn.bce(Value(p), y).data == pytest.approx(-(y * math.log(p) + (1 - y) * math.log(1 - p)))
    report = autograd.gradcheck(lambda q: nn.bce(q, y), [p], hand=[(p - y) / (p * (1 - p))], rtol=1e-4)
    assert report.ok, str(report)


@settings(max_examples=50)
@given(st.floats(-700, 700), st.sampled_from([0.0, 1.0, 0.25]))
def test_bce_with_logits_is_stable_for_any_logit_and_its_gradient_is_sigma_minus_y(z, y):
    loss = nn.bce_with_logits(Value(z), y)
    assert math.isfinite(loss.data)
    # ln(1 + e^z) - y z, written without overflow
    assert loss.data == pytest.approx(max(z, 0) + math.log1p(math.exp(-abs(z))) - y * z, rel=1e-12, abs=1e-12)
    g = autograd.grad(loss, loss.parents[0].parents[1] if loss.op == "-" else loss.parents[1])
    assert g == pytest.approx(sigmoid(z) - y, abs=1e-12)
    if abs(z) < 20:
        report = autograd.gradcheck(lambda v: nn.bce_with_logits(v, y), [z], hand=[sigmoid(z) - y])
        assert report.ok, str(report)


def test_bce_with_logits_matches_bce_of_sigmoid():
    for z in (-3.0, 0.0, 2.5):
        assert nn.bce_with_logits(Value(z), 1.0).data == pytest.approx(nn.bce(Value(sigmoid(z)), 1.0).data)


def test_bce_gives_a_clear_error_on_a_saturated_or_non_probability_output():
    with pytest.raises(ValueError, match="saturated"):
        nn.bce(Value(1.0, label="a(3)_1"), 0.0)
    assert nn.bce(Value(1.0), 1.0).data == 0.0  # the 0 coefficient's term is left out
    with pytest.raises(ValueError, match="not a probability"):
        nn.bce(Value(1.5), 1.0)


@settings(max_examples=30)
@given(st.lists(st.floats(-50, 50), min_size=3, max_size=3), st.integers(0, 2))
def test_cross_entropy_on_logits_with_index_or_one_hot(z, c):
    softmax = np.exp(np.array(z) - max(z))
    softmax /= softmax.sum()
    one_hot = [1.0 if k == c else 0.0 for k in range(3)]
    expected = -math.log(softmax[c]) if softmax[c] > 0 else None
    by_index, by_one_hot = nn.cross_entropy([Value(v) for v in z], c), nn.cross_entropy([Value(v) for v in z], one_hot)
    assert by_index.data == pytest.approx(by_one_hot.data, rel=1e-12)
    if expected is not None:
        assert by_index.data == pytest.approx(expected, rel=1e-9, abs=1e-12)
    report = autograd.gradcheck(lambda *v: nn.cross_entropy(list(v), c), z,
                                hand=list(softmax - np.array(one_hot)), atol=1e-5)
    assert report.ok, str(report)


def test_cross_entropy_with_a_soft_target_and_numpy_index():
    z = [Value(1.0), Value(2.0), Value(0.5)]
    y = [0.2, 0.5, 0.3]
    lse = math.log(sum(math.exp(v.data) for v in z))
    assert nn.cross_entropy(z, y).data == pytest.approx(sum(t * (lse - v.data) for t, v in zip(y, z)))
    assert nn.cross_entropy(z, np.int64(1)).data == pytest.approx(lse - 2.0)
    assert nn.cross_entropy(z, 1.0).data == pytest.approx(lse - 2.0)


def test_nll_on_softmax_probabilities_equals_cross_entropy_on_logits():
    z = [0.3, -1.0, 2.0]
    probs = autograd.softmax([Value(v) for v in z])
    assert nn.nll(probs, 0).data == pytest.approx(nn.cross_entropy([Value(v) for v in z], 0).data)
    report = autograd.gradcheck(lambda *v: nn.nll(autograd.softmax(list(v)), 2), z)
    assert report.ok, str(report)


@pytest.mark.parametrize("score,y,expected", [(0.3, 1.0, 0.7), (2.0, 1.0, 0.0), (0.3, -1.0, 1.3)])
def test_hinge_is_micrographs_max_margin(score, y, expected):
    assert nn.hinge(Value(score), y).data == pytest.approx(expected)
    if expected > 0:
        assert autograd.gradcheck(lambda s: nn.hinge(s, y), [score], hand=[-y]).ok


def test_l2_penalty():
    params = [Value(1.0), Value(-2.0)]
    penalty = nn.l2(params, 0.1)
    assert penalty.data == pytest.approx(0.5)
    assert autograd.grad(penalty, params) == pytest.approx([0.2, -0.4])
    assert autograd.gradcheck(lambda a, b: nn.l2([a, b], 0.1), [1.0, -2.0]).ok


def test_mean_loss_is_the_mean_of_per_example_losses():
    preds, targets = [Value(1.0), Value(2.0), Value(4.0)], [0.0, 0.0, 0.0]
    assert nn.mean_loss(nn.mse, preds, targets).data == pytest.approx((1 + 4 + 16) / 3)
    assert autograd.grad(nn.mean_loss(nn.mse, preds, targets), preds) == pytest.approx([2 / 3, 4 / 3, 8 / 3])


@pytest.mark.parametrize("call,error,culprit", [
    (lambda: nn.cross_entropy([Value(1.0), Value(2.0)], 2), IndexError, "class index 2 is out of range for 2"),
    (lambda: nn.cross_entropy([Value(1.0), Value(2.0)], -1), IndexError, "class index -1"),
    (lambda: nn.cross_entropy([Value(1.0), Value(2.0)], 0.5), ValueError, "whole number"),
    (lambda: nn.cross_entropy([Value(1.0), Value(2.0)], [1.0, 0.0, 0.0]), ValueError, "3 entries for 2 classes"),
    (lambda: nn.cross_entropy([Value(1.0), Value(2.0)], "cat"), TypeError, "class index or a one-hot"),
    (lambda: nn.cross_entropy(Value(1.0), 0), ValueError, "at least 2 outputs"),
    (lambda: nn.hinge(Value(1.0), 0.0), ValueError, r"-1 or \+1"),
    (lambda: nn.bce(Value(0.5), 2.0), ValueError, "probability in \\[0, 1\\]"),
    (lambda: nn.mse([Value(1.0), Value(2.0)], [1.0]), ValueError, "1 entries but the prediction has 2"),
    (lambda: nn.mse(Value(1.0), float("nan")), ValueError, "mse: target"),
    (lambda: nn.mse(Value(1.0), "1"), TypeError, "mse: target"),
    (lambda: nn.l2([Value(1.0)], -1.0), ValueError, "strength"),
    (lambda: nn.mean_loss(nn.mse, [Value(1.0)], [1.0, 2.0]), ValueError, "1 predictions but 2 targets"),
])
def test_bad_targets_raise_clear_errors(call, error, culprit):
    with pytest.raises(error, match=culprit):
        call()


# --- a target given as a Value is judged by its .data, by the rules a number meets --------

@pytest.mark.parametrize("call, says", [
    (lambda: nn.bce_with_logits(Value(0.3), Value(5.0)), r"^bce_with_logits: the target must be a probability "
                                                         r"in \[0, 1\] \(a 0/1 label\), got 5\.0"),
    (lambda: nn.bce(Value(0.5), Value(2.0)), r"^bce: the target must be a probability in \[0, 1\].*got 2\.0"),
    (lambda: nn.bce(Value(0.5), Value(-0.5, label="y")), r"^bce: .*got -0\.5.*'y'"),
])
def test_a_value_target_meets_the_rules_of_a_number(call, says):
    with pytest.raises(ValueError, match=says):
        call()


def test_a_valid_value_target_stays_in_the_graph():
    z, y = Value(0.3, label="z"), Value(1.0, label="y")
    loss = nn.bce_with_logits(z, y)
    loss.backward()
    assert loss.data == pytest.approx(math.log1p(math.exp(0.3)) - 0.3) and y.grad == pytest.approx(-0.3)
    assert nn.mse([Value(1.0), Value(2.0)], [Value(1.0), 2.0]).data == pytest.approx(0.0)


# --- nll takes probabilities (a softmax layer's), as documented ----------------------------

@pytest.mark.parametrize("outputs, target, says", [
    ([2.0, 1.0], 0, r"^nll: the prediction's entry 0 \(class 0\) is 2\.0 \('p0'\), not a probability in \[0, 1\]"),
    ([0.5, -0.5], 0, r"^nll: the prediction's entry 1 \(class 1\) is -0\.5 \('p1'\)"),
    ([0.0, 1.5], [0.0, 1.0], r"^nll: the prediction's entry 1 \(class 1\) is 1\.5"),
])
def test_nll_refuses_a_prediction_that_is_not_probabilities(outputs, target, says):
    with pytest.raises(ValueError, match=says):
        nn.nll([Value(p, label=f"p{c}") for c, p in enumerate(outputs)], target)


def test_nll_takes_probabilities_at_the_ends_of_their_range():
    assert nn.nll([Value(1.0), Value(0.0)], 0).data == 0.0


# --- a class index far out of range is shown compactly -------------------------------------

@pytest.mark.parametrize("index, shown", [(1e300, r"1e\+300"), (-1e20, r"-1e\+20"), (10 ** 30, r"1e\+30")])
def test_a_huge_class_index_is_shown_compactly(index, shown):
    says = rf"^cross_entropy: class index {shown} is out of range for 2 classes"
    with pytest.raises(IndexError, match=says) as caught:
        nn.cross_entropy([Value(1.0), Value(2.0)], index)
    assert len(str(caught.value)) < 120


# --- targets that are Values (the placeholders autograd.compile records with): xlogy ----------

def _ops_in(loss):
    return {node.op for node in autograd.topological_order(loss)}


@pytest.mark.parametrize("p, y", [(1.0, 1.0), (0.0, 0.0), (0.3, 0.25), (0.9, 1.0), (0.2, 0.0)])
def test_bce_with_a_value_target_gives_the_number_targets_loss_and_gradient_also_when_saturated(p, y):
    """p = 1 at y = 1 is 0 · ln 0 in the term of 1 - y: xlogy takes it as 0, where y ln p +
    (1 - y) ln(1 - p) on a Value target raised (the compiled fit stopped at a correctly classified
    example, or refused to compile)."""
    by_value, by_number = Value(p), Value(p)
    loss = nn.bce(by_value, Value(y, requires_grad=False))
    assert loss.data == nn.bce(by_number, y).data
    assert autograd.grad(loss, by_value) == autograd.grad(nn.bce(by_number, y), by_number)
    assert "xlogy" in _ops_in(loss)


def test_a_number_target_keeps_the_graph_it_had():
    assert _ops_in(nn.bce(Value(0.3), 0.0)) == {"", "-", "log", "*", "neg"}
    assert _ops_in(nn.bce(Value(0.3), 0.25)) == {"", "-", "log", "*", "+", "neg"}
    assert _ops_in(nn.nll([Value(0.3), Value(0.7)], 1)) == {"", "log", "neg"}


def test_bce_with_a_value_target_refuses_ln_0_with_a_coefficient_by_name():
    with pytest.raises(ValueError, match=r"^xlogy: xlogy is defined for y > 0, and for y = 0 where x = 0 "
                                         r"\(x ln 0 is ±∞ .* a loss written on logits does not saturate\); "
                                         r"inputs: 1, 0$"):
        nn.bce(Value(1.0, label="a(2)_1"), Value(0.0))


def test_nll_with_value_targets_takes_a_class_probability_of_0_whose_target_is_0():
    """As fit's compiled path records it (loss.function on placeholder Values): -Σ_c xlogy(y_c, p_c),
    the number targets' loss and gradient; before, p_c = 0 raised whatever its target."""
    probs, same = [Value(1.0, label="p0"), Value(0.0, label="p1")], [Value(1.0), Value(0.0)]
    loss = nn.nll.function(probs, [Value(1.0), Value(0.0)])
    assert loss.data == 0.0 and autograd.grad(loss, probs) == autograd.grad(nn.nll(same, 0), same) == [-1.0, 0.0]
    soft = [Value(0.5), Value(0.5), Value(0.0)]
    loss = nn.nll.function(soft, [Value(0.25), Value(0.75), Value(0.0)])
    assert loss.data == nn.nll([Value(0.5), Value(0.5), Value(0.0)], [0.25, 0.75, 0.0]).data == math.log(2)
    with pytest.raises(ValueError, match=r"^xlogy: .*inputs: 1, 0 \('p1'\)"):
        nn.nll.function(probs, [Value(0.0), Value(1.0)])


def test_an_unlabelled_prediction_is_not_named_by_an_empty_label():
    with pytest.raises(ValueError, match=r"^BCELoss: the prediction -3.0 is not a probability"):
        nn.BCELoss()([Value(-3.0)], [1.0])
    with pytest.raises(ValueError, match=r"^bce: the prediction -3.0 is not a probability"):
        nn.bce([Value(-3.0)], 1.0)


_NUMBERS = np.array([0.2, 0.7, 0.4])  # predictions as plain numbers, say model.predict's


@pytest.mark.parametrize("call, torch_call", [
    (lambda: nn.mse(_NUMBERS, [0.0, 1.0, 0.0]), lambda F, T: F.mse_loss(T(_NUMBERS), T([0.0, 1.0, 0.0]))),
    (lambda: nn.sse(0.2, 1.0), lambda F, T: F.mse_loss(T([0.2]), T([1.0]), reduction="sum")),
    (lambda: nn.bce(0.2, 1.0), lambda F, T: F.binary_cross_entropy(T([0.2]), T([1.0]))),
    (lambda: nn.bce_with_logits(0.2, 0.0), lambda F, T: F.binary_cross_entropy_with_logits(T([0.2]), T([0.0]))),
    (lambda: nn.cross_entropy(_NUMBERS, 1), lambda F, T: F.cross_entropy(T([_NUMBERS]), T([[0, 1, 0]]))),
    (lambda: nn.cross_entropy(_NUMBERS, [0.2, 0.5, 0.3]),
     lambda F, T: F.cross_entropy(T([_NUMBERS]), T([[0.2, 0.5, 0.3]]))),
    (lambda: nn.nll(_NUMBERS / _NUMBERS.sum(), 2), lambda F, T: F.nll_loss(T([_NUMBERS / _NUMBERS.sum()]).log(),
                                                                      T([2]).long())),
    (lambda: nn.hinge(0.2, -1), None),
    (lambda: nn.mean_loss(nn.mse, [0.2, 0.7], [0.0, 1.0]), lambda F, T: F.mse_loss(T([0.2, 0.7]), T([0.0, 1.0]))),
    (lambda: nn.MSELoss()(_NUMBERS, np.zeros(3)), lambda F, T: F.mse_loss(T(_NUMBERS), T(np.zeros(3)))),
    (lambda: nn.BCELoss()(_NUMBERS, np.ones(3)), lambda F, T: F.binary_cross_entropy(T(_NUMBERS), T(np.ones(3)))),
    (lambda: nn.BCEWithLogitsLoss()(_NUMBERS, np.ones(3)),
     lambda F, T: F.binary_cross_entropy_with_logits(T(_NUMBERS), T(np.ones(3)))),
    (lambda: nn.CrossEntropyLoss()(np.array([_NUMBERS, _NUMBERS[::-1]]), [0, 2]),
     lambda F, T: F.cross_entropy(T([_NUMBERS, _NUMBERS[::-1]]), T([0, 2]).long())),
    (lambda: nn.CrossEntropyLoss()(np.array([_NUMBERS]), [[0.2, 0.5, 0.3]]),
     lambda F, T: F.cross_entropy(T([_NUMBERS]), T([[0.2, 0.5, 0.3]]))),
], ids=["mse", "sse", "bce", "bce_with_logits", "cross_entropy", "cross_entropy-soft", "nll", "hinge",
        "mean_loss", "MSELoss", "BCELoss", "BCEWithLogitsLoss", "CrossEntropyLoss", "CrossEntropyLoss-soft"])
def test_a_loss_of_plain_numbers_has_no_graph_and_its_backward_raises_as_in_pytorch(call, torch_call):
    # A number is data, as a float tensor is in PyTorch: a loss of numbers alone requires no grad,
    # and backward says so, where it ran and left every weight's .grad at 0 (nothing trained).
    loss = call()
    assert not loss.requires_grad
    with pytest.raises(RuntimeError, match="does not require grad"):
        loss.backward()
    if torch_call is None:
        return
    from tests.support import require_torch
    require_torch()
    import torch
    theirs = torch_call(torch.nn.functional, lambda a: torch.tensor(np.asarray(a, dtype=float), dtype=torch.float64))
    assert loss.data == pytest.approx(theirs.item(), rel=1e-12) and not theirs.requires_grad
    with pytest.raises(RuntimeError, match="does not require grad"):
        theirs.backward()


def test_training_from_predict_outputs_raises_and_from_model_x_trains_as_torch():
    # model(X) on a batch says how to train; following its hint with predict's numbers is refused
    # at backward, as torch's is, instead of training nothing silently.
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(12, 4)), rng.integers(0, 3, size=12)
    model = nn.Sequential(nn.Linear(4, 5, seed=0), nn.Tanh(), nn.Linear(5, 3, seed=1))
    with pytest.raises(ValueError, match=r"to train, \[model\(x\) for x in X\] \(Values.*model\.predict\(X\)"):
        model(X)
    lf = nn.CrossEntropyLoss()
    with pytest.raises(RuntimeError, match="does not require grad"):
        lf(model.predict(X), y).backward()
    assert all(p.grad == 0.0 for p in model.parameters())
    lf([model(x) for x in X], y).backward()
    from tests.support import require_torch
    require_torch()
    import torch
    tmodel = nn.to_torch(model)
    torch.nn.functional.cross_entropy(tmodel(torch.from_numpy(X)), torch.from_numpy(y)).backward()
    grads = np.concatenate([p.grad.detach().numpy().ravel() for p in tmodel.parameters()])
    assert np.allclose([p.grad for p in model.parameters()], grads, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("loss, says", [
    (nn.cross_entropy, r"cross_entropy: takes one example's logits .*a batch; for a batch use "
                       r"nn\.CrossEntropyLoss\(\)\(outputs, targets\) or nn\.mean_loss\(nn\.cross_entropy"),
    (nn.mse, r"mse: takes one example's outputs .*nn\.MSELoss\(\)\(outputs, targets\)"),
    (nn.nll, r"nll: takes one example's probabilities .*use nn\.mean_loss\(nn\.nll, outputs, targets\)"),
], ids=["cross_entropy", "mse", "nll"])
def test_a_functional_loss_given_a_batch_names_what_takes_a_batch(loss, says):
    Z = [[Value(0.2), Value(0.3), Value(0.5)], [Value(0.6), Value(0.3), Value(0.1)]]
    with pytest.raises(TypeError, match=says):
        loss(Z, [0, 2])
    with pytest.raises(TypeError, match=says):
        loss(np.array([[0.2, 0.3, 0.5], [0.6, 0.3, 0.1]]), [0, 2])


def test_bce_loss_on_outputs_that_are_no_probabilities_names_bce_loss_and_its_logits_form():
    # A PyTorch user's usual slip, BCELoss on a linear output: named as written, in a call and in fit.
    model = nn.Sequential(nn.Linear(2, 3, seed=0), nn.Tanh(), nn.Linear(3, 1, seed=1))
    X, y = [[0.1, 0.2], [0.3, -0.4], [2.0, 1.0]], [0, 1, 1]
    advice = r"use a sigmoid output, or nn\.BCEWithLogitsLoss on a linear output"
    for compiled in (False, None):
        with pytest.raises(ValueError, match=rf"^BCELoss: the prediction .* \('z\(3\)_1'\) is not a "
                                             rf"probability.*{advice}"):
            nn.fit(model, X, y, loss=nn.BCELoss(), epochs=1, lr=0.1, progress=False, compiled=compiled)
    with pytest.raises(ValueError, match=r"^BCELoss: the probability 1\.0 saturated.*use nn\.BCEWithLogitsLoss on"):
        nn.BCELoss()([[Value(1.0), Value(0.5)]], [[0.0, 1.0]])
    with pytest.raises(ValueError, match=r"^bce: the probability 1\.0 saturated.*use bce_with_logits on"):
        nn.bce(Value(1.0), 0.0)


@pytest.mark.parametrize("loss, formula", [
    (nn.sse, "C = Σ_c (ŷ_c - y_c)²"),
    (nn.mse, "C = 1/K Σ_c (ŷ_c - y_c)²"),
    (nn.mse.with_options(half=True), "C = 1/(2K) Σ_c (ŷ_c - y_c)²"),
    (nn.bce, "C = -[y ln p + (1 - y) ln(1 - p)]"),
    (nn.bce_with_logits, "C = ln(1 + e^z) - y z, on a logit z"),
    (nn.cross_entropy, "C = ln Σ_c e^(z_c) - Σ_c y_c z_c, on logits z"),
    (nn.nll, "C = -Σ_c y_c ln p_c"),
    (nn.hinge, "C = max(0, 1 - y ŷ)"),
    (nn.mae, "C = 1/K Σ_c |ŷ_c - y_c|"),
    (nn.huber, "C = 1/K Σ_c h(ŷ_c - y_c), h(r) = ½r² if |r| ≤ δ else δ(|r| - ½δ), δ = 1"),
    (nn.MSELoss(), "C = 1/K Σ_c (ŷ_c - y_c)²"),
    (nn.L1Loss(), "C = 1/K Σ_c |ŷ_c - y_c|"),
    (nn.HuberLoss(delta=0.5), "C = 1/K Σ_c h(ŷ_c - y_c), h(r) = ½r² if |r| ≤ δ else δ(|r| - ½δ), δ = 0.5"),
    (nn.SmoothL1Loss(beta=2), "C = 1/K Σ_c h(ŷ_c - y_c)/β, h(r) = ½r² if |r| ≤ β else β(|r| - ½β), β = 2"),
    (nn.BCELoss(), "C = -1/K Σ_c [y_c ln p_c + (1 - y_c) ln(1 - p_c)]"),
    (nn.BCEWithLogitsLoss(), "C = 1/K Σ_c [ln(1 + e^(z_c)) - y_c z_c], on logits z"),
    (nn.CrossEntropyLoss(), "C = ln Σ_c e^(z_c) - Σ_c y_c z_c, on logits z"),
])
def test_each_loss_writes_one_examples_formula(loss, formula):
    assert loss.formula == formula


@pytest.mark.parametrize("loss, output, target, by_hand", [
    (nn.sse, [0.3, -1.2], [1.0, 0.5], (0.3 - 1.0) ** 2 + (-1.2 - 0.5) ** 2),
    (nn.mse.with_options(half=True), [0.3, -1.2], [1.0, 0.5], ((0.3 - 1.0) ** 2 + (-1.2 - 0.5) ** 2) / 4),
    (nn.bce_with_logits, [0.7], 1.0, math.log(1 + math.exp(0.7)) - 0.7),
    (nn.BCELoss(), [[0.2, 0.9]], [[1.0, 0.0]], -(math.log(0.2) + math.log(0.1)) / 2),
    (nn.BCEWithLogitsLoss(), [[0.2, -0.9]], [[1.0, 0.0]],
     (math.log(1 + math.exp(0.2)) - 0.2 + math.log(1 + math.exp(-0.9))) / 2),
    (nn.hinge, [0.25], -1.0, 1.25),
    (nn.mae, [0.3, -1.2], [1.0, 0.5], (0.7 + 1.7) / 2),
    (nn.huber, [0.3, -1.2], [1.0, 0.5], (0.5 * 0.7 ** 2 + 1.0 * (1.7 - 0.5)) / 2),  # one inside δ, one outside
    (nn.huber.with_options(delta=2.0), [-1.2], [0.5], 0.5 * 1.7 ** 2),
    (nn.HuberLoss(delta=0.5), [[0.3, -1.2]], [[1.0, 0.5]], (0.5 * (0.7 - 0.25) + 0.5 * (1.7 - 0.25)) / 2),
    (nn.SmoothL1Loss(beta=2.0), [[0.3, -1.2]], [[1.0, 0.5]], (0.5 * 0.7 ** 2 / 2 + 0.5 * 1.7 ** 2 / 2) / 2),
])
def test_the_formula_is_the_loss_it_names(loss, output, target, by_hand):
    """Each formula, evaluated by hand, is the loss's own number (a formula that says one thing
    while the loss computes another would mislead every page that shows it)."""
    outputs = [[Value(v) for v in row] for row in output] if isinstance(output[0], list) else [Value(v) for v in output]
    assert loss(outputs, target).data == pytest.approx(by_hand, rel=1e-14)


def test_a_loss_of_your_own_has_no_formula():
    assert nn.losses.as_loss(lambda a, y: (a - y) ** 2).formula is None


@settings(max_examples=60, deadline=None)
@given(residuals=st.lists(st.floats(-4, 4), min_size=1, max_size=4), delta=st.floats(0.1, 3.0))
def test_huber_and_mae_derivatives_are_the_hand_formulas_and_central_differences(residuals, delta):
    # ∂h_δ/∂ŷ = r inside |r| ≤ δ and δ·sign(r) outside (continuous at |r| = δ); ∂|r|/∂ŷ = sign(r),
    # 0 at r = 0 as torch takes it; each divided by K for the mean over the outputs.
    K, y = len(residuals), [0.25] * len(residuals)
    for loss, by_hand in ((nn.huber.with_options(delta=delta), lambda r: r if abs(r) <= delta else delta * np.sign(r)),
                          (nn.mae, np.sign)):
        out = [Value(0.25 + r) for r in residuals]
        loss(out, y).backward()
        for o, r in zip(out, residuals):
            r = o.data - 0.25  # the residual as the engine sees it, rounded
            assert o.grad == pytest.approx(by_hand(r) / K, rel=1e-12, abs=1e-15)
            if abs(abs(r) - delta) > 1e-4 and abs(r) > 1e-4:  # away from the kinks: central differences
                def C(shift):
                    return loss([Value(v.data + (shift if v is o else 0.0)) for v in out], y).data
                assert o.grad == pytest.approx((C(1e-6) - C(-1e-6)) / 2e-6, rel=1e-5, abs=1e-8)


@pytest.mark.parametrize("make, error, message", [
    (lambda: nn.huber.with_options(delta=0)([Value(1.0)], [0.0]), ValueError, r"^huber delta: must be > 0, got 0\.0$"),
    (lambda: nn.huber.with_options(delta=float("nan"))([Value(1.0)], [0.0]), ValueError, r"^huber delta: expected a finite"),
    (lambda: nn.huber.with_options(dleta=1.0), TypeError, r"huber\.with_options: unknown option 'dleta'; it takes 'delta'"),
    (lambda: nn.HuberLoss(delta=-1), ValueError, r"^HuberLoss delta: must be > 0, got -1\.0$"),
    (lambda: nn.HuberLoss(delta="1"), TypeError, r"^HuberLoss delta: expected a real number"),
    (lambda: nn.HuberLoss(delta=True), TypeError, r"^HuberLoss delta: expected a real number, got bool"),
    (lambda: nn.SmoothL1Loss(beta=-0.5), ValueError, r"^SmoothL1Loss beta: must be >= 0, got -0\.5$"),
    (lambda: nn.HuberLoss("mean", 1.0, 2), TypeError, r"^HuberLoss\(\) takes at most 2 arguments by position, "
                                                      r"torch's reduction, delta; got 3"),
    (lambda: nn.HuberLoss(size_average=True), TypeError, r"^HuberLoss: size_average=True not supported here; "
                                                         r"it takes only reduction= .*, delta=, and torch's"),
    (lambda: nn.L1Loss(weight=[1.0]), TypeError, r"^L1Loss: weight=\[1\.0\] not supported here"),
    (lambda: nn.L1Loss()([Value(1.0), Value(2.0)], [0.0]), ValueError, r"^L1Loss: the input has 2 entries but the "
                                                                        r"target has 1"),
])
def test_huber_and_l1_arguments_are_checked_by_name(make, error, message):
    with pytest.raises(error, match=message):
        make()


def test_huber_and_l1_read_torchs_positional_order():
    assert nn.HuberLoss("sum", 0.25).reduction == "sum" and nn.HuberLoss("sum", 0.25).options == {"delta": 0.25}
    assert nn.SmoothL1Loss(None, None, "none", 0.5).options == {"beta": 0.5}
    assert nn.L1Loss(None, None, "sum").reduction == "sum"
    assert repr(nn.HuberLoss(delta=2)) == "HuberLoss(reduction='mean', delta=2.0)"
