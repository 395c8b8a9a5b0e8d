"""The checks of a data set's targets: numpy over a whole array agrees with the per-example check.

A numeric numpy y is judged by each loss's array form; an object array (the same numbers as
Python objects) takes the per-example path. Both must accept the same data sets with the same
checked targets, and refuse the same ones with the same error: type, example index and message.
"""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd
import nn
from autograd import Value
from nn.targets import TargetRows, check_targets, data_set
from tests.support import require_torch

LOSSES = [nn.sse, nn.mse, nn.bce, nn.bce_with_logits, nn.cross_entropy, nn.nll, nn.hinge]
ENTRIES = [0.0, 1.0, -1.0, 0.5, 2.0, 3.0, -0.0, 1e300, math.nan, math.inf, -math.inf]


def outcome(model, y, loss):
    """(checked targets, the float array or None) or (error type, message)."""
    X = np.zeros((len(y), model.nin))
    try:
        _, targets, Y = data_set(model, X, y, loss, "fit")
    except (TypeError, ValueError, IndexError) as error:
        return type(error), str(error)
    return list(targets), Y


def assert_same(model, y, loss):
    fast = outcome(model, y, loss)
    slow = outcome(model, y.astype(object), loss)  # the same numbers, as Python objects
    assert fast[0] == slow[0]
    if isinstance(fast[0], type):
        assert fast[1] == slow[1]
    else:
        np.testing.assert_array_equal(fast[1], np.asarray(fast[0], dtype=float))


def target_arrays(n_examples=5):
    shapes = st.sampled_from([(n_examples,), (n_examples, 1), (n_examples, 2), (n_examples, 3),
                              (n_examples, 3, 1), (n_examples, 1, 3)])
    entries = st.sampled_from(ENTRIES)
    # mostly valid-looking entries, sometimes one bad one, so both outcomes are exercised
    return shapes.flatmap(lambda shape: hnp.arrays(float, shape, elements=st.one_of(
        st.sampled_from([0.0, 1.0, 2.0]), entries)))


@settings(max_examples=150, deadline=None)
@given(target_arrays(), st.sampled_from(LOSSES), st.sampled_from([1, 2, 3]))
def test_array_and_per_example_checks_agree(y, loss, nout):
    assert_same(nn.MLP(2, [nout], seed=0), y, loss)


@settings(max_examples=60, deadline=None)
@given(hnp.arrays(np.int64, st.sampled_from([(6,), (6, 1), (6, 3)]), elements=st.integers(-2, 4)),
       st.sampled_from(LOSSES), st.sampled_from([1, 3]))
def test_integer_targets_agree(y, loss, nout):
    assert_same(nn.MLP(2, [nout], seed=0), y, loss)


@pytest.mark.parametrize("loss, y, nout, error, message", [
    (nn.cross_entropy, np.array([0, 1, 3, 5]), 3, IndexError,
     r"^fit y\[2\]: cross_entropy: class index 3 is out of range for 3 classes \(expected 0 to 2\)$"),
    (nn.cross_entropy, np.array([0.0, 1.5, 1.0, 0.0]), 3, ValueError, r"^fit y\[1\]: .*whole number, got 1.5$"),
    (nn.nll, np.array([[0, 1, 0], [0, 0, 0], [1, 0, 0], [0, 0, 1]]), 3, ValueError,
     r"^fit y\[1\]: nll: a one-hot target needs entries >= 0"),
    (nn.sse, np.array([[0.0, 1.0], [1.0, np.inf], [0.0, 0.0], [1.0, 1.0]]), 2, ValueError,
     r"^fit y\[1\]: sse: target: expected a finite number, got inf$"),
    (nn.bce, np.array([0.0, 1.0, 1.0, 1.2]), 1, ValueError,
     r"^fit y\[3\]: bce: the target must be a probability"),
    (nn.hinge, np.array([1, -1, 0, 1]), 1, ValueError,
     r"^fit y\[2\]: hinge: the target must be -1 or \+1, got 0"),
    (nn.mse, np.zeros((4, 3)), 2, ValueError,
     r"^fit y\[0\]: mse: the target has 3 entries but the prediction has 2"),
    (nn.hinge, np.array([True, False, True, True]), 1, ValueError,  # bools are 0/1, not -1/+1
     r"^fit y\[1\]: hinge: the target must be -1 or \+1, got 0\.0"),
])
def test_a_bad_numpy_target_is_named_with_its_index(loss, y, nout, error, message):
    with pytest.raises(error, match=message):
        nn.fit(nn.MLP(2, [nout], seed=0), np.zeros((len(y), 2)), y, loss=loss, epochs=1, lr=0.1, progress=False)


