"""The demos built on nn and viz, each in quick mode, with its key claim asserted: zero gradients
under a step, p - y at the output, the digits pipeline and its IDX reader, the notes' network
pictures, and the tour."""

import numpy as np
import pytest

import autograd
from demos import classifiers, digits, idx, notes_network, perceptron
from demos import __main__ as tour


# --- perceptron ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def perceptron_runs(tmp_path_factory):
    return perceptron.run(quick=True, out=tmp_path_factory.mktemp("perceptron"))


def test_a_step_neuron_gets_zero_gradients_and_does_not_learn(perceptron_runs):
    runs, picture = perceptron_runs
    step = next(r for r in runs if r.activation == "step")
    assert step.gradients == [0.0, 0.0, 0.0]
    assert step.after == step.before
    assert step.accuracy_after == step.accuracy_before < 1.0
    assert step.warned
    assert picture.exists()


def test_the_same_neuron_with_sigmoid_learns_the_separable_set(perceptron_runs):
    runs, _ = perceptron_runs
    sigmoid = next(r for r in runs if r.activation == "sigmoid")
    assert any(g != 0.0 for g in sigmoid.gradients)
    assert sigmoid.accuracy_after == 1.0 > sigmoid.accuracy_before


def test_the_separable_set_is_separable_with_a_margin():
    X, y = perceptron.separable_set(n=50, seed=4)
    distance = (X @ [1.0, 2.0] - 0.2) / np.sqrt(5.0)
    assert np.all(np.abs(distance) > 0.15) and set(y) == {0.0, 1.0}
    assert np.array_equal(y, (distance > 0).astype(float))


# --- classifiers -----------------------------------------------------------------------

def test_output_error_is_p_minus_y_for_softmax_cross_entropy_and_sigmoid_bce():
    checks = classifiers.output_error_checks(cases=8, seed=3)
    names = {c.name for c in checks}
    assert {"softmax + cross entropy (-ln p_y)", "nn.cross_entropy on logits", "sigmoid + BCE",
            "nn.bce_with_logits"} <= names
    for c in checks:
        assert c.max_abs_diff <= classifiers.TOLERANCE, c.name


def test_p_minus_y_against_central_differences():
    label = 2
    report = autograd.gradcheck(lambda z0, z1, z2: -autograd.softmax([z0, z1, z2])[label].log(),
                                {"z0": 0.3, "z1": -1.2, "z2": 0.8})
    p = np.exp([0.3, -1.2, 0.8]) / np.exp([0.3, -1.2, 0.8]).sum()
    assert report.ok
    assert np.allclose([row.engine for row in report.rows], p - np.eye(3)[label], atol=1e-12)


def test_a_wrong_output_error_is_caught():
    [check, _] = classifiers.sigmoid_bce(0.7, 1.0)
    sigma = 1 / (1 + np.exp(-0.7))
    assert abs(check.engine[0] - (sigma - 1.0) * sigma * (1 - sigma)) > 1e-3  # a spurious σ' would show


def test_two_moons_quick_run_learns_and_draws(tmp_path):
    checks, accuracy, picture, model = classifiers.run(quick=True, out=tmp_path)
    assert accuracy >= 0.85
    assert picture.exists() and picture.stat().st_size > 0


# --- digits and the IDX reader ------------------------------------------------------

def test_digits_quick_run_learns_and_writes_its_pictures(tmp_path):
    result = digits.run(quick=True, out=tmp_path, progress=False)
    assert result.accuracy > 0.3  # 3 epochs on 300 images: far above the 10% of guessing
    assert result.history.loss[-1] < result.history.loss[0]
    assert [p.name for p in result.pictures] == ["digits_loss.png", "digits_misclassified.png"]
    assert all(p.exists() for p in result.pictures)
    assert len(result.misclassified) == int(np.sum(result.predicted != result.test_labels))


def test_the_full_digits_run_reaches_96_percent_on_the_held_out_20_percent(tmp_path):
    # The demo's claim, in full (20 epochs on all 1437 training images), on nn's compiled path;
    # bench/fast.py times the same network on the scalar engine, compiled and in plain numpy.
    result = digits.run(out=tmp_path, progress=False, compiled=True)
    assert result.path == "compiled"
    assert len(result.test_labels) == 360 and result.history.epochs == digits.EPOCHS
    assert result.accuracy >= digits.THRESHOLD == 0.96


def test_the_sklearn_split_is_80_20_stratified_and_fixed():
    X_train, X_test, y_train, y_test = digits.load_sklearn_digits(seed=0)
    assert X_train.shape == (1437, 64) and X_test.shape == (360, 64)
    assert 0.0 <= X_train.min() and X_train.max() <= 1.0
    again = digits.load_sklearn_digits(seed=0)
    assert np.array_equal(again[3], y_test)


