"""Moving a model between tracegrad and PyTorch, both ways, with the same weights in float64.

    torch_model = nn.to_torch(model)           # a torch.nn.Sequential (or Linear); outputs equal
    model = nn.from_torch(torch_model)         # an nn.Sequential of Linear and activation modules
    torch_model.load_state_dict(nn.torch_state_dict(model, tensors=True), strict=True)
    nn.load_torch_state_dict(model, torch_model.state_dict())

An nn.MLP becomes Linear, σ, Linear, σ, ... (no module for a linear output: PyTorch's
usual model), so an MLP(2, [4, 1]) is torch.nn.Sequential(Linear(2, 4), Tanh(), Linear(4, 1))
with the state-dict keys 0.weight, 0.bias, 2.weight, 2.bias; an nn.Sequential keeps its own
names; an nn.Linear alone is a torch.nn.Linear, keys weight and bias (and an activation module
alone its torch module, with no keys): torch_state_dict always has the keys of
to_torch(model).state_dict(). W[j, k] = w(l)_j+1,k+1 in both, the weight from input k into neuron j.
A frozen parameter (requires_grad False) stays frozen both ways; torch freezes a whole tensor, so
to_torch refuses a weight (or bias) with only some of its scalars frozen. A module placed twice
in a Sequential (a Linear whose weights are tied) is one module on the other side too, as
torch's forward runs it: from_torch reads torch's _modules, not named_children(), which gives it once.
A weight (or bias) shared by two different Linears, torch's usual weight tying (t[2].weight =
t[0].weight; b.weight = a.weight here), is one parameter on both sides too, listed once under
its first name; to_torch refuses Values shared in any other way (some of a tensor), which no
torch Parameter can hold, naming both.

The notes' step and linear-with-slope-k activations have no PyTorch module: to_torch uses two
small ones of its own (the `Step` and `LinearActivation` of `torch_modules()`), which
from_torch takes back. Anything else from_torch refuses, naming the layer's class.

torch is an optional extra (pip install 'tracegrad[torch]'): only these functions import it,
when called (torch_state_dict only with tensors=True).
"""

import functools
from collections import OrderedDict
from dataclasses import dataclass
from types import SimpleNamespace

import numpy as np

from .activations import Activation
from .data import finite_array, torch_name
from .layers import MLP, Layer
from .module import IncompatibleKeys, SizeMismatchError, StateDictError, listing
from .torchlike import (ActivationModule, Identity, Linear, LinearActivation, ReLU, Sequential, Sigmoid,
                        Softmax, Step, Tanh)

TORCH_CLASS_OF = {"relu": "ReLU", "tanh": "Tanh", "sigmoid": "Sigmoid", "softmax": "Softmax"}


def _torch():
    try:
        import torch
    except ImportError:
        raise ImportError("moving a model to or from PyTorch needs torch: pip install 'tracegrad[torch]' "
                          "(torch==2.13.0, the CPU build is enough)") from None
    return torch


@functools.cache
def torch_modules():
    """torch.nn modules for the two activations of the notes that PyTorch has no module for."""
    torch = _torch()

    class Step(torch.nn.Module):
        """a = 1 if z >= threshold else 0, with gradient 0 everywhere (tracegrad's step)."""

        def __init__(self, threshold=0.0):
            super().__init__()
            self.threshold = float(threshold)

        def forward(self, z):
            return (z >= self.threshold).to(z.dtype) + 0.0 * z  # 0·z: ∂a/∂z = 0, still in the graph

        def extra_repr(self):
            return f"threshold={self.threshold!r}"

    class LinearActivation(torch.nn.Module):
        """a = k z, the notes' linear activation with slope k."""

        def __init__(self, k=1.0):
            super().__init__()
            self.k = float(k)

        def forward(self, z):
            return self.k * z

        def extra_repr(self):
            return f"k={self.k!r}"

    for cls in (Step, LinearActivation):
        cls.__module__, cls.__qualname__ = __name__, cls.__name__
    return SimpleNamespace(Step=Step, LinearActivation=LinearActivation)


# --- a model as PyTorch sees it: named Linear layers and activations --------------------

