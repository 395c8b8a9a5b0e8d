"""The table's description of each op's structure: input groups, constants and their checks,
the activation flag and how a picture draws the op."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd
from autograd import OPS, Value
from autograd.ops import ACTIVATIONS, input_groups, is_activation, symbol


def leaves(numbers, name):
    return [Value(x, label=f"{name}{k}") for k, x in enumerate(numbers, 1)]


def test_every_op_declares_its_groups_and_constants():
    for op in OPS.values():
        assert op.inputs and all(isinstance(name, str) for name in op.inputs), op.name
        assert all(c.name and callable(c.check) for c in op.consts), op.name
        assert (op.layout is not None) == (op.variadic and len(op.inputs) > 1), op.name


@given(st.integers(1, 6), st.booleans())
def test_a_dot_node_splits_into_weights_inputs_and_bias(n, with_bias):
    ws, xs = leaves(range(n), "w"), leaves(range(n), "a")
    bias = Value(0.5, label="b") if with_bias else None
    z = autograd.dot(ws, xs, bias)
    groups = input_groups(z)
    assert list(groups) == ["weights", "inputs", "bias"]
    assert groups["weights"] == tuple(ws) and groups["inputs"] == tuple(xs)
    assert groups["bias"] == ((bias,) if with_bias else ())


def test_a_dot_data_node_splits_into_weights_and_bias():
    ws, bias = leaves([1.0, 2.0], "w"), Value(0.5, label="b")
    z = autograd.dot(ws, [3.0, 4.0], bias)
    assert input_groups(z) == {"weights": tuple(ws), "bias": (bias,)}


def test_fixed_arity_ops_have_one_input_per_group_and_a_leaf_has_none():
    x, y = Value(1.0, label="x"), Value(2.0, label="y")
    assert input_groups(x * y) == {"x": (x,), "y": (y,)}
    assert input_groups(2.0 ** x) == {"y": (x,)}
    assert input_groups(x.tanh()) == {"z": (x,)}
    assert input_groups(autograd.sum([x, y, x])) == {"xs": (x, y, x)}
    assert input_groups(x) == {}


def test_the_same_split_serves_numbers_and_arrays():
    xs = np.arange(7.0).reshape(7, 1)
    groups = OPS["dot"].split(xs, {"n": 3})
    assert [g.ravel().tolist() for g in groups.values()] == [[0, 1, 2], [3, 4, 5], [6]]


def test_the_activations_are_asked_of_the_table():
    assert ACTIVATIONS == ("tanh", "sigmoid", "relu", "step")
    assert all(is_activation(name) for name in ACTIVATIONS)
    assert not any(is_activation(name) for name in ("+", "exp", "dot", "sum", "", "no such op"))


def test_how_a_picture_draws_each_op():
    x = Value(2.0, label="x")
    assert symbol(x * x) == "×" and symbol(x.sigmoid()) == "σ" and symbol(autograd.sum([x, x])) == "Σ"
    assert symbol(x ** 2) == "x^2" and symbol(3 ** x) == "3^y" and symbol(x.step(0.5)) == "step≥0.5"
    assert symbol(x ** 0.5, number=lambda c: f"{c:.3f}") == "x^0.500"
    assert symbol(x) == ""
    assert symbol(autograd.softmax([x, x])[1]) == "softmax_1"
    assert all(op.shown({c.name: 1 for c in op.consts if c.name in ("k", "c", "threshold", "n", "i")})
               for op in OPS.values())


# --- constants are checked as strictly as inputs (#13 item 7) -------------------------

@pytest.mark.parametrize("op_name, inputs, consts, error, says", [
    ("dot", (1.0, 2.0), {"n": 5}, ValueError, r"apply\('dot'\): 2 inputs do not fit n=5: .*2n or 2n \+ 1"),
    ("dot", (1.0, 2.0, 3.0), {"n": -1}, ValueError, r"apply\('dot'\): constant n: expected an int >= 1, got -1"),
    ("dot", (1.0, 2.0), {"n": 0}, ValueError, r"constant n: expected an int >= 1, got 0"),
    ("dot", (1.0, 2.0), {"n": 1.0}, TypeError, r"apply\('dot'\): constant n: expected an int >= 1, got float"),
    ("dot", (1.0, 2.0), {"n": True}, TypeError, r"constant n: expected an int >= 1, got bool"),
    ("dot", (1.0, 2.0, 3.0, 4.0, 5.0, 6.0), {"n": 2}, ValueError, r"6 inputs do not fit n=2"),
    ("**k", (2.0,), {"k": math.inf}, ValueError, r"apply\('\*\*k'\): constant k: expected a finite number, got inf"),
    ("**k", (2.0,), {"k": -math.inf}, ValueError, r"constant k: expected a finite number, got -inf"),
    ("**k", (2.0,), {"k": "a"}, TypeError, r"apply\('\*\*k'\): constant k: expected a real number.*str 'a'"),
    ("**k", (2.0,), {"k": 10 ** 400}, ValueError, r"constant k: .*int too large for a float"),
    ("c**y", (2.0,), {"c": math.nan}, ValueError, r"apply\('c\*\*y'\): constant c: expected a finite number, got nan"),
    ("step", (2.0,), {"threshold": math.nan}, ValueError, r"apply\('step'\): constant threshold: .*got nan"),
    ("step", (2.0,), {"threshold": None}, TypeError, r"apply\('step'\): constant threshold: .*NoneType"),
    ("dot_data", (1.0,), {"x": (1.0, math.inf)}, ValueError, r"apply\('dot_data'\): constant x\[1\]: .*got inf"),
    ("dot_data", (1.0,), {"x": ()}, ValueError, r"apply\('dot_data'\): constant x: expected at least one"),
    ("dot_data", (1.0,), {"x": 3.0}, TypeError, r"apply\('dot_data'\): constant x: expected a sequence"),
    ("dot_data", (1.0, 2.0, 3.0), {"x": (1.0,)}, ValueError, r"3 inputs do not fit x=\(1\.0,\)"),
    ("sum", (), {}, TypeError, r"apply\('sum'\): got 0 inputs.*at least one input"),
])
def test_apply_checks_each_constant_as_its_table_entry_declares(op_name, inputs, consts, error, says):
    with pytest.raises(error, match=says):
        autograd.apply(op_name, *inputs, **consts)


def test_apply_stores_the_checked_constants():
    x = Value(2.0)
    z = autograd.apply("**k", x, k=np.int64(3))
    assert z.consts == {"k": 3.0} and type(z.consts["k"]) is float and z.data == 8.0
    z = autograd.apply("dot", *map(Value, [1, 2, 3, 4]), n=np.int32(2))
    assert z.consts == {"n": 2} and type(z.consts["n"]) is int and z.data == 11.0
    z = autograd.apply("dot_data", Value(1.0), x=[np.float32(2.0)])
    assert z.consts == {"x": (2.0,)} and z.data == 2.0


def test_is_activation_takes_a_node_as_its_neighbours_do():
    from autograd.ops import is_activation
    x = autograd.Value(0.3)
    assert is_activation(x.tanh()) and is_activation("tanh") and not is_activation(x) and not is_activation(x * 2)
    with pytest.raises(TypeError, match="is_activation: expected an op name or a node, got float"):
        is_activation(0.5)
