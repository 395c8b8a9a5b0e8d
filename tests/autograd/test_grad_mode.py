"""Grad mode per thread and per asyncio task (contextvars), as PyTorch's is (#13 item 1)."""

import asyncio
import threading

import numpy as np
import pytest

import autograd
from autograd import Value


def recorded(x):
    return bool((x * 2.0).parents)


def test_no_grad_enable_grad_and_is_grad_enabled_nest():
    x = Value(1.0)
    assert autograd.is_grad_enabled() and recorded(x)
    with autograd.no_grad():
        assert not autograd.is_grad_enabled() and not recorded(x)
        with autograd.enable_grad():
            assert autograd.is_grad_enabled() and recorded(x)
        assert not recorded(x)
    assert autograd.is_grad_enabled() and recorded(x)


def test_no_grad_as_a_decorator_with_or_without_parentheses():
    @autograd.no_grad
    def bare(x):
        return x * 2.0

    @autograd.no_grad()
    def called(x):
        return x * 2.0

    x = Value(1.0)
    assert not bare(x).parents and not called(x).parents and recorded(x)
    assert bare.__name__ == "bare"


def test_no_grad_is_restored_after_an_exception():
    with pytest.raises(ZeroDivisionError):
        with autograd.no_grad():
            Value(1.0) / 0.0
    assert autograd.is_grad_enabled()


