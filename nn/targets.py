"""What a target y may be for each loss: one example at a time, and a whole numpy array at once.

Each loss checks ONE example's target with a `target(y, n)` function (n: the model's outputs)
that returns y in the form the loss takes (a float, or a list of n floats) or raises an error
naming what is wrong. Its array form `targets(Y, n)` judges a whole numeric array of targets
with numpy and returns

    (checked, ok)   checked: float array, (N,) for one number per example or (N, n);
                    ok: bool array (N,), True where example i passes the per-example check

so that `checked[i]` is what `target(Y[i], n)` returns wherever ok[i]. Where an example fails,
`check_targets` asks the per-example check to explain it, so the error is the same either way.
"""

import numbers
from collections.abc import Sequence

import numpy as np

from autograd import Value

from .data import as_examples, finite_number, model_sizes


# --- one example -------------------------------------------------------------------------

def real_targets(target, n, name):
    """y as n floats (or Values): a number when n == 1, else a sequence of n."""
    if isinstance(target, np.ndarray):
        target = target.tolist()
    if not isinstance(target, (list, tuple)):
        target = [target]
    if len(target) != n:
        raise ValueError(f"{name}: the target has {len(target)} entries but the prediction has {n} outputs")
    return [t if isinstance(t, Value) else finite_number(t, f"{name}: target") for t in target]


def one_target(target, n, name):
    if n != 1:
        raise ValueError(f"{name}: expects a single output per example, got {n} outputs "
                         f"(for several classes use cross_entropy)")
    return real_targets(target, 1, name)[0]


def probability_target(target, n, name):
    y = one_target(target, n, name)
    if not isinstance(y, Value) and not 0.0 <= y <= 1.0:
        raise ValueError(f"{name}: the target must be a probability in [0, 1] (a 0/1 label), got {y}")
    return y


def sign_target(target, n, name):
    y = one_target(target, n, name)
    if isinstance(y, Value) or y not in (-1.0, 1.0):
        raise ValueError(f"{name}: the target must be -1 or +1, got {y} (map 0/1 labels to 2y - 1)")
    return y


def class_target(target, n, name):
    """y as a distribution over the n classes: a class index (0-based) becomes one-hot."""
    if n < 2:
        raise ValueError(f"{name}: needs at least 2 outputs (one per class), got {n}; "
                         f"for one output use bce_with_logits")
    if isinstance(target, np.ndarray) and target.ndim == 0:
        target = target.item()
    if isinstance(target, numbers.Real) and not isinstance(target, bool):
        if not finite_number(target, f"{name}: class index").is_integer():
            raise ValueError(f"{name}: a class index must be a whole number, got {target}")
        index = int(target)
        if not 0 <= index < n:
            raise IndexError(f"{name}: class index {index} is out of range for {n} classes "
                             f"(expected 0 to {n - 1})")
        return [1.0 if c == index else 0.0 for c in range(n)]
    if isinstance(target, (list, tuple, np.ndarray)):
        y = [finite_number(t, f"{name}: target entry") for t in np.asarray(target, dtype=object).ravel()]
        if len(y) != n:
            raise ValueError(f"{name}: the one-hot target has {len(y)} entries for {n} classes")
        if min(y) < 0 or sum(y) <= 0:
            raise ValueError(f"{name}: a one-hot target needs entries >= 0 that do not all vanish, got {y}")
        return y
    raise TypeError(f"{name}: expected a class index or a one-hot sequence, got "
                    f"{type(target).__name__} {target!r:.40}")


# --- a whole array: the same rules with numpy ----------------------------------------------
# Y is a float array with one row per example; a shape the per-example check refuses fails
# every example (ok all False), and the per-example check then says why for example 0.

def _none_pass(Y):
    return np.zeros(len(Y)), np.zeros(len(Y), dtype=bool)


def _finite_rows(Y):
    return np.isfinite(Y).reshape(len(Y), -1).all(axis=1)


def real_targets_array(Y, n):
    """Every row y(i) is n finite numbers (a bare number when n == 1): shape (N, n)."""
    if Y.ndim == 1 and n == 1:
        Y = Y.reshape(-1, 1)
    if Y.ndim != 2 or Y.shape[1] != n:
        return _none_pass(Y)
    return Y, _finite_rows(Y)


def one_target_array(Y, n):
    """One finite number per example, as a bare number or a row of one: shape (N,)."""
    if n != 1 or not (Y.ndim == 1 or (Y.ndim == 2 and Y.shape[1] == 1)):
        return _none_pass(Y)
    y = Y.reshape(-1)
    return y, np.isfinite(y)


def probability_targets_array(Y, n):
    y, ok = one_target_array(Y, n)
    return y, ok & (0.0 <= y) & (y <= 1.0)


def sign_targets_array(Y, n):
    y, ok = one_target_array(Y, n)
    return y, ok & ((y == -1.0) | (y == 1.0))


def class_targets_array(Y, n):
    """Class indices (shape (N,)) become one-hot rows; rows of n entries >= 0, not all 0, stay."""
    if n < 2:
        return _none_pass(Y)
    if Y.ndim == 1:
        whole = np.isfinite(Y) & (Y == np.floor(Y)) & (0.0 <= Y) & (Y < n)
        rows = np.zeros((len(Y), n))
        rows[np.flatnonzero(whole), Y[whole].astype(int)] = 1.0
        return rows, whole
    rows = Y.reshape(len(Y), -1)  # the per-example check flattens a nested target too
    if rows.shape[1] != n:
        return _none_pass(Y)
    return rows, _finite_rows(rows) & (rows >= 0.0).all(axis=1) & (rows > 0.0).any(axis=1)


# --- a data set's targets ------------------------------------------------------------------

def check_targets(y, loss, n, what):
    """(targets, Y): every target of y checked by `loss` for a model with n outputs.

    targets  a sequence, targets[i] as loss.target(y[i], n) returns it
    Y        the same as a float array, (N,) or (N, k), when y is a numeric numpy array and the
             loss has an array form; else None
    An example that fails raises the per-example check's error, prefixed by `what y[i]`.
    """
    if isinstance(y, np.ndarray) and y.dtype.kind in "iuf" and loss.targets is not None:
        Y, ok = loss.targets(np.asarray(y, dtype=float), n)
        if ok.all():
            return TargetRows(Y), Y
        first = int(np.argmin(ok))
        _one(loss, y[first].tolist(), n, f"{what} y[{first}]")
        # The per-example check accepted it after all: it is the judge, so ask it about every one.
    raw = y.tolist() if isinstance(y, np.ndarray) else list(y)
    return [_one(loss, target, n, f"{what} y[{i}]") for i, target in enumerate(raw)], None


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
    if isinstance(y, (str, bytes)) or not hasattr(y, "__len__") or (isinstance(y, np.ndarray) and y.ndim == 0):
        raise TypeError(f"{what} y: expected a sequence of {len(X)} targets, got {type(y).__name__}")
    y = _bools_as_numbers(y)
    if len(y) != len(X):
        raise ValueError(f"{what}: X has {len(X)} examples but y has {len(y)} targets; they must match")
    targets, Y = check_targets(y, loss, nout, what)
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
