"""fit(record=...): snapshots of the weights and gradients, on the scalar and the compiled path."""

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import autograd
import nn
import nn.record
from nn.datasets import two_moons

X, Y = two_moons(40, noise=0.1, seed=0)


def fit(record, compiled=False, epochs=4, batch_size=10, model=None, **options):
    model = model or nn.MLP(2, [5, 3, 1], activation="tanh", seed=0)
    options = {"lr": 0.2, **options}
    history = nn.fit(model, X, Y, loss=nn.bce_with_logits, epochs=epochs, batch_size=batch_size, seed=1,
                     progress=False, compiled=compiled, record=record, **options)
    return model, history.recording


def flat(pairs):
    return np.concatenate([np.concatenate([W.ravel(), b]) for W, b in pairs])


def test_record_true_takes_one_snapshot_per_epoch_and_the_trained_network():
    model, recording = fit(True)
    assert [s.update for s in recording.snapshots] == [0, 4, 8, 12, 16]
    assert [s.epoch for s in recording.snapshots] == [0.0, 1.0, 2.0, 3.0, 4.0]
    assert recording.sizes == [2, 5, 3, 1] and recording.every == ("epoch", 1)
    assert recording.activations == [("tanh", None), ("tanh", None), ("linear", 1.0)]
    assert recording.loss == "bce_with_logits"
    assert recording.decision == {"rule": "threshold", "at": 0.0, "classes": [0, 1]}
    last = recording.snapshots[-1]
    assert last.gradients is None and last.batch_loss is None
    for (W, b), (rW, rb) in zip(model.weights(), last.weights):
        np.testing.assert_array_equal(W, rW)
        np.testing.assert_array_equal(b, rb)


def test_the_first_snapshot_holds_the_initial_weights_and_the_first_batch_gradient():
    start = nn.MLP(2, [5, 3, 1], activation="tanh", seed=0)
    _, recording = fit(True, batch_size=None, shuffle=False)
    first = recording.snapshots[0]
    np.testing.assert_array_equal(flat(first.weights), flat(start.weights()))
    # batch descent, no shuffle: the first batch is the whole set, C = 1/N Σ_i C_i
    cost = autograd.sum([nn.bce_with_logits(start(x), t) for x, t in zip(X.tolist(), Y.tolist())]) * (1 / len(X))
    cost.backward()
    by_layer = [(np.array([[w.grad for w in n.w] for n in layer.neurons]), np.array([n.b.grad for n in layer.neurons]))
                for layer in start.layers]
    np.testing.assert_allclose(flat(first.gradients), flat(by_layer), rtol=1e-12, atol=1e-15)
    assert first.batch_loss == pytest.approx(cost.data, rel=1e-12)


