"""The activation functions of the notes' table, by name.

    name       a = σ(z)                          ∂a/∂z
    linear     k z            (slope k, 1)       k
    step       1 if z >= k else 0 (threshold k)  0      (a perceptron: it cannot learn by gradients)
    sigmoid    1 / (1 + e^-z)  ("logistic")      σ(z)(1 - σ(z))
    tanh       tanh z                            1 - tanh² z
    relu       max(0, z)                         1 if z > 0 else 0
    softmax    e^(z_j) / Σ_i e^(z_i)             (a whole output layer at once, not one neuron)

An activation is given as a name ("tanh"), a pair (name, k) such as ("step", 0.5), or an
`Activation`. Each neuron applies it as ONE node after its weighted input z, so a drawn
network shows z(l)_j and a(l)_j side by side, as in the notes.
"""

from dataclasses import dataclass

import numpy as np

from autograd import Value
from autograd.ops import ACTIVATIONS as ACTIVATION_OPS
from autograd.ops import OPS

from .data import finite_number

# THE registry of activations, each name with the default of its constant k (None: it takes
# none). It is read from the op table: every op flagged as an activation there (tanh,
# sigmoid, relu, step) is one, a table op's one constant being the notes' k (step's
# threshold, 0 unless given). nn adds the two that are not ops of their own: "linear", which
# is z itself (or k z, one * node), and "softmax", which maps a whole layer at once.
ACTIVATIONS = {"linear": 1.0,
               **{name: (0.0 if OPS[name].consts else None) for name in ACTIVATION_OPS},
               "softmax": None}
ALIASES = {"logistic": "sigmoid", "identity": "linear"}
LAYERWISE = ("softmax",)   # a whole layer's z vector to its a vector
CANNOT_LEARN = ("step",)   # its gradient is 0 everywhere: gradient descent cannot move it


@dataclass(frozen=True)
class Activation:
    """σ by name, with the notes' constant k: the slope of "linear", the threshold of "step"."""

    name: str
    k: float | None = None

    def __post_init__(self):
        if not isinstance(self.name, str):
            raise TypeError(f"activation name: expected str, got {type(self.name).__name__}")
        name = ALIASES.get(self.name, self.name)
        if name not in ACTIVATIONS:
            raise ValueError(f"unknown activation {self.name!r}; expected one of "
                             f"{', '.join(map(repr, ACTIVATIONS))} (or {', '.join(map(repr, ALIASES))})")
        default = ACTIVATIONS[name]
        if isinstance(self.k, str):  # ("relu", "sigmoid"): meant as one activation per layer
            raise TypeError(f"activation ({self.name!r}, {self.k!r}): a pair is (name, k) with a number k, "
                            f"such as ('step', 0.5); for one activation per layer pass a list, "
                            f"e.g. activation=[{self.name!r}, {self.k!r}]")
        if default is None and self.k is not None:
            raise ValueError(f"activation {name!r} takes no constant k, got k={self.k!r}")
        k = default if self.k is None else _constant(self.k, name)
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "k", k)

    @property
    def layerwise(self):
        """True for softmax: it maps a whole layer's z vector to its a vector."""
        return self.name in LAYERWISE

    @property
    def learns(self):
        """False for step, whose gradient is zero everywhere: gradient descent cannot move it."""
        return self.name not in CANNOT_LEARN

    def __call__(self, z):
        """a = σ(z) for one neuron: one node of the table's op (Value has a method per
        activation op, taking its constant), or z itself for the identity (linear, k = 1)."""
        if self.name == "linear":
            return z if self.k == 1.0 else z * Value(self.k, label="k", requires_grad=False)  # a constant of f, not a parameter
        if self.layerwise:
            raise ValueError(f"{self.name} maps a whole layer, not one neuron: use it as a Layer's or "
                             f"an MLP's output activation")
        return getattr(z, self.name)() if self.k is None else getattr(z, self.name)(self.k)

    def describe(self):
        """The short form used in reprs and in saved files: "tanh", "step(k=0.5)"."""
        if self.k is None or self.k == ACTIVATIONS[self.name]:
            return self.name
        return f"{self.name}(k={self.k:g})"

    def to_json(self):
        return {"name": self.name} if self.k is None else {"name": self.name, "k": self.k}


def _constant(k, name):
    return finite_number(k, f"activation {name!r}: k")


def activation(spec):
    """The Activation a spec names: "tanh", ("step", 0.5), {"name": ..., "k": ...}, an Activation
    or an activation module (nn.ReLU(), whose σ it is)."""
    if isinstance(spec, Activation):
        return spec
    if isinstance(spec, str):
        return Activation(spec)
    if isinstance(spec, tuple) and len(spec) == 2:
        return Activation(*spec)
    if isinstance(spec, dict) and set(spec) <= {"name", "k"} and "name" in spec:
        return Activation(spec["name"], spec.get("k"))
    if isinstance(getattr(spec, "activation", None), Activation):  # an activation module, nn.ReLU()
        return spec.activation
    if str(getattr(spec, "__module__", "")).split(".")[0] == "torch":  # torch.nn.ReLU(), torch.tanh
        raise TypeError(f"activation: got PyTorch's {getattr(spec, '__name__', type(spec).__name__)}; "
                        f"give its name, such as 'relu' or 'tanh', or tracegrad's module, nn.ReLU()")
    # a bool is micrograd's nonlin given as Neuron's second argument, Neuron(2, False)
    hint = f"; micrograd's {MICROGRAD_NONLIN}" if isinstance(spec, (bool, np.bool_)) else ""
    raise TypeError(f"activation: expected a name such as 'tanh', a pair such as ('step', 0.5) "
                    f"or an nn.Activation, got {type(spec).__name__} {spec!r:.60}{hint}")


# micrograd's Neuron(nin, nonlin=True) is relu and nonlin=False linear
MICROGRAD_NONLIN = ("nonlin=True is activation=\"relu\" here, nonlin=False is activation=\"linear\" "
                    "(the default here is \"tanh\")")
