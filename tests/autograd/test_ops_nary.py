"""The n-ary ops: `sum`, `dot` (with and without bias), `logsumexp`, and `softmax` built on it.

`sum` and `dot` make ONE node but must give exactly the value and the gradients of the
chained two-input graph they replace (x1 + x2 + ..., w1*a1 + w2*a2 + ... + b).
"""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
from autograd import Value


def real(low=-10.0, high=10.0):
    return st.floats(low, high, allow_nan=False, allow_infinity=False)


def numbers(low=-10.0, high=10.0, min_size=1, max_size=8):
    return st.lists(real(low, high), min_size=min_size, max_size=max_size)


# Wide magnitudes make floating-point rounding visible: a sum that rounds differently from
# the chained one shows up here, not only in the last bit of a nicely scaled example.
WIDE = st.one_of(real(-10.0, 10.0), real(-1e12, 1e12), st.sampled_from([1e16, -1e16, 1.0, 0.1, 3.0]))


def leaves(xs, prefix="x"):
    return [Value(x, label=f"{prefix}{i}") for i, x in enumerate(xs)]


def chained_sum(values):
    total = values[0]
    for value in values[1:]:
        total = total + value
    return total


def chained_dot(ws, xs, bias=None):
    total = ws[0] * xs[0]
    for w, x in zip(ws[1:], xs[1:]):
        total = total + w * x
    return total if bias is None else total + bias


def assert_same_numbers(actual, expected, what):
    assert actual == expected, f"{what}: one node gives {actual!r}, the chained graph {expected!r}"


# --- sum ---------------------------------------------------------------------------------

@settings(max_examples=200)
@given(xs=st.lists(WIDE, min_size=1, max_size=8))
def test_sum_equals_chained_additions_exactly(xs):
    values = leaves(xs)
    one_node, chained = autograd.sum(values), chained_sum(values)
    assert one_node.op == "sum" and len(one_node.parents) == len(values)
    assert_same_numbers(one_node.data, chained.data, f"value of sum({xs})")
    assert_same_numbers(autograd.grad(one_node, values), autograd.grad(chained, values),
                        f"gradients of sum({xs})")


@given(xs=numbers(), picks=st.lists(st.integers(0, 7), min_size=1, max_size=10))
def test_sum_with_repeated_inputs_matches_chained(xs, picks):
    values = leaves(xs)
    chosen = [values[i % len(values)] for i in picks]
    one_node, chained = autograd.sum(chosen), chained_sum(chosen)
    assert math.isclose(one_node.data, chained.data, rel_tol=1e-12, abs_tol=1e-12)
    expected = [float(sum(1 for c in chosen if c is v)) for v in values]
    assert autograd.grad(one_node, values) == expected == autograd.grad(chained, values)


def test_sum_accepts_plain_numbers_and_any_iterable():
    x = Value(2.0, label="x")
    total = autograd.sum(v for v in [x, 3, 0.5])
    assert total.data == 5.5
    assert total.parents[0] is x and [p.data for p in total.parents] == [2.0, 3.0, 0.5]
    total.backward()
    assert x.grad == 1.0


def test_sum_of_one_value():
    x = Value(-1.25)
    total = autograd.sum([x])
    assert total.data == -1.25 and total.op == "sum" and total.parents == (x,)
    assert autograd.grad(total, x) == 1.0


@settings(max_examples=100)
@given(xs=numbers())
def test_sum_gradcheck(xs):
    report = autograd.gradcheck(lambda *v: autograd.sum(v), xs, hand=[1.0] * len(xs))
    assert report.ok, str(report)


# --- dot ---------------------------------------------------------------------------------

@st.composite
def dot_problem(draw, element=WIDE):
    n = draw(st.integers(1, 6))
    ws = draw(st.lists(element, min_size=n, max_size=n))
    xs = draw(st.lists(element, min_size=n, max_size=n))
    bias = draw(st.none() | element)
    return ws, xs, bias


@settings(max_examples=200)
@given(problem=dot_problem())
def test_dot_equals_chained_multiply_adds_exactly(problem):
    ws_numbers, xs_numbers, bias_number = problem
    ws, xs = leaves(ws_numbers, "w"), leaves(xs_numbers, "a")
    bias = None if bias_number is None else Value(bias_number, label="b")
    inputs = ws + xs + ([] if bias is None else [bias])
    one_node, chained = autograd.dot(ws, xs, bias), chained_dot(ws, xs, bias)
    assert_same_numbers(one_node.data, chained.data, f"value of dot{problem}")
    assert_same_numbers(autograd.grad(one_node, inputs), autograd.grad(chained, inputs),
                        f"gradients of dot{problem}")


