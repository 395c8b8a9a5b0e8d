"""nn.Linear, nn.Sequential, the activation modules, the PyTorch-named losses, train()/eval()
and parameters(): without torch. (Against torch itself: test_torch_bridge.py.)"""

import math
from collections import OrderedDict

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
import nn
from nn.activations import ACTIVATIONS
from nn.torchlike import MODULE_OF_ACTIVATION

HIDDEN = {"tanh": nn.Tanh, "sigmoid": nn.Sigmoid, "relu": nn.ReLU}
OUTPUT = {"linear": None, "sigmoid": nn.Sigmoid, "softmax": nn.Softmax, "tanh": nn.Tanh}


def twin(nin, nouts, hidden, output, seed=0):
    """An MLP and a Sequential of Linear + activation modules with the same weights."""
    mlp = nn.MLP(nin, nouts, hidden, output_activation=None if output == "linear" else output, seed=seed)
    modules, sizes = [], [nin] + nouts
    for i, (n_in, n_out) in enumerate(zip(sizes, sizes[1:])):
        modules.append(nn.Linear(n_in, n_out))
        last = i == len(nouts) - 1
        act = OUTPUT[output] if last else HIDDEN[hidden]
        if act is not None:
            modules.append(act())
    seq = nn.Sequential(*modules)
    for layer, (W, b) in zip([m for m in seq if isinstance(m, nn.Linear)], mlp.weights()):
        layer.set_weights(W, b)
    return mlp, seq


def graph(root):
    """Every node of root's graph as (op, label, data, the positions of its parents)."""
    order = autograd.topological_order(root)
    place = {id(v): i for i, v in enumerate(order)}
    return [(v.op, v.label, v.data, tuple(place[id(p)] for p in v.parents)) for v in order]


def cost(out, y):
    return nn.mse(out, y)


@settings(max_examples=30, deadline=None)
@given(nin=st.integers(1, 4), nouts=st.lists(st.integers(1, 4), min_size=1, max_size=3),
       hidden=st.sampled_from(sorted(HIDDEN)), output=st.sampled_from(sorted(OUTPUT)),
       seed=st.integers(0, 1000), inputs_as_leaves=st.booleans())
def test_a_sequential_builds_the_mlps_graph_node_for_node_and_label_for_label(nin, nouts, hidden, output, seed,
                                                                              inputs_as_leaves):
    if output == "softmax" and nouts[-1] == 1:
        nouts = nouts[:-1] + [2]
    mlp, seq = twin(nin, nouts, hidden, output, seed)
    x = np.random.default_rng(seed).normal(size=nin).tolist()
    x = nn.inputs(x) if inputs_as_leaves else x
    y = [0.5] * nouts[-1]
    c_mlp, c_seq = cost(mlp(x), y), cost(seq(x), y)
    assert graph(c_seq) == graph(c_mlp)
    c_mlp.backward()
    c_seq.backward()
    assert [p.grad for p in seq.parameters()] != [] and sorted(p.grad for p in seq.parameters()) == sorted(
        p.grad for p in mlp.parameters())
    labels = {p.label for p in seq.parameters()}
    assert labels == {p.label for p in mlp.parameters()}


def test_the_labels_are_the_notes_names():
    seq = nn.Sequential(nn.Linear(4, 2), nn.Sigmoid(), nn.Linear(2, 3), nn.Sigmoid(), nn.Linear(3, 1))
    out = seq([1.0, 2.0, 3.0, 4.0])
    assert out.label == "z(4)_1"
    assert [p.label for p in seq[0].parameters()][:5] == ["w(2)_1,1", "w(2)_1,2", "w(2)_1,3", "w(2)_1,4", "w(2)_2,1"]
    assert seq[2].bias[2].label == "b(3)_3"
    hidden = seq[1].forward(seq[0].forward((1.0, 2.0, 3.0, 4.0)))
    assert [a.label for a in hidden] == ["a(2)_1", "a(2)_2"]
    # a standalone Linear is unnumbered
    alone = nn.Linear(2, 2)
    assert [p.label for p in alone.parameters()] == ["w_1,1", "w_1,2", "w_2,1", "w_2,2", "b_1", "b_2"]


def test_parameter_names_are_pytorchs_one_scalar_each():
    seq = nn.Sequential(nn.Linear(2, 2), nn.ReLU(), nn.Linear(2, 1, bias=False))
    names = [name for name, _ in seq.named_parameters()]
    assert names == ["0.weight.0.0", "0.weight.0.1", "0.weight.1.0", "0.weight.1.1", "0.bias.0", "0.bias.1",
                     "2.weight.0.0", "2.weight.0.1"]
    named = nn.Sequential(OrderedDict(hidden=nn.Linear(2, 3), act=nn.Tanh(), out=nn.Linear(3, 1)))
    assert next(iter(named.state_dict())) == "hidden.weight.0.0"
    assert named["out"] is named[2]


def test_parameters_serve_both_habits():
    for model in (nn.MLP(2, [3, 1], seed=0), nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 1)),
                  nn.Linear(2, 3), nn.Layer(2, 3), nn.Neuron(2)):
        params = model.parameters()
        assert len(params) == model.num_parameters() and params[0] is params[:1][0]
        assert next(model.parameters()) is params[0]  # PyTorch's habit
        assert next(iter(model.parameters())) is params[0]
        stepped = model.parameters()
        assert next(stepped) is params[0] and next(stepped) is params[1]
        assert list(stepped) == list(params)  # iterating still sees every parameter
        assert [p for p in model.parameters()] == list(params)
        opt = nn.SGD(model.parameters(), lr=0.1)
        assert opt.params == list(params)
    with pytest.raises(StopIteration):
        p = nn.Neuron(1).parameters()
        next(p), next(p), next(p)


def test_train_and_eval_set_training_on_every_module_and_return_the_module():
    seq = nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 1))
    assert seq.training and seq[1].training
    assert seq.eval() is seq
    assert [m.training for m in seq.modules()] == [False] * 4
    assert seq.train() is seq and all(m.training for m in seq.modules())
    mlp = nn.MLP(2, [2, 1])
    mlp.eval()
    assert not mlp.layers[1].neurons[0].training
    assert len(list(mlp.modules())) == 1 + 2 + 3
    with pytest.raises(TypeError, match="train\\(mode\\)"):
        seq.train("no")
    # the mode changes no number
    before = seq.predict([[0.1, 0.2]])
    assert seq.eval().predict([[0.1, 0.2]]) == before


def test_every_activation_of_the_notes_table_has_a_module():
    # the op table's activations, and the two nn keeps itself (linear k·z and softmax, which are not ops)
    assert set(MODULE_OF_ACTIVATION) == set(autograd.ops.ACTIVATIONS) | {"linear", "softmax"} == set(ACTIVATIONS)
    z = autograd.Value(0.7, label="z(2)_1")
    for name, cls in MODULE_OF_ACTIVATION.items():
        if name == "softmax":
            outs = cls()([z, autograd.Value(-0.2, label="z(2)_2")])
            assert [o.label for o in outs] == ["a(2)_1", "a(2)_2"]
            assert math.isclose(sum(o.data for o in outs), 1.0)
            continue
        module = cls()
        out = module(z)
        assert math.isclose(out.data, nn.activation(name)(z).data)
    assert nn.LinearActivation(2.5)(z).data == 2.5 * 0.7 and nn.LinearActivation(2.5)(z).label == "a(2)_1"
    assert nn.Step(0.8)(z).data == 0.0 and nn.Step(0.5)(z).data == 1.0
    assert nn.Identity()(z) is z
    assert nn.ReLU()(autograd.Value(-1.0, label="x")).label == "relu(x)"


