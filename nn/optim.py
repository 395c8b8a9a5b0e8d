"""Optimizers. Each writes its update rule ONCE, on arrays, in `update(theta, grad)`.

`step()` gathers the parameters' data and grads into two vectors θ and g, calls
`update(θ, g)` and writes θ back. A faster path that keeps every parameter in one flat
numpy vector (e.g. a compiled graph) calls `checked_update(θ, g)` directly, with the same
state, so the scalar and the fast path cannot drift apart. Either commits θ and the
optimizer's state together or not at all.

    SGD    v ← μ v + (g + λ θ);   θ ← θ - η v               (μ = 0: θ ← θ - η (g + λ θ))
    Adam   m ← β1 m + (1 - β1) g;  v ← β2 v + (1 - β2) g²;
           θ ← θ - η m̂ / (√v̂ + ε),  m̂ = m / (1 - β1^t),  v̂ = v / (1 - β2^t)
"""

import itertools
import math
import numbers
import operator

import numpy as np

from autograd import Value
from autograd.checks import all_finite_vector

from .data import finite_number


def _hyper(x, name, low=0.0, inclusive=True, high=None):
    """A finite hyper-parameter in [low, high) (or (low, ...) when not inclusive), else a clear error.

    The number itself goes through nn's one check of a number (finite_number), which names
    the argument; the range is the optimizer's own rule."""
    expected = f"in [{low:g}, {high:g})" if high is not None else f"{'>=' if inclusive else '>'} {low:g}"
    try:
        x = finite_number(x, name)
    except ValueError as error:  # nan, ±inf, an int too large for a float
        raise ValueError(f"{error} ({name} must be {expected})") from None
    if x < low or (x == low and not inclusive) or (high is not None and x >= high):
        raise ValueError(f"{name} must be {expected}, got {x}")
    return x


class _Setting:
    """A hyper-parameter checked on every assignment, at construction and after (as lr is): a
    nan momentum set later would otherwise reach every weight at the next step, silently."""

    def __init__(self, what, **bounds):
        self.what, self.bounds = what, bounds

    def __set_name__(self, owner, name):
        self.slot = "_" + name

    def __get__(self, optimizer, owner=None):
        return self if optimizer is None else getattr(optimizer, self.slot)

    def __set__(self, optimizer, value):
        setattr(optimizer, self.slot, _hyper(value, f"{type(optimizer).__name__} {self.what}", **self.bounds))


class _Betas:
    """Adam's (β1, β2), each checked on every assignment; kept as a tuple."""

    def __get__(self, optimizer, owner=None):
        return self if optimizer is None else optimizer._betas

    def __set__(self, optimizer, betas):
        who = type(optimizer).__name__
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise TypeError(f"{who} betas: expected a pair (β1, β2), got {betas!r:.40}")
        optimizer._betas = (_hyper(betas[0], f"{who} β1 (betas[0])", high=1.0),
                            _hyper(betas[1], f"{who} β2 (betas[1])", high=1.0))


