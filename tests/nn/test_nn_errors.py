"""Every bad input to nn raises an error of the right type that names the culprit and what was expected."""

import math

import numpy as np
import pytest

import nn
from nn.datasets import two_moons
from autograd import Value

model = nn.MLP(3, [4, 2], seed=0)
binary = nn.MLP(2, [3, 1], seed=0)
HUGE = 10 ** 400  # an int no float can hold
X2, y2 = np.array([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]), np.array([1.0, 1.0, 0.0])


def fit(**overrides):
    arguments = dict(model=binary, X=X2, y=y2, loss=nn.mse, epochs=1, lr=0.1, progress=False)
    arguments.update(overrides)
    return nn.fit(arguments.pop("model"), arguments.pop("X"), arguments.pop("y"), **arguments)


CASES = {
    # --- one example into a model
    "input too short": (lambda: model([1.0, 2.0]), ValueError, "expected 3 inputs, got 2"),
    "input too long": (lambda: model(np.zeros(4)), ValueError, "expected 3 inputs, got 4"),
    "input not numeric": (lambda: model([1.0, "2", 3.0]), TypeError, "input x_2: expected a real number"),
    "input None": (lambda: model([1.0, None, 3.0]), TypeError, "input x_2"),
    "input nan": (lambda: model([1.0, 2.0, math.nan]), ValueError, "input x_3: expected a finite number, got nan"),
    "input inf": (lambda: model([math.inf, 2.0, 3.0]), ValueError, "input x_1: expected a finite number"),
    "input 2-D": (lambda: model(np.zeros((2, 3))), ValueError, r"shape \(2, 3\).*predict"),
    "input a dict": (lambda: model({"a": 1}), TypeError, "expected a list, tuple or 1-D numpy array of 3"),
    "neuron input": (lambda: nn.Neuron(2, seed=0)([1.0]), ValueError, "Neuron.*expected 2 inputs, got 1"),
    # --- data sets
    "X and y lengths": (lambda: fit(y=y2[:2]), ValueError, "X has 3 examples but y has 2 targets"),
    "empty X": (lambda: fit(X=[], y=[]), ValueError, "data set is empty"),
    "X wrong width": (lambda: fit(X=np.zeros((3, 3))), ValueError, r"expected shape \(N, 2\).*got \(3, 3\)"),
    "X ragged": (lambda: fit(X=[[0.0, 1.0], [1.0], [1.0, 1.0]]), ValueError, "different lengths"),
    "X text": (lambda: fit(X=[["0", "1"]] * 3), TypeError, r"real numbers only, got str '0' at \[0, 0\]"),
    "X one text entry among numbers": (lambda: fit(X=[[0.0, 1.0], [1.0, "a"], [1.0, 1.0]]), TypeError,
                                       r"fit X: expected real numbers only, got str 'a' at \[1, 1\]"),
    "X None entry": (lambda: fit(X=[[0.0, 1.0], [1.0, 1.0], [None, 1.0]]), TypeError,
                     r"got NoneType None at \[2, 0\]"),
    "X nan": (lambda: fit(X=np.array([[0.0, 1.0], [1.0, np.nan], [1.0, 1.0]])), ValueError,
              "example 1, input x_2 is nan"),
    "y nan": (lambda: fit(y=[1.0, math.nan, 0.0]), ValueError, r"y\[1\].*finite"),
    "y text": (lambda: fit(y=["1", "1", "0"]), TypeError, r"y\[0\]"),
    "y not a sequence": (lambda: fit(y=5), TypeError, "sequence of 3 targets"),
    "class index out of range": (lambda: fit(model=model, X=np.zeros((3, 3)), y=[0, 2, 1], loss=nn.cross_entropy),
                                 IndexError, r"y\[1\].*class index 2 is out of range for 2 classes"),
    "predict empty": (lambda: model.predict(np.zeros((0, 3))), ValueError, "empty"),
    "accuracy mismatch": (lambda: nn.accuracy(binary, X2, y2[:1]), ValueError, "3 examples but y has 1"),
    "validation mismatch": (lambda: fit(validation=(X2, y2[:2])), ValueError, "validation.*3 examples but y has 2"),
    # --- names and settings
    "unknown activation": (lambda: nn.MLP(2, [3], activation="swish"), ValueError,
                           "unknown activation 'swish'; expected one of 'linear', 'tanh', 'sigmoid', 'relu', 'step', "
                           "'softmax'"),
    "activation not a name": (lambda: nn.MLP(2, [3], activation=3), TypeError, "activation: expected a name"),
    "k for tanh": (lambda: nn.MLP(2, [3], activation=("tanh", 2.0)), ValueError, "'tanh' takes no constant k"),
    "k nan": (lambda: nn.MLP(2, [3], activation=("step", math.nan)), ValueError, "'step': k: expected a finite number"),
    "softmax in a hidden layer": (lambda: nn.MLP(2, [3, 2], activation="softmax"), ValueError,
                                  "layer 0: softmax is only for the output layer"),
    "softmax neuron": (lambda: nn.Neuron(2, "softmax"), ValueError, "softmax maps a whole layer"),
    "activation list length": (lambda: nn.MLP(2, [3, 1], activation=["tanh"]), ValueError, "1 entries for 2 layers"),
    "list and output_activation": (lambda: nn.MLP(2, [1], ["tanh"], "linear"), ValueError, "must not be given too"),
    "one activation per layer as a pair": (lambda: nn.MLP(2, [3, 1], activation=("relu", "sigmoid")), TypeError,
                                           r"for one activation per layer pass a list, "
                                           r"e\.g\. activation=\['relu', 'sigmoid'\]"),
    "softmax over one output": (lambda: nn.MLP(2, [3, 1], output_activation="softmax"), ValueError,
                                r"^softmax layer 3 has 1 neuron: .*always 1, with zero gradient.*sigmoid"
                                r".*bce_with_logits"),
    "softmax layer of one": (lambda: nn.Layer(2, 1, "softmax"), ValueError, "^softmax layer has 1 neuron"),
    "neuron weights without bias": (lambda: nn.Neuron(2, weights=[1.0, 2.0]), TypeError,
                                    "give both weights= and bias="),
    "neuron weights too many": (lambda: nn.Neuron(2, weights=[1.0, 2.0, 3.0], bias=0.0), ValueError,
                                r"Neuron weights: expected shape \(2,\), got \(3,\)"),
    "neuron weight text": (lambda: nn.Neuron(2, weights=[1.0, "2"], bias=0.0), TypeError,
                           "Neuron weights: expected real numbers"),
    "neuron bias nan": (lambda: nn.Neuron(2, weights=[1.0, 2.0], bias=math.nan), ValueError,
                        "Neuron bias: expected a finite number, got nan"),
    "misspelt loss option": (lambda: nn.mse.with_options(halff=True), TypeError,
                             "mse.with_options: unknown option 'halff'; it takes 'half'"),
    "option of another loss": (lambda: nn.bce.with_options(half=True), TypeError,
                               "bce.with_options: unknown option 'half'; it takes no options"),
    "unknown init": (lambda: nn.MLP(2, [3], init="glorot"), ValueError,
                     "unknown init 'glorot'; expected one of 'uniform', 'normal', 'xavier', 'he'"),
    "unknown bias_init": (lambda: nn.MLP(2, [3], bias_init="ones"), ValueError, "unknown bias_init 'ones'"),
    "bias_init nan": (lambda: nn.MLP(2, [3], bias_init=math.nan), ValueError, "bias_init: expected a finite"),
    "nin zero": (lambda: nn.MLP(0, [3]), ValueError, "MLP nin: expected an int >= 1, got 0"),
    "nouts empty": (lambda: nn.MLP(2, []), TypeError, "non-empty list of layer widths"),
    "nouts zero": (lambda: nn.MLP(2, [3, 0]), ValueError, r"nouts\[1\]: expected an int >= 1"),
    "nouts float": (lambda: nn.MLP(2, [3.0]), TypeError, r"nouts\[0\]: expected an int"),
    "seed float": (lambda: nn.MLP(2, [3], seed=1.5), TypeError, "seed: expected an int"),
    "unknown loss": (lambda: fit(loss="l1"), ValueError, "unknown loss 'l1'"),
    # --- fit settings
    "lr zero": (lambda: fit(lr=0.0), ValueError, "learning rate lr must be > 0, got 0.0"),
    "lr negative": (lambda: fit(lr=-0.5), ValueError, "learning rate lr must be > 0, got -0.5"),
    "lr and optimizer": (lambda: fit(optimizer=nn.SGD(binary.parameters(), 0.1)), ValueError, "not both"),
    "neither lr nor optimizer": (lambda: fit(lr=None), ValueError, "give a learning rate lr"),
    "foreign optimizer": (lambda: fit(lr=None, optimizer=nn.SGD([Value(1.0)], 0.1)), ValueError,
                          "does not hold 13 of the model's parameters"),
    "epochs zero": (lambda: fit(epochs=0), ValueError, "fit epochs: expected an int >= 1, got 0"),
    "batch_size zero": (lambda: fit(batch_size=0), ValueError, "fit batch_size: expected an int >= 1, got 0"),
    "batch_size float": (lambda: fit(batch_size=2.5), TypeError, "fit batch_size: expected an int"),
    "callback": (lambda: fit(callback=3), TypeError, "callback"),
    "compiled": (lambda: fit(compiled="yes"), TypeError, "compiled"),
    # --- ints too large for a float: every public number goes through one check that names it
    "huge input": (lambda: model([1.0, HUGE, 3.0]), ValueError, "MLP: input x_2: .*int too large for a float"),
    "huge input leaf": (lambda: nn.inputs([HUGE]), ValueError, "inputs: input x_1: .*int too large"),
    "huge Value input": (lambda: model([Value(1.0), HUGE, 3.0]), ValueError, "input x_2: .*int too large"),
    "huge neuron bias": (lambda: nn.Neuron(2, weights=[1.0, 2.0], bias=HUGE), ValueError,
                         "Neuron bias: .*int too large"),
    "huge neuron weight": (lambda: nn.Neuron(2, weights=[1.0, HUGE], bias=0.0), ValueError,
                           r"Neuron weights at \[1\]: .*int too large"),
    "huge bias_init": (lambda: nn.MLP(2, [3], bias_init=HUGE), ValueError, "bias_init: .*int too large"),
    "huge k": (lambda: nn.MLP(2, [3], activation=("step", HUGE)), ValueError, "'step': k: .*int too large"),
    "huge k of an Activation": (lambda: nn.Activation("linear", -HUGE), ValueError, "'linear': k: .*int too large"),
    "huge X": (lambda: fit(X=[[0.0, 1.0], [HUGE, 0.0], [1.0, 1.0]]), ValueError,
               r"fit X at \[1, 0\]: .*int too large"),
    "huge y": (lambda: fit(y=[1, HUGE, 0]), ValueError, r"fit y\[1\]: mse: target: .*int too large"),
    "huge class index": (lambda: fit(model=model, X=np.zeros((3, 3)), y=[0, HUGE, 1], loss=nn.cross_entropy),
                         ValueError, r"y\[1\]: cross_entropy: target: .*int too large"),
    "huge one-hot entry": (lambda: nn.cross_entropy([Value(0.0), Value(1.0)], [HUGE, 0]), ValueError,
                           "cross_entropy: target: .*int too large"),
    "huge target": (lambda: nn.bce(Value(0.5), HUGE), ValueError, "bce: target: .*int too large"),
    "huge prediction": (lambda: nn.mse(HUGE, 1.0), ValueError, "mse: prediction: .*int too large"),
    "huge lr": (lambda: fit(lr=HUGE), ValueError, "learning rate lr: .*int too large.*must be > 0"),
    "huge SGD momentum": (lambda: nn.SGD(binary.parameters(), 0.1, momentum=HUGE), ValueError,
                          "SGD momentum: .*int too large"),
    "huge SGD weight_decay": (lambda: nn.SGD(binary.parameters(), 0.1, weight_decay=HUGE), ValueError,
                              "SGD weight_decay: .*int too large"),
    "huge Adam lr": (lambda: nn.Adam(binary.parameters(), lr=HUGE), ValueError, "Adam learning rate lr: .*too large"),
    "huge Adam beta": (lambda: nn.Adam(binary.parameters(), betas=(0.9, HUGE)), ValueError,
                       r"Adam β2 \(betas\[1\]\): .*int too large"),
    "huge Adam eps": (lambda: nn.Adam(binary.parameters(), eps=HUGE), ValueError, "Adam eps: .*int too large"),
    "huge l2 strength": (lambda: nn.l2(binary.parameters(), HUGE), ValueError, "l2 strength: .*int too large"),
    "huge state": (lambda: binary.load_state_dict({**binary.state_dict(), "layers.1.neurons.0.b": HUGE}),
                   ValueError, "load_state_dict: value of 'layers.1.neurons.0.b': .*int too large"),
    "huge weights": (lambda: binary.set_weights([(np.zeros((3, 2)).tolist(), [0, HUGE, 0]), binary.weights()[1]]),
                     ValueError, r"set_weights: layer 0 b at \[1\]: .*int too large"),
    "huge predict": (lambda: binary.predict([[HUGE, 1]]), ValueError, r"predict X at \[0, 0\]: .*int too large"),
    "huge accuracy y": (lambda: nn.accuracy(binary, X2, [0, 1, -HUGE], loss=nn.bce), ValueError,
                        r"accuracy y\[2\]: bce: target: .*int too large"),
    "seed negative": (lambda: nn.MLP(2, [3], seed=-1), ValueError, "seed: expected an int >= 0 or None, got -1"),
    "layer too wide": (lambda: nn.MLP(HUGE, [3]), ValueError, "layer of 3 neurons with about 10\\^400 inputs"),
    "layer too big": (lambda: nn.Layer(10 ** 7, 10 ** 7), MemoryError, "layer of 10,000,000 neurons with 10,000,000"),
    "moons noise huge": (lambda: two_moons(10, noise=HUGE), ValueError, "two_moons noise: .*int too large"),
    "moons noise nan": (lambda: two_moons(10, noise=math.nan), ValueError, "two_moons noise: expected a finite"),
    "moons noise text": (lambda: two_moons(10, noise="0.1"), TypeError, "two_moons noise: expected a real number"),
    "huge accuracy y, no loss": (lambda: nn.accuracy(binary, X2, [0, 1, HUGE]), ValueError,
                                 r"accuracy y\[2\]: .*int too large"),
    "text accuracy y, no loss": (lambda: nn.accuracy(binary, X2, [0, "1", 1]), TypeError,
                                 r"accuracy y\[1\]: expected a real number"),
    "huge validation": (lambda: fit(validation=(X2, [0, HUGE, 1])), ValueError, r"validation y\[1\]: .*too large"),
}


