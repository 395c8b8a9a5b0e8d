"""gradcheck: the engine's gradient against central differences and against hand formulas,
its report (rows, .ok, str), and the warning when an input sits on a kink."""

import math
import warnings

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
from autograd import Value
from autograd.gradcheck import KinkWarning


def real(low=-3.0, high=3.0):
    return st.floats(low, high, allow_nan=False, allow_infinity=False)


def neuron(w, a, b):
    """The notes' single sigmoid neuron: σ(w a + b)."""
    return (w * a + b).sigmoid()


def sigma(z):
    return 1 / (1 + math.exp(-z))


POINT = {"w": 0.8, "a": -1.5, "b": 0.3}
HAND = {  # ∂σ(z)/∂w = σ'(z) a,  ∂/∂a = σ'(z) w,  ∂/∂b = σ'(z)
    "w": lambda w, a, b: sigma(w * a + b) * (1 - sigma(w * a + b)) * a,
    "a": lambda w, a, b: sigma(w * a + b) * (1 - sigma(w * a + b)) * w,
    "b": lambda w, a, b: sigma(w * a + b) * (1 - sigma(w * a + b)),
}


def test_report_has_one_row_per_input_with_every_column():
    report = autograd.gradcheck(neuron, POINT, hand=HAND)
    assert report.ok is True
    assert [row.name for row in report.rows] == ["w", "a", "b"]
    for row in report.rows:
        expected = HAND[row.name](**POINT)
        assert math.isclose(row.engine, expected, rel_tol=1e-12)
        assert math.isclose(row.numeric, expected, rel_tol=1e-6)
        assert math.isclose(row.hand, expected, rel_tol=1e-15)
        assert row.abs_error >= 0 and row.rel_error >= 0
        assert row.abs_error <= 1e-8 and row.rel_error <= 1e-6
        assert row.ok is True


def test_without_hand_the_hand_column_is_empty():
    report = autograd.gradcheck(neuron, POINT)
    assert report.ok
    assert all(row.hand is None for row in report.rows)
    assert all(row.abs_error == abs(row.engine - row.numeric) for row in report.rows)


def test_hand_values_as_plain_numbers():
    report = autograd.gradcheck(lambda x, y: x * y + y, {"x": 2.0, "y": 5.0}, hand={"x": 5.0, "y": 3.0})
    assert report.ok
    assert [row.hand for row in report.rows] == [5.0, 3.0]


def test_hand_for_only_some_inputs():
    report = autograd.gradcheck(lambda x, y: x * y, {"x": 2.0, "y": 5.0}, hand={"y": 2.0})
    assert report.ok
    assert report.rows[0].hand is None and report.rows[1].hand == 2.0


def test_dict_inputs_are_passed_by_keyword():
    """The dict's order is the rows' order; f receives each input under its own name."""
    report = autograd.gradcheck(lambda x, y: x - 2 * y, {"y": 1.0, "x": 4.0})
    assert [row.name for row in report.rows] == ["y", "x"]
    assert math.isclose(report.rows[0].engine, -2.0) and math.isclose(report.rows[1].engine, 1.0)


def test_list_inputs_are_positional_and_named_by_index():
    report = autograd.gradcheck(lambda x, y: x - 2 * y, [4.0, 1.0], hand=[1.0, lambda x, y: -2.0])
    assert report.ok
    assert [row.name for row in report.rows] == ["x0", "x1"]
    assert [row.hand for row in report.rows] == [1.0, -2.0]


def test_the_inputs_reach_f_as_labelled_values():
    seen = {}

    def f(x, y):
        seen.update(x=x, y=y)
        return x * y

    autograd.gradcheck(f, {"x": 2.0, "y": 3.0})
    assert isinstance(seen["x"], Value) and seen["x"].label == "x" and seen["y"].label == "y"


