"""`Value` itself: construction, numbers on either side of an operator, the three powers,
identity semantics (`==`, hashing), parents in argument order, op names and labels."""

import math
import re

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd
from autograd import Value


def real(low=-10.0, high=10.0):
    return st.floats(low, high, allow_nan=False, allow_infinity=False)


def nonzero(low=0.1, high=10.0):
    return st.tuples(st.sampled_from([-1.0, 1.0]), real(low, high)).map(lambda t: t[0] * t[1])


# --- construction ---------------------------------------------------------------------

def test_a_new_value_is_a_leaf():
    x = Value(3, label="x")
    assert x.data == 3.0 and type(x.data) is float
    assert x.grad == 0.0 and type(x.grad) is float
    assert x.label == "x" and x.op == "" and x.parents == ()
    assert Value(2.5).label == ""


@pytest.mark.parametrize("number", [np.float64(2.5), np.float32(2.5), np.float16(2.5),
                                    np.int64(3), np.int32(-3), np.int8(7), np.uint16(9)])
def test_numpy_scalars_are_numbers(number):
    x = Value(number)
    assert type(x.data) is float and x.data == float(number)
    y = x * number + number  # and as the plain-number side of an op, on either side
    z = number * x - number
    assert y.data == float(number) ** 2 + float(number) and z.data == float(number) ** 2 - float(number)
    assert isinstance(number + x, Value) and isinstance(number / x, Value)


def test_the_label_is_writable_and_results_start_unlabelled():
    x = Value(1.0, label="x")
    y = x * 2
    assert y.label == ""
    y.label = "y"
    assert y.label == "y"


def test_repr_shows_data_grad_label_and_op():
    y = Value(2.0, label="x") * 3
    y.label = "y"
    text = repr(y)
    assert "6" in text and "'y'" in text and "'*'" in text


# --- arithmetic with plain numbers on either side ---------------------------------------

@given(a=real(), c=real())
def test_plain_numbers_on_either_side(a, c):
    x = Value(a, label="x")
    cases = [  # (node, expected value, expected ∂node/∂x, op name)
        (x + c, a + c, 1.0, "+"), (c + x, c + a, 1.0, "+"),
        (x - c, a - c, 1.0, "-"), (c - x, c - a, -1.0, "-"),
        (x * c, a * c, c, "*"), (c * x, c * a, c, "*"),
        (-x, -a, -1.0, "neg"), (+x, a, 1.0, ""),
    ]
    for node, value, derivative, op in cases:
        assert node.data == value and node.op == op
        assert autograd.grad(node, x) == derivative


@given(a=real(), c=nonzero())
def test_division_by_a_plain_number(a, c):
    x = Value(a, label="x")
    assert (x / c).data == a / c and (x / c).op == "/"
    assert math.isclose(autograd.grad(x / c, x), 1 / c, rel_tol=1e-15)


@given(a=nonzero(), c=real())
def test_a_plain_number_divided_by_a_value(a, c):
    x = Value(a, label="x")
    assert (c / x).data == c / a and (c / x).op == "/"
    assert math.isclose(autograd.grad(c / x, x), -c / a ** 2, rel_tol=1e-12, abs_tol=1e-300)


def test_reflected_ops_put_the_number_first_in_parents():
    x = Value(4.0, label="x")
    for node in (2 - x, 2 / x, 2 + x, 2 * x):
        first, second = node.parents
        assert first.data == 2.0 and first.op == "" and second is x
    for node in (x - 2, x / 2, x + 2, x * 2):
        first, second = node.parents
        assert first is x and second.data == 2.0


@given(a=real(), b=real())
def test_parents_keep_argument_order(a, b):
    x, y = Value(a, label="x"), Value(b, label="y")
    for node in (x + y, x - y, x * y, y + x, y - x):
        assert isinstance(node.parents, tuple) and len(node.parents) == 2
    assert (x - y).parents[0] is x and (x - y).parents[1] is y
    assert (y - x).parents[0] is y and (y - x).parents[1] is x
    assert (x * y).parents[0] is x and (y * x).parents[0] is y
    assert (x + x).parents[0] is x and (x + x).parents[1] is x  # a re-used input appears twice


