"""What a target y may be for each loss: every rule written once, for one example and for arrays.

A loss's targets are of one kind: n numbers (sse, mse), one probability (bce,
bce_with_logits), a probability per output (PyTorch's BCELoss and BCEWithLogitsLoss, which are
elementwise), one sign (hinge), or a class, an index or a one-hot row (cross_entropy, nll).
A kind is a few rules, each written ONCE and judged on an array of targets, one per example:

    the model rule   what the number n of outputs must be (one output; at least two)
    finiteness       every entry a finite number
    the shape rule   which shapes one example's target may have, for n outputs
    conditions       on the numbers, written with & and | on comparisons (as the op table's
                     domain rules are), so that each holds elementwise on a whole array

`kind.targets(Y, n)` judges a numeric array Y of N targets at once and returns

    (checked, ok)   checked: float array, (N,) for one number per example or (N, n);
                    ok: bool array (N,), True where example i passes every rule

and `kind.explain(Y, n, i, name)` raises the error of the first rule that example i breaks.
One example (`kind.target(y, n, name)`, which each loss calls) and an array's failing example
are judged by the same code (`_judge`): the entries through nn's one check of a number (which
names the target), then the same rules in the same order. So an example and an array of
examples can never disagree, and the error names the same culprit either way.
"""

import numbers
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain
from typing import Callable

import numpy as np

from autograd import Value

from .data import as_examples, as_numpy, finite_number, model_sizes, short


@dataclass(frozen=True)
class Condition:
    """One rule on a target's numbers and the error it raises: `holds(y, n)` is a bool for one
    target, or a bool per example on an array of them; `says(y, n)` is the message."""

    holds: Callable
    error: type
    says: Callable


PROBABILITY = Condition(lambda y, n: (0.0 <= y) & (y <= 1.0), ValueError,
                        lambda y, n: f"the target must be a probability in [0, 1] (a 0/1 label), got {y}")
SIGN = Condition(lambda y, n: (y == -1.0) | (y == 1.0), ValueError,
                 lambda y, n: f"the target must be -1 or +1, got {y} (map 0/1 labels to 2y - 1)")
WHOLE = Condition(lambda y, n: y % 1 == 0, ValueError, lambda y, n: f"a class index must be a whole number, got {y}")
_IGNORE_INDEX_NOTE = ("; -100 is PyTorch's ignore_index, which a call of nn.CrossEntropyLoss leaves out, "
                      "but fit and nn.cross_entropy do not: drop those examples from the data")
IN_RANGE = Condition(lambda y, n: (0 <= y) & (y < n), IndexError,
                     lambda y, n: f"class index {_index(y)} is out of range for {n} classes (expected 0 to {n - 1})"
                                  + (_IGNORE_INDEX_NOTE if y == -100 else ""))


def _index(y):
    """A whole number as an index reads: in digits up to 2**53 (where floats stop being exact
    integers), beyond in float notation (1e+300), not as its 300 digits."""
    return int(y) if abs(y) < 2.0 ** 53 else repr(float(y))


ONE_HOT = Condition(lambda rows, n: (np.asarray(rows) >= 0.0).all(axis=-1) & (np.asarray(rows) > 0.0).any(axis=-1),
                    ValueError, lambda y, n: f"a one-hot target needs entries >= 0 that do not all vanish, got {y}")


