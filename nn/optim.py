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

    @property
    def lr(self):
        return self._lr

    @lr.setter
    def lr(self, lr):
        self._lr = _hyper(lr, f"{type(self).__name__} learning rate lr", inclusive=False)

    def zero_grad(self):
        """Set every parameter's .grad to 0 (gradients accumulate across backward calls)."""
        for p in self.params:
            p.grad = 0.0

    def step(self):
        """θ ← update(θ, ∂C/∂θ) for the Values, using the grads that backward() left in them.

        The Values are part of the same all-or-nothing commit as the optimizer's state."""
        before = [p.data for p in self.params]
        theta = np.array(before, dtype=float)
        grad = np.fromiter((p.grad for p in self.params), dtype=float, count=len(self.params))
        state = self._state()
        try:
            self.checked_update(theta, grad)
            for p, value in zip(self.params, theta.tolist()):
                p.data = value
        except BaseException:
            for p, value in zip(self.params, before):
                p.data = value
            self._restore(state)
            raise

    def checked_update(self, theta, grad, *, quiet=False, before=None):
        """`update(θ, g)` as one transaction: θ and the optimizer's state (momentum, Adam's m, v,
        t) change together or not at all. Refused when a parameter would stop being finite
        (FloatingPointError names it), and undone when anything interrupts it (an error, a
        KeyboardInterrupt). Every path of training steps through here, so a diverging fit keeps
        the weights of its last good step whichever path ran it.

        quiet=True: the caller already has numpy's warnings off (np.errstate(all="ignore"), as
        nn.fit's epoch loop does); entering errstate again costs more than the update itself.
        before: an array like θ that holds θ's copy meanwhile (a training loop's own buffer, so
        that no update allocates one)."""
        if before is None:
            before = theta.copy()
        else:
            np.copyto(before, theta)
        state = self._state()
        try:
            if quiet:
                self.update(theta, grad)
                finite = all_finite_vector(theta)
            else:
                with np.errstate(all="ignore"):  # checked just below, by parameter name
                    self.update(theta, grad)
                    finite = all_finite_vector(theta)
            if not finite:
                raise self._refused(theta, grad)
        except BaseException:
            np.copyto(theta, before)
            self._restore(state)
            raise

    def _state(self):
        """A copy of everything `update` may change (arrays copied: update changes them in place)."""
        names = type(self).__dict__.get("STATE") or list(vars(self))
        return {name: _copied(getattr(self, name)) for name in names}

    def _restore(self, state):
        vars(self).update(state)

    def _refused(self, theta, grad):
        k = int(np.flatnonzero(~np.isfinite(theta))[0])
        p = self.params[k]
        return FloatingPointError(f"{type(self).__name__}.step: parameter {p.label or k!r} would "
                                  f"become {theta[k]} (grad {grad[k]:.6g}); lower the learning rate")

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

    def __init__(self, params, lr, momentum=0.0, weight_decay=0.0):
        super().__init__(params, lr)
        self.momentum = _hyper(momentum, "SGD momentum", high=1.0)
        self.weight_decay = _hyper(weight_decay, "SGD weight_decay")
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

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        super().__init__(params, lr)
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise TypeError(f"Adam betas: expected a pair (β1, β2), got {betas!r:.40}")
        self.betas = (_hyper(betas[0], "Adam β1 (betas[0])", high=1.0),
                      _hyper(betas[1], "Adam β2 (betas[1])", high=1.0))
        self.eps = _hyper(eps, "Adam eps", inclusive=False)
        self.weight_decay = _hyper(weight_decay, "Adam weight_decay")
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
