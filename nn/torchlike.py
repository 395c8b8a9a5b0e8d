"""PyTorch-shaped building blocks: nn.Linear, nn.Sequential and one module per activation.

    model = nn.Sequential(nn.Linear(4, 2), nn.Sigmoid(), nn.Linear(2, 1))
    model([0.1, 0.2, 0.3, 0.4])           # one example, as nn.MLP takes it

They build the very graph an nn.MLP builds, node for node and label for label: the k-th
Linear of a Sequential (counted depth first through the Sequentials inside it) is the notes'
layer l = k + 1 (the inputs are layer 1), so its

    z(l)_j = Σ_k w(l)_j,k a(l-1)_k + b(l)_j      ONE dot node per neuron
    a(l)_j = σ(z(l)_j)                          ONE node, made by the activation module after it

and a Sequential draws, steps, trains (nn.fit, the compiled path) and saves like an MLP.
Parameter names follow PyTorch's, one scalar each: `0.weight.j.k` is W[j, k] of module 0
(the notes' w(1+1)_j+1,k+1) and `0.bias.j` its b[j].
"""

import math
import numbers
import re
from collections import OrderedDict, namedtuple
from itertools import chain

import numpy as np

import autograd
from autograd import Value

from .activations import Activation
from .data import finite_array, input_values
from .init import generator
from autograd.checks import as_count, as_flag

from .layers import label, optional_layer
from .module import Module, _named, once_each

_Z_LABEL = re.compile(r"z(\(\d+\))?(_.*)?")


class Linear(Module):
    """z = W a + b: out_features neurons, each reading the same in_features inputs (PyTorch's nn.Linear).

    weight[j][k] is the weight from input k into neuron j (W is out_features × in_features, the
    notes' and PyTorch's orientation); bias[j] is neuron j's bias (None with bias=False).
    Starting values are PyTorch's: W and b ~ U(-1/√in_features, 1/√in_features), drawn from
    the module's own numpy Generator (`seed` or `rng`). `layer` is the notes' layer number l,
    used only for labels; a Sequential sets it.
    """

    def __init__(self, in_features, out_features, bias=True, *, seed=None, rng=None, layer=None):
        self.in_features = as_count(in_features, "Linear in_features")
        self.out_features = as_count(out_features, "Linear out_features")
        bias = as_flag(bias, "Linear bias")
        bound = 1.0 / math.sqrt(self.in_features)
        rng = generator(seed, rng)
        W = rng.uniform(-bound, bound, size=(self.out_features, self.in_features))
        b = rng.uniform(-bound, bound, size=self.out_features)
        self.weight = [[Value(w) for w in row] for row in W.tolist()]
        self.bias = [Value(v) for v in b.tolist()] if bias else None
        self.number_layer(layer)

    @property
    def nin(self):
        return self.in_features

    @property
    def nout(self):
        return self.out_features

    def number_layer(self, layer):
        """Label every node as layer `layer` of the notes (None: unnumbered, w_j,k, b_j, z_j)."""
        self.layer = layer = optional_layer(layer, "Linear layer")
        for j, row in enumerate(self.weight, 1):
            for k, w in enumerate(row, 1):
                w.label = label("w", layer, j, k)
        for j, b in enumerate(self.bias or (), 1):
            b.label = label("b", layer, j)
        self._z_labels = [label("z", layer, j) for j in range(1, self.out_features + 1)]

    def _children(self):
        return [("weight", self.weight)] + ([("bias", self.bias)] if self.bias is not None else [])

    def parameters(self, recurse=True):
        """W row by row, then b: named_parameters' order, listed directly (as nn.Layer's), a
        Value placed twice (a tied weight) once, where it is first met."""
        if _walks_its_own_way(self, Linear) or not as_flag(recurse, "parameters(recurse)"):
            return super().parameters(recurse)
        return once_each(self._collect([], None))

    def _collect(self, values, modules_seen):
        """values + every parameter Value in named_parameters' order, a tied one as often as it
        is placed (modules_seen, as Sequential's takes it: a Linear holds no modules)."""
        values.extend(chain.from_iterable(self.weight))
        values.extend(self.bias or ())
        return values

    def __call__(self, x):
        return self.forward(input_values(x, self.in_features, repr(self)))

    def forward(self, a):
        """[z_1, ..., z_out] for inputs already checked (a Sequential checks once)."""
        biases = self.bias or [None] * self.out_features
        zs = [autograd.dot(row, a, b) for row, b in zip(self.weight, biases)]
        for z, name in zip(zs, self._z_labels):
            z.label = name
        return zs

    def weights(self):
        """(W, b) as numpy arrays (b is None without a bias)."""
        W = np.array([[w.data for w in row] for row in self.weight])
        return W, None if self.bias is None else np.array([b.data for b in self.bias])

    def checked_weights(self, W, b, what):
        """(W, b) as float arrays of this layer's shapes, all finite; an error naming `what` otherwise."""
        W = finite_array(W, f"{what}weight", (self.out_features, self.in_features))
        if self.bias is None:
            if b is not None:
                raise ValueError(f"{what}bias: this Linear has no bias (bias=False), got one")
            return W, None
        if b is None:
            raise ValueError(f"{what}bias: this Linear has a bias; expected {self.out_features} numbers")
        return W, finite_array(b, f"{what}bias", (self.out_features,))

    def write_weights(self, W, b):
        """Write checked (W, b) into the parameter Values."""
        for row, values in zip(self.weight, W.tolist()):
            for w, value in zip(row, values):
                w.data = value
        for p, value in zip(self.bias or (), [] if b is None else b.tolist()):
            p.data = value

    def set_weights(self, W, b=None):
        """Write W (out × in) and b (out) into the layer, after checking shapes and numbers."""
        self.write_weights(*self.checked_weights(W, b, "Linear.set_weights: "))

    def __repr__(self):
        return (f"Linear(in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None})")


