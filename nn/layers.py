"""Neurons, layers and multi-layer perceptrons made of `autograd.Value`s.

One neuron j of layer l, in the notes' notation (the input layer is layer 1):

    z(l)_j = Σ_k w(l)_j,k a(l-1)_k + b(l)_j      ONE `dot` node (its bias is its last parent)
    a(l)_j = σ(z(l)_j)                          ONE activation node

and every node is labelled so: `w(l)_j,k`, `b(l)_j`, `z(l)_j`, `a(l)_j`. An example given as
numbers is data, as in PyTorch: the first layer's dot nodes keep x as constants (op
"dot_data") and backward spends nothing on it. `model(nn.inputs(x))` makes the inputs leaves
labelled `x_k` instead, to draw them and get ∂C/∂x_k. `elementary=True` builds z from `*`
and `+` nodes, to trace the arithmetic itself (its inputs are always x_k leaves).

Parameter names (PyTorch style, 0-based) map onto the notes' indices (1-based) as

    layers.i.neurons.j.w.k   ->   w(i+2)_j+1,k+1
    layers.i.neurons.j.b     ->   b(i+2)_j+1
"""

import numbers
from itertools import chain

import numpy as np

import autograd
from autograd import Value
from autograd.checks import as_count, as_flag, as_int

from .activations import MICROGRAD_NONLIN
from .activations import activation as as_activation
from .data import finite_array, finite_number, input_values
from .init import check_bias_init, check_scheme, generator, layer_parameters
from .module import Module, once_each


def optional_layer(number, what):
    """A layer (or neuron) number of the notes, an int >= 1, or None: it only labels the nodes,
    and 'x', 0 or 2.5 would make labels such as w(x)_1,1 that name no layer."""
    return None if number is None else as_int(number, what, 1, hint=" (or None: unnumbered)")


def _no_nonlin(nonlin, who):
    """micrograd's Neuron(nin, nonlin=...) and Layer(nin, nout, nonlin=...) switch, named with
    what it is here, rather than Python's bare "unexpected keyword argument"."""
    if nonlin is not None:
        raise TypeError(f"{who}: nonlin= is micrograd's keyword; its {MICROGRAD_NONLIN}")


def label(symbol, layer=None, neuron=None, k=None):
    """The notes' name of a node: label("w", 2, 1, 3) == "w(2)_1,3", label("z") == "z"."""
    indices = ",".join(str(i) for i in (neuron, k) if i is not None)
    return symbol + (f"({layer})" if layer is not None else "") + (f"_{indices}" if indices else "")


class Neuron(Module):
    """a = σ(w·a_in + b): nin weights, one bias, one activation.

    `layer` and `index` are the notes' layer number l and neuron number j, used only for
    labels; a standalone neuron is labelled w_k, b, z, a. `weights` (nin numbers) and `bias`
    set its starting values instead of `init` and `bias_init`.
    """

    _fields = ("w", "b")

    def __init__(self, nin, activation="tanh", *, init="uniform", bias_init=0.0, seed=None, rng=None,
                 elementary=False, layer=None, index=None, weights=None, bias=None, nonlin=None):
        _no_nonlin(nonlin, "Neuron")
        nin = as_count(nin, "Neuron nin")
        self.activation = as_activation(activation)
        if self.activation.layerwise:
            raise ValueError("softmax maps a whole layer, not one neuron: use it as a Layer's or an "
                             "MLP's output activation")
        if (weights is None) != (bias is None):
            raise TypeError("Neuron: give both weights= and bias= (its starting values), or neither "
                            "(then init and bias_init choose them)")
        if weights is None:
            weights, biases = layer_parameters(check_scheme(init), check_bias_init(bias_init),
                                               generator(seed, rng), nin, 1)
            weights, bias = weights[0], biases[0]
        else:
            weights = finite_array(weights, "Neuron weights", (nin,))
            bias = finite_number(bias, "Neuron bias")
        layer, index = optional_layer(layer, "Neuron layer"), optional_layer(index, "Neuron index")
        self.layer, self.index = layer, index
        self.elementary = as_flag(elementary, "Neuron elementary")
        self.w = [Value(float(w), label=label("w", layer, index, k)) for k, w in enumerate(weights, 1)]
        self.b = Value(float(bias), label=label("b", layer, index))
        self.nin, self.nout = nin, 1
        self._z_label, self._a_label = label("z", layer, index), label("a", layer, index)

    def parameters(self, recurse=True):
        as_flag(recurse, "parameters(recurse)")  # a neuron holds its parameters itself: both are all of them
        return once_each(self.weights_and_bias())

    def weights_and_bias(self):
        """w_1 ... w_n, then b: the neuron's parameters, a repeat (a weight tied by hand) kept."""
        return self.w + [self.b]

    def __call__(self, x):
        return self.forward(input_values(x, len(self.w), repr(self), nodes=self.elementary))

    def weighted_input(self, a):
        """z = w·a + b, as one dot node (or as * and + nodes when elementary)."""
        if self.elementary:
            z = self.w[0] * a[0]
            for w, ak in zip(self.w[1:], a[1:]):
                z = z + w * ak
            z = z + self.b
        else:
            z = autograd.dot(self.w, a, self.b)
        z.label = self._z_label
        return z

    def forward(self, a):
        """a = σ(z) for inputs that are already Values (no checks: Layer and MLP check once)."""
        z = self.weighted_input(a)
        out = self.activation(z)
        if out is not z:
            out.label = self._a_label
        return out

    def __repr__(self):
        return f"Neuron({len(self.w)} → 1, {self.activation.describe()})"