@given(problem=dot_problem(element=real(-5.0, 5.0)), picks=st.lists(st.integers(0, 3), min_size=13, max_size=13))
def test_dot_with_shared_inputs_matches_chained(problem, picks):
    """A neuron whose weights and inputs share nodes (e.g. w·w): every use is a separate term."""
    ws_numbers, xs_numbers, bias_number = problem
    pool = leaves([1.5, -0.5, 2.0, 0.25], "p")
    n = len(ws_numbers)
    ws = [pool[picks[i]] for i in range(n)]
    xs = [pool[picks[6 + i]] for i in range(n)]
    bias = None if bias_number is None else pool[picks[12]]
    one_node, chained = autograd.dot(ws, xs, bias), chained_dot(ws, xs, bias)
    assert math.isclose(one_node.data, chained.data, rel_tol=1e-12, abs_tol=1e-12)
    for got, want in zip(autograd.grad(one_node, pool), autograd.grad(chained, pool)):
        assert math.isclose(got, want, rel_tol=1e-12, abs_tol=1e-12)


def test_dot_is_one_node_with_weights_then_inputs_then_bias():
    ws, xs, bias = leaves([1.0, 2.0], "w"), leaves([3.0, 4.0], "a"), Value(0.5, label="b")
    z = autograd.dot(ws, xs, bias)
    assert z.op == "dot"
    assert z.parents == (*ws, *xs, bias) and all(p is q for p, q in zip(z.parents, (*ws, *xs, bias)))
    assert z.consts == {"n": 2}
    assert z.data == 1.0 * 3.0 + 2.0 * 4.0 + 0.5
    z.backward()
    assert [w.grad for w in ws] == [3.0, 4.0]  # ∂z/∂w_k = a_k
    assert [x.grad for x in xs] == [1.0, 2.0]  # ∂z/∂a_k = w_k
    assert bias.grad == 1.0                     # ∂z/∂b = 1


def test_dot_without_bias_has_no_bias_parent():
    ws, xs = leaves([1.0, 2.0], "w"), leaves([3.0, 4.0], "a")
    z = autograd.dot(ws, xs)
    assert z.parents == (*ws, *xs) and z.consts == {"n": 2} and z.data == 11.0


def test_dot_accepts_plain_numbers_among_values_as_leaves():
    x = Value(3.0, label="x")
    z = autograd.dot([2, 0.5], [x, 4.0], bias=1)
    assert z.data == 2 * 3.0 + 0.5 * 4.0 + 1
    assert [p.data for p in z.parents] == [2.0, 0.5, 3.0, 4.0, 1.0]
    assert autograd.grad(z, x) == 2.0


# --- dot on data: inputs given as plain numbers are constants of the node ---------------

@settings(max_examples=200)
@given(problem=dot_problem())
def test_dot_on_data_equals_chained_multiply_adds_exactly(problem):
    ws_numbers, x, bias_number = problem
    ws = leaves(ws_numbers, "w")
    bias = None if bias_number is None else Value(bias_number, label="b")
    parameters = ws + ([] if bias is None else [bias])
    one_node, chained = autograd.dot(ws, x, bias), chained_dot(ws, x, bias)
    assert one_node.op == "dot_data" and one_node.parents == tuple(parameters)
    assert_same_numbers(one_node.data, chained.data, f"value of dot{problem}")
    assert_same_numbers(autograd.grad(one_node, parameters), autograd.grad(chained, parameters),
                        f"gradients of dot{problem}")


@settings(max_examples=100)
@given(problem=dot_problem(element=real(-5.0, 5.0)))
def test_dot_on_data_gives_the_weights_and_bias_the_gradients_of_dot_on_values(problem):
    ws_numbers, x, bias_number = problem
    ws = leaves(ws_numbers, "w")
    bias = None if bias_number is None else Value(bias_number, label="b")
    parameters = ws + ([] if bias is None else [bias])
    on_data, on_values = autograd.dot(ws, x, bias), autograd.dot(ws, leaves(x, "x"), bias)
    assert on_data.data == on_values.data
    assert autograd.grad(on_data.tanh(), parameters) == autograd.grad(on_values.tanh(), parameters)
    hand = x + ([1.0] if bias is not None else [])  # ∂z/∂w_k = x_k, ∂z/∂b = 1
    n = len(ws)
    report = autograd.gradcheck(lambda *v: autograd.dot(v[:n], x, v[n] if len(v) > n else None),
                                ws_numbers + ([] if bias_number is None else [bias_number]), hand=hand)
    assert report.ok, str(report)


