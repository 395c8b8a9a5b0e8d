"""Save and load an MLP as human-readable JSON (never pickle: loading runs no code).

    {
      "format": "tracegrad.nn.MLP",
      "version": 1,
      "architecture": {"nin": 2, "nouts": [4, 1], "activations": [{"name": "tanh"}, ...],
                       "elementary": false},
      "parameters": {"layers.0.neurons.0.w.0": 0.123, ..., "layers.1.neurons.0.b": 0.0},
      "frozen": ["layers.0.neurons.0.w.0", ...]
    }

Parameter names are those of `model.named_parameters()`. "frozen" lists, once each, the
parameters that do not require grad (requires_grad False), so that a resumed run leaves them
as they are; it is there only when some parameter is frozen, so the file of a fully trainable
model is what it always was. It needs no new version: every tracegrad refuses a field it does
not know ("unexpected fields ['frozen']"), so none can load such a file and train what was
frozen.

Loading checks everything (format, version, architecture, every name, every number finite,
every frozen name) before it builds a new model, and any fault raises ModelFileError (a
ValueError) that names the file and what is wrong. Nothing is ever written into an existing
model.
"""

import json
import os

from autograd.checks import as_int

from .activations import ACTIVATIONS, Activation
from .activations import activation as as_activation
from .data import finite_number
from .files import FileTooBig, file_path, read_limited, write_whole
from .layers import MLP
from .module import first_tie

FORMAT = "tracegrad.nn.MLP"
VERSION = 1
# A saved parameter takes about 50 bytes ("layers.0.neurons.12.w.345": -0.12345678901234567,), so
# this is about 1.3 million parameters, more than a scalar engine trains in reasonable time.
# A bigger file is refused by its size, before a byte of it is read or parsed.
MAX_FILE_BYTES = 64 * 2**20
BYTES_PER_PARAMETER = 50


class ModelFileError(ValueError):
    """A model file is unreadable, truncated, tampered with or of an unknown version."""


def _refuse_values_tied_in_an_mlp(model):
    """An MLP file holds one number per weight of its architecture, so a weight tied by hand
    (one Value at two places) would be written once and make a file no load takes: refused,
    naming both places, as a Sequential's is."""
    tie = first_tie((f"layers.{l}.neurons.{j}.{name}", value)
                    for l, layer in enumerate(model.layers) for j, neuron in enumerate(layer.neurons)
                    for name, value in [(f"w.{k}", w) for k, w in enumerate(neuron.w)] + [("b", neuron.b)])
    if tie:
        raise ValueError(f"save: parameters {tie[0]!r} and {tie[1]!r} of the MLP are one Value (a weight "
                         f"tied by hand), which an MLP file cannot hold: save model.state_dict() as JSON, "
                         f"or build the model as an nn.Sequential that places one Linear twice")


def save(model, path):
    """Write `model` (an nn.MLP or nn.Sequential) to `path` as JSON; floats are written exactly (repr round-trips).

    The file is written whole or not at all (nn.files.write_whole): two saves to one path at
    once leave one complete file, no planted file or symlink is followed, and a save that fails
    (a full disk, a directory given as the path) leaves the old file as it was and no
    temporary file behind.
    """
    from . import persist_sequential as sequential  # it builds on this module's checks
    if not isinstance(model, (MLP, sequential.Sequential)):
        raise TypeError(f"save: expected an nn.MLP or nn.Sequential, got {type(model).__name__} (for a "
                        f"Module of your own, save model.state_dict() as JSON and give it back to "
                        f"model.load_state_dict)")
    path = os.fsdecode(file_path(path, "save"))
    if isinstance(model, sequential.Sequential):
        architecture = sequential.architecture(model)
        document = {"format": sequential.FORMAT, "version": sequential.version(architecture),
                    "architecture": architecture, "parameters": _finite_parameters(model)}
    else:
        _refuse_values_tied_in_an_mlp(model)
        document = {
            "format": FORMAT,
            "version": VERSION,
            "architecture": {
                "nin": model.nin,
                "nouts": list(model.nouts),
                "activations": [act.to_json() for act in model.activations],
                "elementary": model.elementary,
            },
            "parameters": _finite_parameters(model),
        }
    frozen = _frozen_names(model)
    if frozen:  # only then: a fully trainable model's file stays as older tracegrad reads it
        document["frozen"] = frozen
    write_whole(path, json.dumps(document, indent=1, allow_nan=False) + "\n")


