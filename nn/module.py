"""Module: what every neuron, layer and network shares (parameters, names, state, grads).

A module names its parameters the way PyTorch does, by the path of attributes and list
indices that leads to each one, e.g. `layers.0.neurons.2.w.3`. As in PyTorch, a subclass
needs no registration: every attribute holding a Value, a Module, or a list, tuple or dict
of them is found, in the order the attributes were set. nn's own modules fix theirs in
`_fields` (w before b in a neuron).

A parameter is a leaf Value (no parents, no op), as only an nn.Parameter is one in PyTorch:
an op node a forward keeps in an attribute (`self.hidden = h`, to look at later) is a
result of the graph, and an input leaf nn made (`nn.inputs(x)`, kept as `self.last_input`)
is data; the walks (parameters, named_parameters, state_dict, load_state_dict) pass over
both, so a forward does not change what the module holds.
"""

import math
from collections import namedtuple

import numpy as np

from autograd import Value
from autograd.checks import as_flag, foreign_value

from .data import Input, finite_number

IncompatibleKeys = namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])


class StateDictError(KeyError, RuntimeError):
    """load_state_dict(strict=True) found missing or unexpected names; nothing was written.

    A KeyError, since names are keys, and a RuntimeError, which is what PyTorch raises here,
    so that code written for either catches it.
    """

    def __str__(self):  # KeyError would show the message in quotes
        return str(self.args[0])


class StateDict(dict):
    """What state_dict() returns: a dict of one number per key. Asked for a whole tensor by
    PyTorch's key ("0.weight"), it says where its numbers are, not a bare KeyError('0.weight')."""

    def __missing__(self, key):
        inside = [name for name in self if name.startswith(f"{key}.")] if isinstance(key, str) else []
        if not inside:
            raise KeyError(key)
        raise _ExplainedKeyError(
            f"state_dict: {key!r} is a whole tensor in PyTorch's naming; nn's state_dict() holds one number per "
            f"key, {len(inside)} of them under it ({inside[0]!r}, ...); nn.torch_state_dict(model) gives "
            f"{key!r} as one array")


class _ExplainedKeyError(KeyError):
    def __str__(self):  # KeyError would show the message in quotes
        return str(self.args[0])


class SizeMismatchError(StateDictError, ValueError):
    """load_state_dict found a tensor of another shape (more or fewer neurons, or inputs, than
    the module's); nothing was written, whatever strict is, as PyTorch refuses one even with
    strict=False. A StateDictError, and a ValueError as load_torch_state_dict's shape errors."""


def first_tie(named_values):
    """(the first name, the later name) of the first Value met twice among (name, Value)
    pairs (a weight tied by hand: one Value at two places), or None."""
    first_names = {}
    for name, value in named_values:
        if value in first_names:  # Values hash by identity
            return first_names[value], name
        first_names[value] = name
    return None


def once_each(values):
    """values (a list) as Parameters, a Value met again (a tied weight) only where it is first
    met, as PyTorch's parameters() lists a shared Parameter once."""
    if len(set(values)) == len(values):  # the usual case, in C (a Value hashes by identity)
        return Parameters(values)
    return Parameters(dict.fromkeys(values))


class Parameters(list):
    """What parameters() returns: a list (len, indexing, micrograd's habit) that is also an
    iterator over itself (next(model.parameters()), PyTorch's habit, gives the first one).

    next() walks a cursor of its own; iterating with `for` or list() always sees every parameter.
    """

    def __init__(self, values=()):
        super().__init__(values)
        self._next = 0

    def __next__(self):
        if self._next >= len(self):
            raise StopIteration
        self._next += 1
        return self[self._next - 1]


