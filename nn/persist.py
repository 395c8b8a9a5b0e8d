"""Save and load an MLP as human-readable JSON (never pickle: loading runs no code).

    {
      "format": "tracegrad.nn.MLP",
      "version": 1,
      "architecture": {"nin": 2, "nouts": [4, 1], "activations": [{"name": "tanh"}, ...],
                       "elementary": false},
      "parameters": {"layers.0.neurons.0.w.0": 0.123, ..., "layers.1.neurons.0.b": 0.0}
    }

Parameter names are those of `model.named_parameters()`. Loading checks everything (format,
version, architecture, every name, every number finite) before it builds a new model, and any
fault raises ModelFileError (a ValueError) that names the file and what is wrong. Nothing is
ever written into an existing model.
"""

import json
import math
import numbers
import os

from .activations import activation as as_activation
from .layers import MLP

FORMAT = "tracegrad.nn.MLP"
VERSION = 1


class ModelFileError(ValueError):
    """A model file is unreadable, truncated, tampered with or of an unknown version."""


def save(model, path):
    """Write `model` (an nn.MLP or nn.Sequential) to `path` as JSON; floats are written exactly (repr round-trips)."""
    from . import persist_sequential as sequential  # it builds on this module's checks
    if isinstance(model, sequential.Sequential):
        document = {"format": sequential.FORMAT, "version": VERSION,
                    "architecture": sequential.architecture(model), "parameters": model.state_dict()}
    elif not isinstance(model, MLP):
        raise TypeError(f"save: expected an nn.MLP or nn.Sequential, got {type(model).__name__} (for a "
                        f"Module of your own, save model.state_dict() as JSON and give it back to "
                        f"model.load_state_dict)")
    else:
        document = {
            "format": FORMAT,
            "version": VERSION,
            "architecture": {
                "nin": model.nin,
                "nouts": list(model.nouts),
                "activations": [act.to_json() for act in model.activations],
                "elementary": model.elementary,
            },
            "parameters": model.state_dict(),
        }
    text = json.dumps(document, indent=1, allow_nan=False)
    temporary = f"{os.fspath(path)}.tmp"
    with open(temporary, "w", encoding="utf-8") as file:  # then rename: no half-written file on a crash
        file.write(text + "\n")
    os.replace(temporary, path)


def load(path):
    """A new nn.MLP (or nn.Sequential) from a file written by `save`, or ModelFileError if anything is wrong."""
    try:
        with open(path, encoding="utf-8") as file:
            text = file.read()
    except UnicodeDecodeError as error:
        raise ModelFileError(f"load {os.fspath(path)!r}: not a text file ({error})") from None
    return from_json(text, source=repr(os.fspath(path)))


def from_json(text, source="<string>"):
    """A new nn.MLP from the JSON text of a saved model (see `load`)."""
    def fail(reason):
        return ModelFileError(f"load {source}: {reason}")

    try:
        document = json.loads(text, parse_constant=_reject_constant)
    except (json.JSONDecodeError, ValueError) as error:
        raise fail(f"not valid JSON (truncated or corrupted?): {error}") from None
    except RecursionError:
        raise fail("nested too deeply to be a saved model (tampered with?)") from None
    if not isinstance(document, dict):
        raise fail(f"expected a JSON object at the top, got {type(document).__name__}")
    _expect_keys(document, {"format", "version", "architecture", "parameters"}, "the file", fail)
    from . import persist_sequential as sequential
    if document["format"] not in (FORMAT, sequential.FORMAT):
        raise fail(f"format is {document['format']!r}, expected {FORMAT!r} or {sequential.FORMAT!r}")
    version = document["version"]
    if not _is_int(version) or version != VERSION:
        raise fail(f"format version {version!r} is not supported; this tracegrad reads version {VERSION}")
    parameters = document["parameters"]
    if document["format"] == sequential.FORMAT:
        architecture = sequential.checked_architecture(document["architecture"], fail)
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
    missing = [name for name in expected if name not in parameters]
    unexpected = [name for name in parameters if name not in set(expected)]
    if missing or unexpected:
        raise fail(f"the parameter names do not match the architecture: {len(missing)} missing "
                   f"{missing[:3]}, {len(unexpected)} unexpected {unexpected[:3]}")
    for name in expected:
        value = parameters[name]
        if not _finite_float(value):
            raise fail(f"parameter {name!r} is {_short_repr(value)}, expected a finite number")
    model.load_state_dict(parameters)
    return model


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
    return architecture


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


def _finite_float(value):
    """A JSON number that is a finite float: an integer too large for a float (10**400) is not."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return False
    try:
        return math.isfinite(float(value))
    except OverflowError:
        return False


def _short_repr(value):
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 128:
        return f"an integer of {len(str(abs(value)))} digits"  # its repr alone could be huge
    return f"{value!r:.40}"


def _reject_constant(name):
    raise ValueError(f"{name} is not a finite number")
