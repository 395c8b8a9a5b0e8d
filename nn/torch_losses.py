"""Losses under PyTorch's names, with PyTorch's arguments and reduction.

    nn.MSELoss()             C = mean over every entry of (ŷ - y)²                 (nn.mse per example)
    nn.CrossEntropyLoss()    C = mean over examples of ln Σ_c e^(z_c) - z_y          on logits z; y a class
                             index (0-based) or a vector of class probabilities   (nn.cross_entropy)
    nn.BCEWithLogitsLoss()   C = mean over every entry of ln(1 + e^z) - y z        on logits z, y in [0, 1]
    nn.BCELoss()             C = mean over every entry of -[y ln p + (1 - y) ln(1 - p)]   on probabilities p
    nn.L1Loss()              C = mean over every entry of |ŷ - y|                  (nn.mae per example)
    nn.HuberLoss(delta=1.0)  C = mean over every entry of h_δ(ŷ - y): ½r² for |r| ≤ δ, else δ(|r| - ½δ)   (nn.huber)
    nn.SmoothL1Loss(beta=1.0)  C = mean over every entry of h_β(ŷ - y)/β (β = 0: |ŷ - y|)

`loss(input, target)` takes one example's outputs (a Value or a list of Values) or a batch
(a list of such lists), with targets of the same shape (CrossEntropyLoss: one class index
per example): numbers, lists, numpy arrays or torch tensors (a tensor's numbers, detached: a
target is data; class indices in an int64 tensor, as torch takes them). reduction="mean" (default), "sum", or "none": the losses in the input's shape, as
in PyTorch (a list of lists for a batch, a list for one example's outputs, a Value for a Value;
CrossEntropyLoss: a list of one loss per example for a batch, a Value for one example).

Each is also an nn loss: nn.fit(model, X, y, loss=nn.MSELoss()) trains on the mean of each
batch's per-example losses, which for reduction="mean" is exactly PyTorch's mean over the
batch (for MSELoss, BCELoss and BCEWithLogitsLoss, the mean over the batch of the mean over
the outputs is the mean over all entries). As in PyTorch, BCELoss and BCEWithLogitsLoss are
elementwise: a model with several outputs trains on several independent 0/1 labels per example
(multi-label), a probability for each, where nn's own bce and bce_with_logits take one output.
fit's accuracy then counts an example right when every one of its labels is. fit refuses
another reduction.

One difference from PyTorch: where its BCELoss clamps ln p at -100 for a saturated p = 0 or 1,
nn.BCELoss raises, as nn.bce does (BCEWithLogitsLoss on logits is stable for any logit).
"""

from numbers import Real

import numpy as np

import autograd
from autograd import Value
from autograd.checks import foreign_value

from .losses import (Loss, _outputs, bce_each, bce_with_logits_each, cross_entropy, huber, mae, mse, non_negative_number,
                     positive_number, smooth_l1)
from .targets import as_numpy

REDUCTIONS = ("mean", "sum", "none")
_UNSET = object()  # reduction not given by keyword