def test_class_indices_become_one_hot_rows_as_one_example_does():
    model = nn.MLP(2, [3], seed=0)
    _, targets, Y = data_set(model, np.zeros((3, 2)), np.array([2, 0, 1]), nn.cross_entropy, "fit")
    assert isinstance(targets, TargetRows)  # judged by numpy, read one example at a time on demand
    assert list(targets) == [nn.cross_entropy.target(c, 3) for c in (2, 0, 1)]
    np.testing.assert_array_equal(Y, np.eye(3)[[2, 0, 1]])


def test_x_is_used_without_a_copy_and_a_bad_entry_is_still_named():
    X = np.random.default_rng(0).random((50, 2))
    checked, _, _ = data_set(nn.MLP(2, [1], seed=0), X, np.zeros(50), nn.mse, "fit")
    assert np.shares_memory(checked, X)
    X[31, 1] = -np.inf
    with pytest.raises(ValueError, match="example 31, input x_2 is -inf"):
        data_set(nn.MLP(2, [1], seed=0), X, np.zeros(50), nn.mse, "fit")


def test_huge_finite_inputs_are_accepted():
    X = np.full((3, 2), 1e308)  # their sum overflows; every entry is finite
    checked, _, _ = data_set(nn.MLP(2, [1], seed=0), X, np.zeros(3), nn.mse, "fit")
    assert np.isfinite(checked).all()


def test_a_zero_dimensional_y_is_not_a_sequence():
    with pytest.raises(TypeError, match="expected a sequence of 2 targets"):
        data_set(nn.MLP(2, [1], seed=0), np.zeros((2, 2)), np.array(1.0), nn.mse, "fit")


@pytest.mark.parametrize("as_list", [False, True])
def test_bools_in_a_data_set_are_0_and_1_as_in_numpy_and_scikit_learn(as_list):
    X = np.array([[True, False], [False, True], [True, True], [False, False]])
    y = np.array([True, True, False, False])
    one_hot = np.eye(2, dtype=bool)[[0, 1, 1, 0]]
    if as_list:
        X, y, one_hot = X.tolist(), y.tolist(), one_hot.tolist()
    for loss, targets, nout in ((nn.bce_with_logits, y, 1), (nn.cross_entropy, one_hot, 2)):
        histories = [nn.fit(nn.MLP(2, [3, nout], seed=0), X_, y_, loss=loss, epochs=2, lr=0.1, progress=False,
                            compiled=compiled)
                     for X_, y_ in ((X, targets), (np.asarray(X, float), np.asarray(targets, float)))
                     for compiled in (False, True)]
        assert all(np.allclose(h.loss, histories[0].loss, rtol=1e-12) for h in histories)
    model = nn.MLP(2, [3, 1], seed=0)
    assert nn.accuracy(model, X, y) == nn.accuracy(model, np.asarray(X, float), np.asarray(y, float))
    np.testing.assert_array_equal(model.predict(X), model.predict(np.asarray(X, float)))


def test_bools_are_not_weights():
    with pytest.raises(TypeError, match="Layer.set_weights W: expected real numbers only"):
        nn.Layer(2, 1).set_weights(np.array([[True, False]]), [0.0])


# --- PyTorch's BCEWithLogitsLoss and BCELoss: one probability per output (multi-label) ----------

TORCH_NAMED = [nn.BCEWithLogitsLoss(), nn.BCELoss(), nn.MSELoss(), nn.CrossEntropyLoss()]


@settings(max_examples=150, deadline=None)
@given(target_arrays(), st.sampled_from(TORCH_NAMED), st.sampled_from([1, 2, 3]))
def test_array_and_per_example_checks_agree_for_the_pytorch_named_losses(y, loss, nout):
    assert_same(nn.MLP(2, [nout], seed=0), y, loss)