class Module:
    _fields = ()
    training = True  # as in PyTorch, a module starts in training mode

    def __call__(self, *args, **kwargs):
        """model(x) is model.forward(x), as in PyTorch (nn's own modules check x first)."""
        return self.forward(*args, **kwargs)

    def forward(self, *args, **kwargs):
        raise NotImplementedError(f"{type(self).__name__}: define forward(self, x), which model(x) calls")

    def named_parameters(self, prefix="", recurse=True, remove_duplicate=True):
        """(name, Value) for every parameter, in a fixed order. A Value reached twice (a shared
        weight) is one parameter, under the first name it is found by, as in PyTorch (with
        remove_duplicate=False, under each). A prefix is joined with a dot, as in PyTorch:
        prefix="model" gives "model.layers.0....". recurse=False gives only the parameters this
        module holds itself, none of its submodules' (a Linear's weight and bias; none for a
        Sequential or an MLP), as PyTorch's."""
        _check_prefix(prefix, "named_parameters")
        recurse = as_flag(recurse, "named_parameters(recurse)")
        remove_duplicate = as_flag(remove_duplicate, "named_parameters(remove_duplicate)")
        seen = set()
        # remove_duplicate=False: a module placed twice is walked at each place, as PyTorch's
        # state_dict() lists it under each name
        walk = self._walk(f"{prefix}." if prefix else "", {id(self)} if recurse else None,
                          each_place=not remove_duplicate)
        for name, parameter in walk:
            if not remove_duplicate:
                yield name, parameter
            elif parameter not in seen:  # Values hash by identity
                seen.add(parameter)
                yield name, parameter

    def _walk(self, prefix, modules_seen, each_place=False):
        for field, item in self._children():
            yield from _named(item, prefix + field, modules_seen, each_place)

    def _children(self):
        """(attribute name, what it holds) for each attribute that holds parameters."""
        if self._fields:
            return [(field, getattr(self, field)) for field in self._fields]
        return [(name, item) for name, item in vars(self).items() if _holds_parameters(item, name, self)]

    def parameters(self, recurse=True):
        """Every parameter, in named_parameters order (subclasses list them directly, for speed),
        as `Parameters`: a list that next() also steps through. recurse=False: only those this
        module holds itself, as PyTorch's."""
        if as_flag(recurse, "parameters(recurse)"):
            return Parameters(p for _, p in self.named_parameters())
        return Parameters(p for _, p in self.named_parameters(recurse=False))

    def named_children(self):
        """(name, module) for each module held directly, each once, in attribute order, as in
        PyTorch. A module in a list or dict attribute is named by its path: `layers.0`."""
        seen = set()
        for name, module in self._named_child_modules():
            if id(module) not in seen:
                seen.add(id(module))
                yield name, module

    def _named_child_modules(self):
        """(name, module) for each module held directly, a module held twice twice."""
        for field, item in self._children():
            yield from _named_modules_in(item, field)

    def children(self):
        """The modules of named_children()."""
        for _, module in self.named_children():
            yield module

    def named_modules(self, prefix="", remove_duplicate=True):
        """(name, module) for this module (named `prefix`, "" by default) and every module under
        it, depth first, as PyTorch's: names are dotted paths ("0", "0.1", "layers.0.neurons.2").
        A module met again (a shared block) is given once unless remove_duplicate=False; a
        module inside itself (a back-reference) is never walked again, so a cycle ends."""
        _check_prefix(prefix, "named_modules")
        remove_duplicate = as_flag(remove_duplicate, "named_modules(remove_duplicate)")
        yield from self._named_modules(prefix, remove_duplicate, set(), set())

    def _named_modules(self, prefix, remove_duplicate, seen, path):
        if id(self) in path or (remove_duplicate and id(self) in seen):
            return
        seen.add(id(self))
        yield prefix, self
        path = path | {id(self)}
        for name, module in self._named_child_modules():
            yield from module._named_modules(f"{prefix}.{name}" if prefix else name, remove_duplicate, seen, path)

    def get_submodule(self, target):
        """The module at the dotted path `target` ("2.1.0", "layers.0"; "" is this module), as
        PyTorch's get_submodule; an AttributeError, as torch's, naming the path when none is there."""
        if not isinstance(target, str):
            raise TypeError(f"get_submodule(target): expected a dotted path str, got {type(target).__name__} "
                            f"{target!r:.40}")
        for name, module in self.named_modules(remove_duplicate=False):
            if name == target:
                return module
        raise AttributeError(f"get_submodule: {type(self).__name__} has no submodule {target!r}")

    def modules(self):
        """This module and every module under it, each once, as PyTorch's modules()."""
        for _, module in self.named_modules():
            yield module

    def apply(self, fn):
        """fn(module) for every module under this one, then for this one (each once, children
        before their parent, as PyTorch's); returns the module, so an init reads
        `model.apply(init_weights)`."""
        if not callable(fn):
            raise TypeError(f"{type(self).__name__}.apply: expected a function of a module, got "
                            f"{type(fn).__name__} {fn!r:.40}")
        self._apply_each(fn, set())
        return self

    def _apply_each(self, fn, seen):
        if id(self) in seen:  # a shared block once; a module inside itself ends the walk
            return
        seen.add(id(self))
        for _, child in self.named_children():
            child._apply_each(fn, seen)
        fn(self)

    def train(self, mode=True):
        """Set `training` on this module and every module under it; returns the module, as PyTorch.

        No nn module behaves differently in the two modes (there is no dropout or batch norm),
        so the flag is there for code written for PyTorch and for modules of your own."""
        mode = as_flag(mode, "train(mode)")
        for module in self.modules():
            module.training = mode
        return self

    def eval(self):
        """train(False): evaluation mode."""
        return self.train(False)

    def __repr__(self):
        """PyTorch's layout: the module, then one line per parameter or sub-module it holds."""
        return self._framed(f"{type(self).__name__}({self.num_parameters()} parameters)")

    def _framed(self, heading):
        lines = [f"{heading}("]
        for name, item in self._children():
            lines.extend(_child_lines(item, name))
        return "\n".join(lines) + "\n)"

    def num_parameters(self):
        return sum(1 for _ in self.named_parameters())

    def predict(self, X, *, compiled=None):
        """The outputs for every row of X as a numpy array: shape (N,) for one output, else (N, nout).

        compiled  None (default): from nn.inference.COMPILED_PREDICT_FROM rows on, the graph is
                  recorded and compiled once (autograd.compile) and every row runs through it
                  with numpy: the scalar engine's outputs to float rounding, much sooner; fewer
                  rows (or a model that does not compile) go through the scalar engine under
                  autograd.no_grad(), keeping no graph. True: compiled or an error; False: scalar.
        """
        from .inference import predict  # the fast path serves a module; the module is not built on it
        return predict(self, X, compiled)

    def zero_grad(self, set_to_none=True):
        """Set every parameter's .grad to 0.0 (gradients accumulate across backward calls).

        set_to_none is taken for code written for PyTorch, where it makes .grad None; here a
        .grad is always a float, so it is 0.0 either way."""
        as_flag(set_to_none, "zero_grad(set_to_none)")
        for p in self.parameters():
            p.grad = 0.0

    def requires_grad_(self, requires_grad=True):
        """Set requires_grad on every parameter (False freezes them: an optimizer's step leaves
        them as they are); returns the module, as PyTorch's."""
        requires_grad = as_flag(requires_grad, "requires_grad_(requires_grad)")
        for p in self.parameters():
            p.requires_grad = requires_grad
        return self

    def state_dict(self, *, destination=None, prefix="", keep_vars=False):
        """{name: float} for every parameter, in named_parameters order. As PyTorch's: `prefix`
        is put before each name as it is ("model." gives "model.0.weight.0.0"), `destination`
        (a dict) is filled and returned, and keep_vars=True gives the parameter Values
        themselves instead of their numbers."""
        _check_prefix(prefix, "state_dict")
        keep_vars = as_flag(keep_vars, "state_dict(keep_vars)")
        if destination is None:
            destination = StateDict()
        elif not isinstance(destination, dict):
            raise TypeError(f"state_dict(destination): expected a dict to fill, got {type(destination).__name__}")
        destination.update((prefix + name, p if keep_vars else p.data)  # a tied weight under each of its names
                           for name, p in self.named_parameters(remove_duplicate=False))
        return destination

    def load_state_dict(self, state, strict=True):
        """Copy the floats of `state` into the parameters of the same name.

        Everything is checked before anything is written, so on any error the module is
        unchanged. With strict=True a missing or unexpected name is an error (StateDictError,
        a KeyError); with strict=False they are skipped and returned, like PyTorch:
        IncompatibleKeys(missing_keys, unexpected_keys). A tensor of another shape (a state
        dict of a model with more or fewer neurons or inputs) is a SizeMismatchError whatever
        strict is, as PyTorch's "size mismatch for 0.weight"; a state with only some of a
        tensor's numbers ({"0.bias.0": 0.5}) is a partial one, its absent numbers missing keys.
        """
        strict = as_flag(strict, "load_state_dict(strict)")
        if not hasattr(state, "keys") or not hasattr(state, "__getitem__"):
            raise TypeError(f"load_state_dict: expected a mapping of name -> number, "
                            f"got {type(state).__name__}")
        params = dict(self.named_parameters(remove_duplicate=False))  # the names state_dict() gives
        odd = next((name for name in state.keys() if not isinstance(name, str)), None)
        if odd is not None:
            raise StateDictError(f"load_state_dict: the key {odd!r:.40} is not a parameter name (a str such as "
                                 f"{next(iter(params), 'layers.0.neurons.0.w.0')!r}); nothing was loaded")
        missing = [name for name in params if name not in state]
        unexpected = [name for name in state if name not in params]
        if missing or unexpected:
            self._check_sizes(params, state, missing, unexpected)
        if strict and (missing or unexpected):
            torch_named = any(name.endswith((".weight", ".bias")) for name in unexpected)
            raise StateDictError(
                f"load_state_dict: the names do not match this {type(self).__name__}; "
                f"missing keys: {listing(missing)}; unexpected keys: {listing(unexpected)}"
                + ("; a PyTorch state dict (a matrix per '0.weight') loads with nn.load_torch_state_dict"
                   if torch_named else ""))
        numbers_by_name = {name: finite_number(state[name], f"load_state_dict: value of {name!r}")
                           for name in params if name in state}
        for name, number in numbers_by_name.items():
            params[name].data = number
        return IncompatibleKeys(missing, unexpected)

    def _check_sizes(self, params, state, missing, unexpected):
        """SizeMismatchError if the state holds a tensor of another shape than the module's,
        which no strict=False may load (it would write a mix of the two models). The names
        show one in two ways: an index beyond the module's (a wider model's '0.weight.7.0'
        where the module has 6 rows), or every tensor of the module given whole, some with
        fewer rows or columns, a layer's weight and bias still with as many rows (a narrower
        model's state dict). Short of that, a state without some of a tensor's numbers is a
        partial one: the numbers it lacks are missing keys."""
        stacks = _neuron_lists(self)
        own, theirs = _tensors(params, stacks), _tensors(state.keys(), stacks)
        narrower_model = all(_is_whole(theirs.get(name)) for name in own) and _rows_agree(own, theirs)
        sizes = []
        for name in _tensors(missing + unexpected, stacks):
            want, got = _shape(own.get(name)), _shape(theirs.get(name))
            if want is None or got is None or len(want) != len(got) or want == got:
                continue
            wider = any(g > w for g, w in zip(got, want))
            if wider or narrower_model:
                sizes.append(f"{_tensor_title(name)}: shape {got} in the state dict, {want} in this "
                             f"{type(self).__name__}")
        if sizes:
            raise SizeMismatchError(
                f"load_state_dict: size mismatch for {'; '.join(sizes)} (a model with more or fewer "
                f"neurons or inputs; missing keys: {listing(missing, 3)}; unexpected keys: "
                f"{listing(unexpected, 3)}); nothing was loaded, whatever strict is, as in PyTorch")