class _TorchLoss(Loss):
    """A PyTorch-named loss built on one of nn's own (so fit and the compiled path know it)."""

    base = None
    torch_defaults = {"size_average": None, "reduce": None}  # torch's other arguments, at their defaults
    # torch's arguments in its order, so that one given by position is read as torch reads it:
    # MSELoss("sum") is torch's size_average="sum" (which gives the mean), not reduction
    positional = ("size_average", "reduce", "reduction")
    # torch's arguments that are options of nn's loss here ({torch's name: (default, check)}):
    # HuberLoss's delta, SmoothL1Loss's beta
    taken = {}

    def __init__(self, *args, reduction=_UNSET, **unsupported):
        # PyTorch's weight=, pos_weight=, ignore_index=, label_smoothing=, ... are refused, unless
        # given at torch's default (code written for torch may spell out weight=None): that is no weighting
        for name, value in self._by_position(args, reduction, unsupported).items():
            if name == "reduction":
                reduction = value
            else:
                unsupported[name] = value
        reduction = "mean" if reduction is _UNSET else reduction
        options = {name: check(unsupported.pop(name, default), f"{type(self).__name__} {name}")
                   for name, (default, check) in self.taken.items()}
        unsupported = {name: value for name, value in unsupported.items()
                       if name not in self.torch_defaults or not _is_default(value, self.torch_defaults[name])}
        if unsupported:
            shown = ", ".join(f"{name}={value!r:.40}" for name, value in sorted(unsupported.items()))
            also = "".join(f", {name}=" for name in self.taken)
            raise TypeError(f"{type(self).__name__}: {shown} not supported here; it takes only reduction= "
                            f"('mean', 'sum' or 'none'){also}, and torch's other arguments at their defaults")
        if reduction not in REDUCTIONS:
            raise ValueError(f"{type(self).__name__} reduction={reduction!r:.40}: expected one of "
                             f"{', '.join(map(repr, REDUCTIONS))}")
        # Everything nn's own loss is (its name, function, target rules, decision rule), so that
        # fit, accuracy and the compiled path treat it as that loss.
        vars(self).update(vars(self.base))
        self.options = {**self.base.options, **options}
        self.reduction = reduction

    def __getattr__(self, name):
        """A torch option this loss takes is an attribute, as in torch (HuberLoss().delta)."""
        if name in type(self).taken and "options" in vars(self):
            return self.options[name]
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def _by_position(self, args, reduction, by_keyword):
        """{torch's name: value} for the arguments given by position, in torch's order."""
        who = type(self).__name__
        if len(args) > len(self.positional):
            raise TypeError(f"{who}() takes at most {len(self.positional)} arguments by position, torch's "
                            f"{', '.join(self.positional)}; got {len(args)}")
        named = dict(zip(self.positional, args))
        twice = [name for name in named if name in by_keyword or (name == "reduction" and reduction is not _UNSET)]
        if twice:
            raise TypeError(f"{who}() got {twice[0]} both by position and by keyword")
        return named

    def __call__(self, input, target):
        losses = self.losses(input, as_numpy(target))  # a tensor of targets, as torch's losses take
        if self.reduction == "none":  # an ignored example's loss is 0, as in PyTorch
            return self.shaped([_ignored_loss() if loss is None else loss for loss in losses], input)
        kept = [loss for loss in losses if loss is not None]
        if not kept and self.reduction == "sum":  # an empty sum, 0 as in PyTorch; backward gives zeros
            return _entries(input, f"{type(self).__name__} input")[0] * 0.0
        if not kept:
            raise ValueError(f"{type(self).__name__}: every target is ignore_index {IGNORE_INDEX}, so the mean "
                             f"is over no example (PyTorch gives nan); reduction='sum' gives 0")
        total = kept[0] if len(kept) == 1 else autograd.sum(kept)
        return total * (1.0 / len(kept)) if self.reduction == "mean" and len(kept) > 1 else total

    @property
    def display_name(self):
        """CrossEntropyLoss, which the caller wrote, not cross_entropy: in every message about
        its targets, from a call and from fit or accuracy alike."""
        return type(self).__name__

    def per_example(self, outputs, target):
        """One example's loss from nn's own loss, with its target checks (under this loss's name)."""
        outputs = _outputs(outputs, self.display_name)
        return self.function(outputs, self.target(target, len(outputs)), **self.options)

    def __repr__(self):
        options = "".join(f", {name}={self.options[name]!r}" for name in self.taken)
        return f"{type(self).__name__}(reduction={self.reduction!r}{options})"