# --- activations as modules ------------------------------------------------------------

class ActivationModule(Module):
    """σ applied to each entry of a layer's output: a(l)_j = σ(z(l)_j), one node per neuron.

    The output of σ on a node labelled z(l)_j is labelled a(l)_j, so a Sequential's nodes carry
    the notes' names; on another node x it is labelled σ(x).
    """

    name = None  # the nn.activations name
    constant = None  # the name its constant k goes by, if it has one

    def __init__(self, k=None):
        self.activation = Activation(self.name, k)

    def __call__(self, a):
        if isinstance(a, Value):
            return self.forward([a])[0]
        return self.forward(input_values(a, None, repr(self), nodes=True))

    def forward(self, a):
        outs = []
        for z in a:
            out = self.activation(z)
            if out is not z:
                out.label = _activation_label(z.label, self.activation.name)
            outs.append(out)
        return outs

    def __repr__(self):
        shown = f"{self.constant}={self.activation.k!r}" if self.constant else ""
        return f"{type(self).__name__}({shown})"


def _activation_label(z_label, name):
    """a(l)_j for z(l)_j (and a_j for z_j, a for z); σ(x) for a node of another name."""
    if _Z_LABEL.fullmatch(z_label):
        return "a" + z_label[1:]
    return f"{name}({z_label})" if z_label else ""


class ReLU(ActivationModule):
    """a = max(0, z); ∂a/∂z = 1 if z > 0 else 0."""
    name = "relu"

    def __init__(self, inplace=False):
        # torch's ReLU(inplace=True) saves memory by overwriting its input; a Value is never
        # changed in place, so either way gives the same numbers and gradients
        as_flag(inplace, "ReLU inplace")
        super().__init__()


class Tanh(ActivationModule):
    """a = tanh z; ∂a/∂z = 1 - tanh² z."""
    name = "tanh"


class Sigmoid(ActivationModule):
    """a = σ(z) = 1 / (1 + e^-z) (the notes' logistic); ∂a/∂z = σ(z)(1 - σ(z))."""
    name = "sigmoid"


class Identity(ActivationModule):
    """a = z: no node at all (PyTorch's nn.Identity; the notes' linear activation with k = 1)."""
    name = "linear"

    def __init__(self):
        super().__init__()


