"""Optimizers. Each writes its update rule ONCE, on arrays, in `update(theta, grad)`.

`step()` gathers the parameters' data and grads into two vectors θ and g, calls
`update(θ, g)` and writes θ back. A faster path that keeps every parameter in one flat
numpy vector (e.g. a compiled graph) calls `checked_update(θ, g)` directly, with the same
state, so the scalar and the fast path cannot drift apart. Either commits θ and the
optimizer's state together or not at all.

    SGD    d = g + λ θ;  v ← μ v + (1 - τ) d  (v ← d on a parameter's first step);
           θ ← θ - η v, or with Nesterov θ ← θ - η (d + μ v)       (μ = 0: θ ← θ - η d)
    Adam   g ← g + λ θ;  m ← β1 m + (1 - β1) g;  v ← β2 v + (1 - β2) g²;
           θ ← θ - η m̂ / (√v̂ + ε),  m̂ = m / (1 - β1^t),  v̂ = v / (1 - β2^t)
    AdamW  θ ← (1 - η λ) θ, then Adam's step with λ = 0 (decoupled weight decay)

A frozen parameter (requires_grad False) is skipped as PyTorch skips one whose .grad is
None: its θ, momentum, m, v and step count t stay as they are, so after it is unfrozen it
goes on as torch's would (its momentum starts fresh, its t counts its own steps).

`state_dict()` and `load_state_dict(d)` save and restore the settings and that state as
plain numbers, in torch.optim's shape, so that a run resumed from a checkpoint takes the very
steps, bit for bit, that the uninterrupted run takes.
"""

import collections.abc
import itertools
import numbers
import operator

import numpy as np

from autograd import Value, enable_grad
from autograd.checks import all_finite_vector, as_flag, foreign_value

from .data import finite_number
from .checkpoint import Checkpointed


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
        value = _hyper(value, f"{type(optimizer).__name__} {self.what}", **self.bounds)
        optimizer._check_together(self.slot[1:], value)
        setattr(optimizer, self.slot, value)


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


