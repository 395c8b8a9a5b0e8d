"""nn.fit on the compiled path: the same training as the scalar engine, to rounding, much sooner."""

import re
import sys
import warnings

import numpy as np
import pytest

import autograd
import nn
from autograd.compiled import GraphStructureError
from nn.datasets import xor

# (activations of the hidden and output layers, loss, targets for 3 outputs or 1)
CASES = [
    ("sigmoid", "sigmoid", nn.sse, "one-hot"),
    ("tanh", "linear", nn.mse, "real"),
    ("relu", "linear", nn.mse.with_options(half=True), "real"),
    (("linear", 0.5), "sigmoid", nn.bce, "0/1"),
    ("tanh", "linear", nn.bce_with_logits, "0/1"),
    ("sigmoid", "softmax", nn.nll, "one-hot"),
    ("relu", "linear", nn.hinge, "-1/+1"),
    ("tanh", ("linear", 2.0), nn.sse, "real"),
    ("tanh", "linear", nn.cross_entropy, "index"),
    ("relu", "linear", nn.cross_entropy, "one-hot"),
    ("sigmoid", "linear", nn.cross_entropy, "soft"),
    ("tanh", "linear", nn.mae, "real"),
    ("relu", "linear", nn.huber, "real"),
    ("tanh", "linear", nn.huber.with_options(delta=0.3), "real"),
]


def data(kind, rng, n=12):
    X = rng.normal(size=(n, 3))
    if kind == "one-hot":
        return X, np.eye(3)[rng.integers(0, 3, n)], 3
    if kind == "index":
        return X, rng.integers(0, 3, n), 3
    if kind == "soft":  # distributions over the classes, not one-hot
        return X, rng.dirichlet(np.ones(3), n), 3
    if kind == "real":
        return X, rng.normal(size=(n, 2)), 2
    if kind == "0/1":
        return X, rng.integers(0, 2, n).astype(float), 1
    return X, rng.choice([-1.0, 1.0], n), 1


def train(case, compiled, epochs=3, optimizer=None):
    hidden, output, loss, kind = case
    X, y, nout = data(kind, np.random.default_rng(0))
    model = nn.MLP(3, [4, nout], activation=hidden, output_activation=output, init="normal", seed=1)
    opt = optimizer(model.parameters()) if optimizer else nn.SGD(model.parameters(), lr=0.1)
    history = nn.fit(model, X, y, loss=loss, epochs=epochs, batch_size=5, optimizer=opt, seed=2,
                     progress=False, compiled=compiled)
    return model, history


def assert_close(got, expected, rtol=1e-9):
    got, expected = np.asarray(got, dtype=float), np.asarray(expected, dtype=float)
    np.testing.assert_allclose(got, expected, rtol=rtol, atol=rtol * max(1.0, float(np.max(np.abs(expected)))))


@pytest.mark.parametrize("case", CASES, ids=lambda case: f"{case[0]}-{case[1]}-{case[2].name}")
def test_compiled_fit_trains_the_same_weights_as_the_scalar_path(case):
    scalar_model, scalar_history = train(case, compiled=False)
    model, history = train(case, compiled=True)
    assert_close([p.data for p in model.parameters()], [p.data for p in scalar_model.parameters()])
    assert_close([p.grad for p in model.parameters()], [p.grad for p in scalar_model.parameters()])
    assert_close(history.loss, scalar_history.loss)
    assert history.accuracy == scalar_history.accuracy
    assert history.updates == scalar_history.updates


def test_every_loss_is_covered():
    assert {case[2].name for case in CASES} == set(nn.LOSSES)


@pytest.mark.parametrize("loss, y", [(nn.cross_entropy, [0, 1, 1, 0]), (nn.cross_entropy, np.eye(2)[[0, 1, 1, 0]]),
                                     (nn.nll, [0, 1, 1, 0]), (nn.bce_with_logits, [0.0, 1.0, 1.0, 0.0])])
def test_classification_losses_take_the_compiled_path_by_default(loss, y, capsys):
    X, _ = xor()
    nout = 1 if loss is nn.bce_with_logits else 2
    output = "softmax" if loss is nn.nll else "linear"
    nn.fit(nn.MLP(2, [3, nout], output_activation=output, seed=0), X, y, loss=loss, epochs=2, lr=0.1)
    assert "fit [compiled]" in capsys.readouterr().err


@pytest.mark.parametrize("case", [CASES[0], CASES[3], CASES[6], CASES[8], CASES[10]],
                         ids=lambda case: f"{case[2].name}-{case[3]}")
def test_validation_figures_come_from_the_compiled_program_and_equal_the_scalar_ones(case, monkeypatch):
    hidden, output, loss, kind = case
    X, y, nout = data(kind, np.random.default_rng(4), n=30)
    histories = {}
    for compiled in (False, True):
        model = nn.MLP(3, [4, nout], activation=hidden, output_activation=output, init="normal", seed=1)
        histories[compiled] = nn.fit(model, X[:20], y[:20], loss=loss, epochs=3, batch_size=5, lr=0.1, seed=2,
                                     validation=(X[20:], y[20:]), progress=False, compiled=compiled)
        # From now on the scalar engine must not be asked for the validation figures.
        monkeypatch.setattr(nn.compiled_fit, "losses_per_example", None)
    assert_close(histories[True].val_loss, histories[False].val_loss)
    assert histories[True].val_accuracy == histories[False].val_accuracy
    assert len(histories[True].val_loss) == 3


def test_a_big_validation_set_runs_in_chunks():
    rng = np.random.default_rng(5)
    X, y = rng.normal(size=(2600, 3)), rng.integers(0, 3, 2600)
    histories = {}
    for compiled in (False, True):
        model = nn.MLP(3, [4, 3], seed=1)
        histories[compiled] = nn.fit(model, X[:10], y[:10], loss=nn.cross_entropy, epochs=1, lr=0.1,
                                     validation=(X, y), progress=False, compiled=compiled)
    assert_close(histories[True].val_loss, histories[False].val_loss)
    assert histories[True].val_accuracy == histories[False].val_accuracy


@pytest.mark.parametrize("make", [lambda ps: nn.Adam(ps, lr=0.05), lambda ps: nn.SGD(ps, lr=0.1, momentum=0.9)])
def test_optimizers_with_state_train_the_same_weights(make):
    case = CASES[1]
    scalar_model, _ = train(case, compiled=False, optimizer=make)
    model, _ = train(case, compiled=True, optimizer=make)
    assert_close([p.data for p in model.parameters()], [p.data for p in scalar_model.parameters()])


def test_one_batch_gradient_equals_the_scalar_mean_loss_gradient():
    rng = np.random.default_rng(3)
    model = nn.MLP(4, [5, 3], activation="tanh", output_activation="softmax", seed=0)
    X, Y = rng.normal(size=(6, 4)), np.eye(3)[rng.integers(0, 3, 6)]
    program = autograd.compile(lambda xs, ys: nn.nll.function(model(xs), ys), examples=(X, Y),
                               parameters=model.parameters())
    loss = program.gradient(X, Y)
    scalar = nn.mean_loss(nn.nll, [model(list(x)) for x in X], list(Y))
    model.zero_grad()
    scalar.backward()
    assert_close(loss, scalar.data)
    assert_close(program.grad, [p.grad for p in model.parameters()])


