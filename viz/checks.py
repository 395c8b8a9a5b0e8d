"""viz's checks of its arguments, one function per kind, shared by every public function.

A bad argument gets a TypeError (the wrong kind of thing) or a ValueError (the right kind, out
of range) whose message names the argument and what was given (README, "Bad input: a clear
error"), before any work: never an error from deep inside the drawing, such as a format
specifier or a comparison of an int with a str. `name` is the argument as the caller names it,
e.g. "viz: digits" or "viz.training max_bytes".
"""

import numbers
import os
from pathlib import Path

import numpy as np

import autograd
from autograd import checks
from autograd.checks import foreign_value


def is_value(x):
    """True for a Value (read by its attributes, as viz reads a graph)."""
    return hasattr(x, "data") and hasattr(x, "parents")


def as_root(root, who):
    if not is_value(root):
        got = foreign_value(root) or f"{type(root).__name__} {root!r:.60}"
        hint = ""
        if isinstance(root, (list, tuple)) and root and all(map(is_value, root)):  # a model's outputs
            hint = "; pass one of these Values, or a loss made of them (e.g. autograd.sum(outputs))"
        raise TypeError(f"{who}: expected the root Value of a graph, got {got}{hint}")
    return root


def as_int(n, name, least, most=None, hint=""):
    """n as an int from least to most (the engine's one check of an int, autograd.checks), the
    message naming the argument and the value given: `viz: digits=0: expected ...`."""
    return checks.as_int(n, f"{name}={n!r:.60}", least, most, hint)


def as_digits(digits, name="viz: digits"):
    """Significant digits: 17 is all a float has."""
    return as_int(digits, name, 1, 17)


def as_limit(n, name):
    """A size limit (max_nodes=, max_values=): an int >= 1, or None for no limit."""
    return None if n is None else as_int(n, name, 1, hint=" (or None: no limit)")


def as_finite(x, name):
    """x as a finite float, through the engine's one check of a number (autograd.as_number);
    a bool is refused, as a gradient or a tolerance of True is a slip."""
    if isinstance(x, (bool, np.bool_)):
        raise TypeError(f"{name}: expected a number, got bool {x!r}")
    if not isinstance(x, numbers.Real) and tuple(getattr(x, "shape", (0,))) == () and hasattr(x, "item"):
        x = x.item()  # a 0-d tensor (a PyTorch .grad pulled out as it is) holds one number
    return autograd.as_number(x, name)


def as_real(x, name, *, positive=False):
    """A finite number >= 0 (> 0 when `positive`): a tolerance, a dpi, a page size."""
    number = as_finite(x, name)
    if number < 0 or (positive and number == 0):
        raise ValueError(f"{name}={x!r:.60}: expected a number {'> 0' if positive else '>= 0'}")
    return number


def number_map(mapping, name, allow_none=False):
    """{Value: float} from a mapping of Values to numbers (None too, "not known", if allowed);
    the error names the entry at fault by its label."""
    checked = {}
    for value, number in mapping.items():
        if not is_value(value):
            raise TypeError(f"{name}= keys must be Values, got {type(value).__name__} {value!r:.60}")
        if number is None and allow_none:
            checked[value] = None
        else:
            checked[value] = as_finite(number, f"{name}[{value.label or repr(value)}]")
    return checked


def as_choice(choice, name, choices, hint=""):
    """One of `choices` (strs, and None when None is one of them): a TypeError for anything
    else than a str (rankdir=None, collapse=True), a ValueError for a str not among them
    (rankdir="up"). The type is checked first, so that `in` never compares an array (whose
    truth value numpy refuses, naming no argument) and a slip of type is not called a value's."""
    if choice is None and None in choices:
        return None
    expected = f"expected {_one_of(choices)}{hint}"
    if not isinstance(choice, str):
        raise TypeError(f"{name}={choice!r:.60}: {expected}, got {type(choice).__name__}")
    if choice not in choices:
        raise ValueError(f"{name}={choice!r:.60}: {expected}")
    return choice


def _one_of(choices):
    """The choices as a message lists them: 'LR', 'TB', 'RL' or 'BT'."""
    named = [repr(choice) for choice in choices]
    return named[0] if len(named) == 1 else f"{', '.join(named[:-1])} or {named[-1]}"


def as_flag(flag, name):
    return checks.as_flag(flag, f"{name}={flag!r:.60}")  # viz names an option with its value


def as_text(text, name, optional=False):
    """A str (or None, when `optional`)."""
    if not (isinstance(text, str) or (optional and text is None)):
        raise TypeError(f"{name}={text!r:.60}: expected a str{' or None' if optional else ''}, "
                        f"got {type(text).__name__}")
    return text


def as_path(path, name):
    """A Path from a str or an os.PathLike; an int is never taken as a file descriptor."""
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"{name}={path!r:.60}: expected a path (a str or a pathlib.Path), got {type(path).__name__}")
    return Path(path)