def test_misuse_names_the_culprit():
    with pytest.raises(ValueError, match=r"Linear\(in_features=4, out_features=2, bias=True\): expected 4 inputs, got 3"):
        nn.Linear(4, 2)([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match=r"module '2', Linear\(in_features=3.*reads 3 inputs, but the module before it gives 4"):
        nn.Sequential(nn.Linear(2, 4), nn.ReLU(), nn.Linear(3, 1))
    with pytest.raises(ValueError, match=r"Sequential: module '0', Linear\(in_features=2, out_features=4, "
                                         r"bias=True\): expected 2 inputs, got 3"):
        nn.Sequential(nn.Linear(2, 4), nn.ReLU())([1.0, 2.0, 3.0])
    with pytest.raises(TypeError, match="module '1' is builtin_function_or_method"):
        nn.Sequential(nn.Linear(2, 4), math.tanh)
    with pytest.raises(ValueError, match="at least one module"):
        nn.Sequential()
    with pytest.raises(TypeError, match="Linear in_features: expected an int"):
        nn.Linear(2.0, 3)
    with pytest.raises(ValueError, match="Linear out_features: expected an int >= 1"):
        nn.Linear(2, 0)
    with pytest.raises(TypeError, match="Linear bias: expected True or False"):
        nn.Linear(2, 3, bias="yes")
    with pytest.raises(ValueError, match="module '1', Softmax, follows a layer of 1 output"):
        nn.Sequential(nn.Linear(2, 1), nn.Softmax())
    with pytest.raises(ValueError, match="Softmax dim=0"):
        nn.Softmax(dim=0)
    with pytest.raises(ValueError, match="activation 'step': k: expected a finite number"):
        nn.Step(math.nan)
    with pytest.raises(ValueError, match=r"Linear.set_weights: weight: expected shape \(3, 2\)"):
        nn.Linear(2, 3).set_weights(np.zeros((2, 3)), np.zeros(3))
    with pytest.raises(ValueError, match="has no bias"):
        nn.Linear(2, 3, bias=False).set_weights(np.zeros((3, 2)), np.zeros(3))


def test_linear_starts_as_pytorchs_does_and_is_reproducible():
    layer = nn.Linear(16, 8, seed=3)
    W, b = layer.weights()
    assert np.abs(W).max() <= 0.25 and np.abs(b).max() <= 0.25 and np.abs(W).max() > 0.2
    assert np.array_equal(nn.Linear(16, 8, seed=3).weights()[0], W)
    assert nn.Linear(16, 8, bias=False).weights()[1] is None


# --- the losses under PyTorch's names: their own numbers, without torch -----------------------

def test_mse_loss_reduces_over_every_entry():
    out = [autograd.Value(1.0), autograd.Value(3.0)]
    assert nn.MSELoss()(out, [0.0, 0.0]).data == 5.0
    assert nn.MSELoss(reduction="sum")(out, [0.0, 0.0]).data == 10.0
    assert [c.data for c in nn.MSELoss(reduction="none")(out, [0.0, 1.0])] == [1.0, 4.0]
    batch = [[autograd.Value(1.0)], [autograd.Value(2.0)], [autograd.Value(4.0)]]
    assert math.isclose(nn.MSELoss()(batch, [[0.0], [0.0], [1.0]]).data, (1 + 4 + 9) / 3)
    assert nn.MSELoss()(autograd.Value(2.0), 1.0).data == 1.0
    with pytest.raises(ValueError, match="MSELoss: the input has 2 entries but the target has 3"):
        nn.MSELoss()(out, [0.0, 0.0, 0.0])
    with pytest.raises(ValueError, match="MSELoss reduction='avg'"):
        nn.MSELoss(reduction="avg")


def test_cross_entropy_loss_takes_logits_and_class_indices():
    z = [autograd.Value(2.0), autograd.Value(0.5), autograd.Value(-1.0)]
    lse = math.log(sum(math.exp(v.data) for v in z))
    assert math.isclose(nn.CrossEntropyLoss()(z, 1).data, lse - 0.5)
    assert math.isclose(nn.CrossEntropyLoss()(z, [0.0, 1.0, 0.0]).data, lse - 0.5)
    batch = [z, [autograd.Value(0.0), autograd.Value(0.0), autograd.Value(0.0)]]
    assert math.isclose(nn.CrossEntropyLoss()(batch, [0, 2]).data, ((lse - 2.0) + math.log(3)) / 2)
    assert math.isclose(nn.CrossEntropyLoss(reduction="sum")(batch, [0, 2]).data, (lse - 2.0) + math.log(3))
    with pytest.raises(IndexError, match="class index 3 is out of range for 3 classes"):  # as PyTorch's
        nn.CrossEntropyLoss()(z, 3)
    with pytest.raises(ValueError, match="a batch of 2 examples needs 2 targets"):
        nn.CrossEntropyLoss()(batch, [0])


def test_bce_with_logits_loss_is_stable_for_any_logit():
    loss = nn.BCEWithLogitsLoss()
    assert math.isclose(loss(autograd.Value(0.0), 1.0).data, math.log(2))
    assert loss(autograd.Value(800.0), 1.0).data == 0.0
    assert math.isclose(loss(autograd.Value(-800.0), 1.0).data, 800.0)
    with pytest.raises(ValueError, match=r"^BCEWithLogitsLoss: the target must be a probability in \[0, 1\]"):
        loss(autograd.Value(0.0), 1.5)


def test_fit_takes_the_pytorch_named_losses_and_refuses_another_reduction():
    X = np.array([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0], [0.0, 0.0]])
    y = np.array([1, 1, 0, 0])
    for loss, builtin, targets in ((nn.MSELoss(), nn.mse, y.astype(float)),
                                   (nn.BCEWithLogitsLoss(), nn.bce_with_logits, y),
                                   (nn.CrossEntropyLoss(), nn.cross_entropy, y)):
        nout = 2 if builtin is nn.cross_entropy else 1
        histories = []
        for chosen in (loss, builtin):
            model = nn.Sequential(nn.Linear(2, 4, seed=0), nn.Tanh(), nn.Linear(4, nout, seed=1))
            histories.append(nn.fit(model, X, targets, loss=chosen, epochs=3, lr=0.3, seed=0, progress=False))
        assert histories[0].loss == histories[1].loss
    with pytest.raises(ValueError, match="reduction='mean'"):
        nn.fit(nn.Linear(2, 1), X, y.astype(float), loss=nn.MSELoss(reduction="sum"), epochs=1, lr=0.1,
               progress=False)


# --- fit, the compiled path, predict, save/load with a Sequential ----------------------------

def moons():
    from nn.datasets import two_moons
    return two_moons(120, noise=0.1, seed=0)


@pytest.mark.parametrize("compiled", [False, True])
def test_fit_trains_a_sequential_exactly_as_its_twin_mlp(compiled):
    X, y = moons()
    mlp, seq = twin(2, [6, 1], "tanh", "linear", seed=1)
    runs = [nn.fit(m, X, y, loss=nn.bce_with_logits, epochs=4, lr=0.5, batch_size=16, seed=0, progress=False,
                   compiled=compiled) for m in (mlp, seq)]
    assert runs[0].loss == runs[1].loss
    assert [W.tolist() for W, _ in mlp.weights()] == [m.weights()[0].tolist() for m in seq if isinstance(m, nn.Linear)]
    assert np.array_equal(mlp.predict(X, compiled=compiled), seq.predict(X, compiled=compiled))


def test_the_compiled_path_serves_a_sequential_with_every_module():
    X, y = moons()
    seq = nn.Sequential(nn.Linear(2, 5, seed=0), nn.ReLU(), nn.Linear(5, 4, seed=1, bias=False),
                        nn.LinearActivation(0.5), nn.Linear(4, 3, seed=2), nn.Sigmoid(), nn.Linear(3, 2, seed=3))
    scalar = seq.predict(X, compiled=False)
    assert np.allclose(seq.predict(X, compiled=True), scalar, rtol=1e-12, atol=1e-14)
    history = nn.fit(seq, X, y, loss=nn.CrossEntropyLoss(), epochs=2, lr=0.1, progress=False, compiled=True)
    assert history.epochs == 2


def test_save_and_load_a_sequential(tmp_path):
    seq = nn.Sequential(OrderedDict(hidden=nn.Linear(3, 4, seed=0), act=nn.Step(0.25), scale=nn.LinearActivation(2.0),
                                    mid=nn.Linear(4, 3, bias=False, seed=1), sig=nn.Sigmoid(),
                                    out=nn.Linear(3, 3, seed=2), soft=nn.Softmax(dim=1)))
    nn.save(seq, tmp_path / "seq.json")
    loaded = nn.load(tmp_path / "seq.json")
    assert repr(loaded) == repr(seq) and loaded.state_dict() == seq.state_dict()
    x = [0.3, -0.2, 0.9]
    assert [a.data for a in loaded(x)] == [a.data for a in seq(x)]
    assert graph(loaded(x)[0]) == graph(seq(x)[0])


