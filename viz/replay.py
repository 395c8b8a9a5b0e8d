"""Replaying a recorded fit with numpy: the network's outputs and classes at any snapshot.

A recording (fit(record=...)) is plain data: the layer sizes, each layer's activation by name
and, per snapshot, W(l) and b(l). The forward pass of the notes, one layer at a time,

    z(l) = W(l) a(l-1) + b(l),    a(l) = σ(z(l)),    a(1) = x

runs here on a whole array of inputs at once (rows are examples), which is how the page
gets its decision regions and confusion matrices without the engine.
"""

import numpy as np


def _softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


ACTIVATIONS = {
    "linear": lambda z, k: k * z,
    "step": lambda z, k: (z >= k).astype(float),
    "sigmoid": lambda z, k: 0.5 * (1.0 + np.tanh(0.5 * z)),  # σ(z) without overflow for large |z|
    "tanh": lambda z, k: np.tanh(z),
    "relu": lambda z, k: np.maximum(z, 0.0),
    "softmax": lambda z, k: _softmax(z),
}


def forward(weights, activations, X):
    """a(L) for every row of X (N, n_1): weights [(W, b)] and activations [(name, k)] per layer."""
    a = np.asarray(X, dtype=float)
    for (W, b), (name, k) in zip(weights, activations):
        # W.T as a contiguous array: OpenBLAS multiplies by a transposed view up to 40x slower here
        a = ACTIVATIONS[name](a @ np.ascontiguousarray(W.T) + b, k)
    return a


class Decision:
    """How outputs a(L) become a class index 0..K-1, and how sure the network is (0.5..1 or 1/K..1).

    rule "threshold" (one output): class 1 where a(L) >= at. A threshold of 0 reads the output as
    a logit (sureness σ(a)), of 0.5 as a probability. rule "argmax": the largest output wins;
    sureness is its softmax share (of the outputs when the output layer is linear, else of a(L)).
    """

    def __init__(self, decision, activations):
        self.rule = decision["rule"]
        self.at = decision.get("at")
        self.labels = decision.get("classes")
        self.logits = activations[-1][0] == "linear"

    def classes(self, outputs):
        if self.rule == "threshold":
            return (outputs[:, 0] >= self.at).astype(int)
        return outputs.argmax(axis=1)

    def sureness(self, outputs):
        if self.rule == "threshold":
            p = 0.5 * (1.0 + np.tanh(0.5 * outputs[:, 0])) if self.at == 0.0 else np.clip(outputs[:, 0], 0.0, 1.0)
            return np.maximum(p, 1.0 - p)
        shares = _softmax(outputs) if self.logits else np.clip(outputs, 0.0, None)
        total = shares.sum(axis=1)
        return np.where(total > 0, shares.max(axis=1) / np.where(total > 0, total, 1.0), 0.0)

    def truth(self, y, count):
        """The true class index 0..K-1 of each target: 0/1 or -1/+1 labels, class indices, one-hot rows."""
        y = np.asarray(y, dtype=float)
        if y.ndim == 2 and y.shape[1] > 1:
            return y.argmax(axis=1)
        y = y.reshape(count)
        if self.rule == "threshold":
            return (y == self.labels[1]).astype(int)
        return y.astype(int)

    def names(self, nout):
        if self.rule == "threshold":
            return [str(label) for label in self.labels]
        return [str(c) for c in range(nout)]