@dataclass
class _Dense:
    """One fully connected layer of a tracegrad model (a Linear, or an MLP's Layer)."""

    layer: object

    @property
    def sizes(self):
        return self.layer.nin, self.layer.nout

    @property
    def has_bias(self):
        return not isinstance(self.layer, Linear) or self.layer.bias is not None

    def weights(self):
        return self.layer.weights()

    def checked(self, W, b, what):
        """(W, b) as float arrays of this layer's shapes, all finite; an error naming what.weight."""
        if isinstance(self.layer, Linear):
            return self.layer.checked_weights(W, b, what)
        nin, nout = self.sizes
        return finite_array(W, f"{what}weight", (nout, nin)), finite_array(b, f"{what}bias", (nout,))

    def scalars(self):
        """{"weight": [Value, ...], "bias": [...]}: the parameters behind each torch tensor."""
        if isinstance(self.layer, Linear):
            tensors = {"weight": [w for row in self.layer.weight for w in row]}
            if self.layer.bias is not None:
                tensors["bias"] = self.layer.bias
            return tensors
        neurons = self.layer.neurons
        return {"weight": [w for neuron in neurons for w in neuron.w], "bias": [neuron.b for neuron in neurons]}

    def requires_grad(self, where):
        """{"weight": bool, "bias": bool}: a torch tensor is frozen whole, so its scalars must agree."""
        flags = {}
        for part, values in self.scalars().items():
            frozen = sum(not v.requires_grad for v in values)
            if 0 < frozen < len(values):
                raise ValueError(f"to PyTorch: {where}{part} has {frozen} of its {len(values)} parameters "
                                 f"frozen (requires_grad False); a torch tensor is frozen whole, so freeze "
                                 f"all of them or none")
            flags[part] = frozen == 0
        return flags

    def write(self, W, b):
        if isinstance(self.layer, Linear):
            self.layer.write_weights(W, b)
        else:
            self.layer._write(W, b)


def torch_layout(model):
    """[(name, _Dense, activation module or Activation)]: the modules of the equivalent
    torch.nn.Sequential, or for a lone nn.Linear or activation module the one module itself,
    named "" (to_torch gives the bare torch module, whose state-dict keys are weight and bias,
    with no "0." before them). A Sequential's module placed twice is there twice, as the same
    _Dense or activation module (an MLP's layers may share one Activation: it is no module)."""
    if isinstance(model, Linear):
        return [("", _Dense(model))]
    if isinstance(model, ActivationModule):
        return [("", model)]
    if isinstance(model, Sequential):
        def dense_or_activation(name, module):
            if isinstance(module, Linear):
                return _Dense(module)
            if isinstance(module, ActivationModule):
                return module
            raise TypeError(f"to PyTorch: module {name!r} of the Sequential is a {type(module).__name__}; "
                            f"only nn.Linear, activation modules (nn.ReLU, nn.Tanh, ...) and Sequentials "
                            f"of them move across")
        return list(_once_each(_flattened(model, ""), dense_or_activation).items())
    if isinstance(model, Layer):
        model = [model]
    elif isinstance(model, MLP):
        model = model.layers
    else:
        given = (f"a {torch_name(model)}, which is PyTorch's already (use it as it is; nn.from_torch brings "
                 f"a torch.nn.Sequential here)" if torch_name(model) else type(model).__name__)
        raise TypeError(f"to PyTorch: expected an nn.Sequential, nn.MLP, nn.Layer, nn.Linear or an "
                        f"activation module (nn.ReLU, ...), got {given}")
    layout = []
    for layer in model:
        layout.append((str(len(layout)), _Dense(layer)))
        act = getattr(layer, "activation", Activation("linear"))
        if not (act.name == "linear" and act.k == 1.0):
            layout.append((str(len(layout)), act))
    return layout


def _flattened(sequential, prefix):
    """(path, module) for every module of a Sequential, a Sequential inside it by its modules'
    dotted paths ("2.0"), which are their state-dict names in torch too."""
    for name, module in sequential.named_children():
        if isinstance(module, Sequential):
            yield from _flattened(module, f"{prefix}{name}.")
        else:
            yield f"{prefix}{name}", module