@pytest.mark.parametrize("tamper, message", [
    (lambda d: d["architecture"]["modules"][0].update(in_features=0), "in_features is 0"),
    (lambda d: d["architecture"]["modules"][1].update(type="Dropout"), "unknown type 'Dropout'"),
    (lambda d: d["architecture"]["modules"][1].update(k=2.0), "missing fields"),
    (lambda d: d["architecture"]["modules"][0].update(in_features=9, out_features=1, bias=False), "reads 3 inputs"),
    (lambda d: d["parameters"].pop("0.bias.0"), "has 13 parameters but the file holds 12"),
    (lambda d: d["parameters"].update({"0.bias.0": "x"}), "'0.bias.0' is 'x'"),
])
def test_a_bad_sequential_file_is_refused_naming_the_fault(tmp_path, tamper, message):
    import json
    seq = nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 1))
    nn.save(seq, tmp_path / "m.json")
    document = json.loads((tmp_path / "m.json").read_text())
    tamper(document)
    (tmp_path / "m.json").write_text(json.dumps(document))
    with pytest.raises(nn.ModelFileError, match=message):
        nn.load(tmp_path / "m.json")


def test_save_refuses_a_sequential_with_a_module_it_cannot_write(tmp_path):
    class Mine(nn.Module):
        def forward(self, a):
            return a

    with pytest.raises(TypeError, match="module '1' of the Sequential is a Mine"):
        nn.save(nn.Sequential(nn.Linear(2, 2), Mine()), tmp_path / "m.json")
    assert not (tmp_path / "m.json").exists()


def _tied_sequential():
    """One Linear placed twice (its weights tied) and one Tanh placed twice."""
    L, T = nn.Linear(3, 3, seed=0), nn.Tanh()
    return nn.Sequential(L, T, L, T, nn.Linear(3, 1, seed=1))


def test_a_module_placed_twice_saves_once_and_loads_tied(tmp_path):
    import json
    seq = _tied_sequential()
    nn.save(seq, tmp_path / "tied.json")
    document = json.loads((tmp_path / "tied.json").read_text())
    assert document["version"] == 2
    assert document["architecture"]["modules"][2:4] == [{"name": "2", "same_as": "0"}, {"name": "3", "same_as": "1"}]
    assert len(document["parameters"]) == 16
    loaded = nn.load(tmp_path / "tied.json")
    assert loaded[0] is loaded[2] and loaded[1] is loaded[3] and loaded[0] is not loaded[4]
    assert repr(loaded) == repr(seq) and loaded.state_dict() == seq.state_dict()
    X = np.random.default_rng(0).normal(size=(5, 3))
    assert np.array_equal(loaded.predict(X), seq.predict(X))
    x = [0.3, -0.2, 0.9]
    assert graph(loaded(x)) == graph(seq(x))


def test_a_sequential_without_a_module_placed_twice_is_still_written_as_version_1(tmp_path):
    import json
    nn.save(nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 1)), tmp_path / "m.json")
    assert json.loads((tmp_path / "m.json").read_text())["version"] == 1


@pytest.mark.parametrize("tamper, message", [
    (lambda d: d.update(version=1), "module 2 has 'same_as', which format version 1 does not have"),
    (lambda d: d.update(version=3), "version 3 is not supported; this tracegrad reads versions 1 to 2"),
    (lambda d: d["architecture"]["modules"][2].update(same_as="4"), "same as '4', which names no module placed before it"),
    (lambda d: d["architecture"]["modules"][2].update(same_as="2"), "same as '2', which names no module placed before it"),
    (lambda d: d["architecture"]["modules"][3].update(same_as="2"), "same as '2', which names no module placed before it"),
    (lambda d: d["architecture"]["modules"][2].update(same_as=None), "same as None"),
    (lambda d: d["architecture"]["modules"][2].update(type="Linear"), r"module 2 \(same_as\) has .*unexpected fields \['type'\]"),
    (lambda d: d["architecture"]["modules"][2].pop("name"), r"module 2 \(same_as\) has missing fields \['name'\]"),
    (lambda d: d["architecture"]["modules"].__setitem__(2, dict(d["architecture"]["modules"][0], name="2")),
     "has 28 parameters but the file holds 16"),  # untied: a new Linear, with no parameters of its own
])
def test_a_tampered_tie_is_refused_naming_the_module(tmp_path, tamper, message):
    import json
    seq = _tied_sequential()
    nn.save(seq, tmp_path / "m.json")
    document = json.loads((tmp_path / "m.json").read_text())
    tamper(document)
    (tmp_path / "m.json").write_text(json.dumps(document))
    before = seq.state_dict()
    with pytest.raises(nn.ModelFileError, match=message):
        nn.load(tmp_path / "m.json")
    assert seq.state_dict() == before


def test_save_refuses_a_weight_tied_by_hand_between_two_modules(tmp_path):
    first, second = nn.Linear(2, 2, seed=0), nn.Linear(2, 2, seed=1)
    second.weight[0][0] = first.weight[0][0]
    with pytest.raises(ValueError, match="parameters '0.weight.0.0' and '2.weight.0.0' of the Sequential are one Value"):
        nn.save(nn.Sequential(first, nn.Tanh(), second), tmp_path / "m.json")
    assert not (tmp_path / "m.json").exists()


def test_a_slice_is_a_sequential_sharing_the_modules_and_their_labels():
    seq = nn.Sequential(nn.Linear(4, 2), nn.Sigmoid(), nn.Linear(2, 3), nn.Sigmoid(), nn.Linear(3, 1))
    first, rest = seq[:2], seq[2:]
    assert isinstance(first, nn.Sequential) and first[0] is seq[0] and (first.nin, first.nout) == (4, 2)
    hidden = first([0.1, 0.2, 0.3, 0.4])
    assert [a.label for a in hidden] == ["a(2)_1", "a(2)_2"]
    assert rest(hidden).label == "z(4)_1"  # labels kept: still the whole network's layer 4
    assert rest(hidden).data == seq([0.1, 0.2, 0.3, 0.4]).data
    with pytest.raises(IndexError, match="no modules"):
        seq[5:]


