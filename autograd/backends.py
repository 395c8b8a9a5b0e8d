"""The two math namespaces the derivative table is written against.

Every formula in `autograd.ops` is written once, in terms of a namespace `M`. The scalar
engine passes `scalar` (Python floats, tuples for the inputs of an n-ary op); the compiled
batched path passes `array` (numpy arrays whose first axis is the n-ary op's fan-in).
Keeping the two side by side is what stops the scalar and batched forms from drifting.
"""

import builtins
import functools
import math
import operator
import sys

import numpy as np

from .checks import all_finite_vector


if sys.version_info < (3, 12):
    def _left_fold_sum(xs):
        return sum(xs, 0.0)  # a plain left fold, and fast
else:
    def _left_fold_sum(xs):
        # From 3.12 builtin sum() compensates float rounding: more accurate, but no longer
        # bit-identical to x1 + x2 + ... chained node by node.
        return functools.reduce(operator.add, xs, 0.0)


class scalar:
    """Python floats. An n-ary op's inputs arrive as a tuple of floats."""

    exp = staticmethod(math.exp)
    tanh = staticmethod(math.tanh)
    sqrt = staticmethod(math.sqrt)
    maximum = staticmethod(max)
    minimum = staticmethod(min)
    sin, cos, tan = staticmethod(math.sin), staticmethod(math.cos), staticmethod(math.tan)
    asin, acos, atan = staticmethod(math.asin), staticmethod(math.acos), staticmethod(math.atan)
    sinh, cosh = staticmethod(math.sinh), staticmethod(math.cosh)
    asinh, acosh, atanh = staticmethod(math.asinh), staticmethod(math.acosh), staticmethod(math.atanh)
    log1p, expm1 = staticmethod(math.log1p), staticmethod(math.expm1)
    log2, log10 = staticmethod(math.log2), staticmethod(math.log10)

    quotient = staticmethod(operator.truediv)  # u / y: a function so that autograd.higher's can defer an overflow

    @staticmethod
    def square(x):
        return x * x

    @staticmethod
    def log(x):
        # A log outside its domain only reaches here from a derivative (the forward pass
        # checks domains first); nan lets backward name the node instead of crashing here.
        return math.log(x) if x > 0 else math.nan

    @staticmethod
    def exponent_slope(z, x):
        """z ln x (∂(x^y)/∂y with z = x^y), taken as 0 where z = 0 with x > 0 (its limit as
        x^y → 0) and where x = 0: at 0^0 = 1 it is 1 · ln 0, which PyTorch takes as 0 (the
        domain leaves y >= 0 wherever x = 0). For x < 0 it has no value, ln x being undefined,
        also where x^y underflowed to 0: a local derivative that is not finite, as torch's nan."""
        return 0.0 if (z == 0 and x > 0) or x == 0 else z * scalar.log(x)

    @staticmethod
    def power_slope(x, y):
        """y x^(y-1), taken as 0 at x = y = 0, where it is 0 · 0^-1 (x^0 is 1 for every x, 0^0
        too), as PyTorch gives. Elsewhere it is left as it is, so that its own derivative in y,
        x^(y-1)(1 + y ln x), is 1/x at y = 0 (PyTorch's 0 where y = 0 loses that)."""
        return 0.0 if x == 0 and y == 0 else y * x ** (y - 1)

    # The op xlogy (the cross-entropy term y ln p). Its rules differ from `exponent_slope` above at y = 0:
    # x ≠ 0 there is x · ln 0, never a silent 0 (the op's domain refuses it first).
    @staticmethod
    def x_log_y(x, y):
        """x ln y, taken as 0 where x = 0 and y >= 0 (0 · ln 0 = 0, as torch.xlogy); nan
        outside the op's domain."""
        return 0.0 if x == 0 and y >= 0 else x * scalar.log(y)

    @staticmethod
    def x_log_y_dx(x, y):
        """∂(x ln y)/∂x = ln y, taken as 0 at x = y = 0, as torch gives (there x ln 0 has no slope)."""
        return 0.0 if x == 0 and y == 0 else scalar.log(y)

    @staticmethod
    def x_log_y_dy(x, y):
        """∂(x ln y)/∂y = x / y, taken as 0 at x = y = 0 (torch: 0/0, nan). Only there: at x = 0,
        y > 0 it is x / y itself, whose own slope in x, 1/y, second order needs."""
        return 0.0 if x == 0 and y == 0 else x / y

    @staticmethod
    def sigmoid(x):
        # Two branches so that exp never overflows: σ(x) = 1/(1+e^-x) = e^x/(1+e^x).
        if x >= 0:
            return 1.0 / (1.0 + math.exp(-x))
        e = math.exp(x)
        return e / (1.0 + e)

    # Left folds, so that one n-ary node equals its chained two-input version to the last bit.
    @staticmethod
    def total(xs):
        return _left_fold_sum(xs)

    @staticmethod
    def dot(us, vs):
        return _left_fold_sum(map(operator.mul, us, vs))

    @staticmethod
    def logsumexp(xs):
        top = max(xs)
        return top + math.log(math.fsum(math.exp(x - top) for x in xs))

    @staticmethod
    def each(f, xs):
        return tuple(f(x) for x in xs)

    @staticmethod
    def ones_like(xs):
        return (1.0,) * len(xs)

    @staticmethod
    def constants(x, like):
        """A vector of constants (an op's data), as a vector of this namespace shaped like `like`."""
        return x

    @staticmethod
    def concat(*parts):
        return builtins.sum(parts, ())  # the parts are tuples: joined in C, no iterator

    @staticmethod
    def is_integer(x):
        return float(x).is_integer()