class Optimizer(Checkpointed):
    """Holds the parameters (Values) and the learning rate η; subclasses define `update`.
    `state_dict()` and `load_state_dict()` come from nn.checkpoint."""

    # What `update` changes besides θ, declared by a class for a cheap snapshot. Only the class
    # that declares it uses it (a subclass may keep state of its own); any other class has
    # everything in vars(self) copied.
    STATE = ()
    # The settings state_dict saves, in the order load_state_dict sets them (SGD's nesterov
    # after the momentum and dampening it is checked against).
    SETTINGS = ("lr",)

    def __init__(self, params, lr):
        self.params = _parameters(params, type(self).__name__)
        self.lr = lr
        self.steps = 0

    lr = _Setting("learning rate lr")  # 0 allowed: a warm-up schedule starts there

    @property
    def param_groups(self):
        """torch.optim's list of parameter groups: here always one, a live view of the settings,
        so that a schedule written for torch (`for g in opt.param_groups: g["lr"] *= 0.5`)
        sets lr, checked as `opt.lr = ...` is."""
        return [ParamGroup(self)]

    def _check_together(self, name, value):
        """Hook: refuse `name = value` when it breaks a rule between settings (SGD's Nesterov)."""

    def zero_grad(self, set_to_none=True):
        """Set every parameter's .grad to 0 (gradients accumulate across backward calls).

        set_to_none is taken as torch.optim takes it, but a .grad here is always a number, so
        it is 0.0 either way (torch's zero_grad(set_to_none=False))."""
        as_flag(set_to_none, f"{type(self).__name__}.zero_grad(set_to_none)")
        for p in self.params:
            p.grad = 0.0

    def step(self, closure=None):
        """θ ← update(θ, ∂C/∂θ) for the Values, using the grads that backward() left in them.

        closure: as torch.optim's, a function that re-evaluates the loss (zero_grad, forward,
        backward) and returns it; it is called first, with gradients on, and step returns
        what it returned (else None). The Values are part of the same all-or-nothing commit
        as the optimizer's state."""
        loss = None
        if closure is not None:
            if not callable(closure):
                raise TypeError(f"{type(self).__name__}.step: closure must be a function that "
                                f"returns the loss, got {type(closure).__name__}")
            with enable_grad():
                loss = closure()
        self._step_values()
        return loss

    def _step_values(self):
        before = [p.data for p in self.params]
        theta = np.array(before, dtype=float)
        grads = [p.grad for p in self.params]
        frozen = frozen_positions(self.params)
        if not all(map(float.__instancecheck__, grads)):  # SPEED: in C; backward leaves floats
            # backward(create_graph=True) leaves Values: the step takes their numbers, as torch's
            # step takes .grad's data
            grads = [g.data if isinstance(g, Value) else g for g in grads]
            frozen = _with_no_gradient(frozen, grads)
            grads = [0.0 if g is None else g for g in grads]
            self._check_grads(grads)  # numpy would take a str for a number, or say "could not convert"
        grad = np.array(grads, dtype=float)
        state = self._state()
        try:
            self.checked_update(theta, grad, frozen=frozen)
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
        None: they keep their values and their entries of the state (momentum, m, v, t), as
        PyTorch's optimizers skip a parameter whose .grad is None."""
        if not quiet:
            self._arrays(theta, grad)
        if before is None:
            before = theta.copy()
        else:
            before[...] = theta  # np.copyto's Python-level dispatch costs as much as the copy here
        state = self._state()
        try:
            if quiet:
                finite = self._updated(theta, grad, before, frozen, state)
            else:
                with np.errstate(all="ignore"):  # checked just below, by parameter name
                    finite = self._updated(theta, grad, before, frozen, state)
            if not finite:
                raise self._refused(theta, grad, before)
        except BaseException:
            np.copyto(theta, before)
            self._restore(state)
            raise

    def _updated(self, theta, grad, before, frozen, state):
        """update(θ, g), the frozen parameters' θ and state put back; whether θ is finite.

        state: the snapshot taken before the update. Any state array with one entry per
        parameter (SGD's velocity and t, Adam's m, v and t) gets a frozen parameter's entries
        back; an array this update created gets 0 there, the state of a parameter that has
        not stepped yet."""
        if frozen is None:
            self.update(theta, grad)
        else:
            self._count_per_parameter()
            self.update(theta, grad)
            theta[frozen] = before[frozen]
            for name, old in state.items():
                new = getattr(self, name)
                if type(new) is np.ndarray and new.shape == theta.shape:
                    new[frozen] = 0 if old is None else old[frozen] if type(old) is np.ndarray else old
        return all_finite_vector(theta)

    def _count_per_parameter(self):
        """Hook, before a step that skips frozen parameters: a step count kept as one number
        becomes one per parameter, since from now on they can differ."""

    def _state(self):
        """A copy of everything `update` may change (arrays copied: update changes them in place)."""
        attributes = vars(self)  # what update changes is plain attributes, never a setting's property
        names = type(self).__dict__.get("STATE") or list(attributes)
        return {name: _copied(attributes[name]) for name in names}

    def _restore(self, state):
        vars(self).update(state)

    def _refused(self, theta, grad, before):
        """The error for a step that made θ_k not finite, saying why: θ_k was not finite
        already, or its gradient is not, or else the step overflowed (the learning rate)."""
        k = int(np.flatnonzero(~np.isfinite(theta))[0])
        who = self._who(k)
        if not np.isfinite(before[k]):
            return FloatingPointError(f"{who} is {before[k]} already, before this step; the step is refused "
                                      f"(set it to a finite number, or reload the model)")
        if not np.isfinite(grad[k]):
            return FloatingPointError(f"{who} has the gradient {grad[k]}, which is not finite; the step is refused")
        return FloatingPointError(f"{who} would become {theta[k]} (grad {grad[k]:.6g}); lower the learning rate")

    def _who(self, k):
        return f"{type(self).__name__}.step: parameter {self.params[k].label or k!r}"

    def _check_grads(self, grads):
        """A TypeError naming the first parameter whose .grad is not a real number (a str, None,
        a bool), a ValueError for an int too large for a float."""
        for k, g in enumerate(grads):
            who = self._who(k)
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
    """Stochastic gradient descent, θ ← θ - η g, with optional momentum μ (dampening τ,
    Nesterov) and weight decay λ, as torch.optim.SGD.

    A parameter is skipped only when frozen (requires_grad False). One outside the loss's
    graph still gets .grad 0.0 from backward (a .grad here is a number, never None), so weight
    decay and momentum move it, as torch's do after zero_grad(set_to_none=False)."""

    STATE = ("velocity", "t", "steps")
    SETTINGS = ("lr", "momentum", "dampening", "weight_decay", "nesterov")
    momentum = _Setting("momentum")
    dampening = _Setting("dampening")
    weight_decay = _Setting("weight_decay")

    def __init__(self, params, lr=1e-3, momentum=0.0, *, dampening=0.0, weight_decay=0.0, nesterov=False,
                 **torch_options):
        _refuse_torch_options(self, torch_options, SGD_TORCH_DEFAULTS)
        super().__init__(params, lr)
        self.momentum, self.dampening, self.weight_decay = momentum, dampening, weight_decay
        self.nesterov = nesterov
        self.velocity = None
        self.t = 0  # momentum steps taken: one int for all, or one per parameter once one was frozen

    @property
    def nesterov(self):
        return self._nesterov

    @nesterov.setter
    def nesterov(self, on):
        on = as_flag(on, "SGD nesterov")
        self._check_together("nesterov", on)
        self._nesterov = on

    def _check_together(self, name, value):
        """PyTorch's rule: Nesterov momentum needs a momentum μ > 0 and no dampening."""
        settings = {"momentum": getattr(self, "_momentum", 0.0), "dampening": getattr(self, "_dampening", 0.0),
                    "nesterov": getattr(self, "_nesterov", False), name: value}
        if settings["nesterov"] and (settings["momentum"] <= 0 or settings["dampening"] != 0):
            raise ValueError(f"SGD {name}={value}: Nesterov momentum needs momentum > 0 and dampening 0, "
                             f"got momentum={settings['momentum']}, dampening={settings['dampening']}")

    def _count_per_parameter(self):
        self.t = _each(self.t, len(self.params))

    def update(self, theta, grad):
        self._check(theta, grad)
        if self.weight_decay:
            grad = grad + self.weight_decay * theta
        if self.momentum:
            self._step_velocity(grad)
            grad = grad + self.momentum * self.velocity if self.nesterov else self.velocity
        theta -= self.lr * grad
        self.steps += 1

    def _step_velocity(self, d):
        """v ← μ v + (1 - τ) d; on a parameter's first momentum step v ← d (PyTorch's buffer)."""
        if self.velocity is None:
            self.velocity = d.copy()
        else:
            self.velocity *= self.momentum
            self.velocity += (1.0 - self.dampening) * d if self.dampening else d
            if type(self.t) is np.ndarray:  # counts per parameter: one frozen until now starts here
                fresh = self.t == 0
                self.velocity[fresh] = d[fresh]
        self.t += 1

    def __repr__(self):
        return (f"SGD(lr={self.lr:g}, momentum={self.momentum:g}, dampening={self.dampening:g}, "
                f"weight_decay={self.weight_decay:g}, nesterov={self.nesterov}, {len(self.params)} parameters)")