def _tensors(names, stacks):
    """{tensor name: set of indices} for per-number keys: '0.weight.6.1' is entry (6, 1) of
    '0.weight'. A neuron of a layer is a row of the layer's weights (PyTorch's Linear.weight):
    'layers.0.neurons.6.w.1' is entry (6, 1) of 'layers.0.neurons.*.w'. stacks: the paths of
    the lists of neurons, as tuples of their parts."""
    tensors = {}
    for key in names:
        parts, row = key.split("."), ()
        for stack in stacks:
            n = len(stack)
            if len(parts) > n and tuple(parts[:n]) == stack and parts[n].isdigit():
                parts, row = parts[:n] + ["*"] + parts[n + 1:], (int(parts[n]),)
                break
        index = []
        while parts and parts[-1].isdigit():
            index.insert(0, int(parts.pop()))
        tensors.setdefault(".".join(parts), set()).add(row + tuple(index))
    return tensors


def _shape(indices):
    """The extent each dimension of `indices` reaches, (rows, columns); None if there are
    none, or they are not all of one length."""
    if not indices or len({len(index) for index in indices}) != 1:
        return None
    return tuple(max(index[d] for index in indices) + 1 for d in range(len(next(iter(indices)))))


def _is_whole(indices):
    """Whether `indices` fill the box their shape spans: a tensor given whole (at some size)."""
    shape = _shape(indices)
    return shape is not None and len(indices) == math.prod(shape)