def test_dot_on_data_keeps_x_as_floats_and_backward_touches_only_weights_and_bias():
    ws, bias = leaves([1.0, 2.0, 3.0], "w"), Value(0.5, label="b")
    z = autograd.dot(ws, (1, np.float64(2.5), True), bias)  # any real numbers; stored as floats
    assert z.op == "dot_data" and z.consts == {"x": (1.0, 2.5, 1.0)}
    assert all(type(x) is float for x in z.consts["x"]) and type(z.data) is float
    assert z.data == 1.0 * 1 + 2.0 * 2.5 + 3.0 * 1 + 0.5
    z.backward()
    assert [w.grad for w in ws] == [1.0, 2.5, 1.0] and bias.grad == 1.0
    assert autograd.topological_order(z) == [*ws, bias, z]
    assert autograd.OPS["dot_data"].symbol == "w·x+b"


@pytest.mark.parametrize("bad, error, says", [
    (math.nan, ValueError, r"dot inputs\[1\]: expected a finite number, got nan"),
    (math.inf, ValueError, r"dot inputs\[1\]: expected a finite number, got inf"),
    ("2", TypeError, r"dot inputs\[1\]: expected a real number .* got str '2'"),
    (None, TypeError, r"dot inputs\[1\]: expected a real number .* got NoneType"),
    (1j, TypeError, r"dot inputs\[1\]: expected a real number .* got complex"),
])
def test_bad_data_is_refused_naming_the_entry(bad, error, says):
    with pytest.raises(error, match=says):
        autograd.dot(leaves([1.0, 2.0]), [1.0, bad])


def test_huge_finite_data_whose_sum_overflows_is_still_accepted():
    z = autograd.dot(leaves([1e-300, 1e-300]), [1e308, 1e308])
    assert z.op == "dot_data" and math.isfinite(z.data)


def test_an_overflowing_dot_on_data_names_the_op_and_shows_the_data():
    with pytest.raises(OverflowError, match=r"dot_data: .*x=\(1e\+308, 1e\+308\)"):
        autograd.dot(leaves([10.0, 10.0]), [1e308, 1e308])


@settings(max_examples=100)
@given(problem=dot_problem(element=real(-5.0, 5.0)))
def test_dot_gradcheck(problem):
    ws, xs, bias = problem
    n, has_bias = len(ws), bias is not None

    def f(*values):
        return autograd.dot(values[:n], values[n:2 * n], values[2 * n] if has_bias else None)

    hand = xs + ws + ([1.0] if has_bias else [])  # ∂z/∂w = a, ∂z/∂a = w, ∂z/∂b = 1
    report = autograd.gradcheck(f, ws + xs + ([bias] if has_bias else []), hand=hand)
    assert report.ok, str(report)


def _outcome(call):
    try:
        z = call()
    except (TypeError, ValueError, ArithmeticError) as error:
        return type(error), str(error)
    return z.op, z.data, z.consts


entry = st.one_of(real(), st.integers(-3, 3), st.sampled_from([math.nan, math.inf, "2", None]))


@settings(max_examples=200)
@given(vectors=st.lists(st.tuples(entry, entry), min_size=1, max_size=4),
       picks=st.lists(st.integers(0, 3), min_size=1, max_size=8))
def test_data_checked_once_gives_what_a_fresh_check_gives(vectors, picks):
    # dot skips the check of a data tuple it has just accepted (a layer's neurons share x):
    # passing the very same tuple objects again and again must change no outcome.
    ws = leaves([0.5, -2.0])
    for pick in picks:
        x = vectors[pick % len(vectors)]
        assert _outcome(lambda: autograd.dot(ws, x)) == _outcome(lambda: autograd.dot(ws, list(x)))
    assert _outcome(lambda: autograd.dot([], ())) == _outcome(lambda: autograd.dot([], []))


def test_a_layer_checks_its_shared_data_once(monkeypatch):
    import autograd.functional
    checks = []
    original = autograd.functional.all_finite_floats
    monkeypatch.setattr(autograd.functional, "all_finite_floats", lambda xs: checks.append(1) or original(xs))
    x = (1.0, 2.0, 3.0)
    zs = [autograd.dot(leaves([1.0, 1.0, 1.0]), x) for _ in range(32)]
    assert len(checks) <= 1 and all(z.op == "dot_data" and z.consts["x"] is x for z in zs)