class Adam(Optimizer):
    """Adam (Kingma & Ba): per-parameter steps from running means of g and g², as torch.optim.Adam.

    t counts each parameter's own steps (one int while they are all equal, an array once one
    was frozen), as torch keeps a step per parameter for the bias corrections. A parameter
    outside the loss's graph still gets .grad 0.0 (never None here), so it takes a step:
    torch's Adam after zero_grad(set_to_none=False) does the same."""

    STATE = ("m", "v", "t", "steps")
    SETTINGS = ("lr", "betas", "eps", "weight_decay")
    betas = _Betas()
    eps = _Setting("eps")
    weight_decay = _Setting("weight_decay")

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, **torch_options):
        _refuse_torch_options(self, torch_options, ADAM_TORCH_DEFAULTS)
        super().__init__(params, lr)
        self.betas, self.eps, self.weight_decay = betas, eps, weight_decay
        self.m = self.v = None
        self.t = 0

    def _count_per_parameter(self):
        self.t = _each(self.t, len(self.params))

    def update(self, theta, grad):
        self._check(theta, grad)
        if self.weight_decay:
            grad = grad + self.weight_decay * theta
        self._adam(theta, grad)

    def _adam(self, theta, grad):
        beta1, beta2 = self.betas
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

    def _check_entry(self, entry, where):
        """v is a running mean of g², never below 0 (√v̂ would be nan)."""
        if entry["v"] < 0:
            raise ValueError(f"{where}['v']: v, a running mean of g², cannot be below 0, got {entry['v']}")

    def _refused(self, theta, grad, before):
        """With ε = 0, a parameter whose gradient has been 0 at every step is 0/0 (torch's nan)."""
        k = int(np.flatnonzero(~np.isfinite(theta))[0])
        if self.eps == 0 and np.isfinite(before[k]) and self.v[k] == 0:
            return FloatingPointError(f"{self._who(k)} would become nan: with eps 0, m̂ / √v̂ is 0/0 while "
                                      f"its gradient has been 0 at every step; use eps > 0")
        return super()._refused(theta, grad, before)

    def __repr__(self):
        return (f"{type(self).__name__}(lr={self.lr:g}, betas={self.betas}, eps={self.eps:g}, "
                f"weight_decay={self.weight_decay:g}, {len(self.params)} parameters)")


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter), as torch.optim.AdamW:
    θ ← (1 - η λ) θ, then Adam's step on g alone (λ stays out of m and v). λ = 0.01 by default."""

    STATE = Adam.STATE

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01, **torch_options):
        _refuse_torch_options(self, torch_options, ADAMW_TORCH_DEFAULTS)
        super().__init__(params, lr, betas, eps, weight_decay)

    def update(self, theta, grad):
        self._check(theta, grad)
        if self.weight_decay:
            theta *= 1.0 - self.lr * self.weight_decay
        self._adam(theta, grad)


