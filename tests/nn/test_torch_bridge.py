"""nn against PyTorch float64: every layer, activation and loss (values and gradients, to 1e-12),
nn.to_torch / nn.from_torch, state dicts under PyTorch's names, and training step for step."""

import math
import re
from collections import OrderedDict

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
import nn
from nn.torchlike import MODULE_OF_ACTIVATION
from tests.support import require_torch

TOL = dict(rtol=1e-12, atol=1e-12)


@pytest.fixture
def torch():
    require_torch()
    import torch
    return torch


def close(a, b):
    return np.allclose(np.asarray(a, dtype=float), np.asarray(b, dtype=float), **TOL)


ACTIVATION_MODULES = [nn.ReLU(), nn.Tanh(), nn.Sigmoid(), nn.Identity(), nn.LinearActivation(-1.5), nn.Step(0.2),
                      nn.Softmax()]


def test_every_activation_of_the_table_is_tested_here():
    assert {m.activation.name for m in ACTIVATION_MODULES} == set(MODULE_OF_ACTIVATION)


# --- each layer and activation, values and gradients ------------------------------------------

@settings(max_examples=40, deadline=None)
@given(module=st.sampled_from(ACTIVATION_MODULES), n=st.integers(2, 5), seed=st.integers(0, 10_000))
def test_each_activation_module_matches_torch_in_value_and_gradient(module, n, seed):
    require_torch()
    import torch
    rng = np.random.default_rng(seed)
    z, weights = rng.normal(scale=3.0, size=n), rng.normal(size=n)
    zs = [autograd.Value(v, label=f"z_{j}") for j, v in enumerate(z.tolist(), 1)]
    outs = module.forward(zs)
    c = autograd.dot(weights.tolist(), outs) if len(outs) > 1 else outs[0] * weights[0]
    c.backward()
    tz = torch.tensor(z, dtype=torch.float64, requires_grad=True)
    tout = nn.to_torch(nn.Sequential(module))(tz)
    (tout * torch.from_numpy(weights)).sum().backward()
    assert close([o.data for o in outs], tout.detach().numpy())
    assert close([v.grad for v in zs], tz.grad.numpy())


@settings(max_examples=30, deadline=None)
@given(nin=st.integers(1, 5), nout=st.integers(1, 5), bias=st.booleans(), seed=st.integers(0, 10_000))
def test_linear_matches_torch_in_value_and_gradient(nin, nout, bias, seed):
    require_torch()
    import torch
    rng = np.random.default_rng(seed)
    layer = nn.Linear(nin, nout, bias=bias, seed=seed)
    x, weights = rng.normal(size=nin), rng.normal(size=nout)
    xs = nn.inputs(x)
    c = autograd.dot(weights.tolist(), layer(xs))
    c.backward()
    tlayer = nn.to_torch(layer)
    assert isinstance(tlayer, torch.nn.Linear) and tlayer.weight.dtype == torch.float64
    tx = torch.tensor(x, requires_grad=True)
    tout = tlayer(tx)
    (tout * torch.from_numpy(weights)).sum().backward()
    assert close([o.data for o in layer.forward(tuple(x))], tout.detach().numpy())
    assert close([[w.grad for w in row] for row in layer.weight], tlayer.weight.grad.numpy())
    if bias:
        assert close([b.grad for b in layer.bias], tlayer.bias.grad.numpy())
    assert close([v.grad for v in xs], tx.grad.numpy())


# --- each loss, values and gradients, every reduction -----------------------------------------

def _run_loss(torch, loss, torch_loss, logits, target, torch_target):
    """(tracegrad's C and ∂C/∂logits, torch's) for one loss on a batch of logits."""
    values = [[autograd.Value(v) for v in row] for row in logits.tolist()]
    c = loss(values, target)
    t = torch.tensor(logits, requires_grad=True)
    tc = torch_loss(t, torch_target)
    if isinstance(c, list):  # reduction="none": torch's shape, then their sum to compare gradients
        assert np.shape(_numbers(c)) == tuple(tc.shape) and close(_numbers(c), tc.detach().numpy())
        c = autograd.sum(list(_flat(c)))
    c.backward()
    tc = tc.sum() if tc.ndim else tc
    tc.backward()
    return (c.data, [[v.grad for v in row] for row in values]), (tc.item(), t.grad.numpy())


def _flat(nested):
    for item in nested:
        yield from _flat(item) if isinstance(item, list) else [item]


def _numbers(nested):
    return [_numbers(item) for item in nested] if isinstance(nested, list) else nested.data


def test_reduction_none_keeps_the_shape_of_the_input_as_torch_does(torch):
    rng = np.random.default_rng(3)
    logits, probabilities = rng.normal(size=(2, 3)), rng.uniform(0.1, 0.9, size=(2, 3))
    target = rng.uniform(size=(2, 3))
    for ours, theirs, x in ((nn.MSELoss, torch.nn.MSELoss, logits), (nn.BCELoss, torch.nn.BCELoss, probabilities),
                            (nn.BCEWithLogitsLoss, torch.nn.BCEWithLogitsLoss, logits)):
        for xs, ys in ((x, target), (x[1], target[1]), (x[1, 2], target[1, 2])):  # a batch, one example, one entry
            values = autograd.Value(xs.item()) if np.ndim(xs) == 0 else np.vectorize(autograd.Value)(xs).tolist()
            mine = ours(reduction="none")(values, ys.tolist())
            ref = theirs(reduction="none")(torch.tensor(xs), torch.tensor(ys))
            assert np.shape(_numbers(mine)) == tuple(ref.shape) and close(_numbers(mine), ref.numpy()), ours
        assert close([l.data for l in ours(reduction="none")(values_of(x), target.tolist())[1]],
                     theirs(reduction="none")(torch.tensor(x), torch.tensor(target))[1].numpy())  # example 1's
    classes = [2, 0]
    mine = nn.CrossEntropyLoss(reduction="none")(values_of(logits), classes)
    ref = torch.nn.CrossEntropyLoss(reduction="none")(torch.tensor(logits), torch.tensor(classes))
    assert np.shape(_numbers(mine)) == tuple(ref.shape) == (2,) and close(_numbers(mine), ref.numpy())
    one = nn.CrossEntropyLoss(reduction="none")(values_of(logits)[1], 0)
    ref = torch.nn.CrossEntropyLoss(reduction="none")(torch.tensor(logits[1]), torch.tensor(0))
    assert isinstance(one, autograd.Value) and ref.shape == () and close(one.data, ref.item())


def values_of(array):
    return [[autograd.Value(v) for v in row] for row in array.tolist()]


@settings(max_examples=30, deadline=None)
@given(n=st.integers(1, 6), k=st.integers(1, 4), reduction=st.sampled_from(["mean", "sum", "none"]),
       seed=st.integers(0, 10_000))
def test_mse_and_bce_with_logits_losses_match_torch(n, k, reduction, seed):
    require_torch()
    import torch
    rng = np.random.default_rng(seed)
    logits = rng.normal(scale=4.0, size=(n, k))
    for ours, theirs, target in (
            (nn.MSELoss, torch.nn.MSELoss, rng.normal(size=(n, k))),
            (nn.BCEWithLogitsLoss, torch.nn.BCEWithLogitsLoss, rng.uniform(size=(n, k)))):
        mine, torch_side = _run_loss(torch, ours(reduction=reduction), theirs(reduction=reduction), logits,
                                     target, torch.from_numpy(target))
        assert close(mine[0], torch_side[0]) and close(mine[1], torch_side[1]), ours


@settings(max_examples=40, deadline=None)
@given(n=st.integers(1, 6), k=st.integers(1, 4), reduction=st.sampled_from(["mean", "sum", "none"]),
       delta=st.floats(0.05, 5.0), beta=st.sampled_from([0.0, 0.3, 1.0, 2.5]), seed=st.integers(0, 10_000))
def test_l1_huber_and_smooth_l1_losses_match_torch(n, k, reduction, delta, beta, seed):
    # Values and gradients, with residuals on both sides of δ and β, one of them exactly 0 (|r|'s
    # kink, where torch's gradient is 0) and one exactly δ (where Huber's two pieces meet)
    require_torch()
    import torch
    rng = np.random.default_rng(seed)
    target = rng.normal(size=(n, k))
    outputs = target + rng.normal(scale=3.0, size=(n, k))
    outputs[0, 0] = target[0, 0]
    if n > 1:
        outputs[1, 0] = target[1, 0] + delta
    for ours, theirs in ((nn.L1Loss(reduction=reduction), torch.nn.L1Loss(reduction=reduction)),
                         (nn.HuberLoss(reduction=reduction, delta=delta), torch.nn.HuberLoss(reduction=reduction, delta=delta)),
                         (nn.SmoothL1Loss(reduction=reduction, beta=beta), torch.nn.SmoothL1Loss(reduction=reduction, beta=beta))):
        mine, torch_side = _run_loss(torch, ours, theirs, outputs, target, torch.from_numpy(target))
        assert close(mine[0], torch_side[0]) and close(mine[1], torch_side[1]), ours


