"""demos.training and the tour's section 4: the two replay pages, their content and size, and
the screenshots taken in Chromium."""

import json
import re

import pytest

from demos import __main__ as tour
from demos import training

from tests.support import require_chromium


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    out = tmp_path_factory.mktemp("training")
    return training.run(out=out, quick=True)[0], out


def page_data(path):
    text = path.read_text(encoding="utf-8")
    return json.loads(re.search(r'<script type="application/json" class="tg-data">(.*?)</script>', text, re.S)[1])


def test_the_moons_page_is_drawn_by_neuron_with_decision_regions(pages):
    moons = pages[0][0]
    data = page_data(moons.path)
    assert moons.path.name == "training_moons.html" and data["sizes"] == [2, 16, 16, 1]
    assert data["by"] == "neuron" and "regions" in data and data["curves"]["valLoss"] is not None
    assert len(data["snapshots"]) == moons.history.epochs + 1  # one per epoch, and the trained network
    assert data["snapshots"][-1]["accuracy"] == pytest.approx(moons.accuracy, abs=1e-4)


def test_the_digits_page_is_drawn_by_layer_with_a_confusion_matrix(pages):
    digits = pages[0][1]
    data = page_data(digits.path)
    assert data["sizes"] == [64, 32, 10] and data["by"] == "layer" and "regions" not in data
    last = data["snapshots"][-1]
    assert len(last["confusion"]) == 10 and sum(map(sum, last["confusion"])) == data["examples"]
    assert last["accuracy"] == pytest.approx(digits.accuracy, abs=1e-4)


def test_the_tour_writes_both_pages(tmp_path, capsys):
    tour.main(["--quick", "--out", str(tmp_path)])
    listed = {p.split("/")[-1] for p in capsys.readouterr().out.split("wrote:")[-1].split()}
    assert {"training_moons.html", "training_digits.html"} <= listed


def test_screenshots_are_pictures_of_the_pages(pages):
    require_chromium()
    found, out = pages
    pngs = training.screenshots(found, out)
    assert [p.name for p in pngs] == ["training_moons.png", "training_digits.png"]
    assert all(p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and p.stat().st_size > 20_000 for p in pngs)


def test_the_digits_page_shows_the_notes_cost_c_x_not_twice_it(pages):
    # the page's C and ∂C/∂w are the notes' C_x = 1/2 ‖y - a‖² (the docstring and the title say
    # "the notes'"), not nn.sse = Σ (a - y)² = 2 C_x trained at η/2
    import numpy as np

    from demos import digits
    page = pages[0][1]
    _, X_test, _, y_test = digits.load_sklearn_digits()
    data = page_data(page.path)
    trained = digits.network(64, digits.HIDDEN)  # given the last snapshot's (the trained) weights
    last = page.history.recording.snapshots[-1]
    for layer, (W, b) in zip(trained.layers, last.weights):
        for neuron, row, bias in zip(layer.neurons, W, b):
            for w, value in zip(neuron.w, row):
                w.data = float(value)
            neuron.b.data = float(bias)
    a = trained.predict(X_test)
    c_x = 0.5 * np.sum((a - np.eye(10)[y_test]) ** 2, axis=1).mean()
    assert page.history.val_loss[-1] == pytest.approx(c_x, rel=1e-9)
    assert data["curves"]["valLoss"][-1] == pytest.approx(c_x, rel=1e-3)  # the page shows 4 digits
    assert page.history.recording.loss == "quadratic_cost"
