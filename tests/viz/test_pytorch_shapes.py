"""A network built from PyTorch's shapes (nn.Sequential of nn.Linear and activation modules) draws
and steps exactly as the nn.MLP it mirrors: the same picture, the same steps, the notes' labels."""

import pytest

import nn
import viz


def twins(output):
    mlp = nn.MLP(4, [2, 3, 2 if output == "softmax" else 1], "sigmoid",
                 output_activation=None if output == "linear" else output, seed=0)
    last = {"linear": [], "sigmoid": [nn.Sigmoid()], "softmax": [nn.Softmax()]}[output]
    seq = nn.Sequential(nn.Linear(4, 2), nn.Sigmoid(), nn.Linear(2, 3), nn.Sigmoid(),
                        nn.Linear(3, mlp.nout), *last)
    for layer, (W, b) in zip(list(seq)[::2], mlp.weights()):
        layer.set_weights(W, b)
    return mlp, seq


def loss_of(model, inputs_as_leaves):
    x = [0.1, 0.2, 0.3, 0.4]
    out = model(nn.inputs(x) if inputs_as_leaves else x)
    C = nn.mse(out, [0.5] * model.nout, half=True)
    C.label = "C"
    C.backward()
    return C


@pytest.mark.parametrize("output", ["linear", "sigmoid", "softmax"])
@pytest.mark.parametrize("inputs_as_leaves", [False, True])
def test_a_sequential_draws_and_steps_as_its_mlp(output, inputs_as_leaves):
    mlp, seq = twins(output)
    c_mlp, c_seq = loss_of(mlp, inputs_as_leaves), loss_of(seq, inputs_as_leaves)
    for collapse in (None, "neuron", "layer"):
        assert (viz.to_dot(c_seq, parameters=seq.parameters(), collapse=collapse)
                == viz.to_dot(c_mlp, parameters=mlp.parameters(), collapse=collapse))
    steps_seq, steps_mlp = viz.backward_steps(c_seq, parameters=seq), viz.backward_steps(c_mlp, parameters=mlp)
    assert [s.text for s in steps_seq] == [s.text for s in steps_mlp]
    assert any("(BP3)" in s.text for s in steps_seq)  # stepped in the notes' terms
    labels = viz.to_dot(c_seq, parameters=seq.parameters())
    for name in ("w(2)_1,4", "b(3)_3", "z(4)_1", "a(3)_2"):
        assert name in labels
