"""Find neurons and layers in a graph by its structure alone (no knowledge of `nn`).

A neuron is one `dot` node, z = Σ_k w_k a_k + b, together with its activation
a = f(z): the single consumer of z when that consumer is a one-input activation op
(tanh, σ, ReLU, step), or the notes' linear activation a = k·z (a × of z by a leaf k that
nothing else reads, as nn builds it; f′ = k). When z feeds anything else, the neuron is
linear and a is z itself (k = 1).
The neuron's weights w_k and bias b are folded into it when z is their only consumer.

A dot that reads any of its own weights or bias as an input is no neuron: a neuron's inputs
are the previous layer's activations or the network's inputs, which a weight never is, so
w·w (nn.l2's penalty λ Σ w², built as dot(params, params) · λ) is an ordinary sum of products.

A `dot_data` node is a neuron too: it reads data x (constants of the node, not values of
the graph), so its neuron has no inputs to draw.

A layer is the set of neurons whose dot nodes read the same inputs a_k (in the same order),
or the same data x.
A softmax layer's neurons are linear (a_j = softmax(z)_j reads every z of the layer, so it is
no neuron's a): `softmax_outputs` finds its a's.
Layers are numbered as in the notes: the network inputs are layer 1, the first hidden
layer is layer 2, and a layer fed by layer l is layer l + 1.
"""

from dataclasses import dataclass, field

from . import graph


@dataclass(eq=False)
class Neuron:
    z: object
    a: object
    inputs: tuple
    folded: tuple  # weights and bias only this neuron uses
    reads: tuple   # what identifies its layer: the ids of its inputs, or its data x
    weights: tuple = ()
    bias: tuple = ()
    data: tuple | None = None  # the numbers x a dot_data node reads, in place of inputs

    @property
    def activation(self):
        """The name of f: "linear" for a = z and a = k·z, else the op's (tanh, sigmoid, relu, step)."""
        return self.a.op if graph.is_activation(self.a) else "linear"

    @property
    def members(self):
        return (*self.folded, self.z) + ((self.a,) if self.a is not self.z else ())


@dataclass(eq=False)
class Layer:
    number: int
    neurons: list = field(default_factory=list)
    inputs: tuple = ()
    data: tuple | None = None


def consumers_of(order):
    """{value: [each op node that reads it, once per node]} for a topological order."""
    consumers = {value: [] for value in order}
    for node in order:
        for parent in dict.fromkeys(node.parents):  # a node reading x twice consumes it once
            consumers[parent].append(node)
    return consumers


def find_neurons(order, consumers):
    neurons = []
    for z in order:
        if not graph.is_neuron_sum(z):
            continue
        groups = graph.input_groups(z)
        weights, inputs, bias = groups["weights"], groups.get("inputs", ()), groups.get("bias", ())
        if _reads_its_own_parameters(weights, inputs, bias):
            continue
        x = graph.data_inputs(z)
        reads = ("data", x) if x is not None else tuple(map(id, inputs))
        a = _activation_of(z, consumers)
        folded = tuple(p for p in dict.fromkeys((*weights, *bias))
                       if not p.op and consumers[p] == [z] and p not in inputs)
        neurons.append(Neuron(z=z, a=a, inputs=tuple(inputs), folded=folded, reads=reads,
                              weights=tuple(weights), bias=tuple(bias), data=x))
    return neurons


def _reads_its_own_parameters(weights, inputs, bias):
    """True when an input a_k of z = Σ w_k a_k + b is one of its own w or b (w·w)."""
    own = set(map(id, (*weights, *bias)))
    return any(id(a) in own for a in inputs)


def _activation_of(z, consumers):
    """a = f(z) when z's only reader is an activation of one input, or a = k·z; else z."""
    readers = consumers[z]
    if len(readers) != 1:
        return z
    a = readers[0]
    if graph.is_activation(a) and len(a.parents) == 1:
        return a
    return a if _is_slope_times(a, z, consumers) else z


def _is_slope_times(a, z, consumers):
    """True for a = k·z (or z·k): a × of z by a leaf k that only a reads, so f′(z) = k."""
    if a.op != "*" or len(a.parents) != 2 or z not in a.parents:
        return False
    k = a.parents[1] if a.parents[0] is z else a.parents[0]
    return k is not z and not k.op and consumers[k] == [a]


def softmax_outputs(layer, consumers):
    """{j: a_j} for a softmax layer (every z of the layer read only by softmax nodes, each
    reading all the layer's z in order), with j = 1 … n; an a_j the graph does not reach is
    missing (nll reads one a). None for any other layer."""
    zs = [neuron.z for neuron in layer.neurons]
    found = {}
    for z in zs:
        for a in consumers[z]:
            if a.op != "softmax" or list(a.parents) != zs:
                return None
            found[graph.constants(a)["i"] + 1] = a
    return found or None


def find_layers(neurons):
    """Group neurons reading the same inputs into numbered layers (notes' numbering)."""
    by_inputs = {}
    for neuron in neurons:
        by_inputs.setdefault(neuron.reads, Layer(number=0, inputs=neuron.inputs, data=neuron.data)).neurons.append(neuron)
    layers = list(by_inputs.values())
    layer_of_activation = {neuron.a: layer for layer in layers for neuron in layer.neurons}
    for layer in layers:  # neurons come in topological order, so feeding layers are numbered first
        feeding = [layer_of_activation[x].number for x in layer.inputs if x in layer_of_activation]
        layer.number = 1 + max(feeding, default=1)
    return layers