class TargetKind:
    """n real numbers per example (sse, mse), a bare number when n == 1; subclasses narrow it.

    Each rule is one method, used on arrays and on one example alike; only `rows` (an array's
    targets in the loss's form) and `value` (one example's) say the same arrangement twice,
    once with numpy and once for a list, since one example should not pay numpy's overhead.
    A Value among one example's entries (a target that is itself computed) passes as it is
    where `values_pass`; only the shape rule judges it then.
    """

    values_pass = True
    one_number = False
    conditions = ()

    def model_rule(self, n):
        """The message if a model with n outputs cannot take this kind of target, else None."""
        return None

    def fits(self, shape, n):
        """The shape rule: may one example's target have `shape`, for n outputs?"""
        return shape == (n,) or (shape == () and n == 1)

    def shape_error(self, shape, n):
        entries = shape[0] if shape else 1
        if entries == n:  # n entries, but nested
            return TypeError(f"the target has the shape {shape}; expected {n} numbers in a flat sequence")
        return ValueError(f"the target has {entries} entries but the prediction has {n} outputs")

    def conditions_for(self, shape):
        return self.conditions

    def rows(self, Y, n):
        """An array of N targets (each of a shape that fits) in the loss's form."""
        return Y.reshape(len(Y), -1)[:, 0] if self.one_number else Y.reshape(len(Y), n)

    def value(self, flat, shape, n):
        """One example's entries (flat, checked numbers) in the loss's form."""
        return flat[0] if self.one_number else flat

    def given(self, checked, ok, n):
        """What the loss takes from the checked targets (class indices become one-hot rows)."""
        return checked

    def not_a_target(self, target):
        """The message for a target that is neither a number nor a sequence, or None to take
        it as one entry (whose check then names its type)."""
        return None

    # --- a whole array at once ----------------------------------------------------------

    def targets(self, Y, n):
        """(checked, ok) for a numeric array Y of N targets, one per example (see the module)."""
        Y = np.asarray(Y, dtype=float)
        shape = Y.shape[1:]
        if self.model_rule(n) or not self.fits(shape, n):
            return np.zeros(len(Y)), np.zeros(len(Y), dtype=bool)
        checked = self.rows(Y, n)
        ok = np.isfinite(Y).reshape(len(Y), -1).all(axis=1)
        with np.errstate(invalid="ignore"):  # a row with nan or inf has failed already
            for condition in self.conditions_for(shape):
                ok &= condition.holds(checked, n)
        return self.given(checked, ok, n), ok

    def explain(self, Y, n, i, name):
        """Raise the error of the first rule that example i of the array Y breaks."""
        self._judge(np.asarray(Y[i]).reshape(-1).tolist(), np.shape(Y)[1:], n, name)

    # --- one example --------------------------------------------------------------------

    def target(self, target, n, name):
        """One example's target, checked: a float, or a list of floats (or of Values)."""
        reason = self.model_rule(n)
        if reason:
            raise ValueError(f"{name}: {reason}")
        target = as_numpy(target)
        if isinstance(target, np.ndarray):
            target = target.tolist()
        if isinstance(target, (list, tuple)) and not any(isinstance(t, (list, tuple)) for t in target):
            flat, shape = list(target), (len(target),)
        elif isinstance(target, (list, tuple)):  # nested: numpy says its shape
            entries = np.asarray(target, dtype=object)
            flat, shape = entries.reshape(-1).tolist(), entries.shape
        elif isinstance(target, (Value, numbers.Real)) or self.not_a_target(target) is None:
            flat, shape = [target], ()
        else:
            raise TypeError(f"{name}: {self.not_a_target(target)}")
        if self.values_pass and any(isinstance(t, Value) for t in flat):
            return self._with_values(flat, shape, n, name)
        return self._judge(flat, shape, n, name)

    def _judge(self, flat, shape, n, name):
        """Every rule in order, on one example's entries: its checked value in the loss's form."""
        reason = self.model_rule(n)
        if reason:
            raise ValueError(f"{name}: {reason}")
        flat = [finite_number(t, f"{name}: target") for t in flat]
        if not self.fits(shape, n):
            error = self.shape_error(shape, n)
            raise type(error)(f"{name}: {error}")
        value = self.value(flat, shape, n)
        for condition in self.conditions_for(shape):
            if not condition.holds(value, n):
                raise condition.error(f"{name}: {condition.says(value, n)}")
        return self.one_example(value, shape, n)

    def one_example(self, value, shape, n):
        return value

    def _with_values(self, flat, shape, n, name):
        """Entries that are Values pass as they are (they stay in the graph), once their numbers
        have met every rule a number meets: a Value target of 5 is no more a probability than 5."""
        checked = [t if isinstance(t, Value) else finite_number(t, f"{name}: target") for t in flat]
        try:
            self._judge([t.data if isinstance(t, Value) else t for t in checked], shape, n, name)
        except (TypeError, ValueError, IndexError) as error:
            labels = "".join(f" {t.label!r}" for t in flat if isinstance(t, Value) and t.label)
            raise type(error)(f"{error} (the target's Value{labels}, by its .data)") from None
        return checked[0] if self.one_number else checked


class OneNumber(TargetKind):
    """One number per example, for a model with one output (bce, bce_with_logits, hinge)."""

    one_number = True

    def __init__(self, *conditions, values_pass=True):
        self.conditions, self.values_pass = conditions, values_pass

    def model_rule(self, n):
        if n != 1:
            return f"expects a single output per example, got {n} outputs (for several classes use cross_entropy)"
        return None

    def fits(self, shape, n):
        return shape in ((), (1,))


class EachOutput(TargetKind):
    """One number per output, each judged alone: PyTorch's elementwise losses (BCELoss,
    BCEWithLogitsLoss) on a model with any number of outputs, a probability for each (several
    independent 0/1 labels, "multi-label"). One output takes a bare number too."""

    def __init__(self, *conditions, values_pass=True):
        self.conditions, self.values_pass = conditions, values_pass


