"""Bad input: a clear error of the right Python type whose message names the culprit, never
a silent NaN or inf. And the stable ops (sigmoid, tanh, logsumexp, softmax), which must not
overflow for any finite input."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
from autograd import Value


def assert_names(error, *culprits):
    message = str(error.value)
    for culprit in culprits:
        assert culprit in message, f"the message should name {culprit!r}: {message!r}"


# --- what a Value can hold ----------------------------------------------------------

@pytest.mark.parametrize("bad, type_name", [
    ("3", "str"), (None, "NoneType"), ([1], "list"), (1 + 2j, "complex"), (complex(3, 0), "complex"),
    ((1.0,), "tuple"), (np.array([1.0, 2.0]), "ndarray"), (b"1", "bytes")])
def test_a_value_holds_only_real_numbers(bad, type_name):
    with pytest.raises(TypeError) as error:
        Value(bad)
    assert_names(error, type_name)


def test_a_value_does_not_wrap_a_value():
    with pytest.raises(TypeError) as error:
        Value(Value(1.0))
    assert_names(error, "Value")


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf, np.float64("nan"), np.float32("inf")])
def test_a_value_holds_only_finite_numbers(bad):
    with pytest.raises(ValueError) as error:
        Value(bad)
    assert_names(error, "nan" if math.isnan(bad) else "inf")


def test_the_message_names_the_label_of_the_bad_value():
    with pytest.raises(ValueError) as error:
        Value(math.nan, label="w1")
    assert_names(error, "w1", "nan")


def test_a_label_must_be_a_string():
    with pytest.raises(TypeError) as error:
        Value(1.0, label=3)
    assert_names(error, "label", "int")


@pytest.mark.parametrize("make", [
    lambda x: x + "3", lambda x: x * "3", lambda x: x - None, lambda x: None - x,
    lambda x: x / [1], lambda x: x * (1 + 2j), lambda x: x ** "2", lambda x: "2" ** x, lambda x: x.step("0")])
def test_an_op_with_a_non_number_raises_type_error(make):
    with pytest.raises(TypeError):
        make(Value(2.0, label="x"))


@pytest.mark.parametrize("make", [lambda x: x + math.nan, lambda x: math.inf * x, lambda x: x ** math.nan,
                                  lambda x: math.inf ** x, lambda x: x.step(math.nan)])
def test_an_op_with_a_non_finite_number_raises_value_error(make):
    with pytest.raises(ValueError) as error:
        make(Value(2.0, label="x"))
    assert "nan" in str(error.value) or "inf" in str(error.value)


def test_non_numbers_in_sum_and_dot_raise_type_error():
    with pytest.raises(TypeError) as error:
        autograd.sum([Value(1.0), "2"])
    assert_names(error, "str")
    with pytest.raises(TypeError) as error:
        autograd.dot([Value(1.0)], [None])
    assert_names(error, "NoneType")


# --- domains: the op, the offending value, the node's label ---------------------------

def test_log_of_zero_or_negative():
    for x in (0.0, -1.5):
        with pytest.raises(ValueError) as error:
            Value(x, label="p").log()
        assert_names(error, "log", f"{x:g}", "p")


def test_sqrt_of_negative():
    with pytest.raises(ValueError) as error:
        Value(-2.25, label="variance").sqrt()
    assert_names(error, "sqrt", "-2.25", "variance")
    assert Value(0.0).sqrt().data == 0.0  # the edge of the domain is in it


@pytest.mark.parametrize("divide", [lambda x, d: x / d, lambda x, d: 1.5 / d, lambda x, d: x / d.data])
def test_division_by_zero(divide):
    with pytest.raises(ZeroDivisionError) as error:
        divide(Value(1.5, label="x"), Value(0.0, label="d"))
    assert_names(error, "/", "0")


def test_division_by_zero_names_the_labelled_divisor():
    with pytest.raises(ZeroDivisionError) as error:
        Value(1.5, label="x") / Value(0.0, label="d")
    assert_names(error, "/", "'d'", "'x'", "1.5")


@pytest.mark.parametrize("power, op", [
    (lambda b, e: b ** e.data, "**k"), (lambda b, e: b ** e, "**"), (lambda b, e: b.data ** e, "c**y")])
def test_zero_to_a_negative_power(power, op):
    with pytest.raises(ZeroDivisionError) as error:
        power(Value(0.0, label="b"), Value(-2.0, label="e"))
    assert_names(error, op, "0", "-2")


@pytest.mark.parametrize("power, op", [
    (lambda b, e: b ** e.data, "**k"), (lambda b, e: b ** e, "**"), (lambda b, e: b.data ** e, "c**y")])
def test_negative_base_with_a_non_integer_exponent(power, op):
    with pytest.raises(ValueError) as error:
        power(Value(-8.0, label="b"), Value(0.5, label="e"))
    assert_names(error, op, "-8", "0.5")


def test_power_errors_name_the_labels():
    with pytest.raises(ValueError) as error:
        Value(-8.0, label="b") ** Value(0.5, label="e")
    assert_names(error, "'b'", "'e'")


def test_exp_overflow():
    with pytest.raises(OverflowError) as error:
        Value(710.0, label="t").exp()
    assert_names(error, "exp", "710", "t")
    assert math.isfinite(Value(709.0).exp().data)


@pytest.mark.parametrize("overflow, op", [
    (lambda x: x * x, "*"), (lambda x: x + x, "+"), (lambda x: x - (-x), "-"), (lambda x: x / 1e-300, "/"),
    (lambda x: autograd.sum([x, x]), "sum"), (lambda x: autograd.dot([x], [x]), "dot")])
def test_arithmetic_overflow_is_an_error_not_inf(overflow, op):
    with pytest.raises(OverflowError) as error:
        overflow(Value(1e308, label="big"))
    assert_names(error, op, "1e+308", "big")


@pytest.mark.parametrize("overflow, op", [
    (lambda x: x ** 400, "**k"), (lambda x: 10 ** (x * 40), "c**y"), (lambda x: x ** Value(400.0), "**")])
def test_power_overflow_names_the_op_and_the_value(overflow, op):
    with pytest.raises(OverflowError) as error:
        overflow(Value(10.0, label="t"))
    assert_names(error, op)
    assert "10" in str(error.value) or "400" in str(error.value), str(error.value)


def test_errors_are_raised_under_no_grad_too():
    with autograd.no_grad():
        with pytest.raises(ValueError):
            Value(-1.0).log()
        with pytest.raises(ZeroDivisionError):
            Value(1.0) / 0


# --- stable ops never overflow ------------------------------------------------------

@pytest.mark.parametrize("x", [1000.0, -1000.0, 1e300, -1e300, 710.0, -745.0, 0.0])
def test_sigmoid_and_tanh_never_overflow(x):
    for activation, limit in ((Value.sigmoid, 1.0 if x > 0 else 0.0), (Value.tanh, math.copysign(1.0, x))):
        value = Value(x)
        out = activation(value)
        out.backward()
        assert math.isfinite(out.data) and math.isfinite(value.grad)
        assert 0.0 <= value.grad <= 1.0
        if abs(x) >= 1000:
            assert out.data == limit and value.grad == 0.0


@pytest.mark.parametrize("xs, expected", [
    ([1000.0, -1000.0, 0.0], 1000.0), ([1000.0, 1000.0], 1000.0 + math.log(2)),
    ([-1000.0, -1000.0], -1000.0 + math.log(2)), ([-1000.0], -1000.0), ([1e300, 1.0], 1e300)])
def test_logsumexp_never_overflows(xs, expected):
    values = [Value(x) for x in xs]
    lse = autograd.logsumexp(values)
    assert math.isclose(lse.data, expected, rel_tol=1e-15)
    lse.backward()
    assert all(math.isfinite(v.grad) for v in values)
    assert math.isclose(math.fsum(v.grad for v in values), 1.0, rel_tol=1e-12)


@pytest.mark.parametrize("xs, expected", [
    ([1000.0, -1000.0, 0.0], [1.0, 0.0, 0.0]), ([1000.0, 1000.0], [0.5, 0.5]),
    ([-1000.0, -1000.0], [0.5, 0.5]), ([-1000.0, -999.0], [1 / (1 + math.e), math.e / (1 + math.e)])])
def test_softmax_never_overflows(xs, expected):
    values = [Value(x) for x in xs]
    probabilities = autograd.softmax(values)
    for p, want in zip(probabilities, expected):
        assert math.isclose(p.data, want, rel_tol=1e-12, abs_tol=1e-300)
    for p in probabilities:
        for g in autograd.grad(p, values):
            assert math.isfinite(g)
    (probabilities[0] * 2 + probabilities[-1]).backward()
    assert all(math.isfinite(v.grad) for v in values)


@settings(max_examples=100)
@given(xs=st.lists(st.floats(-20, 20), min_size=1, max_size=6), shift=st.floats(-1000, 1000))
def test_logsumexp_and_softmax_are_shift_invariant_at_large_inputs(xs, shift):
    """lse(x + c) = lse(x) + c and softmax(x + c) = softmax(x), even where e^(x+c) overflows."""
    shifted = [Value(x + shift) for x in xs]
    assert math.isclose(autograd.logsumexp(shifted).data,
                        autograd.logsumexp([Value(x) for x in xs]).data + shift, rel_tol=1e-12, abs_tol=1e-9)
    for p, q in zip(autograd.softmax(shifted), autograd.softmax([Value(x) for x in xs])):
        assert math.isclose(p.data, q.data, rel_tol=1e-9, abs_tol=1e-12)


# --- a gradient that stops being finite during backward -------------------------------

def test_infinite_local_derivative_names_the_node():
    """√x at 0 has the derivative 1/(2√0) = ∞: the error names the sqrt node, not its consumer."""
    x = Value(0.0, label="x")
    r = x.sqrt()
    r.label = "r"
    out = r * 2.0
    out.label = "out"
    with pytest.raises(FloatingPointError) as error:
        out.backward()
    assert_names(error, "'r'", "sqrt")
    assert "'out'" not in str(error.value)


def test_gradient_overflowing_on_the_way_back_names_the_node():
    """ln x at x = 1e-300 is finite, but 1e10 · 1/x overflows during backward."""
    x = Value(1e-300, label="x")
    h = x.log()
    h.label = "h"
    out = h * 1e10
    with pytest.raises(FloatingPointError) as error:
        out.backward()
    assert_names(error, "'h'", "log")


def test_leaf_gradient_summing_to_inf_is_an_error():
    """Two finite contributions whose sum overflows at a leaf: never a silent inf in x.grad."""
    x = Value(1e-300, label="x")
    out = x * 1.5e308 + x * 1.5e308
    assert math.isfinite(out.data)
    with pytest.raises(FloatingPointError) as error:
        out.backward()
    assert_names(error, "x")
    with pytest.raises(FloatingPointError):
        autograd.grad(out, x)


def test_undefined_derivative_is_an_error_not_nan():
    """∂(x^y)/∂y = x^y ln x has no real value for x < 0."""
    x, y = Value(-2.0, label="x"), Value(3.0, label="y")
    z = x ** y
    z.label = "z"
    assert z.data == -8.0
    with pytest.raises(FloatingPointError) as error:
        z.backward()
    assert_names(error, "'z'", "**")


def test_failed_backward_leaves_every_grad_untouched():
    x, w = Value(0.0, label="x"), Value(3.0, label="w")
    out = x.sqrt() * w + w
    nodes = autograd.topological_order(out)
    for i, node in enumerate(nodes):
        node.grad = float(i)
    with pytest.raises(FloatingPointError):
        out.backward()
    assert [node.grad for node in nodes] == [float(i) for i in range(len(nodes))]


def test_an_int_too_large_for_a_float_is_refused_by_name():
    with pytest.raises(ValueError, match="Value: expected a finite number, got an int too large"):
        Value(10 ** 400)
    with pytest.raises(ValueError, match="exponent of \\*\\*"):
        Value(2.0, label="x") ** 10 ** 400


def test_an_unknown_op_name_lists_the_table():
    with pytest.raises(KeyError, match="no op named 'foo'.*tanh"):
        autograd.apply("foo", 1.0)


@pytest.mark.parametrize("op_name, inputs, consts, says", [
    ("*", (1.0, 2.0, 3.0), {}, r"apply\('\*'\): got 3 inputs and no constants, but the op takes \(x, y\)"),
    ("neg", (), {}, r"apply\('neg'\): got 0 inputs and no constants, but the op takes \(x\)"),
    ("**k", (2.0,), {}, r"got 1 input and no constants, but the op takes \(x, k\).*missing.*'k'"),
    ("+", (1.0, 2.0), {"k": 2.0}, r"got 2 inputs and constants k, .*unexpected keyword.*'k'"),
    ("dot", (1.0, 2.0), {}, r"the op takes \(any number of inputs, n\)"),
])
def test_apply_with_the_wrong_inputs_or_constants_names_the_op(op_name, inputs, consts, says):
    with pytest.raises(TypeError, match=says):
        autograd.apply(op_name, *inputs, **consts)


def test_grad_refuses_an_input_that_is_not_a_value():
    x = Value(2.0, label="x")
    with pytest.raises(TypeError, match=r"grad: inputs\[1\] is float"):
        autograd.grad(x * x, [x, 1.0])


def test_a_leaf_has_no_local_derivatives():
    assert autograd.local_derivatives(Value(1.0)) == ()


def test_a_gradient_overflowing_on_the_way_back_is_named_as_such_even_over_old_grads():
    """Every new .grad is checked at once; when the walk itself overflowed, the error names the
    node of the walk (not an accumulation), and the old .grads stay as they were."""
    x = Value(1e-300, label="x")
    h = x.log()
    h.label = "h"
    out = h * 1e10
    nodes = autograd.topological_order(out)
    for i, node in enumerate(nodes):
        node.grad = float(i) + 0.5
    with pytest.raises(FloatingPointError) as error:
        out.backward()
    assert_names(error, "'h'", "log")
    assert "accumulated" not in str(error.value)
    assert [node.grad for node in nodes] == [float(i) + 0.5 for i in range(len(nodes))]


def test_a_constant_whose_grad_was_set_to_inf_by_hand_does_not_stop_backward():
    """A constant's .grad is never written, so whatever it holds cannot make backward fail."""
    x = Value(2.0, label="x")
    out = x * 3.0
    constant = out.parents[1]
    assert not constant.requires_grad
    constant.grad = math.inf
    out.backward()
    assert x.grad == 3.0 and constant.grad == math.inf