@pytest.mark.parametrize("case", CASES)
def test_bad_input_raises_a_clear_error(case):
    call, error, culprit = CASES[case]
    before = binary.state_dict()
    with pytest.raises(error, match=culprit):
        call()
    assert binary.state_dict() == before  # a refused fit changes nothing


@pytest.mark.parametrize("call, error, message", [
    (lambda: nn.fit(nn.MLP(2, [1], seed=0), [[0.0, 1.0]], [1.0], loss=nn.CrossEntropyLoss, epochs=1, lr=0.1,
                    progress=False), TypeError, r"loss=CrossEntropyLoss is the class; pass an instance"),
    (lambda: nn.SGD(Value(1.0), 0.1), TypeError, r"SGD: params must be an iterable of Values"),
    (lambda: nn.Adam(3), TypeError, r"Adam: params must be an iterable of Values"),
])
def test_a_loss_class_and_bad_params_are_named_not_raw_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()


HINT = (r"; for many examples: to train, \[model\(x\) for x in X\] \(Values, with a graph\); "
        r"for numbers, model\.predict\(X\)$")


@pytest.mark.parametrize("make", [lambda: nn.MLP(2, [3, 1], seed=0), lambda: nn.Linear(2, 1, seed=0),
                                  lambda: nn.Sequential(nn.Linear(2, 3, seed=0), nn.Tanh(), nn.Linear(3, 1, seed=1)),
                                  lambda: nn.Sequential(nn.Tanh(), nn.Linear(2, 1, seed=1))],
                         ids=["MLP", "Linear", "Sequential", "Sequential-activation-first"])