class Layer(Module):
    """nout neurons that all read the same nin inputs: a(l) = σ(W a(l-1) + b).

    `layer` is the notes' layer number l (2 for the first hidden layer), used only for labels.
    A softmax layer's a_j is autograd.softmax of its z vector, which never overflows.
    """

    _fields = ("neurons",)

    def __init__(self, nin, nout, activation="tanh", *, init="uniform", bias_init=0.0, seed=None,
                 rng=None, elementary=False, layer=None, nonlin=None):
        _no_nonlin(nonlin, "Layer")
        nin, nout = as_count(nin, "Layer nin"), as_count(nout, "Layer nout")
        layer = optional_layer(layer, "Layer layer")
        elementary = as_flag(elementary, "Layer elementary")
        self.activation = as_activation(activation)
        if self.activation.layerwise and nout == 1:
            name = "softmax layer" if layer is None else f"softmax layer {layer}"
            raise ValueError(f"{name} has 1 neuron: softmax over one output is always 1, with zero "
                             f"gradient, so it cannot learn; for two classes use one sigmoid output "
                             f"(with nn.bce) or a linear output with nn.bce_with_logits")
        weights, biases = layer_parameters(check_scheme(init), check_bias_init(bias_init),
                                           generator(seed, rng), nin, nout)
        # A softmax needs every z of the layer, so the layer applies it and its neurons stay
        # linear (z only); any other σ is applied by each neuron.
        neuron_activation = "linear" if self.activation.layerwise else self.activation
        self.neurons = [Neuron(nin, neuron_activation, elementary=elementary, layer=layer, index=j,
                               weights=weights[j - 1], bias=biases[j - 1])
                        for j in range(1, nout + 1)]
        self.nin, self.nout, self.layer, self.elementary = nin, nout, layer, elementary

    def parameters(self, recurse=True):
        # one once_each over the whole list: one per neuron costs three times as much, and
        # zero_grad() reads parameters() every sample
        if not as_flag(recurse, "parameters(recurse)"):
            return super().parameters(recurse=False)  # its neurons hold them: none
        return once_each(list(chain.from_iterable(neuron.weights_and_bias() for neuron in self.neurons)))

    def __call__(self, x):
        return self.forward(input_values(x, self.nin, repr(self), nodes=self.elementary))

    def forward(self, a):
        if not self.activation.layerwise:
            return [neuron.forward(a) for neuron in self.neurons]
        outs = autograd.softmax([neuron.weighted_input(a) for neuron in self.neurons])
        for neuron, out in zip(self.neurons, outs):
            out.label = neuron._a_label
        return outs

    def weights(self):
        """(W, b): W[j, k] is the weight from input k into neuron j (the notes' orientation)."""
        W = np.array([[w.data for w in neuron.w] for neuron in self.neurons])
        b = np.array([neuron.b.data for neuron in self.neurons])
        return W, b

    def _checked_weights(self, W, b, what):
        W = finite_array(W, f"{what} W", (self.nout, self.nin))
        b = finite_array(b, f"{what} b", (self.nout,))
        return W, b

    def _write(self, W, b):
        for neuron, row, bias in zip(self.neurons, W.tolist(), b.tolist()):
            for w, value in zip(neuron.w, row):
                w.data = value
            neuron.b.data = bias

    def set_weights(self, W, b):
        """Write W (nout × nin) and b (nout) into the layer, after checking shapes and numbers."""
        self._write(*self._checked_weights(W, b, "Layer.set_weights"))

    def __repr__(self):
        return f"Layer({self.nin} → {self.nout}, {self.activation.describe()})"