class LinearActivation(ActivationModule):
    """a = k z, the notes' linear activation with slope k; ∂a/∂z = k. (Not nn.Linear, the layer.)"""
    name = "linear"

    constant = "k"

    def __init__(self, k=1.0):
        super().__init__(k)


class Step(ActivationModule):
    """a = 1 if z >= threshold else 0, the perceptron's step; ∂a/∂z = 0, so it cannot learn."""
    name = "step"

    constant = "threshold"

    def __init__(self, threshold=0.0):
        super().__init__(threshold)


class Softmax(ActivationModule):
    """a_j = e^(z_j) / Σ_i e^(z_i) over a whole layer (autograd.softmax, which never overflows).
    dim=-1 (or 1, as a batched PyTorch model writes it): the layer's outputs."""
    name = "softmax"

    def __init__(self, dim=-1):
        if isinstance(dim, (bool, np.bool_)) or not isinstance(dim, numbers.Integral):
            raise TypeError(f"Softmax dim: expected an int (-1, or 1), as torch's softmax takes, got "
                            f"{type(dim).__name__} {dim!r:.40}")
        if dim not in (-1, 1):
            raise ValueError(f"Softmax dim={dim!r}: tracegrad applies softmax across one example's "
                             f"outputs, which is dim=-1 (or dim=1 for PyTorch's batch of examples)")
        super().__init__()
        self.dim = int(dim)

    def forward(self, a):
        if len(a) < 2:
            raise ValueError(f"Softmax over {len(a)} output: softmax of one number is always 1, with "
                             f"zero gradient; for two classes use one output with nn.BCEWithLogitsLoss")
        outs = autograd.softmax(a)  # as an MLP's softmax layer computes it
        for z, out in zip(a, outs):
            out.label = _activation_label(z.label, "softmax")
        return outs

    def __repr__(self):
        return f"Softmax(dim={self.dim})"


# One module per activation of the notes' table (nn.activations), for from_torch and save/load.
MODULE_OF_ACTIVATION = {"linear": LinearActivation, "step": Step, "sigmoid": Sigmoid, "tanh": Tanh,
                        "relu": ReLU, "softmax": Softmax}


def activation_module(act):
    """The module for an nn.Activation: Identity for linear with k = 1."""
    if act.name == "linear" and act.k == 1.0:
        return Identity()
    cls = MODULE_OF_ACTIVATION[act.name]
    return cls() if act.k is None else cls(act.k)


# --- Sequential ------------------------------------------------------------------------