@pytest.mark.parametrize("batch", [[[0, 0], [1, 1]], ([0.0, 1.0],), [np.zeros(2)] * 4, [[0.0, 1.0, 2.0]] * 2],
                         ids=["list of lists", "tuple of one list", "list of arrays", "rows of another width"])
def test_a_batch_given_as_nested_lists_gets_the_many_examples_hint_as_an_array_does(make, batch):
    # A list of lists got "input x_1: expected a real number ..., got list [0, 0]", an
    # array of the same rows the hint to run many examples.
    model = make()
    with pytest.raises(ValueError, match=r"got an array of shape \(2, 2\)" + HINT) as as_array:
        model(np.zeros((2, 2)))
    with pytest.raises(ValueError, match=r"got a (list|tuple) of (\d rows|1 row), the first .{3,}" + HINT) as as_list:
        model(batch)
    assert str(as_list.value).split(" got ")[0] == str(as_array.value).split(" got ")[0]
    with pytest.raises(ValueError, match=r"^inputs: expected one example, .* got a list of 2 rows, "
                                         r"the first \[0\.5, 1\.0\]" + HINT):
        nn.inputs([[0.5, 1.0], [1.0, 2.0]])
    with pytest.raises(TypeError, match=r"input x_2: expected a real number .*got list"):
        model([0.5, [1.0]])  # an example with a stray list in it is no batch


