"""nn.save / nn.load: JSON round trips; corrupted, truncated or tampered files are refused."""

import json
import math
import os

import numpy as np
import pytest

import nn
import nn.persist


@pytest.fixture
def model():
    return nn.MLP(3, [4, 2], activation=["relu", ("linear", 2.0)], bias_init="normal", seed=0)


def test_round_trip_is_exact(model, tmp_path):
    path = tmp_path / "model.json"
    nn.save(model, path)
    loaded = nn.load(path)
    assert loaded.state_dict() == model.state_dict()
    assert [a.describe() for a in loaded.activations] == ["relu", "linear(k=2)"]
    x = [0.1, -0.2, 0.3]
    assert [v.data for v in loaded(x)] == [v.data for v in model(x)]
    document = json.loads(path.read_text())
    assert document["format"] == "tracegrad.nn.MLP" and document["version"] == 1
    assert document["architecture"]["nouts"] == [4, 2]
    assert "layers.0.neurons.3.w.2" in document["parameters"]


def test_elementary_and_softmax_survive_the_round_trip(tmp_path):
    model = nn.MLP(2, [3], output_activation="softmax", elementary=True, seed=0)
    nn.save(model, tmp_path / "m.json")
    loaded = nn.load(tmp_path / "m.json")
    assert loaded.elementary and loaded.activations[-1].name == "softmax"


def _tamper(path, change):
    document = json.loads(path.read_text())
    change(document)
    path.write_text(json.dumps(document))


def _set(document, keys, value):
    target = document
    for key in keys[:-1]:
        target = target[key]
    target[keys[-1]] = value


TAMPERINGS = {
    "version": (lambda d: _set(d, ["version"], 2), "version 2 is not supported"),
    "version as text": (lambda d: _set(d, ["version"], "1"), "version '1'"),
    "format": (lambda d: _set(d, ["format"], "pickle"), "format is 'pickle'"),
    "renamed weight": (lambda d: d["parameters"].update({"layers.0.neurons.0.w.9": d["parameters"].pop(
        "layers.0.neurons.0.w.0")}), "unexpected.*w.9"),
    "missing weight": (lambda d: d["parameters"].pop("layers.1.neurons.1.b"), "holds 25"),
    "weight as text": (lambda d: _set(d, ["parameters", "layers.0.neurons.0.b"], "0.5"),
                       "'layers.0.neurons.0.b' is '0.5', expected a finite number"),
    "weight as bool": (lambda d: _set(d, ["parameters", "layers.0.neurons.0.b"], True), "finite number"),
    "weight too big for a float": (lambda d: _set(d, ["parameters", "layers.0.neurons.0.b"], 10 ** 400),
                                   "'layers.0.neurons.0.b' is an integer of 401 digits, expected a finite number"),
    "weight as list": (lambda d: _set(d, ["parameters", "layers.0.neurons.0.b"], [1.0]), "finite number"),
    "shape changed": (lambda d: _set(d, ["architecture", "nouts"], [5, 2]), "has 32 parameters but the file holds 26"),
    "huge shape": (lambda d: _set(d, ["architecture", "nin"], 10 ** 12), "parameters but the file holds 26"),
    "negative width": (lambda d: _set(d, ["architecture", "nouts"], [-4, 2]), "positive integers"),
    "bad activation": (lambda d: _set(d, ["architecture", "activations"], [{"name": "swish"}, {"name": "tanh"}]),
                       "unknown activation 'swish'"),
    "softmax hidden": (lambda d: _set(d, ["architecture", "activations"], [{"name": "softmax"}, {"name": "tanh"}]),
                       "softmax is only for the output layer"),
    "activation count": (lambda d: _set(d, ["architecture", "activations"], [{"name": "tanh"}]), "one entry per layer"),
    "null k": (lambda d: _set(d, ["architecture", "activations", 1, "k"], None),
               r"activations\[1\] \(of layers\.1\) k is None, expected a finite number"),
    "k as text": (lambda d: _set(d, ["architecture", "activations", 1, "k"], "2"),
                  r"activations\[1\] \(of layers\.1\) k is '2', expected a finite number"),
    "k as bool": (lambda d: _set(d, ["architecture", "activations", 1, "k"], True), "k is True, expected a finite number"),
    "missing k": (lambda d: d["architecture"]["activations"][1].pop("k"),
                  r"activations\[1\] \(of layers\.1\) has missing fields \['k'\]"),
    "k on relu": (lambda d: _set(d, ["architecture", "activations", 0, "k"], 0.0),
                  r"activations\[0\] \(of layers\.0\) has missing fields \[\] and unexpected fields \['k'\]"),
    "extra activation field": (lambda d: _set(d, ["architecture", "activations", 0, "code"], "import os"),
                               r"unexpected fields \['code'\]"),
    "activation as text": (lambda d: _set(d, ["architecture", "activations", 0], "relu"),
                           r"activations\[0\] \(of layers\.0\) must be an object with a 'name'"),
    "extra field": (lambda d: _set(d, ["code"], "import os"), "unexpected fields \\['code'\\]"),
    "missing field": (lambda d: d.pop("architecture"), "missing fields \\['architecture'\\]"),
    "not an object": (lambda d: d.clear() or d.update({"format": [], "version": 1, "architecture": 0, "parameters": 0}),
                      "format is \\[\\]"),
}


