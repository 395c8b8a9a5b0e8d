"""Grad mode: whether ops record a graph. Per thread and per asyncio task, as in PyTorch.

    with autograd.no_grad():          # inference: results are leaves, no graph is kept
        prediction = model(x)

    @autograd.no_grad                 # the same, for every call of a function
    def predict(x): ...

The mode lives in a `contextvars.ContextVar`: each thread starts with recording on, and each
asyncio task sees the mode of the code that created it, so one thread's (or task's)
`no_grad` never turns recording off for another.
"""

import contextvars
import functools

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
        @functools.wraps(function)
        def in_mode(*args, **kwargs):
            with type(self)():
                return function(*args, **kwargs)
        return in_mode


class no_grad(_GradMode):
    """Within this block ops record no parents: results are leaves (inference, no graph)."""

    mode = False


class enable_grad(_GradMode):
    """Within this block ops record again, also inside a `no_grad()` block."""

    mode = True