@settings(max_examples=40, deadline=None)
@given(n=st.integers(1, 6), k=st.integers(2, 5), reduction=st.sampled_from(["mean", "sum", "none"]),
       target_kind=st.sampled_from(["indices", "probabilities", "some ignored"]), seed=st.integers(0, 10_000))
def test_cross_entropy_loss_matches_torch(n, k, reduction, target_kind, seed):
    """Class indices, class probabilities, and indices of which some are torch's ignore_index
    -100 (left out of the loss and of the mean's count)."""
    require_torch()
    import torch
    rng = np.random.default_rng(seed)
    logits = rng.normal(scale=4.0, size=(n, k))
    if target_kind == "probabilities":
        target = rng.dirichlet(np.ones(k), size=n)
    else:
        target = rng.integers(0, k, size=n)
    if target_kind == "some ignored" and n > 1:
        target[rng.permutation(n)[: rng.integers(1, n)]] = -100  # at least one ignored, at least one kept
    torch_target = torch.from_numpy(target)
    mine, torch_side = _run_loss(torch, nn.CrossEntropyLoss(reduction=reduction),
                                 torch.nn.CrossEntropyLoss(reduction=reduction), logits, target.tolist(), torch_target)
    assert close(mine[0], torch_side[0]) and close(mine[1], torch_side[1])


def test_every_target_ignored_is_a_value_error_for_the_mean_where_torch_gives_nan(torch):
    logits = [[autograd.Value(0.5), autograd.Value(-0.5)]] * 2
    with pytest.raises(ValueError, match="every target is ignore_index -100, so the mean is over no example "
                                         r"\(PyTorch gives nan\); reduction='sum' gives 0"):
        nn.CrossEntropyLoss()(logits, [-100, -100])
    total = nn.CrossEntropyLoss(reduction="sum")(logits, [-100, -100])  # an empty sum: 0, as torch's
    theirs = torch.nn.CrossEntropyLoss(reduction="sum")(torch.zeros((2, 2), dtype=torch.float64, requires_grad=True),
                                                          torch.tensor([-100, -100]))
    assert total.data == theirs.item() == 0.0
    total.backward()
    assert [v.grad for v in logits[0]] == [0.0, 0.0]
    assert [c.data for c in nn.CrossEntropyLoss(reduction="none")(logits, [-100, -100])] == [0.0, 0.0]
    with pytest.raises(IndexError, match="-100 is PyTorch's ignore_index, which a call of nn.CrossEntropyLoss leaves "
                                         "out, but fit and nn.cross_entropy do not"):
        nn.fit(nn.MLP(2, [2]), np.zeros((2, 2)), [0, -100], loss=nn.CrossEntropyLoss(), epochs=1, lr=0.1)


@pytest.mark.parametrize("target", [[0, 1, 2, 3], np.array([0, 1, 2, 3]), [0, 0, 1, 1], np.array([[0, 2, 1, 1]])],
                         ids=["ints", "int64", "two hot", "nested"])
def test_integers_that_are_no_one_hot_row_are_refused_as_one_examples_probabilities(target):
    """One example's 4 logits with the batch's 4 class indices: read as unnormalised probabilities,
    that would be a wrong number; torch refuses integer probabilities too."""
    logits = [autograd.Value(v) for v in (0.1, 0.2, 0.3, 0.4)]
    with pytest.raises(ValueError, match=r"CrossEntropyLoss: the target \[.*\] holds 4 integers that are not one-hot, "
                                         r"so it would be read as class probabilities"):
        nn.CrossEntropyLoss()(logits, target)
    with pytest.raises(ValueError, match=r"fit y\[0\]: cross_entropy: the target .* holds 4 integers that are not one-hot"):
        nn.fit(nn.MLP(2, [4]), np.zeros((1, 2)), np.array([np.ravel(target)]), loss="cross_entropy", epochs=1, lr=0.1)


def test_an_integer_one_hot_row_and_float_probabilities_still_are_targets():
    logits = [autograd.Value(v) for v in (0.1, 0.2, 0.3, 0.4)]
    assert nn.cross_entropy(logits, [0, 0, 1, 0]).data == nn.cross_entropy(logits, 2).data
    assert nn.cross_entropy(logits, np.array([0, 0, 1, 0])).data == nn.cross_entropy(logits, 2).data
    assert close(nn.CrossEntropyLoss()(logits, [0.0, 1.0, 2.0, 3.0]).data, 7.855213176730977)


def test_torch_objects_where_nn_ones_belong_are_named_in_full_with_the_way_across(torch):
    X, y, model = np.zeros((2, 2)), [0, 1], nn.MLP(2, [2])
    with pytest.raises(TypeError, match=r"loss: torch.nn.modules.loss.CrossEntropyLoss is PyTorch's own loss, which "
                                        r"takes tensors; use nn's of the same name, nn.CrossEntropyLoss\(\)"):
        nn.fit(model, X, y, loss=torch.nn.CrossEntropyLoss(), epochs=1, lr=0.1)
    with pytest.raises(TypeError, match=r"nn has no NLLLoss \(its 'nll' takes probabilities, not log-probabilities\)"):
        nn.fit(model, X, y, loss=torch.nn.NLLLoss(), epochs=1, lr=0.1)
    with pytest.raises(TypeError, match="nn has no KLDivLoss; its losses are 'sse'"):
        nn.fit(model, X, y, loss=torch.nn.KLDivLoss(), epochs=1, lr=0.1)

    class Net(torch.nn.Module):  # a torch module of the user's own
        pass
    with pytest.raises(TypeError, match=r"the model is a .*Net \(a torch.nn.modules.module.Module\), a PyTorch module; "
                                        r"nn.from_torch takes a torch.nn.Sequential"):
        nn.fit(Net(), X, y, loss="cross_entropy", epochs=1, lr=0.1)
    with pytest.raises(TypeError, match=r"got a torch.optim.rmsprop.RMSprop, PyTorch's own, which updates tensors; nn has "
                                        r"nn.SGD, nn.Adam and nn.AdamW"):
        nn.fit(model, X, y, loss="cross_entropy", epochs=1, optimizer=torch.optim.RMSprop(torch.nn.Linear(2, 2).parameters()))
    with pytest.raises(TypeError, match=r"the model is a torch.nn.modules.container.Sequential, a PyTorch module; bring "
                                        r"it across first with nn.from_torch\(model\)"):
        nn.fit(torch.nn.Sequential(torch.nn.Linear(2, 2)), X, y, loss="cross_entropy", epochs=1, lr=0.1)
    with pytest.raises(TypeError, match=r"got a torch.optim.sgd.SGD, PyTorch's own, which updates tensors; build nn's "
                                        r"of the same name from the model, nn.SGD\(model.parameters\(\), ...\)"):
        nn.fit(model, X, y, loss="cross_entropy", epochs=1, optimizer=torch.optim.SGD(torch.nn.Linear(2, 2).parameters(), lr=0.1))
    with pytest.raises(TypeError, match="got a torch.nn.modules.container.Sequential, which is PyTorch's already "
                                        r"\(use it as it is; nn.from_torch brings a torch.nn.Sequential here\)"):
        nn.to_torch(torch.nn.Sequential(torch.nn.Linear(2, 2)))


@pytest.mark.parametrize("tie", ["module placed twice", "weight tied by hand"])
def test_state_dict_names_a_tied_weight_at_each_place_as_torchs(torch, tie):
    first, second = nn.Linear(2, 2, seed=0), nn.Linear(2, 2, seed=1)
    if tie == "weight tied by hand":
        second.weight = first.weight
    model = nn.Sequential(first, nn.Tanh(), first if tie == "module placed twice" else second)
    torch_model = nn.to_torch(model)
    tensors = {".".join(name.split(".")[:2]) for name in model.state_dict()}  # 0.weight.1.0 is in 0.weight
    assert tensors == set(torch_model.state_dict()) == {"0.weight", "0.bias", "2.weight", "2.bias"}
    assert list(model.state_dict()) == [name for name, _ in model.named_parameters(remove_duplicate=False)]
    copy = nn.Sequential(nn.Linear(2, 2, seed=5), nn.Tanh(), nn.Linear(2, 2, seed=6))
    assert copy.load_state_dict(model.state_dict()) == ([], [])  # strict: every name, the tied ones too
    assert copy.state_dict() == model.state_dict()
    reloaded = nn.Sequential(first, nn.Tanh(), first if tie == "module placed twice" else second)
    assert reloaded.load_state_dict(model.state_dict()) == ([], [])


def test_one_example_without_a_batch_matches_torchs_unbatched_input(torch):
    z = [0.3, -1.2, 2.0]
    values = [autograd.Value(v) for v in z]
    c = nn.CrossEntropyLoss()(values, 2)
    assert close(c.data, torch.nn.CrossEntropyLoss()(torch.tensor(z, dtype=torch.float64), torch.tensor(2)).item())


# --- to_torch, from_torch ---------------------------------------------------------------------

def random_sequential(draw_sizes, draw_acts, bias, seed):
    modules, sizes = [], draw_sizes
    for i, (n_in, n_out) in enumerate(zip(sizes, sizes[1:])):
        modules.append(nn.Linear(n_in, n_out, bias=bias[i], seed=seed + i))
        act = draw_acts[i]
        if act is not None and not (act is nn.Softmax and n_out == 1):
            modules.append(act() if isinstance(act, type) else act)
    return nn.Sequential(*modules)