@pytest.mark.parametrize("loss", [nn.BCEWithLogitsLoss(), nn.BCELoss()], ids=repr)
def test_pytorch_bce_takes_a_probability_per_output_and_nn_bce_one_output(loss):
    model = nn.MLP(2, [3], seed=0)
    X = np.zeros((2, 2))
    for y in (np.array([[1, 0, 1], [0.0, 0.5, 1.0]]), [[1, 0, 1], [0.0, 0.5, 1.0]]):
        _, targets, Y = data_set(model, X, y, loss, "fit")
        assert [list(t) for t in targets] == [[1.0, 0.0, 1.0], [0.0, 0.5, 1.0]]
        np.testing.assert_array_equal(Y, [[1.0, 0.0, 1.0], [0.0, 0.5, 1.0]])
    for y in (np.array([[1, 0, 1], [0.0, 1.5, 1.0]]), [[1, 0, 1], [0.0, 1.5, 1.0]]):
        with pytest.raises(ValueError, match=rf"^fit y\[1\]: {type(loss).__name__}: the target must be a "
                                             r"probability in \[0, 1\] \(a 0/1 label\), got 1\.5 \(entry 2 of 3\)$"):
            data_set(model, X, y, loss, "fit")
    with pytest.raises(ValueError, match=r"the target has 2 entries but the prediction has 3 outputs"):
        data_set(model, X, [[1, 0], [0, 1]], loss, "fit")
    native = nn.bce_with_logits if isinstance(loss, nn.BCEWithLogitsLoss) else nn.bce
    with pytest.raises(ValueError, match="expects a single output per example, got 3 outputs"):
        data_set(model, X, [[1, 0, 1], [0, 0, 1]], native, "fit")


def test_class_indices_given_as_a_column_are_named_as_such():
    # y.reshape(-1, 1) of class indices: refused (as torch does), saying what the shape should be
    # rather than calling it a one-hot row of the wrong length.
    model = nn.MLP(2, [3, 2], seed=0)
    with pytest.raises(ValueError, match=r"fit y\[0\]: cross_entropy: .*a class index is one number per "
                                         r"example \(y of shape \(N,\), not \(N, 1\)\)"):
        nn.fit(model, np.zeros((4, 2)), np.array([0, 1, 0, 1]).reshape(-1, 1), loss="cross_entropy",
               epochs=1, lr=0.1, progress=False)


# --- a list or tuple of numbers: judged by numpy at once, as its array -------------------------

def _as_tuples(y):
    """y as nested tuples (y.tolist() as lists)."""
    return tuple(_as_tuples(row) for row in y) if y.ndim > 1 else tuple(y.tolist())


def assert_list_same(model, y, loss):
    """A list and a tuple of y's numbers give what y gives: the same targets, or the same error."""
    of_array = outcome(model, y, loss)
    for listed in (y.tolist(), _as_tuples(y)):
        got = outcome(model, listed, loss)
        assert got[0] == of_array[0]
        if isinstance(got[0], type):
            assert got[1] == of_array[1]
        else:
            np.testing.assert_array_equal(got[1], of_array[1])


@settings(max_examples=150, deadline=None)
@given(target_arrays(), st.sampled_from(LOSSES + TORCH_NAMED), st.sampled_from([1, 2, 3]))
def test_a_list_and_an_array_of_targets_give_the_same_targets_and_errors(y, loss, nout):
    assert_list_same(nn.MLP(2, [nout], seed=0), y, loss)


@settings(max_examples=60, deadline=None)
@given(hnp.arrays(np.int64, st.sampled_from([(6,), (6, 1), (6, 3)]), elements=st.integers(-2, 4)),
       st.sampled_from(LOSSES), st.sampled_from([1, 3]))
def test_a_list_and_an_array_of_integer_targets_agree(y, loss, nout):
    assert_list_same(nn.MLP(2, [nout], seed=0), y, loss)


@pytest.mark.parametrize("y", [[2, 0, 1], (2.0, 0, 1), [[0, 0, 1], (1, 0, 0), np.array([0, 1, 0])],
                               [np.float32(2), np.int8(0), np.array(1)]], ids=repr)