def test_importing_the_packages_does_not_import_torch():
    import subprocess
    import sys
    code = ("import sys, autograd, nn, viz; m = nn.Sequential(nn.Linear(2, 2), nn.ReLU()); m([1.0, 2.0]); "
            "nn.torch_state_dict(m); print('torch' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_without_torch_the_bridge_says_how_to_install_it():
    import subprocess
    import sys
    code = ("import sys; sys.modules['torch'] = None\n"  # what an absent torch looks like to import
            "import nn\n"
            "try:\n    nn.to_torch(nn.Linear(2, 2))\nexcept ImportError as error:\n    print(error)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "pip install 'tracegrad[torch]'" in result.stdout


def test_load_state_dict_given_pytorchs_names_points_to_load_torch_state_dict():
    model = nn.Sequential(nn.Linear(2, 2), nn.Tanh(), nn.Linear(2, 1))
    before = model.state_dict()
    with pytest.raises(nn.StateDictError, match="loads with nn.load_torch_state_dict"):
        model.load_state_dict(nn.torch_state_dict(model))
    assert model.state_dict() == before
    nn.load_torch_state_dict(model, nn.torch_state_dict(model))
    assert model.state_dict() == before


@pytest.mark.parametrize("compiled", [False, True])
def test_a_linear_alone_is_linear_regression_under_fit(compiled):
    """Note 001's neuron with identity activation: nn.Linear(3, 1) trained by fit finds OLS's weights."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(50, 3))
    y = X @ np.array([1.5, -2.0, 0.5]) + 0.3
    model = nn.Linear(3, 1, seed=0)
    nn.fit(model, X, y, loss=nn.MSELoss(), epochs=300, lr=0.1, progress=False, compiled=compiled)
    W, b = model.weights()
    assert np.allclose(W[0], [1.5, -2.0, 0.5], atol=1e-6) and abs(b[0] - 0.3) < 1e-6
    assert np.allclose(model.predict(X), y, atol=1e-5)


# --- a Sequential inside a Sequential, and modules of one's own in one ---------------------------

def test_a_sequential_inside_a_sequential_numbers_its_linears_as_the_notes_layers():
    inner = nn.Sequential(nn.Linear(2, 4, seed=0), nn.ReLU())
    model = nn.Sequential(inner, nn.Linear(4, 3, seed=1), nn.Sequential(nn.Tanh(), nn.Linear(3, 1, seed=2)))
    assert [model[0][0].weight[0][0].label, model[1].weight[0][0].label, model[2][1].bias[0].label] \
        == ["w(2)_1,1", "w(3)_1,1", "b(4)_1"]
    out = model([0.5, -0.2])
    assert out.label == "z(4)_1" and [p.label for p in out.parents][3:] == ["a(3)_1", "a(3)_2", "a(3)_3", "b(4)_1"]
    assert model[1]([0.1, 0.2, 0.3, 0.4])[0].parents[-1].label == "b(3)_1"  # z(3) reads a(2), not a(3)
    assert [act.name for act in model.activations] == ["relu", "tanh", "linear"]
    assert (model.nin, model.nout) == (2, 1)



class _Scale(nn.Module):
    """A module of one's own that is no activation: it keeps the width."""

    def forward(self, a):
        return [2.0 * ak for ak in a]


@pytest.mark.parametrize("between", [nn.Identity, nn.LinearActivation, _Scale])
def test_activations_pass_over_an_identity_or_a_module_of_ones_own_before_the_activation(between):
    model = nn.Sequential(nn.Linear(2, 3, seed=0), between(), nn.Tanh(), nn.Linear(3, 2, seed=1),
                          nn.Sequential(between(), nn.Softmax()))
    assert [act.name for act in model.activations] == ["tanh", "softmax"]
    steps = nn.Sequential(nn.Linear(2, 3, seed=0), between(), nn.Step(0.5), nn.Linear(3, 1, seed=1), between())
    assert [act.describe() for act in steps.activations] == ["step(k=0.5)", "linear"]
    # what fit reads them for: the warnings about a softmax before cross entropy, and a step
    X, y = [[0.1, 0.2], [0.3, -0.4]], [0, 1]
    with pytest.warns(nn.OutputLossMismatchWarning, match="already a softmax"):
        nn.fit(model, X, y, loss=nn.CrossEntropyLoss(), epochs=1, lr=0.1, progress=False)
    with pytest.warns(nn.StepActivationWarning, match="cannot learn"):
        nn.fit(steps, X, y, loss=nn.BCEWithLogitsLoss(), epochs=1, lr=0.1, progress=False)

def test_a_nested_module_prints_its_lines_indented():
    model = nn.Sequential(nn.Sequential(nn.Linear(2, 4), nn.ReLU()), nn.Linear(4, 1))
    assert repr(model).splitlines() == [
        "Sequential(17 parameters)(",
        "  (0): Sequential(12 parameters)(",
        "    (0): Linear(in_features=2, out_features=4, bias=True)  # 12 parameters",
        "    (1): ReLU()",
        "  )",
        "  (1): Linear(in_features=4, out_features=1, bias=True)  # 5 parameters",
        ")"]


class SumPool(nn.Module):
    """One output, the sum of a layer's: a module of one's own that changes the width."""

    def forward(self, a):
        return autograd.sum(a)


def test_a_module_of_ones_own_that_changes_the_width_is_named_and_trains_once_it_declares_it():
    X, y = np.array([[0.1, 0.2], [0.3, -0.1], [0.0, 1.0], [1.0, 1.0]]), np.array([0.0, 1.0, 1.0, 0.0])
    model = nn.Sequential(nn.Linear(2, 3, seed=0), nn.Tanh(), SumPool())
    assert model.nout == 3  # SumPool declares none: taken to keep the width, as an activation
    with pytest.raises(ValueError, match=r"prediction has 3 outputs .*module '2' \(SumPool\) declares no nout, "
                                         r"so the Sequential's nout 3 is the width before it; if SumPool changes "
                                         r"it, set self.nout"):
        nn.fit(model, X, y, loss=nn.MSELoss(), epochs=2, lr=0.1, progress=False)
    with pytest.raises(ValueError, match=r"module '2' \(SumPool\) declares no nout.*: it gave 1 outputs"):
        model([0.1, 0.2])
    declared = SumPool()
    declared.nout = 1
    model = nn.Sequential(nn.Linear(2, 3, seed=0), nn.Tanh(), declared)
    history = nn.fit(model, X, y, loss=nn.MSELoss(), epochs=2, lr=0.1, progress=False)
    assert model.nout == 1 and len(history.loss) == 2 and model.predict(X).shape == (4,)
    assert nn.Sequential(nn.Linear(2, 3), nn.Sequential(nn.ReLU())).nout == 3  # activations keep the width


class Noise(nn.Module):
    """A dropout-like module of one's own, with its own random numbers and no declared size."""

    def __init__(self):
        self.rng = np.random.default_rng(0)

    def forward(self, a):
        return [v * float(self.rng.uniform(0.9, 1.1)) for v in a]


def test_the_width_is_never_counted_by_running_the_model():
    # Counting on an example of zeros drew from a module's random numbers (another fit) and
    # failed on a module that cannot take zeros (a / |a|).
    class UnitNorm(nn.Module):
        def forward(self, a):
            norm = autograd.sum([v * v for v in a]).sqrt()
            return [v / norm for v in a]

    model = nn.Sequential(nn.Linear(2, 2, seed=0), Noise())
    state = model[1].rng.bit_generator.state
    assert model.nout == 2 and model[1].rng.bit_generator.state == state
    X, y = np.array([[0.1, 0.2], [0.3, -0.1]]), np.array([[0.0, 1.0], [1.0, 0.0]])
    assert len(nn.fit(nn.Sequential(nn.Linear(2, 2, bias=False, seed=0), UnitNorm()), X, y, loss=nn.MSELoss(),
                      epochs=2, lr=0.1, progress=False).loss) == 2


def test_a_linear_after_a_module_of_ones_own_is_checked_when_called():
    with pytest.raises(ValueError, match=r"module '2', Linear\(in_features=3.*reads 3 inputs, but the module "
                                         r"before it gave 1 outputs"):
        nn.Sequential(nn.Linear(2, 3), SumPool(), nn.Linear(3, 1))([0.1, 0.2])


@pytest.mark.parametrize("loss", [nn.MSELoss(), nn.BCEWithLogitsLoss(), nn.BCELoss()], ids=lambda l: type(l).__name__)
def test_an_elementwise_loss_refuses_a_target_of_another_shape_as_torch_does(loss):
    # Paired by flattened order alone, a (1, 2) input met a (2, 1) target without a word.
    values = [[autograd.Value(0.3), autograd.Value(0.2)]]
    with pytest.raises(ValueError, match=r"input has shape \(1, 2\) but the target has shape \(2, 1\)"):
        loss(values, [[1.0], [0.0]])
    with pytest.raises(ValueError, match=r"shape \(2, 3\) but the target has shape \(3, 2\)"):
        loss([[autograd.Value(0.5)] * 3] * 2, [[1.0, 0.0]] * 3)
    column = [[autograd.Value(0.3)], [autograd.Value(0.6)]]
    assert loss(column, [1.0, 0.0]).data == loss(column, [[1.0], [0.0]]).data  # (N, 1) against (N,)


@pytest.mark.parametrize("make", [lambda: nn.CrossEntropyLoss(weight=[1.0, 2.0]),
                                  lambda: nn.BCEWithLogitsLoss(pos_weight=[3.0]),
                                  lambda: nn.CrossEntropyLoss(label_smoothing=0.1, ignore_index=-100)])
def test_a_torch_loss_option_that_is_not_offered_is_named_with_its_class(make):
    with pytest.raises(TypeError, match=r"^(CrossEntropyLoss|BCEWithLogitsLoss): .* not supported here; "
                                        r"it takes only reduction="):
        make()



def test_a_torch_loss_takes_torchs_other_arguments_at_their_defaults_and_names_the_one_that_is_not():
    # code written for torch often spells out the defaults: no weighting, no smoothing, is the loss itself
    spelled_out = [nn.CrossEntropyLoss(weight=None, size_average=None, ignore_index=-100, reduce=None,
                                       reduction="sum", label_smoothing=0.0),
                   nn.BCEWithLogitsLoss(weight=None, pos_weight=None), nn.BCELoss(weight=None), nn.MSELoss(reduce=None)]
    assert [repr(loss) for loss in spelled_out] == [
        "CrossEntropyLoss(reduction='sum')", "BCEWithLogitsLoss(reduction='mean')", "BCELoss(reduction='mean')",
        "MSELoss(reduction='mean')"]
    z = [autograd.Value(0.5), autograd.Value(-1.0)]
    assert spelled_out[0](z, 1).data == nn.CrossEntropyLoss(reduction="sum")(z, 1).data
    for make, shown in [(lambda: nn.CrossEntropyLoss(label_smoothing=0.1), "label_smoothing=0.1"),
                        (lambda: nn.CrossEntropyLoss(ignore_index=0), "ignore_index=0"),
                        (lambda: nn.CrossEntropyLoss(pos_weight=None), "pos_weight=None"),  # not torch's either
                        (lambda: nn.MSELoss(weight=None), "weight=None")]:
        with pytest.raises(TypeError, match=rf"^\w+Loss: {shown} not supported here; .*at their defaults$"):
            make()

# --- parameters(): listed directly, as Module.parameters lists them ---------------------------

class _Scaled(nn.Module):
    """A module of the user's own: a Value before and after a back-reference (set later) and a
    Linear it shares with the Sequential around it."""

    def __init__(self, shared):
        self.owner = None  # first in attribute order; a back-reference to the Sequential, set later
        self.k = autograd.Value(2.0)
        self.inner = shared
        self.c = autograd.Value(0.5)

    def forward(self, a):
        return [z * self.k + self.c for z in self.inner.forward(a)]


class _Extra(nn.Linear):
    """A Linear that walks one more Value of its own: only Module's walk lists it."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.gain = autograd.Value(1.0)

    def _children(self):
        return super()._children() + [("gain", self.gain)]


def _models_with_shared_and_custom_modules():
    plain = nn.Sequential(nn.Linear(3, 4, seed=0), nn.Tanh(), nn.Linear(4, 2, seed=1))
    twice = nn.Linear(3, 3, seed=2)
    placed_twice = nn.Sequential(twice, nn.ReLU(), twice, nn.Sigmoid())
    tied = nn.Sequential(nn.Linear(3, 4, seed=3), nn.ReLU(), nn.Linear(4, 2, seed=4))
    tied[2].weight[1][0] = tied[0].weight[0][1]  # a weight shared across layers
    tied[0].bias[2] = tied[0].weight[1][1]  # and within one
    block = nn.Sequential(nn.Linear(3, 3, seed=5), nn.Tanh())
    nested = nn.Sequential(block, nn.Sequential(nn.Linear(3, 3, seed=6), block), nn.Linear(3, 1, seed=7))
    shared = nn.Linear(3, 3, seed=8)
    scaled = _Scaled(shared)
    custom = nn.Sequential(nn.Linear(3, 3, seed=9), scaled, nn.Tanh(), shared, _Extra(3, 2, seed=10))
    scaled.owner = custom
    lone = nn.Linear(2, 3, seed=11)
    lone.weight[2][0] = lone.weight[0][1]
    return [plain, placed_twice, tied, nested, custom, custom[1:], lone, _Extra(2, 2, seed=12)]


@pytest.mark.parametrize("model", _models_with_shared_and_custom_modules(), ids=lambda m: type(m).__name__)
def test_sequential_and_linear_parameters_are_the_module_walks_own(model):
    # The same Values in the same order as Module.parameters (named_parameters): a module placed
    # twice walked once, a tied Value listed once where first met, a module of one's own walked
    # as Module walks it (its back-reference to the Sequential skipped), a subclass's own walk.
    listed = model.parameters()
    assert isinstance(listed, nn.module.Parameters)
    assert [id(p) for p in listed] == [id(p) for p in nn.Module.parameters(model)]
    assert next(listed) is listed[0]


def test_sequential_and_linear_list_their_parameters_without_naming_them(monkeypatch):
    # parameters(), zero_grad() and requires_grad_() were Module's walk, a name built for every
    # Value (30x an MLP's time at 784-100-10); now the modules list them directly.
    model = nn.Sequential(nn.Linear(4, 3, seed=0), nn.ReLU(), nn.Linear(3, 2, seed=1), nn.Softmax())
    expected = [id(p) for p in model.parameters()]

    def naming(self, prefix=""):
        raise AssertionError("named_parameters called")

    monkeypatch.setattr(nn.Module, "named_parameters", naming)
    assert [id(p) for p in model.parameters()] == expected
    assert len(model[0].parameters()) == 15
    for p in model.parameters():
        p.grad = 1.0
    model.zero_grad()
    assert model.requires_grad_(False) is model
    assert all(p.grad == 0.0 and not p.requires_grad for p in model.parameters())


@pytest.mark.parametrize("nout, error", [("four", TypeError), (4.0, TypeError), (0, ValueError), (-1, ValueError)])
def test_a_declared_size_that_is_no_count_is_named(nout, error):
    # "four" or 4.0 was taken for no size (and the error then said to declare one); 0 and -1 were kept.
    pool = SumPool()
    pool.nout = nout
    with pytest.raises(error, match=r"Sequential: module '1' \(SumPool\) nout: expected an int"):
        nn.Sequential(nn.Linear(2, 3), pool)


def test_a_sequential_index_out_of_range_says_how_many_modules_it_holds():
    with pytest.raises(IndexError, match=r"Sequential\[5\]: it holds 2 modules \(0 to 1\)"):
        nn.Sequential(nn.Linear(2, 2), nn.Tanh())[5]


def _named_sequential():
    return nn.Sequential(OrderedDict(fc1=nn.Linear(2, 3, seed=0), act=nn.Tanh(), fc2=nn.Linear(3, 1, seed=1)))


def test_a_modules_name_is_an_attribute_of_the_sequential_as_in_torch():
    import copy
    import pickle
    model = _named_sequential()
    assert model.fc1 is model["fc1"] is model[0] and model.act is model[1] and model.fc2 is model[2]
    assert getattr(nn.Sequential(nn.Linear(2, 1)), "0") is not None  # unnamed: named by place, as torch's
    assert {"fc1", "act", "fc2"} <= set(dir(model))
    with pytest.raises(AttributeError, match=r"no attribute 'fc3' \(its modules are named 'fc1', 'act', 'fc2'\)"):
        model.fc3
    assert not hasattr(model, "fc3")
    for clone in (copy.deepcopy(model), pickle.loads(pickle.dumps(model))):  # no lookup loop on a bare instance
        assert clone.fc1 is not model.fc1 and clone.fc1.weights()[0].tolist() == model.fc1.weights()[0].tolist()


def test_append_adds_a_module_named_by_its_place_and_builds_what_the_whole_sequential_builds():
    model = _named_sequential()
    assert model.append(nn.Tanh()).append(nn.Linear(1, 2, seed=2)) is model
    whole = nn.Sequential(OrderedDict(fc1=model[0], act=model[1], fc2=model[2], **{"3": model[3]},
                                      **{"4": nn.Linear(1, 2, seed=2)}))
    assert [name for name, _ in model.named_children()] == ["fc1", "act", "fc2", "3", "4"]
    assert list(model.state_dict()) == list(whole.state_dict()) and (model.nin, model.nout) == (2, 2)
    assert getattr(model, "4") is model[4] and len(model) == 5 and model.activations[-1].name == "linear"
    outs = model([0.3, -0.7])
    assert graph(autograd.sum(outs)) == graph(autograd.sum(whole([0.3, -0.7])))  # labels z(5)_j included
    assert [z.label for z in outs] == ["z(4)_1", "z(4)_2"]


@pytest.mark.parametrize("module, error, message", [
    (nn.Linear(2, 1), ValueError, r"module '3', Linear\(in_features=2.*reads 2 inputs, but the module before it gives 1"),
    ("relu", TypeError, r"module '3' is str 'relu', expected an nn module"),
])
def test_append_refuses_what_the_sequential_refuses_and_leaves_it_as_it_was(module, error, message):
    model = _named_sequential()
    with pytest.raises(error, match=message):
        model.append(module)
    assert len(model) == 3 and (model.nin, model.nout) == (2, 1) and model([0.1, 0.2]).label == "z(3)_1"


def test_append_refuses_a_place_whose_name_is_taken():
    model = nn.Sequential(OrderedDict(**{"2": nn.Linear(2, 2)}, act=nn.ReLU()))  # torch's would replace "2"
    with pytest.raises(ValueError, match=r"^Sequential.append: the name '2' it would get is taken by module Linear"):
        model.append(nn.Tanh())
    assert len(model) == 2


@pytest.mark.parametrize("make", [nn.MSELoss, nn.BCELoss, nn.BCEWithLogitsLoss])
def test_an_elementwise_loss_names_a_target_that_is_no_numbers_instead_of_miscounting_it(make):
    outs = [[autograd.Value(0.5), autograd.Value(0.25)]]
    with pytest.raises(TypeError, match=rf"^{make.__name__} target: expected numbers .* got dict"):
        make()(outs, {"y": [1.0, 0.0]})
    with pytest.raises(TypeError, match=rf"^{make.__name__} input: expected Values .* got set"):
        make()({0.5, 0.25}, [1.0, 0.0])


@pytest.mark.parametrize("make, outputs, target, error, message", [
    (nn.CrossEntropyLoss, [autograd.Value(0.1), autograd.Value(0.2)], 2, IndexError,
     r"CrossEntropyLoss: class index 2 is out of range for 2 classes \(expected 0 to 1\)"),
    (nn.CrossEntropyLoss, [[autograd.Value(0.1), autograd.Value(0.2)]] * 2, [0, -1], IndexError,
     r"CrossEntropyLoss: class index -1 "),
    (nn.CrossEntropyLoss, [autograd.Value(0.1), autograd.Value(0.2)], 1.5, ValueError,
     r"CrossEntropyLoss: a class index must be a whole number, got 1\.5$"),
    (nn.MSELoss, autograd.Value(0.5), math.nan, ValueError, r"MSELoss: target: expected a finite number, got nan"),
    (nn.BCELoss, autograd.Value(0.5), 2.0, ValueError, r"BCELoss: the target must be a probability in \[0, 1\]"),
    (nn.BCEWithLogitsLoss, autograd.Value(0.5), True, TypeError, r"BCEWithLogitsLoss: target: expected a real number"),
], ids=["class out of range", "in a batch", "not whole", "mse nan", "bce 2", "bce_with_logits bool"])
def test_a_torch_named_loss_names_itself_in_the_errors_of_its_target(make, outputs, target, error, message):
    # The target was checked under nn's own loss's name: "cross_entropy: class index 2 ...",
    # a name the caller of nn.CrossEntropyLoss never wrote.
    with pytest.raises(error, match="^" + message):
        make()(outputs, target)


@pytest.mark.parametrize("dim", [True, None, "x", 1.0, np.float64(-1.0)])
def test_softmax_dim_of_another_type_than_int_is_a_type_error(dim):
    # torch.nn.Softmax(dim=1.0) fails at its first call: "argument 'dim' must be int, not float"
    with pytest.raises(TypeError, match=r"Softmax dim: expected an int \(-1, or 1\)"):
        nn.Softmax(dim=dim)
    with pytest.raises(ValueError, match="Softmax dim=2"):
        nn.Softmax(dim=2)
    assert nn.Softmax(dim=np.int64(1)).dim == 1 and type(nn.Softmax(dim=np.int64(1)).dim) is int


@pytest.mark.parametrize("layer, error", [("x", TypeError), (2.5, TypeError), (True, TypeError),
                                           (0, ValueError), (-1, ValueError)])
def test_linear_layer_must_be_a_layer_number(layer, error):
    # it only labels the nodes, but layer="x" labelled them w(x)_1,1, which names no layer
    with pytest.raises(error, match=r"Linear layer: expected an int >= 1 \(or None: unnumbered\)"):
        nn.Linear(2, 1, layer=layer)
    assert [p.label for p in nn.Linear(2, 1, layer=3).parameters()] == ["w(3)_1,1", "w(3)_1,2", "b(3)_1"]
    assert [p.label for p in nn.Linear(2, 1).parameters()] == ["w_1,1", "w_1,2", "b_1"]


def test_a_refused_change_of_a_sequentials_modules_names_the_culprit_and_leaves_it_as_it_was():
    model = nn.Sequential(nn.Linear(2, 3, seed=0), nn.Tanh(), nn.Linear(3, 1, seed=1))
    before = (repr(model), model.state_dict(), [m for m in model])
    changes = [
        (lambda: model.__setitem__(2, nn.Linear(4, 1)), ValueError, r"module '2', Linear\(in_features=4.*reads 4 "
                                                                    r"inputs, but the module before it gives 3"),
        (lambda: model.__setitem__(3, nn.ReLU()), IndexError, r"Sequential\[3\]: it holds 3 modules \(0 to 2\)"),
        (lambda: model.__setitem__(1, "tanh"), TypeError, r"module '1' is str 'tanh', expected an nn module"),
        (lambda: model.insert(0, nn.Linear(4, 3)), ValueError, r"module '1', Linear\(in_features=2.*reads 2 inputs"),
        (lambda: model.insert(4, nn.ReLU()), IndexError, r"Sequential.insert: index 4 is out of range for 3 modules"),
        (lambda: model.__delitem__(slice(None)), ValueError, r"would leave no module"),
        (lambda: model.pop(-4), IndexError, r"Sequential\[-4\]: it holds 3 modules"),
        (lambda: model.extend([nn.ReLU(), nn.Linear(2, 1)]), ValueError, r"module '4', Linear\(in_features=2.*reads 2 "
                                                                         r"inputs, but the module before it gives 1"),
        (lambda: model.extend([nn.ReLU(), "relu"]), TypeError, r"module '4' is str 'relu'"),
        (lambda: model[1.0], TypeError, r"Sequential\[1\.0\]: expected an int, a slice or a module's name, got float"),
        (lambda: model["fc1"], KeyError, r"Sequential\['fc1'\]: no module of that name; its modules are named '0', "
                                         r"'1', '2'"),
        (lambda: nn.Sequential(OrderedDict(fc=nn.Linear(2, 2), act=nn.ReLU())).insert(0, nn.ReLU()), ValueError,
         r"Sequential.insert: .* module 'fc' has a name of its own"),
    ]
    for change, error, message in changes:
        with pytest.raises(error, match=message):
            change()
        assert (repr(model), model.state_dict(), [m for m in model]) == before
    assert model[-1] is model[2] and model[np.int64(0)] is model[0]
    model[0] = nn.Linear(5, 3, seed=2)  # the first module may read another number of inputs, as in torch
    assert model.nin == 5 and model[0].weight[0][0].label == "w(2)_1,1"
    assert model.pop(1).activation.name == "tanh" and [name for name, _ in model.named_children()] == ["0", "1"]
    assert model.insert(1, nn.Sigmoid()) is model and model.activations[0].name == "sigmoid"


def _layers(model):
    return [p.label for p in model.parameters() if p.label.startswith("b")]


def test_changing_a_slice_leaves_the_models_labels_as_they_were():
    # a slice shares the model's modules (torch's); its del, insert, [i] =, extend, pop and
    # append renumbered them from layer 2, so the model's Linears took the part's numbers
    model = nn.Sequential(nn.Linear(2, 3, seed=0), nn.Tanh(), nn.Linear(3, 3, seed=1), nn.Tanh(),
                          nn.Linear(3, 1, seed=2))
    before = _layers(model)
    # a slice keeps the model's names ('1', '2'), so an insert or append waits for a del,
    # which names the modules by place (torch's)
    changes = [lambda part: part.__delitem__(0), lambda part: part.insert(0, nn.ReLU()),
               lambda part: part.__setitem__(0, nn.Sigmoid()), lambda part: part.extend([nn.ReLU()]),
               lambda part: part.append(nn.ReLU()), lambda part: part.pop(0)]
    part = model[1:3]
    for change in changes:
        change(part)
        assert _layers(model) == before and model([0.5, -0.2]).label == "z(4)_1"
    assert _layers(part) == ["b(3)_1", "b(3)_2", "b(3)_3"]
    part = model[2:]
    del part[0]  # part is Tanh, Linear: the model's layer 4, still labelled so
    assert part[1].bias[0].label == "b(4)_1" and _layers(model) == before
    part.append(nn.Linear(1, 2, seed=3))  # a new Linear in a part: after the part's last layer
    assert part[2].bias[0].label == "b(5)_1" and _layers(model) == before
    part[2] = nn.Linear(1, 2, seed=4)  # in place of a Linear: its layer number
    assert part[2].bias[0].label == "b(5)_1"


def test_changing_a_sequential_inside_a_model_keeps_the_models_layer_numbers():
    model = nn.Sequential(nn.Linear(2, 4, seed=0), nn.Tanh(), nn.Sequential(nn.Linear(4, 4, seed=1), nn.Tanh()),
                          nn.Linear(4, 2, seed=2))
    model[2][0] = nn.Linear(4, 4, seed=5)  # renumbered the inner one from 2: two layers 2 in the model
    assert _layers(model) == ["b(2)_1", "b(2)_2", "b(2)_3", "b(2)_4", "b(3)_1", "b(3)_2", "b(3)_3", "b(3)_4",
                              "b(4)_1", "b(4)_2"]
    del model[0:2]  # a change of the model itself numbers every Linear in it, the inner ones too
    assert _layers(model) == ["b(2)_1", "b(2)_2", "b(2)_3", "b(2)_4", "b(3)_1", "b(3)_2"]
    # a new Sequential of the slice's modules is a model of its own: numbered from 2, as built
    assert nn.Sequential(nn.Linear(2, 1, seed=0)).append(nn.Linear(1, 1, seed=1))[1].bias[0].label == "b(3)_1"


@pytest.mark.parametrize("squashes", [[nn.Tanh(), nn.Softmax()], [nn.Sigmoid(), nn.Identity(), nn.Softmax()]])
def test_a_layer_with_two_activations_is_the_last_ones_and_fit_warns_of_a_softmax_before_cross_entropy(squashes):
    # activations kept the first (tanh), so fit missed that the loss reads softmax outputs
    model = nn.Sequential(nn.Linear(2, 3, seed=0), nn.ReLU(), nn.Linear(3, 2, seed=1), *squashes)
    assert [act.name for act in model.activations] == ["relu", "softmax"]
    X, y = [[0.1, 0.2], [0.3, -0.4]], [0, 1]
    with pytest.warns(nn.OutputLossMismatchWarning, match="already a softmax"):
        nn.fit(model, X, y, loss=nn.CrossEntropyLoss(), epochs=1, lr=0.1, progress=False)
    with pytest.warns(nn.OutputLossMismatchWarning, match="already a softmax"):
        nn.fit(model, X, y, loss=nn.cross_entropy, epochs=1, lr=0.1, progress=False)


def test_a_step_anywhere_in_a_layer_stops_the_gradient_and_fit_says_so():
    model = nn.Sequential(nn.Linear(2, 3, seed=0), nn.Step(), nn.Sigmoid(), nn.Linear(3, 1, seed=1))
    assert [act.name for act in model.activations] == ["sigmoid", "linear"]
    with pytest.warns(nn.StepActivationWarning, match=r"step activation \(step"):
        nn.fit(model, [[0.1, 0.2], [0.3, -0.4]], [0, 1], loss=nn.BCEWithLogitsLoss(), epochs=1, lr=0.1,
               progress=False)


@pytest.mark.parametrize("change", [
    lambda inner: inner.append(nn.Linear(4, 4, seed=5)), lambda inner: inner.insert(0, nn.Linear(4, 4, seed=5)),
    lambda inner: inner.extend([nn.ReLU(), nn.Linear(4, 4, seed=5)]), lambda inner: inner.__delitem__(0),
    lambda inner: inner.pop(1), lambda inner: inner.__setitem__(1, nn.Linear(4, 4, seed=5))],
    ids=["append", "insert", "extend", "del", "pop", "setitem"])
def test_a_change_to_a_sequential_inside_a_model_numbers_the_models_layers_in_order_each_once(change):
    # a new Linear in the inner part took the part's next number, which the model's next Linear
    # had too (two layers 4); a del left a gap (layers 2, 4, 5)
    model = nn.Sequential(nn.Linear(2, 4, seed=0), nn.Tanh(),
                          nn.Sequential(nn.Linear(4, 4, seed=1), nn.Linear(4, 4, seed=2)), nn.Linear(4, 1, seed=3))
    change(model[2])
    linears = [module for module in model.modules() if isinstance(module, nn.Linear)]
    layers = [f"b({l})_1" for l in range(2, len(linears) + 2)]
    assert [p.label for p in model.parameters() if p.label.endswith("_1") and p.label.startswith("b")] == layers
    assert model([0.5, -0.2]).label == f"z({len(linears) + 1})_1"
    assert [linear.bias[0].label for linear in linears] == layers


def test_a_sequentials_nout_set_by_hand_declares_a_width_its_modules_leave_unknown_and_no_other():
    # model.nout = 5 on Linear(2, 3) was kept: fit checked targets against 5, the forward gave 3
    model = nn.Sequential(nn.Linear(2, 3, seed=0), SumPool())
    model.nout = 1
    assert model.nout == 1 and model([0.1, 0.2]).op
    with pytest.raises(ValueError, match=r"Sequential nout: its modules declare 3 outputs, not 5"):
        nn.Sequential(nn.Linear(2, 3, seed=0), nn.Tanh()).nout = 5
    model.append(nn.Linear(1, 2, seed=1))
    assert model.nout == 2 and len(model([0.1, 0.2])) == 2


def test_a_deeply_nested_sequential_works_out_its_sizes_once_per_level_and_not_again_per_forward(monkeypatch):
    import nn.torchlike as torchlike
    model = nn.Sequential(nn.Linear(2, 3, seed=0), nn.Tanh(), nn.Linear(3, 1, seed=1))
    for _ in range(12):
        model = nn.Sequential(model, nn.Identity())
    calls = []
    original = torchlike._sizes
    monkeypatch.setattr(torchlike, "_sizes", lambda named: calls.append(1) or original(named))
    torchlike._changed()  # as after any change: everything is worked out again
    model([0.5, -0.5])
    assert len(calls) <= 13  # once per level (it was 2 ** 12 walks, doubling with each level)
    calls.clear()
    model([0.5, -0.5])
    assert model.nout == 1 and calls == []  # nothing changed since: nothing to work out


def test_a_sequential_taken_out_of_a_model_numbers_its_own_layers_again():
    inner = nn.Sequential(nn.Linear(3, 3, seed=1), nn.Tanh())
    model = nn.Sequential(nn.Linear(2, 3, seed=0), nn.Tanh(), inner, nn.Linear(3, 1, seed=2))
    assert inner[0].weight[0][0].label == "w(3)_1,1"
    del model[2]
    inner([0.1, 0.2, 0.3])
    assert inner[0].weight[0][0].label == "w(2)_1,1"  # a model of its own: its first layer is 2
    inner.append(nn.Linear(3, 2, seed=3))
    assert inner[2].weight[0][0].label == "w(3)_1,1"
    assert [linear.weight[0][0].label for linear in (model[0], model[2])] == ["w(2)_1,1", "w(3)_1,1"]


def test_relu_takes_torchs_inplace_flag():
    # torch code writes nn.ReLU(inplace=True): it was "ActivationModule.__init__() got an
    # unexpected keyword argument 'inplace'", and ReLU(True) "takes no constant k"
    plain = nn.Sequential(nn.Linear(2, 3, seed=0), nn.ReLU(), nn.Linear(3, 1, seed=1))
    for relu in (nn.ReLU(inplace=True), nn.ReLU(True), nn.ReLU(inplace=False)):
        model = nn.Sequential(nn.Linear(2, 3, seed=0), relu, nn.Linear(3, 1, seed=1))
        assert model([0.5, -0.25]).data == plain([0.5, -0.25]).data
    with pytest.raises(TypeError, match="ReLU inplace: expected True or False, got float 0.5"):
        nn.ReLU(0.5)


def test_a_torch_module_in_a_sequential_is_named_as_pytorchs():
    # "module '1' is Tanh Tanh(), expected an nn module" read as if nn.Tanh were refused
    from tests.support import require_torch
    require_torch()
    import torch
    with pytest.raises(TypeError, match=r"module '1' is PyTorch's torch\.nn\.Tanh \(tracegrad's is nn\.Tanh"):
        nn.Sequential(nn.Linear(2, 3), torch.nn.Tanh())
    with pytest.raises(TypeError, match=r"module '1' is PyTorch's torch\.nn\.Dropout \(tracegrad has no such"):
        nn.Sequential(nn.Linear(2, 3)).append(torch.nn.Dropout())


def test_an_mlp_takes_an_activation_module_as_its_activation():
    by_module = nn.MLP(2, [3, 2], activation=[nn.ReLU(), nn.LinearActivation(2.0)], seed=0)
    by_name = nn.MLP(2, [3, 2], activation=["relu", ("linear", 2.0)], seed=0)
    assert by_module.activations == by_name.activations
    assert [v.data for v in by_module([0.5, -0.3])] == [v.data for v in by_name([0.5, -0.3])]
    torch = pytest.importorskip("torch")  # the rest runs without torch
    with pytest.raises(TypeError, match=r"activation: got PyTorch's ReLU; give its name, such as 'relu'"):
        nn.MLP(2, [3, 1], activation=torch.nn.ReLU())


@pytest.mark.parametrize("make, culprit", [
    # torch's first argument is weight (size_average for MSELoss): it was read as reduction,
    # "reduction=tensor([1., 2.]): expected one of ...", and MSELoss("sum") summed where torch's
    # takes "sum" as its size_average and gives the mean
    (lambda: nn.CrossEntropyLoss([1.0, 2.0]), r"^CrossEntropyLoss: weight=\[1\.0, 2\.0\] not supported here"),
    (lambda: nn.MSELoss("sum"), r"^MSELoss: size_average='sum' not supported here"),
    (lambda: nn.BCELoss(None, None, None, "sum", 1), r"^BCELoss\(\) takes at most 4 arguments by position, "
                                                     r"torch's weight, size_average, reduce, reduction; got 5"),
    (lambda: nn.MSELoss(None, None, "sum", reduction="sum"), r"^MSELoss\(\) got reduction both by position"),
])
def test_a_loss_reads_arguments_given_by_position_in_torchs_order(make, culprit):
    with pytest.raises(TypeError, match=culprit):
        make()


def test_a_loss_written_out_by_position_as_for_torch_is_taken():
    assert nn.MSELoss(None, None, "sum").reduction == "sum"
    assert nn.BCEWithLogitsLoss(None, None, None, "none", None).reduction == "none"
    loss = nn.CrossEntropyLoss(None, None, -100, None, "sum", 0.0)
    z = [autograd.Value(0.5), autograd.Value(-0.5)]
    assert loss([z, z], [0, 1]).data == nn.CrossEntropyLoss(reduction="sum")([z, z], [0, 1]).data


def test_a_module_name_that_is_no_str_is_a_type_error():
    # a ValueError before; torch's add_module raises a TypeError for it
    with pytest.raises(TypeError, match=r"^Sequential: module name 1 is not a str but int; expected a non-empty str"):
        nn.Sequential(OrderedDict([(1, nn.ReLU())]))
    with pytest.raises(ValueError, match=r"module name 'a\.b' must be a non-empty str without '\.'"):
        nn.Sequential(OrderedDict([("a.b", nn.ReLU())]))


# --- torch's keywords on the walks: recurse=, remove_duplicate=, state_dict's prefix= and keep_vars= ---

def test_parameters_with_recurse_false_are_only_those_the_module_holds_itself():
    # as torch's: a Linear holds its weight and bias itself; a Sequential or an MLP holds none
    linear = nn.Linear(2, 3, seed=0)
    assert linear.parameters(recurse=False) == linear.parameters() and len(linear.parameters(recurse=False)) == 9
    model = nn.Sequential(linear, nn.Tanh(), nn.Linear(3, 1, seed=1))
    assert model.parameters(recurse=False) == [] and list(model.named_parameters(recurse=False)) == []
    assert len(model.parameters(recurse=True)) == 13
    mlp = nn.MLP(2, [3, 1], seed=0)
    assert mlp.parameters(recurse=False) == [] and mlp.layers[0].parameters(recurse=False) == []
    neuron = mlp.layers[0].neurons[0]
    assert neuron.parameters(recurse=False) == neuron.parameters() == neuron.w + [neuron.b]

    class Scaled(nn.Module):  # a module of one's own, with a parameter of its own beside a submodule
        def __init__(self):
            self.scale = autograd.Value(2.0, label="scale")
            self.body = nn.Linear(2, 1, seed=0)

    scaled = Scaled()
    assert [name for name, _ in scaled.named_parameters(recurse=False)] == ["scale"]
    assert scaled.parameters(recurse=False) == [scaled.scale] and len(scaled.parameters()) == 4
    with pytest.raises(TypeError, match=r"parameters\(recurse\): expected True or False, got str"):
        model.parameters(recurse="no")


def test_named_parameters_remove_duplicate_false_names_a_tied_weight_at_each_place():
    first = nn.Linear(2, 2, seed=0)
    model = nn.Sequential(first, nn.Tanh(), first)  # one module placed twice: at each place, as torch's
    assert [name for name, _ in model.named_parameters(remove_duplicate=False)][6:8] == ["2.weight.0.0", "2.weight.0.1"]
    assert len(list(model.named_parameters(remove_duplicate=False))) == 12
    assert len(list(model.named_parameters())) == 6
    assert list(model.state_dict()) == [name for name, _ in model.named_parameters(remove_duplicate=False)]
    second = nn.Linear(2, 2, seed=1)
    second.weight = first.weight  # torch's weight tying: one tensor at two places
    tied = nn.Sequential(first, nn.Tanh(), second)
    names = [name for name, _ in tied.named_parameters(remove_duplicate=False)]
    assert names[:6] == ["0.weight.0.0", "0.weight.0.1", "0.weight.1.0", "0.weight.1.1", "0.bias.0", "0.bias.1"]
    assert "2.weight.0.0" in names and len(names) == 12
    assert "2.weight.0.0" not in [name for name, _ in tied.named_parameters()]


def test_state_dict_takes_torchs_prefix_destination_and_keep_vars():
    model = nn.Sequential(nn.Linear(2, 1, seed=0))
    plain = model.state_dict()
    assert model.state_dict(prefix="model.") == {f"model.{name}": v for name, v in plain.items()}
    into = {"other": 1.0}
    assert model.state_dict(destination=into) is into and list(into) == ["other", *plain]
    kept = model.state_dict(keep_vars=True)
    assert list(kept) == list(plain) and all(v is p for v, p in zip(kept.values(), model.parameters()))
    with pytest.raises(TypeError, match=r"state_dict\(prefix\): expected a str, got int 1"):
        model.state_dict(prefix=1)
    with pytest.raises(TypeError, match=r"state_dict\(destination\): expected a dict to fill, got list"):
        model.state_dict(destination=[])
    with pytest.raises(TypeError, match=r"state_dict\(keep_vars\): expected True or False, got str"):
        model.state_dict(keep_vars="yes")


def test_torchs_whole_tensor_key_names_the_scalar_keys_under_it():
    model = nn.Sequential(nn.Linear(2, 3, seed=0))
    with pytest.raises(KeyError, match=r"state_dict: '0.weight' is a whole tensor in PyTorch's naming; nn's state_dict\(\) "
                                       r"holds one number per key, 6 of them under it \('0.weight.0.0', ...\); "
                                       r"nn.torch_state_dict\(model\) gives '0.weight' as one array"):
        model.state_dict()["0.weight"]
    with pytest.raises(KeyError, match="^'nope'$"):
        model.state_dict()["nope"]
    assert model.state_dict() == dict(model.state_dict()) and model.state_dict().get("0.weight") is None


def test_a_list_of_modules_given_to_sequential_says_to_pass_them_one_per_argument():
    with pytest.raises(TypeError, match=r"Sequential: got one list of 2 modules; pass them one per argument, "
                                        r"nn.Sequential\(\*modules\), as in PyTorch"):
        nn.Sequential([nn.Linear(2, 3), nn.ReLU()])


def test_huber_and_smooth_l1_read_back_their_delta_and_beta_as_torchs():
    assert nn.HuberLoss(delta=2.5).delta == 2.5 and nn.HuberLoss().delta == 1.0
    assert nn.SmoothL1Loss(beta=0.5).beta == 0.5
    with pytest.raises(AttributeError, match="'MSELoss' object has no attribute 'delta'"):
        nn.MSELoss().delta