def _rows_agree(own, theirs):
    """Whether the tensors of one layer that have as many rows in the module (0.weight and
    0.bias; the w and b of a layer's neurons) have as many in the state, as a narrower
    model's do (a state that left out a row of 0.weight is a partial one)."""
    rows = {}
    for name, indices in own.items():
        want, got = _shape(indices), _shape(theirs[name])
        if want and got:
            rows.setdefault((name.rsplit(".", 1)[0], want[0]), set()).add(got[0])
    return all(len(counts) == 1 for counts in rows.values())


def _tensor_title(name):
    """A tensor's name in a message; a layer's neurons stacked say which index is the neuron."""
    if ".*." not in name:
        return name
    layer, field = name.split(".*.", 1)
    return f"{name} (row j: the {field} of {layer}.j)"


def _neuron_lists(module):
    """The path (as a tuple of its parts) of every list of nn.Neurons under `module`: the layers."""
    from .layers import Neuron  # the layers are built on Module
    stacks = []
    for path, owner in module.named_modules():
        for field, item in owner._children():
            if isinstance(item, (list, tuple)) and item and all(isinstance(n, Neuron) for n in item):
                stacks.append(tuple(f"{path}.{field}".split(".")) if path else tuple(field.split(".")))
    return stacks


def is_parameter(value):
    """A leaf Value (no parents, no op) other than an input: what a module holds as a weight.
    An op node (a forward's intermediate kept in an attribute) is not one, nor an Input leaf
    (nn.inputs' x_k, kept by a forward), as in PyTorch, where only an nn.Parameter is."""
    return isinstance(value, Value) and not value.op and not value.parents and not isinstance(value, Input)


