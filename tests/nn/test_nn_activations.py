"""nn's one registry of activations is the op table's: every op flagged as an activation there,
plus linear (z itself, or k z) and softmax (a whole layer), which are not ops of their own."""

import math

import pytest

import nn
from autograd import Value
from autograd.ops import ACTIVATIONS as ACTIVATION_OPS
from autograd.ops import OPS


def test_the_registry_is_the_tables_activations_and_nns_two():
    assert set(nn.ACTIVATIONS) == set(ACTIVATION_OPS) | {"linear", "softmax"}
    for name in ACTIVATION_OPS:  # a table op's one constant is the notes' k, 0 by default
        assert nn.ACTIVATIONS[name] == (0.0 if OPS[name].consts else None)


@pytest.mark.parametrize("name", ACTIVATION_OPS)
def test_each_table_activation_is_one_node_of_its_op(name):
    z = Value(0.3, label="z")
    a = nn.Activation(name)(z)
    assert a.op == name and a.parents == (z,)
    assert a.data == getattr(Value(0.3), name)().data


def test_a_constant_of_the_table_is_k():
    a = nn.Activation("step", 0.5)(Value(0.4))
    assert a.op == "step" and a.consts == {"threshold": 0.5} and a.data == 0.0
    assert nn.Activation("step").k == 0.0 and nn.Activation("step", 0.5).describe() == "step(k=0.5)"


def test_linear_and_softmax_are_nns_own():
    z = Value(2.0)
    assert nn.Activation("linear")(z) is z
    assert nn.Activation("linear", 3.0)(z).data == 6.0
    with pytest.raises(ValueError, match="softmax maps a whole layer"):
        nn.Activation("softmax")(z)
    assert nn.Activation("softmax").layerwise and not nn.Activation("tanh").layerwise
    assert not nn.Activation("step").learns and nn.Activation("relu").learns


def test_a_softmax_layer_is_autograd_softmax_of_its_z():
    layer = nn.Layer(2, 3, "softmax", seed=0)
    outs = layer([0.5, -1.0])
    zs = [neuron.weighted_input([0.5, -1.0]) for neuron in layer.neurons]
    exp = [math.exp(z.data) for z in zs]
    assert [o.data for o in outs] == pytest.approx([e / sum(exp) for e in exp], rel=1e-15)
    assert [o.label for o in outs] == ["a_1", "a_2", "a_3"]