def test_op_names():
    x, y, half = Value(2.0), Value(3.0), Value(0.5)
    expected = {
        "+": x + y, "-": x - y, "*": x * y, "/": x / y, "neg": -x, "abs": abs(x),
        "**k": x ** 2, "c**y": 2 ** x, "**": x ** y, "sqrt": x.sqrt(), "exp": x.exp(),
        "log": x.log(), "tanh": x.tanh(), "sigmoid": x.sigmoid(), "relu": x.relu(),
        "step": x.step(), "sum": autograd.sum([x, y]), "dot": autograd.dot([x], [y]),
            "dot_data": autograd.dot([x], [3.0]),
        "logsumexp": autograd.logsumexp([x, y]), "softmax": autograd.softmax([x, y])[0],
        "sin": x.sin(), "cos": x.cos(), "tan": x.tan(), "asin": half.asin(), "acos": half.acos(),
        "atan": x.atan(), "sinh": x.sinh(), "cosh": x.cosh(), "asinh": x.asinh(), "acosh": x.acosh(),
        "atanh": half.atanh(), "log1p": x.log1p(), "expm1": x.expm1(), "log2": x.log2(), "log10": x.log10(),
        "maximum": x.maximum(y), "minimum": autograd.minimum(x, 1.0), "xlogy": autograd.apply("xlogy", x, y),
    }
    for name, node in expected.items():
        assert node.op == name
    assert set(expected) == set(autograd.OPS), "an op of the table has no operator or function test here"


# --- the three powers ---------------------------------------------------------------

@given(a=real(0.1, 5.0), b=real(-3.0, 3.0))
def test_value_to_the_power_of_a_value(a, b):
    x, y = Value(a, label="x"), Value(b, label="y")
    z = x ** y
    assert z.op == "**" and z.parents == (x, y) and z.parents[0] is x
    assert z.data == a ** b
    dx, dy = autograd.grad(z, [x, y])
    assert math.isclose(dx, b * a ** (b - 1), rel_tol=1e-12)          # ∂z/∂x = y x^(y-1)
    assert math.isclose(dy, a ** b * math.log(a), rel_tol=1e-12, abs_tol=1e-15)  # ∂z/∂y = x^y ln x
    report = autograd.gradcheck(lambda x, y: x ** y, {"x": a, "y": b},
                                hand={"x": lambda x, y: y * x ** (y - 1), "y": lambda x, y: x ** y * math.log(x)})
    assert report.ok, str(report)


@given(c=real(0.1, 5.0), b=real(-3.0, 3.0))
def test_number_to_the_power_of_a_value(c, b):
    y = Value(b, label="y")
    z = c ** y
    assert z.op == "c**y" and z.parents == (y,) and z.consts == {"c": c}
    assert z.data == c ** b
    assert math.isclose(autograd.grad(z, y), c ** b * math.log(c), rel_tol=1e-12, abs_tol=1e-15)
    report = autograd.gradcheck(lambda y: c ** y, {"y": b}, hand={"y": lambda y: c ** y * math.log(c)})
    assert report.ok, str(report)


@given(a=real(0.1, 5.0), k=real(-3.0, 3.0))
def test_value_to_the_power_of_a_number(a, k):
    x = Value(a, label="x")
    z = x ** k
    assert z.op == "**k" and z.parents == (x,) and z.consts == {"k": k}
    assert z.data == a ** k
    assert math.isclose(autograd.grad(z, x), k * a ** (k - 1), rel_tol=1e-12)
    report = autograd.gradcheck(lambda x: x ** k, {"x": a}, hand={"x": lambda x: k * x ** (k - 1)})
    assert report.ok, str(report)


