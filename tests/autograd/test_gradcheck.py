"""gradcheck: the engine's gradient against central differences and against hand formulas,
its report (rows, .ok, str), and the warning when an input sits on a kink."""

import math
import warnings

import numpy as np
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
    # engine vs hand: hand_rtol, hand_atol (atol and rtol are the central difference's)
    hand = {"x": 12.0 * (1 + 1e-4)}  # ∂x³/∂x at 2, off by a relative 1e-4
    assert not autograd.gradcheck(lambda x: x ** 3, {"x": 2.0}, hand=hand).ok
    assert not autograd.gradcheck(lambda x: x ** 3, {"x": 2.0}, hand=hand, rtol=1e-2, atol=1e-2).ok
    assert autograd.gradcheck(lambda x: x ** 3, {"x": 2.0}, hand=hand, hand_rtol=1e-3).ok
    assert autograd.gradcheck(lambda x: x ** 3, {"x": 2.0}, hand=hand, hand_atol=1e-2).ok
    # engine vs numeric: the central difference of 1/x at 3e-4 is off by 1.1e-5 (truncation)
    assert autograd.gradcheck(lambda x: 1 / x, {"x": 3e-4}).ok
    assert not autograd.gradcheck(lambda x: 1 / x, {"x": 3e-4}, rtol=1e-6).ok
    assert autograd.gradcheck(lambda x: 1 / x, {"x": 3e-4}, rtol=1e-6, atol=1e3).ok


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


# --- the hand formula on its own tight tolerance ---------------------------------------

Y = 0.3


def cost(z):
    """Note 000's cost of one example, C = ½(y - σ(z))², as in the README."""
    return 0.5 * (Y - z.sigmoid()) ** 2


SLIPS = {  # ∂C/∂z = σ'(z)(σ(z) - y), and three slips of the notes' kind
    "sign": lambda z: sigma(z) * (1 - sigma(z)) * (Y - sigma(z)),
    "factor 2": lambda z: 2 * sigma(z) * (1 - sigma(z)) * (sigma(z) - Y),
    "σ' squared": lambda z: (sigma(z) * (1 - sigma(z))) ** 2 * (sigma(z) - Y),
}


@pytest.mark.parametrize("z", [0.7, 10.0, 15.0, 20.0])
@pytest.mark.parametrize("slip", sorted(SLIPS))
def test_a_wrong_hand_formula_is_caught_however_small_the_gradient(z, slip):
    """At z = 15 the gradient is 2e-7, below the central difference's atol: a wrong sign, a
    factor 2 or a squared σ' must still fail, since the hand value is compared with the
    engine on its own tight tolerance."""
    report = autograd.gradcheck(cost, {"z": z}, hand={"z": SLIPS[slip]})
    row = report["z"]
    assert row.numeric_ok and row.hand_ok is False and not report.ok
    assert "MISMATCH engine vs hand for z" in str(report)


@pytest.mark.parametrize("z", [0.7, 10.0, 15.0, 20.0])
def test_the_right_hand_formula_passes_and_the_engine_is_torchs(z):
    from tests.support import require_torch
    require_torch()
    import torch

    right = lambda z: sigma(z) * (1 - sigma(z)) * (sigma(z) - Y)  # noqa: E731
    report = autograd.gradcheck(cost, {"z": z}, hand={"z": right})
    assert report.ok, str(report)
    t = torch.tensor(z, dtype=torch.float64, requires_grad=True)
    (0.5 * (Y - torch.sigmoid(t)) ** 2).backward()
    assert math.isclose(report["z"].engine, t.grad.item(), rel_tol=1e-12)
    assert report["z"].hand_error <= 1e-9


def test_the_hand_tolerance_scales_with_the_chain_rule_terms_not_the_gradient():
    # sin²x + cos²x: the engine sums 2 sin cos and -2 cos sin, terms of size 1, to (about) 0;
    # the right hand value 0 passes, a wrong one of 1e-8 (far below the old atol 1e-6) does not
    f = lambda x: x.sin() ** 2 + x.cos() ** 2  # noqa: E731
    for x in (0.7, 1.3, 2.9):
        assert autograd.gradcheck(f, {"x": x}, hand={"x": 0.0}).ok
        assert not autograd.gradcheck(f, {"x": x}, hand={"x": 1e-8}).ok


# --- two verdicts per row, and which comparison failed --------------------------------

