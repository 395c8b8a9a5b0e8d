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

from autograd import Value

from .data import finite_number

# The name of each activation, with the default of its constant k (None: it has no k).
ACTIVATIONS = {"linear": 1.0, "step": 0.0, "sigmoid": None, "tanh": None, "relu": None, "softmax": None}
ALIASES = {"logistic": "sigmoid", "identity": "linear"}


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
        return self.name == "softmax"

    @property
    def learns(self):
        """False for step, whose gradient is zero everywhere: gradient descent cannot move it."""
        return self.name != "step"

    def __call__(self, z):
        """a = σ(z) for one neuron: one node (or z itself for the identity, linear with k = 1)."""
        if self.name == "linear":
            return z if self.k == 1.0 else z * Value(self.k, label="k")
        if self.name == "step":
            return z.step(self.k)
        if self.name == "softmax":
            raise ValueError("softmax maps a whole layer, not one neuron: use it as a Layer's or "
                             "an MLP's output activation")
        return getattr(z, self.name)()

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
    """The Activation a spec names: "tanh", ("step", 0.5), {"name": ..., "k": ...} or an Activation."""
    if isinstance(spec, Activation):
        return spec
    if isinstance(spec, str):
        return Activation(spec)
    if isinstance(spec, tuple) and len(spec) == 2:
        return Activation(*spec)
    if isinstance(spec, dict) and set(spec) <= {"name", "k"} and "name" in spec:
        return Activation(spec["name"], spec.get("k"))
    raise TypeError(f"activation: expected a name such as 'tanh', a pair such as ('step', 0.5) "
                    f"or an nn.Activation, got {type(spec).__name__} {spec!r:.60}")
