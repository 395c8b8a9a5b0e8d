"""The concrete networks and inputs on which the notes' statements are checked.

Each example has two sides that never meet:

- `example.numbers`: what a student would plug into a hand formula, in numpy only: the
  weights, inputs and targets, and a forward pass computed from them with
  `demos.reference` (z, a). The hand side of every row reads only this.
- the example itself: the same network built from engine Values (or from `nn`), with the
  engine's forward values and gradients, and what `nn` does with it (its matrices, its
  training loop). The engine side of every row reads only this.

Every gradient of the engine is read through the public `autograd.grad`, and every number
of the engine through `.data`. Random numbers come from fixed seeds.
"""

from dataclasses import dataclass
from types import SimpleNamespace

import numpy as np

import autograd
import nn
from autograd import Value

from . import linear_regression
from .networks import build, half_squared_error, random_layers, squared_error
from .reference import activate, derivative, forward, sigmoid

NOTE_000 = "000_4dca733d7b3294db.txt"
NOTE_001 = "001_a4758c53fd98eacf.txt"
NOTE_002 = "002_f24cbd39f11b22ab.txt"


def grads(cost, nested):
    """The engine's ∂cost/∂v for a list (or list of lists) of Values, as a numpy array."""
    rows = [list(r) for r in nested] if nested and isinstance(nested[0], (list, tuple)) else None
    flat = [v for r in rows for v in r] if rows is not None else list(nested)
    values = np.array(autograd.grad(cost, flat), dtype=float)
    return values.reshape(len(rows), -1) if rows is not None else values


def data(values):
    return np.array([v.data for v in values], dtype=float)


# ---------------------------------------------------------------------------------------
# the numpy side
# ---------------------------------------------------------------------------------------

@dataclass
class Hand:
    """One forward pass and its hand gradients in numpy, for C = cost_scale · ‖y − a^L‖².

    Layers are numbered 0 (input) .. L. W[l] is n_l × n_(l-1), b[l] has n_l entries.
    delta[l] = ∂C/∂z^l by BP1 and BP2; dC_da[l] = ∂C/∂a^l; dW, db by BP3 and BP4.
    """

    W: dict
    b: dict
    activations: list
    x: np.ndarray
    y: np.ndarray
    cost_scale: float = 0.5

    def __post_init__(self):
        self.L = len(self.W)
        weights = [self.W[l] for l in range(1, self.L + 1)]
        biases = [self.b[l] for l in range(1, self.L + 1)]
        z, a = forward(self.x, weights, biases, self.activations)
        self.z = dict(enumerate(z))
        self.a = dict(enumerate(a))
        del self.z[0]
        self.cost = self.cost_scale * float(np.sum((self.y - self.a[self.L]) ** 2))
        self.dC_da = {self.L: 2 * self.cost_scale * (self.a[self.L] - self.y)}   # ∇_a C
        self.delta = {}
        for l in range(self.L, 0, -1):
            self.delta[l] = self.dC_da[l] * self.sigma_prime(l)                    # BP1, BP2
            self.dC_da[l - 1] = self.W[l].T @ self.delta[l]
        self.dW = {l: np.outer(self.delta[l], self.a[l - 1]) for l in self.delta}  # BP3
        self.db = dict(self.delta)                                                 # BP4

    def sigma_prime(self, l):
        return derivative(self.activations[l - 1], self.z[l])

    def flat_gradient(self):
        """∂C/∂W^1, ..., ∂C/∂W^L (row-major), then ∂C/∂b^1, ..., ∂C/∂b^L."""
        r = range(1, self.L + 1)
        return np.concatenate([self.dW[l].ravel() for l in r] + [self.db[l] for l in r])


def hand(weights, biases, activations, x, y, cost_scale=0.5):
    """A `Hand` from lists of weight matrices and bias vectors (layer 1 first)."""
    if isinstance(activations, str):
        activations = [activations] * len(weights)
    W = {l: np.asarray(w, dtype=float) for l, w in enumerate(weights, start=1)}
    b = {l: np.asarray(v, dtype=float) for l, v in enumerate(biases, start=1)}
    return Hand(W, b, list(activations), np.asarray(x, dtype=float), np.atleast_1d(np.asarray(y, dtype=float)),
                cost_scale)


def unflatten(flat, shapes_W, sizes_b):
    weights, biases, start = [], [], 0
    for shape in shapes_W:
        size = int(np.prod(shape))
        weights.append(np.asarray(flat[start:start + size]).reshape(shape))
        start += size
    for size in sizes_b:
        biases.append(np.asarray(flat[start:start + size]))
        start += size
    return weights, biases


