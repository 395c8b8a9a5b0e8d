"""viz.training in Chromium (the `browser` fixture of tests/viz/conftest.py): Play and the slider
work, every snapshot renders with the recording's numbers, nothing is fetched and nothing is
logged as an error."""

import re

import numpy as np
import pytest

import nn
import viz
from nn.datasets import two_moons
from viz.page import HtmlPage

X, Y = two_moons(60, noise=0.1, seed=0)


@pytest.fixture(scope="module")
def moons_history():
    model = nn.MLP(2, [6, 4, 1], activation="tanh", seed=0)
    return nn.fit(model, X, Y, loss=nn.bce_with_logits, epochs=8, batch_size=15, lr=0.3, seed=0,
                  progress=False, record=True, validation=two_moons(30, noise=0.1, seed=1))


@pytest.fixture(scope="module")
def layered():
    """A 40-input, 3-class network: drawn by layer, with a confusion matrix."""
    rng = np.random.default_rng(0)
    labels = np.arange(90) % 3
    Xb = np.tile(rng.normal(0, 2, (3, 4))[labels] + rng.normal(0, 0.7, (90, 4)), (1, 10))
    model = nn.MLP(40, [30, 3], activation="sigmoid", seed=0)
    history = nn.fit(model, Xb, labels, loss=nn.cross_entropy, epochs=5, batch_size=30, lr=0.5,
                     progress=False, record=True)
    return history, Xb, labels


def open_page(browser, page_object, tmp_path, name="page.html"):
    path = page_object.save(tmp_path / name)
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    problems = []
    page.on("console", lambda message: problems.append(f"console {message.type}: {message.text}")
            if message.type in ("error", "warning") else None)
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on("request", lambda request: problems.append(f"request: {request.url}")
            if not request.url.startswith("file://") else None)
    page.goto(path.resolve().as_uri())
    page.wait_for_selector(".tg-training[data-ready='1']")
    return page, problems


def snapshot_of(page, root=".tg-training"):
    return int(page.get_attribute(root, "data-snapshot"))


def test_every_snapshot_renders_the_recorded_weights_and_gradients(browser, tmp_path, moons_history):
    recording = moons_history.recording
    page, problems = open_page(browser, viz.training(moons_history, X, Y), tmp_path)
    count = len(recording.snapshots)
    assert page.get_attribute(".tg-slider", "max") == str(count - 1)
    lines = page.locator(".tg-net svg line:not(.tg-hit)")
    assert lines.count() == 2 * 6 + 6 * 4 + 4 * 1
    for mode in ("w", "g"):
        page.check(f".tg-show input[value={mode}]")
        for i, snap in enumerate(recording.snapshots):
            page.fill(".tg-slider", str(i))
            assert snapshot_of(page) == i and page.get_attribute(".tg-training", "data-mode") == mode
            assert f"Snapshot {i + 1} of {count}" in page.text_content(".tg-status")
            arrays = snap.weights if mode == "w" else snap.gradients
            # the third drawn line is w(3)_1,3 (layer 3, neuron 1, from neuron 3 of layer 2)
            third = lines.nth(2 * 6 + 2).get_attribute("data-value")
            if arrays is None:
                assert third == ""
            else:
                assert float(third) == pytest.approx(arrays[1][0][0, 2], rel=5e-4)
                shown_bias = page.text_content(".tg-net svg circle + text >> nth=2")  # a neuron of layer 2
                assert shown_bias not in ("", "?")
            wrong = int(page.get_attribute(".tg-regions", "data-wrong"))
            assert wrong >= 0
    assert problems == []


def test_play_walks_through_the_snapshots_and_pause_stops(browser, tmp_path, moons_history):
    page, problems = open_page(browser, viz.training(moons_history, X, Y), tmp_path)
    last = len(moons_history.recording.snapshots) - 1
    page.select_option(".tg-speed", "120")
    page.click(".tg-play")
    assert page.get_attribute(".tg-training", "data-playing") == "1"
    page.wait_for_function("document.querySelector('.tg-training').dataset.snapshot >= 2")
    page.click(".tg-play")
    stopped = snapshot_of(page)
    assert page.get_attribute(".tg-training", "data-playing") == "0" and "Play" in page.text_content(".tg-play")
    page.wait_for_timeout(400)
    assert snapshot_of(page) == stopped
    page.click(".tg-play")  # play on to the end, where it stops by itself
    page.wait_for_function(f"document.querySelector('.tg-training').dataset.snapshot == '{last}' && "
                           f"document.querySelector('.tg-training').dataset.playing == '0'", timeout=10_000)
    page.click(".tg-play")  # at the end, Play starts again from the first snapshot
    page.wait_for_function("document.querySelector('.tg-training').dataset.playing == '1'")
    assert snapshot_of(page) <= 2
    assert problems == []