class Optimizer:
    """Holds the parameters (Values) and the learning rate η; subclasses define `update`."""

    # What `update` changes besides θ, declared by a class for a cheap snapshot. Only the class
    # that declares it uses it (a subclass may keep state of its own); any other class has
    # everything in vars(self) copied.
    STATE = ()

    def __init__(self, params, lr):
        self.params = _parameters(params, type(self).__name__)
        self.lr = lr
        self.steps = 0

    lr = _Setting("learning rate lr", inclusive=False)

    def zero_grad(self):
        """Set every parameter's .grad to 0 (gradients accumulate across backward calls)."""
        for p in self.params:
            p.grad = 0.0

    def step(self):
        """θ ← update(θ, ∂C/∂θ) for the Values, using the grads that backward() left in them.

        The Values are part of the same all-or-nothing commit as the optimizer's state."""
        before = [p.data for p in self.params]
        theta = np.array(before, dtype=float)
        grads = [p.grad for p in self.params]
        if not all(map(float.__instancecheck__, grads)):  # SPEED: in C; backward leaves floats
            # backward(create_graph=True) leaves Values: the step takes their numbers, as torch's
            # step takes .grad's data
            grads = [g.data if isinstance(g, Value) else g for g in grads]
            self._check_grads(grads)  # numpy would take None as nan and say "could not convert" for 'x'
        grad = np.array(grads, dtype=float)
        state = self._state()
        try:
            self.checked_update(theta, grad, frozen=frozen_positions(self.params))
            for p, value in zip(self.params, theta.tolist()):
                p.data = value
        except BaseException:
            for p, value in zip(self.params, before):
                p.data = value
            self._restore(state)
            raise

    def checked_update(self, theta, grad, *, quiet=False, before=None, frozen=None):
        """`update(θ, g)` as one transaction: θ and the optimizer's state (momentum, Adam's m, v,
        t) change together or not at all. Refused when a parameter would stop being finite
        (FloatingPointError names it), and undone when anything interrupts it (an error, a
        KeyboardInterrupt). Every path of training steps through here, so a diverging fit keeps
        the weights of its last good step whichever path ran it.

        quiet=True: the caller already has numpy's warnings off (np.errstate(all="ignore"), as
        nn.fit's epoch loop does); entering errstate again costs more than the update itself.
        before: an array like θ that holds θ's copy meanwhile (a training loop's own buffer, so
        that no update allocates one). A quiet caller (nn.fit's epoch loop) also promises θ
        and g are its own float vectors of the right length: the check is left out per batch.
        frozen: the positions of parameters that do not require grad (`frozen_positions`), or
        None: they keep their values, as PyTorch's optimizers skip them (no weight decay, no
        momentum moves them)."""
        if not quiet:
            self._arrays(theta, grad)
        if before is None:
            before = theta.copy()
        else:
            np.copyto(before, theta)
        state = self._state()
        try:
            if quiet:
                finite = self._updated(theta, grad, before, frozen)
            else:
                with np.errstate(all="ignore"):  # checked just below, by parameter name
                    finite = self._updated(theta, grad, before, frozen)
            if not finite:
                raise self._refused(theta, grad, before)
        except BaseException:
            np.copyto(theta, before)
            self._restore(state)
            raise

    def _updated(self, theta, grad, before, frozen):
        """update(θ, g), the frozen parameters put back; whether θ is finite."""
        self.update(theta, grad)
        if frozen is not None:
            theta[frozen] = before[frozen]
        return all_finite_vector(theta)

    def _state(self):
        """A copy of everything `update` may change (arrays copied: update changes them in place)."""
        names = type(self).__dict__.get("STATE") or list(vars(self))
        return {name: _copied(getattr(self, name)) for name in names}

    def _restore(self, state):
        vars(self).update(state)

    def _refused(self, theta, grad, before):
        """The error for a step that made θ_k not finite, saying why: θ_k was not finite
        already, or its gradient is not, or else the step overflowed (the learning rate)."""
        k = int(np.flatnonzero(~np.isfinite(theta))[0])
        who = f"{type(self).__name__}.step: parameter {self.params[k].label or k!r}"
        if not np.isfinite(before[k]):
            return FloatingPointError(f"{who} is {before[k]} already, before this step; the step is refused "
                                      f"(set it to a finite number, or reload the model)")
        if not np.isfinite(grad[k]):
            return FloatingPointError(f"{who} has the gradient {grad[k]}, which is not finite; the step is refused")
        return FloatingPointError(f"{who} would become {theta[k]} (grad {grad[k]:.6g}); lower the learning rate")

    def _check_grads(self, grads):
        """A TypeError naming the first parameter whose .grad is not a real number (a str, None,
        a bool), a ValueError for an int too large for a float."""
        for k, g in enumerate(grads):
            who = f"{type(self).__name__}.step: parameter {self.params[k].label or k!r}"
            if isinstance(g, (bool, np.bool_)) or not isinstance(g, numbers.Real):
                raise TypeError(f"{who} has .grad {type(g).__name__} {g!r:.40}; expected a number "
                                f"(backward leaves one; zero_grad() resets it)")
            if isinstance(g, numbers.Integral):
                finite_number(g, f"{who} .grad")

    def _arrays(self, theta, grad):
        """θ and g as update takes them, float vectors of one number per parameter: a list or
        a wrong shape fails here by name, not inside numpy."""
        for name, array in (("theta", theta), ("grad", grad)):
            if not isinstance(array, np.ndarray) or array.dtype.kind != "f":
                kind = f"an array of {array.dtype}" if isinstance(array, np.ndarray) else type(array).__name__
                raise TypeError(f"{type(self).__name__}.checked_update: {name} must be a numpy array of "
                                f"floats, got {kind}")
            if array.shape != (len(self.params),):
                raise ValueError(f"{type(self).__name__}.checked_update: {name} has shape {array.shape}; "
                                 f"expected ({len(self.params)},), one number per parameter")

    def update(self, theta, grad):
        """Apply one update to the flat vector θ in place, given the gradient g = ∂C/∂θ."""
        raise NotImplementedError

    def _check(self, theta, grad):
        if theta.shape != grad.shape or theta.ndim != 1:
            raise ValueError(f"{type(self).__name__}.update: theta {theta.shape} and grad {grad.shape} "
                             f"must be vectors of the same length")
        if len(theta) != len(self.params):
            raise ValueError(f"{type(self).__name__}.update: {len(theta)} numbers for "
                             f"{len(self.params)} parameters")