@pytest.mark.parametrize("walk", ["gradients", "chain_rule", "zero_grad", "topological_order"])
def test_a_walk_of_something_that_is_not_a_value_is_a_type_error_naming_the_function(walk):
    with pytest.raises(TypeError, match=f"{walk}: expected the Value whose graph to walk, got float 3.0"):
        getattr(autograd, walk)(3.0)


@pytest.mark.parametrize("walk", ["gradients", "chain_rule"])
@pytest.mark.parametrize("seed, error", [("a", TypeError), (None, TypeError), (math.nan, ValueError),
                                         (math.inf, ValueError)])
def test_the_seed_of_a_walk_is_checked_by_name(walk, seed, error):
    y = Value(2.0) * 3.0
    with pytest.raises(error, match=f"{walk} gradient"):
        getattr(autograd, walk)(y, seed)


def test_a_non_finite_term_names_its_input_by_position_and_data():
    """`(input 3)` read as input number 3 of a two-input node: the 3 was the input's data."""
    x, e = Value(-2.0, label="x"), Value(3.0, label="e")
    with pytest.raises(FloatingPointError) as error:
        (x ** e).backward()
    assert str(error.value) == ("backward: non-finite gradient at node (op **, data -8) into 'e' (input 1, data 3): "
                                "∂C/∂z = 1 times local derivative nan gives nan")
    with pytest.raises(FloatingPointError, match=r"\(op \*\*, data -8\) into input 1 \(data 3\): ∂C/∂z = 2 "):
        (Value(-2.0) ** Value(3.0) * 2.0).backward()