class Sequential(Module):
    """Modules applied one after the other, PyTorch's nn.Sequential: Sequential(m0, m1, ...) or
    Sequential(OrderedDict(name=module, ...)). Called on one example it returns a Value when
    there is one output, else a list (as nn.MLP). model[0], model["name"], model.name (as
    torch finds a submodule), len(model), iteration, model.append(module), extend, insert, pop,
    model[i] = module and del model[i] work, as torch's.

    Sizes are checked when it is built or changed: a module with `nin` (a Linear) must read as
    many inputs as the module before it gives. They are read from the modules, never kept, so
    nin and nout follow a change to a Sequential inside it, and a forward names a module that
    such a change left unchained. Its k-th Linear, counted depth first through the Sequentials
    inside it, is labelled as the notes' layer k + 1.
    """

    def __init__(self, *modules):
        if len(modules) == 1 and isinstance(modules[0], OrderedDict):
            named = list(modules[0].items())
        else:
            named = [(str(i), m) for i, m in enumerate(modules)]
        if not named:
            raise ValueError("Sequential: expected at least one module, got none")
        if len(modules) == 1 and isinstance(modules[0], (list, tuple)) and modules[0]:
            # as in PyTorch, the modules come one per argument; Keras' Sequential takes a list
            raise TypeError(f"Sequential: got one {type(modules[0]).__name__} of {len(modules[0])} modules; pass "
                            f"them one per argument, nn.Sequential(*modules), as in PyTorch")
        _check_named(named)
        self._numbers_layers = True
        self._renumber(named)

    def _hold(self, named):
        """Keep the modules, once their sizes chain (checked first: a Sequential whose sizes do
        not chain is left as it was). A nout declared by hand was for the modules it had."""
        _sizes(named)
        self._named = named
        self._declared_nout = None
        _changed()

    def _chain(self):
        """The sizes its modules chain to (_sizes), with a declared nout for a width they leave
        unknown. Kept until any Sequential changes: one inside this one may have changed
        (model[2].append(...)), and it cannot tell this one."""
        kept = self.__dict__.get("_kept_chain")
        if kept is not None and kept[0] == _CHANGES[0]:
            return kept[1]
        chain = _sizes(self._named)
        declared = self.__dict__.get("_declared_nout")
        chain = chain if declared is None or chain.unsized is None else chain._replace(nout=declared)
        self._kept_chain = (_CHANGES[0], chain)
        return chain

    @property
    def nin(self):
        """The number of inputs: the first module's with a size (None for activation modules only)."""
        return self._chain().nin

    def __getattr__(self, name):
        """model.fc1: the module named "fc1", as torch's Module.__getattr__ finds a submodule
        (called only when no attribute has the name: a module named "nin" is model["nin"])."""
        for key, module in self.__dict__.get("_named", ()):  # not self._named: it may not be set yet
            if key == name:
                return module
        names = ", ".join(repr(key) for key, _ in self.__dict__.get("_named", ()))
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}"
                             + (f" (its modules are named {names})" if names else ""))

    def __dir__(self):
        return list(super().__dir__()) + [key for key, _ in self.__dict__.get("_named", ()) if key.isidentifier()]

    def append(self, module):
        """Add `module` at the end, named by its place (str(len(model))), as torch's append;
        returns the model. Its Linears continue the notes' layer numbers."""
        name = str(len(self._named))
        if name in dict(self._named):  # a Sequential built from an OrderedDict may hold that name
            raise ValueError(f"Sequential.append: the name {name!r} it would get is taken by module "
                             f"{dict(self._named)[name]!r}")
        _check_named([(name, module)])
        self._renumber(self._named + [(name, module)])
        return self

    @property
    def nout(self):
        """The number of outputs: the last module's, as the modules declare them (a Linear's
        out_features, an activation module keeping its input's). A module of one's own that
        declares no `nout` is taken to keep the width, as an activation does (running it to
        count would draw from its random numbers, or fail on inputs it cannot take); if it
        changes the width, set its self.nout: a call that finds another width names it."""
        return self._chain().nout  # None when no module has a size (activation modules only)

    @nout.setter
    def nout(self, count):
        """Declare the width the modules leave unknown (a module of one's own without nout last)."""
        count = as_count(count, "Sequential nout")
        chain = _sizes(self._named)
        if chain.unsized is None and count != chain.nout:
            raise ValueError(f"Sequential nout: its modules declare {chain.nout} outputs, not {count}")
        self._declared_nout = count
        _changed()

    @property
    def nout_note(self):
        """Why nout may be wrong, in words ("" when every module declares its width)."""
        chain = self._chain()
        if chain.unsized is None:
            return ""
        name, module = chain.unsized
        kind = type(module).__name__
        return (f"Sequential: module {name!r} ({kind}) declares no nout, so the Sequential's nout "
                f"{chain.nout} is the width before it; if {kind} changes it, set self.nout, the number "
                f"of outputs it gives, in {kind}.__init__")

    def _children(self):
        return list(self._named)

    def parameters(self, recurse=True):
        """Its modules' parameters one module after the other: named_parameters' order, without
        building a name for each. A module placed twice is walked once, and a Value met twice (a
        tied weight) is one parameter, where it is first met, as Module.parameters gives them.
        A model numbers its layers first, as its forward does, so their labels are current."""
        if self._numbers_layers and self.__dict__.get("_numbered_at") != _CHANGES[0]:
            self._number_layers()
        if _walks_its_own_way(self, Sequential) or not as_flag(recurse, "parameters(recurse)"):
            return super().parameters(recurse)  # recurse=False: its modules hold them, so none
        return once_each(self._collect([], {id(self)}))

    def _collect(self, values, modules_seen):
        """values + the Values Module's walk meets under this Sequential, a tied one as often as
        it is met; modules_seen: the modules walked already (a module placed twice is walked once)."""
        for name, module in self._named:
            if not _lists_directly(module):  # an activation module, or one of the user's own
                values.extend(p for _, p in _named(module, name, modules_seen))
            elif id(module) not in modules_seen:
                modules_seen.add(id(module))
                module._collect(values, modules_seen)
        return values

    def __len__(self):
        return len(self._named)

    def __getitem__(self, index):
        """model[0], model["name"], or model[1:3]: a Sequential of those modules (shared, as in
        PyTorch, and keeping their labels: a part is not renumbered)."""
        if isinstance(index, str):
            names = dict(self._named)
            if index not in names:
                raise KeyError(f"Sequential[{index!r}]: no module of that name; its modules are named "
                               f"{', '.join(map(repr, names))}")
            return names[index]
        if isinstance(index, slice):
            named = self._named[index]
            if not named:
                raise IndexError(f"Sequential[{index.start}:{index.stop}:{index.step}]: no modules in that slice")
            part = Sequential.__new__(Sequential)
            part._numbers_layers = False  # its modules are the model's, labels and all
            part._named = named  # the model's chain, checked where it is run, as the model's is
            return part
        return self._named[self._place(index)][1]

    def _place(self, index):
        """An int index (model[-1] too) as a place 0 .. len - 1, or an error naming it."""
        if isinstance(index, (bool, np.bool_)) or not isinstance(index, numbers.Integral):
            raise TypeError(f"Sequential[{index!r:.40}]: expected an int, a slice or a module's name, "
                            f"got {type(index).__name__}")
        count = len(self._named)
        if not -count <= index < count:
            raise IndexError(f"Sequential[{index}]: it holds {count} modules (0 to {count - 1})")
        return int(index) % count

    # Changing the modules, as torch's Sequential does. Every change is checked first (a module
    # that is no nn module, sizes that do not chain), so a refused one leaves the model as it
    # was; the Linears are then numbered as the notes' layers again, as the constructor numbers
    # them (_renumber): in a model, not in a part of one (a slice, a Sequential inside another).

    def __setitem__(self, index, module):
        """model[i] = module: replaces the module at place i, under its name (torch's)."""
        place = self._place(index)
        name, old = self._named[place]
        _check_named([(name, module)])
        if not self._numbers_layers and _is_new_linear(module) and isinstance(old, Linear):
            module.number_layer(old.layer)  # in the model's numbering, the Linear it replaces
        named = self._named[:place] + [(name, module)] + self._named[place + 1:]
        self._renumber(named)
        _standing_alone([old], [module for _, module in named])

    def __delitem__(self, index):
        """del model[i] or del model[i:j]; as in torch, the modules left are named 0, 1, ... by place."""
        doomed = set(range(len(self._named))[index] if isinstance(index, slice) else [self._place(index)])
        kept = [module for place, (_, module) in enumerate(self._named) if place not in doomed]
        if not kept:
            raise ValueError(f"Sequential: del [{index!r:.40}] would leave no module; a Sequential holds at least one")
        removed = [module for place, (_, module) in enumerate(self._named) if place in doomed]
        self._renumber([(str(place), module) for place, module in enumerate(kept)])
        _standing_alone(removed, kept)

    def pop(self, index):
        """Removes the module (or slice) at index and returns it, as torch's pop."""
        taken = self[index]
        del self[index]
        return taken

    def insert(self, index, module):
        """Puts module at place index (len(model) appends), the modules after it moving one place
        on; returns the model. Names are places, as in torch, so every name must be its place."""
        count = len(self._named)
        if isinstance(index, (bool, np.bool_)) or not isinstance(index, numbers.Integral):
            raise TypeError(f"Sequential.insert: index {index!r:.40} must be an int, got {type(index).__name__}")
        if not -count <= index <= count:
            raise IndexError(f"Sequential.insert: index {index} is out of range for {count} modules")
        named_by_hand = [name for place, (name, _) in enumerate(self._named) if name != str(place)]
        if named_by_hand:
            raise ValueError(f"Sequential.insert: the modules are named by place, 0, 1, ..., after an insert, "
                             f"but module {named_by_hand[0]!r} has a name of its own; build a new Sequential "
                             f"from an OrderedDict instead")
        _check_named([(str(index), module)])
        modules = [m for _, m in self._named]
        modules.insert(int(index), module)  # a negative index counts from the end, as in torch
        self._renumber([(str(place), m) for place, m in enumerate(modules)])
        return self

    def extend(self, modules):
        """Appends each of `modules` (a Sequential, a list), each named by its place, as torch's
        extend; returns the model. All are checked before any is added."""
        named = [(str(place), module) for place, module in enumerate(modules, len(self._named))]
        taken = dict(self._named)
        for name, _ in named:
            if name in taken:  # a Sequential built from an OrderedDict may hold that name
                raise ValueError(f"Sequential.extend: the name {name!r} a module would get is taken by "
                                 f"module {taken[name]!r}")
        _check_named(named)
        self._renumber(self._named + named)
        return self

    def _renumber(self, named):
        """Hold `named`, numbering its Linears as the notes' layers 2, 3, ... in order. A part of
        a model (a slice, which shares the model's modules, or a Sequential placed inside
        another) leaves the numbers the model gave them: renumbering a part from 2 would change
        the labels of the model's own Linears. A new Linear in a part (one never numbered) is
        numbered after the part's last layer, as append numbers it, until the model, which the
        part cannot tell, numbers its layers again at its next forward or parameters()."""
        self._hold(named)
        for name, module in named:
            if isinstance(module, Sequential):
                module._numbers_layers = False  # now a part of this one: its labels are this one's
        if self._numbers_layers:
            self._number_layers()
            return
        linears = list(_linears(self))
        after = max((linear.layer or 0 for linear in linears), default=1)
        for layer, linear in enumerate([linear for linear in linears if _is_new_linear(linear)], after + 1):
            linear.number_layer(layer)

    def _number_layers(self):
        """Label its k-th Linear, depth first, as the notes' layer k + 1 (a Linear placed twice
        takes the number of its last place). Only a Linear whose number is off is labelled
        again, so a model checks its numbers on every forward at the cost of one look per
        Linear: a change to a Sequential inside it (which cannot tell the model) is numbered
        in the model's order before anything is computed or drawn."""
        wanted = {}
        for layer, linear in enumerate(_linears(self), 2):
            wanted[id(linear)] = (linear, layer)
        for linear, layer in wanted.values():
            if linear.layer != layer:
                linear.number_layer(layer)
        self._numbered_at = _CHANGES[0]

    def __iter__(self):
        return iter(module for _, module in self._named)

    def named_children(self):
        """(name, module) for every position, in order: a module placed twice is given twice
        (PyTorch's gives it once), as a forward pass runs it twice."""
        return iter(self._named)

    @property
    def activations(self):
        """The nn.Activation of each Linear's layer, as nn.MLP's, through the Sequentials inside
        it: the last activation module after the Linear and before the next one, the one whose
        output the next layer (or the loss) reads ("linear" where there is none): Linear, Tanh,
        Softmax gives softmax outputs, so it is a softmax layer. An Identity (a = z, no node)
        and a module of one's own that is no activation are passed over: Linear, Identity, Tanh
        is a tanh layer. _every_activation lists them all (fit's step warning)."""
        found = []
        for module in _flattened(self):
            if isinstance(module, Linear):
                found.append(None)
            elif found and _applies_sigma(module):
                found[-1] = module.activation
        return [Activation("linear") if act is None else act for act in found]

    def _every_activation(self):
        """Every activation module's nn.Activation, in the order they run (an Identity passed
        over): a Step anywhere stops the gradient, even with a Sigmoid after it."""
        return [module.activation for module in _flattened(self) if _applies_sigma(module)]

    def __call__(self, x):
        chain = self._chain()  # a ValueError naming the module a change inside left unchained
        if self._numbers_layers and self.__dict__.get("_numbered_at") != _CHANGES[0]:
            self._number_layers()
        a = input_values(x, chain.nin, _reader(chain.reader), nodes=not isinstance(self._named[0][1], Linear))
        for name, module in self._named:
            if name in chain.unchecked and len(a) != module.nin:
                reader_name, reader = _reading(name, module)
                raise ValueError(f"Sequential: module {reader_name!r}, {reader!r}, reads {module.nin} inputs, "
                                 f"but the module before it gave {len(a)} outputs")
            a = module.forward(a)
            if isinstance(a, Value):  # a module of the user's own that gives one Value
                a = [a]
        if chain.unsized is not None and chain.nout is not None and len(a) != chain.nout:
            raise ValueError(f"{self.nout_note}: it gave {len(a)} outputs")
        return a[0] if len(a) == 1 else a

    forward = __call__

    def __repr__(self):
        return self._framed(f"Sequential({self.num_parameters()} parameters)")