def mlp(weights, biases, activations):
    """An nn.MLP holding the given weights (layer 1 first)."""
    if isinstance(activations, str):
        activations = [activations] * len(weights)
    model = nn.MLP(len(weights[0][0]), [len(b) for b in biases], activation=list(activations))
    model.set_weights([(np.asarray(W, dtype=float), np.asarray(b, dtype=float)) for W, b in zip(weights, biases)])
    return model


def fit_step(weights, biases, activations, X, Y, batch_size, eta, loss):
    """What nn.fit does in one epoch (no shuffling, scalar engine): the change of every
    weight and bias, flattened as W^1, ..., W^L, b^1, ..., b^L."""
    model = mlp(weights, biases, activations)
    before = model.weights()
    nn.fit(model, np.asarray(X), np.asarray(Y), loss=loss, epochs=1, batch_size=batch_size, lr=eta, shuffle=False,
           progress=False, compiled=False)
    after = model.weights()
    return np.concatenate([(wa - wb).ravel() for (wa, _), (wb, _) in zip(after, before)] +
                          [np.asarray(ba) - np.asarray(bb) for (_, ba), (_, bb) in zip(after, before)])


NOTES_MSE = nn.mse.with_options(half=True)   # 1/(2K) Σ_c (ŷ_c − y_c)²: the notes' C for K = 1 output


# ---------------------------------------------------------------------------------------
# note 000: Figure 5
# ---------------------------------------------------------------------------------------

class Figure5Numbers:
    """The numpy side of Figure 5, in the note's numbering (input = layer 1, output = layer 4):
    Θ^(l) is N_(l+1) × (N_l + 1), column 0 for the bias unit a_0 = 1."""

    def __init__(self, theta, x, y, batch_x, batch_y):
        self.theta, self.x, self.y = theta, x, y
        self.batch_x, self.batch_y = batch_x, batch_y
        self.sizes = {1: len(x), **{l + 1: theta[l].shape[0] for l in (1, 2, 3)}}
        self.net = self.hand_of(x, y)
        self.z = {l + 1: self.net.z[l] for l in (1, 2, 3)}
        self.a = {l + 1: self.net.a[l] for l in (0, 1, 2, 3)}
        self.yhat = self.a[4][0]
        self.dC_dz = {l + 1: self.net.delta[l] for l in (1, 2, 3)}              # BP1, BP2 by hand
        self.dC_dtheta = {l: np.column_stack([self.net.db[l], self.net.dW[l]]) for l in (1, 2, 3)}

    def hand_of(self, x, y, theta=None):
        theta = self.theta if theta is None else theta
        return hand([theta[l][:, 1:] for l in (1, 2, 3)], [theta[l][:, 0] for l in (1, 2, 3)], "sigmoid", x, y)

    def a_with_bias(self, l):
        return np.concatenate([[1.0], self.a[l]])

    def flat(self, by_layer):
        return np.concatenate([np.ravel(by_layer[l]) for l in (1, 2, 3)])

    def gradient_of(self, i, theta=None):
        """∂C_i/∂Θ by hand for example i of the batch, in Θ's layout, flattened."""
        net = self.hand_of(self.batch_x[i], self.batch_y[i], theta)
        return self.flat({l: np.column_stack([net.db[l], net.dW[l]]) for l in (1, 2, 3)})

    def descend(self, batch_size, eta, count):
        """The note's rule Θ ← Θ − η/|D(b)| Σ_i ∇C_i, batch after batch over the first `count`
        examples, by hand: the change of Θ, flattened."""
        theta = {l: t.copy() for l, t in self.theta.items()}
        for first in range(0, count, batch_size):
            batch = range(first, min(first + batch_size, count))
            step = eta / len(batch) * sum(self.gradient_of(i, theta) for i in batch)
            theta = self._unflat(self.flat(theta) - step)
        return self.flat(theta) - self.flat(self.theta)

    def _unflat(self, flat):
        out, start = {}, 0
        for l in (1, 2, 3):
            size = self.theta[l].size
            out[l] = flat[start:start + size].reshape(self.theta[l].shape)
            start += size
        return out