class _Elementwise(_TorchLoss):
    """A loss of every entry of the input and the target's entry in the same place."""

    def losses(self, input, target):
        """The loss of every entry, flattened in order (reduction averages or adds them)."""
        name = type(self).__name__
        outputs, targets = _entries(input, f"{name} input"), _entries(target, f"{name} target", numbers=True)
        _same_count(outputs, targets, name)
        _same_shape(input, target, name)
        return [self.per_example([o], t) for o, t in zip(outputs, targets)]

    def shaped(self, losses, input):
        """reduction="none": each entry's loss where the entry was, as PyTorch keeps the input's shape."""
        return _nested_like(input, iter(losses))


class MSELoss(_Elementwise):
    """(ŷ - y)² for every entry; reduction over all entries (PyTorch's nn.MSELoss)."""

    base = mse


class L1Loss(_Elementwise):
    """|ŷ - y| for every entry; reduction over all entries (PyTorch's nn.L1Loss). Its derivative
    at ŷ = y is 0, as torch's sign(0)."""

    base = mae


class HuberLoss(_Elementwise):
    """h_δ(ŷ - y) for every entry, h_δ(r) = ½r² for |r| ≤ δ, else δ(|r| - ½δ): squared near the
    target, absolute (so robust to outliers) past δ; reduction over all entries (PyTorch's
    nn.HuberLoss, whose arguments are reduction, then delta)."""

    base = huber
    positional = ("reduction", "delta")
    torch_defaults = {}
    taken = {"delta": (1.0, positive_number)}


class SmoothL1Loss(_Elementwise):
    """h_β(ŷ - y)/β for every entry (Huber's loss scaled by 1/β: ½r²/β for |r| < β, else |r| - ½β;
    β = 0 is |r|); reduction over all entries (PyTorch's nn.SmoothL1Loss)."""

    base = smooth_l1
    positional = ("size_average", "reduce", "reduction", "beta")
    taken = {"beta": (1.0, non_negative_number)}


class BCEWithLogitsLoss(_Elementwise):
    """ln(1 + e^z) - y z for every entry z (a logit) and y (a probability); stable for any z.
    In fit, each of a model's outputs is a logit with its own target (nn.bce_with_logits per output)."""

    base = bce_with_logits_each
    torch_defaults = {**_TorchLoss.torch_defaults, "weight": None, "pos_weight": None}
    positional = ("weight", "size_average", "reduce", "reduction", "pos_weight")


class BCELoss(_Elementwise):
    """-[y ln p + (1 - y) ln(1 - p)] for every entry p (a probability, say a sigmoid's) and y.
    In fit, each of a model's outputs is a probability with its own target (nn.bce per output)."""

    base = bce_each
    torch_defaults = {**_TorchLoss.torch_defaults, "weight": None}
    positional = ("weight", "size_average", "reduce", "reduction")


IGNORE_INDEX = -100  # PyTorch's default ignore_index, the only one taken


def _ignored_loss():
    """An ignored example's loss under reduction="none": 0, a constant (as PyTorch's 0 there)."""
    return Value(0.0, requires_grad=False)


class CrossEntropyLoss(_TorchLoss):
    """ln Σ_c e^(z_c) - z_y per example, on logits z (not probabilities: no softmax before it).

    input: one example's C logits with target a class index 0..C-1 (or C class probabilities),
    or a batch: N lists of C logits with N class indices (or N probability vectors). A class
    index of -100 (torch's ignore_index) leaves its example out, of the loss and of the mean."""

    base = cross_entropy
    torch_defaults = {**_TorchLoss.torch_defaults, "weight": None, "ignore_index": -100, "label_smoothing": 0.0}
    positional = ("weight", "size_average", "ignore_index", "reduce", "reduction", "label_smoothing")

    def losses(self, input, target):
        if isinstance(input, np.ndarray):
            input = input.tolist()
        if not isinstance(input, (list, tuple)) or not input:
            raise TypeError(f"CrossEntropyLoss input: expected the logits of one example (a list of "
                            f"Values) or of a batch (a list of such lists), got {type(input).__name__}")
        if not isinstance(input[0], (list, tuple)):
            return [self.per_example(list(input), target)]
        target = target.tolist() if isinstance(target, np.ndarray) else target
        if not isinstance(target, (list, tuple)) or len(target) != len(input):
            count = len(target) if isinstance(target, (list, tuple)) else type(target).__name__
            raise ValueError(f"CrossEntropyLoss: a batch of {len(input)} examples needs {len(input)} "
                             f"targets (class indices), got {count}")
        return [self.per_example(list(z), y) for z, y in zip(input, target)]

    def per_example(self, outputs, target):
        """None for a class index of ignore_index (-100): PyTorch leaves that example out of the
        loss and out of the mean's count."""
        if isinstance(target, np.ndarray) and target.ndim == 0:  # a 0-d tensor's number
            target = target.item()
        if isinstance(target, Real) and not isinstance(target, bool) and target == IGNORE_INDEX:
            _outputs(outputs, self.display_name)
            return None
        return super().per_example(outputs, target)

    def shaped(self, losses, input):
        """reduction="none": one loss per example of a batch; one example's loss alone (PyTorch's 0-d)."""
        batch = input.ndim > 1 if isinstance(input, np.ndarray) else isinstance(input[0], (list, tuple))
        return losses if batch else losses[0]