@pytest.mark.parametrize("suffix", ["", ".gz"])
def test_idx_round_trip(tmp_path, suffix):
    images = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    path = idx.write_idx(tmp_path / f"images{suffix}", images)
    assert np.array_equal(idx.read_idx(path), images)
    floats = np.linspace(-1, 1, 6).reshape(2, 3)
    assert np.array_equal(idx.read_idx(idx.write_idx(tmp_path / f"floats{suffix}", floats)), floats)


def test_idx_errors_name_the_file_and_the_fault(tmp_path):
    with pytest.raises(FileNotFoundError, match="missing-file"):
        idx.read_idx(tmp_path / "missing-file")
    bad_magic = tmp_path / "bad-magic"
    bad_magic.write_bytes(b"\x01\x02\x08\x01" + (3).to_bytes(4, "big") + b"abc")
    with pytest.raises(idx.IDXError, match="bad-magic.*not an IDX file"):
        idx.read_idx(bad_magic)
    bad_type = tmp_path / "bad-type"
    bad_type.write_bytes(b"\x00\x00\x07\x01" + (3).to_bytes(4, "big") + b"abc")
    with pytest.raises(idx.IDXError, match="bad-type.*type code 0x07"):
        idx.read_idx(bad_type)
    truncated = tmp_path / "truncated"
    truncated.write_bytes(b"\x00\x00\x08\x01" + (5).to_bytes(4, "big") + b"abc")
    with pytest.raises(idx.IDXError, match="truncated.*shape \\(5,\\).*has 11 bytes"):
        idx.read_idx(truncated)
    short = tmp_path / "short"
    short.write_bytes(b"\x00\x00")
    with pytest.raises(idx.IDXError, match="short.*too short"):
        idx.read_idx(short)
    corrupt = tmp_path / "corrupt.gz"
    corrupt.write_bytes(b"not gzip at all")
    with pytest.raises(idx.IDXError, match="corrupt.gz.*decompress"):
        idx.read_idx(corrupt)


def write_fake_mnist(folder, n_train=30, n_test=10, compress=True, labels_for_train=None):
    rng = np.random.default_rng(0)
    suffix = ".gz" if compress else ""
    for part, n in (("train", n_train), ("t10k", n_test)):
        labels = rng.integers(0, 10, size=n).astype(np.uint8)
        images = np.zeros((n, 28, 28), dtype=np.uint8)
        for i, label in enumerate(labels):  # a learnable pattern: a bright bar in row 2·label
            images[i, 2 * label: 2 * label + 2, :] = 255
        if part == "train" and labels_for_train is not None:
            labels = labels_for_train
        idx.write_idx(folder / f"{part}-images-idx3-ubyte{suffix}", images)
        idx.write_idx(folder / f"{part}-labels-idx1-ubyte{suffix}", labels)


@pytest.mark.parametrize("compress", [True, False])
def test_mnist_folder_trains_the_notes_784_input_network(tmp_path, compress):
    write_fake_mnist(tmp_path, compress=compress)
    data = idx.load_mnist(tmp_path)
    assert data["train_images"].shape == (30, 784) and data["test_labels"].shape == (10,)
    assert data["train_images"].max() == 1.0
    result = digits.run(out=tmp_path / "out", mnist=tmp_path, epochs=1, progress=False)
    assert result.sizes == [784, 16, 16, 10]
    assert (tmp_path / "out" / "mnist_loss.png").exists()


def test_mnist_pixels_stored_as_floats_are_not_scaled_again(tmp_path):
    write_fake_mnist(tmp_path, compress=False)
    floats = np.random.default_rng(1).random((30, 28, 28))  # already in [0, 1]
    idx.write_idx(tmp_path / "train-images-idx3-ubyte", floats)
    data = idx.load_mnist(tmp_path)
    np.testing.assert_array_equal(data["train_images"], floats.reshape(30, 784))
    assert data["test_images"].max() == 1.0  # bytes 0-255 are still scaled


def test_load_mnist_looks_each_file_up_once(tmp_path, monkeypatch):
    write_fake_mnist(tmp_path)
    looked_up = []
    find = idx.find
    monkeypatch.setattr(idx, "find", lambda folder, stem: looked_up.append(stem) or find(folder, stem))
    idx.load_mnist(tmp_path)
    assert sorted(looked_up) == sorted(idx.MNIST_FILES.values())


def test_mnist_folder_errors_name_the_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        idx.load_mnist(tmp_path / "nowhere")
    with pytest.raises(FileNotFoundError, match="train-images-idx3-ubyte"):
        idx.load_mnist(tmp_path)
    write_fake_mnist(tmp_path, labels_for_train=np.zeros(29, dtype=np.uint8))
    with pytest.raises(idx.IDXError, match="train-labels-idx1-ubyte.gz.*30 labels"):
        idx.load_mnist(tmp_path)