class Figure5:
    """Note 000, Figure 5: x ∈ R⁴, hidden layers of 2 and 3 logistic units, logistic output(s),
    C = 1/2 (y - ŷ)², in the note's own notation.

    Layers are numbered as in the note (input = layer 1, output = layer 4). Θ^(l) has shape
    N_(l+1) × (N_l + 1); column 0 multiplies the bias unit x_0 = a_0 = 1, so
    θ^(l)_(j,k) = Θ^(l)[k-1, j] is the weight from neuron j of layer l into neuron k of layer l+1.
    The weights are drawn with a fixed seed; the biases θ_(0,k) are 1, as the note's training
    procedure says ("Biases should be set to 1").

    The attributes are the engine's; `numbers` is the numpy side.
    """

    def __init__(self, seed=5, outputs=1, batch=6):
        rng = np.random.default_rng(seed)
        self.sizes = {1: 4, 2: 2, 3: 3, 4: outputs}
        self.theta = {}
        for l in (1, 2, 3):
            weights = rng.normal(0.0, 1.0, size=(self.sizes[l + 1], self.sizes[l]))
            self.theta[l] = np.column_stack([np.ones(self.sizes[l + 1]), weights])
        self.x = rng.uniform(0.0, 1.0, size=4)                       # x_1 .. x_4
        self.y = rng.uniform(0.05, 0.95, size=outputs)               # y ∈ (0, 1)
        self.batch_x = rng.uniform(0.0, 1.0, size=(batch, 4))        # for the update rules
        self.batch_y = rng.uniform(0.05, 0.95, size=(batch, outputs))
        self.numbers = Figure5Numbers({l: t.copy() for l, t in self.theta.items()}, self.x.copy(), self.y.copy(),
                                      self.batch_x.copy(), self.batch_y.copy())

        self.net, self.cost, params = self._forward(self.x, self.y)
        self.params = params                                         # Θ-shaped lists of Values
        self.z = {l: self.net.z_data(l - 1) for l in (2, 3, 4)}
        self.a = {1: self.x, **{l: self.net.a_data(l - 1) for l in (2, 3, 4)}}
        self.yhat = self.a[4][0]
        self.dC_dz = {l: grads(self.cost, self.net.z[l - 1]) for l in (2, 3, 4)}
        self.dC_da = {l: grads(self.cost, self.net.a[l - 1]) for l in (1, 2, 3, 4)}
        self.dC_dtheta = {l: grads(self.cost, params[l]) for l in (1, 2, 3)}
        # local derivatives, each the engine's: ∂a_j/∂z_j and ∂z_k^(l+1)/∂θ^(l)_(j,k) for every k
        self.da_dz = {l: np.array([autograd.grad(a, z) for a, z in zip(self.net.a[l - 1], self.net.z[l - 1])])
                      for l in (2, 3, 4)}
        self.dz_dtheta_all = {l: np.array([grads(z, params[l]) for z in self.net.z[l]]) for l in (1, 2, 3)}
        self.dz_dtheta = {l: np.array([self.dz_dtheta_all[l][k, k] for k in range(self.sizes[l + 1])])
                          for l in (1, 2, 3)}

    def _forward(self, x, y, params=None):
        """Build the network on one example; `params` (Θ-shaped Values) are shared if given."""
        if params is None:
            params = {l: [[Value(v) for v in row] for row in self.theta[l]] for l in (1, 2, 3)}
        weights = [[row[1:] for row in params[l]] for l in (1, 2, 3)]
        biases = [[row[0] for row in params[l]] for l in (1, 2, 3)]
        net = build(x, weights, biases, "sigmoid")
        return net, half_squared_error(net.output, y), params

    def a_with_bias(self, l):
        """a^(l) with the bias unit a_0 = 1 in front, as the note writes it."""
        return np.concatenate([[1.0], self.a[l]])

    def flat(self, by_layer):
        """Θ^(1), Θ^(2), Θ^(3)-shaped arrays, flattened in that order (row-major)."""
        return np.concatenate([np.ravel(by_layer[l]) for l in (1, 2, 3)])

    def model(self, outputs_activation="sigmoid"):
        return mlp([self.theta[l][:, 1:] for l in (1, 2, 3)], [self.theta[l][:, 0] for l in (1, 2, 3)],
                   ["sigmoid", "sigmoid", outputs_activation])

    def theta_shapes(self):
        """Θ^(l)'s size as nn holds the network: W^(l) with the bias column in front."""
        return np.array([[W.shape[0], W.shape[1] + 1] for W, _ in self.model().weights()])

    def fit_change(self, batch_size, eta, count):
        """nn.fit's change of Θ over one epoch of the first `count` examples, in Θ's layout."""
        weights = [self.theta[l][:, 1:] for l in (1, 2, 3)]
        biases = [self.theta[l][:, 0] for l in (1, 2, 3)]
        flat = fit_step(weights, biases, "sigmoid", self.batch_x[:count], self.batch_y[:count, 0], batch_size, eta,
                        NOTES_MSE)
        dW, db = unflatten(flat, [w.shape for w in weights], [len(b) for b in biases])
        return self.flat({l: np.column_stack([db[l - 1], dW[l - 1]]) for l in (1, 2, 3)})