def _nested(modules, torch):
    """A torch.nn.Sequential of {dotted path: module}, a path "2.0" as module 0 of a Sequential
    that is module 2: _flattened undone."""
    children = OrderedDict()
    for path, module in modules.items():
        head, _, rest = path.partition(".")
        if rest:
            children.setdefault(head, OrderedDict())[rest] = module
        else:
            children[head] = module
    return torch.nn.Sequential(OrderedDict(
        (name, _nested(child, torch) if isinstance(child, OrderedDict) else child) for name, child in children.items()))


def to_torch(model):
    """A torch.nn module with `model`'s weights in float64, whose outputs equal model's to rounding.

    An nn.Linear gives a torch.nn.Linear and an activation module its torch module (nn.ReLU a
    torch.nn.ReLU, ...), as from_torch takes them back; an nn.Sequential, nn.MLP or nn.Layer a
    torch.nn.Sequential.
    """
    layout = torch_layout(model)  # a model torch cannot mirror is refused before torch is needed
    ties = _tensor_ties(layout, type(model).__name__)
    torch = _torch()
    if layout[0][0] == "":  # a lone module: torch's own, not a Sequential of one
        return _torch_module(layout[0][1], torch, "")
    # an MLP's layers may share one Activation, which is no module: each gets its own
    modules = _once_each(layout, lambda name, item: _torch_module(item, torch, f"module {name!r}: "),
                         shared=lambda item: not isinstance(item, Activation))
    for (name, part), first in ties.items():  # torch's weight tying: one Parameter in two modules
        setattr(modules[name], part, getattr(modules[first], part))
    return _nested(modules, torch)


def _tensor_ties(layout, kind):
    """{(name, part): first name}: each weight (or bias) whose Values are all those of an earlier
    module's, in the same places, so that to_torch gives both one torch Parameter, as torch ties
    weights (a module placed twice is one module already). A Value shared any other way (some of
    a tensor, or at other places) no torch tensor can hold: a ValueError naming both places."""
    ties, first_tensor, first_place, seen = {}, {}, {}, set()
    for name, item in layout:
        if not isinstance(item, _Dense) or id(item) in seen:
            continue
        seen.add(id(item))
        for part, values in item.scalars().items():
            whole = (part, item.sizes, tuple(map(id, values)))  # the same Values in a tensor of the same shape
            if whole in first_tensor:
                ties[(name, part)] = first_tensor[whole]
                continue
            first_tensor[whole] = name
            for index, value in zip(_indices(item, part), values):
                place = f"{_key(name, part)}.{index}"
                if value in first_place:  # Values hash by identity
                    raise ValueError(f"to PyTorch: parameters {first_place[value]!r} and {place!r} of the {kind} "
                                     f"are one Value (a weight tied by hand), but not as a whole weight or "
                                     f"bias: torch ties whole tensors only (one nn.Parameter), so tie the "
                                     f"whole tensor (b.weight = a.weight) or none of it")
                first_place[value] = place
    return ties


def _indices(item, part):
    """"j.k" for each scalar of a weight, row by row, and "j" of a bias: scalars()' order."""
    nin, nout = item.sizes
    if part == "bias":
        return [str(j) for j in range(nout)]
    return [f"{j}.{k}" for j in range(nout) for k in range(nin)]


def _once_each(named, make, shared=lambda item: True):
    """OrderedDict {name: make(name, item)} with one `make` per distinct item: an item placed
    twice in a Sequential (a tied Linear, a shared Tanh) gives the same module at both places,
    as torch's forward runs it; an item not `shared` is made afresh at each place."""
    made, modules = {}, OrderedDict()
    for name, item in named:
        if not shared(item):
            modules[name] = make(name, item)
            continue
        if id(item) not in made:
            made[id(item)] = make(name, item)
        modules[name] = made[id(item)]
    return modules


def _torch_module(item, torch, where):
    if isinstance(item, _Dense):
        nin, nout = item.sizes
        linear = torch.nn.Linear(nin, nout, bias=item.has_bias, dtype=torch.float64)
        W, b = item.weights()
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(W))
            if b is not None:
                linear.bias.copy_(torch.from_numpy(b))
        for part, requires_grad in item.requires_grad(where).items():  # a frozen parameter stays frozen
            getattr(linear, part).requires_grad_(requires_grad)
        return linear
    if isinstance(item, ActivationModule):
        item = item.activation
    if item.name == "linear":
        return torch.nn.Identity() if item.k == 1.0 else torch_modules().LinearActivation(item.k)
    if item.name == "step":
        return torch_modules().Step(item.k)
    if item.name == "softmax":
        return torch.nn.Softmax(dim=-1)
    return getattr(torch.nn, TORCH_CLASS_OF[item.name])()