ACTS = [None, nn.ReLU, nn.Tanh, nn.Sigmoid, nn.Identity, nn.Softmax, nn.LinearActivation(0.7), nn.Step(-0.1)]


@settings(max_examples=40, deadline=None)
@given(sizes=st.lists(st.integers(1, 5), min_size=2, max_size=5), data=st.data(), seed=st.integers(0, 1000))
def test_to_torch_gives_the_same_outputs_on_random_inputs(sizes, data, seed):
    require_torch()
    import torch
    layers = len(sizes) - 1
    acts = data.draw(st.lists(st.sampled_from(ACTS), min_size=layers, max_size=layers))
    acts = [a if a is not nn.Softmax or i == layers - 1 else nn.Tanh for i, a in enumerate(acts)]
    bias = data.draw(st.lists(st.booleans(), min_size=layers, max_size=layers))
    model = random_sequential(sizes, acts, bias, seed)
    X = np.random.default_rng(seed).normal(scale=2.0, size=(7, sizes[0]))
    tmodel = nn.to_torch(model)
    with torch.no_grad():
        theirs = tmodel(torch.from_numpy(X)).numpy()
    ours = model.predict(X, compiled=False)
    assert close(ours.reshape(theirs.shape), theirs)
    back = nn.from_torch(tmodel)
    assert back.state_dict() == model.state_dict() and repr(back) == repr(model)


@settings(max_examples=25, deadline=None)
@given(nin=st.integers(1, 4), nouts=st.lists(st.integers(1, 4), min_size=1, max_size=3),
       hidden=st.sampled_from(["tanh", "sigmoid", "relu", ("step", 0.5), ("linear", 2.0), "linear"]),
       output=st.sampled_from([None, "sigmoid", "softmax"]), seed=st.integers(0, 1000))
def test_to_torch_of_an_mlp_gives_the_same_outputs(nin, nouts, hidden, output, seed):
    require_torch()
    import torch
    if output == "softmax" and nouts[-1] == 1:
        output = None
    mlp = nn.MLP(nin, nouts, hidden, output_activation=output, seed=seed)
    X = np.random.default_rng(seed).normal(size=(5, nin))
    with torch.no_grad():
        theirs = nn.to_torch(mlp)(torch.from_numpy(X)).numpy()
    assert close(mlp.predict(X, compiled=False).reshape(theirs.shape), theirs)


def test_an_mlp_becomes_pytorchs_usual_sequential(torch):
    tmodel = nn.to_torch(nn.MLP(2, [4, 3, 1], "tanh", seed=0))
    assert [type(m).__name__ for m in tmodel] == ["Linear", "Tanh", "Linear", "Tanh", "Linear"]
    assert list(tmodel.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias"]


def test_from_torch_takes_pytorchs_own_model(torch):
    torch.manual_seed(0)
    tmodel = torch.nn.Sequential(OrderedDict(fc1=torch.nn.Linear(3, 5), act=torch.nn.ReLU(),
                                             fc2=torch.nn.Linear(5, 2, bias=False), soft=torch.nn.Softmax(dim=1)))
    model = nn.from_torch(tmodel)  # float32 weights: exactly representable in float64
    assert [name for name, _ in model.named_children()] == ["fc1", "act", "fc2", "soft"]
    X = np.random.default_rng(1).normal(size=(4, 3))
    with torch.no_grad():
        theirs = tmodel.double()(torch.from_numpy(X)).numpy()
    assert close(model.predict(X), theirs)
    assert model(list(X[0]))[0].label == "a(3)_1"


@pytest.mark.parametrize("build, error, message", [
    (lambda t: t.nn.Sequential(t.nn.Linear(2, 2), t.nn.Dropout(0.5)), TypeError, "module '1' \\(Dropout\\).*no Dropout layer"),
    (lambda t: t.nn.Sequential(t.nn.Linear(2, 2), t.nn.LeakyReLU()), TypeError, "no LeakyReLU layer"),
    (lambda t: t.nn.Conv2d(1, 1, 3), TypeError, "Conv2d: tracegrad has no Conv2d layer"),
    (lambda t: t.nn.Sequential(t.nn.Linear(2, 2), t.nn.Sequential(t.nn.Tanh(), t.nn.Dropout())), TypeError,
     r"^from_torch: module '1\.1' \(Dropout\): tracegrad has no Dropout layer"),
    (lambda t: t.nn.Sequential(t.nn.Linear(2, 2), t.nn.Sequential()), ValueError,
     r"^from_torch: module '1' \(Sequential\) is an empty torch\.nn\.Sequential"),
    (lambda t: t.nn.Sequential(t.nn.Linear(2, 2), t.nn.Softmax(dim=0)), ValueError, "Softmax\\(dim=0\\)"),
    (lambda t: t.nn.Sequential(t.nn.Linear(2, 2), t.nn.Softmax(dim=1.0)), TypeError,
     "^from_torch: module '1'.*Softmax\\(dim=1\\.0\\): dim is float, expected an int"),
    (lambda t: t.nn.Sequential(t.nn.Linear(2, 2), t.nn.Softmax(dim=True)), TypeError, "^from_torch: .*dim is bool"),
    (lambda t: t.nn.Sequential(t.nn.Linear(2, 3), t.nn.Linear(2, 1)), ValueError, "reads 2 inputs, but the module before it gives 3"),
    (lambda t: t.nn.Sequential(), ValueError, "empty"),
    (lambda t: "a model", TypeError, "expected a torch.nn.Module, got str"),
])
def test_from_torch_refuses_anything_else_by_name(torch, build, error, message):
    with pytest.raises(error, match=message):
        nn.from_torch(build(torch))


def test_from_torch_refuses_a_subclass_that_may_compute_something_else(torch):
    class MyReLU(torch.nn.ReLU):
        def forward(self, x):
            return 2 * x

    with pytest.raises(TypeError, match="no MyReLU layer"):
        nn.from_torch(torch.nn.Sequential(torch.nn.Linear(2, 2), MyReLU()))


def test_from_torch_refuses_a_non_finite_weight_naming_it(torch):
    linear = torch.nn.Linear(2, 2)
    with torch.no_grad():
        linear.weight[1, 0] = float("nan")
    with pytest.raises(ValueError, match="from_torch: module '0' \\(Linear\\): weight: expected finite numbers"):
        nn.from_torch(torch.nn.Sequential(linear))


def test_to_torch_refuses_what_torch_cannot_mirror():
    class Mine(nn.Module):
        def forward(self, a):
            return a

    with pytest.raises(TypeError, match="module '1' of the Sequential is a Mine"):
        nn.to_torch(nn.Sequential(nn.Linear(2, 2), Mine()))
    with pytest.raises(TypeError, match="got Neuron"):
        nn.to_torch(nn.Neuron(2))


def test_a_frozen_parameter_stays_frozen_across_the_bridge(torch):
    model = nn.Sequential(nn.Linear(2, 3, seed=0), nn.ReLU(), nn.Linear(3, 1, seed=1))
    model[0].requires_grad_(False)
    assert [p.requires_grad for p in nn.to_torch(model).parameters()] == [False, False, True, True]
    mlp = nn.MLP(2, [3, 1], seed=0)
    for neuron in mlp.layers[1].neurons:
        neuron.b.requires_grad = False
    assert [p.requires_grad for p in nn.to_torch(mlp).parameters()] == [True, True, True, False]
    tmodel = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.ReLU(), torch.nn.Linear(3, 1)).double()
    tmodel[0].requires_grad_(False)
    tmodel[2].bias.requires_grad_(False)
    back = nn.from_torch(tmodel)
    assert [p.requires_grad for p in back.parameters()] == [False] * 9 + [True] * 3 + [False]
    assert not any(p.requires_grad for p in nn.from_torch(tmodel[0]).parameters())
    model[2].weight[0][1].requires_grad = True
    model[0].weight[1][0].requires_grad = True  # a tensor cannot be partly frozen
    with pytest.raises(ValueError, match=r"to PyTorch: module '0': weight has 5 of its 6 parameters frozen"):
        nn.to_torch(model)


def test_children_and_modules_have_torchs_names_and_order(torch):
    model = nn.Sequential(nn.Sequential(nn.Linear(2, 4), nn.ReLU()), nn.Linear(4, 3), nn.Tanh(),
                          nn.Sequential(OrderedDict(fc=nn.Linear(3, 1), out=nn.Sigmoid())))
    tmodel = torch.nn.Sequential(torch.nn.Sequential(torch.nn.Linear(2, 4), torch.nn.ReLU()),
                                 torch.nn.Linear(4, 3), torch.nn.Tanh(),
                                 torch.nn.Sequential(OrderedDict(fc=torch.nn.Linear(3, 1), out=torch.nn.Sigmoid())))

    def described(pairs):
        return [(name, type(module).__name__) for name, module in pairs]

    assert described(model.named_modules()) == described(tmodel.named_modules())
    assert described(model.named_children()) == described(tmodel.named_children())
    assert [type(m).__name__ for m in model.children()] == [type(m).__name__ for m in tmodel.children()]
    assert described(model.named_modules(prefix="net")) == described(tmodel.named_modules(prefix="net"))
    mlp = nn.MLP(2, [4, 3, 1], "relu", seed=0)  # its layers in the order of to_torch's Linears
    layers = [(m.nin, m.nout) for _, m in mlp.named_modules() if isinstance(m, nn.Layer)]
    linears = [(m.in_features, m.out_features) for _, m in nn.to_torch(mlp).named_modules()
               if isinstance(m, torch.nn.Linear)]
    assert layers == linears == [(2, 4), (4, 3), (3, 1)]