def load(path, *, max_bytes=MAX_FILE_BYTES):
    """A new nn.MLP (or nn.Sequential) from a file written by `save`, or ModelFileError if anything is wrong.

    A file larger than `max_bytes` (default MAX_FILE_BYTES, 64 MB) is refused before it is
    read; pass a larger number, or None, to load a bigger file you trust. A file that cannot be
    read at all (missing, a directory, a symlink loop, no permission) is a ModelFileError too,
    with the operating system's error as its cause.
    """
    path = file_path(path, "load")
    max_bytes = _limit(max_bytes, "load")
    source = repr(os.fspath(path))
    try:
        data = read_limited(path, max_bytes)
    except FileTooBig as error:
        raise _too_big(error.size, max_bytes, source) from None
    except OSError as error:
        raise ModelFileError(f"load {source}: cannot read the file: {error.strerror or error}") from error
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ModelFileError(f"load {source}: not a text file ({error})") from None
    return from_json(text, source=source, max_bytes=None)


def _limit(max_bytes, what):
    """None (no limit) or an int >= 1: TypeError for another type (a bool, a float), ValueError below 1."""
    return None if max_bytes is None else as_int(max_bytes, f"{what} max_bytes", 1, hint=" (or None: no limit)")


def _too_big(size, max_bytes, source):
    return ModelFileError(
        f"load {source}: the model file is {_size(size)}, over the limit of {_size(max_bytes)} (about "
        f"{max_bytes // BYTES_PER_PARAMETER:,} parameters), so it was not read; to load a bigger file "
        f"you trust, pass nn.load(path, max_bytes=...) a larger limit, or max_bytes=None for none")


def _size(n):
    return f"{n:,} bytes" if n < 2**20 else f"{n / 2**20:.1f} MB"


def _finite_parameters(model):
    """The state dict to save, every number checked by name: a model with a nan or ±inf weight
    (a training run that diverged) is refused, since its file could never be loaded."""
    return {name: finite_number(p.data, f"save: parameter {name!r} ({p.label or 'unlabelled'})")
            for name, p in model.named_parameters()}


def _frozen_names(model):
    """The names of the parameters that do not require grad, in named_parameters order (a
    Value placed twice, in a tied Sequential, is named once)."""
    return [name for name, p in model.named_parameters() if not p.requires_grad]


def from_json(text, source="<string>", max_bytes=MAX_FILE_BYTES):
    """A new nn.MLP from the JSON text of a saved model (see `load`)."""
    def fail(reason):
        return ModelFileError(f"load {source}: {reason}")

    if not isinstance(text, (str, bytes, bytearray)):
        raise TypeError(f"from_json: expected the text of a saved model (str), got {type(text).__name__}")
    max_bytes = _limit(max_bytes, "from_json")
    if max_bytes is not None and len(text) > max_bytes:
        raise _too_big(len(text), max_bytes, source)

    try:
        document = json.loads(text, parse_constant=_reject_constant)
    except (json.JSONDecodeError, ValueError) as error:
        raise fail(f"not valid JSON (truncated or corrupted?): {error}") from None
    except RecursionError:
        raise fail("nested too deeply to be a saved model (tampered with?)") from None
    if not isinstance(document, dict):
        raise fail(f"expected a JSON object at the top, got {type(document).__name__}")
    optional = {"frozen"} & set(document)
    _expect_keys(document, {"format", "version", "architecture", "parameters"} | optional, "the file", fail)
    from . import persist_sequential as sequential
    if document["format"] not in (FORMAT, sequential.FORMAT):
        raise fail(f"format is {document['format']!r}, expected {FORMAT!r} or {sequential.FORMAT!r}")
    version = document["version"]
    newest = sequential.VERSION if document["format"] == sequential.FORMAT else VERSION
    if not _is_int(version) or not 1 <= version <= newest:
        readable = "version 1" if newest == 1 else f"versions 1 to {newest}"
        raise fail(f"format version {version!r} is not supported; this tracegrad reads {readable} "
                   f"of {document['format']!r}")
    parameters = document["parameters"]
    if document["format"] == sequential.FORMAT:
        architecture = sequential.checked_architecture(document["architecture"], version, fail)
        count, what = sequential.parameter_count(architecture), "the Sequential's architecture"
    else:
        architecture = _architecture(document["architecture"], fail)
        sizes = [architecture["nin"]] + architecture["nouts"]
        count = sum((n_in + 1) * n_out for n_in, n_out in zip(sizes, sizes[1:]))
        what = f"the architecture {sizes[0]} → {sizes[1:]}"
    if not isinstance(parameters, dict):
        raise fail(f"'parameters' must be an object of name -> number, got {type(parameters).__name__}")
    if count != len(parameters):  # checked before building, so a tampered size cannot exhaust memory
        raise fail(f"{what} has {count} parameters but the file holds {len(parameters)}")
    model = (sequential.build if document["format"] == sequential.FORMAT else _build)(architecture, fail)
    expected = [name for name, _ in model.named_parameters()]
    known = set(expected)  # built once: a set per name would make loading quadratic in the count
    missing = [name for name in expected if name not in parameters]
    unexpected = [name for name in parameters if name not in known]
    if missing or unexpected:
        raise fail(f"the parameter names do not match the architecture: {len(missing)} missing "
                   f"{missing[:3]}, {len(unexpected)} unexpected {unexpected[:3]}")
    checked = {}
    for name in expected:
        try:
            checked[name] = finite_number(parameters[name], f"parameter {name!r}")
        except (TypeError, ValueError):
            raise fail(f"parameter {name!r} is {_short_repr(parameters[name])}, expected a finite number") from None
    frozen = _checked_frozen(document.get("frozen", []), known, fail)
    for name, p in model.named_parameters():  # a new model, every number checked: nothing to undo
        p.data = checked[name]
    if frozen:  # a fully trainable model's load costs no second walk
        for name, p in model.named_parameters():
            if name in frozen:
                p.requires_grad = False
    return model