# --- from PyTorch -------------------------------------------------------------------------

SUPPORTED = ("Sequential (also inside a Sequential), Linear, ReLU, Tanh, Sigmoid, Softmax, Identity (and "
             "to_torch's Step, LinearActivation)")


def from_torch(module):
    """An nn module with the same structure and weights (float64) as a torch.nn module.

    A torch.nn.Sequential of Linear layers and activations (ReLU, Tanh, Sigmoid, Softmax,
    Identity, and to_torch's Step and LinearActivation) becomes an nn.Sequential with the same
    names; a Linear or an activation alone becomes its nn module. Anything else raises a
    TypeError naming the layer's class (and a ValueError for a Softmax over another dim).
    """
    torch = _torch()
    if not isinstance(module, torch.nn.Module):
        raise TypeError(f"from_torch: expected a torch.nn.Module, got {type(module).__name__}")
    if type(module) is torch.nn.Sequential:
        # What forward runs: named_children() gives a module placed twice only once
        children = list(module._modules.items())
        if not children:
            raise ValueError("from_torch: the torch.nn.Sequential is empty")
        return _from_torch_sequential(children, "", torch, {})
    return _from_torch_module(module, type(module).__name__, torch, {}, "")


def _from_torch_sequential(children, prefix, torch, tensors):
    """An nn.Sequential of a torch Sequential's (name, module) children; `prefix` is its path in
    the outer Sequential ("2."), for messages. tensors: {id(Parameter): Values}, shared by every
    level, so one torch Parameter in two Linears (torch's weight tying) is one weight here too."""
    return Sequential(_once_each(children, lambda name, child: _from_torch_module(
        child, f"module {prefix + name!r} ({type(child).__name__})", torch, tensors, f"{prefix}{name}.")))


def _from_torch_module(module, where, torch, tensors, path):
    extras, kind = torch_modules(), type(module)
    if kind is torch.nn.Sequential:  # a block inside the model: a Sequential inside ours, same names
        children = list(module._modules.items())
        if not children:
            raise ValueError(f"from_torch: {where} is an empty torch.nn.Sequential")
        return _from_torch_sequential(children, path, torch, tensors)
    if kind is torch.nn.Linear:
        return _from_torch_linear(module, where, tensors)
    simple = {torch.nn.ReLU: ReLU, torch.nn.Tanh: Tanh, torch.nn.Sigmoid: Sigmoid, torch.nn.Identity: Identity}
    if kind in simple:
        return simple[kind]()
    if kind is torch.nn.Softmax:
        if module.dim is None:  # torch.nn.Softmax(): its implicit dim is the outputs', on one example or a batch
            return Softmax()
        if isinstance(module.dim, bool) or not isinstance(module.dim, int):
            raise TypeError(f"from_torch: {where}: Softmax(dim={module.dim!r}): dim is "
                            f"{type(module.dim).__name__}, expected an int (-1, or 1 for a batch)")
        if module.dim not in (-1, 1):
            raise ValueError(f"from_torch: {where}: Softmax(dim={module.dim}) is not over one example's "
                             f"outputs; tracegrad takes dim=-1 (or dim=1 for a batch)")
        return Softmax(dim=module.dim)
    if kind is extras.Step:
        return Step(module.threshold)
    if kind is extras.LinearActivation:
        return LinearActivation(module.k)
    raise TypeError(f"from_torch: {where}: tracegrad has no {kind.__name__} layer; it takes {SUPPORTED}")


def _from_torch_linear(module, where, tensors):
    """An nn.Linear with a torch.nn.Linear's weights. tensors is {id(Parameter): its Values} for
    the Linears made so far: a Parameter met again gets the same Values, so the two stay one."""
    linear = Linear(module.in_features, module.out_features, bias=module.bias is not None)
    W, b = _array(module.weight), None if module.bias is None else _array(module.bias)
    linear.write_weights(*linear.checked_weights(W, b, f"from_torch: {where}: "))
    for part, values in _Dense(linear).scalars().items():  # a frozen tensor's scalars stay frozen
        for value in values:
            value.requires_grad = getattr(module, part).requires_grad
    for part in ("weight", "bias") if module.bias is not None else ("weight",):
        tensor = getattr(module, part)
        if id(tensor) in tensors:
            setattr(linear, part, tensors[id(tensor)])
        else:
            tensors[id(tensor)] = getattr(linear, part)
    return linear