def each(condition):
    """`condition` on every entry of a target (a row of n numbers, or an array (N, n) of rows): it
    holds for a row where it holds for all n entries; the error names the first that fails."""
    def holds(y, n):
        return np.all(condition.holds(np.asarray(y, dtype=float), n), axis=-1)

    def says(y, n):
        entries = np.asarray(y, dtype=float).reshape(-1)
        c = int(np.argmin(condition.holds(entries, n)))
        return condition.says(entries[c].item(), n) + (f" (entry {c + 1} of {n})" if n > 1 else "")

    return Condition(holds, condition.error, says)


class ClassTarget(TargetKind):
    """A class index (0-based), which becomes a one-hot row, or a one-hot row of n entries
    (cross_entropy, nll): y as a distribution over the n classes. A nested one-hot target is
    flattened. A one-hot target of Values (autograd.compile's placeholders) stays in the graph.
    A row of integers is a distribution only when it is one-hot: [0, 1, 2, 3] is a batch's
    class indices given to one example, not an unnormalised distribution (torch refuses integer
    probabilities too)."""

    def _with_values(self, flat, shape, n, name):
        if shape == ():  # the class would be picked by reading the Value's number
            raise TypeError(f"{name}: the target is a Value holding the class index {flat[0].data!r:.20}, which "
                            f"cannot pick its class inside a graph; give one-hot targets ({n} entries per "
                            f"example, np.eye({n})[y]), which stay in the graph as Values")
        return super()._with_values(flat, shape, n, name)

    def targets(self, Y, n):
        checked, ok = super().targets(Y, n)
        Y = np.asarray(Y)
        if Y.dtype.kind in "iu" and Y.ndim >= 2:  # rows of integers: one-hot or refused
            ok &= _exactly_one_hot(Y.reshape(len(Y), -1))
        return checked, ok

    def _judge(self, flat, shape, n, name):
        value = super()._judge(flat, shape, n, name)
        if shape != () and _all_integers(flat) and not _exactly_one_hot(np.asarray(value)):
            raise ValueError(
                f"{name}: the target {short(flat)} holds {len(flat)} integers that are not one-hot, so it would "
                f"be read as class probabilities; a class index is one number per example (for a batch, give "
                f"N lists of logits and N indices), and a probability target is floats (torch refuses "
                f"integers there too)")
        return value

    def model_rule(self, n):
        if n < 2:
            return (f"needs at least 2 outputs (one per class), got {n}; for one output use bce_with_logits "
                    f"(nn.BCEWithLogitsLoss)")
        return None

    def fits(self, shape, n):
        return shape == () or int(np.prod(shape)) == n

    def shape_error(self, shape, n):
        if int(np.prod(shape)) == 1:  # an index wrapped in a list: y given as a column (N, 1)
            return ValueError(f"the target {shape} holds one number: a class index is one number per "
                              f"example (y of shape (N,), not (N, 1)), a one-hot target {n} entries")
        return ValueError(f"the one-hot target has {int(np.prod(shape))} entries for {n} classes")

    def conditions_for(self, shape):
        return (WHOLE, IN_RANGE) if shape == () else (ONE_HOT,)

    def rows(self, Y, n):
        return Y if Y.ndim == 1 else Y.reshape(len(Y), n)

    def value(self, flat, shape, n):
        return flat[0] if shape == () else flat

    def given(self, checked, ok, n):
        if checked.ndim == 2:
            return checked
        rows = np.zeros((len(checked), n))  # valid class indices as one-hot rows
        rows[np.flatnonzero(ok), checked[ok].astype(int)] = 1.0
        return rows

    def one_example(self, value, shape, n):
        if shape != ():
            return value
        return [1.0 if c == int(value) else 0.0 for c in range(n)]

    def not_a_target(self, target):
        return f"expected a class index or a one-hot sequence, got {type(target).__name__} {target!r:.40}"


def _all_integers(entries):
    """Whether every entry is an integer type (int, a numpy integer), not a float that is whole."""
    return all(isinstance(t, (int, np.integer)) and not isinstance(t, bool) for t in entries)


def _exactly_one_hot(rows):
    """Per row (the last axis): entries 0 or 1, exactly one of them 1."""
    return ((rows == 0) | (rows == 1)).all(axis=-1) & (rows.sum(axis=-1) == 1)


REAL = TargetKind()
PROBABILITY_TARGET = OneNumber(PROBABILITY)
PROBABILITY_EACH_TARGET = EachOutput(each(PROBABILITY))
SIGN_TARGET = OneNumber(SIGN)
CLASS_TARGET = ClassTarget()


# --- a data set's targets ------------------------------------------------------------------

