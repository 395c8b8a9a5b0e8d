"""Grad mode per thread and per asyncio task (contextvars), as PyTorch's is (#13 item 1)."""

import asyncio
import threading

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