# torch.optim's other arguments, at their defaults: code written for torch may spell them out
SGD_TORCH_DEFAULTS = {"maximize": False, "foreach": None, "differentiable": False, "fused": None}
ADAMW_TORCH_DEFAULTS = {**SGD_TORCH_DEFAULTS, "amsgrad": False, "capturable": False}
ADAM_TORCH_DEFAULTS = {**ADAMW_TORCH_DEFAULTS, "decoupled_weight_decay": False}


def _refuse_torch_options(optimizer, options, defaults):
    """A TypeError naming each argument given that is not one of torch's at its default
    (maximize=True, amsgrad=True, a misspelt name): the optimizer would not do what it says."""
    odd = {name: value for name, value in options.items()
           if name not in defaults or value is not defaults[name]}  # False, True and None are singletons
    if odd:
        who = type(optimizer).__name__
        shown = ", ".join(f"{name}={value!r:.40}" for name, value in sorted(odd.items()))
        raise TypeError(f"{who}: {shown} not supported here; it takes {', '.join(type(optimizer).SETTINGS)}, "
                        f"and torch's other arguments ({', '.join(defaults)}) at their defaults")


class ParamGroup(collections.abc.MutableMapping):
    """The one parameter group of an nn optimizer, as torch.optim's param_groups[0]: its settings
    by name ("lr", "momentum", ...) and "params". Setting one sets the optimizer's, through the
    same check; a name the optimizer has no setting for is a KeyError, where torch would keep
    it unread (a "momentum" given to Adam would silently do nothing)."""

    def __init__(self, optimizer):
        self._optimizer = optimizer

    def _names(self):
        return type(self._optimizer).SETTINGS + ("params",)

    def __getitem__(self, name):
        if name == "params":
            return self._optimizer.params
        if name not in self._names():
            raise KeyError(self._unknown(name))
        return getattr(self._optimizer, name)

    def __setitem__(self, name, value):
        if name == "params":
            raise TypeError(f"{type(self._optimizer).__name__}.param_groups[0]['params'] cannot be "
                            f"replaced: build a new optimizer over the parameters")
        if name not in self._names():
            raise KeyError(self._unknown(name))
        setattr(self._optimizer, name, value)

    def __delitem__(self, name):
        raise TypeError(f"{type(self._optimizer).__name__}.param_groups[0]: a setting cannot be deleted "
                        f"({name!r:.40})")

    def __iter__(self):
        return iter(self._names())

    def __len__(self):
        return len(self._names())

    def _unknown(self, name):
        return (f"{type(self._optimizer).__name__}.param_groups[0] has no setting {name!r:.40}; "
                f"its keys are {', '.join(map(repr, self._names()))}")

    def __repr__(self):
        return repr({name: self[name] for name in type(self._optimizer).SETTINGS})


def carries_non_finite(optimizer):
    """Whether `optimizer.update(θ, g)` makes θ_k not finite wherever g_k is not, so that its
    check of θ after the step checks g too: θ - η g, and Adam's m̂ / (√v̂ + ε) (inf / inf and
    inf - inf are nan). nn's own optimizers do; a subclass may clip g anywhere in its step."""
    return type(optimizer) in (SGD, Adam, AdamW)


def frozen_positions(params):
    """The positions of the parameters that do not require grad, or None when every one does."""
    if all(map(_requires_grad, params)):  # in C: the common case, none frozen
        return None
    return np.array([k for k, p in enumerate(params) if not p.requires_grad], dtype=np.intp)


def _with_no_gradient(frozen, grads):
    """The frozen positions and those whose .grad is None (set so by hand: torch's "no gradient
    yet"), which a step skips as torch's does, their θ and state left as they are."""
    none = [k for k, g in enumerate(grads) if g is None]
    if not none:
        return frozen
    return np.union1d(frozen if frozen is not None else np.array([], dtype=np.intp), none).astype(np.intp)