def test_keys_buttons_and_pointing_at_a_weight(browser, tmp_path, moons_history):
    recording = moons_history.recording
    page, problems = open_page(browser, viz.training(moons_history, X, Y), tmp_path)
    page.focus(".tg-training")
    page.keyboard.press("ArrowRight")
    assert snapshot_of(page) == 1
    page.keyboard.press("End")
    assert snapshot_of(page) == len(recording.snapshots) - 1
    page.click(".tg-prev")
    assert snapshot_of(page) == len(recording.snapshots) - 2
    page.keyboard.press("Home")
    page.hover(".tg-net .tg-hit >> nth=0")
    info = page.text_content(".tg-info")
    w = recording.snapshots[0].weights[0][0][0, 0]
    assert "w(2)1,1 = " in info and "from input x1 into neuron 1 of layer 2" in info
    assert float(info.split("w(2)1,1 = ")[1].split(",")[0]) == pytest.approx(w, rel=5e-4)
    page.click(".tg-net .tg-hit >> nth=0")  # picked: it stays in the panel as the snapshots change
    page.mouse.move(5, 5)
    page.click(".tg-next")
    assert "w(2)1,1 = " in page.text_content(".tg-info")
    assert problems == []


def test_a_big_network_by_layer_renders_every_snapshot_and_its_confusion_matrix(browser, tmp_path, layered):
    history, Xb, labels = layered
    page, problems = open_page(browser, viz.training(history, Xb, labels), tmp_path)
    assert page.locator(".tg-matrix canvas").count() == 4  # W(2), b(2), W(3), b(3)
    for i, snap in enumerate(history.recording.snapshots):
        page.fill(".tg-slider", str(i))
        first = page.get_attribute(".tg-matrix canvas >> nth=0", "data-value")
        assert float(first) == pytest.approx(snap.weights[0][0][0, 0], rel=5e-4)
        cells = page.locator("table.tg-confusion tr:nth-child(2) td:not(.tg-acc-cell)").all_text_contents()
        assert sum(int(c or 0) for c in cells) == np.sum(labels == 0)
    page.hover(".tg-matrix canvas >> nth=0", position={"x": 1, "y": 1})
    assert "w(2)1,1 = " in page.text_content(".tg-info")
    assert problems == []


def test_two_pages_on_one_document_do_not_clash(browser, tmp_path, moons_history, layered):
    history, Xb, labels = layered
    both = HtmlPage("two", viz.training(moons_history, X, Y).fragment + viz.training(history, Xb, labels).fragment)
    page, problems = open_page(browser, both, tmp_path)
    page.wait_for_selector(".tg-training:nth-of-type(2)[data-ready='1']")
    first, second = ".tg-training >> nth=0", ".tg-training >> nth=1"
    page.locator(first).locator(".tg-slider").fill("3")
    page.locator(second).locator(".tg-show input[value=g]").check()
    assert snapshot_of(page, first) == 3 and snapshot_of(page, second) == 0
    assert page.get_attribute(first, "data-mode") == "w" and page.get_attribute(second, "data-mode") == "g"
    page.locator(second).locator(".tg-next").click()
    assert snapshot_of(page, first) == 3 and snapshot_of(page, second) == 1
    assert problems == []


def test_square_image_inputs_show_each_hidden_neurons_weights_as_a_picture(browser, tmp_path):
    rng = np.random.default_rng(1)
    labels = np.arange(60) % 3
    images = rng.random((60, 16)) + np.eye(3, 16)[labels] * 2  # 4x4 "images"
    model = nn.MLP(16, [8, 3], activation="sigmoid", seed=0)
    history = nn.fit(model, images, labels, loss=nn.cross_entropy, epochs=3, lr=0.5, progress=False, record=True)
    page, problems = open_page(browser, viz.training(history, images, labels, by="layer"), tmp_path)
    assert page.locator(".tg-tiles canvas").count() == 8
    page.fill(".tg-slider", "2")
    page.hover(".tg-tiles canvas >> nth=2")
    info = page.text_content(".tg-info")
    bias = history.recording.snapshots[2].weights[0][1][2]
    assert "Neuron 3 of layer 2" in info and "4×4 image" in info
    assert float(re.search(r"b\(2\)3 = (\S+?)\. It fires", info)[1]) == pytest.approx(bias, rel=5e-4)
    # a tile's pixel k is w(2)_3,k: the colour of the pixel of the largest weight is the bluest
    row = history.recording.snapshots[2].weights[0][0][2]
    k = int(np.argmax(row))
    blue = page.evaluate("([k]) => { const c = document.querySelectorAll('.tg-tiles canvas')[2];"
                         " const d = c.getContext('2d').getImageData(k % 4, Math.floor(k / 4), 1, 1).data;"
                         " return [d[0], d[1], d[2]]; }", [k])
    assert blue[2] > blue[0]  # positive: blue, not orange
    assert problems == []