def test_a_wrong_hand_formula_is_caught():
    """The notes' formula with a slip (σ' written as σ): gradcheck must say so."""
    wrong = dict(HAND, w=lambda w, a, b: sigma(w * a + b) * a)
    report = autograd.gradcheck(neuron, POINT, hand=wrong)
    assert report.ok is False
    assert [row.ok for row in report.rows] == [False, True, True]
    row = report.rows[0]
    assert math.isclose(row.abs_error, abs(row.engine - row.hand), rel_tol=1e-12)
    assert row.rel_error > 0.1
    assert "NO" in str(report)


@settings(max_examples=100)
@given(xs=st.lists(real(), min_size=1, max_size=5), ws=st.lists(real(), min_size=5, max_size=5),
       slip=st.floats(1e-3, 10.0), sign=st.sampled_from([-1.0, 1.0]), which=st.integers(0, 4))
def test_hand_formulas_right_and_wrong(xs, ws, slip, sign, which):
    """f = Σ w_i x_i²: ∂f/∂x_i = 2 w_i x_i is accepted; the same off by `slip` is rejected."""
    ws = ws[:len(xs)]

    def f(*values):
        return autograd.sum([w * x ** 2 for w, x in zip(ws, values)])

    right = [2 * w * x for w, x in zip(ws, xs)]
    assert autograd.gradcheck(f, xs, hand=right).ok
    wrong = list(right)
    which %= len(xs)
    wrong[which] += sign * slip * max(1.0, abs(right[which]))
    report = autograd.gradcheck(f, xs, hand=wrong)
    assert not report.ok
    assert [row.ok for row in report.rows] == [i != which for i in range(len(xs))]


def test_a_wrong_engine_is_caught_by_central_differences():
    """An f whose Value graph does not compute what it returns numerically: the engine's
    gradient (from the graph) disagrees with the central difference of the returned data."""
    def lying(x):
        out = x * 2
        out.data = x.data ** 2  # the graph says 2x, the number says x²
        return out

    report = autograd.gradcheck(lying, {"x": 3.0})
    assert not report.ok
    assert report.rows[0].engine == 2.0 and math.isclose(report.rows[0].numeric, 6.0, rel_tol=1e-6)


def test_tolerances_are_the_callers():
    hand = {"x": 12.0 * (1 + 1e-4)}  # ∂x³/∂x at 2, off by a relative 1e-4
    assert not autograd.gradcheck(lambda x: x ** 3, {"x": 2.0}, hand=hand).ok
    assert autograd.gradcheck(lambda x: x ** 3, {"x": 2.0}, hand=hand, rtol=1e-3).ok
    assert autograd.gradcheck(lambda x: x ** 3, {"x": 2.0}, hand=hand, atol=1e-2).ok


def test_str_is_a_readable_table():
    report = autograd.gradcheck(neuron, POINT, hand=HAND)
    text = str(report)
    lines = text.splitlines()
    assert len(lines) >= 4
    for word in ("engine", "numeric", "hand"):
        assert word in text
    for name in POINT:
        assert any(line.lstrip().startswith(name) for line in lines), f"no row for {name}:\n{text}"
    w_row = next(line for line in lines if line.lstrip().startswith("w"))
    assert f"{report.rows[0].engine:.6f}"[:7] in w_row, text
    assert "yes" in text and "NO" not in text


def test_str_marks_the_failing_row():
    report = autograd.gradcheck(neuron, POINT, hand=dict(HAND, b=1.0))
    b_row = next(line for line in str(report).splitlines() if line.lstrip().startswith("b "))
    assert "NO" in b_row


# --- kinks ---------------------------------------------------------------------------