def test_the_default_is_compiled_and_the_progress_bar_says_so(capsys):
    X, y = xor()
    nn.fit(nn.MLP(2, [3, 1], seed=0), X, y, loss=nn.mse, epochs=2, lr=0.1, progress=True)
    assert "fit [compiled]" in capsys.readouterr().err


def test_after_fit_and_after_each_epoch_the_values_hold_the_trained_weights():
    X, y = xor()
    seen = {}
    for compiled in (False, None):
        model = nn.MLP(2, [3, 1], seed=0)
        snapshots = []
        nn.fit(model, X, y, loss=nn.mse, epochs=3, lr=0.1, batch_size=2, seed=0, progress=False, compiled=compiled,
               callback=lambda epoch, h: snapshots.append([p.data for p in model.parameters()]))
        seen[compiled] = snapshots + [[p.data for p in model.parameters()]]
    assert_close(seen[None], seen[False])


def test_a_loss_that_branches_on_the_data_falls_back_to_the_scalar_engine(capsys):
    X, y = xor()

    def branching(prediction, target):  # a different graph for targets 0 and 1
        return prediction ** 2 if float(target) == 0 else (prediction - 1.0) ** 2

    model = nn.MLP(2, [3, 1], seed=0)
    history = nn.fit(model, X, y, loss=branching, epochs=1, lr=0.1, progress=True)
    assert "fit [scalar: custom loss, compiled=True to compile it]" in capsys.readouterr().err
    assert history.epochs == 1
    with pytest.raises(GraphStructureError, match=r"depends on the data.*compiled=False"):
        nn.fit(model, X, y, loss=branching, epochs=1, lr=0.1, progress=False, compiled=True)


def test_bad_data_gives_the_same_error_on_both_paths():
    X, y = xor()
    X = np.array(X, dtype=float)
    X[2, 1] = np.nan
    messages = []
    for compiled in (False, True):
        with pytest.raises(ValueError) as error:
            nn.fit(nn.MLP(2, [3, 1], seed=0), X, y, loss=nn.mse, epochs=1, lr=0.1, progress=False,
                   compiled=compiled)
        messages.append(str(error.value))
    assert messages[0] == messages[1] and "example 2" in messages[0]


def test_a_domain_error_in_training_names_the_row_of_x_on_both_paths():
    # 40 distinct targets; row 35's makes log of a negative number. Rows are shuffled into
    # mini-batches, so the example's place in its batch is not its row of X.
    X = np.linspace(-1.0, 1.0, 40).reshape(-1, 1)
    y = np.arange(40.0) + 1.0
    y[35] = -1.0

    def log_loss(prediction, target):
        return (prediction * 0.0 + target).log()

    messages = {}
    for compiled in (False, True):
        model = nn.MLP(1, [1], output_activation="sigmoid", seed=0)
        with pytest.raises(ValueError) as error:
            nn.fit(model, X, y, loss=log_loss, epochs=1, lr=0.1, batch_size=8, seed=3, progress=False,
                   compiled=compiled)
        messages[compiled] = str(error.value)
    assert re.match(r"^log: .*\(in row 35 of X\)$", messages[True]), messages[True]
    assert messages[False] == messages[True]


def test_a_failing_backward_on_the_scalar_path_names_the_row_of_x():
    X, y = np.zeros((4, 1)), np.array([1.0, 2.0, 0.0, 3.0])

    def sqrt_loss(prediction, target):  # √0 is fine, but ∂√u/∂u is infinite at u = 0: row 2
        return (prediction * 0.0 + target).sqrt()

    with pytest.raises(FloatingPointError, match=r"\(in row 2 of X\)$"):
        nn.fit(nn.MLP(1, [1], seed=0), X, y, loss=sqrt_loss, epochs=1, lr=0.1, seed=5, progress=False,
               compiled=False)


@pytest.mark.parametrize("compiled", [True, False])
def test_a_domain_error_in_the_validation_set_names_its_row(compiled):
    X, y = np.zeros((4, 1)), np.ones(4)
    X_val, y_val = np.zeros((6, 1)), np.ones(6)
    y_val[4] = -2.0

    def log_loss(prediction, target):
        return (prediction * 0.0 + target).log()

    with pytest.raises(ValueError, match=r"^fit validation: log: .*\(in row 4 of X_val\)$"):
        nn.fit(nn.MLP(1, [1], seed=0), X, y, loss=log_loss, epochs=1, lr=0.1, validation=(X_val, y_val),
               progress=False, compiled=compiled)


# --- a loss that tests its target: recorded with placeholders, it would compile to another loss ----

def branching_bce(prediction, target):
    """A hand-written bce that tests its target: with a placeholder target, `t == 1` is False."""
    s = prediction.sigmoid()
    return -(s.log()) if target == 1 else -((1 - s).log())


def truthy_bce(prediction, target):
    """`if t:` is True for a placeholder Value whatever the target."""
    s = prediction.sigmoid()
    return -(s.log()) if target else -((1 - s).log())


def moons(n=40):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, 2))
    return X, (X[:, 0] + X[:, 1] > 0).astype(float)


@pytest.mark.parametrize("loss", [branching_bce, truthy_bce])
def test_a_loss_that_tests_its_target_trains_on_the_scalar_engine(loss, capsys):
    X, y = moons()
    losses = {}
    for compiled in (False, None):
        model = nn.MLP(2, [4, 1], seed=0)
        losses[compiled] = nn.fit(model, X, y, loss=loss, epochs=5, lr=0.5, seed=0, progress=True,
                                  compiled=compiled).loss
    assert "fit [scalar: custom loss, compiled=True to compile it]" in capsys.readouterr().err
    assert losses[None] == losses[False]
    with pytest.raises(GraphStructureError, match=r"row \d+ of X \(target [01]\.0\) the compiled loss is .* "
                                                  r"but the scalar engine gives .*compiled=False"):
        nn.fit(nn.MLP(2, [4, 1], seed=0), X, y, loss=loss, epochs=1, lr=0.5, progress=False, compiled=True)


def test_where_compiling_is_the_default_a_differing_loss_falls_back_and_says_why(monkeypatch, capsys):
    monkeypatch.setattr(nn.train, "is_builtin", lambda loss: True)  # as if a built-in loss had this bug
    X, y = moons()
    model = nn.MLP(2, [4, 1], seed=0)
    history = nn.fit(model, X, y, loss=branching_bce, epochs=5, lr=0.5, seed=0, progress=True)
    assert ("fit [scalar: not compiled, its loss differs from the scalar engine's at row 1 of X]"
            in capsys.readouterr().err)
    scalar = nn.fit(nn.MLP(2, [4, 1], seed=0), X, y, loss=branching_bce, epochs=5, lr=0.5, seed=0,
                    progress=False, compiled=False)
    assert history.loss == scalar.loss