# ---------------------------------------------------------------------------------------
# note 000: activations, error functions, epochs and batches
# ---------------------------------------------------------------------------------------

GRID = np.linspace(-10.0, 10.0, 41)     # 0.5 apart, through 0 and through k = 1/2
FAR = np.array([0.0, 1.0, 2.0, 5.0, 10.0, 20.0])


class Activations:
    """The activation table on a grid of x: numbers, and what the engine (through nn's
    activations and Value ops) makes of them."""

    def __init__(self):
        self.numbers = SimpleNamespace(grid=GRID.copy(), far=FAR.copy())

    def value(self, spec, xs=GRID):
        act = nn.activation(spec)
        return np.array([act(Value(float(x))).data for x in xs])

    def gradient(self, spec, xs=FAR):
        act = nn.activation(spec)
        out = []
        for x in xs:
            v = Value(float(x))
            out.append(autograd.grad(act(v), v))
        return np.array(out)


class ErrorFunctions:
    """Note 000's error functions on N = 5 examples, each written with engine Values or nn's losses."""

    def __init__(self, seed=0, n=5, classes=4):
        rng = np.random.default_rng(seed)
        self.n = n
        self.y_real = rng.normal(0.0, 1.0, size=n)
        self.yhat = rng.normal(0.0, 1.0, size=n)
        self.y_binary = rng.integers(0, 2, size=n).astype(float)
        self.z = rng.normal(0.0, 1.5, size=n)
        self.logits = rng.normal(0.0, 1.5, size=(n, classes))
        self.labels = rng.integers(0, classes, size=n)
        self.one_hot = np.eye(classes)[self.labels]
        self.numbers = ErrorNumbers(self)
        yhat = [Value(v) for v in self.yhat]
        rss = autograd.sum([(y - p) ** 2 for y, p in zip(self.y_real, yhat)])
        mse = nn.mean_loss(NOTES_MSE, yhat, list(self.y_real))
        self.rss, self.mse = rss.data, mse.data
        self.drss_dyhat, self.dmse_dyhat = grads(rss, yhat), grads(mse, yhat)
        z = [Value(v) for v in self.z]
        p1 = [v.sigmoid() for v in z]
        bce = nn.mean_loss(nn.bce, p1, list(self.y_binary))
        self.p1, self.bce = data(p1), bce.data
        self.dbce_dz = grads(bce, z)
        p1_leaves = [Value(v) for v in self.p1]
        self.dbce_dp1 = grads(nn.mean_loss(nn.bce, p1_leaves, list(self.y_binary)), p1_leaves)
        logits = [[Value(v) for v in row] for row in self.logits]
        probabilities = [autograd.softmax(row) for row in logits]
        self.softmax = np.array([data(row) for row in probabilities])
        terms = [y * p.log() for prow, yrow in zip(probabilities, self.one_hot) for p, y in zip(prow, yrow) if y]
        cross_entropy = -(1 / n) * autograd.sum(terms)
        self.cross_entropy = cross_entropy.data
        self.dce_dz = grads(cross_entropy, logits)


class ErrorNumbers:
    """The numpy side of ErrorFunctions: the same draws, p_1 = σ(z) in numpy."""

    def __init__(self, e):
        self.n, self.y_real, self.yhat, self.y_binary = e.n, e.y_real.copy(), e.yhat.copy(), e.y_binary.copy()
        self.z, self.logits, self.one_hot = e.z.copy(), e.logits.copy(), e.one_hot.copy()
        self.p1 = sigmoid(self.z)
        exp = np.exp(self.logits)
        self.softmax = exp / exp.sum(axis=1, keepdims=True)


class OutputLayers:
    """Note 000's output layers: Figure 5 with one logistic output (binary), and with K = 4
    softmax outputs (multinomial), as nn builds them."""

    def __init__(self, seed=7, classes=4):
        self.binary = Figure5(seed=seed)
        self.multi = Figure5(seed=seed, outputs=classes)
        self.numbers = OutputNumbers(self)
        self.binary_output = self.binary.model()(list(self.binary.x)).data
        multi = self.multi.model("softmax")(list(self.multi.x))
        self.multi_output = data(multi)
        self.binary_shape = self.binary.theta_shapes()[-1]
        self.multi_shape = self.multi.theta_shapes()[-1]


class OutputNumbers:
    def __init__(self, o):
        self.binary, self.multi = o.binary.numbers, o.multi.numbers
        self.K = o.multi.sizes[4]
        self.N_L = o.binary.sizes[3]