def check_targets(y, loss, n, what):
    """(targets, Y): every target of y checked by `loss` for a model with n outputs.

    targets  a sequence, targets[i] as loss.target(y[i], n) returns it
    Y        the same as a float array, (N,) or (N, k), when y is numbers (a numeric numpy
             array, or a list or tuple numpy reads as one) and the loss has an array form;
             else None
    An example that fails raises the per-example check's error, prefixed by `what y[i]`.
    """
    numbers = _as_numbers(y)
    if numbers is not None and loss.kind is not None:
        checked, ok = loss.kind.targets(numbers, n)  # as given: integer rows are judged as integers
        if ok.all():
            return TargetRows(checked), checked
        first = int(np.argmin(ok))
        loss.kind.explain(numbers, n, first, f"{what} y[{first}]: {loss.display_name}")
    raw = y.tolist() if isinstance(y, np.ndarray) else list(y)
    return [_one(loss, target, n, f"{what} y[{i}]") for i, target in enumerate(raw)], None


def _as_numbers(y):
    """y as a numeric array when judging it as one gives what judging each entry gives, else None.

    A list or tuple is read by np.asarray, never with dtype=float (which would turn "1" into 1.0
    and let through what the per-example check refuses by name), and only when every entry, or
    every entry of every row, is a number finite_number reads as numpy does: an int or float,
    a numpy integer or float, a 0-d array. A bool among numbers (numpy makes True a 1), a str,
    a Value or anything else leaves y to the per-example check, which names it.
    """
    if isinstance(y, np.ndarray):
        return y if y.dtype.kind in "iuf" else None
    if not isinstance(y, (list, tuple)):
        return None
    try:
        array = np.asarray(y)
    except (TypeError, ValueError, OverflowError):  # ragged rows, or an int numpy cannot hold
        return None
    if array.dtype.kind not in "biuf" or array.ndim not in (1, 2):
        return None
    entries = y if array.ndim == 1 else chain.from_iterable(y)
    return array if all(issubclass(kind, _NUMBER_ENTRIES) and kind not in _BOOLS
                        for kind in set(map(type, entries))) else None


_NUMBER_ENTRIES = (int, float, np.integer, np.floating, np.ndarray)
_BOOLS = (bool, np.bool_)


class TargetRows(Sequence):
    """The checked targets one example at a time, as the loss takes them (a float or a list of
    floats), read from their array when asked: a big data set on the compiled path never needs
    them as Python objects."""

    def __init__(self, array):
        self.array = array

    def __len__(self):
        return len(self.array)

    def __getitem__(self, i):
        return self.array[i].tolist()


def _one(loss, target, n, where):
    try:
        return loss.target(target, n)
    except (TypeError, ValueError, IndexError) as error:
        raise type(error)(f"{where}: {error}") from None


# --- a data set: X and its targets ---------------------------------------------------------

def data_set(model, X, y, loss, what):
    """(X as an (N, nin) float array, targets, Y) or a clear error; see `check_targets`.

    Y is the targets as floats, (N,) or (N, k), whenever they are numbers of one shape (for a
    custom loss, its own targets), else None.
    """
    nin, nout = model_sizes(model, what)
    X = as_examples(X, nin, f"{what} X")
    given, y = type(y).__name__, as_numpy(y)
    if isinstance(y, (str, bytes)) or not hasattr(y, "__len__") or (isinstance(y, np.ndarray) and y.ndim == 0):
        raise TypeError(f"{what} y: expected a sequence of {len(X)} targets, got {given}")
    y = _bools_as_numbers(y)
    if len(y) != len(X):
        raise ValueError(f"{what}: X has {len(X)} examples but y has {len(y)} targets; they must match")
    try:
        targets, Y = check_targets(y, loss, nout, what)
    except ValueError as error:
        note = getattr(model, "nout_note", "")  # a Sequential whose width is taken, not declared
        if note and "outputs" in str(error):
            raise type(error)(f"{error} ({note})") from None
        raise
    return X, targets, (Y if Y is not None else _numbers_or_none(targets))


def _bools_as_numbers(y):
    """Bool targets (a bool array, or a list of bools or of rows of bools) as 0.0/1.0 floats."""
    if isinstance(y, np.ndarray):
        return y.astype(float) if y.dtype == bool else y
    if isinstance(y, (list, tuple)) and y and isinstance(y[0], (bool, np.bool_, list, tuple)):
        try:
            array = np.asarray(y)
        except ValueError:  # ragged
            return y
        return array.astype(float) if array.dtype == bool else y
    return y


def _numbers_or_none(targets):
    try:
        Y = np.asarray(targets)
    except ValueError:  # ragged rows: a custom loss's own targets
        return None
    # Text, Values (object) and deeper nesting are a custom loss's own business, not numbers.
    return Y.astype(float) if Y.ndim in (1, 2) and Y.dtype.kind in "biuf" else None