def test_a_nested_sequential_prints_as_torchs_does(torch):
    import re
    model = nn.Sequential(nn.Sequential(nn.Linear(2, 4), nn.Sequential(nn.ReLU())), nn.Linear(4, 1))
    tmodel = torch.nn.Sequential(torch.nn.Sequential(torch.nn.Linear(2, 4), torch.nn.Sequential(torch.nn.ReLU())),
                                 torch.nn.Linear(4, 1))
    without_counts = re.sub(r"\(\d+ parameters\)|  # \d+ parameters", "", repr(model))
    assert without_counts == repr(tmodel)


# --- state dicts under PyTorch's names ---------------------------------------------------------

def test_a_trained_model_loads_into_an_equivalent_torch_module_strictly(torch):
    from sklearn.datasets import make_moons
    X, y = make_moons(100, noise=0.1, random_state=0)
    model = nn.MLP(2, [6, 1], "tanh", seed=0)
    nn.fit(model, X, y, loss=nn.bce_with_logits, epochs=3, lr=0.5, progress=False)
    state = nn.torch_state_dict(model)
    assert list(state) == ["0.weight", "0.bias", "2.weight", "2.bias"]
    assert state["0.weight"].shape == (6, 2) and state["2.bias"].shape == (1,)
    assert state["0.weight"][3, 1] == model.layers[0].neurons[3].w[1].data
    hand_written = torch.nn.Sequential(torch.nn.Linear(2, 6), torch.nn.Tanh(), torch.nn.Linear(6, 1)).double()
    result = hand_written.load_state_dict(nn.torch_state_dict(model, tensors=True), strict=True)
    assert not result.missing_keys and not result.unexpected_keys
    with torch.no_grad():
        theirs = hand_written(torch.from_numpy(X)).numpy()[:, 0]
    assert close(model.predict(X), theirs)


@pytest.mark.parametrize("strict", [True, False])
def test_a_torch_state_dict_of_another_width_is_a_size_mismatch_as_in_torch(torch, strict):
    # torch raises RuntimeError "size mismatch for 0.weight" even with strict=False; so does this,
    # as load_state_dict's SizeMismatchError (a RuntimeError and a ValueError), writing nothing.
    model = nn.Sequential(nn.Linear(2, 3, seed=0), nn.ReLU(), nn.Linear(3, 1, seed=1))
    wider = nn.torch_state_dict(nn.Sequential(nn.Linear(2, 4, seed=2), nn.ReLU(), nn.Linear(4, 1, seed=3)),
                                tensors=True)
    before = model.state_dict()
    tmodel = nn.to_torch(model)
    with pytest.raises(RuntimeError, match="size mismatch for 0.weight"):
        tmodel.load_state_dict(wider, strict=strict)
    for state in (wider, {"0.bias": torch.zeros(4)}, {"2.weight": np.zeros(3)}):
        with pytest.raises(nn.SizeMismatchError, match=r"^load_torch_state_dict: size mismatch for \d.(weight|bias): "
                                                        r"shape \((4|3)"):
            nn.load_torch_state_dict(model, state, strict=strict)
    assert model.state_dict() == before


def test_a_torch_state_dict_loads_into_a_model_and_a_bad_one_changes_nothing(torch):
    torch.manual_seed(1)
    tmodel = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Sigmoid(), torch.nn.Linear(4, 2)).double()
    model = nn.Sequential(nn.Linear(3, 4), nn.Sigmoid(), nn.Linear(4, 2))
    assert nn.load_torch_state_dict(model, tmodel.state_dict()) == ([], [])
    X = np.random.default_rng(0).normal(size=(3, 3))
    with torch.no_grad():
        assert close(model.predict(X), tmodel(torch.from_numpy(X)).numpy())
    before = model.state_dict()
    state = {key: value.numpy().tolist() for key, value in tmodel.state_dict().items()}  # nested lists too
    bad_shape = dict(state, **{"2.weight": [[0.0] * 3] * 2})
    with pytest.raises(ValueError, match=r"size mismatch for 2.weight: shape \(2, 3\) in the state dict, \(2, 4\)"):
        nn.load_torch_state_dict(model, bad_shape)
    bad_number = dict(state, **{"2.bias": [0.0, math.inf]})
    with pytest.raises(ValueError, match="2.bias: expected finite numbers"):
        nn.load_torch_state_dict(model, bad_number)
    with pytest.raises(nn.StateDictError, match="missing keys: '2.bias'; unexpected keys: '2.bais'"):
        nn.load_torch_state_dict(model, {**{k: v for k, v in state.items() if k != "2.bias"}, "2.bais": [0.0, 0.0]})
    assert model.state_dict() == before
    partial = nn.load_torch_state_dict(model, {"0.bias": [1.0, 2.0, 3.0, 4.0]}, strict=False)
    assert partial.missing_keys == ["0.weight", "2.weight", "2.bias"]
    assert [b.data for b in model[0].bias] == [1.0, 2.0, 3.0, 4.0]
    assert model[0].weights()[0].tolist() == np.array([[before[f"0.weight.{j}.{k}"] for k in range(3)]
                                                        for j in range(4)]).tolist()


MODEL_KINDS = {
    "mlp": lambda: nn.MLP(3, [4, 2], "tanh", seed=0),
    "mlp-step-and-slope": lambda: nn.MLP(3, [4, 3, 2], ["step", ("linear", 2.0), "linear"], seed=1),
    "sequential": lambda: nn.Sequential(nn.Linear(3, 4, seed=0), nn.ReLU(), nn.Linear(4, 2, bias=False, seed=1),
                                        nn.Softmax()),
    "sequential-named": lambda: nn.Sequential(OrderedDict(hidden=nn.Linear(3, 4, seed=0), act=nn.Sigmoid(),
                                                          out=nn.Linear(4, 2, seed=1))),
    "layer-linear": lambda: nn.Layer(3, 2, activation="linear", seed=0),
    "layer-tanh": lambda: nn.Layer(3, 2, activation="tanh", seed=0),
    "linear": lambda: nn.Linear(3, 2, seed=0),
    "linear-no-bias": lambda: nn.Linear(3, 2, bias=False, seed=0),
    **{f"activation-{type(m).__name__}": (lambda m=m: m) for m in ACTIVATION_MODULES},
}


@pytest.mark.parametrize("kind", list(MODEL_KINDS))
def test_torch_state_dict_has_the_keys_of_to_torch_for_every_model_kind_and_round_trips(torch, kind):
    """Every model to_torch takes: torch_state_dict's keys are those of to_torch(model).state_dict(),
    so a state dict crosses both ways (strictly) and the weights arrive bit for bit."""
    model = MODEL_KINDS[kind]()
    tmodel = nn.to_torch(model)
    ours = nn.torch_state_dict(model)
    assert list(tmodel.state_dict().keys()) == list(ours.keys())
    # ours -> a fresh torch module of the same shape, strictly
    fresh = nn.to_torch(MODEL_KINDS[kind]())
    with torch.no_grad():
        for p in fresh.parameters():
            p.zero_()
    result = fresh.load_state_dict(nn.torch_state_dict(model, tensors=True), strict=True)
    assert not result.missing_keys and not result.unexpected_keys
    assert all(np.array_equal(value.numpy(), ours[key]) for key, value in fresh.state_dict().items())
    # torch's -> a fresh tracegrad model of the same shape, strictly
    back = MODEL_KINDS[kind]()
    for p in back.parameters():
        p.data = 0.0
    assert nn.load_torch_state_dict(back, tmodel.state_dict()) == ([], [])
    assert back.state_dict() == model.state_dict()
    # and from_torch's model speaks the same names
    assert list(nn.torch_state_dict(nn.from_torch(tmodel))) == list(ours)


def test_a_lone_linears_state_dict_is_torch_linears(torch):
    """The reviewer's case: a bare torch.nn.Linear's keys are weight and bias, not 0.weight."""
    lin = nn.Linear(3, 2, seed=0)
    t = nn.to_torch(lin)
    assert isinstance(t, torch.nn.Linear)
    assert list(nn.torch_state_dict(lin)) == ["weight", "bias"]
    t.load_state_dict(nn.torch_state_dict(lin, tensors=True), strict=True)
    hand_written = torch.nn.Linear(3, 2, dtype=torch.float64)
    nn.load_torch_state_dict(lin, hand_written.state_dict())
    assert np.array_equal(lin.weights()[0], hand_written.weight.detach().numpy())
    with pytest.raises(nn.StateDictError, match="missing keys: 'weight', 'bias'; unexpected keys: '0.weight'"):
        nn.load_torch_state_dict(lin, {"0.weight": np.zeros((2, 3)), "0.bias": np.zeros(2)})