def _named(item, name, modules_seen, each_place=False):
    """(name, Value) for each parameter under `item`. A module in `modules_seen` (ids) is not
    walked again: a module met again (a shared block, a back-reference) is walked once, or with
    each_place at each place, only a module inside itself (a cycle) not again. None: no module is
    walked (parameters(recurse=False))."""
    if isinstance(item, Value):
        if is_parameter(item):
            yield name, item
    elif isinstance(item, Module):
        if modules_seen is not None and id(item) not in modules_seen:
            modules_seen.add(id(item))
            yield from item._walk(name + ".", modules_seen, each_place)
            if each_place:  # modules_seen holds the path down to here
                modules_seen.discard(id(item))
    elif isinstance(item, dict):
        for key, child in item.items():
            yield from _named(child, f"{name}.{key}", modules_seen, each_place)
    else:  # a list or tuple of Values or of modules
        for index, child in enumerate(item):
            yield from _named(child, f"{name}.{index}", modules_seen, each_place)


def _named_modules_in(item, name):
    """(path, module) for each module in an attribute's item: itself, or inside a list or dict."""
    if isinstance(item, Module):
        return [(name, item)]
    if isinstance(item, (list, tuple, dict)):
        children = item.items() if isinstance(item, dict) else enumerate(item)
        return [found for key, child in children for found in _named_modules_in(child, f"{name}.{key}")]
    return []