def all_frozen(params):
    """Whether no parameter requires grad (in C, stopping at the first that does)."""
    return not any(map(_requires_grad, params))


_requires_grad = operator.attrgetter("requires_grad")


def _each(count, n):
    """A step count as one count per parameter (an int array of n), from one int for all."""
    return count if type(count) is np.ndarray else np.full(n, count)


def _copied(value):
    return value.copy() if type(value) is np.ndarray else value


def _parameters(params, who):
    """params as a list of distinct leaf Values, in a fixed order, else an error naming the culprit.

    The state (momentum, m, v, t) is kept by position, so the order must be the same in every
    run for a checkpoint to resume: a set's order follows memory addresses, and a dict view is
    refused with it. A parameter must be a leaf, as in torch.optim: step writes its .data, and
    an op node's data is the result of its parents (y = 3x would no longer hold)."""
    if hasattr(params, "parameters") and callable(params.parameters):
        raise TypeError(f"{who}: pass model.parameters(), not the model itself")
    if isinstance(params, Value) or not hasattr(params, "__iter__"):
        raise TypeError(f"{who}: params must be an iterable of Values (model.parameters()), "
                        f"got {type(params).__name__} {params!r:.40}")
    if isinstance(params, _UNORDERED):
        why = ("a set's order follows memory addresses, so it can differ from run to run"
               if isinstance(params, (set, frozenset)) else "a dict's view orders them by how the dict was built")
        raise TypeError(f"{who}: params is a {type(params).__name__}: {why}, and the optimizer keeps its "
                        f"state by position, so a checkpoint would resume into the wrong parameters; "
                        f"pass model.parameters() or a list")
    if isinstance(params, collections.abc.Mapping):  # list() of it would give its keys, the names
        raise TypeError(f"{who}: params is a {type(params).__name__} (of names, as dict(named_parameters()) "
                        f"gives); pass model.parameters(), or list(d.values())")
    params = list(params)
    if not params:
        raise ValueError(f"{who}: got an empty parameter list; expected model.parameters()")
    if all(map(_is_named, params)):  # model.named_parameters(), which torch.optim also takes
        params = [p for _, p in params]
    if not all(map(isinstance, params, itertools.repeat(Value))):  # in C: a model has many parameters
        i, p = next((i, p) for i, p in enumerate(params) if not isinstance(p, Value))
        raise TypeError(f"{who}: parameter {i} is {_not_a_parameter(p, params)}")
    if any(map(_op, params)):  # in C: a leaf's op is ""
        i, p = next((i, p) for i, p in enumerate(params) if p.op)
        name = f"{p.label!r}" if p.label else "(unlabelled)"
        raise ValueError(f"{who}: can't optimize a non-leaf Value: parameter {i} {name} is the result "
                         f"of the op {p.op!r}, computed from its parents, and a step would write over "
                         f"it; optimize the leaves it comes from (model.parameters())")
    if len(set(params)) != len(params):  # a Value hashes and compares by identity
        raise ValueError(f"{who}: a parameter is listed twice; each must appear once")
    return params


def _is_named(p):
    """A (name, Value) pair, as named_parameters() gives."""
    return type(p) is tuple and len(p) == 2 and isinstance(p[0], str) and isinstance(p[1], Value)


def _not_a_parameter(p, params):
    """What a parameter that is no autograd.Value is, and what to pass instead: torch.optim's
    habits (a parameter group, named_parameters()) and another engine's Value (micrograd's,
    which a bare "got Value" would hide) each say so."""
    if isinstance(p, dict):
        return (f"a dict, a parameter group as torch.optim takes it; nn's optimizers have one "
                f"group: pass model.parameters() and the settings, e.g. lr=..., by keyword")
    if _is_named(p):
        j, other = next((j, q) for j, q in enumerate(params) if not _is_named(q))
        return (f"a (name, Value) pair, as named_parameters() gives, but parameter {j} is "
                f"{_not_a_parameter(other, params)}")
    if isinstance(p, list):
        return "a list inside the list; pass one flat list of Values (model.parameters(), or a + b)"
    kind = type(p)
    shown = kind.__name__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__qualname__}"
    what = foreign_value(p) or f"a {shown}"
    return f"{what}, expected an autograd.Value (model.parameters() gives them)"


_op = operator.attrgetter("op")
_UNORDERED = (set, frozenset, collections.abc.KeysView, collections.abc.ValuesView)