def _is_default(value, default):
    """Whether a torch argument is given at its default: None as None, a number as its number."""
    if default is None or value is None:
        return value is default
    return isinstance(value, Real) and not isinstance(value, bool) and value == default


def _entries(x, what, numbers=False):
    """Every entry of a Value, a number, or a (nested) list, array or tensor of them, flattened."""
    x = as_numpy(x) if numbers else x  # a tensor of predictions is not read as numbers here
    if isinstance(x, np.ndarray):
        x = x.tolist()
    if isinstance(x, (list, tuple)):
        if not x:
            raise ValueError(f"{what}: empty; expected at least one entry")
        return [entry for item in x for entry in _entries(item, what, numbers)]
    if isinstance(x, Value) and numbers:
        raise TypeError(f"{what}: expected numbers, got the Value {x!r:.60} (a target is data)")
    if not isinstance(x, (Value, Real, np.bool_)):  # counted as one entry, a count error would misname it
        kinds = "numbers (a list, an array or a tensor of them)" if numbers else "Values (or numbers), in lists"
        raise TypeError(f"{what}: expected {kinds}, got {foreign_value(x) or f'{type(x).__name__} {x!r:.40}'}")
    return [x]


def _nested_like(x, losses):
    """The next losses, nested as the entries of x are (x as _entries reads it)."""
    if isinstance(x, np.ndarray):
        x = x.tolist()
    if isinstance(x, (list, tuple)):
        return [_nested_like(item, losses) for item in x]
    return next(losses)


def _same_shape(input, target, who):
    """The input and the target in the same shape, as PyTorch's elementwise losses require (a
    batch of one output, (N,) against (N, 1), and one entry against one entry pass too): pairing
    entries by their flattened order alone would pair a (2, 3) input with a (3, 2) target."""
    a, b = _shape(input), _shape(target)
    if a == b or _without_trailing_one(a) == _without_trailing_one(b) or (_size(a) == _size(b) == 1):
        return
    raise ValueError(f"{who}: the input has shape {a} but the target has shape {b}; they must have "
                     f"the same shape (as in PyTorch)")


def _shape(x):
    """The nested lengths of x (a Value or a number: ()), read along its first entries."""
    x = as_numpy(x)
    if isinstance(x, np.ndarray):
        return x.shape
    if isinstance(x, (list, tuple)) and x:
        return (len(x),) + _shape(x[0])
    return (len(x),) if isinstance(x, (list, tuple)) else ()


def _without_trailing_one(shape):
    return shape[:-1] if shape and shape[-1] == 1 else shape


def _size(shape):
    return int(np.prod(shape))


def _same_count(outputs, targets, who):
    if len(outputs) != len(targets):
        raise ValueError(f"{who}: the input has {len(outputs)} entries but the target has {len(targets)}; "
                         f"they must have the same shape")
