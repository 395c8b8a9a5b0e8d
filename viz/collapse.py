"""Find neurons and layers in a graph by its structure alone (no knowledge of `nn`).

A neuron is one `dot` node, z = Σ_k w_k a_k + b, together with its activation
a = f(z): the single consumer of z when that consumer is a one-input activation op
(tanh, σ, ReLU, step). When z feeds anything else, the neuron is linear and a is z itself.
The neuron's weights w_k and bias b are folded into it when z is their only consumer.

A `dot_data` node is a neuron too: it reads data x (constants of the node, not values of
the graph), so its neuron has no inputs to draw.

A layer is the set of neurons whose dot nodes read the same inputs a_k (in the same order),
or the same data x.
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
        x = graph.data_inputs(z)
        reads = ("data", x) if x is not None else tuple(map(id, inputs))
        readers = consumers[z]
        a = z
        if len(readers) == 1 and graph.is_activation(readers[0]) and len(readers[0].parents) == 1:
            a = readers[0]
        folded = tuple(p for p in dict.fromkeys((*weights, *bias))
                       if not p.op and consumers[p] == [z] and p not in inputs)
        neurons.append(Neuron(z=z, a=a, inputs=tuple(inputs), folded=folded, reads=reads,
                              weights=tuple(weights), bias=tuple(bias), data=x))
    return neurons


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
