"""nn.Neuron, nn.Layer, nn.MLP: structure, labels, names, weights, and gradients vs central differences."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
import nn
from autograd import Value


def _swap_parameters(model, values):
    """Put the Values `values` (by parameter name) into the model in place of its own."""
    for i, layer in enumerate(model.layers):
        for j, neuron in enumerate(layer.neurons):
            neuron.w = [values[f"layers.{i}.neurons.{j}.w.{k}"] for k in range(len(neuron.w))]
            neuron.b = values[f"layers.{i}.neurons.{j}.b"]


def _check_mlp_gradients(model, x, target, loss):
    """gradcheck of loss(model(x), target) with respect to every parameter and every input."""
    inputs = dict(model.state_dict())
    inputs.update({f"x{k}": xk for k, xk in enumerate(x)})

    def f(**values):
        _swap_parameters(model, values)
        return loss(model([values[f"x{k}"] for k in range(len(x))]), target)

    report = autograd.gradcheck(f, inputs, rtol=1e-5, atol=1e-7)
    assert report.ok, str(report)
    return report


ACTIVATIONS = ["tanh", "sigmoid", "relu", "linear", ("linear", 2.5), ("step", 0.3)]


@pytest.mark.parametrize("activation", ACTIVATIONS, ids=str)
@pytest.mark.parametrize("elementary", [False, True])
def test_mlp_gradients_match_central_differences_for_every_activation(activation, elementary):
    model = nn.MLP(3, [4, 3, 2], activation=activation, output_activation=activation, seed=1,
                   bias_init="normal", elementary=elementary)
    report = _check_mlp_gradients(model, [0.3, -1.2, 0.8], [0.5, -0.25], nn.mse)
    if activation == ("step", 0.3):  # a step network's gradient is 0 for every weight before it
        assert all(row.engine == 0.0 for row in report.rows if ".w." in row.name or row.name.endswith(".b"))
    else:
        assert any(abs(row.engine) > 1e-3 for row in report.rows)


def test_softmax_output_gradients_match_central_differences():
    model = nn.MLP(3, [4, 3], activation="tanh", output_activation="softmax", seed=2)
    _check_mlp_gradients(model, [0.3, -1.2, 0.8], 2, nn.nll)


@settings(max_examples=15)
@given(st.lists(st.floats(-3, 3), min_size=2, max_size=2), st.integers(0, 2**32 - 1))
def test_mlp_gradients_random_points(x, seed):
    model = nn.MLP(2, [3, 1], activation="sigmoid", output_activation="sigmoid", seed=seed, init="normal",
                   bias_init=1.0)
    _check_mlp_gradients(model, x, 0.7, nn.bce)


def test_backward_fills_parameter_grads_like_gradcheck():
    model = nn.MLP(2, [3, 2], seed=3)
    loss = nn.cross_entropy(model([0.5, -0.5]), 1)
    loss.backward()
    engine = autograd.grad(nn.cross_entropy(model([0.5, -0.5]), 1), model.parameters())
    assert [p.grad for p in model.parameters()] == pytest.approx(engine, rel=1e-12)
    model.zero_grad()
    assert all(p.grad == 0.0 for p in model.parameters())


def test_each_neuron_is_one_dot_node_and_one_activation_node_labelled_as_in_the_notes():
    model = nn.MLP(2, [3, 1], activation="sigmoid", output_activation="sigmoid", seed=0)
    out = model([1.0, 2.0])
    assert out.op == "sigmoid" and out.label == "a(3)_1"
    z = out.parents[0]
    assert z.op == "dot" and z.label == "z(3)_1" and z.consts == {"n": 3}
    assert [p.label for p in z.parents] == ["w(3)_1,1", "w(3)_1,2", "w(3)_1,3", "a(2)_1", "a(2)_2", "a(2)_3", "b(3)_1"]
    hidden = z.parents[3].parents[0]
    assert hidden.label == "z(2)_1"
    # an example given as numbers is data: the first layer keeps x as the dot node's constants
    assert hidden.op == "dot_data" and hidden.consts == {"x": (1.0, 2.0)}
    assert [p.label for p in hidden.parents] == ["w(2)_1,1", "w(2)_1,2", "b(2)_1"]


def test_nn_inputs_puts_the_inputs_in_the_graph_as_x_k_leaves_with_the_same_numbers():
    model = nn.MLP(2, [3, 1], activation="sigmoid", output_activation="sigmoid", seed=0)
    as_data, as_nodes = model([1.0, 2.0]), model(nn.inputs([1.0, 2.0]))
    assert as_nodes.data == as_data.data
    hidden = as_nodes.parents[0].parents[3].parents[0]
    assert hidden.op == "dot" and hidden.consts == {"n": 2}
    assert [p.label for p in hidden.parents] == ["w(2)_1,1", "w(2)_1,2", "x_1", "x_2", "b(2)_1"]
    grads = []
    for out in (as_data, as_nodes):
        model.zero_grad()
        out.backward()
        grads.append([p.grad for p in model.parameters()])
    assert grads[0] == grads[1]  # the same gradients, bit for bit; only x_k's own are extra
    x_1 = hidden.parents[2]
    assert x_1.grad == autograd.grad(as_nodes, x_1) != 0.0


def test_inputs_are_checked_and_named():
    assert [x.label for x in nn.inputs(np.array([0.5, 1.5]), label="a")] == ["a_1", "a_2"]
    with pytest.raises(ValueError, match="x_2: expected a finite number"):
        nn.inputs([1.0, math.nan])
    with pytest.raises(ValueError, match="at least one"):
        nn.inputs([])
    with pytest.raises(TypeError, match="x_1: expected a real number.*got str"):
        nn.inputs(["1"])


def test_linear_output_with_slope_one_is_z_itself_and_with_slope_k_is_one_more_node():
    model = nn.MLP(2, [1], output_activation="linear", seed=0)
    out = model([1.0, 2.0])
    assert out.op == "dot_data" and out.label == "z(2)_1"
    model = nn.MLP(2, [1], output_activation=("linear", 3.0), seed=0)
    out = model([1.0, 2.0])
    assert out.op == "*" and out.label == "a(2)_1"
    assert out.data == pytest.approx(3.0 * out.parents[0].data)


def test_elementary_option_builds_z_from_times_and_plus():
    model = nn.MLP(3, [1], seed=0, elementary=True)
    out = model([1.0, 2.0, 3.0])
    ops = {node.op for node in autograd.topological_order(out) if node.op}
    assert ops == {"*", "+"} and out.label == "z(2)_1"
    twin = nn.MLP(3, [1], seed=0)
    assert twin([1.0, 2.0, 3.0]).data == pytest.approx(out.data, rel=1e-15)


def test_softmax_layer_outputs_probabilities_labelled_a():
    model = nn.MLP(2, [3, 4], output_activation="softmax", seed=0)
    out = model([1000.0, -1000.0])  # huge logits: stable through logsumexp
    assert sum(o.data for o in out) == pytest.approx(1.0)
    assert [o.label for o in out] == ["a(3)_1", "a(3)_2", "a(3)_3", "a(3)_4"]


def test_named_parameters_map_onto_the_notes_indices():
    model = nn.MLP(2, [3, 1], seed=0)
    names = [name for name, _ in model.named_parameters()]
    assert names[:3] == ["layers.0.neurons.0.w.0", "layers.0.neurons.0.w.1", "layers.0.neurons.0.b"]
    assert len(names) == model.num_parameters() == 13 == len(set(names))
    for name, p in model.named_parameters():
        parts = name.split(".")
        l, j = int(parts[1]) + 2, int(parts[3]) + 1
        expected = f"b({l})_{j}" if parts[4] == "b" else f"w({l})_{j},{int(parts[5]) + 1}"
        assert p.label == expected
    assert model.parameters() == [p for _, p in model.named_parameters()]


def test_a_prefix_of_named_parameters_is_joined_with_a_dot_as_in_pytorch():
    model = nn.MLP(2, [3, 1], seed=0)
    plain = [name for name, _ in model.named_parameters()]
    prefixed = [name for name, _ in model.named_parameters(prefix="model")]
    assert prefixed == [f"model.{name}" for name in plain]
    assert [p for _, p in model.named_parameters(prefix="model")] == model.parameters()


def test_one_output_gives_a_value_several_give_a_list_and_width_one_hidden_layer_works():
    assert isinstance(nn.MLP(2, [1, 1], seed=0)([1.0, 2.0]), Value)
    out = nn.MLP(2, [1, 3], seed=0)(np.array([1.0, 2.0]))
    assert isinstance(out, list) and len(out) == 3
    _check_mlp_gradients(nn.MLP(2, [1, 1], seed=0), [0.5, 0.25], 1.0, nn.sse)


def test_inputs_may_be_values_and_keep_their_labels():
    x = [Value(1.0, label="u"), 2.0]
    out = nn.MLP(2, [1], seed=0)(x)
    assert [p.label for p in out.parents][2:4] == ["u", "x_2"]
    out.backward()
    assert x[0].grad == pytest.approx(out.parents[0].data)


def test_activation_list_sets_one_per_layer():
    model = nn.MLP(2, [3, 3, 1], activation=["relu", ("step", 0.5), "sigmoid"])
    assert [a.describe() for a in model.activations] == ["relu", "step(k=0.5)", "sigmoid"]


def test_seed_makes_weights_reproducible_without_global_state():
    np.random.seed(0)
    a = nn.MLP(3, [4, 2], seed=42).state_dict()
    np.random.seed(1)
    b = nn.MLP(3, [4, 2], seed=42).state_dict()
    assert a == b
    assert nn.MLP(3, [4, 2], seed=43).state_dict() != a
    state = np.random.get_state()
    nn.MLP(3, [4, 2], seed=7)
    assert np.array_equal(np.random.get_state()[1], state[1])


@pytest.mark.parametrize("init", ["uniform", "normal", "xavier", "he"])
def test_init_schemes_have_their_spread(init):
    W = nn.MLP(200, [100], init=init, seed=0).weights()[0][0]
    expected_std = {"uniform": 1 / np.sqrt(3), "normal": 1.0, "xavier": np.sqrt(2 / 300),
                    "he": np.sqrt(2 / 200)}[init]
    assert W.std() == pytest.approx(expected_std, rel=0.05)
    if init in ("uniform", "xavier"):
        bound = 1.0 if init == "uniform" else np.sqrt(6 / 300)
        assert np.abs(W).max() <= bound


def test_bias_init_number_or_scheme():
    assert np.all(nn.MLP(2, [5], bias_init=1.0, seed=0).weights()[0][1] == 1.0)
    assert np.all(nn.MLP(2, [5], seed=0).weights()[0][1] == 0.0)
    assert len(set(nn.MLP(2, [5], bias_init="normal", seed=0).weights()[0][1])) == 5


def test_weights_are_in_the_notes_orientation_and_round_trip():
    model = nn.MLP(3, [2, 1], activation="sigmoid", seed=0)
    (W2, b2), (W3, b3) = model.weights()
    assert W2.shape == (2, 3) and b2.shape == (2,) and W3.shape == (1, 2)
    x = np.array([0.1, 0.2, 0.3])
    a2 = 1 / (1 + np.exp(-(W2 @ x + b2)))  # the notes' matrix equation a(l) = σ(W a(l-1) + b)
    assert model(x).data == pytest.approx((W3 @ a2 + b3)[0], rel=1e-12)
    other = nn.MLP(3, [2, 1], activation="sigmoid", seed=9)
    other.set_weights(model.weights())
    assert other.state_dict() == model.state_dict()


def test_state_dict_round_trip_and_strict_names():
    model, other = nn.MLP(2, [3, 1], seed=0), nn.MLP(2, [3, 1], seed=1)
    result = other.load_state_dict(model.state_dict())
    assert other.state_dict() == model.state_dict() and result == ([], [])
    state = model.state_dict()
    state["layers.9.neurons.0.b"] = 1.0
    del state["layers.0.neurons.0.b"]
    before = other.state_dict()
    with pytest.raises(KeyError, match=r"missing keys: 'layers.0.neurons.0.b'.*unexpected keys: 'layers.9"):
        other.load_state_dict(state)
    with pytest.raises(RuntimeError, match="missing keys"):  # what PyTorch raises: its users catch this
        other.load_state_dict(state)
    assert other.state_dict() == before
    missing, unexpected = other.load_state_dict(state, strict=False)
    assert missing == ["layers.0.neurons.0.b"] and unexpected == ["layers.9.neurons.0.b"]


def test_repr_shows_architecture_and_parameter_count():
    text = repr(nn.MLP(2, [4, 1], seed=0))
    assert "MLP(2 → [4, 1], 17 parameters)" in text
    assert "Layer(2 → 4, tanh)" in text and "Layer(4 → 1, linear)" in text
    assert repr(nn.Neuron(3, "relu", seed=0)) == "Neuron(3 → 1, relu)"


def test_standalone_neuron_and_layer():
    neuron = nn.Neuron(2, "tanh", seed=0)
    out = neuron([1.0, -1.0])
    assert out.label == "a" and out.parents[0].label == "z"
    assert [p.label for p in neuron.parameters()] == ["w_1", "w_2", "b"]
    layer = nn.Layer(2, 3, "relu", seed=0)
    outs = layer([1.0, -1.0])
    assert len(outs) == 3 and outs[0].label == "a_1"
    W, b = layer.weights()
    assert [o.data for o in outs] == pytest.approx(np.maximum(W @ [1.0, -1.0] + b, 0))


def test_predict_returns_arrays_and_keeps_no_graph():
    model = nn.MLP(2, [3, 2], seed=0)
    X = np.array([[0.0, 1.0], [1.0, 0.5], [2.0, -1.0]])
    out = model.predict(X)
    assert out.shape == (3, 2)
    assert out[1] == pytest.approx([v.data for v in model(X[1])])
    assert nn.MLP(2, [1], seed=0).predict(X).shape == (3,)


def test_a_neuron_may_start_from_given_weights_and_bias():
    neuron = nn.Neuron(2, "sigmoid", weights=np.array([0.5, -1.0]), bias=2)
    assert [p.data for p in neuron.parameters()] == [0.5, -1.0, 2.0]
    assert all(isinstance(p.data, float) for p in neuron.parameters())


# --- a Module of your own: parameters found without registration, as in PyTorch ------------

class TwoLayerNet(nn.Module):
    """What a PyTorch user writes: sub-modules and a parameter as plain attributes."""

    def __init__(self, with_sizes=True):
        if with_sizes:
            self.nin, self.nout = 2, 1
        self.scale = Value(1.0, label="scale")
        self.hidden = nn.Layer(2, 3, seed=0)
        self.out = nn.Layer(3, 1, activation="linear", seed=1)
        self.extras = {"shift": Value(0.0, label="shift")}
        self.tied = [self.scale]  # the same Value again: one parameter
        self.name, self.widths, self.empty = "net", [2, 3, 1], []  # not parameters

    def __call__(self, x):
        return self.out(self.hidden(x))[0] * self.scale + self.extras["shift"]


def test_a_module_of_your_own_finds_its_parameters_in_attribute_order():
    net = TwoLayerNet()
    names = [name for name, _ in net.named_parameters()]
    assert names[0] == "scale" and names[1:4] == ["hidden.neurons.0.w.0", "hidden.neurons.0.w.1",
                                                  "hidden.neurons.0.b"]
    assert names[-1] == "extras.shift" and "tied.0" not in names
    assert len(names) == len(set(names)) == 1 + 9 + 4 + 1
    assert net.parameters() == [p for _, p in net.named_parameters()]
    assert len({id(p) for p in net.parameters()}) == len(names)


def test_a_module_of_your_own_saves_loads_and_zeroes_like_the_built_in_ones():
    net, other = TwoLayerNet(), TwoLayerNet()
    for k, p in enumerate(net.parameters()):
        p.data, p.grad = 0.1 * k, 1.0
    other.load_state_dict(net.state_dict())
    assert other.state_dict() == net.state_dict()
    net.zero_grad()
    assert all(p.grad == 0.0 for p in net.parameters())


@pytest.mark.parametrize("compiled", [False, True])
def test_fit_trains_a_module_of_your_own(compiled):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 2))
    y = X[:, 0] - 0.5 * X[:, 1] + 0.25
    net = TwoLayerNet()
    history = nn.fit(net, X, y, loss=nn.mse, epochs=60, batch_size=8, lr=0.05, seed=0, progress=False,
                     compiled=compiled)
    assert history.loss[-1] < 0.2 * history.loss[0]
    assert net.extras["shift"].data != 0.0 and net.scale.data != 1.0  # every parameter trained


def test_fit_and_predict_say_what_a_module_of_your_own_lacks():
    X, y = np.zeros((4, 2)), np.zeros(4)
    with pytest.raises(TypeError, match=r"fit: the model \(TwoLayerNet\) needs int attributes nin and nout"):
        nn.fit(TwoLayerNet(with_sizes=False), X, y, loss=nn.mse, epochs=1, lr=0.1, progress=False)
    with pytest.raises(TypeError, match=r"TwoLayerNet.predict: .*needs int attributes nin and nout"):
        TwoLayerNet(with_sizes=False).predict(X)


def test_a_module_of_your_own_prints_like_pytorch():
    text = repr(TwoLayerNet())
    assert text.splitlines()[0] == "TwoLayerNet(15 parameters)("
    assert "  (hidden): Layer(2 → 3, tanh)  # 9 parameters" in text
    assert "  (extras.shift): Value(data=0.0, grad=0.0, label='shift')" in text
    assert "(name)" not in text and text.endswith("\n)")


def test_model_of_x_calls_forward_as_in_pytorch():
    class Affine(nn.Module):
        def __init__(self):
            self.nin, self.nout = 1, 1
            self.w, self.b = Value(2.0, label="w"), Value(0.5, label="b")

        def forward(self, x):
            return self.w * x[0] + self.b

    model = Affine()
    assert model([3.0]).data == 6.5 and [n for n, _ in model.named_parameters()] == ["w", "b"]
    assert model.predict(np.array([[1.0], [2.0]])).tolist() == [2.5, 4.5]

    class Nothing(nn.Module):
        pass

    with pytest.raises(NotImplementedError, match="Nothing: define forward"):
        Nothing()([1.0])


def test_an_mlp_forward_is_its_call():
    model = nn.MLP(2, [3, 1], seed=0)
    assert model.forward([0.5, -1.0]).data == model([0.5, -1.0]).data


class Block(nn.Module):
    """A module with a weight and a back-reference to the module that holds it."""

    def __init__(self, owner=None):
        self.w = Value(1.0, label="w")
        self.owner = owner


def test_a_back_reference_between_modules_ends():
    class Owner(nn.Module):
        def __init__(self):
            self.first = Block(self)
            self.second = self.first  # the same block again
            self.v = Value(2.0, label="v")

    owner = Owner()
    assert [name for name, _ in owner.named_parameters()] == ["first.w", "v"]
    assert [name for name, _ in owner.first.named_parameters()] == ["w", "owner.v"]


def test_every_module_names_its_children_and_modules_as_pytorch_does():
    net = TwoLayerNet()
    assert [name for name, _ in net.named_children()] == ["hidden", "out"]
    assert list(net.children()) == [net.hidden, net.out]
    names = [name for name, _ in net.named_modules()]
    assert names[:3] == ["", "hidden", "hidden.neurons.0"] and names[4:6] == ["hidden.neurons.2", "out"]
    assert [module for _, module in net.named_modules()] == list(net.modules())
    model = nn.MLP(2, [3, 1], seed=0)
    assert [name for name, _ in model.named_children()] == ["layers.0", "layers.1"]
    assert [name for name, _ in model.named_modules(prefix="mlp")][:3] == ["mlp", "mlp.layers.0",
                                                                            "mlp.layers.0.neurons.0"]
    assert list(nn.Neuron(2).named_children()) == []


def test_a_shared_module_is_named_once_unless_asked_and_a_cycle_ends():
    class Owner(nn.Module):
        def __init__(self):
            self.first = Block(self)
            self.second = self.first
            self.blocks = [self.first, Block()]

    owner = Owner()
    assert [name for name, _ in owner.named_children()] == ["first", "blocks.1"]
    assert [name for name, _ in owner.named_modules()] == ["", "first", "blocks.1"]
    assert [name for name, _ in owner.named_modules(remove_duplicate=False)] == [
        "", "first", "second", "blocks.0", "blocks.1"]
    assert [name for name, _ in owner.first.named_modules()] == ["", "owner", "owner.blocks.1"]


def test_requires_grad_freezes_every_parameter_and_zero_grad_takes_set_to_none():
    model = nn.MLP(2, [3, 1], seed=0)
    assert model.layers[0].requires_grad_(False) is model.layers[0]
    assert [p.requires_grad for p in model.parameters()] == [False] * 9 + [True] * 4
    assert all(p.requires_grad for p in model.requires_grad_().parameters())
    for p in model.parameters():
        p.grad = 1.0
    model.zero_grad(set_to_none=True)  # a grad is a float here: 0.0, not None
    assert all(p.grad == 0.0 for p in model.parameters())
    model.zero_grad(set_to_none=False)
    assert all(p.grad == 0.0 for p in model.parameters())
    with pytest.raises(TypeError, match="requires_grad_\\(requires_grad\\): expected True or False, got str"):
        model.requires_grad_("no")
    with pytest.raises(TypeError, match="zero_grad\\(set_to_none\\): expected True or False, got int"):
        model.zero_grad(0)


def test_a_container_of_parameters_that_cannot_be_walked_is_named_not_skipped():
    # Skipped silently, its parameters never trained: fit ran and the blocks' weights never moved.
    class Blocks(nn.Module):
        def __init__(self, blocks):
            self.blocks = blocks
            self.scale = autograd.Value(1.0)

    with pytest.raises(TypeError, match=r"Blocks.blocks: a dict of Values or Modules needs str keys .* got the key 0"):
        Blocks({0: nn.Layer(2, 3), 1: nn.Layer(3, 1)}).parameters()
    with pytest.raises(TypeError, match=r"Blocks.blocks: holds Values or Modules beside NoneType None"):
        Blocks([autograd.Value(1.0), None]).parameters()
    assert len(Blocks({"a": nn.Layer(2, 3)}).parameters()) == 10
    assert len(Blocks([1, 2, None]).parameters()) == 1  # no parameters in it: not a container of them


class _MicrogradValue:
    """micrograd's Value as far as a module's walk can see it: data, grad and _prev."""

    def __init__(self, data):
        self.data, self.grad, self._prev = data, 0, set()


_MicrogradValue.__module__, _MicrogradValue.__qualname__ = "micrograd.engine", "Value"


@pytest.mark.parametrize("held, culprit", [
    (lambda: np.array([autograd.Value(0.1), autograd.Value(0.2)], dtype=object),
     r"Net.w: holds a numpy array of Values, which is not searched for parameters.*\.tolist\(\)"),
    (lambda: {autograd.Value(0.1), autograd.Value(0.2)}, r"Net.w: holds a set of Values or Modules, which has no "
                                                          r"fixed order"),
    (lambda: _MicrogradValue(0.1), r"Net.w: holds a micrograd\.engine\.Value \(another engine's Value"),
    (lambda: [_MicrogradValue(0.1), _MicrogradValue(0.2)], r"Net.w: holds a micrograd\.engine\.Value"),
])
def test_parameters_the_walk_cannot_find_are_named_not_skipped(held, culprit):
    # parameters() gave only the bias: the weights in an array, a set or micrograd's Values
    # silently never trained
    class Net(nn.Module):
        def __init__(self):
            self.w = held()
            self.b = autograd.Value(0.0)

    with pytest.raises(TypeError, match=culprit):
        Net().parameters()


def test_arrays_and_sets_without_parameters_are_passed_over():
    class Net(nn.Module):
        def __init__(self):
            self.mean = np.array([0.5, 1.5])  # data, as a buffer
            self.names = {"a", "b"}
            self.hidden = np.array([autograd.Value(1.0) * 2], dtype=object)  # a forward's op node
            self.b = autograd.Value(0.0)

    net = Net()
    assert len(net.parameters()) == 1 and net.parameters()[0] is net.b


def test_a_state_dict_key_that_is_no_str_is_named_and_nothing_is_loaded():
    model = nn.MLP(2, [1], seed=0)
    before = model.state_dict()
    state = dict(before, **{name: 0.0 for name in before})
    state[3] = 1.0
    with pytest.raises(nn.StateDictError, match=r"the key 3 is not a parameter name .*nothing was loaded"):
        model.load_state_dict(state)
    assert model.state_dict() == before


def test_the_module_walks_check_their_prefix_and_flags():
    model = nn.MLP(2, [1], seed=0)
    with pytest.raises(TypeError, match=r"named_modules\(prefix\): expected a str, got int 3"):
        list(model.named_modules(prefix=3))
    with pytest.raises(TypeError, match=r"named_parameters\(prefix\): expected a str"):
        list(model.named_parameters(prefix=None))
    with pytest.raises(TypeError, match=r"named_modules\(remove_duplicate\): expected True or False"):
        list(model.named_modules(remove_duplicate="no"))
    before = model.state_dict()
    with pytest.raises(TypeError, match=r"load_state_dict\(strict\): expected True or False, got str"):
        model.load_state_dict(before, strict="no")
    assert model.state_dict() == before


@pytest.mark.parametrize("strict", [True, False])
@pytest.mark.parametrize("make_big, make_small, says", [
    (lambda: nn.Sequential(nn.Linear(4, 8, seed=0), nn.ReLU(), nn.Linear(8, 3, seed=1)),
     lambda: nn.Sequential(nn.Linear(4, 6, seed=2), nn.ReLU(), nn.Linear(6, 3, seed=3)),
     r"size mismatch for 0\.weight: shape \(8, 4\) in the state dict, \(6, 4\) in this Sequential; "
     r"0\.bias: shape \(8,\) in the state dict, \(6,\) .*; 2\.weight: shape \(3, 8\) in the state dict, \(3, 6\)"),
    (lambda: nn.MLP(4, [8, 3], seed=0), lambda: nn.MLP(4, [8, 2], seed=1),
     r"size mismatch for layers\.1\.neurons\.\*\.w \(row j: the w of layers\.1\.neurons\.j\): shape \(3, 8\) "
     r"in the state dict, \(2, 8\) in this MLP; layers\.1\.neurons\.\*\.b .*: shape \(3,\)"),
    (lambda: nn.Layer(5, 3, seed=0), lambda: nn.Layer(4, 3, seed=1),
     r"size mismatch for neurons\.\*\.w .*: shape \(3, 5\) in the state dict, \(3, 4\) in this Layer"),
    (lambda: nn.Neuron(3, seed=0), lambda: nn.Neuron(4, seed=1),
     r"size mismatch for w: shape \(3,\) in the state dict, \(4,\) in this Neuron .*missing keys: 'w\.3'"),
], ids=["Sequential-fewer-neurons", "MLP-fewer-outputs", "Layer-more-inputs", "Neuron-fewer-inputs"])
def test_a_state_dict_of_another_width_is_a_size_mismatch_whatever_strict_is(make_big, make_small, says, strict):
    # strict=False used to load a mix of the two models silently (the small one took the big
    # one's first rows); PyTorch refuses a shape mismatch even with strict=False.
    big, small = make_big(), make_small()
    before = small.state_dict()
    with pytest.raises(nn.module.SizeMismatchError, match=says) as raised:
        small.load_state_dict(big.state_dict(), strict=strict)
    assert isinstance(raised.value, RuntimeError) and isinstance(raised.value, nn.StateDictError)
    assert "nothing was loaded" in str(raised.value) and small.state_dict() == before


def test_a_size_mismatch_is_refused_as_torch_does_and_an_extra_layer_still_is_unexpected_keys():
    from tests.support import require_torch
    require_torch()
    import torch
    big = nn.Sequential(nn.Linear(4, 8, seed=0), nn.ReLU(), nn.Linear(8, 3, seed=1))
    small = nn.Sequential(nn.Linear(4, 6, seed=2), nn.ReLU(), nn.Linear(6, 3, seed=3))
    with pytest.raises(RuntimeError, match=r"size mismatch for 0\.weight"):
        nn.to_torch(small).load_state_dict(nn.to_torch(big).state_dict(), strict=False)
    with pytest.raises(RuntimeError, match=r"size mismatch for 0\.weight: shape \(8, 4\)"):
        small.load_state_dict(big.state_dict(), strict=False)
    # A layer the model lacks is a module's keys, not a size: skipped with strict=False, as in PyTorch.
    longer = nn.Sequential(nn.Linear(4, 6, seed=4), nn.ReLU(), nn.Linear(6, 3, seed=5), nn.ReLU(),
                           nn.Linear(3, 2, seed=6))
    theirs = nn.to_torch(small).load_state_dict(nn.to_torch(longer).state_dict(), strict=False)
    missing, unexpected = small.load_state_dict(longer.state_dict(), strict=False)
    assert missing == [] and {k.rsplit(".", 2)[0] if "weight" in k else k.rsplit(".", 1)[0] for k in unexpected} \
        == set(theirs.unexpected_keys) == {"4.weight", "4.bias"}
    assert small.state_dict() == {k: v for k, v in longer.state_dict().items() if not k.startswith("4.")}


class CachingNet(nn.Module):
    """A forward that keeps its hidden activations for a look later, as torch users write."""

    def __init__(self):
        self.nin, self.nout = 4, 3
        self.fc1 = nn.Linear(4, 5, seed=0)
        self.fc2 = nn.Linear(5, 3, seed=1)

    def forward(self, x):
        self.hidden = [v.relu() for v in self.fc1(x)]
        self.mixed = [self.fc1.bias[0], self.hidden[0]]  # a parameter beside an op node
        return self.fc2(self.hidden)


def test_an_op_node_a_forward_keeps_is_no_parameter_as_in_pytorch():
    net = CachingNet()
    names = [name for name, _ in net.named_parameters()]
    net([0.5, -1.0, 2.0, 0.1])
    # mixed.0 is fc1's bias met again (one parameter, under its first name); hidden.j, mixed.1: op nodes
    assert [name for name, _ in net.named_parameters()] == names and len(names) == 5 * 4 + 5 + 3 * 5 + 3
    assert len(net.parameters()) == len(names)
    # state_dict() lists a parameter under each of its names, as PyTorch's does for a tied weight
    assert list(net.state_dict()) == names + ["mixed.0"]
    assert net.state_dict()["mixed.0"] == net.fc1.bias[0].data
    assert "hidden" not in repr(net)
    fresh = CachingNet()
    fresh([0.0] * 4)
    assert fresh.load_state_dict(net.state_dict()) == ([], [])
    from tests.support import require_torch
    require_torch()
    import torch

    class TorchNet(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1, self.fc2 = torch.nn.Linear(4, 5), torch.nn.Linear(5, 3)

        def forward(self, x):
            self.hidden = torch.relu(self.fc1(x))
            return self.fc2(self.hidden)

    tnet = TorchNet().double()
    before = sum(p.numel() for p in tnet.parameters())
    tnet(torch.zeros(1, 4, dtype=torch.float64))
    assert sum(p.numel() for p in tnet.parameters()) == before == len(net.parameters())


@pytest.mark.parametrize("compiled", [None, True, False])
def test_fit_trains_a_module_that_keeps_its_intermediates_as_one_that_does_not(compiled):
    # Its op nodes were "parameters": compiled=True refused them ("not a leaf") and the default
    # fell back to the scalar path, an SGD's step moving stale op nodes' data.
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(30, 4)), rng.integers(0, 3, size=30)
    net = CachingNet()
    net(X[0])
    history = nn.fit(net, X, y, loss=nn.cross_entropy, epochs=3, batch_size=10, lr=0.1, shuffle=False,
                     progress=False, compiled=compiled)
    plain = nn.Sequential(nn.Linear(4, 5, seed=0), nn.ReLU(), nn.Linear(5, 3, seed=1))
    expected = nn.fit(plain, X, y, loss=nn.cross_entropy, epochs=3, batch_size=10, lr=0.1, shuffle=False,
                      progress=False, compiled=compiled)
    assert np.allclose(history.loss, expected.loss, rtol=1e-12)
    assert np.allclose(net.predict(X), plain.predict(X), rtol=1e-12)


def test_the_default_fit_compiles_a_module_that_keeps_its_intermediates(capsys):
    # Its op nodes were "parameters", which do not compile: fit fell back to the scalar path silently.
    X, y = np.random.default_rng(0).normal(size=(10, 4)), np.arange(10) % 3
    net = CachingNet()
    net(X[0])
    nn.fit(net, X, y, loss=nn.cross_entropy, epochs=1, lr=0.1)
    assert "fit [compiled]" in capsys.readouterr().err


class InputKeepingNet(nn.Module):
    """A forward that keeps its input for a look later (self.last_input = x), as torch users write."""

    def __init__(self):
        self.nin, self.nout = 2, 1
        self.skip = nn.Identity()
        self.lin = nn.Linear(2, 1, seed=0)

    def forward(self, x):
        self.last_input = x
        self.kept = self.skip(x)  # numbers through Identity: the input leaves nn makes of them
        return self.lin(self.kept)[0]


def test_an_input_leaf_a_forward_keeps_is_no_parameter_and_gets_its_gradient_as_in_pytorch():
    # nn.inputs' leaves kept by a forward became parameters lin..., last_input.0, last_input.1:
    # the state dict grew, and a fresh net refused it ("unexpected keys").
    net = InputKeepingNet()
    names = [name for name, _ in net.named_parameters()]
    assert names == ["lin.weight.0.0", "lin.weight.0.1", "lin.bias.0"]
    x = nn.inputs([0.5, -1.5])
    out = net(x)
    assert net.last_input is x and [name for name, _ in net.named_parameters()] == names
    assert list(net.state_dict()) == names and len(net.parameters()) == 3 and "last_input" not in repr(net)
    assert InputKeepingNet().load_state_dict(net.state_dict()) == ([], [])
    out.backward()
    from tests.support import require_torch
    require_torch()
    import torch

    lin = nn.to_torch(net.lin)
    tx = torch.tensor([0.5, -1.5], dtype=torch.float64, requires_grad=True)
    lin(tx).sum().backward()
    assert [xk.grad for xk in x] == pytest.approx(tx.grad.tolist(), rel=1e-15)  # ∂C/∂x_k, as torch's
    assert sum(p.numel() for p in lin.parameters()) == len(net.parameters())


def test_the_input_leaves_nn_makes_of_numbers_are_no_parameters_when_kept():
    net = InputKeepingNet()
    net([0.5, -1.5])  # Identity made x_1, x_2 leaves of the numbers; the forward kept them
    assert [xk.label for xk in net.kept] == ["x_1", "x_2"]
    assert len(net.parameters()) == 3 and len(net.state_dict()) == 3
    assert InputKeepingNet().load_state_dict(net.state_dict()) == ([], [])


@pytest.mark.parametrize("part, loads", [
    ({"0.bias.1": 0.5}, {"0.bias.1": 0.5}),
    ({"0.bias.0": 0.5}, {"0.bias.0": 0.5}),
    ({"2.weight.0.0": 0.5}, {"2.weight.0.0": 0.5}),
    ({"0.weight.0.0": 0.5, "0.weight.0.1": -0.5, "0.weight.0.2": 0.25}, None),
    ("all but 0.weight's row 1", None),
], ids=["a trailing bias", "a leading bias", "one weight", "a row", "all but a row"])
def test_a_state_dict_with_some_of_a_tensors_numbers_is_partial_not_a_size_mismatch(part, loads):
    # Leading entries were refused as a "size mismatch" (shape (1,) in the state dict, (2,)
    # here), the shape being read from the largest index present; trailing ones loaded.
    model = nn.Sequential(nn.Linear(3, 2, seed=0), nn.Tanh(), nn.Linear(2, 1, seed=1))
    before = model.state_dict()
    if part == "all but 0.weight's row 1":
        part = {k: v + 1.0 for k, v in before.items() if not k.startswith("0.weight.1.")}
    loads = loads or part
    with pytest.raises(nn.StateDictError, match="missing keys") as raised:
        model.load_state_dict(part)
    assert not isinstance(raised.value, nn.SizeMismatchError) and model.state_dict() == before
    missing, unexpected = model.load_state_dict(part, strict=False)
    assert unexpected == [] and missing == [k for k in before if k not in part]
    assert model.state_dict() == {**before, **loads}
    mlp = nn.MLP(2, [3, 1], seed=0)
    missing, _ = mlp.load_state_dict({"layers.0.neurons.0.b": 0.5}, strict=False)
    assert mlp.state_dict()["layers.0.neurons.0.b"] == 0.5 and len(missing) == len(mlp.state_dict()) - 1


@pytest.mark.parametrize("strict", [True, False])
def test_a_narrower_models_whole_state_dict_is_still_a_size_mismatch(strict):
    narrow = nn.Sequential(nn.Linear(4, 5, seed=0), nn.ReLU(), nn.Linear(5, 3, seed=1))
    model = nn.Sequential(nn.Linear(4, 6, seed=2), nn.ReLU(), nn.Linear(6, 3, seed=3))
    before = model.state_dict()
    with pytest.raises(nn.SizeMismatchError, match=r"0\.weight: shape \(5, 4\) in the state dict, \(6, 4\)"):
        model.load_state_dict(narrow.state_dict(), strict=strict)
    assert model.state_dict() == before
    from tests.support import require_torch
    require_torch()
    with pytest.raises(RuntimeError, match=r"size mismatch for 0\.weight"):
        nn.to_torch(model).load_state_dict(nn.to_torch(narrow).state_dict(), strict=strict)


def test_a_state_dict_of_0d_tensors_loads_as_their_numbers_as_torch_takes_them():
    # {k: torch.tensor(v)}, a torch user's habit, was refused: "expected a real number ..., got Tensor".
    from tests.support import require_torch
    require_torch()
    import torch

    model = nn.Sequential(nn.Linear(3, 2, seed=0), nn.Tanh(), nn.Linear(2, 1, seed=1))
    other = nn.Sequential(nn.Linear(3, 2, seed=5), nn.Tanh(), nn.Linear(2, 1, seed=6))
    state = {k: torch.tensor(v, dtype=torch.float64) for k, v in other.state_dict().items()}
    state["0.bias.0"].requires_grad_()  # .item() reads one that requires grad too
    assert model.load_state_dict(state) == ([], []) and model.state_dict() == other.state_dict()
    assert model.load_state_dict({**other.state_dict(), "2.bias.0": np.array(0.25)}) == ([], [])
    assert model.state_dict()["2.bias.0"] == 0.25
    before = model.state_dict()
    with pytest.raises(TypeError, match=r"value of '0\.bias\.1': expected a real number .*got Tensor"):
        model.load_state_dict({**before, "0.bias.1": torch.tensor([0.5])})  # one number, but not 0-d
    with pytest.raises(TypeError, match=r"value of '0\.bias\.1': expected a real number, got bool True"):
        model.load_state_dict({**before, "0.bias.1": torch.tensor(True)})
    with pytest.raises(ValueError, match=r"value of '0\.bias\.1': expected a finite number, got nan"):
        model.load_state_dict({**before, "0.bias.1": torch.tensor(math.nan)})
    assert model.state_dict() == before


def test_a_weight_tied_by_hand_is_one_parameter_of_an_mlp_and_trains_as_torchs():
    """parameters() lists a Value reached twice once, as named_parameters() does and as
    PyTorch lists a shared Parameter once: an optimizer takes it (it refuses a list with a
    repeat) and steps it once, as torch steps the tied model to_torch makes."""
    from tests.support import require_torch
    require_torch()
    import torch
    model = nn.MLP(2, [2, 2, 1], seed=0)
    for first, second in zip(model.layers[0].neurons, model.layers[1].neurons):
        second.w = list(first.w)  # layer 2's weights tied by hand to layer 1's, whole
    assert model.parameters() == [p for _, p in model.named_parameters()]
    assert len(model.parameters()) == len(set(model.parameters())) == 4 + 2 + 2 + 2 + 1
    within = nn.Layer(2, 2, seed=0)
    within.neurons[0].w[1] = within.neurons[0].w[0]  # and one within a neuron
    assert len(within.neurons[0].parameters()) == 2 and len(within.parameters()) == 5
    twin = nn.to_torch(model).double()
    assert sum(p.numel() for p in twin.parameters()) == len(model.parameters()) == 11
    optimizer, torch_optimizer = nn.SGD(model.parameters(), lr=0.1), torch.optim.SGD(twin.parameters(), lr=0.1)
    for x, y in [([1.0, 2.0], 0.5), ([-1.0, 0.5], -0.25), ([0.3, -2.0], 1.0)]:
        optimizer.zero_grad()
        nn.mse(model(x), [y]).backward()
        optimizer.step()
        torch_optimizer.zero_grad()
        torch.nn.functional.mse_loss(twin(torch.tensor([x], dtype=torch.float64)), torch.tensor([[y]], dtype=torch.float64)).backward()
        torch_optimizer.step()
    ours = [p.data for p in model.parameters()]
    theirs = torch.cat([p.detach().flatten() for p in twin.parameters()]).tolist()
    assert sorted(ours) == pytest.approx(sorted(theirs), rel=1e-13, abs=1e-15)


@pytest.mark.parametrize("flag", ["no", 0, 1, None, [], "False"])
def test_elementary_is_a_flag_like_every_other(flag):
    # bool("no") is True: MLP(elementary="no") built the elementary graph it was told not to
    for build, who in [(lambda: nn.MLP(2, [3, 1], elementary=flag), "MLP"),
                       (lambda: nn.Layer(2, 3, elementary=flag), "Layer"),
                       (lambda: nn.Neuron(2, elementary=flag), "Neuron")]:
        with pytest.raises(TypeError, match=rf"{who} elementary: expected True or False, got {type(flag).__name__}"):
            build()
    assert nn.MLP(2, [1], elementary=np.True_).elementary is True


@pytest.mark.parametrize("number, error", [("x", TypeError), (2.5, TypeError), (True, TypeError),
                                            (0, ValueError), (-1, ValueError)])
def test_a_layer_or_neuron_number_must_be_an_int_from_1(number, error):
    with pytest.raises(error, match=r"Layer layer: expected an int >= 1 \(or None: unnumbered\)"):
        nn.Layer(2, 1, layer=number)
    with pytest.raises(error, match=r"Neuron layer: expected an int >= 1"):
        nn.Neuron(2, layer=number)
    with pytest.raises(error, match=r"Neuron index: expected an int >= 1"):
        nn.Neuron(2, index=number)
    assert [p.label for p in nn.Neuron(2, layer=3, index=2).parameters()] == ["w(3)_2,1", "w(3)_2,2", "b(3)_2"]


def test_apply_calls_the_function_children_first_as_torch_does():
    from tests.support import require_torch
    require_torch()
    import torch
    theirs = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Sequential(torch.nn.Tanh(), torch.nn.Linear(3, 1)))
    ours = nn.Sequential(nn.Linear(2, 3), nn.Sequential(nn.Tanh(), nn.Linear(3, 1)))
    met_theirs, met_ours = [], []
    theirs.apply(lambda m: met_theirs.append(type(m).__name__))
    assert ours.apply(lambda m: met_ours.append(type(m).__name__)) is ours
    assert met_ours == met_theirs == ["Linear", "Tanh", "Linear", "Sequential", "Sequential"]


def test_apply_initialises_weights_as_a_torch_init_function_does():
    model = nn.MLP(2, [3, 1], seed=0)

    def zero_biases(module):
        if isinstance(module, nn.Neuron):
            module.b.data = 0.0
    model.apply(zero_biases)
    assert all(neuron.b.data == 0.0 for layer in model.layers for neuron in layer.neurons)
    with pytest.raises(TypeError, match="MLP.apply: expected a function of a module, got int 3"):
        model.apply(3)


def test_a_model_seeded_with_a_numpy_generator_draws_from_it_as_numpy_does():
    # default_rng(generator) is that generator: a model given one draws its weights from it,
    # so two models from one generator differ and a re-made generator repeats them
    weights = [p.data for p in nn.MLP(3, [4, 2], seed=np.random.default_rng(7)).parameters()]
    assert weights == [p.data for p in nn.MLP(3, [4, 2], seed=7).parameters()]
    shared = np.random.default_rng(7)
    first, second = nn.MLP(3, [4, 2], seed=shared), nn.MLP(3, [4, 2], seed=shared)
    assert [p.data for p in first.parameters()] == weights
    assert [p.data for p in second.parameters()] != weights
    assert [p.data for p in nn.Linear(3, 2, seed=np.random.default_rng(1)).parameters()] == \
        [p.data for p in nn.Linear(3, 2, seed=1).parameters()]
    with pytest.raises(TypeError, match=r"^seed: expected an int, None or a numpy\.random\.Generator, got str"):
        nn.MLP(3, [4], seed="7")