def test_each_row_has_a_verdict_and_an_error_for_each_comparison():
    report = autograd.gradcheck(neuron, POINT, hand=dict(HAND, b=1.0))
    for row in report.rows:
        assert row.numeric_ok is True
        assert math.isclose(row.numeric_error, abs(row.engine - row.numeric) / abs(row.numeric))
    assert [row.hand_ok for row in report.rows] == [True, True, False]
    assert report["b"].hand_error > 0.1 and report["w"].hand_error <= 1e-9
    no_hand = autograd.gradcheck(neuron, POINT)
    assert all(row.hand_ok is None and row.hand_error is None for row in no_hand.rows)


def test_a_right_hand_formula_and_engine_with_an_inexact_central_difference():
    """1/x at 3e-4: hand -1/x² equals the engine; only the central difference is off (1.1e-5,
    its truncation). It passes at torch's default tolerances; at a tighter rtol the report
    says the central difference is the one off, not the engine nor the hand."""
    f, hand = (lambda x: 1 / x), {"x": lambda x: -1 / x ** 2}
    assert autograd.gradcheck(f, {"x": 3e-4}, hand=hand).ok
    report = autograd.gradcheck(f, {"x": 3e-4}, hand=hand, rtol=1e-6)
    row = report["x"]
    assert row.hand_ok is True and row.numeric_ok is False
    text = " ".join(str(report).split())
    assert "MISMATCH engine vs numeric for x" in text
    assert "the hand formula agrees with the engine, so the central difference is the one off" in text


def test_the_report_names_the_engine_when_hand_and_numeric_agree_against_it():
    def lying(x):
        out = x * 2
        out.data = x.data ** 2  # the graph says 2x, the number says x²
        return out

    report = autograd.gradcheck(lying, {"x": 3.0}, hand={"x": 6.0})
    assert report["x"].numeric_ok is False and report["x"].hand_ok is False
    assert "the engine is the one off" in " ".join(str(report).split())


def test_str_has_a_column_pair_for_each_comparison():
    report = autograd.gradcheck(neuron, POINT, hand=dict(HAND, b=1.0))
    lines = str(report).splitlines()
    assert "engine vs numeric" in lines[1] and "engine vs hand" in lines[1]
    assert lines[2].split() == ["input", "engine", "numeric", "rel", "err", "ok", "hand", "rel", "err", "ok"]
    b_row = next(line for line in lines if line.startswith("b "))
    assert b_row.split()[-5:][1] == "yes" and b_row.split()[-1] == "NO"
    assert all(len(line) <= len(lines[2]) for line in lines[1:])  # the verdicts wrap to the table


@pytest.mark.parametrize("name, ours, theirs, x", [
    ("sigmoid cost", cost, lambda t: 0.5 * (Y - t.sigmoid()) ** 2, 0.7),
    ("relu at 0", lambda x: x.relu(), lambda t: t.relu(), 0.0),
    ("relu at 5e-7", lambda x: x.relu(), lambda t: t.relu(), 5e-7),
    ("abs at 0", abs, abs, 0.0),
    ("x + 1e6", lambda x: x + 1e6, lambda t: t + 1e6, 0.5),
    ("1/x at 1e-4", lambda x: 1 / x, lambda t: 1 / t, 1e-4),
    ("1/x at 3e-4", lambda x: 1 / x, lambda t: 1 / t, 3e-4),
    ("exp at 30", lambda x: x.exp(), lambda t: t.exp(), 30.0),
    ("1e-8 x", lambda x: 1e-8 * x, lambda t: 1e-8 * t, 1.0),
    ("sin(1000 x)", lambda x: (1000 * x).sin(), lambda t: (1000 * t).sin(), 0.3),
    ("step at 0", lambda x: x.step(0.0), lambda t: (t >= 0).double() + 0 * t, 0.0),
])
def test_engine_vs_numeric_agrees_with_torch_autograd_gradcheck(name, ours, theirs, x):
    from tests.support import require_torch
    require_torch()
    import torch

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", KinkWarning)
        report = autograd.gradcheck(ours, [x])
    t = torch.tensor([x], dtype=torch.float64, requires_grad=True)
    assert report["x0"].numeric_ok == torch.autograd.gradcheck(theirs, (t,), raise_exception=False), name


# --- a point within eps of the edge of the domain --------------------------------------

@pytest.mark.parametrize("f, x, kind, shifted", [
    (lambda p: -p.log(), 5e-7, ValueError, "p - eps = -5e-07"),
    (lambda p: -(1 - p).log(), 1 - 5e-7, ValueError, "p + eps = 1.0000005"),
    (lambda p: p.sqrt(), 5e-7, ValueError, "p - eps = -5e-07"),
    (lambda p: 1 / p, 1e-6, ZeroDivisionError, "p - eps = 0"),
    (lambda p: p.exp(), 709.782712, OverflowError, "p + eps = 709.782713"),
])
def test_a_point_within_eps_of_the_domain_edge_names_the_input_and_the_step(f, x, kind, shifted):
    with pytest.raises(kind) as caught:
        autograd.gradcheck(f, {"p": x})
    message = str(caught.value)
    assert type(caught.value) is kind
    assert "'p'" in message and shifted in message and "eps = 1e-06" in message, message
    assert "smaller eps, such as eps=1e-09" in message, message
    report = autograd.gradcheck(f, {"p": x}, eps=1e-9)  # the advice works
    assert report.ok, str(report)


