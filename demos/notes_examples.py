"""The concrete networks and inputs on which the notes' formulas are evaluated.

Each example builds one network from engine Values, runs it forward, and keeps two things
side by side: the numpy values a student would plug into a hand formula (z, a, weights,
targets) and the engine's gradients of the same quantities. The formulas themselves live
in `demos.notes_formulas`; nothing here decides what is right.

Random numbers come from fixed seeds, so every run prints the same table.
"""

from functools import cached_property

import numpy as np

import autograd
from autograd import Value

from .networks import Gradients, build, derivative, half_squared_error, random_layers, sigmoid, squared_error

NOTE_000 = "000_4dca733d7b3294db.txt"
NOTE_001 = "001_a4758c53fd98eacf.txt"
NOTE_002 = "002_f24cbd39f11b22ab.txt"


class Figure5:
    """Note 000, Figure 5: x ∈ R⁴, hidden layers of 2 and 3 logistic units, logistic output(s),
    C = 1/2 (y - ŷ)², in the note's own notation.

    Layers are numbered as in the note (input = layer 1, output = layer 4). Θ^(l) has shape
    N_(l+1) × (N_l + 1); column 0 multiplies the bias unit x_0 = a_0 = 1, so
    θ^(l)_(j,k) = Θ^(l)[k-1, j] is the weight from neuron j of layer l into neuron k of layer l+1.
    The weights are drawn with a fixed seed; the biases θ_(0,k) are 1, as the note's training
    procedure says ("Biases should be set to 1").
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
        self.batch_x = rng.uniform(0.0, 1.0, size=(batch, 4))      # for the update rules
        self.batch_y = rng.uniform(0.05, 0.95, size=(batch, outputs))

        self.net, self.cost, params = self._forward(self.x, self.y)
        self.params = params                                         # Θ-shaped lists of Values
        grads = Gradients(self.cost)
        self.z = {l: self.net.z_data(l - 1) for l in (2, 3, 4)}
        self.a = {1: self.x, **{l: self.net.a_data(l - 1) for l in (2, 3, 4)}}
        self.yhat = self.a[4][0]
        self.dC_dz = {l: grads.vector(self.net.z[l - 1]) for l in (2, 3, 4)}
        self.dC_da = {l: grads.vector(self.net.a[l - 1]) for l in (1, 2, 3, 4)}
        self.dC_dtheta = {l: grads.matrix(params[l]) for l in (1, 2, 3)}
        # local derivatives, each straight from the engine: ∂a_j/∂z_j and ∂z_k^(l+1)/∂θ^(l)_(j,k)
        self.da_dz = {l: np.array([autograd.grad(a, z) for a, z in zip(self.net.a[l - 1], self.net.z[l - 1])])
                      for l in (2, 3, 4)}
        self.dz_dtheta = {l: np.array([autograd.grad(z, row) for z, row in zip(self.net.z[l], params[l])])
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

    def sigma_prime(self, l):
        return derivative("sigmoid", self.z[l])

    def flat(self, by_layer):
        """Θ^(1), Θ^(2), Θ^(3)-shaped arrays, flattened in that order (row-major)."""
        return np.concatenate([np.ravel(by_layer[l]) for l in (1, 2, 3)])

    def theta_flat(self):
        return self.flat(self.theta)

    def cost_at(self, theta_flat):
        """C at other weights (a fresh forward pass through the engine)."""
        params, start = {}, 0
        for l in (1, 2, 3):
            size = self.theta[l].size
            block = theta_flat[start:start + size].reshape(self.theta[l].shape)
            params[l] = [[Value(v) for v in row] for row in block]
            start += size
        return self._forward(self.x, self.y, params)[1].data

    def per_example_gradient(self, i):
        """∂C_i/∂Θ for training example i of the batch, from its own graph (flattened)."""
        _, cost, params = self._forward(self.batch_x[i], self.batch_y[i])
        grads = Gradients(cost)
        return self.flat({l: grads.matrix(params[l]) for l in (1, 2, 3)})

    def averaged_gradient(self, indices):
        """∂C̄/∂Θ with C̄ = (1/|D|) Σ_(i in D) C_i built as ONE graph sharing the parameters."""
        params = {l: [[Value(v) for v in row] for row in self.theta[l]] for l in (1, 2, 3)}
        costs = [self._forward(self.batch_x[i], self.batch_y[i], params)[1] for i in indices]
        mean_cost = autograd.sum(costs) / len(costs)
        grads = Gradients(mean_cost)
        return self.flat({l: grads.matrix(params[l]) for l in (1, 2, 3)})


class ErrorFunctions:
    """Note 000's error functions on N = 5 examples, each written with engine Values."""

    def __init__(self, seed=0, n=5, classes=4):
        rng = np.random.default_rng(seed)
        self.n = n
        # real-valued output: predictions ŷ as leaves
        self.y_real = rng.normal(0.0, 1.0, size=n)
        self.yhat = rng.normal(0.0, 1.0, size=n)
        yhat = [Value(v) for v in self.yhat]
        mse = (1 / (2 * n)) * autograd.sum([(y - p) ** 2 for y, p in zip(self.y_real, yhat)])
        rss = autograd.sum([(y - p) ** 2 for y, p in zip(self.y_real, yhat)])
        self.dmse_dyhat = np.array(autograd.grad(mse, yhat))
        self.drss_dyhat = np.array(autograd.grad(rss, yhat))
        # binary output: logits z, p_1 = σ(z)
        self.y_binary = rng.integers(0, 2, size=n).astype(float)
        self.z = rng.normal(0.0, 1.5, size=n)
        self.p1 = sigmoid(self.z)
        z = [Value(v) for v in self.z]
        p1 = [v.sigmoid() for v in z]
        bce = self._bce(p1)
        self.bce = bce.data
        self.dbce_dz = np.array(autograd.grad(bce, z))
        p1_leaves = [Value(v) for v in self.p1]
        self.dbce_dp1 = np.array(autograd.grad(self._bce(p1_leaves), p1_leaves))
        # multinomial output: logits Z (n × K), one-hot Y, p = softmax
        self.logits = rng.normal(0.0, 1.5, size=(n, classes))
        self.labels = rng.integers(0, classes, size=n)
        self.one_hot = np.eye(classes)[self.labels]
        logits = [[Value(v) for v in row] for row in self.logits]
        probabilities = [autograd.softmax(row) for row in logits]
        self.softmax = np.array([[p.data for p in row] for row in probabilities])
        terms = [y * p.log() for prow, yrow in zip(probabilities, self.one_hot) for p, y in zip(prow, yrow) if y]
        cross_entropy = -(1 / n) * autograd.sum(terms)
        self.dce_dz = np.array([autograd.grad(cross_entropy, row) for row in logits])

    def _bce(self, p1):
        n = self.n
        terms = [(1 - y) * (1 - p).log() + y * p.log() for y, p in zip(self.y_binary, p1)]
        return -(1 / n) * autograd.sum(terms)