def _not_a_module(module):
    """A torch module (torch.nn.ReLU() where nn.ReLU() was meant) by its full name, as its
    repr alone, `ReLU()`, reads as this package's; anything else by its type and repr."""
    kind = type(module)
    if kind.__module__.split(".")[0] == "torch":
        where = "torch.nn" if kind.__module__.startswith("torch.nn.") else kind.__module__
        ours = globals().get(kind.__qualname__)
        hint = (f"tracegrad's is nn.{kind.__qualname__}" if isinstance(ours, type) and issubclass(ours, Module)
                else "tracegrad has no such module")
        return f"PyTorch's {where}.{kind.__qualname__} ({hint}; nn.from_torch converts a torch.nn.Sequential)"
    return f"{kind.__name__} {module!r:.40}"


def _check_named(named):
    """Each (name, module) a non-empty name without a dot and an nn module, or an error naming it."""
    for name, module in named:
        if not isinstance(name, str):  # a TypeError, as torch's add_module raises for one
            raise TypeError(f"Sequential: module name {name!r:.40} is not a str but {type(name).__name__}; expected a "
                            f"non-empty str without '.'")
        if not name or "." in name:
            raise ValueError(f"Sequential: module name {name!r:.40} must be a non-empty str without '.'")
        if not isinstance(module, Module):
            raise TypeError(f"Sequential: module {name!r} is {_not_a_module(module)}, "
                            f"expected an nn module such as nn.Linear or nn.ReLU")