def test_torch_state_dict_without_torch_is_numpy():
    state = nn.torch_state_dict(nn.Sequential(nn.Linear(2, 3, bias=False), nn.ReLU(), nn.Linear(3, 1)))
    assert list(state) == ["0.weight", "2.weight", "2.bias"]
    assert all(isinstance(v, np.ndarray) and v.dtype == np.float64 for v in state.values())


# --- training, step for step ---------------------------------------------------------------------

@pytest.mark.parametrize("compiled", [False, True])
def test_fit_follows_torchs_sgd_step_for_step(torch, compiled):
    """Full-batch SGD on a Sequential in tracegrad and on its to_torch copy in PyTorch: the same
    weights after every update, to 1e-12."""
    from sklearn.datasets import make_moons
    X, y = make_moons(64, noise=0.2, random_state=1)
    model = nn.Sequential(nn.Linear(2, 5, seed=0), nn.Tanh(), nn.Linear(5, 3, seed=1), nn.Sigmoid(),
                          nn.Linear(3, 2, seed=2))
    tmodel = nn.to_torch(model)
    optimizer = torch.optim.SGD(tmodel.parameters(), lr=0.5)
    loss = torch.nn.CrossEntropyLoss()
    for _ in range(5):
        optimizer.zero_grad()
        loss(tmodel(torch.from_numpy(X)), torch.from_numpy(y)).backward()
        optimizer.step()
    nn.fit(model, X, y, loss=nn.CrossEntropyLoss(), epochs=5, lr=0.5, batch_size=len(X), shuffle=False,
           progress=False, compiled=compiled)
    theirs = {key: value.detach().numpy() for key, value in tmodel.state_dict().items()}
    ours = nn.torch_state_dict(model)
    assert list(ours) == list(theirs)
    assert all(close(ours[key], theirs[key]) for key in ours)


def test_a_pytorch_users_training_loop_runs_as_written_and_matches_torch(torch):
    """The loop a PyTorch user writes, word for word, on both sides: the same losses and weights."""
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(8, 3)), rng.normal(size=(8, 2))
    model = nn.Sequential(nn.Linear(3, 4, seed=0), nn.ReLU(), nn.Linear(4, 2, seed=1))
    tmodel = nn.to_torch(model)
    sides = []
    for library, net, data in ((nn, model, (X.tolist(), Y.tolist())),
                               (torch.nn, tmodel, (torch.from_numpy(X), torch.from_numpy(Y)))):
        optim = nn.SGD if library is nn else torch.optim.SGD
        optimizer = optim(net.parameters(), lr=0.1, momentum=0.9)
        loss_fn = library.MSELoss()
        net.train()
        losses = []
        for _ in range(4):
            optimizer.zero_grad()
            outputs = [net(x) for x in data[0]] if library is nn else net(data[0])
            loss = loss_fn(outputs, data[1])
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
        net.eval()
        assert not net.training and isinstance(next(net.parameters()).grad, (float, torch.Tensor))
        sides.append(losses)
    assert close(sides[0], sides[1])
    theirs = {key: value.detach().numpy() for key, value in tmodel.state_dict().items()}
    assert all(close(value, theirs[key]) for key, value in nn.torch_state_dict(model).items())
    assert model(X[0].tolist())[0].detach().requires_grad is False


# --- multi-label targets: BCEWithLogitsLoss and BCELoss are elementwise, as in PyTorch -----------

def multi_label_data(n=12, seed=3):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    Y = (rng.uniform(size=(n, 2)) < 0.5).astype(float)
    Y[0] = [0.25, 0.9]  # soft targets too: PyTorch takes any probability
    return X, Y


def multi_label_twins(sigmoid):
    model = nn.Sequential(nn.Linear(3, 4, seed=0), nn.Tanh(), nn.Linear(4, 2, seed=1), *([nn.Sigmoid()] * sigmoid))
    return model, nn.to_torch(model)


@pytest.mark.parametrize("compiled", [False, True])
@pytest.mark.parametrize("name", ["BCEWithLogitsLoss", "BCELoss"])
def test_fit_on_multi_label_targets_follows_torch_step_for_step(torch, name, compiled):
    """Two outputs, each its own 0/1 label: fit's loss and weights after every update are torch's
    (mean over every element), and its accuracy is the fraction of examples with every label right."""
    X, Y = multi_label_data()
    model, tmodel = multi_label_twins(sigmoid=name == "BCELoss")
    optimizer, loss = torch.optim.SGD(tmodel.parameters(), lr=0.5), getattr(torch.nn, name)()
    losses, accuracies = [], []
    for _ in range(4):
        optimizer.zero_grad()
        out = tmodel(torch.from_numpy(X))
        c = loss(out, torch.from_numpy(Y))
        c.backward()
        optimizer.step()
        losses.append(c.item())
        decided = out.detach().numpy() >= (0.0 if name == "BCEWithLogitsLoss" else 0.5)
        accuracies.append(float(np.mean((decided == (Y >= 0.5)).all(axis=1))))
    history = nn.fit(model, X, Y, loss=getattr(nn, name)(), epochs=4, lr=0.5, shuffle=False, progress=False,
                     compiled=compiled)
    assert close(history.loss, losses)
    assert history.accuracy == accuracies
    theirs = {key: value.detach().numpy() for key, value in tmodel.state_dict().items()}
    assert all(close(value, theirs[key]) for key, value in nn.torch_state_dict(model).items())


def test_the_reviewers_multi_label_example_gives_torchs_loss(torch):
    seq = nn.Sequential(nn.Linear(3, 2, seed=0))
    X, y = [[0.1, 0.2, 0.3]], [[1.0, 0.0]]
    expected = torch.nn.BCEWithLogitsLoss()(nn.to_torch(seq)(torch.tensor(X, dtype=torch.float64)),
                                            torch.tensor(y, dtype=torch.float64)).item()
    assert close(nn.BCEWithLogitsLoss()([seq(X[0])], y).data, expected)
    history = nn.fit(seq, X, y, loss=nn.BCEWithLogitsLoss(), epochs=1, lr=0.1, progress=False)
    assert close(history.loss[0], expected)


@pytest.mark.parametrize("name", ["BCEWithLogitsLoss", "BCELoss"])
def test_multi_label_fit_compiled_and_scalar_agree_and_the_default_compiles(torch, name):
    X, Y = multi_label_data(40, seed=5)
    runs = {}
    for compiled in (None, False, True):
        model, _ = multi_label_twins(sigmoid=name == "BCELoss")
        val = (X[:10], Y[:10])
        history = nn.fit(model, X, Y, loss=getattr(nn, name)(), epochs=3, lr=0.3, batch_size=8, seed=0,
                         validation=val, progress=False, compiled=compiled)
        runs[compiled] = history, nn.torch_state_dict(model)
    from nn.targets import data_set
    from nn.train import training_path
    model, _ = multi_label_twins(sigmoid=name == "BCELoss")
    X_, targets, Y_ = data_set(model, X, Y, getattr(nn, name)(), "fit")
    assert training_path(model, getattr(nn, name)(), nn.SGD(model.parameters(), 0.1), None, X_, targets, Y_)[1] \
        == "compiled"
    (h_none, w_none), (h_scalar, w_scalar), (h_compiled, w_compiled) = runs[None], runs[False], runs[True]
    assert h_none.loss == h_compiled.loss
    assert close(h_scalar.loss, h_compiled.loss) and close(h_scalar.val_loss, h_compiled.val_loss)
    assert h_scalar.accuracy == h_compiled.accuracy and h_scalar.val_accuracy == h_compiled.val_accuracy
    assert all(close(w_scalar[key], w_compiled[key]) for key in w_scalar)


@settings(max_examples=30, deadline=None)
@given(n=st.integers(1, 6), k=st.integers(1, 4), reduction=st.sampled_from(["mean", "sum", "none"]),
       seed=st.integers(0, 10_000))
def test_bce_loss_matches_torch(n, k, reduction, seed):
    require_torch()
    import torch
    rng = np.random.default_rng(seed)
    probabilities = rng.uniform(0.02, 0.98, size=(n, k))
    target = rng.uniform(size=(n, k))
    mine, torch_side = _run_loss(torch, nn.BCELoss(reduction=reduction), torch.nn.BCELoss(reduction=reduction),
                                 probabilities, target, torch.from_numpy(target))
    assert close(mine[0], torch_side[0]) and close(mine[1], torch_side[1])


def test_multi_label_accuracy_and_recording(torch):
    X, Y = multi_label_data(20, seed=7)
    model = nn.MLP(3, [4, 2], "tanh", seed=0)  # a recording describes an MLP
    tmodel = nn.to_torch(model)
    with torch.no_grad():
        out = tmodel(torch.from_numpy(X)).numpy()
    expected = float(np.mean(((out >= 0.0) == (Y >= 0.5)).all(axis=1)))
    assert nn.accuracy(model, X, Y, loss=nn.BCEWithLogitsLoss()) == expected
    history = nn.fit(model, X, Y, loss=nn.BCEWithLogitsLoss(), epochs=2, lr=0.1, progress=False, record=True)
    assert history.recording.decision is None  # no argmax for several independent labels
    with pytest.raises(ValueError, match="bce_with_logits: expects a single output per example, got 2"):
        nn.fit(model, X, Y, loss=nn.bce_with_logits, epochs=1, lr=0.1, progress=False)  # nn's own: one output