# --- inputs and hand values as the caller has them -------------------------------------

def test_values_as_inputs_and_as_hand_values_count_as_their_data():
    f = lambda w, x, b: (w * x + b).sigmoid()  # noqa: E731
    expected = autograd.gradcheck(f, {"w": 0.5, "x": 2.0, "b": -0.3})
    by_name = autograd.gradcheck(f, {"w": Value(0.5), "x": Value(2.0), "b": Value(-0.3)})
    in_order = autograd.gradcheck(f, [Value(0.5), Value(2.0), Value(-0.3)])
    assert by_name.ok and in_order.ok
    assert [row.engine for row in by_name.rows] == [row.engine for row in expected.rows]
    assert [row.engine for row in in_order.rows] == [row.engine for row in expected.rows]
    hand = autograd.gradcheck(lambda z: z.sigmoid(), {"z": 0.7},
                              hand={"z": lambda z: Value(z).sigmoid() * (1 - Value(z).sigmoid())})
    assert hand.ok and isinstance(hand["z"].hand, float)
    assert autograd.gradcheck(lambda z: z * z, {"z": 3.0}, hand={"z": Value(6.0)}).ok


@pytest.mark.parametrize("x", [2.0, 2, np.float64(2.0), np.array(2.0), Value(2.0)])
def test_a_single_input_needs_no_list(x):
    report = autograd.gradcheck(lambda a: a * a, x, hand=4.0)
    assert report.ok and [row.name for row in report.rows] == ["x0"] and report["x0"].hand == 4.0
    assert autograd.gradcheck(lambda a: a * a, x, hand=lambda a: 2 * a).ok


def test_one_hand_formula_for_several_inputs_is_refused():
    with pytest.raises(TypeError, match=r"2 inputs \(x0, x1\)"):
        autograd.gradcheck(lambda a, b: a * b, [2.0, 3.0], hand=3.0)


def test_a_hand_key_that_is_no_input_lists_the_inputs():
    with pytest.raises(KeyError) as caught:
        autograd.gradcheck(lambda a, b: a * b, [2.0, 3.0], hand={0: 3.0})
    message = str(caught.value)
    assert "0" in message and "x0, x1" in message and "list" in message, message
    with pytest.raises(KeyError, match="the inputs are a"):
        autograd.gradcheck(lambda a: a * a, {"a": 2.0}, hand={"b": 4.0})


def test_a_hand_formula_that_takes_other_names_says_what_it_must_take():
    with pytest.raises(TypeError) as caught:
        autograd.gradcheck(lambda z: z.sigmoid(), {"z": 0.7}, hand={"z": lambda x: sigma(x) * (1 - sigma(x))})
    message = str(caught.value)
    assert "hand formula for 'z'" in message and "(z)" in message and "(x)" in message, message
    with pytest.raises(TypeError, match="hand formula for 'x1'.*2 positional"):
        autograd.gradcheck(lambda a, b: a * b, [2.0, 3.0], hand=[3.0, lambda a: 2.0])


def test_an_error_inside_a_hand_formula_is_its_own():
    def broken(z):
        raise TypeError("my own bug")

    with pytest.raises(TypeError, match="^my own bug$"):
        autograd.gradcheck(lambda z: z * z, {"z": 1.0}, hand={"z": broken})


# --- the kink warning names each node ----------------------------------------------------

def test_the_kink_warning_names_an_unlabelled_node_by_op_and_data():
    with pytest.warns(KinkWarning) as caught:
        autograd.gradcheck(lambda x: abs(x), [0.0])
    message = str(caught[0].message)
    assert "node (op abs, data 0)" in message and "a abs" not in message, message


def test_two_kink_nodes_are_told_apart_or_counted():
    def labelled(x, y):
        p, q = abs(x), abs(y)
        p.label, q.label = "p", "q"
        return p * q + p + q

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        autograd.gradcheck(labelled, [0.0, 0.0])
    messages = [str(w.message) for w in caught if issubclass(w.category, KinkWarning)]
    assert len(messages) == 2 and "'p'" in messages[0] and "'q'" in messages[1], messages
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        autograd.gradcheck(lambda x: abs(x) * abs(x), [0.0])
    messages = [str(w.message) for w in caught if issubclass(w.category, KinkWarning)]
    assert len(messages) == 1 and "2 nodes (op abs, data 0) have their input 0" in messages[0], messages