class SGD(Optimizer):
    """Stochastic gradient descent, θ ← θ - η g, with optional momentum μ and weight decay λ."""

    STATE = ("velocity", "steps")
    momentum = _Setting("momentum", high=1.0)
    weight_decay = _Setting("weight_decay")

    def __init__(self, params, lr, momentum=0.0, weight_decay=0.0):
        super().__init__(params, lr)
        self.momentum, self.weight_decay = momentum, weight_decay
        self.velocity = None

    def update(self, theta, grad):
        self._check(theta, grad)
        if self.weight_decay:
            grad = grad + self.weight_decay * theta
        if self.momentum:
            if self.velocity is None:
                self.velocity = grad.copy()  # PyTorch's convention: the first step is plain SGD
            else:
                self.velocity *= self.momentum
                self.velocity += grad
            grad = self.velocity
        theta -= self.lr * grad
        self.steps += 1

    def __repr__(self):
        return (f"SGD(lr={self.lr:g}, momentum={self.momentum:g}, weight_decay={self.weight_decay:g}, "
                f"{len(self.params)} parameters)")


class Adam(Optimizer):
    """Adam (Kingma & Ba): per-parameter steps from running means of g and g²."""

    STATE = ("m", "v", "t", "steps")
    betas = _Betas()
    eps = _Setting("eps", inclusive=False)
    weight_decay = _Setting("weight_decay")

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        super().__init__(params, lr)
        self.betas, self.eps, self.weight_decay = betas, eps, weight_decay
        self.m = self.v = None
        self.t = 0

    def update(self, theta, grad):
        self._check(theta, grad)
        beta1, beta2 = self.betas
        if self.weight_decay:
            grad = grad + self.weight_decay * theta
        if self.m is None:
            self.m, self.v = np.zeros_like(theta), np.zeros_like(theta)
        self.t += 1
        self.m *= beta1
        self.m += (1.0 - beta1) * grad
        self.v *= beta2
        self.v += (1.0 - beta2) * grad * grad
        m_hat = self.m / (1.0 - beta1 ** self.t)
        v_hat = self.v / (1.0 - beta2 ** self.t)
        theta -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)
        self.steps += 1

    def __repr__(self):
        return (f"Adam(lr={self.lr:g}, betas={self.betas}, eps={self.eps:g}, "
                f"weight_decay={self.weight_decay:g}, {len(self.params)} parameters)")


def frozen_positions(params):
    """The positions of the parameters that do not require grad, or None when every one does."""
    if all(map(_requires_grad, params)):  # in C: the common case, none frozen
        return None
    return np.array([k for k, p in enumerate(params) if not p.requires_grad], dtype=np.intp)


def all_frozen(params):
    """Whether no parameter requires grad (in C, stopping at the first that does)."""
    return not any(map(_requires_grad, params))


_requires_grad = operator.attrgetter("requires_grad")


def _copied(value):
    return value.copy() if type(value) is np.ndarray else value


def _parameters(params, who):
    if hasattr(params, "parameters") and callable(params.parameters):
        raise TypeError(f"{who}: pass model.parameters(), not the model itself")
    params = list(params)
    if not params:
        raise ValueError(f"{who}: got an empty parameter list; expected model.parameters()")
    if not all(map(isinstance, params, itertools.repeat(Value))):  # in C: a model has many parameters
        i, p = next((i, p) for i, p in enumerate(params) if not isinstance(p, Value))
        raise TypeError(f"{who}: parameter {i} is a {type(p).__name__}, expected an autograd.Value")
    if len(set(params)) != len(params):  # a Value hashes and compares by identity
        raise ValueError(f"{who}: a parameter is listed twice; each must appear once")
    return params