def test_a_backward_failure_names_the_labelled_inputs_of_its_node():
    t = Value(1.0, label="t")
    with pytest.raises(FloatingPointError, match=r"local derivative at node \(op asin, data 1\.5708\) is not finite "
                                                 r"\(.*\); inputs: 1 \('t'\)$"):
        t.asin().backward()


def test_apply_names_the_op_and_the_input_that_is_no_number():
    with pytest.raises(TypeError, match=r"^xlogy: input 0: Value: expected a real number .* got str 'a'"):
        autograd.xlogy("a", 1.0)
    with pytest.raises(TypeError, match=r"^maximum: input 1: "):
        autograd.maximum(Value(1.0), None)


def test_a_value_read_twice_by_a_failing_node_is_named_by_the_input_the_term_flows_into():
    """x ** x at x < 0: ∂z/∂(exponent) = z ln x is nan; the message names input 1, the exponent,
    not "inputs 0 and 1" (both places x holds)."""
    x = Value(-2.0, label="x")
    with pytest.raises(FloatingPointError, match=r"into 'x' \(input 1, data -2\): ∂C/∂z = 1 times local derivative nan"):
        (x ** x).backward()
    assert x.grad == 0.0


# --- another engine's Value, from code moved from micrograd -----------------------------------

class _MicrogradValue:
    """micrograd's Value as far as the engine's checks can see it: data, grad, _prev and _op."""

    def __init__(self, data):
        self.data, self.grad, self._prev, self._op = data, 0, set(), ""

    def __repr__(self):
        return f"Value(data={self.data}, grad={self.grad})"  # micrograd's: it reads as ours