def _child_lines(item, name):
    if isinstance(item, Value):
        return [f"  ({name}): {item!r}"] if is_parameter(item) else []
    if isinstance(item, Module):
        text = repr(item)
        if "\n" in text:  # a module of modules: its heading has the count; its lines indented, as PyTorch's _addindent
            return [f"  ({name}): " + text.replace("\n", "\n  ")]
        count = item.num_parameters()  # an activation module has none to count
        return [f"  ({name}): {text}" + (f"  # {count} parameters" if count else "")]
    children = item.items() if isinstance(item, dict) else enumerate(item)
    return [line for key, child in children for line in _child_lines(child, f"{name}.{key}")]


def _check_prefix(prefix, who):
    if not isinstance(prefix, str):
        raise TypeError(f"{who}(prefix): expected a str, got {type(prefix).__name__} {prefix!r:.40}")


def _holds_parameters(item, name="", owner=None):
    """A parameter (a leaf Value), a Module, or a non-empty list, tuple or dict (str keys)
    holding some, beside op nodes maybe (a forward's intermediates, which are no parameters).

    A container that holds some but cannot be walked (a dict with an int key, Values beside
    None) is a TypeError naming the attribute: skipped, its parameters would silently never
    train (PyTorch's ModuleDict refuses a key that is not a str too)."""
    if isinstance(item, Value):
        return is_parameter(item)
    if isinstance(item, Module):
        return True
    where = f"{type(owner).__name__}.{name}" if owner is not None else name
    if not isinstance(item, (dict, list, tuple)):
        _refuse_unwalkable(item, where)
        return False
    if not item:
        return False
    entries = list(item.values()) if isinstance(item, dict) else list(item)
    holding = [_holds_parameters(entry, name, owner) for entry in entries]
    if not any(holding):
        return False
    if isinstance(item, dict) and not all(isinstance(key, str) for key in item):
        key = next(key for key in item if not isinstance(key, str))
        raise TypeError(f"{where}: a dict of Values or Modules needs str keys (as torch's ModuleDict), "
                        f"got the key {key!r:.40}: its parameters would not be found")
    others = [entry for entry, holds in zip(entries, holding) if not holds and not _op_nodes_only(entry)]
    if others:
        other = others[0]
        raise TypeError(f"{where}: holds Values or Modules beside {type(other).__name__} {other!r:.40}: "
                        f"a container of parameters must hold only Values, Modules or containers of them")
    return True


def _refuse_unwalkable(item, where):
    """A TypeError for parameters the walk cannot find: another engine's Value (micrograd's), or
    leaf Values or Modules in a numpy array or a set (which has no order to name them by).
    Passed over, they would silently never train."""
    foreign = foreign_value(item)
    if foreign:
        raise TypeError(f"{where}: holds {foreign}, which is no parameter here and would never train")
    if isinstance(item, np.ndarray) and item.dtype == object and any(map(_unwalkable_entry, item.flat)):
        raise TypeError(f"{where}: holds a numpy array of Values, which is not searched for parameters, "
                        f"so they would never train; keep them in a list (the array's .tolist())")
    if isinstance(item, (set, frozenset)) and any(map(_unwalkable_entry, item)):
        raise TypeError(f"{where}: holds a set of Values or Modules, which has no fixed order to name "
                        f"them by, so they would never train; keep them in a list")


def _unwalkable_entry(entry):
    return is_parameter(entry) or isinstance(entry, Module) or foreign_value(entry) is not None


def _op_nodes_only(item):
    """An op node or an input, or a container of nothing else: what a forward keeps, passed over."""
    if isinstance(item, Value):
        return not is_parameter(item)
    if isinstance(item, (dict, list, tuple)) and item:
        return all(_op_nodes_only(entry) for entry in (item.values() if isinstance(item, dict) else item))
    return False


def listing(names, most=8):
    """The first `most` names, quoted, and how many more (error messages)."""
    if not names:
        return "none"
    shown = ", ".join(map(repr, names[:most]))
    return shown + (f" and {len(names) - most} more" if len(names) > most else "")
