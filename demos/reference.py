"""The demos' numpy reference: σ and σ′ of every activation, a forward pass and BP1–BP4.

Everything a demo writes "by hand" starts here, in numpy, from the activations' formulas:

    identity  σ(z) = z                 σ′(z) = 1
    sigmoid   σ(z) = 1 / (1 + e^-z)    σ′(z) = σ(z)(1 − σ(z))
    tanh      σ(z) = tanh z            σ′(z) = 1 − tanh² z
    relu      σ(z) = max(0, z)         σ′(z) = 1 if z > 0 else 0
    step      σ(z) = 1 if z ≥ 0 else 0 σ′(z) = 0

Nothing here touches the engine: these are the hand sides the engine is checked against.
"""

import numpy as np


def sigmoid(z):
    """σ(z) = 1 / (1 + e^-z), the logistic function."""
    return 1.0 / (1.0 + np.exp(-np.asarray(z, dtype=float)))


def sigmoid_prime(z):
    """σ′(z) = σ(z)(1 − σ(z))."""
    s = sigmoid(z)
    return s * (1.0 - s)


_ACTIVATIONS = {
    "identity": (lambda z: z, np.ones_like),
    "sigmoid": (sigmoid, sigmoid_prime),
    "tanh": (np.tanh, lambda z: 1.0 - np.tanh(z) ** 2),
    "relu": (lambda z: np.maximum(z, 0.0), lambda z: (z > 0).astype(float)),
    "step": (lambda z: (z >= 0).astype(float), np.zeros_like),
}


def _entry(activation):
    if activation not in _ACTIVATIONS:
        raise ValueError(f"unknown activation {activation!r}; expected one of {', '.join(_ACTIVATIONS)}")
    return _ACTIVATIONS[activation]


def activate(activation, z):
    """σ(z) in numpy for a named activation."""
    return _entry(activation)[0](np.asarray(z, dtype=float))


def derivative(activation, z):
    """σ′(z) in numpy for a named activation."""
    return _entry(activation)[1](np.asarray(z, dtype=float))


def forward(x, weights, biases, activations):
    """z^l = W^l a^(l-1) + b^l, a^l = σ(z^l): returns (z, a), lists with a[0] = x and z[0] = None."""
    if isinstance(activations, str):
        activations = [activations] * len(weights)
    a, z = [np.asarray(x, dtype=float)], [None]
    for W, b, act in zip(weights, biases, activations):
        z.append(np.asarray(W, dtype=float) @ a[-1] + np.asarray(b, dtype=float))
        a.append(activate(act, z[-1]))
    return z, a


def backprop(x, y, weights, biases, activations):
    """BP1–BP4 for C = 1/2 ‖y − a^L‖² (∇_a C = a^L − y), in numpy.

    Returns (δ, ∂C/∂W, ∂C/∂b), one entry per layer, layer 1 first:
        BP1  δ^L = (a^L − y) ⊙ σ′(z^L)
        BP2  δ^l = ((W^(l+1))ᵀ δ^(l+1)) ⊙ σ′(z^l)
        BP3  ∂C/∂W^l = δ^l (a^(l-1))ᵀ
        BP4  ∂C/∂b^l = δ^l
    """
    if isinstance(activations, str):
        activations = [activations] * len(weights)
    z, a = forward(x, weights, biases, activations)
    L = len(weights)
    delta = [None] * L
    delta[L - 1] = (a[L] - np.asarray(y, dtype=float)) * derivative(activations[L - 1], z[L])
    for l in range(L - 2, -1, -1):
        delta[l] = (np.asarray(weights[l + 1], dtype=float).T @ delta[l + 1]) * derivative(activations[l], z[l + 1])
    dW = [np.outer(delta[l], a[l]) for l in range(L)]
    db = [delta[l].copy() for l in range(L)]
    return delta, dW, db