def test_every_target_value_is_compared_even_one_found_in_a_single_row():
    X = np.random.default_rng(1).normal(size=(40, 2))
    y = np.zeros(40)
    y[17] = 2.0  # not among the rows spread over the data (0, 10, 20, 29, 39)

    def weighted(prediction, target):
        return (prediction - target) ** 2 * (10.0 if target == 2.0 else 1.0)

    with pytest.raises(GraphStructureError, match=r"at row 17 of X \(target 2\.0\)"):
        nn.fit(nn.MLP(2, [3, 1], seed=0), X, y, loss=weighted, epochs=1, lr=0.1, progress=False, compiled=True)


def test_the_graph_is_recorded_on_every_target_value_so_a_branch_on_its_data_is_seen():
    X, y = moons()
    y[0] = y[1] = y[-1] = 0.0  # the first, second and last rows agree: not enough on their own

    def bce_on_data(prediction, target):
        s = prediction.sigmoid()
        t = target.data if isinstance(target, autograd.Value) else target
        return -(s.log()) if t == 1 else -((1 - s).log())

    with pytest.raises(GraphStructureError, match=r"depends on the data"):
        nn.fit(nn.MLP(2, [4, 1], seed=0), X, y, loss=bce_on_data, epochs=1, lr=0.5, progress=False,
               compiled=True)


def test_a_custom_loss_that_is_arithmetic_compiles_when_asked_and_agrees(capsys):
    X, y = moons()

    def arithmetic_bce(prediction, target):
        s = prediction.sigmoid()
        return -(target * s.log() + (1 - target) * (1 - s).log())

    histories = {}
    for compiled in (False, True):
        histories[compiled] = nn.fit(nn.MLP(2, [4, 1], seed=0), X, y, loss=arithmetic_bce, epochs=3, lr=0.5,
                                     batch_size=8, seed=0, progress=True, compiled=compiled)
    assert "fit [compiled]" in capsys.readouterr().err
    assert_close(histories[True].loss, histories[False].loss)


def test_an_optimizer_overriding_step_is_still_called():
    class Counting(nn.SGD):
        calls = 0

        def step(self):
            Counting.calls += 1
            super().step()

    X, y = xor()
    model = nn.MLP(2, [3, 1], seed=0)
    scalar = nn.MLP(2, [3, 1], seed=0)
    nn.fit(model, X, y, loss=nn.mse, epochs=2, batch_size=2, optimizer=Counting(model.parameters(), 0.1),
           seed=0, progress=False, compiled=True)
    assert Counting.calls == 4
    nn.fit(scalar, X, y, loss=nn.mse, epochs=2, batch_size=2, lr=0.1, seed=0, progress=False, compiled=False)
    assert_close([p.data for p in model.parameters()], [p.data for p in scalar.parameters()])


def _diverging_fit(compiled, optimizer, X, y):
    """fit until it fails: (its error, the model's state, grads, the optimizer's state)."""
    model = nn.MLP(1, [1], output_activation="linear", seed=0)
    optimizer = optimizer(model.parameters())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises((ArithmeticError, ValueError)) as failure:
            nn.fit(model, X, y, loss=nn.mse, epochs=3, batch_size=2, optimizer=optimizer, shuffle=False,
                   progress=False, compiled=compiled)
    state = {name: value.tolist() if isinstance(value, np.ndarray) else value
             for name, value in vars(optimizer).items() if name != "params"}
    return failure.value, model.state_dict(), [p.grad for p in model.parameters()], state


@pytest.mark.parametrize("optimizer", [lambda ps: nn.SGD(ps, lr=1e10, momentum=0.9),
                                       lambda ps: nn.Adam(ps, lr=1e10)], ids=["SGD", "Adam"])
def test_a_refused_update_keeps_the_last_good_step_on_both_paths(optimizer):
    # Batch 1 (tiny x) steps fine; batch 2 (x ~ 1e150) would send a weight to inf or nan.
    X, y = np.array([[1e-10], [1e-10], [1e150], [2e150]]), np.array([0.0, 0.0, 1.0, 2.0])
    compiled = _diverging_fit(True, optimizer, X, y)
    scalar = _diverging_fit(False, optimizer, X, y)
    assert isinstance(compiled[0], FloatingPointError)
    assert re.search(r"step: parameter 'w\(2\)_1,1' would become .*lower the learning rate", str(compiled[0]))
    assert str(compiled[0]) == str(scalar[0])
    assert compiled[1:] == scalar[1:]  # weights, grads (the refused batch's) and optimizer state
    initial = nn.MLP(1, [1], output_activation="linear", seed=0).state_dict()
    assert compiled[3]["steps"] == 1 and compiled[1] != initial  # batch 1's step is kept