@pytest.mark.parametrize("k, expected_value, expected_gradient", [
    (3, -8.0, 12.0), (2, 4.0, -4.0), (-1, -0.5, -0.25), (-2, 0.25, 0.25), (0, 1.0, 0.0)])
def test_negative_base_with_an_integer_exponent(k, expected_value, expected_gradient):
    x = Value(-2.0)
    z = x ** k
    assert z.data == expected_value
    assert autograd.grad(z, x) == expected_gradient


def test_integer_exponent_at_zero_base_has_a_derivative():
    """d/dx x^k at x = 0: 0 for k = 0 (x^0 is the constant 1) and for k >= 2, 1 for k = 1."""
    for k, expected in [(0, 0.0), (1, 1.0), (2, 0.0), (3, 0.0)]:
        x = Value(0.0, label="x")
        z = x ** k
        z.backward()
        assert x.grad == expected, f"d/dx x**{k} at 0"


def test_zero_base_with_a_value_exponent_differentiates_like_pytorch():
    """0^y = 0 for every y > 0, so ∂(0^y)/∂y = 0 there (PyTorch gives 0, not nan)."""
    x, y = Value(0.0, label="x"), Value(2.0, label="y")
    z = x ** y
    assert z.data == 0.0
    assert autograd.grad(z, [x, y]) == [0.0, 0.0]  # ∂/∂x = y x^(y-1) = 0, ∂/∂y = 0
    y = Value(2.0, label="y")
    assert autograd.grad(0 ** y, y) == 0.0


def test_power_of_a_power_chain_rule():
    """(x^2)^y · 2^x at a point, against a hand derivation."""
    a, b = 1.5, 0.75
    report = autograd.gradcheck(lambda x, y: (x ** 2) ** y * 2 ** x, {"x": a, "y": b}, hand={
        "x": lambda x, y: 2 * y * x ** (2 * y - 1) * 2 ** x + x ** (2 * y) * 2 ** x * math.log(2),
        "y": lambda x, y: x ** (2 * y) * math.log(x ** 2) * 2 ** x})
    assert report.ok, str(report)


# --- identity: == and hashing ---------------------------------------------------------

def test_equality_is_identity_not_a_graph_op():
    x, y = Value(1.0), Value(1.0)
    assert (x == x) is True
    assert (x == y) is False and (x != y) is True
    assert (x == 1.0) is False
    assert x.parents == () and y.parents == ()


def test_values_hash_by_identity():
    x, y = Value(1.0), Value(1.0)
    assert len({x, y}) == 2
    table = {x: "x", y: "y"}
    assert table[x] == "x" and table[y] == "y"
    x.data = 5.0  # a changed value is still the same key
    x.grad = 3.0
    assert table[x] == "x" and x in {x}
    assert hash(x) == hash(x)


# --- ordering: of the data, plain bools, no graph ------------------------------------------

ORDERINGS = [("<", lambda a, b: a < b), ("<=", lambda a, b: a <= b),
             (">", lambda a, b: a > b), (">=", lambda a, b: a >= b)]


@given(x=real(), y=st.one_of(real(), st.integers(-10, 10)))
def test_ordering_compares_the_data_and_gives_a_plain_bool(x, y):
    for name, compare in ORDERINGS:
        for left, right in [(Value(x), y), (Value(x), Value(float(y))), (Value(x), np.float64(y))]:
            got = compare(left, right)
            assert type(got) is bool and got == compare(x, y), name
        got = compare(y, Value(x))  # the number on the left
        assert type(got) is bool and got == compare(y, x), name


def test_ordering_against_an_int_beyond_the_float_range_is_exact():
    assert Value(1e308) < 10 ** 400 and Value(-1e308) > -10 ** 400


def test_ordering_records_no_node_and_picks_values_as_python_does():
    a, b = Value(1.0, label="a"), Value(2.0, label="b")
    assert max(a, b) is b and min(a, b) is a and sorted([b, a]) == [a, b]
    assert a.parents == () and b.parents == ()
    c = max(a, b) * 3.0  # the gradient flows to the one chosen, as PyTorch's max does
    c.backward()
    assert (a.grad, b.grad) == (0.0, 3.0)


