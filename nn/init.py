"""Initial weights and biases, drawn from the model's own numpy Generator (never global state).

    "uniform"   w ~ U(-1, 1)                                  micrograd's
    "normal"    w ~ N(0, 1)                                   the notes' and Nielsen's
    "xavier"    w ~ U(-r, r),  r = √(6 / (n_in + n_out))      Glorot & Bengio, for tanh/sigmoid
    "he"        w ~ N(0, 2 / n_in)                            He et al., for ReLU

A bias is a number (the lecture notes set every bias to 1; micrograd uses 0) or one of the
schemes above.
"""

import math
import numbers

import numpy as np

from .data import finite_number

INITS = ("uniform", "normal", "xavier", "he")


def check_scheme(scheme, what="init"):
    """The scheme's name, or a clear error if it is not one."""
    if not isinstance(scheme, str):
        raise TypeError(f"{what}: expected one of {', '.join(map(repr, INITS))}, "
                        f"got {type(scheme).__name__} {scheme!r:.40}")
    if scheme not in INITS:
        raise ValueError(f"unknown {what} {scheme!r}; expected one of {', '.join(map(repr, INITS))}")
    return scheme


def check_bias_init(bias_init):
    """A finite number, or a scheme name."""
    if isinstance(bias_init, str):
        return check_scheme(bias_init, "bias_init")
    if isinstance(bias_init, bool) or not isinstance(bias_init, numbers.Real):
        raise TypeError(f"bias_init: expected a number or one of {', '.join(map(repr, INITS))}, "
                        f"got {type(bias_init).__name__} {bias_init!r:.40}")
    return finite_number(bias_init, "bias_init")


def draw(scheme, rng, nin, nout, shape):
    """An array of `shape` drawn by `scheme` for a layer with fan-in nin and fan-out nout."""
    if scheme == "uniform":
        return rng.uniform(-1.0, 1.0, size=shape)
    if scheme == "normal":
        return rng.standard_normal(size=shape)
    if scheme == "xavier":
        bound = math.sqrt(6.0 / (nin + nout))
        return rng.uniform(-bound, bound, size=shape)
    if scheme == "he":
        return rng.normal(0.0, math.sqrt(2.0 / nin), size=shape)
    raise ValueError(f"unknown init {scheme!r}; expected one of {', '.join(map(repr, INITS))}")


def layer_parameters(init, bias_init, rng, nin, nout):
    """(W, b): W is nout × nin (row j holds the weights into neuron j, as in the notes), b has nout."""
    try:
        weights = draw(init, rng, nin, nout, (nout, nin))
    except (ValueError, MemoryError) as error:  # numpy's messages name no layer
        kind = MemoryError if isinstance(error, MemoryError) else ValueError
        raise kind(f"a layer of {_width(nout)} neurons with {_width(nin)} inputs each is too large "
                   f"to hold ({error})") from None
    if isinstance(bias_init, str):
        biases = draw(bias_init, rng, nin, nout, (nout,))
    else:
        biases = np.full(nout, bias_init)
    return weights, biases


def _width(n):
    return f"{n:,}" if n < 10**15 else f"about 10^{len(str(n)) - 1}"


def generator(seed=None, rng=None):
    """A numpy Generator of the model's own: from `rng` if given, else seeded by `seed` (an int),
    or `seed` itself when it is a Generator, as numpy's default_rng takes one."""
    if rng is not None:
        if not isinstance(rng, np.random.Generator):
            raise TypeError(f"rng: expected a numpy.random.Generator, got {type(rng).__name__}")
        if seed is not None:
            raise ValueError("give seed or rng, not both")
        return rng
    if isinstance(seed, np.random.Generator):  # as numpy's default_rng(generator): that generator, drawn from
        return seed
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, numbers.Integral)):
        raise TypeError(f"seed: expected an int, None or a numpy.random.Generator, got {type(seed).__name__} "
                        f"{seed!r:.40}")
    if seed is not None and seed < 0:  # numpy's own message names no argument
        raise ValueError(f"seed: expected an int >= 0 or None, got {seed}")
    return np.random.default_rng(seed)