def _checked_frozen(frozen, known, fail):
    """The set of names in a file's "frozen" list: each one a parameter of the file, once."""
    if not isinstance(frozen, list):
        raise fail(f"'frozen' must be a list of parameter names, got {type(frozen).__name__}")
    names = set()
    for i, name in enumerate(frozen):
        if not isinstance(name, str) or name not in known:
            raise fail(f"'frozen' entry {i} is {_short_repr(name)}, which names no parameter of the file")
        if name in names:
            raise fail(f"'frozen' lists {name!r} twice")
        names.add(name)
    return names


def _architecture(architecture, fail):
    """The stored architecture, after checking every field."""
    if not isinstance(architecture, dict):
        raise fail(f"'architecture' must be an object, got {type(architecture).__name__}")
    _expect_keys(architecture, {"nin", "nouts", "activations", "elementary"}, "'architecture'", fail)
    nin, nouts = architecture["nin"], architecture["nouts"]
    activations, elementary = architecture["activations"], architecture["elementary"]
    if not _is_int(nin) or nin < 1:
        raise fail(f"architecture nin is {nin!r}, expected a positive integer")
    if not isinstance(nouts, list) or not nouts or not all(_is_int(n) and n >= 1 for n in nouts):
        raise fail(f"architecture nouts is {nouts!r:.60}, expected a non-empty list of positive integers")
    if not isinstance(activations, list) or len(activations) != len(nouts):
        raise fail(f"architecture activations must be a list with one entry per layer ({len(nouts)})")
    if not isinstance(elementary, bool):
        raise fail(f"architecture elementary is {elementary!r:.40}, expected true or false")
    for i, entry in enumerate(activations):
        _check_activation(entry, f"architecture activations[{i}] (of layers.{i})", fail)
    return architecture


def _check_activation(entry, where, fail):
    """An activation as to_json writes it: {"name": ...}, with "k" a finite number for those
    that take a constant (linear's slope, step's threshold); a missing or null k would
    silently become the default."""
    if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
        raise fail(f"{where} must be an object with a 'name'")
    try:
        name = Activation(entry["name"]).name
    except ValueError as error:
        raise fail(f"{where}: {error}") from None
    takes_k = ACTIVATIONS[name] is not None
    _expect_keys(entry, {"name", "k"} if takes_k else {"name"}, where, fail)
    if takes_k:
        check_constant(entry["k"], f"{where} k", fail)


def check_constant(value, where, fail):
    """An activation's constant in a file (a slope k, a step's threshold, a softmax dim) must be
    a finite number: the one check of both the MLP and the Sequential file."""
    try:
        finite_number(value, where)
    except (TypeError, ValueError, OverflowError):  # OverflowError: an int too large for a float
        raise fail(f"{where} is {_short_repr(value)}, expected a finite number") from None


def _build(architecture, fail):
    try:
        activations = [as_activation(spec) for spec in architecture["activations"]]
        return MLP(architecture["nin"], architecture["nouts"], activations,
                   elementary=architecture["elementary"], seed=0)
    except (TypeError, ValueError) as error:
        raise fail(f"bad architecture: {error}") from None


def _expect_keys(mapping, keys, where, fail):
    missing, unexpected = keys - set(mapping), set(mapping) - keys
    if missing or unexpected:
        raise fail(f"{where} has missing fields {sorted(missing)} and unexpected fields {sorted(unexpected)}")


def _is_int(x):
    return isinstance(x, int) and not isinstance(x, bool)


def _short_repr(value):
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 128:
        return f"an integer of {len(str(abs(value)))} digits"  # its repr alone could be huge
    return f"{value!r:.40}"


def _reject_constant(name):
    raise ValueError(f"{name} is not a finite number")