def test_the_arrow_keys_step_the_snapshots_after_choosing_the_gradients(browser, tmp_path, moons_history):
    page, problems = open_page(browser, viz.training(moons_history, X, Y), tmp_path)
    page.click(".tg-show input[value=g]")
    assert page.get_attribute(".tg-training", "data-mode") == "g" and snapshot_of(page) == 0
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert snapshot_of(page) == 2 and page.get_attribute(".tg-training", "data-mode") == "g"  # the radio stayed
    page.keyboard.press("ArrowLeft")
    assert snapshot_of(page) == 1 and page.is_checked(".tg-show input[value=g]")
    page.focus(".tg-slider")  # the slider keeps its own arrows: one step each, not two
    page.keyboard.press("ArrowRight")
    assert snapshot_of(page) == 2
    assert problems == []


def test_one_page_shown_twice_gives_two_copies_that_each_play(browser, tmp_path, moons_history):
    """`display(page)` in two cells: the second copy draws and steps itself, not the first."""
    shown = viz.training(moons_history, X, Y)
    page, problems = open_page(browser, HtmlPage("twice", shown._repr_html_() + shown._repr_html_()), tmp_path)
    page.wait_for_selector(".tg-training:nth-of-type(2)[data-ready='1']")
    first, second = ".tg-training >> nth=0", ".tg-training >> nth=1"
    assert page.locator(second).locator(".tg-net svg").count() == 1  # drawn, not blank
    page.locator(second).locator(".tg-next").click()
    assert snapshot_of(page, first) == 0 and snapshot_of(page, second) == 1
    page.locator(second).locator(".tg-show input[value=g]").check()
    assert page.get_attribute(first, "data-mode") == "w" and page.is_checked(f"{first} >> .tg-show input[value=w]")
    page.locator(first).locator(".tg-next").click()
    assert snapshot_of(page, first) == 1 and snapshot_of(page, second) == 1
    assert problems == []


def test_the_accuracy_curve_and_the_status_say_what_each_measures(browser, tmp_path, moons_history):
    """history.accuracy is counted while the epoch's updates ran; the status, on the snapshot's own
    weights: the two differ at one marker, and the page says why."""
    page, problems = open_page(browser, viz.training(moons_history, X, Y), tmp_path)
    legend = page.locator(".tg-acc text").all_text_contents()
    assert "training (as the epoch ran)" in legend and "validation (after the epoch)" in legend
    page.keyboard.press("End")
    status = page.text_content(".tg-status")
    assert re.search(r"% of the 60 examples shown are classified right by this snapshot's weights", status)
    assert problems == []


def test_a_saved_page_answers_the_keys_before_any_click(browser, tmp_path, moons_history):
    """As a saved stepper does: the page is the document's only content, so keys are meant for it."""
    last = len(moons_history.recording.snapshots) - 1
    page, problems = open_page(browser, viz.training(moons_history, X, Y), tmp_path)
    page.keyboard.press("ArrowRight")
    assert snapshot_of(page) == 1
    page.keyboard.press("End")
    assert snapshot_of(page) == last
    page.keyboard.press("Alt+ArrowLeft")  # the browser's (back), not a step
    assert snapshot_of(page) == last
    page.keyboard.press("Home")
    assert snapshot_of(page) == 0
    assert problems == []


def test_with_two_pages_on_one_document_keys_go_only_to_the_focused_one(browser, tmp_path, moons_history):
    """A notebook: the first page's script runs before the second is parsed, and must still not
    take the keys of the whole document."""
    shown = viz.training(moons_history, X, Y)
    page, problems = open_page(browser, HtmlPage("two", shown.fragment + shown.fragment), tmp_path)
    page.wait_for_selector(".tg-training:nth-of-type(2)[data-ready='1']")
    first, second = ".tg-training >> nth=0", ".tg-training >> nth=1"
    page.keyboard.press("ArrowRight")
    assert snapshot_of(page, first) == 0 and snapshot_of(page, second) == 0
    page.locator(second).focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert snapshot_of(page, first) == 0 and snapshot_of(page, second) == 2
    assert problems == []


def neuron_info(page, nth):
    page.hover(f".tg-net circle >> nth={nth}")
    return page.text_content(".tg-info")