def test_a_failing_batch_leaves_the_same_model_on_both_paths():
    # The weights grow until the squared error of the forward pass overflows.
    X = np.random.default_rng(0).normal(size=(12, 2)) * 10
    y = np.random.default_rng(1).normal(size=12)
    outcomes = []
    for compiled in (True, False):
        model = nn.MLP(2, [1], output_activation="linear", seed=0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with pytest.raises(OverflowError, match=r"\*\*k: the result overflows a float.*in row \d+ of X") as failure:
                nn.fit(model, X, y, loss=nn.mse, epochs=200, batch_size=4, lr=0.5, seed=0, progress=False,
                       compiled=compiled)
        outcomes.append((model.state_dict(), [p.grad for p in model.parameters()], str(failure.value)))
    assert outcomes[0][2] == outcomes[1][2]
    (compiled_weights, compiled_grads, _), (scalar_weights, scalar_grads, _) = outcomes
    assert_close(list(compiled_weights.values()), list(scalar_weights.values()))
    assert compiled_grads == scalar_grads == [0.0, 0.0, 0.0]  # zeroed before the batch that failed


def test_an_infinite_loss_stops_both_paths_at_the_same_step_with_the_same_error_and_model():
    X, y = nn.datasets.two_moons()
    outcomes = []
    for compiled in (False, True):
        model, losses = nn.MLP(2, [6, 1], seed=0), []
        with pytest.raises(OverflowError) as failure:
            nn.fit(model, X, y, loss=nn.bce_with_logits, lr=1e308, epochs=3, seed=0, progress=False,
                   compiled=compiled, callback=lambda epoch, history: losses.append(history.loss[-1]))
        outcomes.append((str(failure.value), losses, [p.data for p in model.parameters()],
                         [p.grad for p in model.parameters()]))
    (scalar_error, scalar_losses, scalar_weights, scalar_grads), (error, losses, weights, grads) = outcomes
    assert error == scalar_error and "sum: the result inf is not a finite float" in error
    assert len(losses) == len(scalar_losses) == 1 and np.isfinite(losses).all()
    assert_close(losses, scalar_losses)
    assert_close(weights, scalar_weights)
    assert grads == scalar_grads == [0.0] * len(grads)


# --- predict and accuracy on many examples: the compiled forward pass ------------------------

@pytest.mark.parametrize("hidden, output, nout", [("tanh", "linear", 1), ("relu", "softmax", 3),
                                                  ("sigmoid", "sigmoid", 2), (("linear", 0.5), ("step", 0.0), 1)])
def test_predict_on_many_examples_is_compiled_and_equals_the_scalar_outputs(hidden, output, nout, monkeypatch):
    X = np.random.default_rng(6).normal(size=(nn.inference.COMPILED_PREDICT_FROM + 1500, 3))
    model = nn.MLP(3, [5, nout], activation=hidden, output_activation=output, seed=3)
    for p in model.parameters():
        p.grad = 0.25
    before = model.state_dict()
    scalar = model.predict(X, compiled=False)
    calls = []
    original = nn.MLP.__call__
    monkeypatch.setattr(nn.MLP, "__call__", lambda self, x: calls.append(1) or original(self, x))
    compiled = model.predict(X)
    assert len(calls) <= 3  # recorded on a few examples, not run on each of the 1,756
    assert compiled.shape == scalar.shape == ((len(X),) if nout == 1 else (len(X), nout))
    assert_close(compiled, scalar)
    assert model.state_dict() == before and all(p.grad == 0.25 for p in model.parameters())


def test_few_examples_use_the_scalar_engine_no_grad_the_compiled_one_and_compiled_must_be_a_bool(monkeypatch):
    model = nn.MLP(2, [3, 1], seed=0)
    X = np.random.default_rng(7).normal(size=(nn.inference.COMPILED_PREDICT_FROM, 2))
    monkeypatch.setattr(nn.inference, "compiled_outputs", lambda *a, **k: pytest.fail("compiled"))
    model.predict(X[:-1])
    model.predict(X, compiled=False)
    monkeypatch.undo()
    with autograd.no_grad():  # compile records its graph whatever the mode: the compiled path answers
        assert_close(model.predict(X), model.predict(X, compiled=False))
    assert_close(model.predict(X[:4], compiled=True), model.predict(X[:4], compiled=False))
    with pytest.raises(TypeError, match=r"predict compiled \(or None\): expected True or False"):
        model.predict(X, compiled="yes")


def test_accuracy_on_many_examples_equals_the_scalar_accuracy():
    rng = np.random.default_rng(8)
    X, y = rng.normal(size=(2000, 3)), rng.integers(0, 3, 2000)
    model = nn.MLP(3, [6, 3], seed=2)
    outputs = model.predict(X, compiled=False)
    assert nn.accuracy(model, X, y) == np.mean(outputs.argmax(axis=1) == y)


# --- an update commits θ and the optimizer's state together, or not at all ------------------

def _interrupt_at(n, filename="optim.py"):
    """A trace function raising KeyboardInterrupt at the n-th line run in `filename`."""
    seen = [0]

    def local(frame, event, arg):
        if event == "line":
            seen[0] += 1
            if seen[0] == n:
                raise KeyboardInterrupt
        return local

    def tracer(frame, event, arg):
        return local if frame.f_code.co_filename.endswith(filename) else None
    return tracer, seen


def _adam_fit(compiled, tracer=None):
    X, y = xor()
    model = nn.MLP(2, [3, 1], seed=0)
    adam = nn.Adam(model.parameters(), lr=0.05)
    sys.settrace(tracer)
    try:
        nn.fit(model, X, y, loss=nn.mse, epochs=2, batch_size=2, optimizer=adam, seed=0, progress=False,
               compiled=compiled)
    except KeyboardInterrupt:
        pass
    finally:
        sys.settrace(None)
    state = (None, None) if adam.m is None else (adam.m.tolist(), adam.v.tolist())
    return [p.data for p in model.parameters()], adam.t, adam.steps, state


@pytest.mark.parametrize("compiled", [True, False])
def test_an_interrupted_adam_step_leaves_theta_and_its_state_in_step(compiled, monkeypatch):
    committed = []  # after each update of a run without interrupts: (θ, m, v) at t = 1, 2, ...
    original = nn.Optimizer.checked_update

    def recording(self, theta, grad, **options):  # options: quiet=True from the compiled path
        original(self, theta, grad, **options)
        committed.append((theta.tolist(), self.m.tolist(), self.v.tolist()))

    monkeypatch.setattr(nn.Optimizer, "checked_update", recording)
    _adam_fit(compiled)
    initial = [p.data for p in nn.MLP(2, [3, 1], seed=0).parameters()]
    monkeypatch.undo()
    tracer, seen = _interrupt_at(0)
    _adam_fit(compiled, tracer)
    lines = seen[0]  # every line the run executes in optim.py
    assert len(committed) == 4 and lines > 40
    for n in range(1, lines + 1, 3):
        weights, t, steps, (m, v) = _adam_fit(compiled, _interrupt_at(n)[0])
        assert steps == t
        if t == 0:
            assert weights == initial and m in (None, [0.0] * len(initial))
        else:
            assert (weights, m, v) == committed[t - 1], f"interrupted at line {n}, after {t} steps"


@pytest.mark.parametrize("compiled", [True, False])
def test_a_saturated_sigmoid_trains_without_numpy_warnings(compiled):
    # σ(-1000) = 0 exactly: e^1000 overflows inside numpy's sigmoid, which is no error. The epoch
    # loop runs with numpy's warnings off (once per epoch) and checks the numbers itself.
    model = nn.MLP(1, [1], activation="sigmoid", output_activation="sigmoid", seed=0)
    weight, bias = model.parameters()
    weight.data, bias.data = -1000.0, 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        history = nn.fit(model, [[1.0], [2.0]], [0.0, 1.0], loss=nn.sse, lr=0.1, epochs=2,
                         batch_size=2, progress=False, compiled=compiled)
    assert history.loss == [0.5, 0.5] and [p.data for p in model.parameters()] == [-1000.0, 0.0]


def test_a_refused_quiet_update_restores_theta_and_the_state():
    # The compiled path's form: checked_update(quiet=True) inside fit's errstate.
    params = [autograd.Value(1.0, label="w"), autograd.Value(2.0, label="b")]
    sgd = nn.SGD(params, lr=0.1, momentum=0.9)
    theta = np.array([1.0, 2.0])
    with np.errstate(all="ignore"):
        sgd.checked_update(theta, np.array([0.5, 0.25]), quiet=True)
        before = theta.tolist(), sgd.velocity.tolist(), sgd.steps
        sgd.lr = 1e300
        with pytest.raises(FloatingPointError, match="parameter 'w' would become"):
            sgd.checked_update(theta, np.array([1e308, 1.0]), quiet=True)  # θ_w -> -inf
    assert (theta.tolist(), sgd.velocity.tolist(), sgd.steps) == before


@pytest.mark.parametrize("case", CASES[:3], ids=lambda case: f"{case[0]}-{case[1]}-{case[2].name}")
def test_big_data_gathered_batch_by_batch_trains_the_same_weights_bit_for_bit(case, monkeypatch):
    """Past nn.compiled_fit.GATHER_PER_EPOCH_BYTES each batch gathers its own rows instead of
    slicing one copy per epoch: the same batches, so the very same numbers."""
    import nn.compiled_fit
    per_epoch, _ = train(case, compiled=True)
    monkeypatch.setattr(nn.compiled_fit, "GATHER_PER_EPOCH_BYTES", 0)
    per_batch, _ = train(case, compiled=True)
    assert [p.data for p in per_batch.parameters()] == [p.data for p in per_epoch.parameters()]
    assert [p.grad for p in per_batch.parameters()] == [p.grad for p in per_epoch.parameters()]


def test_big_data_gathered_batch_by_batch_still_names_the_row_of_x(monkeypatch):
    import nn.compiled_fit
    monkeypatch.setattr(nn.compiled_fit, "GATHER_PER_EPOCH_BYTES", 0)
    X = np.linspace(-1.0, 1.0, 40).reshape(-1, 1)
    y = np.arange(40.0) + 1.0
    y[35] = -1.0
    model = nn.MLP(1, [1], output_activation="sigmoid", seed=0)
    with pytest.raises(ValueError, match=r"\(in row 35 of X\)$"):
        nn.fit(model, X, y, loss=lambda prediction, target: (prediction * 0.0 + target).log(), epochs=1,
               lr=0.1, batch_size=8, seed=3, progress=False, compiled=True)


class _Gate(nn.Module):
    """z doubled for the examples with x_1 > 0: a branch on the data through a comparison."""

    def __init__(self):
        self.nin, self.nout = 2, 1
        self.layer = nn.Layer(2, 1, activation="linear", seed=0)

    def forward(self, x):
        z = self.layer(x)[0]
        return z * 2.0 if x[0] > 0 else z


def test_a_model_that_compares_a_value_of_the_example_trains_and_predicts_on_the_scalar_engine(capsys):
    # The recorded rows (the first, the last, one per target) may all take one branch; the
    # comparison itself sends fit and predict to the scalar engine, with the same results.
    X = np.array([[1.0, 0.5], [2.0, -1.0], [-1.5, 0.3], [-0.5, 2.0], [0.7, -0.2], [1.2, 1.0]] * 50)
    y = (X[:, 1] > 0).astype(float)
    trained = {}
    for compiled in (None, False):
        model = _Gate()
        nn.fit(model, X, y, loss=nn.mse, epochs=2, batch_size=8, lr=0.1, seed=0, progress=True, compiled=compiled)
        trained[compiled] = model.state_dict()
    assert "fit [scalar: not compiled, the graph's structure depends on the data]" in capsys.readouterr().err
    assert trained[None] == trained[False]
    assert np.array_equal(model.predict(X), model.predict(X, compiled=False))  # 300 rows: would compile
    with pytest.raises(GraphStructureError, match="took the number out of the Value 'x_1'"):
        model.predict(X, compiled=True)


@pytest.mark.parametrize("optimizer", [lambda params: nn.SGD(params, 0.1, momentum=0.9, weight_decay=0.01),
                                       lambda params: nn.Adam(params, 0.01)])
def test_frozen_parameters_stay_as_they_are_on_both_paths(optimizer):
    # A frozen parameter (requires_grad False) gets no gradient from backward; the program,
    # which differentiates by every parameter, gives it 0 too, so both paths train alike.
    X, y = xor()
    trained = {}
    for compiled in (True, False):
        model = nn.MLP(2, [3, 1], seed=0)
        params = model.parameters()
        for p in params[:5]:
            p.requires_grad = False
        before = [p.data for p in params[:5]]
        nn.fit(model, X, y, loss=nn.mse, epochs=3, batch_size=2, optimizer=optimizer(params), seed=0,
               progress=False, compiled=compiled)
        trained[compiled] = [p.data for p in params]
        assert trained[compiled][:5] == before
    assert_close(trained[True], trained[False])


def test_a_model_whose_every_parameter_is_frozen_is_refused_by_name():
    X, y = xor()
    model = nn.MLP(2, [3, 1], seed=0)
    for p in model.parameters():
        p.requires_grad = False
    for compiled in (True, False):
        with pytest.raises(ValueError, match="every parameter of the model is frozen"):
            nn.fit(model, X, y, loss=nn.mse, epochs=1, lr=0.1, progress=False, compiled=compiled)


# --- a callback that changes the model: the next epoch trains from the model as it left it ---

def _fit_with(callback_for, compiled, optimizer=lambda params: nn.SGD(params, 0.5), epochs=5, **options):
    """fit on two moons with callback_for(model) as the callback: (model, history)."""
    X, y = nn.datasets.two_moons(40, seed=0)
    model = nn.MLP(2, [6, 1], activation="tanh", seed=0)
    history = nn.fit(model, X, y, loss=nn.bce_with_logits, epochs=epochs, batch_size=8, seed=0,
                     optimizer=optimizer(model.parameters()), progress=False, compiled=compiled,
                     callback=callback_for(model), **options)
    return model, history


def test_early_stopping_that_restores_the_best_weights_keeps_them_on_both_paths():
    # Keras' restore_best_weights, the PyTorch recipe: the callback loads the best state_dict
    # and returns True; the compiled path used to write its θ over it when it finished.
    X_val, y_val = nn.datasets.two_moons(40, seed=1)
    outcomes = {}
    for compiled in (True, False):
        best = {"loss": np.inf}

        def restoring_best(model):
            def callback(epoch, history):
                if history.val_loss[-1] < best["loss"]:
                    best.update(loss=history.val_loss[-1], state=model.state_dict(), epoch=epoch)
                if epoch - best["epoch"] >= 2:
                    model.load_state_dict(best["state"])
                    return True
            return callback

        model, history = _fit_with(restoring_best, compiled, lambda params: nn.SGD(params, 3.0, momentum=0.9),
                                   epochs=60, validation=(X_val, y_val))
        assert history.epochs < 60 and best["epoch"] < history.epochs - 1  # stopped, after the best epoch
        assert model.state_dict() == best["state"]
        outcomes[compiled] = list(model.state_dict().values()), history.val_loss
    assert_close(outcomes[True][0], outcomes[False][0])
    assert_close(outcomes[True][1], outcomes[False][1])


@pytest.mark.parametrize("optimizer", [lambda params: nn.SGD(params, 0.5, momentum=0.9),
                                       lambda params: nn.Adam(params, 0.05)])
def test_weights_a_callback_clips_are_what_the_next_epoch_trains_on_both_paths(optimizer):
    def clipping(model):
        def callback(epoch, history):
            for p in model.parameters():
                p.data = float(np.clip(p.data, -0.2, 0.2))  # a max-norm clip, between epochs
        return callback

    outcomes = {}
    for compiled in (True, False):
        model, history = _fit_with(clipping, compiled, optimizer)
        assert max(abs(p.data) for p in model.parameters()) <= 0.2
        outcomes[compiled] = [p.data for p in model.parameters()], history.loss
    assert_close(outcomes[True][0], outcomes[False][0])
    assert_close(outcomes[True][1], outcomes[False][1])


def test_freezing_and_unfreezing_a_layer_from_a_callback_is_seen_on_both_paths():
    # Fine-tuning inside fit: the first layer is frozen after epoch 0 and thawed after epoch 2.
    outcomes = {}
    for compiled in (True, False):
        first_layer = []

        def freezing_then_thawing(model):
            def callback(epoch, history):
                first_layer.append([p.data for p in model.layers[0].parameters()])
                for p in model.layers[0].parameters():
                    p.requires_grad = epoch not in (0, 1)
            return callback

        model, history = _fit_with(freezing_then_thawing, compiled,
                                   lambda params: nn.SGD(params, 0.5, momentum=0.9))
        assert first_layer[0] == first_layer[1] == first_layer[2]  # frozen during epochs 1 and 2
        assert first_layer[3] != first_layer[2]  # trains again in epoch 3
        outcomes[compiled] = [p.data for p in model.parameters()], history.loss
    assert_close(outcomes[True][0], outcomes[False][0])
    assert_close(outcomes[True][1], outcomes[False][1])


def test_a_callback_that_changes_the_weights_and_raises_leaves_its_weights_on_both_paths():
    class Interrupted(Exception):
        pass

    def zeroing_then_raising(model):
        def callback(epoch, history):
            for p in model.parameters():
                p.data = 0.0
            raise Interrupted
        return callback

    X, y = nn.datasets.two_moons(40, seed=0)
    model = nn.MLP(2, [6, 1], activation="tanh", seed=0)
    for compiled in (True, False):
        with pytest.raises(Interrupted):
            nn.fit(model, X, y, loss=nn.bce_with_logits, epochs=3, lr=0.5, progress=False, compiled=compiled,
                   callback=zeroing_then_raising(model))
        assert [p.data for p in model.parameters()] == [0.0] * len(model.parameters())


@pytest.mark.parametrize("value,error,words", [(float("nan"), ValueError, "expected a finite number, got nan"),
                                               ("x", TypeError, "expected a real number"),
                                               (None, TypeError, "expected a real number")])
def test_a_callback_that_leaves_a_parameter_not_a_finite_number_is_named_on_both_paths(value, error, words):
    X, y = nn.datasets.two_moons(40, seed=0)
    for compiled in (True, False):
        model = nn.MLP(2, [6, 1], activation="tanh", seed=0)

        def breaking(epoch, history):
            model.parameters()[3].data = value

        with pytest.raises(error, match=rf"fit: after callback .*breaking, parameter 'w\(2\)_2,1': {words}"):
            nn.fit(model, X, y, loss=nn.bce_with_logits, epochs=3, lr=0.5, progress=False, compiled=compiled,
                   callback=breaking)
        assert repr(model.parameters()[3].data) == repr(value)  # the model as the callback left it


# --- what the compiled forward passes check; a branch on a parameter; predict under no_grad --

def test_a_validation_row_whose_z_overflows_into_a_sigmoid_is_named_on_both_paths():
    # z = W a + b is -inf for row 3 of X_val; σ(-inf) = 0 would hide it from a check of the outputs.
    rng = np.random.default_rng(0)
    X, y = rng.uniform(-1, 1, size=(6, 2)), np.array([1.0, 0.0, 1.0, 0.0, 1.0, 0.0])
    X_val = X.copy()
    X_val[3] = [1e308, 1e308]
    for compiled in (False, True):
        model = nn.MLP(2, [3, 1], activation="sigmoid", output_activation="sigmoid", seed=0)
        with pytest.raises(OverflowError, match=r"^fit validation: dot(_data)?: the result -inf .*\(in row 3 of X_val\)$"):
            nn.fit(model, X, y, loss=nn.mse, epochs=2, lr=0.1, progress=False, compiled=compiled,
                   validation=(X_val, y))
        with pytest.raises(OverflowError, match=r"result -inf"):
            model.predict(np.repeat(X_val, 50, axis=0), compiled=compiled)


class AbsoluteWeight(nn.Module):
    """ŷ = |w| x, the |w| written as an `if` on the parameter."""

    def __init__(self):
        self.nin, self.nout = 1, 1
        self.w = autograd.Value(0.3, label="w")

    def forward(self, x):
        x = x[0] if isinstance(x, (list, tuple)) else x
        return (self.w if self.w > 0 else -self.w) * x


def test_a_model_that_branches_on_a_parameter_trains_on_the_scalar_engine():
    # The step moves w past 0: a recording of the branch would go on computing w x.
    X, y = np.array([[1.0], [2.0]]), np.array([-1.0, -2.0])
    runs = []
    for compiled in (None, False):
        model = AbsoluteWeight()
        history = nn.fit(model, X, y, loss=nn.mse, epochs=6, lr=0.2, progress=False, compiled=compiled, shuffle=False)
        runs.append((model.w.data, history.loss))
    assert runs[0] == runs[1] and runs[0][0] == pytest.approx(1.0)
    with pytest.raises(GraphStructureError, match="depends on the parameters"):
        nn.fit(AbsoluteWeight(), X, y, loss=nn.mse, epochs=1, lr=0.2, progress=False, compiled=True)


def test_predict_under_no_grad_runs_compiled_with_the_same_outputs(monkeypatch):
    model = nn.MLP(3, [8, 2], seed=0)
    X = np.random.default_rng(1).normal(size=(nn.inference.COMPILED_PREDICT_FROM, 3))
    expected = model.predict(X, compiled=False)
    made = []
    compile_ = autograd.compile
    monkeypatch.setattr(autograd, "compile", lambda *a, **k: made.append(1) or compile_(*a, **k))
    with autograd.no_grad():
        assert_close(model.predict(X), expected)
        assert_close(model.predict(X[:4], compiled=True), expected[:4])
    assert len(made) == 2



# --- bce on a sigmoid that saturates to exactly 1.0 (0 · ln 0: the table's xlogy) ------------

SATURATING_X, SATURATING_Y = np.array([[12.0], [-12.0], [0.3], [-0.3]]), np.array([1, 0, 1, 0])


def _saturating_model(weight):
    """x = ±12 is classified right, and σ(12 w) reaches 1.0 exactly as w grows (σ(1200) from the
    start at w = 100); ±0.3 keep the loss moving."""
    model = nn.MLP(1, [1], output_activation="sigmoid", seed=0)
    model.set_weights([(np.array([[weight]]), np.array([0.0]))])
    return model


def _torch_saturating_fit(model, epochs):
    """torch's SGD on the same model and data: full batch, lr 20, BCE (its ln 0 clamped at -100, so
    its 0 · ln 0 term is 0)."""
    from tests.support import require_torch
    require_torch()
    import torch

    net = nn.to_torch(model)
    optimizer = torch.optim.SGD(net.parameters(), lr=20)
    X, y = torch.tensor(SATURATING_X, dtype=torch.float64), torch.tensor(SATURATING_Y, dtype=torch.float64)
    losses = []
    for _ in range(epochs):
        optimizer.zero_grad()
        loss = torch.nn.functional.binary_cross_entropy(net(X)[:, 0], y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses, [net[0].weight.item(), net[0].bias.item()]


@pytest.mark.parametrize("loss", [nn.bce, nn.BCELoss()], ids=["bce", "BCELoss"])
@pytest.mark.parametrize("weight", [1.0, 100.0])
def test_bce_trains_on_both_paths_through_a_sigmoid_saturated_to_1_as_torch(loss, weight):
    """The compiled fit raised 'log: log is defined for x > 0' once σ = 1.0 for the example of
    target 1 (its (1 - y) ln(1 - p) term, 0 · ln 0, with the target a placeholder), and refused
    to compile when σ = 1.0 from the start; the scalar path and torch train on."""
    runs = {}
    for compiled in (True, False):
        model = _saturating_model(weight)
        history = nn.fit(model, SATURATING_X, SATURATING_Y, loss=loss, epochs=30, lr=20, shuffle=False,
                         progress=False, compiled=compiled)
        assert model.predict(SATURATING_X)[0] == 1.0  # saturated
        runs[compiled] = history.loss, [p.data for p in model.parameters()]
    torch_losses, torch_weights = _torch_saturating_fit(_saturating_model(weight), 30)
    # atol: σ within 1e-13 of 1 is rounded by 1e-16 whoever computes it, which shows in ln σ (the
    # loss) and in the bias, which the symmetric data keep at 0 but for 30 steps of 20 such roundings
    np.testing.assert_allclose(runs[True][0], runs[False][0], rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(runs[True][1], runs[False][1], rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(runs[False][0], torch_losses, rtol=1e-10, atol=1e-15)
    np.testing.assert_allclose(runs[False][1], torch_weights, rtol=1e-10, atol=1e-13)


def test_the_bar_says_a_branch_on_a_parameter_is_one(capsys):
    X, y = np.array([[1.0], [2.0]]), np.array([-1.0, -2.0])
    nn.fit(AbsoluteWeight(), X, y, loss=nn.mse, epochs=1, lr=0.2, shuffle=False)
    assert "fit [scalar: not compiled, the graph's structure depends on the parameters]" in capsys.readouterr().err


def test_a_required_compile_keeps_what_the_structure_depends_on():
    X, y = np.array([[1.0], [2.0]]), np.array([-1.0, -2.0])
    with pytest.raises(GraphStructureError) as error:
        nn.fit(AbsoluteWeight(), X, y, loss=nn.mse, epochs=1, lr=0.2, progress=False, compiled=True)
    assert error.value.depends_on == "parameters" and str(error.value).startswith("fit(compiled=True)")


@pytest.mark.parametrize("rows, compiled", [(40, None), (100, False), (100, None)])
def test_predict_names_the_row_of_x_that_fails_on_either_path(rows, compiled):
    model = nn.MLP(2, [3, 1], seed=0)
    X = np.random.default_rng(0).normal(size=(rows, 2))
    X[30] = 1e308
    with pytest.raises(OverflowError, match=r"\(in row 30 of X\)$"):
        model.predict(X, compiled=compiled)


def test_a_callback_that_puts_a_new_parameter_value_in_gives_the_scalar_paths_model():
    # The program went on computing with the Value it was compiled with; the scalar path reads
    # the model afresh (the new Value used and left as it is, the optimizer's old one trained,
    # as torch does), and fit now goes on on it.
    X, y = nn.datasets.two_moons(40, noise=0.1, seed=0)
    runs = []
    for compiled in (False, None):
        model = nn.MLP(2, [4, 1], activation="tanh", seed=0)
        neuron = model.layers[0].neurons[0]

        def replace(epoch, history):
            if epoch == 0:
                neuron.w[0] = autograd.Value(5.0, label="new")

        history = nn.fit(model, X, y, loss=nn.bce_with_logits, epochs=4, lr=0.1, progress=False, shuffle=False,
                         callback=replace, compiled=compiled)
        runs.append((history.loss, model.predict(X[:3]).tolist(), neuron.w[0].data))
    assert runs[0][2] == runs[1][2] == 5.0
    np.testing.assert_allclose(runs[1][0], runs[0][0], rtol=1e-12)
    np.testing.assert_allclose(runs[1][1], runs[0][1], rtol=1e-12)


def test_an_optimizer_holding_a_value_beyond_the_model_stays_compiled_through_a_callback():
    # Its extra Value (a learnable scale of one's own loss) is no parameter replaced: a callback
    # that changes nothing sent fit to the scalar engine, 30-50x slower, against compiled=True.
    model = nn.MLP(2, [3, 1], seed=0)
    scale = autograd.Value(1.0, label="scale")
    X, y = nn.datasets.two_moons(40, noise=0.1, seed=0)
    optimizer = nn.SGD(model.parameters() + [scale], 0.1)
    made = []
    original = nn.train.ScalarPath.__init__
    def counting(self, *args):
        made.append(1)
        original(self, *args)
    nn.train.ScalarPath.__init__ = counting
    try:
        nn.fit(model, X, y, loss=lambda p, t: (p * scale - t) ** 2, epochs=3, optimizer=optimizer, progress=False,
               compiled=True, callback=lambda epoch, history: None)
    finally:
        nn.train.ScalarPath.__init__ = original
    assert made == []


class _ExpNet(nn.Module):
    """ŷ = e^(w x): overflows where w x > 709.78."""

    def __init__(self):
        self.nin, self.nout = 1, 1
        self.w = autograd.Value(1.0, label="w")

    def forward(self, x):
        return (self.w * x[0]).exp()


def _fit_exp(X, compiled, lr=0.05, progress=False, model=None):
    model = _ExpNet() if model is None else model
    history = nn.fit(model, X, np.zeros(len(X)), loss=nn.mse, epochs=2, batch_size=4, lr=lr, shuffle=False,
                     progress=progress, compiled=compiled)
    return model, history


def test_an_overflow_on_a_recorded_row_at_the_initial_weights_falls_back_to_the_scalar_engine(capsys):
    # The graph is recorded on the last row at w = 1, where e^720 overflows; the scalar path reaches
    # that row in the fifth batch, after w has moved below 0, and trains.
    X = np.linspace(0.0, 2.0, 20).reshape(-1, 1)
    X[19, 0] = 720.0
    scalar, scalar_history = _fit_exp(X, False)
    default, default_history = _fit_exp(X, None, progress=True)
    assert "fit [scalar: not compiled, OverflowError in row 19 of X at the initial weights]" in capsys.readouterr().err
    assert default.w.data == scalar.w.data < 0 and default_history.loss == scalar_history.loss
    with pytest.raises(OverflowError, match=r"^fit\(compiled=True\): cannot compile this model and loss: exp: .*"
                                            r"inputs: 720 \(in row 19 of X\), where compile records the graph at the "
                                            r"initial weights\. .*compiled=False.*may train"):
        _fit_exp(X, True)


@pytest.mark.parametrize("row", [0, 19])
def test_a_recorded_row_that_fails_on_both_paths_gives_the_same_error_and_model(row):
    X = np.linspace(0.0, 1.0, 20).reshape(-1, 1)
    X[row, 0] = 800.0  # with so small a step w stays near 1: the scalar path overflows there too
    outcome = {}
    for compiled in (False, None):
        model = _ExpNet()
        with pytest.raises(OverflowError) as error:
            _fit_exp(X, compiled, lr=1e-6, model=model)
        outcome[compiled] = str(error.value), model.w.data
    assert outcome[None] == outcome[False]
    assert re.match(rf"^exp: exp overflows .*inputs: [0-9.]+ \(in row {row} of X\)$", outcome[None][0]), outcome[None]
    with pytest.raises(OverflowError, match=rf"inputs: 800 \(in row {row} of X\), where compile records"):
        _fit_exp(X, True, lr=1e-6)


def test_a_nan_weight_with_compiled_true_names_the_row_and_the_parameter():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(20, 2)), rng.normal(size=20)
    messages = {}
    for compiled in (False, True):
        model = nn.MLP(2, [3, 1], seed=0)
        model.parameters()[4].data = float("nan")
        with pytest.raises((ArithmeticError, ValueError)) as error:
            nn.fit(model, X, y, loss=nn.mse, epochs=1, lr=0.1, progress=False, compiled=compiled, shuffle=False)
        messages[compiled] = str(error.value)
    assert messages[False].endswith("(in row 0 of X)") and "'w(2)_2,2'" in messages[False]
    assert messages[True].startswith("fit(compiled=True): cannot compile this model and loss: ")
    assert "(in row 0 of X), where compile records the graph at the initial weights" in messages[True]
    assert messages[True].endswith("the scalar engine (compiled=False) fails on parameter 'w(2)_2,2' too")


def test_fit_and_predict_do_not_warn_of_constants_they_mean():
    # a frozen layer, a linear activation's k, the targets and the loss's own constants
    from autograd.compiled import ConstantLeafWarning
    rng = np.random.default_rng(0)
    X = rng.normal(size=(80, 3))
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConstantLeafWarning)
        for hidden, output, loss, y, nout in [
                (("linear", 0.5), ("linear", 2.0), nn.sse, np.eye(3)[rng.integers(0, 3, 80)], 3),
                ("tanh", "softmax", nn.nll, np.eye(3)[rng.integers(0, 3, 80)], 3),
                ("relu", "linear", nn.cross_entropy, rng.integers(0, 3, 80), 3),
                ("sigmoid", "sigmoid", nn.bce, rng.integers(0, 2, 80).astype(float), 1)]:
            model = nn.MLP(3, [4, nout], activation=hidden, output_activation=output, seed=1)
            model.layers[0].requires_grad_(False)
            nn.fit(model, X, y, loss=loss, epochs=1, batch_size=8, lr=0.1, progress=False, compiled=True)
            model.predict(X, compiled=True)


@pytest.mark.parametrize("bad", ["0.5", 10 ** 400])
def test_compiled_true_with_a_parameter_set_by_hand_to_no_number_says_the_scalar_engine_fails_too(bad):
    """It advised compiled=False for a str .data, which fails the same way, and raised a bare
    OverflowError for a huge int."""
    model = nn.MLP(2, [1], seed=0)
    model.parameters()[1].data = bad
    X, y = np.array([[0.5, 1.0], [1.0, 0.0]]), np.array([1.0, 0.0])
    with pytest.raises((TypeError, ValueError)) as raised:
        nn.fit(model, X, y, loss=nn.mse, lr=0.1, epochs=1, progress=False, compiled=True)
    assert "the scalar engine (compiled=False) fails on parameter 'w(2)_1,2' too" in str(raised.value)
    assert "train with compiled=False" not in str(raised.value)


# --- ∇θ that is not finite: checked by the step's check of θ, named by the scalar engine -------

class ClippingSGD(nn.SGD):
    """An update of its own that clips g: a g of ±inf would pass it as ±1."""

    def update(self, theta, grad):
        super().update(theta, np.clip(grad, -1.0, 1.0))


class ClippingAdam(nn.Adam):
    """Adam's own update, but a step that clips g deeper in: the class is not nn's Adam."""

    def _adam(self, theta, grad):
        super()._adam(theta, np.clip(grad, -1.0, 1.0))


def _sqrt_fit(compiled, optimizer, **options):
    """C = √(ŷ - y) with ŷ = w x + b at w = 1, b = 0: row 2 has ŷ = y, where √0 is fine but
    ∂C/∂ŷ is infinite, so ∂C/∂w = ∞ · x and ∂C/∂b = ∞ (every other row has ŷ > y)."""
    X, y = np.array([[0.5], [1.0], [2.0], [1.5]]), np.array([0.0, 0.0, 2.0, 0.0])

    def sqrt_loss(prediction, target):
        return (prediction - target).sqrt()

    model = nn.MLP(1, [1], output_activation="linear", seed=0)
    weight, bias = model.parameters()
    weight.data, bias.data = 1.0, 0.0
    with pytest.raises(FloatingPointError) as failure:
        nn.fit(model, X, y, loss=sqrt_loss, epochs=2, optimizer=optimizer(model.parameters()), shuffle=False,
               progress=False, compiled=compiled, **options)
    return str(failure.value), [p.data for p in model.parameters()], [p.grad for p in model.parameters()]


@pytest.mark.parametrize("optimizer", [lambda ps: nn.SGD(ps, lr=0.1), lambda ps: nn.Adam(ps, lr=0.1),
                                       lambda ps: ClippingSGD(ps, lr=0.1), lambda ps: ClippingAdam(ps, lr=0.1)],
                         ids=["SGD", "Adam", "clipping", "clipping deeper in"])
@pytest.mark.parametrize("options", [dict(batch_size=4), dict(batch_size=3), dict(record=True)],
                         ids=["one batch", "batch 3", "recorded"])
def test_a_gradient_that_is_not_finite_is_named_by_its_node_and_row_on_both_paths(optimizer, options):
    compiled, scalar = _sqrt_fit(True, optimizer, **options), _sqrt_fit(False, optimizer, **options)
    assert re.search(r"local derivative at node .* is not finite.*\(in row 2 of X\)$", compiled[0]), compiled[0]
    assert compiled[0] == scalar[0]
    assert compiled[1] == scalar[1] == [1.0, 0.0]  # row 2 is in the first batch: no step was taken
    assert compiled[2] == scalar[2] == [0.0, 0.0]  # zeroed before the batch that failed


def test_the_built_in_updates_carry_a_gradient_that_is_not_finite_into_theta():
    """What lets fit's compiled path check θ after the step instead of ∇θ before it."""
    from nn.optim import carries_non_finite
    for make in (lambda ps: nn.SGD(ps, lr=0.0), lambda ps: nn.SGD(ps, lr=0.1, momentum=0.9, nesterov=True),
                 lambda ps: nn.SGD(ps, lr=0.1, momentum=0.9, dampening=1.0), lambda ps: nn.Adam(ps, lr=0.1),
                 lambda ps: nn.AdamW(ps, lr=0.1)):
        for bad in (np.inf, -np.inf, np.nan):
            optimizer = make([autograd.Value(1.0), autograd.Value(2.0)])
            assert carries_non_finite(optimizer)
            theta = np.array([1.0, 2.0])
            with np.errstate(all="ignore"):
                optimizer.update(theta, np.array([bad, 0.5]))
            assert not np.isfinite(theta[0]) and np.isfinite(theta[1]), (optimizer, bad)
    assert not carries_non_finite(ClippingSGD([autograd.Value(1.0)], lr=0.1))
    assert not carries_non_finite(ClippingAdam([autograd.Value(1.0)], lr=0.1))