@settings(max_examples=15, deadline=None)
@given(k=st.integers(1, 7), lr=st.floats(0.01, 1.0), batch_size=st.sampled_from([1, 7, 10, None]))
def test_record_k_is_every_k_updates_and_each_update_is_w_minus_eta_grad(k, lr, batch_size):
    _, recording = fit(k, lr=lr, epochs=2, batch_size=batch_size)
    total = 2 * -(-len(X) // (batch_size or len(X)))
    expected = list(range(0, total, k)) + [total]
    assert [s.update for s in recording.snapshots] == expected
    if k == 1:  # plain SGD: the next snapshot is w - η ∂C/∂w of this one, to rounding
        for now, after in zip(recording.snapshots, recording.snapshots[1:]):
            np.testing.assert_allclose(flat(after.weights), flat(now.weights) - lr * flat(now.gradients),
                                       rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("record", [True, 3])
def test_the_compiled_path_records_the_scalar_paths_snapshots(record):
    _, scalar = fit(record, compiled=False)
    _, compiled = fit(record, compiled=True)
    assert [s.update for s in scalar.snapshots] == [s.update for s in compiled.snapshots]
    for a, b in zip(scalar.snapshots, compiled.snapshots):
        np.testing.assert_allclose(flat(a.weights), flat(b.weights), rtol=1e-9, atol=1e-12)
        if a.gradients is not None:
            np.testing.assert_allclose(flat(a.gradients), flat(b.gradients), rtol=1e-9, atol=1e-12)
            assert a.batch_loss == pytest.approx(b.batch_loss, rel=1e-9)


def test_snapshots_are_copies_not_views_of_the_training_arrays():
    _, recording = fit(1, compiled=True, epochs=1)
    firsts = [flat(s.weights) for s in recording.snapshots]
    assert all(not np.array_equal(a, b) for a, b in zip(firsts, firsts[1:]))


def test_no_record_keeps_no_recording():
    assert fit(None)[1] is None and fit(False)[1] is None


@pytest.mark.parametrize("record,error", [(0, ValueError), (-2, ValueError), (1.5, TypeError), ("epoch", TypeError)])
def test_a_bad_record_is_refused_by_name(record, error):
    with pytest.raises(error, match="fit record"):
        fit(record)


def test_a_model_without_layers_is_refused_with_what_to_record():
    class Net(nn.Module):
        def __init__(self):
            self.nin, self.nout = 2, 1
            self.inner = nn.MLP(2, [1], seed=0)

        def forward(self, x):
            return self.inner(x)

    with pytest.raises(TypeError, match="record an nn.MLP or nn.Layer"):
        fit(True, model=Net())


def test_a_recording_past_the_limit_is_thinned_evenly_with_a_warning(monkeypatch):
    one = 16 * (2 * 5 + 5 + 5 * 3 + 3 + 3 + 1)  # bytes of one snapshot's weights and gradients
    monkeypatch.setattr(nn.record, "MAX_BYTES", 10 * one)
    with pytest.warns(nn.RecordingThinnedWarning, match="every second snapshot was dropped"):
        _, recording = fit(1, epochs=8, batch_size=5)  # 64 updates: 65 snapshots asked for
    updates = [s.update for s in recording.snapshots]
    assert recording.bytes <= 10 * one and updates[0] == 0 and updates[-1] == 64
    unit, every = recording.every
    assert unit == "update" and every == 8 and recording.thinned == 3
    assert updates == list(range(0, 65, every))


def test_a_network_too_big_to_record_twice_is_refused_before_training(monkeypatch):
    monkeypatch.setattr(nn.record, "MAX_BYTES", 1000)
    model = nn.MLP(2, [5, 3, 1], activation="tanh", seed=0)
    before = model.state_dict()
    with pytest.raises(ValueError, match=r"one snapshot of this 2-5-3-1 network takes .* MB"):
        fit(True, model=model)
    assert model.state_dict() == before


def test_multiclass_recordings_decide_by_argmax():
    model = nn.MLP(2, [4, 3], seed=0)
    labels = (X[:, 0] > 0).astype(int) + (X[:, 1] > 0.5).astype(int)
    history = nn.fit(model, X, labels, loss=nn.cross_entropy, epochs=1, lr=0.1, progress=False, record=True)
    assert history.recording.decision == {"rule": "argmax"}
    real = np.column_stack([X, X[:, 0] * 0.3])  # three real-valued targets: no classes
    history = nn.fit(model, X, real, loss=nn.mse, epochs=1, lr=0.01, progress=False, record=True)
    assert history.recording.decision is None


# --- an nn.Sequential is recorded as the MLP it builds ---------------------------------------------

def readme_sequential():
    """The README's "Moving to PyTorch" model, and the nn.MLP with its weights and activations."""
    model = nn.Sequential(nn.Linear(2, 8, seed=0), nn.Tanh(), nn.Linear(8, 2, seed=1))
    mlp = nn.MLP(2, [8, 2], activation="tanh", seed=5)
    for layer, linear in zip(mlp.layers, (model[0], model[2])):
        layer.set_weights(*linear.weights())
    return model, mlp


def fit_classes(model, compiled=False):
    return nn.fit(model, X, Y.astype(int), loss=nn.CrossEntropyLoss(), epochs=3, batch_size=10, lr=0.5, seed=0,
                  progress=False, compiled=compiled, record=True)


def assert_same_recording(mine, theirs):
    for field in ("sizes", "activations", "loss", "decision", "every", "updates_per_epoch"):
        assert getattr(mine, field) == getattr(theirs, field), field
    assert len(mine.snapshots) == len(theirs.snapshots)
    for s, t in zip(mine.snapshots, theirs.snapshots):
        assert (s.update, s.epoch, s.batch_loss) == (t.update, t.epoch, t.batch_loss)
        np.testing.assert_array_equal(flat(s.weights), flat(t.weights))
        if t.gradients is None:
            assert s.gradients is None
        else:
            np.testing.assert_array_equal(flat(s.gradients), flat(t.gradients))


@pytest.mark.parametrize("compiled", [False, True])
def test_a_sequential_is_recorded_as_the_mlp_with_its_weights(compiled):
    model, mlp = readme_sequential()
    mine, theirs = fit_classes(model, compiled), fit_classes(mlp, compiled)
    assert mine.recording.sizes == [2, 8, 2]
    assert mine.recording.activations == [("tanh", None), ("linear", 1.0)]
    assert_same_recording(mine.recording, theirs.recording)
    assert (mine.loss, mine.accuracy) == (theirs.loss, theirs.accuracy)
    for (W, b), (rW, rb) in zip([model[0].weights(), model[2].weights()], mine.recording.snapshots[-1].weights):
        np.testing.assert_array_equal(W, rW)
        np.testing.assert_array_equal(b, rb)


def test_nested_sequentials_and_identities_are_read_in_forward_order():
    """Layer k + 1 is the k-th Linear depth first (as the labels count), its σ the module after it."""
    model = nn.Sequential(nn.Sequential(nn.Linear(2, 3, seed=0), nn.Identity(), nn.Sigmoid()),
                          nn.Sequential(nn.Linear(3, 4, seed=1)),
                          nn.Linear(4, 2, seed=2), nn.LinearActivation(0.5))
    mlp = nn.MLP(2, [3, 4, 2], activation=["sigmoid", "linear", ("linear", 0.5)], seed=5)
    for layer, linear in zip(mlp.layers, (model[0][0], model[1][0], model[2])):
        layer.set_weights(*linear.weights())
    mine, theirs = fit_classes(model), fit_classes(mlp)
    assert mine.recording.activations == [("sigmoid", None), ("linear", 1.0), ("linear", 0.5)]
    assert_same_recording(mine.recording, theirs.recording)


def test_the_training_page_draws_a_sequential_as_the_mlp():
    import json
    import re
    import viz

    def fragment(history):
        page = viz.training(history, X, Y)
        return page._fragment.replace(page._page_id, "ROOT")

    model, mlp = readme_sequential()
    mine = fragment(fit_classes(model))
    assert mine == fragment(fit_classes(mlp))
    data = json.loads(re.search(r'<script type="application/json" class="tg-data">(.*?)</script>', mine, re.S)[1])
    assert data["sizes"] == [2, 8, 2] and data["activations"] == ["tanh", "linear"]
    assert data["title"] == "Training a 2-8-2 network (CrossEntropyLoss)"  # the loss as the user wrote it


class Twice(nn.Module):
    """A module of one's own: its forward is no Linear and no activation."""

    def __init__(self):
        self.nin = self.nout = 8

    def forward(self, a):
        return [2 * v for v in a]


def _tied():
    linear = nn.Linear(2, 2, seed=0)
    return nn.Sequential(linear, nn.Tanh(), nn.Sequential(linear), nn.Linear(2, 2, seed=1))


@pytest.mark.parametrize("make, message", [
    (lambda: nn.Sequential(nn.Linear(2, 8, seed=0), nn.Tanh(), Twice(), nn.Linear(8, 2, seed=1)),
     r"the Sequential's module '2' \(Twice\(0 parameters\)\) is not a layer"),
    (lambda: nn.Sequential(nn.Tanh(), nn.Linear(2, 2, seed=0)),
     r"the Sequential's module '0' \(Tanh\(\)\) comes before any Linear"),
    (lambda: nn.Sequential(nn.Linear(2, 2, seed=0), nn.Tanh(), nn.Sequential(nn.ReLU(), nn.Linear(2, 2))),
     r"the Sequential's module '2.0' \(ReLU\(\)\) follows another activation, the Sequential's module '1' "
     r"\(Tanh\(\)\); a recording gives each layer one activation"),
    (_tied, r"the Sequential's module '2.0' \(Linear\(in_features=2, out_features=2, bias=True\)\) is the same "
            r"Linear as the Sequential's module '0' .*: tied weights"),
    (lambda: nn.Sequential(nn.Linear(2, 2, bias=False, seed=0)),
     r"the Sequential's module '0' \(Linear\(in_features=2, out_features=2, bias=False\)\) has no bias"),
], ids=["own module", "activation first", "two activations", "tied", "no bias"])
def test_a_sequential_that_is_not_layers_is_refused_by_position(make, message):
    model = make()
    before = model.state_dict()
    with pytest.raises(TypeError, match=f"^fit record: {message}"):
        fit_classes(model)
    assert model.state_dict() == before  # refused before training


def test_a_recording_names_a_pytorch_loss_as_the_user_wrote_it():
    model = nn.Sequential(nn.Linear(2, 3, seed=0), nn.Tanh(), nn.Linear(3, 2, seed=1))
    history = nn.fit(model, [[0.1, 0.2], [0.3, -0.4]], [0, 1], loss=nn.CrossEntropyLoss(), epochs=1, lr=0.1,
                     progress=False, record=True)
    assert history.recording.loss == "CrossEntropyLoss"
    assert history.recording.decision == {"rule": "argmax"}  # still read as cross entropy's