def test_a_culprit_in_a_message_is_cut_at_whole_entries_and_closed():
    # Cut at 40 or 60 characters, the first row read "[1.0125730221093394, -0.0132104863291301"
    # (no bracket) and a longer one ended mid-number.
    model = nn.MLP(2, [1], seed=0)
    with pytest.raises(ValueError, match=r"the first \[1\.0125730221093394, -0\.0132104863291301\]" + HINT):
        model([[1.0125730221093394, -0.0132104863291301], [0.5, 0.5], [0.1, 0.2]])
    with pytest.raises(ValueError, match=r"the first \[0\.0, 1\.0, 2\.0, 3\.0, \.\.\.\]" + HINT):
        model([np.arange(64.0)] * 3)
    with pytest.raises(TypeError, match=r"got dict \{1: 1\.1234567890123457, 2: 2\.1234567890123457, "
                                        r"3: 3\.1234567890123457, 4: 4\.123456789012345, \.\.\.\}$"):
        model({k: k + 0.1234567890123456 for k in range(1, 6)})
    with pytest.raises(TypeError, match=r"^MLP\.predict X: expected real numbers only, got dict "
                                        r"\{1: 0\.1234567890123456, 2: 2\.234567890123457\} at \[0, 1\]$"):
        model.predict([[0.5, {1: 0.1234567890123456, 2: 2.234567890123457}]] * 3)


def test_predict_of_a_zero_d_array_or_tensor_says_it_wants_examples():
    """len() of a 0-d array raised Python's own "len() of unsized object"."""
    model = nn.MLP(2, [1], seed=0)
    with pytest.raises(TypeError, match=r"^MLP\.predict X: expected a sequence of examples .*got a 0-d ndarray"):
        model.predict(np.array(2.0))
    from tests.support import require_torch
    require_torch()
    import torch
    with pytest.raises(TypeError, match=r"^MLP\.predict X: expected a sequence of examples .*got a 0-d Tensor"):
        model.predict(torch.tensor(2.0))