@pytest.mark.parametrize("z, f, hand", [
    (10.0, lambda z: z.tanh(), lambda z: 1 - math.tanh(z) ** 2),                       # the notes' own form
    (20.0, lambda z: z.sigmoid(), lambda z: math.exp(-z) / (1 + math.exp(-z)) ** 2),  # note 002's, corrected
    (20.0, lambda z: 1 / (1 + (-z).exp()), lambda z: sigma(z) * (1 - sigma(z))),
])
def test_a_right_textbook_formula_near_saturation_passes(z, f, hand):
    # Formulas made of forward values carry those values' absolute rounding (σ(1 - σ) near σ = 1),
    # 1e-8 relative of a gradient of 1e-9: rounding, not a slip, which is off by O(1).
    report = autograd.gradcheck(f, {"z": z}, hand={"z": hand})
    assert report.ok, str(report)
    slipped = autograd.gradcheck(f, {"z": z}, hand={"z": lambda z: -hand(z)})
    assert slipped["z"].hand_ok is False



@pytest.mark.parametrize("f, x, hand", [
    (lambda x: x.log(), 1e8, lambda x: -1 / x),                          # a wrong sign beside a value of 1e8
    (lambda z: 1 / (1 + (-z).exp()), -40.0, lambda z: 1.0),               # beside an e^40 that f barely feels
    (lambda z: 0.5 * (0.3 - 1 / (1 + (-z).exp())) ** 2, -20.0,
     lambda z: -sigma(z) * (1 - sigma(z)) * (sigma(z) - 0.3)),            # note 000's cost, sign flipped
])
def test_a_large_value_f_barely_depends_on_does_not_widen_the_hand_tolerance(f, x, hand):
    # The default hand_atol weighs each value's rounding by how much f moves with it.
    assert autograd.gradcheck(f, {"x": x} if f.__code__.co_varnames[0] == "x" else {"z": x},
                              hand={f.__code__.co_varnames[0]: hand})[f.__code__.co_varnames[0]].hand_ok is False


@pytest.mark.parametrize("call, error, message", [
    (lambda: autograd.gradcheck(3, [1.0]), TypeError, r"gradcheck: f must be a function"),
    (lambda: autograd.gradcheck(lambda x: x, None), TypeError, r"gradcheck inputs: expected a number"),
    (lambda: autograd.gradcheck(lambda x: x, [1.0], hand_rtol=-1e-3), ValueError, r"hand_rtol: a tolerance must be >= 0"),
    (lambda: autograd.gradcheck(lambda x: x, [1.0], atol=-1.0), ValueError, r"atol: a tolerance must be >= 0"),
    (lambda: autograd.gradcheck(lambda x: x, [1.0], eps=True), TypeError, r"gradcheck eps: expected a number > 0, got the bool"),
])
def test_bad_arguments_are_named_not_raw_errors(call, error, message):
    # A negative tolerance failed every comparison and blamed the hand formula or the engine.
    with pytest.raises(error, match=message):
        call()


@pytest.mark.parametrize("x, w", [(1000.0, 0.03), (100.0, 0.3), (1e6, 3e-5), (50.0, 0.7)])
def test_a_right_formula_of_an_input_far_from_1_passes(x, w):
    # σ(w x) with the stable σ(z)σ(-z) x: the engine's σ(1 - σ) carries 2^-53 absolute, times x in
    # ∂f/∂w. Weighed in f's units alone, the tolerance called the hand formula the one off.
    report = autograd.gradcheck(lambda w: (w * x).sigmoid(), {"w": w},
                                hand={"w": lambda w: sigma(w * x) * sigma(-w * x) * x})
    assert report["w"].hand_ok, str(report)
    slipped = autograd.gradcheck(lambda w: (w * x).sigmoid(), {"w": w},
                                 hand={"w": lambda w: -sigma(w * x) * sigma(-w * x) * x})
    assert slipped["w"].hand_ok is False


