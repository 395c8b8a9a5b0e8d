"""Grad mode: whether ops record a graph. Per thread and per asyncio task, as in PyTorch.

    with autograd.no_grad():          # inference: results are leaves, no graph is kept
        prediction = model(x)

    @autograd.no_grad                 # the same, for every call of a function
    def predict(x): ...

    autograd.set_grad_enabled(training)   # torch's: a call sets the mode from here on;
    with autograd.set_grad_enabled(False): ...   # in a with block (or as a decorator), only there

The mode lives in a `contextvars.ContextVar`: each thread starts with recording on, and each
asyncio task sees the mode of the code that created it, so one thread's (or task's)
`no_grad` never turns recording off for another.
"""

import contextvars
import functools
import inspect

_enabled = contextvars.ContextVar("autograd_grad_enabled", default=True)


def is_grad_enabled():
    """True when ops record their parents (the default), False inside `no_grad()`."""
    return _enabled.get()


class _GradMode:
    """A context manager and decorator that sets grad mode to `self.mode` while it runs."""

    mode = True

    def __new__(cls, function=None):
        """`no_grad()` is a context manager; `no_grad(f)`, as `@no_grad`, decorates f."""
        self = super().__new__(cls)
        return self if function is None else self(function)

    def __init__(self, function=None):
        self._tokens = []

    def __enter__(self):
        self._tokens.append(_enabled.set(self.mode))
        return self

    def __exit__(self, *exc):
        _enabled.reset(self._tokens.pop())
        return False

    def __call__(self, function):
        """As a decorator: each call runs in its own fresh instance (safe across threads).
        A non-callable is refused here, where it is written (torch returns a wrapper that fails
        only when called, as `3()`, far from the no_grad(3) that made it)."""
        if not callable(function):
            name = type(self).__name__
            raise TypeError(f"{name}: expected a function to decorate (@{name}, {name}(f)) or no argument "
                            f"(with {name}(): ...), got {type(function).__name__} {function!r:.40}")
        return _in_mode(type(self), function)


def _in_mode(mode, function):
    """`function`, each call run inside a fresh `mode()`. A generator function's body runs on each
    next(), after the call has returned: there each step runs in the mode, and the caller's code
    between steps in its own, as torch's decorators do."""
    if inspect.isgeneratorfunction(function):
        @functools.wraps(function)
        def steps_in_mode(*args, **kwargs):
            with mode():
                generator = function(*args, **kwargs)
            return (yield from _each_step_in(mode, generator))
        return steps_in_mode

    @functools.wraps(function)
    def in_mode(*args, **kwargs):
        with mode():
            return function(*args, **kwargs)
    return in_mode


def _each_step_in(mode, generator):
    """yield from `generator`, each send, throw and close of it inside a fresh `mode()`."""
    step, argument = generator.send, None
    while True:
        try:
            with mode():
                response = step(argument)
        except StopIteration as done:
            return done.value
        try:
            step, argument = generator.send, (yield response)
        except GeneratorExit:
            with mode():
                generator.close()
            raise
        except BaseException as error:  # thrown in by the caller: into the body, in the mode
            step, argument = generator.throw, error


class no_grad(_GradMode):
    """Within this block ops record no parents: results are leaves (inference, no graph)."""

    mode = False


class enable_grad(_GradMode):
    """Within this block ops record again, also inside a `no_grad()` block."""

    mode = True


class set_grad_enabled:
    """torch.set_grad_enabled(mode): grad mode on (True) or off (False), mode a bool.

        autograd.set_grad_enabled(False)          # a call: off from here on, in this thread or task
        with autograd.set_grad_enabled(is_train): # a block: `mode` inside, the previous one after
        @autograd.set_grad_enabled(False)         # a decorator: `mode` in each call
    As in torch, the mode is set when the object is made, so that a plain call takes effect;
    leaving a block restores the mode from before it was made."""

    def __init__(self, mode):
        if not isinstance(mode, bool):  # torch refuses 1, None, a numpy bool alike
            raise TypeError(f"set_grad_enabled: mode must be a bool (True records the graph, False "
                            f"does not), got {type(mode).__name__} {mode!r:.40}")
        self.prev, self.mode = _enabled.get(), mode
        _enabled.set(mode)

    def __enter__(self):
        _enabled.set(self.mode)

    def __exit__(self, *exc):
        _enabled.set(self.prev)
        return False

    def __call__(self, function):
        """As a decorator: making it set the mode, which decorating gives back; each call then
        runs in a fresh set_grad_enabled(mode)."""
        _enabled.set(self.prev)
        if not callable(function):
            raise TypeError(f"set_grad_enabled({self.mode}): expected a function to decorate, got "
                            f"{type(function).__name__} {function!r:.40}")
        return _in_mode(lambda: set_grad_enabled(self.mode), function)

    def __repr__(self):
        return f"autograd.set_grad_enabled(mode={self.mode})"