def test_digits_cli_reports_a_missing_or_malformed_mnist_file(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit:
        digits.main(["--mnist", str(tmp_path / "nowhere"), "--out", str(tmp_path)])
    assert exit.value.code == 2 and "nowhere does not exist" in capsys.readouterr().err
    write_fake_mnist(tmp_path)
    (tmp_path / "t10k-labels-idx1-ubyte.gz").write_bytes(b"broken")
    with pytest.raises(SystemExit):
        digits.main(["--mnist", str(tmp_path), "--out", str(tmp_path)])
    assert "t10k-labels-idx1-ubyte.gz: cannot decompress" in capsys.readouterr().err


# --- the notes' network and the tour ---------------------------------------------------

def test_notes_network_gradients_match_the_corrected_steps_and_pictures_exist(tmp_path):
    f, worst, paths = notes_network.run(out=tmp_path)
    assert worst <= 1e-12
    assert [p.name for p in paths] == ["notes_network.png", "notes_network_stepper.html"]
    assert paths[0].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "z(4)_1" in paths[1].read_text(encoding="utf-8")


def test_notes_network_build_returns_the_cost_after_backward():
    root = notes_network.build()
    assert isinstance(root, autograd.Value) and root.label == "C" and root.grad == 1.0
    assert len([v for v in autograd.topological_order(root) if v.label.startswith(("w(", "b("))]) == 23


def test_the_tour_runs_in_quick_mode_and_lists_what_it_wrote(tmp_path, capsys):
    tour.main(["--quick", "--out", str(tmp_path)])
    printed = capsys.readouterr().out
    assert "formulas checked" in printed and "held-out accuracy" in printed
    assert "lands on lstsq's OLS" in printed and "forward mode did" in printed
    listed = printed.split("wrote:")[-1].split()
    assert {p.split("/")[-1] for p in listed} >= {"notes_network.png", "notes_network_stepper.html",
                                                  "notes_check.txt", "notes_check.json", "digits_loss.png",
                                                  "digits_misclassified.png", "newton.png"}
    assert all((tmp_path / p.split("/")[-1]).exists() for p in listed)


def test_the_fast_path_demo_writes_the_digits_program_and_it_reads_like_bp1_to_bp4(tmp_path):
    from demos import fast_path
    path, source = fast_path.run(tmp_path)
    assert path.read_text(encoding="utf-8") == source
    gradient = source.split("def gradient")[1].split("def predict")[0]
    for line in ["z2 = W2 @ x + b2", "a2 = M.sigmoid(z2)", "z3 = W3 @ a2 + b3", "a3 = M.sigmoid(z3)",
                 "d_z3 = d_a3 * (a3 * (1.0 - a3))",            # δ^L = ∂C/∂a ⊙ σ'(z^L)
                 "d_a2 = W3.T @ d_z3",                          # (W^(l+1))ᵀ δ^(l+1) ...
                 "d_z2 = d_a2 * (a2 * (1.0 - a2))",            # ... ⊙ σ'(z^l)
                 "np.matmul(d_z2, x.T, out=grad_W2)",           # ∂C/∂W = δ aᵀ
                 "np.add.reduce(d_z2, axis=1, out=grad_b2)"]:  # ∂C/∂b = δ
        assert f"    {line}  #" in gradient, line


def test_the_fast_path_program_is_of_the_notes_cost_so_its_delta_L_is_a_minus_y_times_sigma_prime():
    # note 002's C_x = 1/2 ‖y - a‖² (the cost the tour trains on): δ^L = (a - y) ⊙ σ'(z^L),
    # not the 2 (a - y) ⊙ σ'(z^L) of nn.sse's Σ (a - y)²
    from demos import fast_path
    program = fast_path.program()
    x, y = np.linspace(0.0, 1.0, 64).reshape(1, 64) ** 2, np.eye(10)[[5]]
    a = program.predict(x)[0]
    assert program.run(x, y)[0] == pytest.approx(0.5 * np.sum((a - y[0]) ** 2), rel=1e-12)
    for p in program.parameters:
        p.grad = 0.0
    program.backward(x, y)
    biases = {p.label: p.grad for p in program.parameters if p.label.startswith("b(3)_")}
    delta_L = (a - y[0]) * a * (1 - a)
    assert [biases[f"b(3)_{j}"] for j in range(1, 11)] == pytest.approx(delta_L, rel=1e-12, abs=1e-15)


def test_the_tour_lists_the_programs_forward_pass_and_its_bp_lines_under_the_right_heading(tmp_path, capsys):
    tour.tour_fast_path(tmp_path)
    printed = capsys.readouterr().out
    heading, *lines = printed.strip().split("\n")
    assert "C_x = 1/2 ‖y - a‖²" in heading and "BP1-BP4" in heading and "its layers:" not in heading
    starts = [line.split(" =")[0].split("(")[0].strip() for line in lines]
    assert starts == ["z2", "a2", "z3", "a3", "d_z3", "np.matmul", "d_a2", "np.add.reduce", "d_z2", "np.matmul",
                      "np.add.reduce"]