def test_no_kink_warning_for_the_maximum_of_a_node_with_itself():
    """maximum(a, a) is a itself, smooth: its two inputs never part, so no kink is in reach."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", KinkWarning)
        assert autograd.gradcheck(lambda a: autograd.maximum(a, a) * a, [1.0])
        assert autograd.gradcheck(lambda a: (lambda s: autograd.minimum(s, s))(a.sin()), [0.4])
    with pytest.warns(KinkWarning, match="op maximum"):  # two nodes that tie are still a tie
        autograd.gradcheck(lambda a, b: autograd.maximum(a * b, b * a), [1.0, 2.0])


# --- a cost with a large term that an input does not feed ----------------------------------

X2, Y1 = 2.0, 1e4


def two_terms(w1, w2, y1=Y1):
    """C = ½(y₁ - w₁x)² + ½(0 - σ(w₂x))²: a linear neuron far from its target beside a saturated one."""
    return 0.5 * (y1 - w1 * X2) ** 2 + 0.5 * (0.0 - (w2 * X2).sigmoid()) ** 2


def two_terms_w2(w1, w2):
    """∂C/∂w₂ = (σ - y₂) σ′ x (BP1 and BP3): the first term does not depend on w₂."""
    return sigma(w2 * X2) ** 2 * (1 - sigma(w2 * X2)) * X2


@pytest.mark.parametrize("cost_of, scale", [
    (two_terms, 1.0),                                               # f = 5e7, of which w₂ feeds 0.5
    (lambda w1, w2: two_terms(w1, w2) / 2, 0.5),                    # the mean of the two terms
    (lambda w1, w2: two_terms(w1, w2, y1=1e8), 1.0),                # f = 5e15
], ids=["sum", "mean", "y1 1e8"])
@pytest.mark.parametrize("slip", [-1.0, 0.0, 5.0], ids=["sign", "zero", "5x"])
def test_a_slip_beside_a_large_term_the_input_does_not_feed_is_caught(cost_of, scale, slip):
    # The rounding of the 5e7 sum was charged to ∂C/∂w₂ (hand_atol 1.8e-3 for a gradient of 4e-9),
    # so a sign slip passed with rel err 2. A sum's derivatives are exact; w₂ reaches only its own term.
    from tests.support import require_torch
    require_torch()
    import torch

    right = lambda w1, w2: scale * two_terms_w2(w1, w2)  # noqa: E731
    point = {"w1": 0.5, "w2": 10.0}
    assert autograd.gradcheck(cost_of, point, hand={"w2": right})["w2"].hand_ok  # (w1's central
    report = autograd.gradcheck(cost_of, point, hand={"w2": lambda w1, w2: slip * right(w1, w2)})
    assert report["w2"].hand_ok is False and not report, str(report)  # difference is off at f = 5e15)
    w1, w2 = (torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in point.values())
    (dw2,) = torch.autograd.grad(cost_of(w1, w2), [w2])  # the same cost on float64 tensors
    assert math.isclose(report["w2"].engine, dw2.item(), rel_tol=1e-12)
    assert math.isclose(report["w2"].engine, right(**point), rel_tol=1e-12)


@pytest.mark.parametrize("w, a, b", [(20.0, 1.0, 0.0), (2e4, 1e-3, 0.0)])
def test_a_right_formula_through_a_hand_built_sigmoid_of_several_inputs_passes(w, a, b):
    # 1/(1 + e^-(w a + b)): ∂/∂a by hand is σ(1 - σ) w, which carries σ's rounding times w = 20;
    # the tolerance charged it once (x's own 1), and called the right formula the one off.
    f = lambda w, a, b: 1 / (1 + (-(w * a + b)).exp())  # noqa: E731
    report = autograd.gradcheck(f, {"w": w, "a": a, "b": b},
                                hand={"a": lambda w, a, b: sigma(w * a + b) * (1 - sigma(w * a + b)) * w})
    assert report["a"].hand_ok, str(report)
    slipped = autograd.gradcheck(f, {"w": w, "a": a, "b": b},
                                 hand={"a": lambda w, a, b: -sigma(w * a + b) * (1 - sigma(w * a + b)) * w})
    assert slipped["a"].hand_ok is False


def test_each_hand_row_keeps_the_bound_it_was_judged_by():
    # The report said "hand: atol 0.0018": the bound of w1, which had no hand value; w2 was held to
    # far less. Each row keeps its own, and the summary is over the rows with a hand value.
    report = autograd.gradcheck(two_terms, {"w1": 0.5, "w2": 10.0}, hand={"w2": two_terms_w2})
    assert report["w1"].hand_atol is None and 0 < report["w2"].hand_atol < 1e-14
    assert report.hand_atol == report["w2"].hand_atol
    (verdict,) = report.verdicts()
    assert f"hand: atol {report['w2'].hand_atol:.2g}, rtol 1e-09" in verdict, verdict
    both = autograd.gradcheck(two_terms, {"w1": 0.5, "w2": 10.0},
                              hand={"w1": lambda w1, w2: -(Y1 - w1 * X2) * X2, "w2": two_terms_w2})
    (verdict,) = both.verdicts()
    assert (f"atol {both['w1'].hand_atol:.2g} for w1, {both['w2'].hand_atol:.2g} for w2; rtol 1e-09"
            in verdict), verdict
    given = autograd.gradcheck(two_terms, {"w1": 0.5, "w2": 10.0}, hand={"w2": two_terms_w2}, hand_atol=1e-3)
    assert given["w2"].hand_atol == 1e-3 and given["w1"].hand_atol is None


def test_a_central_difference_below_its_own_rounding_says_so():
    # At w₂ = 5 the gradient is 9e-5 and f = 5e7: f's rounding alone moves the central difference by
    # 1e-2. The report said "all three differ", and without a hand formula "a wrong engine".
    point = {"w1": 0.5, "w2": 5.0}
    (wrong,) = autograd.gradcheck(two_terms, point, hand={"w2": lambda w1, w2: -two_terms_w2(w1, w2)}).verdicts()
    assert wrong.startswith("MISMATCH engine vs hand for w2") and "all three differ" not in wrong, wrong
    assert "cannot resolve this gradient at eps 1e-06" in wrong and "rests on engine vs hand" in wrong, wrong
    (alone,) = autograd.gradcheck(two_terms, point).verdicts()
    assert "cannot resolve this gradient" in alone and "a wrong engine" not in alone, alone
    # the right hand formula: engine and hand agree, and that is the verdict (the difference says nothing)
    right = autograd.gradcheck(two_terms, point, hand={"w2": two_terms_w2})
    assert right.ok and right.verdicts()[0].startswith("all agree")
    assert "cannot resolve" in right.verdicts()[1] and "the hand formula and the engine agree" in right.verdicts()[1]
    # a central difference that does resolve its gradient still blames the engine
    (detached,) = autograd.gradcheck(lambda a: a.detach() * 2.0, [0.5]).verdicts()
    assert "a wrong engine" in detached and "cannot resolve" not in detached, detached


def test_a_hand_value_the_engines_cancelling_terms_cannot_judge_is_judged_by_the_central_difference():
    """x·1e20 - x·1e20 + x·1e-10: the engine sums terms of 1e20 that cancel (its gradient is 0.0,
    as torch's), so every hand value within its rounding would agree; the central difference
    resolves 1e-10 and judges the hand value instead."""
    f = lambda x: x * 1e20 - x * 1e20 + x * 1e-10  # noqa: E731
    assert autograd.gradcheck(f, {"x": 0.3}, hand={"x": 1e-10}).ok
    for wrong in (1e-7, -1e-10, 2e-10):
        report = autograd.gradcheck(f, {"x": 0.3}, hand={"x": wrong})
        assert not report.ok and report["x"].hand_judged_by_numeric is not None
        assert report.verdicts()[0].startswith("MISMATCH hand vs numeric for x: the engine's gradient sums "
                                               "chain-rule terms that cancel"), report.verdicts()


def test_where_the_difference_cannot_resolve_the_gradient_engine_and_hand_agreeing_is_the_verdict():
    f = lambda x: x * 1e-4 + 5e7  # noqa: E731  (f's rounding moves the difference by 1e-2)
    assert autograd.gradcheck(f, {"x": 0.3}, hand={"x": 1e-4}).ok
    assert not autograd.gradcheck(f, {"x": 0.3}, hand={"x": 2e-4}).ok
    assert not autograd.gradcheck(f, {"x": 0.3}).ok  # without a hand formula nothing vouches for the engine


def test_gradcheck_walks_the_chain_rule_twice_not_three_times(monkeypatch):
    """The engine's column and the hand tolerance read one backward pass; the sizes of the
    chain-rule terms (on |∂z/∂x|) are the other. It took three walks, two of the same numbers."""
    import autograd.engine as engine

    walks = []
    walk = engine.backpropagate
    monkeypatch.setattr(engine, "backpropagate", lambda *args, **kw: walks.append(1) or walk(*args, **kw))
    s = lambda z: 1 / (1 + math.exp(-z))
    report = autograd.gradcheck(lambda z, w: (z * w).sigmoid(), {"z": 0.7, "w": -1.3},
                                hand={"z": lambda z, w: s(z * w) * s(-z * w) * w})
    assert report.ok and report["z"].hand_atol > 0
    assert len(walks) == 2


# --- a small slip where the gradient is tiny ------------------------------------------------

def cost_by_hand(z):
    """Note 000's cost with σ built by hand, 1/(1 + e^-z)."""
    return 0.5 * (Y - 1 / (1 + (-z).exp())) ** 2


def tanh_cost(z):
    """The tanh neuron's cost, C = ½(y - tanh z)²."""
    return 0.5 * (Y - z.tanh()) ** 2


def right_cost(z):
    return sigma(z) * (1 - sigma(z)) * (sigma(z) - Y)


def right_tanh_cost(z):
    return (1 - math.tanh(z) ** 2) * (math.tanh(z) - Y)  # the notes' form


@pytest.mark.parametrize("f, right, z", [
    *((cost, right_cost, z) for z in (-30.0, -10.0, 0.0, 15.0)),
    *((cost_by_hand, right_cost, z) for z in (-30.0, -10.0, 0.0, 15.0)),
    *((tanh_cost, right_tanh_cost, z) for z in (-10.0, 0.0, 10.0)),
])
def test_a_slip_of_a_millionth_is_caught_where_the_gradient_is_tiny(f, right, z):
    # At z = -30 (∂C/∂z = -2.8e-14) the bound was 4 ulps of (0.3 - σ)² = 0.09, charged as if that
    # square's derivative reached z times 1, not times σ' = 1e-13 (and 1/w's, for w = 1 + e^30,
    # times e^30): a formula off by 1e-3 passed. tanh beyond |z| = 10.5 is left out: there the
    # notes' own 1 - tanh² is off by more than 1e-6 (t's rounding, 2^-53, of a 1 - t² below 2e-9).
    assert autograd.gradcheck(f, {"z": z}, hand={"z": right})["z"].hand_ok
    slipped = autograd.gradcheck(f, {"z": z}, hand={"z": lambda z: right(z) * (1 + 1e-6)})
    assert slipped["z"].hand_ok is False, str(slipped)


@settings(max_examples=60, deadline=None)
@given(z=st.floats(-40.0, 40.0, allow_nan=False), by_hand=st.booleans())
def test_a_millionth_slip_is_caught_wherever_the_notes_form_is_exact_enough(z, by_hand):
    """The right formula passes everywhere; ×(1 + 1e-6) fails wherever ∂C/∂z is not 0 and that
    slip is more than twice σ(1 - σ)'s own rounding near σ = 1 (|σ - y| · 4 ulps, z > 21), which
    a bound that lets the notes' form pass cannot tell from a slip."""
    f = cost_by_hand if by_hand else cost
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", KinkWarning)
        row = autograd.gradcheck(f, {"z": z}, hand={"z": right_cost})["z"]
        assert row.hand_ok, (z, row)
        slipped = autograd.gradcheck(f, {"z": z}, hand={"z": lambda z: right_cost(z) * (1 + 1e-6)})["z"]
    slip = 1e-6 * abs(row.engine)
    if row.engine != 0 and slip > 2 * (4 * 2.0 ** -52 * abs(sigma(z) - Y) + 1e-9 * abs(row.engine)):
        assert slipped.hand_ok is False, (z, slipped)
    if row.engine != 0 and z <= 20:
        assert slipped.hand_ok is False, (z, slipped)


@settings(max_examples=40, deadline=None)
@given(z=st.floats(-10.5, 10.5, allow_nan=False))
def test_a_millionth_slip_of_the_tanh_cost_is_caught_where_1_minus_tanh_squared_is_exact_enough(z):
    row = autograd.gradcheck(tanh_cost, {"z": z}, hand={"z": right_tanh_cost})["z"]
    assert row.hand_ok, (z, row)
    slipped = autograd.gradcheck(tanh_cost, {"z": z}, hand={"z": lambda z: right_tanh_cost(z) * (1 + 1e-6)})
    assert row.engine == 0 or slipped["z"].hand_ok is False, (z, str(slipped))


# --- at σ(z) = y, where y - σ(z) is nothing but σ's rounding ---------------------------------

def logit(y):
    return math.log(y / (1 - y))


SIGMAS_BY_HAND = {  # σ as a reader of the notes computes it in floats
    "1/(1+e^-z)": sigma,
    "e^z/(1+e^z)": lambda z: math.exp(z) / (1 + math.exp(z)),
}


@pytest.mark.parametrize("f", [cost, cost_by_hand], ids=["sigmoid", "by hand"])
@pytest.mark.parametrize("form", sorted(SIGMAS_BY_HAND))
@pytest.mark.parametrize("dz", [0.0, *(s * k * 2.0 ** -53 for s in (1, -1) for k in (1, 2, 3, 5, 8, 13)),
                                *(s * 10.0 ** -k for s in (1, -1) for k in (15, 13, 11, 9, 7))])
def test_the_right_formula_passes_where_sigma_equals_y(f, form, dz):
    # At z = log(0.3/0.7), y - σ(z) is a difference of two numbers of 0.3: all it holds is σ's
    # rounding, ~2^-53 |σ|, which a hand (σ - y) σ(1 - σ) inherits. The bound charged u² only
    # |u| ≈ 0 for it (hand_atol 0: hand 1.2e-17, engine -0.0, MISMATCH).
    s = SIGMAS_BY_HAND[form]
    z = logit(Y) + dz
    right = lambda z: (s(z) - Y) * s(z) * (1 - s(z))  # noqa: E731
    report = autograd.gradcheck(f, {"z": z}, hand={"z": right})
    assert report["z"].hand_ok, str(report)
    for slip in (-1.0, 2.0):  # a sign or a factor 2 is still caught where σ - y is more than rounding
        slipped = autograd.gradcheck(f, {"z": z}, hand={"z": lambda z: slip * right(z)})["z"]
        assert abs(sigma(z) - Y) <= 16 * 2.0 ** -53 or slipped.hand_ok is False, (z, slipped)


@settings(max_examples=80, deadline=None)
@given(y=st.floats(0.001, 0.999), exponent=st.floats(-17.0, -3.0), side=st.sampled_from([-1.0, 0.0, 1.0]),
       by_hand=st.booleans())
def test_near_sigma_equals_y_the_right_formula_passes_and_slips_above_rounding_fail(y, exponent, side, by_hand):
    """For any target y and z within 1e-3 of logit(y): the notes' formula passes; a sign slip or
    a factor 2 fails once σ - y is more than a few ulps, a slip of 1e-6 once it is 1e-8 (the slip
    is then 100 times σ's rounding)."""
    z = logit(y) + side * 10.0 ** exponent
    f = ((lambda z: 0.5 * (y - 1 / (1 + (-z).exp())) ** 2) if by_hand
         else (lambda z: 0.5 * (y - z.sigmoid()) ** 2))
    right = lambda z: (sigma(z) - y) * sigma(z) * (1 - sigma(z))  # noqa: E731
    assert autograd.gradcheck(f, {"z": z}, hand={"z": right})["z"].hand_ok, z
    gap = abs(sigma(z) - y)
    for slip, caught_above in ((-1.0, 16 * 2.0 ** -53), (2.0, 32 * 2.0 ** -53), (1 + 1e-6, 1e-8)):
        slipped = autograd.gradcheck(f, {"z": z}, hand={"z": lambda z: slip * right(z)})["z"]
        assert gap <= caught_above or slipped.hand_ok is False, (z, slip, slipped)


@pytest.mark.parametrize("y, a, b", [(0.3, 2.5, -0.05), (0.24, 2.0, -0.05), (0.8, -1.5, 0.3), (0.05, 0.7, 1.0)])
@pytest.mark.parametrize("dw", [0.0, 1e-15, -1e-13, 1e-11])
def test_the_neurons_right_gradients_pass_where_its_output_equals_the_target(y, a, b, dw):
    # ∂C/∂w = (σ - y) σ' a, ∂/∂a = (σ - y) σ' w, ∂/∂b = (σ - y) σ' of C = ½(y - σ(w a + b))²
    # at the w where σ(w a + b) = y: each carries σ's rounding (and w a + b's), which was charged 0.
    w = (logit(y) - b) / a + dw
    f = lambda w, a, b: 0.5 * (y - (w * a + b).sigmoid()) ** 2  # noqa: E731
    g = lambda w, a, b: (sigma(w * a + b) - y) * sigma(w * a + b) * (1 - sigma(w * a + b))  # noqa: E731
    hand = {"w": lambda w, a, b: g(w, a, b) * a, "a": lambda w, a, b: g(w, a, b) * w, "b": g}
    report = autograd.gradcheck(f, {"w": w, "a": a, "b": b}, hand=hand)
    assert all(row.hand_ok for row in report.rows), str(report)
    slipped = autograd.gradcheck(f, {"w": w, "a": a, "b": b}, hand={"b": lambda w, a, b: -g(w, a, b)})
    assert abs(sigma(w * a + b) - y) <= 16 * 2.0 ** -53 or slipped["b"].hand_ok is False, str(slipped)


@pytest.mark.parametrize("f, inputs, says", [
    (lambda w, b: w * b, {"w": 1.0, "c": 2.0}, "gradcheck: f must take the inputs by name: (w, c); it takes (w, b)"),
    (lambda w, b: w * b, [1.0], "gradcheck: f must take the inputs 1 positional argument (x0); it takes (w, b)")])
def test_an_f_that_cannot_take_the_inputs_is_named_as_the_hand_formula_is(f, inputs, says):
    """A dict key that is not f's parameter gave Python's bare "<lambda>() got an unexpected
    keyword argument 'c'"; the hand formula's was already named."""
    with pytest.raises(TypeError) as error:
        autograd.gradcheck(f, inputs)
    assert says in str(error.value)