class MLP(Module):
    """A multi-layer perceptron: nin inputs, then one layer per entry of nouts.

    activation         σ of every layer but the last ("tanh"), or a LIST with one per layer
                       (the output layer included); a pair such as ("step", 0.5) is one σ
                       with its constant k, not two layers
    output_activation  σ of the last layer; None (the default) means "linear", and must stay
                       None when `activation` is a list
    init, bias_init    see nn.init: "uniform" (default, micrograd's), "normal", "xavier", "he";
                       bias_init a number (default 0; the notes use 1) or a scheme
    seed               seeds the model's own numpy Generator (reproducible weights)
    elementary         build each z from * and + nodes instead of one dot node

    Called on one example, it returns a Value when there is one output, else a list.
    """

    _fields = ("layers",)

    def __init__(self, nin, nouts, activation="tanh", output_activation=None, *, init="uniform",
                 bias_init=0.0, seed=None, elementary=False):
        self.nin = as_count(nin, "MLP nin")
        if isinstance(nouts, numbers.Integral) and not isinstance(nouts, bool):
            nouts = [nouts]
        if not isinstance(nouts, (list, tuple)) or not nouts:
            raise TypeError(f"MLP nouts: expected a non-empty list of layer widths, got {nouts!r:.60}")
        self.nouts = [as_count(n, f"MLP nouts[{i}]") for i, n in enumerate(nouts)]
        activations = _layer_activations(activation, output_activation, len(self.nouts))
        for i, act in enumerate(activations[:-1]):
            if act.layerwise:
                raise ValueError(f"MLP activation of layer {i}: softmax is only for the output layer")
        self.elementary = as_flag(elementary, "MLP elementary")
        self.rng = generator(seed)
        sizes = [self.nin] + self.nouts
        self.layers = [Layer(sizes[i], sizes[i + 1], activations[i], init=init, bias_init=bias_init,
                             rng=self.rng, elementary=self.elementary, layer=i + 2)
                       for i in range(len(self.nouts))]

    def parameters(self, recurse=True):
        if not as_flag(recurse, "parameters(recurse)"):
            return super().parameters(recurse=False)  # its layers hold them: none
        return once_each(list(chain.from_iterable(neuron.weights_and_bias() for layer in self.layers
                                                  for neuron in layer.neurons)))  # one once_each: see Layer

    @property
    def activations(self):
        return [layer.activation for layer in self.layers]

    @property
    def nout(self):
        return self.nouts[-1]

    def __call__(self, x):
        a = input_values(x, self.nin, "MLP", nodes=self.elementary)
        for layer in self.layers:
            a = layer.forward(a)
        return a[0] if len(a) == 1 else a

    forward = __call__  # as in PyTorch, model.forward(x) is model(x)

    def weights(self):
        """[(W, b) per layer]: W[j, k] is the weight from neuron k of the layer before into neuron j."""
        return [layer.weights() for layer in self.layers]

    def set_weights(self, weights):
        """Take back what weights() returns; every shape and number is checked before any is written."""
        if not isinstance(weights, (list, tuple)) or len(weights) != len(self.layers):
            count = len(weights) if isinstance(weights, (list, tuple)) else type(weights).__name__
            raise ValueError(f"set_weights: expected a list of {len(self.layers)} (W, b) pairs, one per "
                             f"layer, got {count}")
        checked = []
        for i, (layer, pair) in enumerate(zip(self.layers, weights)):
            if not isinstance(pair, (list, tuple)) or len(pair) != 2:
                raise ValueError(f"set_weights: layer {i}: expected a pair (W, b), got {pair!r:.60}")
            checked.append(layer._checked_weights(*pair, f"set_weights: layer {i}"))
        for layer, (W, b) in zip(self.layers, checked):
            layer._write(W, b)

    def __repr__(self):
        return self._framed(f"MLP({self.nin} → {self.nouts}, {self.num_parameters()} parameters)")


def _layer_activations(activation, output_activation, n_layers):
    if isinstance(activation, list):
        if output_activation is not None:
            raise ValueError("MLP: activation is a list (one per layer, the output layer included), "
                             "so output_activation must not be given too")
        if len(activation) != n_layers:
            raise ValueError(f"MLP activation: the list has {len(activation)} entries for "
                             f"{n_layers} layers; give one per layer")
        return [as_activation(a) for a in activation]
    hidden = as_activation(activation)
    output = as_activation("linear" if output_activation is None else output_activation)
    return [hidden] * (n_layers - 1) + [output]
