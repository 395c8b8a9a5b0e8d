"""The checks every number from outside goes through, each naming the culprit it refuses.

`as_number` is THE check for a public number: a Value's data, an op's constant, an eps, an
nn input. An op's constants are declared in its table entry with one of these checks, so
`apply` checks them as strictly as it checks the op's inputs.
"""

import math
import numbers

import numpy as np


def as_number(x, what="Value"):
    """x as a finite float, or an error of the right type that names `what`.

    A bool counts as the number 1.0 or 0.0, as float(True) and numpy take it, and numpy's
    np.True_ likewise (it is not a numbers.Real, but it converts the same way).

    TypeError   not a real number: a str, a Value, None, a complex number
    ValueError  nan, ±inf, or an int (or Fraction) too large for a float
    """
    if isinstance(x, np.ndarray) and x.ndim == 0:  # a 0-d array is its one number, as in numpy and PyTorch
        x = x[()]
    if isinstance(x, np.bool_):
        return float(x)
    if not isinstance(x, numbers.Real) and _is_zero_d_tensor(x):
        return as_number(x.item(), what)
    if not isinstance(x, numbers.Real):
        kind = "a Value" if hasattr(x, "parents") else foreign_value(x) or f"{type(x).__name__} {x!r:.60}"
        hint = " (use it directly, or its .data)" if hasattr(x, "parents") else ""
        raise TypeError(f"{what}: expected a real number (int, float or numpy scalar), got {kind}{hint}")
    if isinstance(x, numbers.Integral) and not isinstance(x, float):
        return _int_as_float(int(x), what)
    try:
        number = float(x)
    except OverflowError:  # a Fraction (or another exact number) beyond the float range
        raise ValueError(f"{what}: expected a finite number, got {type(x).__name__} {x!s:.60} "
                         f"(too large for a float; the largest float is about 1.8e308)") from None
    if not math.isfinite(number):
        raise ValueError(f"{what}: expected a finite number, got {number}")
    return number


def foreign_value(x):
    """`a micrograd.engine.Value ...` when x is another engine's Value (it has micrograd's
    `_prev` but not this engine's `parents`), else None. Code moved from micrograd often keeps
    one `from micrograd.engine import Value`, and "expected a Value, got Value" would hide that."""
    if not hasattr(x, "_prev") or hasattr(x, "parents"):
        return None
    kind = type(x)
    return (f"a {kind.__module__}.{kind.__qualname__} (another engine's Value; tracegrad's is "
            f"`from autograd import Value`)")


def _int_as_float(n, what):
    """An int as a float, refusing one beyond the float range by its size (without printing it:
    str() of a 5000-digit int itself fails with Python's digit-limit message)."""
    try:
        return float(n)
    except OverflowError:
        digits = int(n.bit_length() * math.log10(2)) + 1
        raise ValueError(f"{what}: expected a finite number, got an int too large for a float "
                         f"(about {digits} digits; the largest float is about 1.8e308)") from None


def as_count(n, what):
    """n as an int >= 1 (a number of weights): TypeError if not an int, ValueError if < 1."""
    return as_int(n, what, 1)


def as_index(i, what):
    """i as an int >= 0 (a position among an op's inputs)."""
    return as_int(i, what, 0)


def as_int(n, what, least, most=None, hint=""):
    """n as an int from `least` to `most` (no upper bound when most is None): TypeError if not
    an int (a bool is refused: True as a count is a slip, though Python takes it as 1),
    ValueError if out of range. `hint` is added to what is expected, e.g. " (or None: no limit)"."""
    span = f"an int from {least} to {most}" if most is not None else f"an int >= {least}"
    if isinstance(n, bool) or not isinstance(n, numbers.Integral):
        raise TypeError(f"{what}: expected {span}{hint}, got {type(n).__name__} {n!r:.60}")
    if n < least or (most is not None and n > most):
        raise ValueError(f"{what}: expected {span}{hint}, got {n}")
    return int(n)


def _is_zero_d_tensor(x):
    """A torch tensor (or another array type) of one number, 0-d, taken as numpy takes a 0-d
    array; torch is not imported: anything with ndim 0 and an item()."""
    return getattr(x, "ndim", None) == 0 and callable(getattr(x, "item", None)) and not hasattr(x, "parents")