def _array(value):
    """A torch tensor (or anything array-like) as a float64 numpy array."""
    if hasattr(value, "detach"):
        value = value.detach().cpu()
        if value.is_floating_point():
            value = value.double()
        value = value.numpy()
    return value


# --- state dicts under PyTorch's names --------------------------------------------------------

def _key(name, part):
    """A state-dict key: "0.weight" in a Sequential, "weight" for a lone Linear (name "")."""
    return f"{name}.{part}" if name else part


def torch_state_dict(model, tensors=False):
    """{"0.weight": W, "0.bias": b, ...}: the model's parameters under the names and shapes of
    to_torch(model)'s state_dict() ({"weight": W, "bias": b} for an nn.Linear, {} for an
    activation module), W out × in. numpy float64 arrays, or torch float64 tensors with
    tensors=True, which torch's load_state_dict(strict=True) takes as they are."""
    state = OrderedDict()
    for name, item in torch_layout(model):
        if isinstance(item, _Dense):
            W, b = item.weights()
            state[_key(name, "weight")] = W
            if b is not None:
                state[_key(name, "bias")] = b
    if tensors:
        torch = _torch()
        state = OrderedDict((key, torch.from_numpy(value)) for key, value in state.items())
    return state


def load_torch_state_dict(model, state, strict=True):
    """Copy a PyTorch-named state dict (torch tensors, numpy arrays or nested lists) into `model`.

    Every name, shape and number is checked before anything is written, so on any error the
    model is unchanged. strict=True: a missing or unexpected name is a StateDictError; with
    strict=False they are skipped and returned as IncompatibleKeys, as in PyTorch.
    """
    if not hasattr(state, "keys") or not hasattr(state, "__getitem__"):
        raise TypeError(f"load_torch_state_dict: expected a mapping such as torch's state_dict(), "
                        f"got {type(state).__name__}")
    layers = [(name, item) for name, item in torch_layout(model) if isinstance(item, _Dense)]
    expected = [_key(name, part) for name, item in layers
                for part in (("weight", "bias") if item.has_bias else ("weight",))]
    missing = [key for key in expected if key not in state]
    known = set(expected)
    unexpected = [key for key in state if key not in known]
    _check_sizes(layers, state, type(model).__name__)  # first, as load_state_dict: whatever strict is
    if strict and (missing or unexpected):
        raise StateDictError(f"load_torch_state_dict: the names do not match this {type(model).__name__}; "
                             f"missing keys: {listing(missing)}; unexpected keys: {listing(unexpected)}")
    checked = []
    for name, item in layers:
        W, b = item.weights()  # with strict=False, what is missing stays as it is
        if _key(name, "weight") in state:
            W = _array(state[_key(name, "weight")])
        if item.has_bias and _key(name, "bias") in state:
            b = _array(state[_key(name, "bias")])
        checked.append((item, item.checked(W, b, f"load_torch_state_dict: {_key(name, '')}")))
    for item, (W, b) in checked:
        item.write(W, b)
    return IncompatibleKeys(missing, unexpected)


def _check_sizes(layers, state, kind):
    """A tensor of another shape (a layer of more or fewer neurons or inputs) is a
    SizeMismatchError, as PyTorch's RuntimeError "size mismatch for 0.weight", whatever strict is."""
    for name, item in layers:
        nin, nout = item.sizes
        for part, shape in (("weight", (nout, nin)), ("bias", (nout,))):
            key = _key(name, part)
            if key not in state or (part == "bias" and not item.has_bias):
                continue
            try:
                given = np.shape(_array(state[key]))
            except ValueError:  # ragged nested lists: the number check names them
                continue
            if given != shape:
                raise SizeMismatchError(f"load_torch_state_dict: size mismatch for {key}: shape {given} in "
                                        f"the state dict, {shape} in this {kind}; nothing was loaded, "
                                        f"whatever strict is, as in PyTorch")