class Chain001:
    """Note 001's scalar network: one neuron per layer, x → a^(1) → a^(2) → a^(3) = a^(L),
    logistic σ, C = (a^(L) - y)². (The note draws one hidden layer; one more makes the
    general δ^(l) differ from the δ^(L-1) case.) Index 0 is the input, a^(0) = x."""

    def __init__(self, seed=1, depth=3):
        rng = np.random.default_rng(seed)
        weights, biases = random_layers([1] * (depth + 1), rng)
        self.L = depth
        self.x, self.y = rng.normal(0.0, 1.0), rng.uniform(0.1, 0.9)
        net = build([self.x], weights, biases, "sigmoid")
        cost = squared_error(net.output, [self.y])
        g = Gradients(cost)
        r = range(1, depth + 1)
        self.w = {l: weights[l - 1][0, 0] for l in r}
        self.b = {l: biases[l - 1][0] for l in r}
        self.z = {l: net.z[l][0].data for l in r}
        self.a = {0: self.x, **{l: net.a[l][0].data for l in r}}
        self.dC_dz = {l: g(net.z[l][0]) for l in r}
        self.dC_da = {l: g(net.a[l][0]) for l in r}
        self.dC_dw = {l: g(net.weights[l][0][0]) for l in r}
        self.dC_db = {l: g(net.biases[l][0]) for l in r}
        self.dz_da_previous = {l: autograd.grad(net.z[l][0], net.a[l - 1][0]) for l in r}

    def sigma_prime(self, l):
        return float(derivative("sigmoid", self.z[l]))

    def hand_deltas(self):
        """δ^(L) = 2(a^(L) - y)σ'(z^(L)), then δ^(l) = δ^(l+1) w^(l+1) σ'(z^(l)) downwards."""
        delta = {self.L: 2 * (self.a[self.L] - self.y) * self.sigma_prime(self.L)}
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
        self.net, self.cost = self.forward(self.x, self.y)
        g = Gradients(self.cost)
        r = range(1, self.L + 1)
        self.W = {l: self.W_list[l - 1] for l in r}
        self.b = {l: self.b_list[l - 1] for l in r}
        self.z = {l: self.net.z_data(l) for l in r}
        self.a = {0: self.x, **{l: self.net.a_data(l) for l in r}}
        self.dC_dz = {l: g.vector(self.net.z[l]) for l in r}
        self.dC_da = {l: g.vector(self.net.a[l]) for l in r}
        self.dC_dW = {l: g.matrix(self.net.weights[l]) for l in r}
        self.dC_db = {l: g.vector(self.net.biases[l]) for l in r}
        self.da_dz = {l: np.array([autograd.grad(a, z) for a, z in zip(self.net.a[l], self.net.z[l])]) for l in r}
        self.dz_dW = {l: np.array([autograd.grad(z, row) for z, row in zip(self.net.z[l], self.net.weights[l])])
                      for l in r}
        self.dz_db = {l: np.array([autograd.grad(z, b) for z, b in zip(self.net.z[l], self.net.biases[l])])
                      for l in r}

    def forward(self, x, y, weights=None, biases=None):
        weights = self.W_list if weights is None else weights
        biases = self.b_list if biases is None else biases
        net = build(x, weights, biases, self.activations, label_offset=0)
        cost = (half_squared_error if self.cost_name == "half" else squared_error)(net.output, y)
        return net, cost

    def sigma_prime(self, l):
        return derivative(self.activations[l - 1], self.z[l])

    def flat_gradient(self):
        return np.concatenate([np.ravel(self.dC_dW[l]) for l in range(1, self.L + 1)] +
                              [self.dC_db[l] for l in range(1, self.L + 1)])

    def flat_parameters(self):
        return np.concatenate([np.ravel(W) for W in self.W_list] + list(self.b_list))

    def unflatten(self, flat):
        weights, biases, start = [], [], 0
        for W in self.W_list:
            weights.append(np.asarray(flat[start:start + W.size]).reshape(W.shape))
            start += W.size
        for b in self.b_list:
            biases.append(list(flat[start:start + b.size]))
            start += b.size
        return [[list(row) for row in W] for W in weights], biases


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

    @cached_property
    def per_example_gradients(self):
        """∇C_x for each training example, each from its own graph."""
        return [self._gradient_of([i]) for i in range(self.n)]

    def _gradient_of(self, indices, scale=None):
        """∇ of scale · Σ_(i in indices) C_(x_i), built as one graph sharing the parameters."""
        weights = [[[Value(v) for v in row] for row in W] for W in self.W_list]
        biases = [[Value(v) for v in b] for b in self.b_list]
        costs = [self.forward(self.train_x[i], self.train_y[i], weights, biases)[1] for i in indices]
        total = autograd.sum(costs) * (1.0 if scale is None else scale)
        g = Gradients(total)
        return np.concatenate([np.ravel(g.matrix(W)) for W in weights] + [g.vector(b) for b in biases])

    def average_cost_gradient(self):
        """∇ of C = 1/(2n) Σ_j ‖y(x_j) - a^L‖² over the whole training set (one graph)."""
        return self._gradient_of(range(self.n), scale=1.0 / self.n)

    def minibatch_cost_gradient(self):
        """∇ of the mini-batch cost 1/(2m) Σ_(j in batch) ‖y(x_j) - a^L‖² (one graph)."""
        return self._gradient_of(self.batch, scale=1.0 / self.m)

    def cost_at(self, flat):
        weights, biases = self.unflatten(flat)
        return self.forward(self.x, self.y, weights, biases)[1].data

    def directional_derivative(self, direction):
        """d/dt C(w + t v) at t = 0, by the engine: t is an input Value of the graph."""
        t = Value(0.0, label="t")
        start_w, start = self.unflatten(self.flat_parameters())
        step_w, step_b = self.unflatten(direction)
        weights = [[[w + t * v for w, v in zip(rw, rv)] for rw, rv in zip(W, V)] for W, V in zip(start_w, step_w)]
        biases = [[b + t * v for b, v in zip(B, V)] for B, V in zip(start, step_b)]
        cost = self.forward(self.x, self.y, weights, biases)[1]
        return autograd.grad(cost, t)