def test_the_hover_and_the_legend_write_each_layers_own_activation(browser, tmp_path, moons_history):
    """σ is the logistic function only: a tanh layer's neuron outputs tanh(z), a linear one z."""
    page, problems = open_page(browser, viz.training(moons_history, X, Y), tmp_path)
    assert "(tanh): a(2)1 = tanh(z(2)1)." in neuron_info(page, 2)  # sizes 2-6-4-1: layer 2, neuron 1
    assert "(linear): a(4)1 = z(4)1." in neuron_info(page, 12)
    legend = page.text_content(".tg-legend")
    assert "outputs a(l)j = tanh(z(l)j) in layers 2 to 3, a(l)j = z(l)j in layer 4, with" in legend
    assert "σ" not in legend + neuron_info(page, 2) + neuron_info(page, 12)
    assert problems == []


@pytest.mark.parametrize("activation, output, loss, hidden, out, legend", [
    ("relu", ("linear", 2.0), nn.mse, "ReLU(z(2)1) = max(0, z(2)1)", "2·z(3)1",
     "ReLU(z(l)j) = max(0, z(l)j) in layer 2, a(l)j = 2·z(l)j in layer 3"),
    ("sigmoid", "sigmoid", nn.mse, "σ(z(2)1)", "σ(z(3)1)", "σ(z(l)j)"),
    ("tanh", "softmax", nn.nll, "tanh(z(2)1)", "softmax(z(3))1",
     "tanh(z(l)j) in layer 2, a(l)j = softmax(z(l))j in layer 3"),
])
def test_relu_sigmoid_softmax_and_a_slope_k_are_written_as_the_notes_write_them(
        browser, tmp_path, activation, output, loss, hidden, out, legend):
    outputs = 2 if output == "softmax" else 1
    model = nn.MLP(2, [3, outputs], activation=activation, output_activation=output, seed=0)
    history = nn.fit(model, X, Y, loss=loss, epochs=2, lr=0.1, progress=False, record=True, seed=0)
    page, problems = open_page(browser, viz.training(history, X, Y), tmp_path)
    assert f"a(2)1 = {hidden}." in neuron_info(page, 2)  # sizes 2-3-k: layer 2, neuron 1
    assert f"a(3)1 = {out}." in neuron_info(page, 5)
    assert f"outputs a(l)j = {legend}, with" in page.text_content(".tg-legend")
    assert problems == []


@pytest.mark.parametrize("loss, targets, says", [
    (nn.bce_with_logits, Y, "bce_with_logits: for one example, C = ln(1 + e^z) - y z, on a logit z"),
    (nn.mse.with_options(half=True), Y, "mse: for one example, C = 1/(2K) Σ_c (ŷ_c - y_c)²"),
    (nn.CrossEntropyLoss(), Y.astype(int), "CrossEntropyLoss: for one example, C = ln Σ_c e^(z_c) - Σ_c y_c z_c"),
    (lambda a, y: (a - y) ** 2, Y, "<lambda>; a batch's C"),  # a loss of your own: its name alone
])
def test_the_page_names_its_loss_and_one_examples_formula(browser, tmp_path, loss, targets, says):
    nout = 2 if isinstance(loss, nn.CrossEntropyLoss) else 1
    model = nn.MLP(2, [4, nout], activation="tanh", seed=0)
    history = nn.fit(model, X, targets, loss=loss, epochs=2, batch_size=20, lr=0.1, seed=0, progress=False,
                     record=True)
    page, problems = open_page(browser, viz.training(history, X, targets), tmp_path)
    text = page.inner_text(".tg-loss-formula")
    assert text.startswith(says) and text.endswith("a batch's C is the mean of its examples' C.")
    assert page.evaluate("document.querySelector('.tg-loss-formula').getBoundingClientRect().width") <= 380
    assert not problems


def test_a_ten_class_confusion_matrix_stays_inside_a_phones_page(browser, tmp_path):
    """At 420 px a 10 x 10 matrix was wider than the page: its last column cut off at the edge."""
    labels = np.arange(100) % 10
    Xd = np.eye(10)[labels] + np.random.default_rng(0).normal(0, 0.1, (100, 10))
    history = nn.fit(nn.MLP(10, [10], seed=0), Xd, labels, loss=nn.cross_entropy, epochs=2, batch_size=50,
                     lr=0.5, progress=False, record=True, seed=0)
    path = viz.training(history, Xd, labels).save(tmp_path / "ten.html")
    page = browser.new_page(viewport={"width": 420, "height": 900})
    page.goto(path.resolve().as_uri())
    page.wait_for_selector(".tg-training[data-ready='1']")
    assert page.locator("table.tg-confusion tr").count() >= 11
    assert page.evaluate("document.documentElement.scrollWidth") <= 420
    table_right = page.evaluate("document.querySelector('.tg-out').getBoundingClientRect().right")
    assert table_right <= 420