def test_empty_inputs_are_refused_by_name():
    with pytest.raises(ValueError, match="sum"):
        autograd.sum([])
    with pytest.raises(ValueError, match="dot"):
        autograd.dot([], [])
    with pytest.raises(ValueError, match="logsumexp"):
        autograd.logsumexp([])
    with pytest.raises(ValueError, match="softmax"):
        autograd.softmax([])


def test_dot_refuses_mismatched_lengths_naming_both():
    with pytest.raises(ValueError, match=r"dot.*2.*3") as error:
        autograd.dot(leaves([1.0, 2.0]), leaves([1.0, 2.0, 3.0]))
    assert "weights" in str(error.value) and "inputs" in str(error.value)


# --- logsumexp and softmax -----------------------------------------------------------

@settings(max_examples=100)
@given(xs=numbers(-20.0, 20.0))
def test_logsumexp_value_and_gradient_is_softmax(xs):
    values = leaves(xs)
    lse = autograd.logsumexp(values)
    assert lse.op == "logsumexp" and lse.parents == tuple(values)
    assert math.isclose(lse.data, math.log(math.fsum(math.exp(x) for x in xs)), rel_tol=1e-12, abs_tol=1e-12)
    softmax = [math.exp(x - lse.data) for x in xs]
    hand = [lambda *point, i=i: math.exp(point[i]) / math.fsum(map(math.exp, point)) for i in range(len(xs))]
    report = autograd.gradcheck(lambda *v: autograd.logsumexp(v), xs, hand=hand)
    assert report.ok, str(report)
    for got, want in zip(autograd.grad(lse, values), softmax):
        assert math.isclose(got, want, rel_tol=1e-12, abs_tol=1e-15)


@settings(max_examples=100)
@given(xs=numbers(-20.0, 20.0), weights=st.lists(real(-3.0, 3.0), min_size=8, max_size=8))
def test_softmax_values_and_gradients(xs, weights):
    values = leaves(xs)
    probabilities = autograd.softmax(values)
    assert isinstance(probabilities, list) and len(probabilities) == len(xs)
    assert all(isinstance(p, Value) for p in probabilities)
    total = math.fsum(math.exp(x) for x in xs)
    for p, x in zip(probabilities, xs):
        assert math.isclose(p.data, math.exp(x) / total, rel_tol=1e-9, abs_tol=1e-15)
    assert math.isclose(math.fsum(p.data for p in probabilities), 1.0, rel_tol=1e-12)

    def weighted(*v):  # a weighted sum reaches every output of the softmax
        return autograd.sum([w * p for w, p in zip(weights, autograd.softmax(v))])

    report = autograd.gradcheck(weighted, xs)
    assert report.ok, str(report)


def test_softmax_jacobian_matches_the_closed_form():
    """∂s_i/∂x_j = s_i (δ_ij - s_j)."""
    xs = [0.5, -1.0, 2.0]
    values = leaves(xs)
    s = [p.data for p in autograd.softmax(values)]
    for i in range(3):
        row = autograd.grad(autograd.softmax(values)[i], values)
        for j in range(3):
            assert math.isclose(row[j], s[i] * ((i == j) - s[j]), rel_tol=1e-12, abs_tol=1e-15)


# --- a bad entry is named by the function, the argument and its index ----------------------

@pytest.mark.parametrize("call, error, says", [
    (lambda: autograd.sum([Value(1.0), 2.0, 3.0, math.nan]), ValueError,
     r"^sum: input 3: expected a finite number, got nan$"),
    (lambda: autograd.sum([Value(1.0), "2"]), TypeError, r"^sum: input 1: expected a real number"),
    (lambda: autograd.softmax([Value(1.0), math.inf]), ValueError,
     r"^softmax: input 1: expected a finite number, got inf$"),
    (lambda: autograd.logsumexp([math.nan, Value(1.0)]), ValueError,
     r"^logsumexp: input 0: expected a finite number"),
    (lambda: autograd.dot([Value(1.0)], [2.0], bias=math.nan), ValueError,
     r"^dot bias: expected a finite number, got nan$"),
    (lambda: autograd.dot([Value(1.0), math.nan], [2.0, 3.0]), ValueError,
     r"^dot weights\[1\]: expected a finite number"),
])
def test_a_bad_entry_names_the_function_argument_and_index(call, error, says):
    with pytest.raises(error, match=says):
        call()