# --- a module placed twice: tied on both sides, as torch's forward runs it ------------------------

def _shared_models(torch):
    """Two torch models that place a module twice: one Linear (tied weights) and one Tanh."""
    torch.manual_seed(0)
    L = torch.nn.Linear(3, 3)
    shared_linear = torch.nn.Sequential(L, torch.nn.Tanh(), L, torch.nn.Tanh(), torch.nn.Linear(3, 1)).double()
    T = torch.nn.Tanh()
    shared_tanh = torch.nn.Sequential(torch.nn.Linear(3, 3), T, torch.nn.Linear(3, 3), T,
                                      torch.nn.Linear(3, 1)).double()
    return shared_linear, shared_tanh


def test_from_torch_keeps_every_place_of_a_module_placed_twice_and_ties_a_shared_linear(torch):
    X = np.random.default_rng(0).normal(size=(6, 3))
    for tmodel in _shared_models(torch):
        model = nn.from_torch(tmodel)
        assert [name for name, _ in model.named_children()] == ["0", "1", "2", "3", "4"]
        assert [model[i] is model[j] for i, j in ((0, 2), (1, 3))] == [tmodel[i] is tmodel[j] for i, j in ((0, 2), (1, 3))]
        assert len(model.parameters()) == sum(p.numel() for p in tmodel.parameters())
        tX = torch.from_numpy(X)
        assert close(model.predict(X), tmodel(tX).detach().numpy().ravel())
        # the gradient of a tied weight sums both of its uses, in torch as here
        tmodel.zero_grad()
        tmodel(tX).sum().backward()
        for p in model.parameters():
            p.grad = 0.0
        sum((model(row) for row in X.tolist()), autograd.Value(0.0)).backward()
        grads = {key: p.grad.numpy() for key, p in tmodel.named_parameters()}
        assert all(close([[w.grad for w in row] for row in model[key.split(".")[0]].weight], grads[key])
                   for key in grads if key.endswith("weight"))


def test_to_torch_ties_a_linear_placed_twice_and_trains_as_torch(torch):
    X = np.random.default_rng(0).normal(size=(40, 3))
    y = X.sum(axis=1)
    L = nn.Linear(3, 3, seed=0)
    model = nn.Sequential(L, nn.Tanh(), L, nn.Tanh(), nn.Linear(3, 1, seed=1))
    tmodel = nn.to_torch(model)
    assert tmodel[0] is tmodel[2] and tmodel[1] is not tmodel[3]
    assert sum(p.numel() for p in tmodel.parameters()) == len(model.parameters()) == 16
    history = nn.fit(model, X, y, loss=nn.MSELoss(), epochs=3, batch_size=10, shuffle=False, progress=False,
                     optimizer=nn.SGD(model.parameters(), lr=0.05))
    optimizer, losses = torch.optim.SGD(tmodel.parameters(), lr=0.05), []
    for _ in range(3):
        total = 0.0
        for i in range(0, 40, 10):
            optimizer.zero_grad()
            loss = torch.nn.functional.mse_loss(tmodel(torch.from_numpy(X[i:i + 10]))[:, 0], torch.from_numpy(y[i:i + 10]))
            loss.backward()
            optimizer.step()
            total += loss.item() * 10
        losses.append(total / 40)
    assert close(history.loss, losses)
    theirs = tmodel.state_dict()
    assert all(close(value, theirs[key].numpy()) for key, value in nn.torch_state_dict(model).items())
    back = nn.from_torch(tmodel)  # and back: still one Linear in two places
    assert back[0] is back[2] and back[1] is not back[3]


def test_to_torch_of_an_mlp_gives_each_layer_its_own_activation_module(torch):
    model = nn.MLP(2, [3, 3, 1], "tanh", seed=0)  # its hidden layers share one nn.Activation, no module
    tmodel = nn.to_torch(model)
    assert tmodel[1] is not tmodel[3]


# --- a weight shared by two different Linears (torch's weight tying): one parameter on both sides -

def _tensor_names(model):
    """The tensor keys of a Sequential's named_parameters, in order: '0.weight.1.0' -> '0.weight'."""
    return list(dict.fromkeys(".".join(name.split(".")[:2]) for name, _ in model.named_parameters()))


def _train_both(torch, model, tmodel, optimizer, steps=3, **settings):
    """`steps` full-batch steps of `optimizer` (SGD or Adam) on both sides, the loop a PyTorch user
    writes; the largest gap between their weights after it, tensor by tensor."""
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(6, 2)), rng.normal(size=6)
    ours = getattr(nn, optimizer)(model.parameters(), **settings)
    theirs = getattr(torch.optim, optimizer)(tmodel.parameters(), **settings)
    for _ in range(steps):
        ours.zero_grad()
        nn.MSELoss()([model(x) for x in X.tolist()], y.tolist()).backward()
        ours.step()
        theirs.zero_grad()
        torch.nn.functional.mse_loss(tmodel(torch.from_numpy(X))[:, 0], torch.from_numpy(y)).backward()
        theirs.step()
    state = tmodel.state_dict()
    return max(np.abs(value - state[key].numpy()).max() for key, value in nn.torch_state_dict(model).items())


TIED_NUMBERS = {"weight": 4, "bias": 2}  # of a Linear(2, 2): counted once instead of twice


def _tied_by_hand_torch(torch, part):
    torch.manual_seed(0)
    tmodel = torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.Tanh(), torch.nn.Linear(2, 2), torch.nn.Tanh(),
                                 torch.nn.Linear(2, 1)).double()
    setattr(tmodel[2], part, getattr(tmodel[0], part))  # torch's usual weight tying
    return tmodel


@pytest.mark.parametrize("optimizer, settings", [("SGD", dict(lr=0.1)), ("SGD", dict(lr=0.1, momentum=0.9)),
                                                 ("Adam", dict(lr=0.05))])
@pytest.mark.parametrize("part", ["weight", "bias"])
def test_from_torch_keeps_a_parameter_shared_by_two_linears_one_and_trains_as_torch(torch, part, optimizer,
                                                                                     settings):
    tmodel = _tied_by_hand_torch(torch, part)
    model = nn.from_torch(tmodel)
    assert getattr(model[2], part) is getattr(model[0], part) and model[2] is not model[0]
    assert len(model.parameters()) == sum(p.numel() for p in tmodel.parameters()) == 15 - TIED_NUMBERS[part]
    # torch lists a shared Parameter once, under its first name, and so does the model
    assert _tensor_names(model) == [name for name, _ in tmodel.named_parameters()]
    assert list(nn.torch_state_dict(model)) == list(tmodel.state_dict())
    assert _train_both(torch, model, tmodel, optimizer, **settings) < 1e-14
    assert getattr(model[2], part) is getattr(model[0], part)


@pytest.mark.parametrize("optimizer, settings", [("SGD", dict(lr=0.1)), ("Adam", dict(lr=0.05))])
@pytest.mark.parametrize("part", ["weight", "bias"])
def test_to_torch_gives_a_weight_tied_by_hand_one_parameter_and_trains_as_torch(torch, part, optimizer, settings):
    a, b = nn.Linear(2, 2, seed=0), nn.Linear(2, 2, seed=1)
    setattr(b, part, getattr(a, part))
    model = nn.Sequential(a, nn.Tanh(), b, nn.Tanh(), nn.Linear(2, 1, seed=2))
    tmodel = nn.to_torch(model)
    assert getattr(tmodel[2], part) is getattr(tmodel[0], part) and tmodel[2] is not tmodel[0]
    assert sum(p.numel() for p in tmodel.parameters()) == len(model.parameters()) == 15 - TIED_NUMBERS[part]
    assert [name for name, _ in tmodel.named_parameters()] == _tensor_names(model)
    assert _train_both(torch, model, tmodel, optimizer, **settings) < 1e-14
    back = nn.from_torch(tmodel)  # and back: still one tensor in two Linears
    assert getattr(back[2], part) is getattr(back[0], part) and back[2] is not back[0]


def _share_a_value(a, b):
    b.weight[1][0] = a.weight[0][1]


def _share_rows_swapped(a, b):
    b.weight = [a.weight[1], a.weight[0]]


def _share_inside_one_tensor(a, b):
    b.weight[1][1] = b.weight[0][0]


def _share_a_weight_with_a_bias(a, b):
    b.bias[1] = a.weight[0][0]