@pytest.mark.parametrize("f, point, convention", [
    (lambda x: x.relu(), 0.0, "relu'(0)"),
    (lambda x: abs(x), 0.0, "|x|'"),
    (lambda x: x.step(0.5), 0.5, "step'"),
    (lambda x: (x * 2 - 1).relu() + x, 0.5, "relu'(0)"),  # a kink inside the graph, not at an input
])
def test_an_input_on_a_kink_warns_naming_the_convention(f, point, convention):
    with pytest.warns(KinkWarning) as caught:
        autograd.gradcheck(f, [point])
    message = str(caught[0].message)
    assert convention in message, message
    assert "0" in message


def test_at_a_kink_the_engine_uses_the_convention_and_the_row_says_so():
    with pytest.warns(KinkWarning):
        report = autograd.gradcheck(lambda x: x.relu(), {"x": 0.0})
    row = report.rows[0]
    assert row.engine == 0.0  # relu'(0) = 0
    assert math.isclose(row.numeric, 0.5, rel_tol=1e-6)  # the central difference straddles the kink
    assert not report.ok


def test_the_kink_warning_names_a_labelled_node():
    def f(x):
        a = x.relu()
        a.label = "a(2)_1"
        return a * 3

    with pytest.warns(KinkWarning, match=r"a\(2\)_1"):
        autograd.gradcheck(f, {"x": 0.0})


@pytest.mark.parametrize("f, point", [(lambda x: x.relu(), 1e-3), (lambda x: abs(x), -0.5),
                                      (lambda x: x.step(0.5), 0.4), (lambda x: x.tanh(), 0.0)])
def test_no_warning_away_from_kinks(f, point):
    with warnings.catch_warnings():
        warnings.simplefilter("error", KinkWarning)
        assert autograd.gradcheck(f, [point]).ok


# --- bad use -------------------------------------------------------------------------

def test_f_must_return_a_value():
    with pytest.raises(TypeError, match="float"):
        autograd.gradcheck(lambda x: x.data * 2, [1.0])


def test_inputs_must_be_numbers():
    with pytest.raises(TypeError, match="str"):
        autograd.gradcheck(lambda x: x * 2, {"x": "1"})
    with pytest.raises(ValueError, match="nan"):
        autograd.gradcheck(lambda x: x * 2, {"x": math.nan})
    with pytest.raises(ValueError):
        autograd.gradcheck(lambda: Value(1.0), [])


def test_hand_must_name_existing_inputs():
    with pytest.raises(KeyError, match="z"):
        autograd.gradcheck(lambda x: x * 2, {"x": 1.0}, hand={"z": 2.0})
    with pytest.raises(ValueError):
        autograd.gradcheck(lambda x: x * 2, [1.0], hand=[2.0, 3.0])


def test_a_kink_within_eps_of_the_input_is_warned_about_too():
    # x = 1e-7 is not on relu's kink, but x - eps is across it: the central difference
    # straddles the kink and cannot agree with the engine there
    with pytest.warns(KinkWarning, match=r"relu'\(0\) is taken as 0"):
        report = autograd.gradcheck(lambda a: a.relu(), [1e-7])
    assert not report.ok


def test_a_kink_reached_inside_the_graph_is_found_through_the_central_difference():
    # the relu's input is 3x - 3: it crosses 0 when x moves by eps around 1 + 1e-8
    with pytest.warns(KinkWarning):
        autograd.gradcheck(lambda x: (3 * x - 3).relu(), {"x": 1 + 1e-8})


@pytest.mark.parametrize("eps", [0.0, -1e-6])
def test_eps_must_be_positive(eps):
    with pytest.raises(ValueError, match="eps"):
        autograd.gradcheck(lambda x: x * x, [1.0], eps=eps)


def test_gradcheck_of_a_function_with_no_graph_compares_zero_with_the_differences():
    # As torch.autograd.gradcheck: a constant output passes (its differences are 0 too); a
    # detached input makes the engine's 0 disagree with the differences.
    assert autograd.gradcheck(lambda a: autograd.Value(5.0, requires_grad=False) * 2.0, [0.5])
    assert not autograd.gradcheck(lambda a: a.detach() * 2.0, [0.5])