@pytest.mark.parametrize("other", ["2", None, [1.0], 1j])
def test_ordering_against_a_non_number_is_a_type_error_naming_both(other):
    with pytest.raises(TypeError, match=f"'<' not supported between instances of 'Value' and '{type(other).__name__}'"):
        Value(1.0) < other


def test_a_format_spec_formats_the_data():
    loss = Value(0.123456, label="loss")
    assert f"{loss:.3f}" == "0.123" and f"{loss:>8.2e}" == "1.23e-01"
    assert f"{loss}" == repr(loss) == "Value(data=0.123456, grad=0.0, label='loss')"


def test_float_of_a_value_is_its_data():
    assert float(Value(2.5) * 2) == 5.0


def test_apply_makes_the_same_node_as_the_operator():
    x = Value(2.0, label="x")
    for node, twin in [(autograd.apply("+", x, 3), x + 3), (autograd.apply("tanh", x), x.tanh()),
                       (autograd.apply("**k", x, k=3.0), x ** 3), (autograd.apply("c**y", x, c=2.0), 2 ** x),
                       (autograd.apply("step", x, threshold=1.0), x.step(1.0)),
                       (autograd.apply("sum", x, x, 1.0), autograd.sum([x, x, 1.0]))]:
        assert (node.op, node.data, node.consts) == (twin.op, twin.data, twin.consts)
        assert [p.data for p in node.parents] == [p.data for p in twin.parents]
        assert autograd.grad(node, x) == autograd.grad(twin, x)


def test_repr_shows_every_digit_as_python_prints_a_float():
    """Two Values that print alike hold the same number, and 1.0 does not read as 1 (micrograd
    prints the whole float too)."""
    assert repr(Value(1.0)) == "Value(data=1.0, grad=0.0)"
    assert repr(Value(1.0)) != repr(Value(1.0000001)) == "Value(data=1.0000001, grad=0.0)"
    assert repr(Value(0.8958441028683222)) == "Value(data=0.8958441028683222, grad=0.0)"


def test_abs_is_a_method_too_as_torchs_tensor_abs():
    x = Value(-3.0, label="x")
    y = x.abs()
    assert (y.data, y.op, y.parents) == (3.0, "abs", (x,))
    y.backward()
    assert x.grad == -1.0


def test_micrographs_trace_runs_as_written_on_its_names_prev_and_op():
    """micrograd's draw_dot walks the graph through v._prev and v._op: the same walk works here."""
    def trace(root):  # micrograd's trace_graph, as its notebook writes it
        nodes, edges = set(), set()

        def build(v):
            if v not in nodes:
                nodes.add(v)
                for child in v._prev:
                    edges.add((child, v))
                    build(child)
        build(root)
        return nodes, edges

    x, w = Value(1.0, label="x"), Value(-2.0, label="w")
    out = (x * w + 1.0).relu()
    nodes, edges = trace(out)
    assert nodes == set(autograd.topological_order(out))
    assert edges == {(p, v) for v in nodes for p in v.parents}
    assert {v._op for v in nodes} == {"", "*", "+", "ReLU"} and out._op == "ReLU" and out.op == "relu"  # micrograd's name
    with pytest.raises(AttributeError):
        out._prev = set()  # read-only: the parents are `parents`


