"""What one example and a data set may be, checked once at the edge with clear errors.

A data set (X, and y as fit, accuracy and autograd.compile take them) may hold bools: they
are the numbers 0.0 and 1.0, as in numpy, scikit-learn and PyTorch. One example given as
numbers (model(x)) takes real numbers only, as the engine's Values do.
"""

import math
import numbers
import reprlib

import numpy as np

from autograd import Value, as_number
from autograd.engine import all_finite_floats
from autograd.checks import foreign_value

# A culprit shown in a message, cut at whole entries and closed ([0.1, 0.2, 0.3, 0.4, ...]):
# a repr cut at a fixed width ended mid-number, its bracket lost.
_SHORT = reprlib.Repr()
_SHORT.maxlist = _SHORT.maxtuple = _SHORT.maxset = _SHORT.maxfrozenset = _SHORT.maxdict = 4
_SHORT.maxstring, _SHORT.maxother = 40, 60


def torch_class(x):
    """The first of PyTorch's classes among x's class and its bases (a module of the user's own
    is a torch.nn.Module), else None; read off the classes, without importing torch."""
    for kind in type(x).__mro__:
        module = kind.__module__ or ""
        if module == "torch" or module.startswith("torch."):
            return kind
    return None


def torch_name(x):
    """`torch.optim.sgd.SGD` (or `__main__.Net (a torch.nn.modules.module.Module)`) when x is one
    of PyTorch's objects, else None: "expected nn.SGD, got SGD" would read as a contradiction,
    since nn's classes carry PyTorch's names."""
    kind = torch_class(x)
    if kind is None:
        return None
    name = f"{type(x).__module__}.{type(x).__qualname__}"
    return name if kind is type(x) else f"{name} (a {kind.__module__}.{kind.__qualname__})"


def model_sizes(model, what):
    """(nin, nout), a model's numbers of inputs and outputs, which fit, accuracy and predict
    need to check a data set; a TypeError saying how to give them when the model has none."""
    nin, nout = getattr(model, "nin", None), getattr(model, "nout", None)
    if isinstance(nin, int) and isinstance(nout, int):
        return nin, nout
    if torch_name(model):
        how = ("bring it across first with nn.from_torch(model), which gives the nn model with its weights"
               if torch_class(model) is type(model) else "nn.from_torch takes a torch.nn.Sequential of Linear and "
               "activation modules; write a Module of your own with nn's (nn.Module, nn.Linear, nn.ReLU, ...)")
        raise TypeError(f"{what}: the model is a {torch_name(model)}, a PyTorch module; {how}")
    raise TypeError(f"{what}: the model ({type(model).__name__}) needs int attributes nin and nout, "
                    f"its numbers of inputs and outputs; nn.MLP, nn.Layer and nn.Neuron have them, "
                    f"and a Module of your own can set them in its __init__")


class Input(Value):
    """An input x_k that nn made a leaf (nn.inputs, or a layer given numbers beside Values or
    with nodes=True): a Value in every way, its gradient ∂C/∂x_k included, but data, not a
    parameter, as in PyTorch, where a tensor a forward keeps (self.last_input = x) is no
    nn.Parameter: a module holding one counts it in neither parameters() nor state_dict().
    """

    __slots__ = ()  # no __dict__: an input costs what any other leaf does


def input_values(x, nin, what, nodes=False):
    """One example, checked: the inputs a(1) = x that the first layer's neurons read.

    Numbers are data, as in PyTorch: they come back as a tuple of floats, which the neurons'
    dot nodes keep as constants, so backward spends nothing on them. Values pass as they
    are (numbers among them become Input leaves labelled x_k), and with `nodes=True` numbers
    become Input leaves labelled x_1 ... x_nin: inputs to draw, with their own gradient ∂C/∂x_k.
    """
    x = _one_example(x, nin, what)
    if nodes or any(isinstance(xk, Value) for xk in x):
        return _leaves(x, "x", what)
    if all_finite_floats(x):
        return tuple(x)
    return tuple(finite_number(xk, f"{what}: input x_{k}") for k, xk in enumerate(x, 1))


def inputs(x, label="x"):
    """One example as leaves labelled x_1, x_2, ...: `model(nn.inputs(x))` puts the inputs in
    the graph, to be drawn and to get ∂C/∂x_k (`model(x)` treats numbers as data)."""
    if not isinstance(label, str):
        raise TypeError(f"inputs label: expected str, got {type(label).__name__}")
    x = _one_example(x, None, "inputs")
    if not x:
        raise ValueError("inputs: expected at least one number, got an empty sequence")
    return _leaves(x, label, "inputs")