def test_a_list_of_numbers_is_judged_by_numpy_at_once(y):
    # Each entry was judged on its own, 4x the start of a fit on 10,000 one-hot rows.
    targets, Y = check_targets(y, nn.cross_entropy, 3, "fit")
    assert isinstance(targets, TargetRows)
    np.testing.assert_array_equal(Y, np.eye(3)[[2, 0, 1]])


@pytest.mark.parametrize("loss, y, nout, error, message", [
    (nn.mse, [0.0, True, 1.0], 1, TypeError, r"^fit y\[1\]: mse: target: expected a real number, got bool True$"),
    (nn.cross_entropy, [[0, 1], [np.True_, False]], 2, TypeError,
     r"^fit y\[1\]: cross_entropy: target: expected a real number, got bool np.True_$"),
    (nn.cross_entropy, [0, "1"], 2, TypeError,
     r"^fit y\[1\]: cross_entropy: expected a class index or a one-hot sequence, got str '1'$"),
    (nn.mse, ["0.5", 1.0], 1, TypeError, r"^fit y\[0\]: mse: target: expected a real number .* got str '0.5'$"),
    (nn.mse, [0.0, 10 ** 400], 1, ValueError, r"^fit y\[1\]: mse: target: expected a finite number, got an int "
                                               r"too large for a float"),
    (nn.hinge, [1, -1, 2 ** 70], 1, ValueError, r"^fit y\[2\]: hinge: the target must be -1 or \+1, got 1.18"),
])
def test_a_list_numpy_would_read_otherwise_is_judged_entry_by_entry(loss, y, nout, error, message):
    # np.asarray makes True a 1 and "1" stays text; the list's own entries are named, as before.
    with pytest.raises(error, match=message):
        data_set(nn.MLP(2, [nout], seed=0), np.zeros((len(y), 2)), y, loss, "fit")


@pytest.mark.parametrize("loss, y, nout", [
    (nn.CrossEntropyLoss(), np.array([0, 2, 1]), 3),  # class indices: an int64 tensor stays integers
    (nn.cross_entropy, np.array([2, 2, 0]), 3),
    (nn.CrossEntropyLoss(), np.eye(3)[[1, 0, 2]], 3),
    (nn.MSELoss(), np.array([[0.5, -1.0], [2.0, 0.25], [0.0, 1.5]]), 2),
    (nn.mse, np.array([0.5, -1.0, 2.0]), 1),
    (nn.BCELoss(), np.array([[1.0, 0.0], [0.25, 1.0], [0.0, 0.0]]), 2),
    (nn.bce_with_logits, np.array([1.0, 0.0, 1.0]), 1),
])
def test_y_as_a_torch_tensor_gives_what_the_same_numpy_array_gives(loss, y, nout):
    require_torch()
    import torch
    model, X = nn.MLP(2, [nout], seed=0), np.zeros((3, 2))
    _, expected, expected_Y = data_set(model, X, y, loss, "fit")
    tensors = [torch.from_numpy(y)] + ([torch.from_numpy(y).requires_grad_()] if y.dtype == float else [])
    for tensor in tensors:  # one that requires grad gives its numbers, as a target is data
        _, targets, Y = data_set(model, X, tensor, loss, "fit")
        assert list(targets) == list(expected)
        np.testing.assert_array_equal(Y, expected_Y)


def test_fit_trains_on_a_tensor_y_as_on_its_numpy_array_and_names_a_bad_entry():
    require_torch()
    import torch
    X, y = np.array([[0.1, 0.2], [0.3, -0.4], [-0.5, 0.6]]), np.array([0, 2, 1])
    trained = []
    for targets in (y, torch.from_numpy(y)):
        model = nn.Sequential(nn.Linear(2, 3, seed=0))
        nn.fit(model, X, targets, loss=nn.CrossEntropyLoss(), epochs=2, lr=0.1, seed=0, progress=False)
        trained.append(model.state_dict())
    assert trained[0] == trained[1]
    model = nn.Sequential(nn.Linear(2, 3, seed=0))
    with pytest.raises(IndexError, match=r"^fit y\[1\]: CrossEntropyLoss: class index 3 is out of range"):
        nn.fit(model, X, torch.tensor([0, 3, 1]), loss=nn.CrossEntropyLoss(), epochs=1, progress=False)
    with pytest.raises(TypeError, match=r"^fit y: expected a sequence of 3 targets, got Tensor$"):
        nn.fit(model, X, torch.tensor(1), loss=nn.CrossEntropyLoss(), epochs=1, progress=False)