def _is_new_linear(module):
    """A Linear that no Sequential has numbered yet (its labels w_j,k, unnumbered)."""
    return isinstance(module, Linear) and module.layer is None


def _walks_its_own_way(module, cls):
    """Whether a subclass of cls finds its parameters otherwise than cls does (it overrides
    named_parameters, or what that walks): then only Module.parameters lists them as it does."""
    return any(getattr(type(module), method) is not getattr(cls, method)
               for method in ("named_parameters", "_walk", "_children"))


def _lists_directly(module):
    """A Linear or Sequential that finds its parameters as these classes do."""
    return any(isinstance(module, cls) and not _walks_its_own_way(module, cls) for cls in (Linear, Sequential))


def _applies_sigma(module):
    """An activation module that makes a node (not an Identity, a = z)."""
    return isinstance(module, ActivationModule) and not (module.activation.name == "linear"
                                                         and module.activation.k == 1.0)


def _linears(modules):
    """Every Linear, depth first through nested Sequentials: the notes' layers 2, 3, ... in order."""
    for module in _flattened(modules):
        if isinstance(module, Linear):
            yield module


def _flattened(modules):
    """The modules, each Sequential among them replaced by its own modules, depth first."""
    for module in modules:
        if isinstance(module, Sequential):
            yield from _flattened(module)
        else:
            yield module