def _leaves(x, label, what):
    """Numbers as Input leaves labelled label_1, label_2, ...; Values pass as they are."""
    return [xk if isinstance(xk, Value) else Input(finite_number(xk, f"{what}: input {label}_{k}"), f"{label}_{k}")
            for k, xk in enumerate(x, 1)]


def short(x):
    """x's repr for a message, short and closed; an array or tensor by its entries."""
    if getattr(x, "ndim", 0) and callable(getattr(x, "tolist", None)):
        x = x.tolist()
    return _SHORT.repr(x)


def as_numpy(y):
    """y as a numpy array if it is array-like but no list, tuple or array (a torch tensor, read
    without importing torch, or anything with __array__); else y as it is. X, one example x and
    the targets y are read through it alike.

    A tensor gives its numbers, detached, so one that requires grad is taken too: inputs and
    targets are data, and a tensor's graph is torch's, which tracegrad's backward cannot reach.
    A floating tensor is read in float64 (exactly; numpy has no bfloat16), an integer one stays
    integers, so class indices stay indices."""
    if isinstance(y, (np.ndarray, np.generic, list, tuple, str, bytes, Value, numbers.Number)) or not hasattr(y, "__array__"):
        return y
    if callable(getattr(y, "detach", None)):  # a torch tensor
        y = y.detach().cpu()
        if y.is_floating_point():
            y = y.double()
    return np.asarray(y)


def _one_example(x, nin, what):
    """x as a list or tuple of nin entries (nin=None: any length); a 1-D tensor as its numbers."""
    x = as_numpy(x)
    if isinstance(x, np.ndarray) and x.ndim == 0 and nin in (1, None):  # torch.tensor(0.5): one input
        x = [x.item()]
    elif isinstance(x, np.ndarray):
        if x.ndim != 1:
            raise _many_examples(what, nin, f"an array of shape {x.shape}")
        x = x.tolist()
    elif isinstance(x, (Value, numbers.Real)) and not isinstance(x, bool) and nin in (1, None):
        x = [x]
    elif not isinstance(x, (list, tuple)):
        raise TypeError(f"{what}: expected a list, tuple or 1-D numpy array of {nin or 'some'} numbers, "
                        f"got {foreign_value(x) or f'{type(x).__name__} {short(x)}'}")
    elif x and (isinstance(x[0], (list, tuple)) or getattr(x[0], "ndim", 0)):  # the first entry tells a batch
        rows = f"{len(x)} rows" if len(x) > 1 else "1 row"
        raise _many_examples(what, nin, f"a {type(x).__name__} of {rows}, the first {short(x[0])}")
    if nin is not None and len(x) != nin:
        raise ValueError(f"{what}: expected {nin} inputs, got {len(x)}")
    return x


def _many_examples(what, nin, got):
    """The error for a batch given where one example is expected, with the ways to run many."""
    return ValueError(f"{what}: expected one example, a 1-D sequence of {nin or 'some'} numbers, got {got}; "
                      f"for many examples: to train, [model(x) for x in X] (Values, with a graph); "
                      f"for numbers, model.predict(X)")


def finite_array(values, what, shape):
    array = numeric_array(values, what)
    if array.shape != shape:
        raise ValueError(f"{what}: expected shape {shape}, got {array.shape}")
    if not np.isfinite(array).all():
        where = tuple(int(i) for i in np.argwhere(~np.isfinite(array))[0])
        raise ValueError(f"{what}: expected finite numbers, got {array[where]} at index {where}")
    return array


