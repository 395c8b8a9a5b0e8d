"""Every public number nn takes goes through one check: a bad number gets an error of the right
type that names the argument, whichever argument it is (never Python's bare OverflowError).

The table below lists nn's public numeric arguments; each is tried with every kind of bad
number. A value that means something else for an argument (a str is a scheme name for
bias_init; None means "the default k") is left out for it, by name.
"""

import math
import re

import numpy as np
import pytest

import nn
from autograd import Value
from nn.datasets import two_moons

model = nn.MLP(3, [4, 2], seed=0)
binary = nn.MLP(2, [3, 1], seed=0)
X2, y2 = np.array([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]), np.array([1.0, 1.0, 0.0])

BAD = {  # a bad number, and the error it must raise
    "int too large": (10 ** 400, ValueError),
    "negative int too large": (-10 ** 400, ValueError),
    "nan": (math.nan, ValueError),
    "inf": (math.inf, ValueError),
    "text": ("1", TypeError),
    "None": (None, TypeError),
    "complex": (1j, TypeError),
    "bool": (True, TypeError),
}
DATA = {"bool"}  # in a data set (X, y) a bool is the number 0 or 1, as in numpy and scikit-learn


def fit(**overrides):
    arguments = dict(X=X2, y=y2, loss=nn.mse, epochs=1, lr=0.1, progress=False)
    arguments.update(overrides)
    return nn.fit(binary, arguments.pop("X"), arguments.pop("y"), **arguments)


ARGUMENTS = {  # name: (call with the bad number v, what the message must name, bad kinds left out)
    "an input": (lambda v: model([1.0, v, 3.0]), r"MLP: input x_2", ()),
    "an input leaf": (lambda v: nn.inputs([0.5, v]), r"inputs: input x_2", ()),
    "a neuron's weight": (lambda v: nn.Neuron(2, weights=[1.0, v], bias=0.0), r"Neuron weights", {"bool"}),
    "a neuron's bias": (lambda v: nn.Neuron(2, weights=[1.0, 2.0], bias=v), r"bias", ()),
    "a layer's weights": (lambda v: binary.layers[1].set_weights([[1.0, v, 2.0]], [0.0]), r"set_weights W",
                          {"bool"}),
    "bias_init": (lambda v: nn.MLP(2, [3], bias_init=v), r"bias_init", {"text"}),
    "a step's k": (lambda v: nn.MLP(2, [3], activation=("step", v)), r"activation 'step': k", {"None", "text"}),
    "a linear k": (lambda v: nn.Activation("linear", v), r"activation 'linear': k", {"None", "text"}),
    "a target": (lambda v: nn.mse(Value(1.0), v), r"mse: target", ()),
    "a probability target": (lambda v: nn.bce(Value(0.5), v), r"bce: target", ()),
    "a class index": (lambda v: nn.cross_entropy([Value(0.0), Value(1.0)], v), r"cross_entropy", ()),
    "a one-hot entry": (lambda v: nn.nll([Value(0.5), Value(0.5)], [v, 1.0]), r"nll: target", ()),
    "a prediction": (lambda v: nn.mse(v, 1.0), r"mse: prediction", ()),
    "SGD lr": (lambda v: nn.SGD(binary.parameters(), lr=v), r"SGD learning rate lr", ()),
    "SGD momentum": (lambda v: nn.SGD(binary.parameters(), 0.1, momentum=v), r"SGD momentum", ()),
    "SGD weight_decay": (lambda v: nn.SGD(binary.parameters(), 0.1, weight_decay=v), r"SGD weight_decay", ()),
    "Adam lr": (lambda v: nn.Adam(binary.parameters(), lr=v), r"Adam learning rate lr", ()),
    "Adam β1": (lambda v: nn.Adam(binary.parameters(), betas=(v, 0.999)), r"Adam β1", ()),
    "Adam β2": (lambda v: nn.Adam(binary.parameters(), betas=(0.9, v)), r"Adam β2", ()),
    "Adam eps": (lambda v: nn.Adam(binary.parameters(), eps=v), r"Adam eps", ()),
    "Adam weight_decay": (lambda v: nn.Adam(binary.parameters(), weight_decay=v), r"Adam weight_decay", ()),
    "an lr set later": (lambda v: setattr(nn.SGD(binary.parameters(), 0.1), "lr", v), r"learning rate lr", ()),
    "fit's lr": (lambda v: fit(lr=v), r"learning rate lr", {"None"}),  # None: not given
    "l2 strength": (lambda v: nn.l2(binary.parameters(), v), r"l2 strength", ()),
    "a state dict value": (lambda v: binary.load_state_dict({**binary.state_dict(), "layers.0.neurons.2.w.1": v}),
                           r"load_state_dict: value of 'layers\.0\.neurons\.2\.w\.1'", ()),
    "an entry of X": (lambda v: fit(X=[[0.0, 1.0], [1.0, v], [1.0, 1.0]]), r"fit X", DATA),
    "an entry of y": (lambda v: fit(y=[1.0, v, 0.0]), r"fit y\[1\]: mse: target", DATA),
    "a validation target": (lambda v: fit(validation=(X2, [1.0, v, 0.0])), r"fit validation y\[1\]", DATA),
    "an entry to predict": (lambda v: binary.predict([[0.0, 1.0], [v, 1.0]]), r"MLP\.predict X", DATA),
    "an accuracy target": (lambda v: nn.accuracy(binary, X2, [1.0, v, 0.0]), r"accuracy y\[1\]", DATA),
    "two_moons noise": (lambda v: two_moons(10, noise=v), r"two_moons noise", ()),
}

CASES = [(argument, bad) for argument, (_, _, left_out) in ARGUMENTS.items() for bad in BAD if bad not in left_out]


@pytest.mark.parametrize("argument, bad", CASES)
def test_a_bad_number_is_refused_by_name(argument, bad):
    call, culprit, _ = ARGUMENTS[argument]
    value, error = BAD[bad]
    before = (model.state_dict(), binary.state_dict())
    with pytest.raises(error) as caught:
        call(value)
    assert re.search(culprit, str(caught.value)), str(caught.value)
    assert not isinstance(caught.value, OverflowError)
    assert (model.state_dict(), binary.state_dict()) == before  # nothing was written


def test_an_int_that_fits_a_float_is_taken_exactly_as_float_takes_it():
    big = 2 ** 80
    assert model([big, 0, 0])[0].data == model([float(big), 0.0, 0.0])[0].data
    assert nn.Activation("linear", big).k == float(big)
    assert nn.SGD(binary.parameters(), lr=big).lr == float(big)
    assert nn.mse(Value(0.0), big).data == float(big) ** 2
