"""nn.fit: the notes' batch, mini-batch and stochastic descent; XOR; two moons; history; accuracy."""

import math
import re
import warnings

import numpy as np
import pytest

import autograd
import nn
from nn.datasets import two_moons, xor


class CountingSGD(nn.SGD):
    """SGD that counts its steps (one per parameter update)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.calls = 0

    def step(self):
        self.calls += 1
        super().step()


@pytest.mark.parametrize("batch_size,updates_per_epoch", [(None, 1), (4, 3), (5, 2), (10, 1), (1, 10), (32, 1)])
def test_updates_per_epoch_for_batch_mini_batch_and_stochastic_descent(batch_size, updates_per_epoch):
    X, y = np.linspace(-1, 1, 10).reshape(10, 1), np.linspace(0, 1, 10)
    model = nn.MLP(1, [2, 1], seed=0)
    optimizer = CountingSGD(model.parameters(), lr=0.01)
    seen = []
    history = nn.fit(model, X, y, loss=nn.mse, epochs=3, batch_size=batch_size, optimizer=optimizer,
                     progress=False, callback=lambda epoch, h: seen.append(optimizer.calls))
    assert seen == [updates_per_epoch, 2 * updates_per_epoch, 3 * updates_per_epoch]
    assert history.updates == [updates_per_epoch] * 3 and optimizer.steps == 3 * updates_per_epoch


def test_one_update_uses_the_gradient_averaged_over_the_batch():
    X, y = np.array([[0.5], [-1.0], [2.0]]), np.array([1.0, 0.0, -1.0])
    model = nn.MLP(1, [2, 1], seed=0)
    eta = 0.1
    start = model.state_dict()
    grads = np.zeros(model.num_parameters())
    for x, t in zip(X, y):  # θ ← θ - η/|D| Σ_i ∂C_i/∂θ, by hand
        model.zero_grad()
        nn.mse(model(x), t).backward()
        grads += [p.grad for p in model.parameters()]
    expected = np.array(list(start.values())) - eta * grads / len(X)
    nn.fit(model, X, y, loss=nn.mse, epochs=1, lr=eta, shuffle=False, progress=False)
    assert list(model.state_dict().values()) == pytest.approx(expected, rel=1e-12)


def test_stochastic_descent_without_shuffle_visits_examples_in_order():
    X, y = np.array([[0.5], [-1.0]]), np.array([1.0, 0.0])
    model, twin = nn.MLP(1, [1], seed=0), nn.MLP(1, [1], seed=0)
    nn.fit(model, X, y, loss=nn.mse, epochs=1, batch_size=1, lr=0.1, shuffle=False, progress=False)
    optimizer = nn.SGD(twin.parameters(), 0.1)
    for x, t in zip(X, y):
        optimizer.zero_grad()
        nn.mse(twin(x), t).backward()
        optimizer.step()
    assert model.state_dict() == pytest.approx(twin.state_dict())


def test_xor_is_learnt_by_a_2_4_1_tanh_network():
    X, y = xor()
    model = nn.MLP(2, [4, 1], activation="tanh", seed=1)
    history = nn.fit(model, X, y, loss=nn.mse, epochs=500, lr=0.1, progress=False)
    assert history.loss[-1] < 1e-3 < history.loss[0]
    assert nn.accuracy(model, X, y) == 1.0
    assert np.round(model.predict(X)).tolist() == [0.0, 1.0, 1.0, 0.0]


def test_two_moons_is_learnt_to_99_percent():
    X, y = two_moons(100, noise=0.1, seed=0)
    model = nn.MLP(2, [16, 16, 1], seed=0)
    history = nn.fit(model, X, y, loss=nn.bce_with_logits, epochs=30, batch_size=20,
                     optimizer=nn.Adam(model.parameters(), lr=0.05), seed=0, progress=False)
    assert nn.accuracy(model, X, y, loss=nn.bce_with_logits) >= 0.99
    assert history.accuracy[-1] >= 0.99 and history.loss[-1] < history.loss[0]


def test_two_moons_generator():
    X, y = two_moons(51, noise=0.0, seed=3)
    assert X.shape == (51, 2) and sorted(set(y)) == [0.0, 1.0] and (y == 0).sum() == 26
    upper = X[y == 0]
    assert np.hypot(*upper.T) == pytest.approx(np.ones(26))
    assert np.array_equal(two_moons(20, seed=1)[0], two_moons(20, seed=1)[0])


def test_cross_entropy_training_reports_argmax_accuracy_and_validation():
    X = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0], [0.9, 0.1], [0.1, 0.9], [-0.9, -0.1]])
    y = np.array([0, 1, 2, 0, 1, 2])
    model = nn.MLP(2, [8, 3], seed=0)
    history = nn.fit(model, X[:3], y[:3], loss=nn.cross_entropy, epochs=60, lr=0.5,
                     validation=(X[3:], y[3:]), progress=False)
    assert len(history.val_loss) == len(history.val_accuracy) == 60 == history.epochs
    assert history.accuracy[-1] == 1.0 and history.val_accuracy[-1] == 1.0
    assert nn.accuracy(model, X, y) == 1.0 == nn.accuracy(model, X, np.eye(3)[y])
    assert len(history.seconds) == 60 and history.total_seconds > 0
    assert "60 epochs" in repr(history)


def test_regression_history_has_no_accuracy():
    X, y = np.array([[0.0], [1.0], [2.0]]), np.array([0.3, 1.7, -0.4])
    history = nn.fit(nn.MLP(1, [3, 1], seed=0), X, y, loss="mse", epochs=2, lr=0.01, progress=False)
    assert history.accuracy == [None, None]
    with pytest.raises(ValueError, match="not class labels"):
        nn.accuracy(nn.MLP(1, [1]), X, y)


def test_hinge_accuracy_uses_the_sign():
    X, y = np.array([[-2.0], [-1.0], [1.0], [2.0]]), np.array([-1.0, -1.0, 1.0, 1.0])
    model = nn.MLP(1, [1], seed=0)
    model.set_weights([(np.array([[1.0]]), np.array([0.0]))])
    assert nn.accuracy(model, X, y, loss=nn.hinge) == 1.0 == nn.accuracy(model, X, y)
    model.set_weights([(np.array([[-1.0]]), np.array([0.0]))])
    assert nn.accuracy(model, X, y, loss=nn.hinge) == 0.0


def test_bce_with_logits_thresholds_the_logit_at_zero():
    model = nn.MLP(1, [1], seed=0)
    model.set_weights([(np.array([[1.0]]), np.array([0.0]))])
    X, y = np.array([[-0.2], [0.2]]), np.array([0, 1])
    assert nn.accuracy(model, X, y, loss=nn.bce_with_logits) == 1.0
    assert nn.accuracy(model, X, y) == 0.5  # without the loss: 0/1 targets are split at 0.5


def test_shuffling_is_reproducible_with_a_seed():
    X, y = two_moons(20, seed=0)
    runs = []
    for _ in range(2):
        model = nn.MLP(2, [3, 1], seed=0)
        nn.fit(model, X, y, loss=nn.mse, epochs=2, batch_size=3, lr=0.1, seed=5, progress=False)
        runs.append(model.state_dict())
    assert runs[0] == runs[1]


@pytest.mark.parametrize("seed, error", [(-1, ValueError), (1.5, TypeError), ("5", TypeError)])
def test_a_bad_fit_seed_is_named_and_trains_nothing(seed, error):
    X, y = two_moons(20, seed=0)
    model = nn.MLP(2, [3, 1], seed=0)
    before = model.state_dict()
    with pytest.raises(error, match="seed"):
        nn.fit(model, X, y, loss=nn.mse, epochs=1, lr=0.1, seed=seed, progress=False)
    assert model.state_dict() == before


def test_callback_returning_true_stops_training():
    X, y = xor()
    history = nn.fit(nn.MLP(2, [2, 1], seed=0), X, y, loss=nn.mse, epochs=50, lr=0.1, progress=False,
                     callback=lambda epoch, h: epoch == 4)
    assert history.epochs == 5


@pytest.mark.parametrize("compiled", [None, False])
def test_a_true_callback_result_stops_training_and_a_false_one_goes_on(compiled):
    # h.loss[-1] < 0.5 on numbers from numpy is np.True_, not True: it stops as well
    X, y = xor()
    for result, epochs in [(True, 1), (np.True_, 1), (None, 4), (False, 4), (np.False_, 4)]:
        history = nn.fit(nn.MLP(2, [2, 1], seed=0), X, y, loss=nn.mse, epochs=4, lr=0.1, progress=False,
                         compiled=compiled, callback=lambda epoch, h: result)
        assert history.epochs == epochs, result


@pytest.mark.parametrize("result", [1, "stop", 0.25, np.array([True]), np.array([True, True]), [], "no"],
                         ids=repr)
def test_a_callback_result_that_is_no_bool_is_a_type_error_naming_the_callback(result):
    # Truthy without meaning "stop": a loss, load_state_dict's IncompatibleKeys (a namedtuple of
    # two lists), an array; taken as "stop", training would end after its first epoch.
    X, y = xor()

    def keep_going(epoch, history):
        return result

    with pytest.raises(TypeError, match=r"fit callback .*keep_going returned .*; return True .* to stop training, "
                                        r"None or False to go on"):
        nn.fit(nn.MLP(2, [2, 1], seed=0), X, y, loss=nn.mse, epochs=3, lr=0.1, progress=False, callback=keep_going)


def test_a_callback_that_returns_what_load_state_dict_returns_is_told_what_to_return():
    X, y = xor()
    model = nn.MLP(2, [2, 1], seed=0)
    best = model.state_dict()
    with pytest.raises(TypeError, match="returned IncompatibleKeys"):
        nn.fit(model, X, y, loss=nn.mse, epochs=3, lr=0.1, progress=False,
               callback=lambda epoch, h: model.load_state_dict(best))


def test_step_activation_warns_that_the_network_cannot_learn():
    X, y = xor()
    model = nn.MLP(2, [2, 1], activation=("step", 0.5), seed=0)
    before = model.state_dict()
    with pytest.warns(nn.StepActivationWarning, match="step.*cannot learn"):
        nn.fit(model, X, y, loss=nn.mse, epochs=3, lr=0.1, progress=False)
    hidden = [name for name in before if name.startswith("layers.0")]
    assert all(model.state_dict()[name] == before[name] for name in hidden)


@pytest.mark.parametrize("output,loss", [("softmax", nn.cross_entropy), ("sigmoid", nn.bce_with_logits)])
def test_a_loss_on_logits_after_a_squashing_output_layer_warns(output, loss):
    X, y = xor()
    model = nn.MLP(2, [3, 2 if output == "softmax" else 1], output_activation=output, seed=0)
    with pytest.warns(nn.OutputLossMismatchWarning, match=f"{loss.name} expects logits.*{output}"):
        nn.fit(model, X, y.astype(int), loss=loss, epochs=1, lr=0.1, progress=False)


def test_no_warning_without_step():
    X, y = xor()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        nn.fit(nn.MLP(2, [2, 1], seed=0), X, y, loss=nn.mse, epochs=1, lr=0.1, progress=False)


def test_progress_bar_shows_epoch_loss_and_accuracy(capsys):
    X, y = xor()
    nn.fit(nn.MLP(2, [2, 1], seed=0), X, y, loss=nn.mse, epochs=2, lr=0.1, progress=True)
    shown = capsys.readouterr().err
    assert "2/2" in shown and "loss=" in shown and "acc=" in shown


def test_progress_false_prints_nothing(capsys):
    X, y = xor()
    nn.fit(nn.MLP(2, [2, 1], seed=0), X, y, loss=nn.mse, epochs=2, lr=0.1, progress=False)
    assert capsys.readouterr() == ("", "")


def test_a_plain_callable_loss_with_an_l2_penalty_works_in_fit():
    X, y = xor()
    model = nn.MLP(2, [4, 1], seed=1)
    params = model.parameters()

    def penalised(prediction, target):
        return (prediction - target) ** 2 + nn.l2(params, 0.01)

    history = nn.fit(model, X, y, loss=penalised, epochs=5, lr=0.05, progress=False)
    assert history.epochs == 5 and history.accuracy[-1] is not None  # 0/1 targets: accuracy applies
    expected = np.mean((model.predict(X) - y) ** 2) + 0.01 * sum(p.data ** 2 for p in params)
    assert nn.mean_loss(penalised, [model(x) for x in X], y).data == pytest.approx(expected)


# --- a custom loss must give a Value with a graph, or fit would train nothing -------------

def _float_loss(prediction, target):
    return 3.0


def _none_loss(prediction, target):
    return None


def _list_loss(prediction, target):
    return [(prediction - target) ** 2]


def _no_graph_loss(prediction, target):
    return ((prediction - target) ** 2).detach()


@pytest.mark.parametrize("loss, says", [
    (_float_loss, r"_float_loss returned float 3\.0"),
    (_none_loss, r"_none_loss returned None"),
    (_list_loss, r"_list_loss returned list"),
    (_no_graph_loss, r"_no_graph_loss returned a Value that does not require grad"),
])
@pytest.mark.parametrize("rows", [1, 4])
def test_a_custom_loss_that_gives_no_graph_is_refused(loss, says, rows):
    X, y = xor()
    model = nn.MLP(2, [2, 1], seed=0)
    before = [p.data for p in model.parameters()]
    with pytest.raises(TypeError, match=rf"^loss: {says}"):
        nn.fit(model, X[:rows], y[:rows], loss=loss, epochs=1, lr=0.1, progress=False)
    assert [p.data for p in model.parameters()] == before


def test_a_custom_loss_of_outputs_that_need_no_grad_is_fine():
    # Under no_grad (evaluation) or on outputs with no graph, a loss without one is right.
    from autograd import Value
    loss = nn.losses.as_loss(lambda p, t: (p - t) ** 2)
    assert loss(Value(2.0, requires_grad=False), 1.0).data == 1.0


# --- an error in the validation set names its row of X_val, on the scalar path too --------

def test_an_overflow_in_the_validation_set_names_its_row_on_the_scalar_path():
    X, y = xor()
    X_val = np.array([[0.0, 1.0], [0.5, 0.5], [1e308, 1e308]])
    with pytest.raises(OverflowError, match=r"^fit validation: dot_data: .*\(in row 2 of X_val\)$"):
        nn.fit(nn.MLP(2, [3, 1], seed=0), X, y, loss=nn.mse, epochs=1, lr=0.1, progress=False,
               validation=(X_val, [0.0, 1.0, 1.0]), compiled=False)


def test_a_custom_loss_may_give_a_constant_for_some_examples():
    # A masked loss: examples of target 0 count for nothing. Each batch (in order: targets 0, 1
    # and 1, 0) still has a graph; a batch of two masked examples would have none.
    from autograd import Value
    X, y = xor()
    assert list(y) == [0, 1, 1, 0]
    masked = nn.fit(nn.MLP(2, [3, 1], seed=0), X, y, batch_size=2, epochs=1, lr=0.1, progress=False, shuffle=False,
                    loss=lambda p, t: Value(0.0, requires_grad=False) if t == 0 else (p - t) ** 2)
    assert masked.epochs == 1 and math.isfinite(masked.loss[0])


def test_a_fit_in_a_notebook_shows_its_progress_bar_with_no_widget_warning():
    # tqdm.auto inside a kernel without ipywidgets warns "IProgress not found" into the cell;
    # fit's text bar needs no widget, and prints only itself.
    from pathlib import Path
    from tests.support import require_jupyter_kernel
    require_jupyter_kernel()
    import nbformat
    from nbclient import NotebookClient
    repo = Path(__file__).resolve().parents[2]
    cells = [f"import sys; sys.path.insert(0, {str(repo)!r})",
             "import nn\nmodel = nn.MLP(2, [3, 1], seed=0)\n"
             "nn.fit(model, [[0.0, 1.0], [1.0, 0.0]], [1.0, 0.0], loss=nn.mse, epochs=30, lr=0.1)"]
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    NotebookClient(notebook, timeout=120, kernel_name="python3").execute()
    streams = "".join(out.get("text", "") for out in notebook.cells[1].outputs if out["output_type"] == "stream")
    assert "Warning" not in streams and "IProgress" not in streams
    # The count beside the figures is the epochs done, and a fast fit saves a line or two, not
    # one per epoch (iterating the bar drew its stale 0/30 at every epoch's figures).
    lines = [line for line in re.split(r"[\r\n]", streams) if "epoch" in line]
    assert len(lines) <= 3 and lines[-1].startswith("fit [") and "30/30" in lines[-1], lines
    assert not any(re.search(r"\| 0/30 .*loss=", line) for line in lines), lines


def test_the_validation_accuracy_uses_the_training_targets_rule():
    # A custom max-margin loss on ±1 labels: the sign decides. A validation set holding only +1
    # labels fits the 0/1 rule too; guessed from it alone, its accuracy split the outputs at 0.5.
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 2))
    y = np.where(X[:, 0] + X[:, 1] > 0, 1, -1)
    X_val, y_val = np.array([[0.1, 0.05], [0.2, 0.1], [1.0, 1.0], [0.05, 0.0]]), np.array([1, 1, 1, 1])
    model = nn.MLP(2, [8, 1], seed=0)
    history = nn.fit(model, X, y, loss=lambda p, t: (1 - t * p).relu(), epochs=30, lr=0.05, shuffle=False,
                     validation=(X_val, y_val), progress=False)
    outputs = model.predict(X_val)
    assert 0 < outputs.min() < 0.5  # the two rules differ on this set
    assert history.val_accuracy[-1] == np.mean(np.where(outputs >= 0, 1, -1) == y_val) == 1.0


# --- what fit does with the parameter Values between epochs ----------------------------------

class _CountedValue(autograd.Value):
    """A parameter Value that counts how often its data is read."""

    __slots__ = ("_number",)
    reads = 0

    @property
    def data(self):
        _CountedValue.reads += 1
        return self._number

    @data.setter
    def data(self, number):
        self._number = number


def _counted_linear(nin, nout, seed=0):
    model = nn.Linear(nin, nout, seed=seed)
    model.weight = [[_CountedValue(w.data, w.label) for w in row] for row in model.weight]
    model.bias = [_CountedValue(b.data, b.label) for b in model.bias]
    return model


def test_after_a_callback_fit_reads_each_parameter_once():
    # fit checked every p.data after a callback, and the compiled path then read them all again
    # for θ: 2 reads a parameter an epoch. One read now serves both.
    X, y = two_moons(30, seed=0)
    model = _counted_linear(2, 1)
    reads = []

    def counting(epoch, history):
        reads.append(_CountedValue.reads)
        _CountedValue.reads = 0

    nn.fit(model, X, y, loss=nn.bce_with_logits, epochs=4, lr=0.5, progress=False, compiled=True,
           callback=counting)
    assert reads[1:] == [len(model.parameters())] * 3  # the epochs themselves run on θ


def test_validation_alone_leaves_the_values_until_the_end_of_fit_on_the_compiled_path(monkeypatch):
    # The compiled path's validation runs on θ: writing every Value after each epoch for it was
    # work for nothing. They are written once, at the end, with the same figures as before.
    from autograd.compiled.program import Program
    writes = []
    write = Program.write_parameters
    monkeypatch.setattr(Program, "write_parameters", lambda self: (writes.append(1), write(self))[1])
    X, y = two_moons(60, seed=0)
    histories = []
    for compiled in (True, False):
        model = nn.MLP(2, [5, 1], activation="tanh", seed=0)
        histories.append(nn.fit(model, X[:40], y[:40], loss=nn.bce_with_logits, epochs=4, lr=0.5, progress=False,
                                seed=0, compiled=compiled, validation=(X[40:], y[40:])))
        if compiled:
            assert len(writes) == 1
            trained = [p.data for p in model.parameters()]
    np.testing.assert_allclose(histories[0].val_loss, histories[1].val_loss, rtol=1e-12)
    np.testing.assert_allclose(trained, [p.data for p in model.parameters()], rtol=1e-12)


def test_a_callback_sees_the_last_batchs_gradient_as_grad_on_both_paths():
    # What the scalar path's backward leaves in .grad; the compiled path writes the same.
    X, y = two_moons(30, seed=0)
    seen = {}
    for compiled in (True, False):
        model = nn.MLP(2, [4, 1], activation="tanh", seed=0)
        grads = seen.setdefault(compiled, [])
        nn.fit(model, X, y, loss=nn.bce_with_logits, epochs=3, batch_size=8, lr=0.5, progress=False, seed=0,
               compiled=compiled, callback=lambda epoch, history: grads.append([p.grad for p in model.parameters()]))
        grads.append([p.grad for p in model.parameters()])  # and after fit
    assert np.abs(np.array(seen[False])).min(axis=1).max() > 0  # nonzero: a gradient, not zeros
    np.testing.assert_allclose(seen[True], seen[False], rtol=1e-9, atol=1e-15)


def test_validation_targets_that_are_values_see_the_trained_weights_on_the_compiled_path():
    # Such targets go through the scalar engine, on the Values: the compiled path writes θ first.
    X, y = two_moons(60, seed=0)
    y_val = [autograd.Value(float(t)) for t in y[40:]]
    val_losses = [nn.fit(nn.MLP(2, [5, 1], activation="tanh", seed=0), X[:40], y[:40], loss=nn.bce_with_logits,
                         epochs=3, lr=0.5, progress=False, seed=0, compiled=compiled,
                         validation=(X[40:], y_val)).val_loss
                  for compiled in (True, False)]
    np.testing.assert_allclose(val_losses[0], val_losses[1], rtol=1e-12)
    assert len(set(val_losses[0])) == 3


@pytest.mark.parametrize("compiled, loss", [
    (None, lambda o, t: autograd.Value(1.0)), (False, lambda o, t: autograd.Value(1.0)),
    (True, lambda o, t: autograd.Value(1.0)),
    (None, lambda o, t: autograd.Value(t) * 2.0), (False, lambda o, t: autograd.Value(t) * 2.0),
    (True, lambda o, t: (o * 0.0).detach() + t * 2.0),  # the target a placeholder: a graph of it alone
], ids=["fresh", "fresh-scalar", "fresh-compiled", "target", "target-scalar", "target-compiled"])
def test_a_loss_of_ones_own_that_never_reads_the_prediction_is_a_type_error(compiled, loss):
    # It requires grad and backward runs, so the model trained silently into nothing.
    X, y = xor()
    with pytest.raises(TypeError, match="not computed from the prediction"):
        nn.fit(nn.MLP(2, [2, 1], seed=0), X, y, loss=loss, epochs=2, lr=0.1, progress=False, compiled=compiled)


@pytest.mark.parametrize("seed", range(4))
def test_a_loss_that_is_a_constant_for_some_examples_still_trains(seed):
    # A hinge written with a branch gives Value(0.0) where the margin is met; judged on the first
    # example alone, whether fit refused it depended on the seed.
    X = np.random.default_rng(0).normal(size=(20, 2))
    y = np.where(X[:, 0] > 0, 1.0, -1.0)

    def hinge(out, t):
        m = -t * out
        return m if m.data > 0 else autograd.Value(0.0)

    history = nn.fit(nn.MLP(2, [3, 1], seed=0), X, y, loss=hinge, epochs=2, lr=0.1, progress=False, seed=seed,
                     batch_size=4, compiled=False)
    assert history.epochs == 2


@pytest.mark.parametrize("compiled", [None, False])
def test_an_optimizer_over_some_layers_says_how_to_fine_tune_and_that_way_trains_as_torch(compiled):
    # PyTorch's fine-tune idiom SGD(model[2].parameters()) is refused (fit trains the whole model);
    # the message says to freeze the others, which trains as torch does.
    from tests.support import require_torch
    require_torch()
    import torch
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(30, 4)), rng.integers(0, 3, size=30)
    model = nn.Sequential(nn.Linear(4, 5, seed=0), nn.Tanh(), nn.Linear(5, 3, seed=1))
    tmodel = nn.to_torch(model)
    with pytest.raises(ValueError, match=r"does not hold 25 of the model's parameters; .*To fine-tune some layers "
                                         r"only, freeze the others, as in PyTorch: model\[0\]\.requires_grad_\(False\)"):
        nn.fit(model, X, y, loss=nn.CrossEntropyLoss(), epochs=1, optimizer=nn.SGD(model[2].parameters(), lr=0.1),
               progress=False, compiled=compiled)
    first = model[0].weights()[0].copy()
    model[0].requires_grad_(False)
    history = nn.fit(model, X, y, loss=nn.CrossEntropyLoss(), epochs=2, batch_size=10, shuffle=False,
                     optimizer=nn.SGD(model.parameters(), lr=0.1, momentum=0.9), progress=False, compiled=compiled)
    tmodel[0].requires_grad_(False)
    topt = torch.optim.SGD(tmodel.parameters(), lr=0.1, momentum=0.9)
    losses = []
    for _ in range(2):
        total = 0.0
        for i in range(0, 30, 10):
            topt.zero_grad()
            loss = torch.nn.functional.cross_entropy(tmodel(torch.from_numpy(X[i:i + 10])), torch.from_numpy(y[i:i + 10]))
            loss.backward()
            topt.step()
            total += loss.item() * 10
        losses.append(total / 30)
    assert np.array_equal(model[0].weights()[0], first)
    assert np.allclose(history.loss, losses, rtol=1e-12)
    theirs = {k: v.detach().numpy() for k, v in tmodel.state_dict().items()}
    assert all(np.allclose(mine, theirs[k], rtol=1e-12, atol=1e-14) for k, mine in nn.torch_state_dict(model).items())


@pytest.mark.parametrize("flag, value", [("shuffle", "no"), ("shuffle", 0), ("shuffle", None),
                                         ("progress", []), ("progress", "no"), ("progress", None)])
def test_a_fit_flag_other_than_true_or_false_is_named_and_trains_nothing(flag, value):
    # bool("no") is True: fit(shuffle="no") shuffled
    X, y = two_moons(20, seed=0)
    model = nn.MLP(2, [3, 1], seed=0)
    before = model.state_dict()
    kwargs = {"progress": False, flag: value}
    with pytest.raises(TypeError, match=rf"fit {flag}: expected True or False, got {type(value).__name__}"):
        nn.fit(model, X, y, loss=nn.mse, epochs=1, lr=0.1, **kwargs)
    assert model.state_dict() == before
    assert nn.fit(model, X, y, loss=nn.mse, epochs=1, lr=0.1, shuffle=np.False_, progress=False).epochs == 1


@pytest.mark.parametrize("loss, output, y", [(nn.CrossEntropyLoss(), nn.Softmax(), [0, 1]),
                                             (nn.BCEWithLogitsLoss(), nn.Sigmoid(), [[0.0], [1.0]])])
def test_the_squashed_twice_warning_names_the_pytorch_loss_as_written_with_torchs_advice(loss, output, y):
    outputs = 2 if isinstance(output, nn.Softmax) else 1
    model = nn.Sequential(nn.Linear(2, outputs, seed=0), output)
    name = type(loss).__name__
    with pytest.warns(nn.OutputLossMismatchWarning, match=rf"^fit: {name} expects logits, but the output layer is "
                      rf"already a \w+; use a linear output layer \(no \w+ at the end\): {name} applies the \w+ itself$"):
        nn.fit(model, [[0.1, 0.2], [0.3, -0.4]], y, loss=loss, epochs=1, lr=0.1, progress=False)


@pytest.mark.parametrize("compiled", [True, False])
@pytest.mark.parametrize("make_optimizer", [lambda p: nn.SGD(p, lr=0.1, momentum=0.9, nesterov=True),
                                            lambda p: nn.Adam(p, lr=0.02, weight_decay=0.01)])
def test_a_shuffled_fit_resumed_from_a_checkpoint_equals_the_uninterrupted_one_bit_for_bit(compiled, make_optimizer):
    # fit's seed took only an int: each fit restarted the shuffles, so a resumed run trained on
    # other orders than the uninterrupted one. A numpy Generator's state goes in the checkpoint.
    import json

    X, y = two_moons(40, noise=0.1, seed=0)

    def model(seed=0):
        return nn.Sequential(nn.Linear(2, 6, seed=seed), nn.ReLU(), nn.Linear(6, 1, seed=seed + 1))

    def train(net, optimizer, rng, epochs):
        return nn.fit(net, X, y, loss=nn.BCEWithLogitsLoss(), epochs=epochs, batch_size=8, optimizer=optimizer,
                      seed=rng, progress=False, compiled=compiled)

    whole = model()
    history = train(whole, make_optimizer(whole.parameters()), np.random.default_rng(3), 6)
    first = model()
    optimizer, rng = make_optimizer(first.parameters()), np.random.default_rng(3)
    train(first, optimizer, rng, 3)
    saved = json.dumps({"model": first.state_dict(), "optimizer": optimizer.state_dict(),
                        "rng": rng.bit_generator.state})
    checkpoint = json.loads(saved)
    resumed = model(seed=7)
    resumed.load_state_dict(checkpoint["model"])
    optimizer = make_optimizer(resumed.parameters())
    optimizer.load_state_dict(checkpoint["optimizer"])
    rng = np.random.default_rng()
    rng.bit_generator.state = checkpoint["rng"]
    rest = train(resumed, optimizer, rng, 3)
    assert rest.loss == history.loss[3:]
    assert [p.data for p in resumed.parameters()] == [p.data for p in whole.parameters()]


def test_fit_seed_names_the_generator_it_also_takes():
    with pytest.raises(TypeError, match=r"fit seed: expected an int, None or a numpy.random.Generator, got str"):
        nn.fit(nn.MLP(2, [1], seed=0), [[0.0, 1.0]], [1.0], loss=nn.mse, epochs=1, lr=0.1, seed="5", progress=False)


def test_progress_bar_shows_the_validation_accuracy_beside_the_validation_loss(capsys):
    # the bar showed val_loss but not val_acc, which History.val_accuracy holds
    X, y = xor()
    history = nn.fit(nn.MLP(2, [2, 1], seed=0), X, y, loss=nn.mse, epochs=2, lr=0.1, progress=True,
                     validation=(X, y))
    shown = capsys.readouterr().err.rsplit("\r", 1)[-1]
    assert f"val_loss={history.val_loss[-1]:.4g}" in shown and f"val_acc={history.val_accuracy[-1]:.3f}" in shown
    assert shown.index("acc=") < shown.index("val_loss=") < shown.index("val_acc=")
    nn.fit(nn.MLP(2, [2, 1], seed=0), X, y + 0.3, loss=nn.mse, epochs=1, lr=0.1, progress=True,
           validation=(X, y + 0.3))  # targets that define no accuracy: none shown
    assert "acc" not in capsys.readouterr().err