Chain = namedtuple("Chain", "nin nout unsized unchecked reader source")

# How many times any Sequential's modules have changed. What a Sequential works out from its
# modules (its sizes, its layers' numbers) is kept until the next change anywhere: one inside
# another cannot tell the Sequential that holds it, and working it out on every forward would
# cost a walk of the whole model per example.
_CHANGES = [0]


def _changed():
    _CHANGES[0] += 1


def _standing_alone(removed, kept):
    """A Sequential taken out of this one (del, pop, model[i] = ...) is a model of its own again,
    numbering its own layers, unless it is still held here at another place."""
    for module in removed:
        if isinstance(module, Sequential) and not any(module is other for other in kept):
            module._numbers_layers = True
            _changed()


def _reader(reader):
    """Who reads the inputs, for an error about them: the first module with a size."""
    if reader is None:
        return "Sequential"
    name, module = reader
    return f"Sequential: module {name!r}, {module!r}"


def _reading(name, module):
    """(dotted name, module) of the module that reads module's inputs: itself, or in a
    Sequential the first module with a size in it ('2.0' for model[2][0])."""
    if isinstance(module, Sequential):
        inner = module._chain().reader
        if inner is not None:
            return f"{name}.{inner[0]}", inner[1]
    return name, module


def _sizes(named):
    """Chain(nin, nout, unsized, unchecked, reader, source): the inputs of the first module with
    a size and the outputs of the last, checking that each module with a `nin` reads what the
    module before it gives. An activation module keeps the width, and so is a module of one's
    own without `nout` taken to (unsized: the last such (name, module) after the last declared
    width); the modules with a nin after one, which cannot be checked until a forward pass, are
    `unchecked`. reader and source: the (dotted name, module) that reads the inputs and the one
    that gives the last declared width, found inside the Sequentials among the modules."""
    nin = width = unsized = reader = source = None
    unchecked = set()
    for name, module in named:
        if isinstance(module, Softmax) and width == 1:
            raise ValueError(f"Sequential: module {name!r}, Softmax, follows a layer of 1 output: softmax "
                             f"of one number is always 1, with zero gradient; for two classes use one "
                             f"output with nn.BCEWithLogitsLoss")
        if isinstance(module, ActivationModule):
            continue
        module_in, module_out, module_unsized, module_source = _sizes_of(name, module)
        if module_in is None and module_out is None and module_unsized is None:
            continue  # a Sequential of activation modules only: the width kept
        if isinstance(module_in, numbers.Integral):
            if width is not None and unsized is None and module_in != width:
                reader_name, reader_module = _reading(name, module)
                raise ValueError(f"Sequential: module {reader_name!r}, {reader_module!r}, reads {module_in} "
                                 f"inputs, but the module before it gives {width} outputs" + _given_by(source))
            if unsized is not None:
                unchecked.add(name)
            if nin is None:
                nin, reader = module_in, _reading(name, module)
        if isinstance(module_out, numbers.Integral):
            width, unsized, source = module_out, None, module_source
        else:
            unsized = module_unsized
    return Chain(nin, width, unsized, unchecked, reader, source)