class Batches:
    """Note 000's epoch and batch arithmetic, against nn.fit's count of updates in one epoch."""

    def __init__(self, n=1000):
        self.n = n
        self.numbers = SimpleNamespace(n=n)
        rng = np.random.default_rng(8)
        self.X = rng.normal(size=(n, 1))
        self.Y = 2.0 * self.X[:, 0] + 1.0

    def updates(self, batch_size):
        model = nn.MLP(1, [1], seed=0)
        history = nn.fit(model, self.X, self.Y, loss=nn.mse, epochs=1, batch_size=batch_size, lr=0.01,
                         shuffle=False, progress=False, compiled=False)
        return history.updates[0]


# ---------------------------------------------------------------------------------------
# note 001
# ---------------------------------------------------------------------------------------

class Chain001:
    """Note 001's scalar network: one neuron per layer, x → a^(1) → a^(2) → a^(3) = a^(L),
    logistic σ, C = (a^(L) - y)². (The note draws one hidden layer; one more makes the
    general δ^(l) differ from the δ^(L-1) case.) Index 0 is the input, a^(0) = x."""

    def __init__(self, seed=1, depth=3):
        rng = np.random.default_rng(seed)
        weights, biases = random_layers([1] * (depth + 1), rng)
        self.L = depth
        self.x, self.y = rng.normal(0.0, 1.0), rng.uniform(0.1, 0.9)
        self.numbers = ChainNumbers(hand(weights, biases, "sigmoid", [self.x], [self.y], cost_scale=1.0))
        net = build([self.x], weights, biases, "sigmoid")
        cost = squared_error(net.output, [self.y])
        r = range(1, depth + 1)
        self.dC_dz = {l: autograd.grad(cost, net.z[l][0]) for l in r}
        self.dC_dw = {l: autograd.grad(cost, net.weights[l][0][0]) for l in r}
        self.dC_db = {l: autograd.grad(cost, net.biases[l][0]) for l in r}
        self.dz_da_previous = {l: autograd.grad(net.z[l][0], net.a[l - 1][0]) for l in r}


class ChainNumbers:
    """Note 001's chain in numpy: scalars w^(l), z^(l), a^(l), σ'(z^(l)), y."""

    def __init__(self, h):
        self.L = h.L
        self.w = {l: float(h.W[l][0, 0]) for l in range(1, h.L + 1)}
        self.z = {l: float(h.z[l][0]) for l in h.z}
        self.a = {l: float(h.a[l][0]) for l in h.a}
        self.y = float(h.y[0])

    def sigma_prime(self, l):
        return float(derivative("sigmoid", self.z[l]))

    def delta_L(self):
        """δ^(L) = 2(a^(L) − y) σ'(z^(L)) (the note's error of the output layer)."""
        return 2 * (self.a[self.L] - self.y) * self.sigma_prime(self.L)

    def deltas(self):
        """δ^(L), then δ^(l) = δ^(l+1) w^(l+1) σ'(z^(l)) downwards (the note's general form)."""
        delta = {self.L: self.delta_L()}
        for l in range(self.L - 1, 0, -1):
            delta[l] = delta[l + 1] * self.w[l + 1] * self.sigma_prime(l)
        return delta