def as_flag(flag, what):
    """True or False (a numpy bool too, as comparisons of arrays give), else a TypeError naming
    `what`: 1, "yes" or None are not taken for a flag."""
    if not isinstance(flag, (bool, np.bool_)):
        raise TypeError(f"{what}: expected True or False, got {type(flag).__name__} {flag!r:.40}")
    return bool(flag)


def as_optional_flag(flag, what):
    """None (a setting left to the code: compiled=None), or True or False as `as_flag` takes them."""
    return None if flag is None else as_flag(flag, f"{what} (or None)")


def as_bounded(x, what, *, positive=False, meaning="it"):
    """x as a finite float >= 0 (> 0 when `positive`): a tolerance, a step. A bool is refused
    (a tolerance of True is a slip); `meaning` names the quantity in the range's message."""
    bound = "> 0" if positive else ">= 0"
    if isinstance(x, (bool, np.bool_)):
        raise TypeError(f"{what}: expected a number {bound}, got the bool {x}")
    x = as_number(x, what)
    if x < 0 or (positive and x == 0):
        raise ValueError(f"{what}: {meaning} must be {bound}, got {x}")
    return x


def all_finite_floats(xs):
    """True when every item is a float and finite (data that needs no conversion)."""
    return all(type(x) is float and math.isfinite(x) for x in xs)


def all_finite_vector(vector):
    """Whether every number of an array (of any shape) is finite: nan and inf propagate into a sum, so one
    C-level sum answers; only where a sum of finite numbers overflows is each number checked.
    (The fast path checks θ and ∇θ so after every batch: np.isfinite(v).all() would cost
    twice the sum, and a dot v·v, though cheaper, flags overflow and underflow for finite
    numbers beyond 1e154 or below 1e-154, which numpy's error state would then raise.)"""
    return math.isfinite(np.add.reduce(vector, axis=None)) or bool(np.isfinite(vector).all())


def as_data(x, what):
    """x as a non-empty tuple of finite floats (data an op keeps as its constant)."""
    if isinstance(x, (str, bytes)) or not hasattr(x, "__iter__"):
        raise TypeError(f"{what}: expected a sequence of numbers, got {type(x).__name__} {x!r:.60}")
    x = tuple(x)
    if not x:
        raise ValueError(f"{what}: expected at least one number, got an empty sequence")
    return tuple(as_number(xk, f"{what}[{k}]") for k, xk in enumerate(x))


def checked_arguments(op, inputs, consts):
    """The op's constants checked as its table entry declares them (a new dict), after
    checking that `inputs` has as many entries as the op takes: a TypeError or ValueError
    naming the op and the culprit, rather than a wrong number or an error from deep inside."""
    declared = [c.name for c in op.consts]
    takes = (["any number of inputs"] if op.variadic else list(op.inputs)) + declared
    problem = _arity_problem(op, inputs) or _names_problem(declared, consts)
    if problem:
        given = f"{len(inputs)} input{'' if len(inputs) == 1 else 's'} and "
        given += f"constants {', '.join(consts)}" if consts else "no constants"
        raise TypeError(f"apply({op.name!r}): got {given}, but the op takes ({', '.join(takes)}), "
                        f"constants by keyword ({problem}); {op.formula}")
    checked = {c.name: c.check(consts[c.name], f"apply({op.name!r}): constant {c.name}") for c in op.consts}
    if op.fan_in is not None and not op.fan_in.holds(len(inputs), **checked):
        shown = ", ".join(f"{k}={v!r:.40}" for k, v in checked.items())
        raise op.fan_in.error(f"apply({op.name!r}): {len(inputs)} inputs do not fit {shown}: {op.fan_in.says}")
    return checked


def _arity_problem(op, inputs):
    if op.variadic:
        return "" if inputs else "an n-ary op needs at least one input"
    if len(inputs) != len(op.inputs):
        return f"takes {len(op.inputs)} input{'' if len(op.inputs) == 1 else 's'}"
    return ""


def _names_problem(declared, consts):
    missing = [name for name in declared if name not in consts]
    unexpected = [name for name in consts if name not in declared]
    if missing:
        return "missing constant " + ", ".join(map(repr, missing))
    if unexpected:
        return "unexpected keyword constant " + ", ".join(map(repr, unexpected))
    return ""