@pytest.mark.parametrize("name", TAMPERINGS)
def test_a_tampered_file_is_refused_with_one_clear_error(model, tmp_path, name):
    change, message = TAMPERINGS[name]
    path = tmp_path / "model.json"
    nn.save(model, path)
    _tamper(path, change)
    before = model.state_dict()
    with pytest.raises(nn.ModelFileError, match=message) as caught:
        nn.load(path)
    assert str(path) in str(caught.value)
    assert isinstance(caught.value, ValueError)
    assert model.state_dict() == before


@pytest.mark.parametrize("corrupt", [
    lambda text: text[: len(text) // 2],                      # truncated
    lambda text: "",                                          # empty
    lambda text: text.replace('"version": 1', '"version": 1,,'),  # corrupted syntax
    lambda text: text.replace("0.", "NaN", 1),                # NaN is not JSON's, nor finite
    lambda text: text.replace("0.", "Infinity", 1),
    lambda text: "[" + text + "]",                            # wrong top level
])
def test_a_corrupted_or_truncated_file_is_refused(model, tmp_path, corrupt):
    path = tmp_path / "model.json"
    nn.save(model, path)
    path.write_text(corrupt(path.read_text()))
    with pytest.raises(nn.ModelFileError, match="load"):
        nn.load(path)


def test_a_deeply_nested_file_is_refused_naming_the_file(model, tmp_path):
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    before = model.state_dict()
    with pytest.raises(nn.ModelFileError, match="nested too deeply") as caught:
        nn.load(path)
    assert str(path) in str(caught.value) and model.state_dict() == before


def test_a_binary_file_is_refused(tmp_path):
    path = tmp_path / "model.json"
    path.write_bytes(b"\x80\x04\x95 pickle bytes \xff")
    with pytest.raises(nn.ModelFileError, match="not a text file"):
        nn.load(path)


def test_a_missing_file_is_a_model_file_error_caused_by_file_not_found(tmp_path):
    with pytest.raises(nn.ModelFileError, match="nothing.json.*cannot read the file: No such file") as caught:
        nn.load(tmp_path / "nothing.json")
    assert isinstance(caught.value.__cause__, FileNotFoundError)


def test_save_refuses_what_is_not_an_mlp(tmp_path):
    with pytest.raises(TypeError, match="expected an nn.MLP"):
        nn.save(nn.Neuron(2), tmp_path / "n.json")


def test_load_state_dict_validates_every_number_before_writing(model):
    before = model.state_dict()
    bad = dict(before)
    bad["layers.1.neurons.1.b"] = float("nan")
    with pytest.raises(ValueError, match="'layers.1.neurons.1.b'.*finite"):
        model.load_state_dict(bad)
    bad["layers.1.neurons.1.b"] = "1.0"
    with pytest.raises(TypeError, match="'layers.1.neurons.1.b'"):
        model.load_state_dict(bad)
    with pytest.raises(TypeError, match="mapping"):
        model.load_state_dict([1.0, 2.0])
    assert model.state_dict() == before


def test_set_weights_validates_shapes_and_numbers_before_writing(model):
    before = model.state_dict()
    weights = model.weights()
    with pytest.raises(ValueError, match=r"layer 1 W: expected shape \(2, 4\), got \(4, 2\)"):
        model.set_weights([weights[0], (weights[1][0].T, weights[1][1])])
    with pytest.raises(ValueError, match=r"layer 0 b: expected finite numbers, got nan at index \(2,\)"):
        model.set_weights([(weights[0][0], np.array([0, 0, np.nan, 0])), weights[1]])
    with pytest.raises(ValueError, match="list of 2 \\(W, b\\) pairs"):
        model.set_weights(weights[:1])
    with pytest.raises(TypeError, match="real numbers"):
        model.set_weights([(weights[0][0], ["a"] * 4), weights[1]])
    assert model.state_dict() == before


# --- loading: what is not a readable model file ------------------------------------------

@pytest.mark.parametrize("make, cause", [
    (lambda tmp: tmp, IsADirectoryError),                                     # a directory
    (lambda tmp: tmp / "no" / "such.json", FileNotFoundError),                # a missing file
    (lambda tmp: _symlink_loop(tmp), OSError),                                # a symlink loop
])
def test_an_unreadable_path_is_a_model_file_error_that_keeps_its_cause(tmp_path, make, cause):
    path = make(tmp_path)
    with pytest.raises(nn.ModelFileError, match="cannot read the file") as caught:
        nn.load(path)
    assert repr(str(path)) in str(caught.value)
    assert isinstance(caught.value.__cause__, cause)


def _symlink_loop(tmp_path):
    (tmp_path / "a").symlink_to(tmp_path / "b")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    return tmp_path / "a"


@pytest.mark.parametrize("path", [3, 0, None, 2.5, ["model.json"]])
def test_load_and_save_take_a_path_never_a_file_descriptor(model, path):
    descriptor = os.open(os.devnull, os.O_RDONLY)
    try:
        with pytest.raises(TypeError, match=f"expected a file path.*got {type(path).__name__}"):
            nn.load(descriptor if path == 3 else path)
        with pytest.raises(TypeError, match="save: expected a file path"):
            nn.save(model, descriptor if path == 3 else path)
        os.fstat(descriptor)  # still open: nothing closed it
    finally:
        os.close(descriptor)


def test_an_int_path_names_file_descriptors(model):
    with pytest.raises(TypeError, match=r"got int 3 \(file descriptors are not taken"):
        nn.load(3)


def test_a_file_over_the_size_limit_is_refused_before_it_is_parsed(model, tmp_path, monkeypatch):
    path = tmp_path / "big.json"
    nn.save(model, path)
    size = path.stat().st_size

    def no_parsing(*args, **kwargs):
        raise AssertionError("the file was parsed")

    monkeypatch.setattr(nn.persist.json, "loads", no_parsing)
    with pytest.raises(nn.ModelFileError, match=rf"{size:,} bytes, over the limit of 100 bytes.*max_bytes="):
        nn.load(path, max_bytes=100)
    monkeypatch.undo()
    assert nn.load(path, max_bytes=size).state_dict() == model.state_dict()
    assert nn.load(path, max_bytes=None).state_dict() == model.state_dict()


def test_a_sparse_file_of_200_mb_is_refused_at_once_naming_the_limit(tmp_path):
    path = tmp_path / "huge.json"
    with open(path, "wb") as file:  # 200 MB on paper, no blocks on disk
        file.truncate(200 * 2**20)
    with pytest.raises(nn.ModelFileError, match=r"200\.0 MB, over the limit of 64\.0 MB .*max_bytes=None"):
        nn.load(path)


def test_from_json_refuses_text_over_the_limit():
    with pytest.raises(nn.ModelFileError, match="over the limit of 10 bytes"):
        nn.persist.from_json("{" + " " * 20 + "}", max_bytes=10)


@pytest.mark.parametrize("max_bytes, error", [(0, ValueError), (-1, ValueError), (1.5, TypeError),
                                               (True, TypeError), ("64MB", TypeError)])
def test_a_bad_size_limit_is_refused(model, tmp_path, max_bytes, error):
    # an int below 1 is a wrong value (ValueError); a float, a bool or a str a wrong type
    nn.save(model, tmp_path / "m.json")
    with pytest.raises(error, match=r"load max_bytes: expected an int >= 1 \(or None: no limit\)"):
        nn.load(tmp_path / "m.json", max_bytes=max_bytes)
    with pytest.raises(error, match=r"from_json max_bytes: expected an int >= 1"):
        nn.persist.from_json("{}", max_bytes=max_bytes)


@pytest.mark.parametrize("max_bytes", [10**9, 10**11, 2**62, 2**63, 10**20])
def test_any_large_size_limit_loads_a_small_file(model, tmp_path, max_bytes):
    # the limit is not a buffer size: reading max_bytes + 1 bytes at once allocated 1 GB for
    # 10**9, and was a MemoryError or OverflowError beyond
    nn.save(model, tmp_path / "m.json")
    assert nn.load(tmp_path / "m.json", max_bytes=max_bytes).state_dict() == model.state_dict()


def test_an_activation_constant_too_large_in_a_file_is_a_model_file_error(model, tmp_path):
    path = tmp_path / "model.json"
    nn.save(model, path)
    _tamper(path, lambda d: _set(d, ["architecture", "activations", 1], {"name": "linear", "k": 10 ** 400}))
    with pytest.raises(nn.ModelFileError, match=r"activations\[1\] \(of layers\.1\) k is an integer of 401 digits, "
                                                 r"expected a finite number"):
        nn.load(path)


def test_a_step_threshold_nulled_in_a_file_is_refused_not_loaded_as_0(tmp_path):
    """A null k would silently become step's default threshold 0 and change the predictions;
    the Sequential file refuses the same edit, and both say so in the same words."""
    model = nn.MLP(2, [3, 1], activation=("step", 0.5), seed=0)
    nn.save(model, tmp_path / "mlp.json")
    _tamper(tmp_path / "mlp.json", lambda d: _set(d, ["architecture", "activations", 0, "k"], None))
    seq = nn.Sequential(nn.Linear(2, 3, seed=0), nn.Step(0.5), nn.Linear(3, 1, seed=1))
    nn.save(seq, tmp_path / "seq.json")
    _tamper(tmp_path / "seq.json", lambda d: _set(d, ["architecture", "modules", 1, "threshold"], None))
    before = model.state_dict(), seq.state_dict()
    with pytest.raises(nn.ModelFileError, match=r"activations\[0\] \(of layers\.0\) k is None, expected a finite number"):
        nn.load(tmp_path / "mlp.json")
    with pytest.raises(nn.ModelFileError, match=r"module 1 \(Step\) threshold is None, expected a finite number"):
        nn.load(tmp_path / "seq.json")
    assert (model.state_dict(), seq.state_dict()) == before


# --- saving: whole or not at all ---------------------------------------------------------

def test_saving_a_nan_weight_names_the_parameter(model, tmp_path):
    model.layers[0].neurons[1].w[2].data = float("nan")
    with pytest.raises(ValueError, match=r"save: parameter 'layers\.0\.neurons\.1\.w\.2' \(w\(2\)_2,3\).*nan"):
        nn.save(model, tmp_path / "m.json")
    assert list(tmp_path.iterdir()) == []


def test_a_path_with_a_nul_character_is_refused_by_name(model, tmp_path):
    for call in (lambda: nn.load(str(tmp_path / "a\0b.json")), lambda: nn.save(model, str(tmp_path / "a\0b"))):
        with pytest.raises(ValueError, match="contains a NUL character"):
            call()
    assert list(tmp_path.iterdir()) == []


def test_a_parameter_too_large_for_a_float_in_a_file_is_named(model, tmp_path):
    path = tmp_path / "model.json"
    nn.save(model, path)
    document = json.loads(path.read_text())
    document["parameters"]["layers.0.neurons.0.b"] = math.inf  # JSON's 1e400, which parses as inf
    path.write_text(json.dumps(document).replace("Infinity", "1e400"))
    with pytest.raises(nn.ModelFileError, match="'layers.0.neurons.0.b' is inf, expected a finite number"):
        nn.load(path)


# --- frozen parameters (requires_grad False) ----------------------------------------------

def _frozen_in(model):
    return [name for name, p in model.named_parameters() if not p.requires_grad]


@pytest.mark.parametrize("compiled", [False, True], ids=["scalar", "compiled"])
def test_a_run_resumed_from_a_model_with_a_frozen_layer_equals_the_uninterrupted_one(tmp_path, compiled):
    """The README's promise: model (nn.save) and optimizer (state_dict) saved and loaded, the
    run goes on bit for bit, frozen layer included; it used to wake up trainable."""
    rng = np.random.default_rng(8)
    X, y = rng.normal(size=(10, 2)), rng.integers(0, 2, size=10)

    def fit(model, optimizer, seed):
        nn.fit(model, X, y, loss=nn.CrossEntropyLoss(), epochs=3, optimizer=optimizer, seed=seed,
               progress=False, compiled=compiled)

    a = nn.Sequential(nn.Linear(2, 4, seed=0), nn.Tanh(), nn.Linear(4, 2, seed=1))
    a[0].requires_grad_(False)
    optimizer = nn.Adam(a.parameters(), lr=0.05)
    fit(a, optimizer, seed=0)
    nn.save(a, tmp_path / "ckpt.json")
    state = json.loads(json.dumps(optimizer.state_dict()))
    b = nn.load(tmp_path / "ckpt.json")
    resumed = nn.Adam(b.parameters())
    resumed.load_state_dict(state)
    assert _frozen_in(b) == _frozen_in(a) == [name for name, _ in a[0].named_parameters("0")]
    frozen_before = b[0].state_dict()
    fit(a, optimizer, seed=1)
    fit(b, resumed, seed=1)
    assert b.state_dict() == a.state_dict()  # bit for bit
    assert b[0].state_dict() == frozen_before


def test_frozen_parameters_of_an_mlp_survive_the_round_trip_in_a_version_1_file(model, tmp_path):
    model.layers[0].requires_grad_(False)
    model.layers[1].neurons[1].b.requires_grad = False  # one scalar alone
    nn.save(model, tmp_path / "m.json")
    document = json.loads((tmp_path / "m.json").read_text())
    assert document["version"] == 1
    assert document["frozen"] == _frozen_in(model) and len(document["frozen"]) == 17
    loaded = nn.load(tmp_path / "m.json")
    assert _frozen_in(loaded) == _frozen_in(model) and loaded.state_dict() == model.state_dict()


def test_a_partly_frozen_sequential_survives_the_round_trip(tmp_path):
    seq = nn.Sequential(nn.Linear(2, 3, seed=0), nn.Tanh(), nn.Linear(3, 1, seed=1))
    seq[2].bias[0].requires_grad = False
    seq[0].weight[1][0].requires_grad = False
    nn.save(seq, tmp_path / "m.json")
    document = json.loads((tmp_path / "m.json").read_text())
    assert (document["version"], document["frozen"]) == (1, ["0.weight.1.0", "2.bias.0"])
    assert _frozen_in(nn.load(tmp_path / "m.json")) == ["0.weight.1.0", "2.bias.0"]


def test_a_frozen_module_placed_twice_is_listed_once_and_loads_frozen_at_both_places(tmp_path):
    L = nn.Linear(3, 3, seed=0)
    seq = nn.Sequential(L, nn.Tanh(), L, nn.Tanh(), nn.Linear(3, 1, seed=1))
    L.requires_grad_(False)
    nn.save(seq, tmp_path / "tied.json")
    document = json.loads((tmp_path / "tied.json").read_text())
    assert document["version"] == 2 and document["frozen"] == [name for name, _ in L.named_parameters("0")]
    loaded = nn.load(tmp_path / "tied.json")
    assert loaded[0] is loaded[2] and _frozen_in(loaded) == document["frozen"]
    assert not any(p.requires_grad for p in loaded[2].parameters())
    assert all(p.requires_grad for p in loaded[4].parameters())


@pytest.mark.parametrize("make", [
    lambda: nn.MLP(3, [4, 2], seed=0),
    lambda: nn.Sequential(nn.Linear(3, 4, seed=0), nn.Tanh(), nn.Linear(4, 2, seed=1)),
], ids=["mlp", "sequential"])
def test_a_fully_trainable_model_is_written_without_a_frozen_field(tmp_path, make):
    """Such files stay as they always were, so every older tracegrad still reads them."""
    nn.save(make(), tmp_path / "m.json")
    document = json.loads((tmp_path / "m.json").read_text())
    assert list(document) == ["format", "version", "architecture", "parameters"] and document["version"] == 1


@pytest.mark.parametrize("frozen, message", [
    ("layers.0.neurons.0.b", "'frozen' must be a list of parameter names, got str"),
    ({"layers.0.neurons.0.b": True}, "'frozen' must be a list of parameter names, got dict"),
    (None, "'frozen' must be a list of parameter names, got NoneType"),
    (["layers.0.neurons.0.b", "layers.9.neurons.0.b"], r"'frozen' entry 1 is 'layers\.9\.neurons\.0\.b', which names no parameter"),
    ([0], "'frozen' entry 0 is 0, which names no parameter"),
    ([["layers.0.neurons.0.b"]], r"'frozen' entry 0 is \['layers\.0\.neurons\.0\.b'\], which names no parameter"),
    (["layers.0.neurons.0.b", "layers.0.neurons.0.b"], r"'frozen' lists 'layers\.0\.neurons\.0\.b' twice"),
])
def test_a_tampered_frozen_list_is_refused_naming_it(model, tmp_path, frozen, message):
    path = tmp_path / "model.json"
    nn.save(model, path)
    _tamper(path, lambda d: _set(d, ["frozen"], frozen))
    before = model.state_dict(), _frozen_in(model)
    with pytest.raises(nn.ModelFileError, match=message) as caught:
        nn.load(path)
    assert str(path) in str(caught.value)
    assert (model.state_dict(), _frozen_in(model)) == before


def test_an_empty_frozen_list_loads_a_fully_trainable_model(model, tmp_path):
    path = tmp_path / "model.json"
    nn.save(model, path)
    _tamper(path, lambda d: _set(d, ["frozen"], []))
    assert _frozen_in(nn.load(path)) == [] and nn.load(path).state_dict() == model.state_dict()


def test_an_mlp_with_a_weight_tied_by_hand_is_refused_at_save_naming_both_places(tmp_path):
    """It was written with one number too few, a file that nn.load then refused."""
    model = nn.MLP(2, [2, 2], seed=0)
    model.layers[1].neurons[0].w[0] = model.layers[0].neurons[0].w[0]
    with pytest.raises(ValueError, match=r"^save: parameters 'layers\.0\.neurons\.0\.w\.0' and "
                                         r"'layers\.1\.neurons\.0\.w\.0' of the MLP are one Value"):
        nn.save(model, tmp_path / "tied.json")
    assert not (tmp_path / "tied.json").exists()