class Layered:
    """A small fully connected network with weight matrices W^l (n_l × n_(l-1)) and biases
    b^l; index 0 is the input layer (note 002's numbering), l = 1 .. L."""

    def __init__(self, sizes, hidden, output, cost, seed):
        rng = np.random.default_rng(seed)
        self.sizes, self.L = sizes, len(sizes) - 1
        self.activations = [hidden] * (self.L - 1) + [output]
        self.W_list, self.b_list = random_layers(sizes, rng)
        self.x = rng.normal(0.0, 1.0, size=sizes[0])
        self.y = np.eye(sizes[-1])[1]  # one-hot target: the "correct output vector" y(x)
        self.cost_name = cost
        self.cost_scale = 0.5 if cost == "half" else 1.0
        self.numbers = hand(self.W_list, self.b_list, self.activations, self.x, self.y, self.cost_scale)
        self.numbers.sizes = sizes
        inputs = [Value(float(v)) for v in self.x]
        self.net, self.cost = self.forward(inputs, self.y)
        r = range(1, self.L + 1)
        self.z = {l: self.net.z_data(l) for l in r}
        self.a = {0: self.x, **{l: self.net.a_data(l) for l in r}}
        self.dC_dx = grads(self.cost, inputs)
        self.dC_dz = {l: grads(self.cost, self.net.z[l]) for l in r}
        self.dC_da = {l: grads(self.cost, self.net.a[l]) for l in r}
        self.dC_dW = {l: grads(self.cost, self.net.weights[l]) for l in r}
        self.dC_db = {l: grads(self.cost, self.net.biases[l]) for l in r}
        self.da_dz = {l: np.array([autograd.grad(a, z) for a, z in zip(self.net.a[l], self.net.z[l])]) for l in r}
        self.dz_dW_all = {l: np.array([grads(z, self.net.weights[l]) for z in self.net.z[l]]) for l in r}
        self.dz_dW = {l: np.array([self.dz_dW_all[l][j, j] for j in range(sizes[l])]) for l in r}
        self.dz_db = {l: np.array([autograd.grad(z, b) for z, b in zip(self.net.z[l], self.net.biases[l])])
                      for l in r}

    def forward(self, x, y, weights=None, biases=None):
        weights = self.W_list if weights is None else weights
        biases = self.b_list if biases is None else biases
        net = build(x, weights, biases, self.activations, label_offset=0)
        cost = (half_squared_error if self.cost_name == "half" else squared_error)(net.output, y)
        return net, cost

    def flat_gradient(self):
        return np.concatenate([np.ravel(self.dC_dW[l]) for l in range(1, self.L + 1)] +
                              [self.dC_db[l] for l in range(1, self.L + 1)])

    def model(self):
        """The same network as nn.MLP."""
        return mlp(self.W_list, self.b_list, self.activations)

    def flat_parameters(self):
        return np.concatenate([np.ravel(W) for W in self.W_list] + list(self.b_list))

    def unflatten(self, flat):
        weights, biases = unflatten(flat, [W.shape for W in self.W_list], [len(b) for b in self.b_list])
        return [[list(row) for row in W] for W in weights], [list(b) for b in biases]

    def cost_at(self, flat):
        """C at other weights and biases: a fresh forward pass through the engine."""
        weights, biases = self.unflatten(flat)
        return self.forward(self.x, self.y, weights, biases)[1].data

    def directional_derivative(self, direction):
        """d/dt C(θ + t v) at t = 0, by the engine: t is an input Value of the graph."""
        t = Value(0.0, label="t")
        start_w, start_b = self.unflatten(self.flat_parameters())
        step_w, step_b = self.unflatten(direction)
        weights = [[[w + t * v for w, v in zip(rw, rv)] for rw, rv in zip(W, V)] for W, V in zip(start_w, step_w)]
        biases = [[b + t * v for b, v in zip(B, V)] for B, V in zip(start_b, step_b)]
        cost = self.forward(self.x, self.y, weights, biases)[1]
        return autograd.grad(cost, t)

    def sgd_step(self, eta):
        """One nn.SGD step on this example's C: the change of every weight and bias."""
        weights = [[[Value(v) for v in row] for row in W] for W in self.W_list]
        biases = [[Value(v) for v in b] for b in self.b_list]
        params = [v for W in weights for row in W for v in row] + [v for b in biases for v in b]
        before = data(params)
        optimizer = nn.SGD(params, lr=eta)
        optimizer.zero_grad()
        self.forward(self.x, self.y, weights, biases)[1].backward()
        optimizer.step()
        return data(params) - before


class Net002(Layered):
    """Note 002's network in miniature: 4 inputs, two hidden layers and an output layer of
    3 logistic neurons each (the note's 784-?-?-10 with widths chosen so that the products
    BP2' writes are defined), C_x = 1/2 ‖y(x) - a^L‖², y one-hot. A training set of n = 6
    examples and a mini-batch of m = 2 serve the cost-averaging claims."""

    def __init__(self, seed=2, n=6, m=2):
        super().__init__([4, 3, 3, 3], "sigmoid", "sigmoid", "half", seed)
        rng = np.random.default_rng(seed + 100)
        self.n, self.m = n, m
        self.train_x = rng.normal(0.0, 1.0, size=(n, 4))
        self.train_y = np.eye(3)[rng.integers(0, 3, size=n)]
        self.batch = rng.permutation(n)[:m]
        self.direction = rng.normal(size=self.flat_parameters().size)
        self.direction /= np.linalg.norm(self.direction)
        numbers = self.numbers
        numbers.n, numbers.m, numbers.batch, numbers.direction = n, m, self.batch.copy(), self.direction.copy()
        numbers.per_example = [hand(self.W_list, self.b_list, self.activations, x, y).flat_gradient()
                               for x, y in zip(self.train_x, self.train_y)]
        numbers.per_example_cost = [hand(self.W_list, self.b_list, self.activations, x, y).cost
                                    for x, y in zip(self.train_x, self.train_y)]
        numbers.flat_parameters = self.flat_parameters()

    def _total(self, indices, scale):
        weights = [[[Value(v) for v in row] for row in W] for W in self.W_list]
        biases = [[Value(v) for v in b] for b in self.b_list]
        costs = [self.forward(self.train_x[i], self.train_y[i], weights, biases)[1] for i in indices]
        return autograd.sum(costs) * scale, weights, biases

    def gradient_of(self, indices, scale):
        """∇ of scale · Σ_(i in indices) C_(x_i), built as one graph sharing the parameters."""
        total, weights, biases = self._total(indices, scale)
        return np.concatenate([grads(total, W).ravel() for W in weights] + [grads(total, b) for b in biases])

    def average_cost(self):
        return self._total(range(self.n), 1.0 / self.n)[0].data