def as_examples(X, nin, what):
    """X as a float array of shape (N, nin), N >= 1, all finite; a clear error otherwise."""
    if isinstance(X, (str, bytes)) or not hasattr(X, "__len__") or getattr(X, "ndim", 1) == 0:
        kind = f"a 0-d {type(X).__name__}" if getattr(X, "ndim", 1) == 0 else type(X).__name__
        raise TypeError(f"{what}: expected a sequence of examples (a list or 2-D array), got {kind}")
    if len(X) == 0:
        raise ValueError(f"{what}: the data set is empty; expected at least one example")
    array = numeric_array(X, what, bools=True)
    if array.ndim == 1 and nin == 1:
        array = array.reshape(-1, 1)
    if array.ndim != 2 or array.shape[1] != nin:
        raise ValueError(f"{what}: expected shape (N, {nin}) — N examples of {nin} inputs — got {array.shape}")
    # One sum says whether every entry is finite (nan and ±inf propagate), at a fraction of the
    # cost of an elementwise test; only then is the culprit looked for (a sum that merely
    # overflowed finds none).
    with np.errstate(over="ignore", invalid="ignore"):
        total = array.sum()
    if not math.isfinite(total):
        bad = np.argwhere(~np.isfinite(array))
        if len(bad):
            row, col = bad[0]
            raise ValueError(f"{what}: example {row}, input x_{col + 1} is {array[row, col]}; "
                             f"expected finite numbers")
    return array


def numeric_array(values, what, bools=False):
    """values as a float array; a TypeError if any entry is not a number (strings are not numbers;
    bools are 0.0 and 1.0 where `bools`: in a data set, not in weights), a ValueError if one is
    too large for a float. A tensor gives its numbers, detached (as_numpy)."""
    try:
        array = np.asarray(as_numpy(values))
    except ValueError:  # ragged: rows of different lengths
        lengths = sorted({len(row) for row in values if hasattr(row, "__len__")})
        raise ValueError(f"{what}: the rows have different lengths {lengths}; expected one length") from None
    if array.dtype.kind not in ("biuf" if bools else "iuf"):
        return _entry_by_entry(values, what, bools)
    return array.astype(float, copy=False)  # a float array is used as it is: nn only reads it


def _entry_by_entry(values, what, bools):
    """values as a float array, each entry through the one check of a number, which names the
    first entry at fault and where it is. Read from the values as given, as objects: numpy
    turns [[0, 1], ["a", 1]] into strings throughout, "0" included, and keeps an int too large
    for a float (10**400) as an object."""
    entries = np.asarray(values, dtype=object)
    floats = np.empty(entries.shape)
    for index, x in np.ndenumerate(entries):
        where = ", ".join(map(str, index))
        if (isinstance(x, (bool, np.bool_)) and not bools) or not isinstance(x, (numbers.Real, np.bool_)):
            got = foreign_value(x) or f"{type(x).__name__} {short(x)}"
            raise TypeError(f"{what}: expected real numbers only, got {got} at [{where}]")
        floats[index] = as_number(x, f"{what} at [{where}]")
    return floats


def finite_number(x, what):
    """float(x) if x is a finite real number (not a bool), else a TypeError/ValueError naming `what`.

    Every number nn takes from its user goes through here, and so through the engine's one
    check of a number (which refuses an int too large for a float by name); a bool is refused
    as well, since among weights, inputs and settings True is a mistake, not the number 1.
    A 0-d array or tensor (np.array(0.5), torch.tensor(0.5), what {k: torch.tensor(v)} holds)
    is its one number, as the engine takes a 0-d numpy array and nn takes X as a tensor.
    """
    x = _one_number(x)
    if isinstance(x, (bool, np.bool_)):
        raise TypeError(f"{what}: expected a real number, got {type(x).__name__} {x!r:.40}")
    try:
        return as_number(x, what)
    except TypeError:
        if foreign_value(x):  # looked for only here: every good number pays nothing for it
            raise TypeError(f"{what}: got {foreign_value(x)}") from None
        raise


def _one_number(x):
    """A 0-d array or tensor's number through its .item() (torch is not imported: any object
    with ndim 0 and an .item(), a tensor that requires grad too); anything else, numpy's
    scalars included (an error names them as numpy's), as it is."""
    if getattr(x, "ndim", None) == 0 and not isinstance(x, np.generic) and callable(getattr(x, "item", None)):
        return x.item()
    return x


# --- naming the row of X where an example failed --------------------------------------------

def at_example(error, example):
    """`error` marked with the example's place in its batch (as autograd.compile's programs do)."""
    marked = type(error)(str(error))
    marked.example, marked.reason = example, str(error)
    return marked


def in_row(error, rows, name="X"):
    """`error` re-raised naming the row of the data set: `error.example` is the failing example's
    place in a batch made of the rows `rows` (a shuffled epoch's batch is not X's order)."""
    example = getattr(error, "example", None)
    if example is None:
        return error
    return type(error)(f"{error.reason} (in row {int(rows[example])} of {name})")
