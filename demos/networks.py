"""Small fully connected networks built straight from engine Values, for the notes' examples.

A layer l computes, for each neuron j,

    z(l)_j = Σ_k w(l)_j,k a(l-1)_k + b(l)_j      (one `autograd.dot` node, bias last)
    a(l)_j = σ(z(l)_j)

with weights given as numpy matrices W[l] of shape (n_l, n_(l-1)) and biases b[l] of shape
(n_l,). The demos need to read every z and a node and every parameter, so the network is
returned as plain lists of Values rather than hidden inside a model.

Labels follow the project's convention (the input layer is layer 1, so the first hidden
layer is layer 2): `x_k`, `w(2)_1,3`, `b(2)_1`, `z(2)_1`, `a(2)_1`.
"""

from dataclasses import dataclass

import numpy as np

import autograd
from autograd import Value


def activate(z, activation):
    """a = σ(z) for a named activation: identity, sigmoid, tanh, relu or step (threshold 0)."""
    if activation == "identity":
        return z
    if activation == "step":
        return z.step(0.0)
    if activation in ("sigmoid", "tanh", "relu"):
        return getattr(z, activation)()
    raise ValueError(f"unknown activation {activation!r}; expected identity, sigmoid, tanh, relu or step")


@dataclass
class Network:
    """The Values of one forward pass. Index 0 of `a` is the input layer; index l >= 1 of
    `weights`, `biases`, `z`, `a` is layer l (index 0 of weights/biases/z is unused: None)."""

    weights: list   # weights[l][j][k]: Value, from neuron k of layer l-1 into neuron j of layer l
    biases: list    # biases[l][j]
    z: list         # z[l][j]
    a: list         # a[l][j]; a[0] are the inputs
    activations: list

    @property
    def output(self):
        return self.a[-1]

    @property
    def depth(self):
        return len(self.a) - 1

    def parameters(self):
        params = []
        for l in range(1, len(self.a)):
            for row, bias in zip(self.weights[l], self.biases[l]):
                params.extend(row)
                params.append(bias)
        return params

    # numpy views of the forward values
    def z_data(self, l):
        return np.array([v.data for v in self.z[l]])

    def a_data(self, l):
        return np.array([v.data for v in self.a[l]])

    def w_data(self, l):
        return np.array([[v.data for v in row] for row in self.weights[l]])


def build(x, weights, biases, activations, label_offset=1):
    """Build the network's forward pass on input x; returns a `Network`.

    x           input numbers (or Values)
    weights     list of (n_l, n_(l-1)) arrays (or nested lists of Values), layer 1 first
    biases      list of (n_l,) arrays (or lists of Values)
    activations one name for every layer, or one name per layer
    label_offset the label number of the input layer (1 in the project's convention)
    """
    if isinstance(activations, str):
        activations = [activations] * len(weights)
    if len(weights) != len(biases) or len(weights) != len(activations):
        raise ValueError(f"build: {len(weights)} weight matrices, {len(biases)} bias vectors and "
                         f"{len(activations)} activations; give one of each per layer")
    inputs = [_value(v, f"x_{k + 1}") for k, v in enumerate(x)]
    net = Network([None], [None], [None], [inputs], [None] + list(activations))
    for l, (W, b, act) in enumerate(zip(weights, biases, activations), start=1):
        n_in = len(net.a[l - 1])
        if len(W) == 0 or any(len(row) != n_in for row in W) or len(b) != len(W):
            raise ValueError(f"build: layer {l} weights must be ({len(b)}, {n_in}) to match the "
                             f"{n_in} activations of layer {l - 1} and its {len(b)} biases")
        name = l + label_offset
        Wv = [[_value(w, f"w({name})_{j + 1},{k + 1}") for k, w in enumerate(row)] for j, row in enumerate(W)]
        bv = [_value(v, f"b({name})_{j + 1}") for j, v in enumerate(b)]
        zs, as_ = [], []
        for j, (row, bias) in enumerate(zip(Wv, bv)):
            z = autograd.dot(row, net.a[l - 1], bias)
            z.label = f"z({name})_{j + 1}"
            a = activate(z, act)
            if a is not z:
                a.label = f"a({name})_{j + 1}"
            zs.append(z)
            as_.append(a)
        net.weights.append(Wv)
        net.biases.append(bv)
        net.z.append(zs)
        net.a.append(as_)
    return net


def _value(v, label):
    if isinstance(v, Value):
        if not v.label:
            v.label = label
        return v
    return Value(float(v), label=label)


def half_squared_error(outputs, targets):
    """C = 1/2 Σ_j (y_j - a_j)²  (note 000's C = 1/2 (y - ŷ)², note 002's C_x = 1/2 ‖y - a^L‖²)."""
    terms = [(y - a) ** 2 for a, y in zip(outputs, _targets(targets))]
    cost = 0.5 * autograd.sum(terms)
    cost.label = "C"
    return cost


def squared_error(outputs, targets):
    """C = Σ_j (a_j - y_j)²  (note 001's squared loss, without the 1/2)."""
    terms = [(a - y) ** 2 for a, y in zip(outputs, _targets(targets))]
    cost = autograd.sum(terms)
    cost.label = "C"
    return cost


def _targets(targets):
    """Targets as labelled constants y_1, y_2, ... so that pictures name them."""
    return [_value(y, f"y_{j + 1}") if not isinstance(y, Value) else y for j, y in enumerate(targets)]


class Gradients:
    """∂C/∂(node) for the nodes of a network, read as numpy arrays layer by layer.

    Each read is one `autograd.grad` call (the engine's public gradient), so these small
    networks need nothing of the engine's internals."""

    def __init__(self, cost):
        self.cost = cost

    def __call__(self, node):
        return autograd.grad(self.cost, node)

    def vector(self, nodes):
        return np.array(autograd.grad(self.cost, list(nodes)))

    def matrix(self, rows):
        rows = [list(row) for row in rows]
        flat = autograd.grad(self.cost, [v for row in rows for v in row])
        return np.array(flat).reshape(len(rows), -1)


def random_layers(sizes, rng, scale=1.0):
    """Weight matrices and bias vectors for layer sizes [n_0, n_1, ..., n_L], normal(0, scale)."""
    weights = [rng.normal(0.0, scale, size=(n_out, n_in)) for n_in, n_out in zip(sizes, sizes[1:])]
    biases = [rng.normal(0.0, scale, size=n_out) for n_out in sizes[1:]]
    return weights, biases