WEIGHT_STEPS = (1e-6, 1e-9)     # the "infinitesimally small" changes of a weight at the threshold


class Perceptron002:
    """Note 002's perceptron P(x) = step(w·x + b) with 3 inputs, and its sigmoid neuron
    P(x) = σ(w·x + b), on inputs chosen around the threshold."""

    def __init__(self, seed=3):
        rng = np.random.default_rng(seed)
        self.w, self.b = rng.normal(size=3), 0.25
        self.w[0] = 0.5                                     # so that w·x + b = 0 holds exactly below
        self.t = -self.b
        x = rng.normal(size=(6, 3))
        on = x[0] * 0.0
        on[0] = self.t / self.w[0]                          # w·x = t exactly: on the threshold
        self.X = np.vstack([x, on])
        self.delta = 1e-6 * rng.normal(size=4)              # a small change of (w_1, w_2, w_3, b)
        self.numbers = SimpleNamespace(w=self.w.copy(), b=self.b, t=self.t, X=self.X.copy(), delta=self.delta.copy())
        w = [Value(v) for v in self.w]
        b = Value(self.b)
        self.step_out, self.dP_dw, self.dP_db, self.sigmoid_out = [], [], [], []
        for row in self.X:
            out = autograd.dot(w, [Value(v) for v in row], b).step(0.0)
            self.step_out.append(out.data)
            self.dP_dw.append(grads(out, w))
            self.dP_db.append(autograd.grad(out, b))
            self.sigmoid_out.append(autograd.dot(w, [Value(v) for v in row], b).sigmoid().data)
        self.step_out, self.sigmoid_out = np.array(self.step_out), np.array(self.sigmoid_out)
        self.dP = np.column_stack([np.array(self.dP_dw), self.dP_db])
        moved = [Value(v) for v in self.w + self.delta[:3]]
        self.sigmoid_moved = np.array([autograd.dot(moved, [Value(v) for v in row], Value(self.b + self.delta[3]))
                                       .sigmoid().data for row in self.X])
        self.weight_jumps = np.array([self._weight_jump(step) for step in WEIGHT_STEPS])

    def _weight_jump(self, step):
        """P before minus P after a change `step` of w_1 that moves w·x below the threshold,
        at the input on the threshold."""
        on = [Value(v) for v in self.X[-1]]
        moved = self.w - np.array([step, 0.0, 0.0]) * np.sign(self.X[-1][0])
        before = autograd.dot([Value(v) for v in self.w], on, Value(self.b)).step(0.0)
        after = autograd.dot([Value(v) for v in moved], on, Value(self.b)).step(0.0)
        return before.data - after.data


class Magnitudes002:
    """Note 002's worked numbers for the quadratic cost: two answers off the target by
    magnitudes 10 and 5 (the differences (6, 8) and (3, 4)), their squared error ‖y − a‖²
    and their magnitude ‖y − a‖ = (‖y − a‖²)^(1/2), by the engine."""

    def __init__(self):
        self.y = np.zeros(2)
        self.far, self.close = np.array([6.0, 8.0]), np.array([3.0, 4.0])
        self.numbers = SimpleNamespace(far=10.0, close=5.0)
        far = squared_error([Value(v) for v in self.far], list(self.y))
        close = squared_error([Value(v) for v in self.close], list(self.y))
        self.written = np.array([far.data, close.data, (far / close).data, (far ** 0.5 / close ** 0.5).data])