_MicrogradValue.__module__, _MicrogradValue.__qualname__ = "micrograd.engine", "Value"


@pytest.mark.parametrize("call", [
    lambda m: autograd.gradients(m), lambda m: autograd.chain_rule(m), lambda m: autograd.zero_grad(m),
    lambda m: autograd.topological_order(m), lambda m: autograd.grad(m, [Value(1.0)]),
    lambda m: autograd.grad(Value(1.0) * 2, [m]), lambda m: autograd.grad(Value(1.0) * 2, m),
    lambda m: autograd.grad([m], [Value(1.0)])])
def test_a_micrograd_value_given_to_the_walkers_is_named_as_another_engines(call):
    """`gradients(micrograd_value)` said "expected the Value ..., got Value Value(data=1.0, grad=0)":
    micrograd's repr reads as ours, so the message must say it is another engine's Value."""
    with pytest.raises(TypeError) as error:
        call(_MicrogradValue(1.0))
    assert_names(error, "a micrograd.engine.Value (another engine's Value", "from autograd import Value")


@pytest.mark.parametrize("name", [3, None, b"tanh", ["tanh"]])
def test_an_op_name_that_is_no_str_is_a_type_error_naming_it(name):
    with pytest.raises(TypeError, match=r"apply: the op's name is a str such as 'tanh', got " + type(name).__name__):
        autograd.apply(name, Value(1.0))


@pytest.mark.parametrize("make", [lambda y: (-2.0) ** y, lambda y: Value(-2.0) ** y], ids=["c**y", "x**y"])
def test_a_negative_base_whose_power_underflows_has_no_slope_in_the_exponent(make):
    """∂(x^y)/∂y = x^y ln x has no value for x < 0, also where x^y underflowed to 0 (torch: nan):
    the shortcut "0 where x^y = 0" is for x > 0 alone, so backward raises as it does at y = -30."""
    for exponent in (-1100.0, -30.0):
        y = Value(exponent, label="y")
        with pytest.raises(FloatingPointError, match="local derivative nan"):
            make(y).backward()
        assert y.grad == 0.0
    y = Value(-1100.0, label="y")
    (2.0 ** y).backward()  # a positive base: the limit 0 of x^y ln x as x^y -> 0
    assert y.grad == 0.0