def test_two_threads_overlapping_no_grad_blocks_leave_recording_on_everywhere():
    """Thread A enters no_grad, B enters, A leaves, B leaves: a process-wide flag would stay off."""
    a_in, b_in, a_out = threading.Event(), threading.Event(), threading.Event()
    seen = {}

    def a():
        with autograd.no_grad():
            a_in.set()
            b_in.wait(5)
            seen["a inside"] = recorded(Value(1.0))
        a_out.set()
        seen["a after"] = recorded(Value(1.0))

    def b():
        a_in.wait(5)
        with autograd.no_grad():
            b_in.set()
            a_out.wait(5)
            seen["b inside"] = recorded(Value(1.0))
        seen["b after"] = recorded(Value(1.0))

    threads = [threading.Thread(target=a), threading.Thread(target=b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert seen == {"a inside": False, "b inside": False, "a after": True, "b after": True}
    assert recorded(Value(1.0))


def test_a_thread_under_no_grad_does_not_stop_another_thread_recording():
    inside, done = threading.Event(), threading.Event()

    def predict():
        with autograd.no_grad():
            inside.set()
            done.wait(5)

    t = threading.Thread(target=predict)
    t.start()
    inside.wait(5)
    x = Value(3.0)
    y = x * x  # this thread records while the other is inside no_grad
    y.backward()
    done.set()
    t.join(10)
    assert y.parents == (x, x) and x.grad == 6.0


def test_asyncio_tasks_each_have_their_own_grad_mode():
    async def inference(started, release):
        with autograd.no_grad():
            started.set()
            await release.wait()
            return recorded(Value(1.0))

    async def training(started, release):
        await started.wait()
        result = recorded(Value(1.0))  # while the other task sits inside no_grad
        release.set()
        return result

    async def main():
        started, release = asyncio.Event(), asyncio.Event()
        return await asyncio.gather(inference(started, release), training(started, release))

    assert asyncio.run(main()) == [False, True]
    assert autograd.is_grad_enabled()


@pytest.mark.parametrize("mode", [autograd.no_grad, autograd.enable_grad])
@pytest.mark.parametrize("argument", [3, "x", 1.5, [len]])
def test_a_mode_given_something_not_callable_is_a_type_error_naming_it(mode, argument):
    # no_grad(3) returned a wrapper of 3, which failed only when called ("'int' object is not
    # callable"), far from the line that made it.
    name = mode.__name__
    with pytest.raises(TypeError, match=rf"^{name}: expected a function to decorate.*got {type(argument).__name__}"):
        mode(argument)
    with pytest.raises(TypeError, match=rf"^{name}: expected a function"):
        mode()(argument)
    with mode(None):  # no argument, as torch's enable_grad(None): the context manager
        assert autograd.is_grad_enabled() is (name == "enable_grad")


# --- torch's set_grad_enabled, checked against torch itself ----------------------------------

def torch_or_skip():
    from tests.support import require_torch
    require_torch()
    import torch
    return torch


@pytest.fixture
def both():
    """autograd and torch, each left with grad mode on whatever a test set."""
    torch = torch_or_skip()
    yield autograd, torch
    autograd.set_grad_enabled(True)
    torch.set_grad_enabled(True)


def as_a_function_call(m):
    seen = [m.is_grad_enabled()]
    m.set_grad_enabled(False)               # takes effect at once, and stays
    seen.append(m.is_grad_enabled())
    with m.enable_grad():
        seen.append(m.is_grad_enabled())
    seen.append(m.is_grad_enabled())
    m.set_grad_enabled(True)
    seen.append(m.is_grad_enabled())
    return seen


def as_a_context_manager(m):
    seen = []
    with m.set_grad_enabled(False):
        seen.append(m.is_grad_enabled())
        with m.set_grad_enabled(True):
            seen.append(m.is_grad_enabled())
            with m.no_grad():
                seen.append(m.is_grad_enabled())
            seen.append(m.is_grad_enabled())
        seen.append(m.is_grad_enabled())
    seen.append(m.is_grad_enabled())
    with m.no_grad():
        with m.set_grad_enabled(True):
            seen.append(m.is_grad_enabled())
        seen.append(m.is_grad_enabled())
        m.set_grad_enabled(True)            # a call inside no_grad lasts until no_grad ends
        seen.append(m.is_grad_enabled())
    seen.append(m.is_grad_enabled())
    made = m.set_grad_enabled(False)        # made outside a with: already off, as in torch
    seen.append(m.is_grad_enabled())
    m.set_grad_enabled(True)
    with made:                              # entering sets it again; leaving restores the mode
        seen.append(m.is_grad_enabled())    # from before `made` was made
    seen.append(m.is_grad_enabled())
    try:
        with m.set_grad_enabled(False):
            raise KeyError("inside")
    except KeyError:
        seen.append(m.is_grad_enabled())
    return seen


def as_a_decorator(m):
    seen = []

    @m.set_grad_enabled(False)
    def off():
        seen.append(m.is_grad_enabled())
        return "result"

    seen.append(m.is_grad_enabled())         # decorating leaves the mode as it was
    seen.append(off())
    seen.append(m.is_grad_enabled())
    with m.no_grad():
        on = m.set_grad_enabled(True)(lambda: m.is_grad_enabled())
        seen.append(m.is_grad_enabled())
        seen.append(on())
    seen.append(on())
    seen.append(off.__name__)
    return seen


def with_generators(m):
    seen = []

    @m.set_grad_enabled(False)
    def steps():
        got = yield m.is_grad_enabled()
        seen.append(("after send", got, m.is_grad_enabled()))
        try:
            yield m.is_grad_enabled()
        except ValueError:
            seen.append(("thrown in", m.is_grad_enabled()))
            yield "caught"
        return "done"

    @m.no_grad()
    def predictions():
        yield m.is_grad_enabled()
        yield m.is_grad_enabled()

    seen.append(list(predictions()))
    gen = steps()
    seen.append(next(gen))
    seen.append(m.is_grad_enabled())           # between steps: the caller's mode
    seen.append(gen.send("sent"))
    seen.append(gen.throw(ValueError("x")))
    try:
        next(gen)
    except StopIteration as stop:
        seen.append(("returned", stop.value))
    seen.append(m.is_grad_enabled())
    return seen


@pytest.mark.parametrize("scenario", [as_a_function_call, as_a_context_manager, as_a_decorator, with_generators])
def test_set_grad_enabled_is_torchs(both, scenario):
    ours, torch = both
    expected = scenario(torch)
    torch.set_grad_enabled(True)
    assert scenario(ours) == expected
    assert ours.is_grad_enabled() is torch.is_grad_enabled()


def test_set_grad_enabled_records_no_graph_when_off(both):
    x = Value(2.0)
    autograd.set_grad_enabled(False)
    assert not recorded(x) and repr(autograd.set_grad_enabled(False)) == "autograd.set_grad_enabled(mode=False)"
    with autograd.set_grad_enabled(True):
        y = x * x
    assert y.parents == (x, x) and not recorded(x)
    autograd.set_grad_enabled(True)
    assert recorded(x)


@pytest.mark.parametrize("mode", [1, 0, None, "False", 1.0, np.bool_(False)])
def test_set_grad_enabled_takes_a_bool_only_as_torch(both, mode):
    _, torch = both
    with pytest.raises(TypeError):
        torch.set_grad_enabled(mode)
    with pytest.raises(TypeError, match=rf"^set_grad_enabled: mode must be a bool .*got {type(mode).__name__}"):
        autograd.set_grad_enabled(mode)
    assert autograd.is_grad_enabled()  # refused, so unchanged
    with pytest.raises(TypeError, match=r"set_grad_enabled\(False\): expected a function to decorate, got int"):
        autograd.set_grad_enabled(False)(3)
    assert autograd.is_grad_enabled()


def test_set_grad_enabled_in_one_thread_leaves_another_recording(both):
    off, checked = threading.Event(), threading.Event()
    seen = {}

    def inference():
        autograd.set_grad_enabled(False)      # a call, not a block: this thread, from here on
        off.set()
        checked.wait(5)
        seen["inference"] = recorded(Value(1.0))

    t = threading.Thread(target=inference)
    t.start()
    off.wait(5)
    seen["main"] = recorded(Value(1.0))
    checked.set()
    t.join(10)
    assert seen == {"main": True, "inference": False}
    fresh = {}
    t = threading.Thread(target=lambda: fresh.update(on=autograd.is_grad_enabled()))
    autograd.set_grad_enabled(False)
    t.start()
    t.join(10)
    assert fresh == {"on": True}  # a new thread starts with recording on, as in torch


def test_set_grad_enabled_in_a_task_leaves_other_tasks_recording(both):
    async def inference(off, release):
        autograd.set_grad_enabled(False)
        off.set()
        await release.wait()
        return recorded(Value(1.0))

    async def training(off, release):
        await off.wait()
        result = recorded(Value(1.0))
        release.set()
        return result

    async def main():
        off, release = asyncio.Event(), asyncio.Event()
        return await asyncio.gather(inference(off, release), training(off, release))

    assert asyncio.run(main()) == [False, True]
    assert autograd.is_grad_enabled()