class Extrema002:
    """Note 002's recipe for minimizing a function of one variable, on f(x) = x³ − 3x over
    [−3, 3]: the engine's derivative locates where f' = 0 (bisection on its sign between
    grid points), and the engine's values of f on the grid, ends included, give the smallest."""

    INTERVAL = (-3.0, 3.0)

    def __init__(self, points=600):
        # 600 points: no grid point falls on a stationary point, so f' changes sign between two
        self.grid = np.linspace(*self.INTERVAL, points)
        self.numbers = SimpleNamespace(coefficients=np.array([1.0, 0.0, -3.0, 0.0]), interval=self.INTERVAL)
        slopes = [self.slope(x) for x in self.grid]
        self.stationary = np.array([self._bisect(self.grid[i], self.grid[i + 1])
                                    for i in range(points - 1) if slopes[i] * slopes[i + 1] < 0])
        self.smallest = min(self.f(Value(float(x))).data for x in self.grid)
        self.found = np.concatenate([self.stationary, [self.smallest]])

    @staticmethod
    def f(x):
        return x ** 3 - 3 * x

    def slope(self, x):
        v = Value(float(x))
        return autograd.grad(self.f(v), v)

    def _bisect(self, low, high, steps=60):
        """The zero of the engine's f' between low and high, where its sign changes."""
        rising = self.slope(low) < 0
        for _ in range(steps):
            middle = (low + high) / 2
            if (self.slope(middle) < 0) == rising:
                low = middle
            else:
                high = middle
        return (low + high) / 2


class Regression001:
    """Note 001's linear-regression neuron: a = z = b + w_1 x_1, C = 1/n Σ (a − y)², as nn and
    demos.linear_regression build it."""

    def __init__(self, n=12, seed=1):
        self.X, self.y = linear_regression.make_data(n=n, seed=seed)
        self.w, self.b, self.eta = 0.4, -0.2, 0.1
        self.numbers = SimpleNamespace(X=self.X.copy(), y=self.y.copy(), w=self.w, b=self.b, eta=self.eta)
        model = mlp([[[self.w]]], [[self.b]], "linear")
        self.outputs = np.array([model(list(x)).data for x in self.X])
        w, b = Value(self.w), Value(self.b)
        cost = linear_regression.cost_of([w], b, self.X, self.y)
        self.cost = cost.data
        self.gradient = np.array(autograd.grad(cost, [w, b]))
        per = []
        for x, target in zip(self.X, self.y):
            wi, bi = Value(self.w), Value(self.b)
            per.append(autograd.grad((autograd.dot([wi], list(x), bi) - target) ** 2, [wi, bi]))
        self.per_example_gradients = np.array(per)
        fit = linear_regression.train(self.X, self.y, learning_rate=self.eta, max_steps=1, start=(self.w, self.b))
        self.step = np.array([fit.w[0] - self.w, fit.b - self.b])


EXAMPLES = {
    "figure5": Figure5,
    "figure5_two_outputs": lambda: Figure5(outputs=2),
    "activations": Activations,
    "error_functions": ErrorFunctions,
    "output_layers": OutputLayers,
    "batches": Batches,
    "regression001": Regression001,
    "chain001": Chain001,
    "multivariate001": lambda: Layered([3, 4, 3, 2], "tanh", "sigmoid", "squared", seed=4),
    "net002": Net002,
    "perceptron002": Perceptron002,
    "magnitudes002": Magnitudes002,
    "extrema002": Extrema002,
}

DESCRIPTIONS = {
    "figure5": "note 000 Figure 5: 4 inputs (x_0 = 1), logistic layers of 2, 3, 1; C = 1/2 (y - ŷ)²; "
               "weights seeded, biases θ_(0,k) = 1; a batch of 6 examples for the update rules",
    "figure5_two_outputs": "Figure 5 with a second output neuron (N_4 = 2)",
    "activations": "the activation table on x = -10, -9.5, ..., 10 (and x = 0, 1, 2, 5, 10, 20 for gradients)",
    "error_functions": "N = 5 examples: real ŷ, binary logits, 4-class logits with one-hot y",
    "output_layers": "Figure 5's network as nn.MLP with 1 logistic output, and with K = 4 softmax outputs",
    "batches": "N = 1000 examples for nn.fit's count of updates in one epoch",
    "regression001": "note 001: one linear neuron a = b + w x on 12 points; C = 1/n Σ (a - y)²",
    "chain001": "note 001: one logistic neuron per layer, x → a(1) → a(2) → a(3); C = (a(L) - y)²",
    "multivariate001": "note 001 multivariate: 3-4-3-2, tanh hidden, logistic output; C = ‖a(L) - y‖²",
    "net002": "note 002: 4-3-3-3 logistic, C_x = 1/2 ‖y(x) - a^L‖², y one-hot; n = 6, mini-batch m = 2",
    "perceptron002": "note 002: a perceptron with 3 inputs and b = 0.25 on 7 inputs, one on its threshold",
    "magnitudes002": "note 002: two answers off the target by (6, 8) and (3, 4), magnitudes 10 and 5",
    "extrema002": "note 002: f(x) = x³ - 3x on [-3, 3] (a grid of 600 points, ends included)",
}