class Perceptron002:
    """Note 002's perceptron P(x) = step(w·x + b) on one input away from its threshold."""

    def __init__(self, seed=3):
        rng = np.random.default_rng(seed)
        self.w, self.x, self.b = rng.normal(size=3), rng.normal(size=3), 0.3
        w = [Value(v) for v in self.w]
        b = Value(self.b)
        out = autograd.dot(w, [Value(v) for v in self.x], b).step(0.0)
        self.dP_dw = np.array(autograd.grad(out, w))
        self.dP_db = autograd.grad(out, b)


EXAMPLES = {
    "figure5": Figure5,
    "figure5_two_outputs": lambda: Figure5(outputs=2),
    "error_functions": ErrorFunctions,
    "chain001": Chain001,
    "multivariate001": lambda: Layered([3, 4, 3, 2], "tanh", "sigmoid", "squared", seed=4),
    "net002": Net002,
    "perceptron002": Perceptron002,
}

DESCRIPTIONS = {
    "figure5": "note 000 Figure 5: 4 inputs (x_0 = 1), logistic layers of 2, 3, 1; C = 1/2 (y - ŷ)²; "
               "weights seeded, biases θ_(0,k) = 1",
    "figure5_two_outputs": "Figure 5 with a second output neuron (N_4 = 2)",
    "error_functions": "N = 5 examples: real ŷ, binary logits, 4-class logits with one-hot y",
    "chain001": "note 001: one logistic neuron per layer, x → a(1) → a(2) → a(3); C = (a(L) - y)²",
    "multivariate001": "note 001 multivariate: 3-4-3-2, tanh hidden, logistic output; C = ‖a(L) - y‖²",
    "net002": "note 002: 4-3-3-3 logistic, C_x = 1/2 ‖y(x) - a^L‖², y one-hot; n = 6, mini-batch m = 2",
    "perceptron002": "note 002: one step perceptron with 3 inputs, away from its threshold",
}