@pytest.mark.parametrize("share, first, second", [
    (_share_a_value, "0.weight.0.1", "2.weight.1.0"),
    (_share_rows_swapped, "0.weight.1.0", "2.weight.0.0"),
    (_share_inside_one_tensor, "2.weight.0.0", "2.weight.1.1"),
    (_share_a_weight_with_a_bias, "0.weight.0.0", "2.bias.1"),
])
def test_to_torch_refuses_values_shared_in_a_way_no_torch_tensor_holds_naming_both(share, first, second):
    a, b = nn.Linear(2, 2, seed=0), nn.Linear(2, 2, seed=1)
    share(a, b)
    model = nn.Sequential(a, nn.Tanh(), b)
    with pytest.raises(ValueError, match=rf"parameters '{first}' and '{second}' of the Sequential are one "
                                         rf"Value \(a weight tied by hand\).*whole"):
        nn.to_torch(model)  # refused before torch is needed, as every model torch cannot mirror


# --- targets given as tensors, and a named Sequential's attributes -----------------------------

def _tensor_targets(torch, name, rng):
    """(logits or probabilities, the target as torch gives it) for the loss named `name`."""
    if name == "BCELoss":
        return rng.uniform(0.05, 0.95, size=(3, 4)), torch.from_numpy(rng.uniform(size=(3, 4)))
    if name == "CrossEntropyLoss":  # class indices: an int64 tensor, as torch wants them
        return rng.normal(size=(3, 4)), torch.tensor([3, 0, 2])
    return rng.normal(size=(3, 4)), torch.from_numpy(rng.uniform(size=(3, 4)))


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("name", ["MSELoss", "BCEWithLogitsLoss", "BCELoss", "CrossEntropyLoss"])
def test_every_torch_named_loss_takes_a_tensor_target_and_gives_torchs_loss(torch, name, reduction):
    x, target = _tensor_targets(torch, name, np.random.default_rng(11))
    ours, theirs = getattr(nn, name)(reduction=reduction), getattr(torch.nn, name)(reduction=reduction)
    mine, torch_side = _run_loss(torch, ours, theirs, x, target, target)
    assert close(mine[0], torch_side[0]) and close(mine[1], torch_side[1])
    # A target that requires grad gives its numbers: the same loss as torch's on it.
    if target.is_floating_point():
        wanting_grad = target.clone().requires_grad_()
        mine, torch_side = _run_loss(torch, ours, theirs, x, wanting_grad, wanting_grad)
        assert close(mine[0], torch_side[0]) and close(mine[1], torch_side[1])


def test_cross_entropy_loss_takes_class_probabilities_and_one_examples_index_as_tensors(torch):
    rng = np.random.default_rng(4)
    logits = rng.normal(size=(3, 4))
    probabilities = torch.softmax(torch.from_numpy(rng.normal(size=(3, 4))), dim=1)
    mine, torch_side = _run_loss(torch, nn.CrossEntropyLoss(), torch.nn.CrossEntropyLoss(), logits,
                                 probabilities, probabilities)
    assert close(mine[0], torch_side[0]) and close(mine[1], torch_side[1])
    one = nn.CrossEntropyLoss()([autograd.Value(v) for v in logits[0]], torch.tensor(2))
    assert close(one.data, torch.nn.CrossEntropyLoss()(torch.from_numpy(logits[0]), torch.tensor(2)).item())
    with pytest.raises(IndexError, match="class index 4 is out of range for 4 classes"):
        nn.CrossEntropyLoss()(values_of(logits), torch.tensor([0, 4, 1]))


def test_a_named_torch_sequential_keeps_its_names_as_attributes_and_appends_as_torchs(torch):
    torch.manual_seed(0)
    tmodel = torch.nn.Sequential(OrderedDict(fc1=torch.nn.Linear(3, 5), act=torch.nn.Tanh(),
                                             fc2=torch.nn.Linear(5, 2))).double()
    model = nn.from_torch(tmodel)
    assert isinstance(model.fc1, nn.Linear) and close(model.fc1.weights()[0], tmodel.fc1.weight.detach().numpy())
    assert model.act is model["act"] and model.fc2 is model[2]
    assert model.append(nn.Tanh()).append(nn.Linear(2, 1, seed=0)) is model
    tmodel.append(torch.nn.Tanh()).append(torch.nn.Linear(2, 1).double())
    assert list(nn.torch_state_dict(model)) == list(tmodel.state_dict()) == [
        "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias", "4.weight", "4.bias"]
    assert [name for name, _ in model.named_children()] == [name for name, _ in tmodel.named_children()]
    tmodel.load_state_dict(nn.torch_state_dict(model, tensors=True), strict=True)
    X = np.random.default_rng(2).normal(size=(4, 3))
    with torch.no_grad():
        assert close(np.ravel(model.predict(X)), tmodel(torch.from_numpy(X)).numpy().ravel())


def test_one_example_may_be_a_tensor_and_data_that_requires_grad_is_read_detached(torch):
    # model(torch.tensor(x)), as a PyTorch user calls a model: its numbers, as X is read by predict
    model = nn.Sequential(nn.Linear(2, 3, seed=0), nn.Tanh(), nn.Linear(3, 1, seed=1))
    x = [0.5, -0.25]
    for tensor in (torch.tensor(x, dtype=torch.float64), torch.tensor(x), torch.tensor(x, requires_grad=True)):
        out = model(tensor)
        assert out.data == model(x).data and out.label == "z(3)_1"
        assert [v.data for v in nn.inputs(tensor)] == x and [v.data for v in nn.ReLU()(tensor)] == [0.5, 0.0]
    assert nn.Linear(1, 1, seed=0)(torch.tensor(0.5))[0].data == nn.Linear(1, 1, seed=0)([0.5])[0].data
    with pytest.raises(ValueError, match=r"expected one example, .* got an array of shape \(2, 2\)"):
        model(torch.zeros(2, 2))
    with pytest.raises(ValueError, match="expected 2 inputs, got 3"):
        model(torch.zeros(3))
    # X that requires grad (a tensor from a torch pipeline) is data too, for predict and fit alike
    X = torch.tensor([[0.5, -0.25], [1.0, 2.0]], dtype=torch.float64, requires_grad=True)
    assert model.predict(X).tolist() == model.predict(X.detach().numpy()).tolist()
    history = nn.fit(model, X, torch.tensor([0.0, 1.0]), loss=nn.BCEWithLogitsLoss(), epochs=1, lr=0.1,
                     progress=False)
    assert len(history.loss) == 1


def _set(model, lib):
    model[2] = lib.Linear(3, 3) if lib is nn else lib.Linear(3, 3).double()


def _del(model, lib):
    del model[1]
    del model[-1]


def _del_slice(model, lib):
    del model[1:3]


def _pop(model, lib):
    return model.pop(3)


def _insert(model, lib):
    model.insert(1, lib.Sigmoid()).insert(-1, lib.Tanh())


def _extend(model, lib):
    model.extend([lib.Sigmoid(), lib.Identity()])


@pytest.mark.parametrize("change", [_set, _del, _del_slice, _pop, _insert, _extend])
def test_changing_a_sequentials_modules_names_them_as_torch_does(torch, change):
    model = nn.Sequential(nn.Linear(2, 3, seed=0), nn.Tanh(), nn.Linear(3, 3, seed=1), nn.ReLU(),
                          nn.Linear(3, 1, seed=2))
    tmodel = nn.to_torch(model)
    assert repr(change(model, nn)) == repr(change(tmodel, torch.nn))  # pop gives the module, as torch's
    assert [name for name, _ in model.named_children()] == [name for name, _ in tmodel.named_children()]
    assert repr(nn.to_torch(model)) == repr(tmodel) and list(nn.torch_state_dict(model)) == list(tmodel.state_dict())
    # the Linears are the notes' layers 2, 3, ... again, and the model computes what torch's does
    linears = [module for module in model if isinstance(module, nn.Linear)]
    assert [linear.weight[0][0].label for linear in linears] == [f"w({l})_1,1" for l in range(2, len(linears) + 2)]
    nn.load_torch_state_dict(model, tmodel.state_dict())
    X = np.random.default_rng(0).normal(size=(4, 2))
    with torch.no_grad():
        assert close(np.ravel(model.predict(X)), tmodel(torch.from_numpy(X)).numpy().ravel())


# --- a Sequential inside a model, changed as torch users change it ---------------------------

def _nested(lib):
    """Linear(2, 4), Tanh, Sequential(Linear(4, 4), Tanh): tracegrad's or torch's (float64)."""
    model = lib.Sequential(lib.Linear(2, 4), lib.Tanh(), lib.Sequential(lib.Linear(4, 4), lib.Tanh()))
    return model if lib is nn else model.double()


def _copy_weights(model, tmodel, torch):
    """tracegrad's weights into torch's twin, module by module (their named_modules agree)."""
    for (name, module), (tname, tmodule) in zip(model.named_modules(), tmodel.named_modules()):
        assert name == tname and type(module).__name__ == type(tmodule).__name__
        if isinstance(module, nn.Linear):
            W, b = module.weights()
            with torch.no_grad():
                tmodule.weight.copy_(torch.from_numpy(W))
                tmodule.bias.copy_(torch.from_numpy(b))