class array:
    """numpy arrays over a batch. An n-ary op's inputs arrive stacked on axis 0.

    The compiled program runs these under np.errstate(all="ignore") and checks what it returns:
    an overflow here is an inf that the program's checks find, not a warning."""

    exp = staticmethod(np.exp)
    tanh = staticmethod(np.tanh)
    sqrt = staticmethod(np.sqrt)
    maximum = staticmethod(np.maximum)
    minimum = staticmethod(np.minimum)
    sin, cos, tan = staticmethod(np.sin), staticmethod(np.cos), staticmethod(np.tan)
    asin, acos, atan = staticmethod(np.arcsin), staticmethod(np.arccos), staticmethod(np.arctan)
    sinh, cosh = staticmethod(np.sinh), staticmethod(np.cosh)
    asinh, acosh, atanh = staticmethod(np.arcsinh), staticmethod(np.arccosh), staticmethod(np.arctanh)
    log1p, expm1 = staticmethod(np.log1p), staticmethod(np.expm1)
    log2, log10 = staticmethod(np.log2), staticmethod(np.log10)
    square = staticmethod(np.square)  # x * x to the last bit, one numpy call where x is an expression
    quotient = staticmethod(np.true_divide)

    # None of these enters np.errstate itself (the program has warnings off already, and
    # entering it costs more than a small layer's matmul): where a branch of np.where is not
    # chosen (0 · ln 0, 0 ** -1, 0 / 0), its nan or inf is computed and dropped silently.
    log = staticmethod(np.log)

    @staticmethod
    def exponent_slope(z, x):
        return np.where(((z == 0) & (x > 0)) | (x == 0), 0.0, z * np.log(x))

    @staticmethod
    def power_slope(x, y):
        return np.where((x == 0) & (y == 0), 0.0, y * x ** (y - 1))

    # x ≠ 0 at y = 0 gives ±inf, and y < 0 nan: not finite, so the program's checks find it and
    # the scalar engine names the op's domain.
    @staticmethod
    def x_log_y(x, y):
        return _zero_where_taken(x * np.log(y), lambda: (x == 0) & (y >= 0))

    @staticmethod
    def x_log_y_dx(x, y):
        return _zero_where_taken(np.log(y), lambda: (x == 0) & (y == 0))

    @staticmethod
    def x_log_y_dy(x, y):
        return _zero_where_taken(x / y, lambda: (x == 0) & (y == 0))

    @staticmethod
    def sigmoid(x):
        # 1 / (1 + e^-x) is exact to rounding wherever e^-x is finite; where it overflows
        # (x < -709) it gives 0.0 for a σ below 1e-308. In place: one temporary, not four.
        e = np.exp(-x)
        e += 1.0
        return np.reciprocal(e, out=e)

    @staticmethod
    def total(xs):
        return np.add.reduce(xs, axis=0)

    @staticmethod
    def dot(us, vs):
        return np.einsum("i...,i...->...", us, vs)

    @staticmethod
    def logsumexp(xs):
        top = np.max(xs, axis=0)
        return top + np.log(np.sum(np.exp(xs - top), axis=0))

    @staticmethod
    def each(f, xs):
        return f(xs)

    @staticmethod
    def ones_like(xs):
        return np.ones_like(xs)

    @staticmethod
    def constants(x, like):
        """A vector of constants stacked on axis 0 like `like`, the same for every example."""
        return np.asarray(x, dtype=float).reshape((len(x),) + (1,) * (np.ndim(like) - 1))

    @staticmethod
    def concat(*parts):
        parts = [np.asarray(p) for p in parts]
        shape = np.broadcast_shapes(*(p.shape[1:] for p in parts if p.ndim))
        return np.concatenate([np.broadcast_to(p, p.shape[:1] + shape) for p in parts if p.ndim], axis=0)

    @staticmethod
    def is_integer(x):
        return np.equal(np.mod(x, 1.0), 0.0)


def _zero_where_taken(values, taken):
    """`values` with 0 where `taken()` (the entries a rule takes as 0, such as 0 · ln 0). The
    mask is built only when something is not finite: a saturated probability is rare, and
    three more numpy calls per batch are not."""
    if all_finite_vector(values):
        return values
    return np.where(taken(), 0.0, values)