@pytest.mark.parametrize("make", [
    lambda w: w * 2.0, lambda w: w + Value(1.0), lambda w: w.log(), lambda w: w.sqrt(),
    lambda w: autograd.dot([w, Value(1.0)], [Value(2.0), Value(3.0)]), lambda w: w ** 2,
], ids=["*", "+", "log", "sqrt", "dot", "**k"])
@pytest.mark.parametrize("bad, error, says", [
    (float("inf"), ValueError, "holds inf: its .data was set by hand to a number that is not finite"),
    (float("nan"), ValueError, "holds nan: its .data was set by hand to a number that is not finite"),
    ("0.5", TypeError, "holds str '0.5': its .data was set by hand to something that is no number"),
])
def test_a_data_set_by_hand_to_no_finite_number_is_named_as_the_culprit(make, bad, error, says):
    """p.data = inf (a hand update with a huge learning rate) then blamed the op ("the result
    inf is not a finite float"), and p.data = "0.5" gave Python's own TypeError naming nothing."""
    w = Value(0.5, label="w(2)_1,1")
    w.data = bad
    with pytest.raises(error, match=r"^\S+: input 0 'w\(2\)_1,1' " + re.escape(says)):
        make(w)


def test_a_data_set_by_hand_to_an_int_beyond_the_floats_is_named():
    w = Value(0.5, label="w")
    w.data = 10 ** 400
    for make in (lambda: w * 2.0, lambda: w.tanh(), lambda: w + 1.0):
        with pytest.raises(ValueError, match=r"^\S+: input 0 'w' holds an int too large for a float .*401 digits"):
            make()


@pytest.mark.parametrize("bad, shown", [(np.array([2.0]), "ndarray array([2.])"), (2 + 0j, "complex (2+0j)")])
def test_a_data_set_by_hand_to_an_array_or_a_complex_number_is_named(bad, shown):
    p = Value(1.0, label="p")
    p.data = bad
    for make in (lambda: p * 3.0, lambda: autograd.dot([p], [Value(1.0)]), lambda: p.tanh()):
        with pytest.raises(TypeError, match=rf"^\S+: input 0 'p' holds {re.escape(shown)}: its \.data was set by hand"):
            make()


# --- micrograd's names: its drawing code and its lecture's steps by hand -----------------------

def test_micrograds_op_names_and_parents_read_as_its_own():
    x = Value(3.0)
    assert (x ** 2)._op == "**2" and (x ** 0.5)._op == "**0.5" and x.relu()._op == "ReLU"
    assert (x * x)._op == "*" and x.tanh()._op == "tanh" and x._op == ""
    y = x * 2.0
    assert y._prev == {x, y.parents[1]}


def test_stepping_backprop_by_hand_as_micrograds_lecture_does_gives_backwards_gradients():
    def neuron():
        x1, x2, w1, w2 = Value(2.0, "x1"), Value(0.0, "x2"), Value(-3.0, "w1"), Value(1.0, "w2")
        b = Value(6.8813735870195432, "b")
        n = x1 * w1 + x2 * w2 + b
        return [x1, x2, w1, w2, b], n, n.tanh()

    leaves, n, o = neuron()
    o.grad = 1.0
    for node in reversed(autograd.topological_order(o, leaves=False)):  # the lecture's order, by hand
        node._backward()
    by_hand = [v.grad for v in leaves]
    leaves, n, o = neuron()
    o.backward()
    assert by_hand == [v.grad for v in leaves]
    assert by_hand[0] == pytest.approx(-1.5) and by_hand[4] == pytest.approx(0.5)


def test_a_step_by_hand_gives_a_constant_no_grad_and_refuses_a_term_that_is_not_finite():
    x = Value(0.0, "x")
    y = (x * 3.0)
    y.grad = 2.0
    y._backward()
    assert x.grad == 6.0 and y.parents[1].grad == 0.0  # the 3.0 is a constant
    z = x.sqrt()  # √0: ∂z/∂x is infinite
    z.grad = 1.0
    with pytest.raises(FloatingPointError, match="local derivative at node .*x"):
        z._backward()
    assert x.grad == 6.0
    w = Value(1.0, "w")
    v = w * 1e10
    v.grad = 1e300  # ∂C/∂w = 1e300 · 1e10 overflows
    with pytest.raises(FloatingPointError, match="non-finite gradient at node"):
        v._backward()
    assert w.grad == 0.0
    x._backward()  # a leaf's step does nothing
    assert x.grad == 6.0