INNER_CHANGES = {  # each leaves the model chained; append, insert and extend change its width
    "append": lambda model, lib: model[2].append(lib.Linear(4, 3)),
    "insert": lambda model, lib: model[2].insert(2, lib.Linear(4, 5)),
    "extend": lambda model, lib: model[2].extend([lib.Linear(4, 3), lib.ReLU(), lib.Linear(3, 2)]),
    "setitem": lambda model, lib: model[2].__setitem__(0, lib.Linear(4, 4)),
    "del": lambda model, lib: model[2].__delitem__(0),
    "pop": lambda model, lib: model[2].pop(0),
    "outer after inner": lambda model, lib: (model[2].append(lib.Linear(4, 3)), model.append(lib.Linear(3, 2))),
}


@pytest.mark.parametrize("change", INNER_CHANGES.values(), ids=INNER_CHANGES.keys())
def test_a_change_to_a_sequential_inside_a_model_gives_the_sizes_names_and_outputs_torchs_does(torch, change):
    # The model kept the sizes its parts had when it was built: after model[2].append(Linear(4, 3))
    # its nout stayed 4 (fit and predict read it), and the new Linear took the part's next number.
    model, tmodel = _nested(nn), _nested(torch.nn)
    change(model, nn)
    change(tmodel, torch.nn)
    tmodel.double()
    _copy_weights(model, tmodel, torch)
    X = np.random.default_rng(0).normal(size=(5, 2))
    with torch.no_grad():
        want = tmodel(torch.from_numpy(X)).numpy()
    assert model.nin == 2 and model.nout == want.shape[1]
    assert close(model.predict(X).reshape(want.shape), want)
    assert [name for name, _ in model.named_modules()] == [name for name, _ in tmodel.named_modules()]
    tensors = [re.sub(r"(\.\d+)+$", "", name) for name, _ in model.named_parameters()]
    assert list(dict.fromkeys(tensors)) == list(tmodel.state_dict())  # 2.2.weight, as torch's
    assert list(model.state_dict()) == [name for name, _ in model.named_parameters()]
    # the Linears are the notes' layers 2, 3, ... in the model's order, each number once
    linears = [module for module in model.modules() if isinstance(module, nn.Linear)]
    layers = list(range(2, len(linears) + 2))
    assert [linear.bias[0].label for linear in linears] == [f"b({l})_1" for l in layers]
    outputs = model(X[0].tolist())
    assert f"({layers[-1]})_1" in (outputs if isinstance(outputs, list) else [outputs])[0].label  # z(l)_1, a(l)_1
    assert len(nn.fit(model, X, np.zeros(want.shape), loss=nn.MSELoss(), epochs=1, lr=0.1,
                      progress=False).loss) == 1


def test_a_change_inside_a_model_that_breaks_its_chain_is_named_at_the_next_forward(torch):
    # The model's forward failed inside a Linear, "dot: 4 weights but 3 inputs", naming no
    # module; torch fails there too ("mat1 and mat2 shapes cannot be multiplied").
    model, tmodel = _nested(nn), _nested(torch.nn)
    model.append(nn.Linear(4, 1))
    tmodel.append(torch.nn.Linear(4, 1).double())
    model[2].append(nn.Linear(4, 3))
    tmodel[2].append(torch.nn.Linear(4, 3).double())
    with pytest.raises(RuntimeError, match="cannot be multiplied"):
        tmodel(torch.zeros(1, 2, dtype=torch.float64))
    unchained = (r"Sequential: module '3', Linear\(in_features=4, out_features=1, bias=True\), reads 4 inputs, "
                 r"but the module before it gives 3 outputs \(the width of module '2.2', Linear\(in_features=4, "
                 r"out_features=3, bias=True\)\)")
    for use in (lambda: model([0.5, -0.2]), lambda: model.nout, lambda: model.predict(np.zeros((2, 2))),
                lambda: nn.fit(model, np.zeros((2, 2)), np.zeros(2), loss=nn.MSELoss(), epochs=1, progress=False)):
        with pytest.raises(ValueError, match=unchained):
            use()
    with pytest.raises(ValueError, match=unchained):  # a change of the model itself is checked as built
        model.append(nn.Tanh())
    model[3] = nn.Linear(3, 1)  # mended, as in torch
    assert model.nout == 1 and model([0.5, -0.2]).label == "z(5)_1"
    model[2][0] = nn.Linear(3, 4)
    with pytest.raises(ValueError, match=r"module '2.0', Linear\(in_features=3, out_features=4, bias=True\), "
                                         r"reads 3 inputs, but the module before it gives 4 outputs"):
        model([0.5, -0.2])


def test_from_torch_takes_a_softmax_with_torchs_implicit_dim():
    # torch.nn.Softmax() (dim=None) softmaxes the outputs of one example and of a batch alike;
    # it was "Softmax(dim=None): dim is NoneType, expected an int"
    require_torch()
    import warnings

    import torch
    torch_model = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.Softmax()).double()
    model = nn.from_torch(torch_model)
    x = np.array([0.5, -1.0, 0.25])
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")  # torch's "implicit dimension choice for softmax" warning
        expected = torch_model(torch.from_numpy(x)).numpy()
    assert np.abs(np.array([a.data for a in model(x)]) - expected).max() <= 1e-15
    assert repr(model[1]) == "Softmax(dim=-1)"


# --- a Sequential inside a Sequential, across to PyTorch and back ------------------------------

def _blocks(lib):
    """Sequential(Sequential(Linear, Tanh), Linear, Sequential(ReLU, Sequential(Linear))): blocks
    two deep, an activation first in one, as torch users write them."""
    return lib.Sequential(lib.Sequential(lib.Linear(2, 3), lib.Tanh()), lib.Linear(3, 3),
                          lib.Sequential(lib.ReLU(), lib.Sequential(lib.Linear(3, 2))))


def test_a_sequential_inside_a_sequential_crosses_both_ways_with_torchs_names_outputs_and_gradients(torch):
    # from_torch said "a Sequential inside a Sequential; flatten it into one", and to_torch and
    # torch_state_dict refused the nested nn.Sequential they would give back
    torch.manual_seed(0)
    tmodel = _blocks(torch.nn).double()
    tmodel[1].weight.requires_grad_(False)  # a frozen tensor inside stays frozen both ways
    model = nn.from_torch(tmodel)
    assert [name for name, _ in model.named_modules()] == [name for name, _ in tmodel.named_modules()]
    assert list(nn.torch_state_dict(model)) == list(tmodel.state_dict()) == [
        "0.0.weight", "0.0.bias", "1.weight", "1.bias", "2.1.0.weight", "2.1.0.bias"]
    X = np.random.default_rng(0).normal(size=(5, 2))
    with torch.no_grad():
        want = tmodel(torch.from_numpy(X)).numpy()
    assert close(model.predict(X), want)
    back = nn.to_torch(model)
    assert repr(back) == repr(tmodel.float())  # the same blocks, printed alike
    tmodel.double()
    with torch.no_grad():
        assert close(back(torch.from_numpy(X)).numpy(), want)
    assert [p.requires_grad for p in back.parameters()] == [p.requires_grad for p in tmodel.parameters()]
    back.load_state_dict(nn.torch_state_dict(model, tensors=True), strict=True)
    assert nn.load_torch_state_dict(nn.from_torch(_blocks(torch.nn)), tmodel.state_dict()) == ([], [])
    # ∂C/∂w for every weight, stepped beside PyTorch's (pytorch_stepper finds each Linear by its path)
    import viz
    page = viz.pytorch_stepper(tmodel, X[:2], torch.zeros(2, 2, dtype=torch.float64), torch.nn.MSELoss())
    assert page.agreement.agrees and page.agreement.text.startswith("all 20 gradients agree with PyTorch")


def test_a_weight_tied_across_two_blocks_stays_one_parameter_both_ways(torch):
    first, second = torch.nn.Linear(2, 2), torch.nn.Linear(2, 2)
    second.weight = first.weight
    tmodel = torch.nn.Sequential(torch.nn.Sequential(first, torch.nn.Tanh()), torch.nn.Sequential(second))
    model = nn.from_torch(tmodel)
    assert len(model.parameters()) == sum(p.numel() for p in tmodel.parameters()) == 8
    assert model[0][0].weight is model[1][0].weight
    back = nn.to_torch(model)
    assert back[1][0].weight is back[0][0].weight and back[1][0].bias is not back[0][0].bias


def test_get_submodule_finds_a_module_by_its_dotted_path_as_torchs(torch):
    model, tmodel = nn.from_torch(_blocks(torch.nn)), _blocks(torch.nn)
    for path in ("", "0", "0.0", "2.1", "2.1.0"):
        assert type(model.get_submodule(path)).__name__ == type(tmodel.get_submodule(path)).__name__
    assert model.get_submodule("2.1.0") is model[2][1][0]
    mlp = nn.MLP(2, [3, 1], seed=0)
    assert mlp.get_submodule("layers.1") is mlp.layers[1] and mlp.get_submodule("layers.0.neurons.2") is mlp.layers[0].neurons[2]
    with pytest.raises(AttributeError, match=r"^get_submodule: Sequential has no submodule '3'$"):
        model.get_submodule("3")
    with pytest.raises(AttributeError):
        tmodel.get_submodule("3")
    with pytest.raises(TypeError, match=r"get_submodule\(target\): expected a dotted path str, got int 0"):
        model.get_submodule(0)
