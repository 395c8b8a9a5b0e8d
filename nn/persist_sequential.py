"""Save and load an nn.Sequential as JSON, next to nn.persist's MLP format (nn.save / nn.load).

    {
      "format": "tracegrad.nn.Sequential",
      "version": 1,
      "architecture": {"modules": [{"name": "0", "type": "Linear", "in_features": 2, "out_features": 4,
                                    "bias": true},
                                   {"name": "1", "type": "Tanh"}, {"name": "2", "type": "Step", "threshold": 0.5},
                                   ...]},
      "parameters": {"0.weight.0.0": 0.123, ..., "0.bias.3": 0.0}
    }

The same rules as an MLP file: every field, name and number is checked before a new model
is built, any fault is a ModelFileError naming the file and what is wrong, and nothing is
written into an existing model.
"""

from collections import OrderedDict

from .data import finite_number
from .persist import _expect_keys, _is_int, _short_repr
from .torchlike import MODULE_OF_ACTIVATION, ActivationModule, Identity, Linear, Sequential, Softmax

FORMAT = "tracegrad.nn.Sequential"
CLASSES = {cls.__name__: cls for cls in (Identity, *MODULE_OF_ACTIVATION.values())}
# The modules a file may hold, with the constant each one keeps (None: none).
CONSTANT_OF = {name: "dim" if cls is Softmax else cls.constant for name, cls in CLASSES.items()}

def architecture(model):
    """The JSON architecture of a Sequential of Linear and activation modules."""
    modules = []
    for name, module in model.named_children():
        if isinstance(module, Linear):
            modules.append({"name": name, "type": "Linear", "in_features": module.in_features,
                            "out_features": module.out_features, "bias": module.bias is not None})
        elif isinstance(module, ActivationModule) and type(module).__name__ in CONSTANT_OF:
            entry = {"name": name, "type": type(module).__name__}
            constant = CONSTANT_OF[entry["type"]]
            if constant:
                entry[constant] = module.dim if constant == "dim" else module.activation.k
            modules.append(entry)
        else:
            raise TypeError(f"save: module {name!r} of the Sequential is a {type(module).__name__}; a saved "
                            f"Sequential holds nn.Linear and activation modules only (for a Module of your "
                            f"own, save model.state_dict() as JSON)")
    return {"modules": modules}


def parameter_count(architecture):
    return sum((m["in_features"] + m["bias"]) * m["out_features"] for m in architecture["modules"]
               if m["type"] == "Linear")


def checked_architecture(architecture, fail):
    """The stored architecture, after checking every field of every module."""
    if not isinstance(architecture, dict):
        raise fail(f"'architecture' must be an object, got {type(architecture).__name__}")
    _expect_keys(architecture, {"modules"}, "'architecture'", fail)
    modules = architecture["modules"]
    if not isinstance(modules, list) or not modules:
        raise fail("architecture modules must be a non-empty list")
    for i, module in enumerate(modules):
        if not isinstance(module, dict) or not isinstance(module.get("type"), str):
            raise fail(f"architecture module {i} must be an object with a 'type'")
        kind = module["type"]
        if kind == "Linear":
            keys = {"name", "type", "in_features", "out_features", "bias"}
        elif kind in CONSTANT_OF:
            keys = {"name", "type"} | ({CONSTANT_OF[kind]} if CONSTANT_OF[kind] else set())
        else:
            raise fail(f"architecture module {i} has the unknown type {kind!r:.40}")
        _expect_keys(module, keys, f"architecture module {i} ({kind})", fail)
        if kind == "Linear":
            for size in ("in_features", "out_features"):
                if not _is_int(module[size]) or module[size] < 1:
                    raise fail(f"architecture module {i} (Linear) {size} is {_short_repr(module[size])}, "
                               f"expected a positive integer")
            if not isinstance(module["bias"], bool):
                raise fail(f"architecture module {i} (Linear) bias is {module['bias']!r:.40}, expected true or false")
        elif CONSTANT_OF[kind] and not _finite(module[CONSTANT_OF[kind]]):
            raise fail(f"architecture module {i} ({kind}) {CONSTANT_OF[kind]} is "
                       f"{_short_repr(module[CONSTANT_OF[kind]])}, expected a finite number")
    return architecture


def build(architecture, fail):
    """A new Sequential for a checked architecture (its weights are overwritten by the caller)."""
    try:
        modules = OrderedDict()
        for module in architecture["modules"]:
            kind = module["type"]
            if kind == "Linear":
                modules[module["name"]] = Linear(module["in_features"], module["out_features"],
                                                 bias=module["bias"], seed=0)
            else:
                constant = CONSTANT_OF[kind]
                modules[module["name"]] = CLASSES[kind](module[constant]) if constant else CLASSES[kind]()
        if len(modules) != len(architecture["modules"]):
            raise ValueError("two modules have the same name")
        return Sequential(modules)
    except (TypeError, ValueError) as error:
        raise fail(f"bad architecture: {error}") from None


def _finite(value):
    try:
        finite_number(value, "")
    except (TypeError, ValueError, OverflowError):  # OverflowError: an int too large for a float
        return False
    return True