@pytest.mark.parametrize("loss, nout, y, message", [
    (nn.CrossEntropyLoss(), 2, [0, 5], r"CrossEntropyLoss: class index 5 is out of range for 2 classes"),
    (nn.CrossEntropyLoss(), 2, [0, 0.5], r"CrossEntropyLoss: a class index must be a whole number, got 0\.5"),
    (nn.CrossEntropyLoss(), 1, [0, 1], r"CrossEntropyLoss: needs at least 2 outputs .*nn\.BCEWithLogitsLoss"),
    (nn.BCELoss(), 1, [0, 3], r"BCELoss: the target must be a probability in \[0, 1\]"),
    (nn.BCEWithLogitsLoss(), 1, [0, -1], r"BCEWithLogitsLoss: the target must be a probability in \[0, 1\]"),
    (nn.MSELoss(), 1, [0, float("nan")], r"MSELoss: target: expected a finite number, got nan"),
])
def test_fit_and_accuracy_name_the_pytorch_loss_the_user_wrote_not_nns_own(loss, nout, y, message):
    model = nn.Sequential(nn.Linear(2, 3, seed=0), nn.Tanh(), nn.Linear(3, nout, seed=1))
    X = [[0.1, 0.2], [0.3, -0.4]]
    # the array's check, and one example at a time (a str among the targets: no array)
    for targets, expected in ((y, message), (np.array(y), message), ([y[0], str(y[1])], type(loss).__name__)):
        with pytest.raises((ValueError, IndexError, TypeError), match=rf"^fit y\[\d\]: {expected}"):
            nn.fit(model, X, targets, loss=loss, epochs=1, lr=0.1, progress=False)
        with pytest.raises((ValueError, IndexError, TypeError), match=rf"^accuracy y\[\d\]: {expected}"):
            nn.accuracy(model, X, targets, loss=loss)


@pytest.mark.parametrize("loss, nout, targets", [
    (nn.cross_entropy, 3, lambda labels: np.eye(3)[labels]),
    (nn.CrossEntropyLoss(), 3, lambda labels: np.eye(3)[labels]),
    (nn.nll, 3, lambda labels: np.eye(3)[labels]),
    (nn.hinge, 1, lambda labels: (2.0 * (labels % 2) - 1.0).reshape(-1, 1)),
])
def test_a_loss_written_by_hand_compiles_with_its_targets_as_placeholders(loss, nout, targets):
    """autograd.compile(lambda xs, ys: loss(model(xs), ys), ...) as the README writes it for sse:
    the targets are Values there, and the classification losses took them as wrong targets."""
    rng = np.random.default_rng(0)
    X, labels = rng.normal(size=(12, 4)), np.arange(12) % 3
    Y = targets(labels)
    last = "softmax" if loss is nn.nll else None
    model = nn.MLP(4, [5, nout], activation="tanh", output_activation=last, seed=0)
    program = autograd.compile(lambda xs, ys: loss(model(xs), list(ys) if nout > 1 else ys[0]), examples=(X, Y),
                               parameters=model.parameters())
    got = program.backward(X, Y)
    grads = [p.grad for p in model.parameters()]
    model.zero_grad()
    by_the_engine = nn.mean_loss(loss, [model(x.tolist()) for x in X], [y.tolist() if nout > 1 else y[0] for y in Y])
    by_the_engine.backward()
    assert got == pytest.approx(by_the_engine.data, rel=1e-12)
    assert grads == pytest.approx([p.grad for p in model.parameters()], rel=1e-9, abs=1e-14)


def test_a_class_index_that_is_a_value_says_to_give_one_hot_targets():
    with pytest.raises(TypeError, match=r"cross_entropy: the target is a Value holding the class index 2\.0, .*"
                                        r"give one-hot targets \(3 entries per example, np\.eye\(3\)\[y\]\)"):
        nn.cross_entropy([Value(0.1), Value(0.2), Value(0.3)], Value(2.0))
