"""viz.training: the replay page's data is the recording's, its regions and classes are nn's,
it is self-contained, and its size is bounded (thinned or refused past max_bytes)."""

import json
import re
from html.parser import HTMLParser

import numpy as np
import pytest

import nn
import nn.record
import viz
from viz.training import MAX_PAGE_BYTES
from nn.datasets import two_moons
from viz.replay import forward

X, Y = two_moons(60, noise=0.1, seed=0)


def moons(epochs=6, record=True, **options):
    model = nn.MLP(2, [6, 4, 1], activation="tanh", seed=0)
    history = nn.fit(model, X, Y, loss=nn.bce_with_logits, epochs=epochs, batch_size=15, lr=0.3, seed=0,
                     progress=False, record=record, **options)
    return model, history


def blobs(n=90, classes=3, seed=0):
    rng = np.random.default_rng(seed)
    labels = np.arange(n) % classes
    centres = rng.normal(0, 2, size=(classes, 4))
    return centres[labels] + rng.normal(0, 0.7, size=(n, 4)), labels


class Scripts(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.scripts, self._in = [], [], False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "script":
            self._in = True
            self.scripts.append([dict(attrs), ""])

    def handle_endtag(self, tag):
        self._in = False if tag == "script" else self._in

    def handle_data(self, text):
        if self._in:
            self.scripts[-1][1] += text


def page_data(page):
    parser = Scripts()
    parser.feed(page.html)
    (data,) = [json.loads(text) for attrs, text in parser.scripts if attrs.get("class") == "tg-data"]
    return data, parser


def test_the_page_is_one_self_contained_file(tmp_path):
    _, history = moons()
    path = viz.training(history, X, Y).save(tmp_path / "moons.html")
    text = path.read_text(encoding="utf-8")
    _, parser = page_data(viz.training(history, X, Y))
    assert not any(tag in ("link", "img", "iframe") for tag, _ in parser.tags)
    assert all("src" not in attrs for attrs, _ in parser.scripts)
    assert set(re.findall(r"https?://[^\s\"'<>]+", text)) <= {"http://www.w3.org/2000/svg"}
    assert "@import" not in text and "url(" not in text
    assert sorted(tmp_path.iterdir()) == [path]  # the atomic write leaves no temporary file
    plain = tmp_path / "plain.txt"
    plain.write_text("")
    assert path.stat().st_mode == plain.stat().st_mode  # as readable as any file written here


def test_the_page_holds_every_snapshots_weights_and_gradients_to_4_digits():
    _, history = moons()
    data, _ = page_data(viz.training(history, X, Y))
    recording = history.recording
    assert len(data["snapshots"]) == len(recording.snapshots) and data["thinned"] is None
    for shown, snap in zip(data["snapshots"], recording.snapshots):
        assert shown["update"] == snap.update
        for l, (W, b) in enumerate(snap.weights):
            np.testing.assert_allclose(shown["w"][l], W.ravel(), rtol=5e-4, atol=0)
            np.testing.assert_allclose(shown["b"][l], b, rtol=5e-4, atol=0)
        if snap.gradients is None:
            assert shown["gw"] is None
        else:
            np.testing.assert_allclose(shown["gw"][1], snap.gradients[1][0].ravel(), rtol=5e-4, atol=0)
    assert data["sizes"] == [2, 6, 4, 1] and data["by"] == "neuron"
    assert data["curves"]["loss"] == pytest.approx(history.loss, rel=5e-4)


def test_the_replay_gives_the_models_outputs_and_accuracy_at_the_last_snapshot():
    model, history = moons()
    last = history.recording.snapshots[-1]
    np.testing.assert_allclose(forward(last.weights, history.recording.activations, X),
                               model.predict(X).reshape(len(X), -1), rtol=1e-12, atol=1e-12)
    data, _ = page_data(viz.training(history, X, Y))
    assert data["snapshots"][-1]["accuracy"] == pytest.approx(nn.accuracy(model, X, Y, loss=nn.bce_with_logits), abs=1e-4)


@pytest.mark.parametrize("loss,output,targets", [
    (nn.bce, "sigmoid", "01"), (nn.hinge, None, "pm"), (nn.mse, None, "01"), (nn.mse, None, "pm"),
    (nn.cross_entropy, None, "index"), (nn.sse, "sigmoid", "onehot"), (nn.nll, "softmax", "index")])
def test_every_classifying_setup_is_decided_as_nn_accuracy_decides(loss, output, targets):
    classes = 1 if targets in ("01", "pm") else 3
    Xb, labels = blobs(classes=2 if classes == 1 else 3)
    y = {"01": labels, "pm": 2 * labels - 1, "index": labels, "onehot": np.eye(3)[labels]}[targets]
    model = nn.MLP(4, [5, classes], activation="relu", output_activation=output, seed=1)
    history = nn.fit(model, Xb, y, loss=loss, epochs=3, lr=0.05, progress=False, record=True)
    data, _ = page_data(viz.training(history, Xb, y))
    assert data["snapshots"][-1]["accuracy"] == pytest.approx(nn.accuracy(model, Xb, y, loss=loss), abs=1e-4)
    if classes == 3:  # no 2-input plane: the confusion matrix, rows true, columns predicted
        confusion = np.array(data["snapshots"][-1]["confusion"])
        predicted = model.predict(Xb).argmax(axis=1)
        expected = np.zeros((3, 3), int)
        np.add.at(expected, (labels, predicted), 1)
        np.testing.assert_array_equal(confusion, expected)


def test_two_input_data_gets_decision_regions_computed_from_each_snapshots_weights():
    _, history = moons()
    data, _ = page_data(viz.training(history, X, Y, grid=10))
    regions = data["regions"]
    assert regions["grid"] == 10 and len(regions["points"]) == len(X)
    codes, levels = regions["codes"], regions["levels"]
    first, last = history.recording.snapshots[0], history.recording.snapshots[-1]
    for snap, shown in ((first, data["snapshots"][0]), (last, data["snapshots"][-1])):
        x0, x1, y0, y1 = regions["box"]
        xs, ys = np.linspace(x0, x1, 10), np.linspace(y1, y0, 10)
        grid = np.column_stack([np.tile(xs, 10), np.repeat(ys, 10)])
        logits = forward(snap.weights, history.recording.activations, grid)[:, 0]
        assert [codes.index(c) // levels for c in shown["region"]] == (logits >= 0).astype(int).tolist()
        wrong = forward(snap.weights, history.recording.activations, X)[:, 0] >= 0
        assert shown["wrong"] == np.flatnonzero(wrong != (Y == 1)).tolist()


def test_a_big_network_is_drawn_by_layer():
    Xb, labels = blobs(n=60, classes=3)
    Xb = np.tile(Xb, (1, 10))  # 40 inputs
    model = nn.MLP(40, [30, 3], activation="sigmoid", seed=0)
    history = nn.fit(model, Xb, labels, loss=nn.cross_entropy, epochs=2, lr=0.1, progress=False, record=True)
    data, _ = page_data(viz.training(history, Xb, labels))
    assert data["by"] == "layer" and "regions" not in data
    assert page_data(viz.training(history, Xb, labels, by="neuron"))[0]["by"] == "neuron"


def test_a_recording_too_big_for_the_page_is_thinned_evenly_with_a_warning():
    _, history = moons(epochs=8, record=1)  # 33 snapshots
    full = len(viz.training(history, X, Y).html.encode())
    limit = full // 3 + 20_000
    with pytest.warns(viz.TrainingPageThinnedWarning, match=r"shows \d+ of the recording's 33 snapshots"):
        page = viz.training(history, X, Y, max_bytes=limit)
    data, _ = page_data(page)
    updates = [s["update"] for s in data["snapshots"]]
    assert len(page.html.encode()) <= limit and 2 <= len(updates) < 33
    assert updates[0] == 0 and updates[-1] == 32 and updates == sorted(set(updates))
    steps = np.diff(updates)
    assert steps.max() - steps.min() <= 1  # evenly spaced
    assert "evenly spaced" in data["thinned"]


def test_a_network_whose_single_snapshot_does_not_fit_is_refused():
    _, history = moons()
    with pytest.raises(ValueError, match=r"not even two fit in max_bytes=0.03 MB"):
        viz.training(history, X, Y, max_bytes=30_000)


def test_the_digits_sized_page_stays_a_few_megabytes():
    """64-32-10 over 40 epochs, a snapshot per epoch: about 2 MB, under MAX_PAGE_BYTES (bench/training_page.py measures it)."""
    rng = np.random.default_rng(0)
    Xd, labels = rng.random((200, 64)), rng.integers(0, 10, 200)
    model = nn.MLP(64, [32, 10], activation="sigmoid", output_activation="sigmoid", seed=0)
    history = nn.fit(model, Xd, np.eye(10)[labels], loss=nn.sse, epochs=40, batch_size=50, lr=1.0,
                     progress=False, record=True)
    page = viz.training(history, Xd, labels)
    assert page_data(page)[0]["by"] == "layer"
    assert len(page.html.encode()) < 2_500_000 < MAX_PAGE_BYTES


def test_without_a_recording_the_error_says_how_to_record():
    _, history = moons(record=None)
    with pytest.raises(ValueError, match=r"record=True"):
        viz.training(history, X, Y)


@pytest.mark.parametrize("X_bad,y_bad,match", [
    (np.zeros((60, 3)), Y, r"expected an array \(N, 2\)"), (X, Y[:10], "expected 60 targets"),
    (np.full((60, 2), np.nan), Y, "nan")])
def test_bad_data_is_refused_by_name(X_bad, y_bad, match):
    _, history = moons()
    with pytest.raises(ValueError, match=match):
        viz.training(history, X_bad, y_bad)


@pytest.mark.parametrize("option,value,error", [("by", "edge", ValueError), ("grid", 2, ValueError),
                                                ("grid", True, TypeError)])  # True is no int: a wrong type
def test_bad_options_are_refused_by_name(option, value, error):
    _, history = moons()
    with pytest.raises(error, match=option):
        viz.training(history, X, Y, **{option: value})


@pytest.mark.parametrize("title", ["</script><script>alert(1)</script>", "%DATA%", "a & <b>", "%JS% %ID%"])
def test_a_title_is_shown_as_written(title):
    _, history = moons()
    page = viz.training(history, X, Y, title=title)
    data, parser = page_data(page)
    assert data["title"] == title
    assert [attrs.get("class") for attrs, _ in parser.scripts] == ["tg-data", None]
    assert page.html.count('class="tg-data"') == 1


def test_two_pages_have_different_roots_for_one_notebook():
    _, history = moons()
    a, b = viz.training(history, X, Y)._repr_html_(), viz.training(history, X, Y)._repr_html_()
    ids = [re.search(r'class="tg-training" id="([^"]+)"', f)[1] for f in (a, b)]
    assert ids[0] != ids[1]
    assert f'name="{ids[0]}-show"' in a and f'getElementById("{ids[0]}")' in a


def test_one_page_rendered_twice_has_two_roots():
    """`display(page)` in two cells: each copy its own root id and radio group."""
    _, history = moons()
    page = viz.training(history, X, Y)
    a, b = page._repr_html_(), page._repr_html_()
    ids = [re.search(r'class="tg-training" id="([^"]+)"', f)[1] for f in (a, b, page.html)]
    assert len(set(ids)) == 3
    assert f'name="{ids[1]}-show"' in b and f'getElementById("{ids[1]}")' in b and ids[0] not in b


def test_viz_reads_a_recording_as_data_and_never_imports_nn():
    import subprocess
    import sys
    code = "import sys, viz, viz.replay, viz.page; import viz.training; print('nn' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


@pytest.mark.parametrize("options, error, message", [
    ({"digits": True}, TypeError, r"viz.training digits=True: expected an int from 1 to 17"),
    ({"digits": "4"}, TypeError, r"digits='4'"),
    ({"digits": 0}, ValueError, r"digits=0: expected an int from 1 to 17"),
    ({"max_bytes": "x"}, TypeError, r"viz.training max_bytes: expected a real number.*'x'"),
    ({"max_bytes": None}, TypeError, r"max_bytes: expected a real number.*None"),
    ({"max_bytes": -1}, ValueError, r"max_bytes=-1: expected a number > 0"),
    ({"max_bytes": True}, TypeError, r"max_bytes: expected a number, got bool True"),
    ({"title": 3}, TypeError, r"viz.training title=3: expected a str"),
])
def test_a_bad_option_is_refused_naming_it_and_the_culprit(options, error, message):
    _, history = moons(epochs=1)
    with pytest.raises(error, match=message):
        viz.training(history, X, Y, **options)


@pytest.mark.parametrize("X_bad, y_bad, error, message", [
    ("x", Y, TypeError, r"viz.training X: expected an array of numbers, got str 'x'"),
    ([["a", "b"]] * 60, Y, TypeError, r"viz.training X: expected an array of numbers"),
    (np.zeros((0, 2)), [], ValueError, r"viz.training X: expected at least one example"),
    (X, 3, TypeError, r"viz.training y: expected one target per row of X, got int 3"),
    (X, None, TypeError, r"viz.training y: expected one target per row of X, got NoneType"),
    (X, ["a"] * 60, TypeError, r"viz.training y: expected an array of numbers"),
    (X, np.full(60, np.nan), ValueError, r"viz.training y: holds nan or inf"),
    (X, np.zeros((60, 3)), ValueError, r"viz.training y: expected shape \(60,\) or \(60, 1\), got \(60, 3\)"),
], ids=["X str", "X of str", "X empty", "y int", "y None", "y of str", "y nan", "y (60, 3)"])
def test_bad_data_is_refused_naming_x_or_y_never_numpys_error(X_bad, y_bad, error, message):
    _, history = moons(epochs=1)
    with pytest.raises(error, match=message):
        viz.training(history, X_bad, y_bad)


def test_a_history_that_is_not_one_is_a_type_error():
    with pytest.raises(TypeError, match=r"viz.training history: expected the History that nn.fit.*int 3"):
        viz.training(3, X, Y)


@pytest.mark.parametrize("index, error", [(3, IndexError), (-1, IndexError), (1.5, ValueError)])
def test_a_class_index_the_network_cannot_have_is_refused_not_clipped(index, error):
    rng = np.random.default_rng(0)
    X4, y4 = rng.normal(size=(30, 4)), np.arange(30) % 3
    history = nn.fit(nn.MLP(4, [5, 3], seed=0), X4, y4, loss=nn.cross_entropy, epochs=1, batch_size=10,
                     lr=0.1, seed=0, progress=False, record=True)
    y_bad = y4.astype(float)
    y_bad[7] = index
    with pytest.raises(error, match=rf"viz.training y\[7\]: .*{index}.*3 classes"):
        viz.training(history, X4, y_bad)
    assert viz.training(history, X4, np.eye(3)[y4])  # one-hot rows are class indices too


@pytest.mark.parametrize("options, error, message", [
    ({"grid": None}, TypeError, r"viz.training grid=None: expected an int from 4 to 200 \(cells per side\), got NoneType"),
    ({"grid": True}, TypeError, r"grid=True: expected an int from 4 to 200.*got bool"),
    ({"grid": 20.0}, TypeError, r"grid=20\.0: expected an int from 4 to 200.*got float"),  # as digits=2.0 is
    ({"grid": "20"}, TypeError, r"grid='20': .*got str"),
    ({"grid": 3}, ValueError, r"grid=3: expected an int from 4 to 200 \(cells per side\), got 3"),
    ({"grid": 201}, ValueError, r"grid=201: expected an int from 4 to 200"),
    ({"by": True}, TypeError, r"viz.training by=True: expected 'neuron', 'layer' or None \(choose by size\), got bool"),
    ({"by": 1}, TypeError, r"by=1: .*got int"),
    ({"by": np.array(["layer"])}, TypeError, r"by=array.*got ndarray"),
    ({"by": "neurons"}, ValueError, r"by='neurons': expected 'neuron', 'layer' or None \(choose by size\)$"),
], ids=["grid=None", "grid=True", "grid=20.0", "grid='20'", "grid=3", "grid=201", "by=True", "by=1", "by=array",
        "by='neurons'"])
def test_a_grid_or_by_of_the_wrong_type_is_a_type_error_and_out_of_range_a_value_error(options, error, message):
    _, history = moons(epochs=1)
    with pytest.raises(error, match=message):
        viz.training(history, X, Y, **options)


def test_a_grid_given_as_a_numpy_int_is_taken_as_digits_is():
    _, history = moons(epochs=1)
    data, _ = page_data(viz.training(history, X, Y, grid=np.int64(8)))
    assert data["regions"]["grid"] == 8