def _sizes_of(name, module):
    """(nin, nout, unsized, source) of one module that is no activation module: its declared
    sizes, or a Sequential's as its modules chain now (it may have changed since it was placed;
    unsized and source by their dotted names in it: '2.1')."""
    if isinstance(module, Linear):  # its sizes were checked when it was built
        return module.in_features, module.out_features, None, (name, module)
    if not isinstance(module, Sequential):
        return _declared(module, name, "nin"), _declared(module, name, "nout"), (name, module), (name, module)
    inner = module._chain()
    dotted = [part and (f"{name}.{part[0]}", part[1]) for part in (inner.unsized, inner.source)]
    return inner.nin, inner.nout, dotted[0], dotted[1]


def _given_by(source):
    """Which module inside a Sequential gives the width before the one that does not chain
    (a Linear appended to model[1] is '1.2'); nothing for a module of this Sequential itself."""
    if source is None or "." not in source[0]:
        return ""
    return f" (the width of module {source[0]!r}, {source[1]!r})"


def _declared(module, name, size):
    """A module's declared nin or nout (None when it declares none), checked: a declared size
    that is not an int >= 1 ("four", 4.0, 0) is named, not taken for no size at all."""
    value = getattr(module, size, None)
    if value is None:
        return None
    return as_count(value, f"Sequential: module {name!r} ({type(module).__name__}) {size}")
