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

A module placed twice (a Linear whose weights are tied, as Sequential(L, Tanh(), L, ...)) is
written where it is first placed, and at each later place as {"name": "2", "same_as": "0"}; its
parameters are saved once, under the first name. Such a file is version 2 (a tracegrad that
reads version 1 only refuses it by its version); a file without one is still version 1.

Frozen parameters (requires_grad False) are listed by name in "frozen", as in an MLP file
(see nn.persist), in either version; a tied module's parameters are listed once, under the
first name, and load frozen at every place the module is placed.

The same rules as an MLP file: every field, name and number is checked before a new model
is built, any fault is a ModelFileError naming the file and what is wrong, and nothing is
written into an existing model.
"""

from collections import OrderedDict

from .module import first_tie
from .persist import _expect_keys, _is_int, _short_repr, check_constant
from .torchlike import MODULE_OF_ACTIVATION, ActivationModule, Identity, Linear, Sequential, Softmax

FORMAT = "tracegrad.nn.Sequential"
VERSION = 2  # the newest: 1 and 2 are read; 2 adds {"name", "same_as"}
CLASSES = {cls.__name__: cls for cls in (Identity, *MODULE_OF_ACTIVATION.values())}
# The modules a file may hold, with the constant each one keeps (None: none).
CONSTANT_OF = {name: "dim" if cls is Softmax else cls.constant for name, cls in CLASSES.items()}

def architecture(model):
    """The JSON architecture of a Sequential of Linear and activation modules."""
    modules, first_names = [], {}
    _refuse_values_shared_by_two_modules(model)
    for name, module in model.named_children():
        if id(module) in first_names:  # placed again: one module, so its weights stay tied
            modules.append({"name": name, "same_as": first_names[id(module)]})
            continue
        first_names[id(module)] = name
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


def _refuse_values_shared_by_two_modules(model):
    """A file ties whole modules, so a weight shared by two different modules (tied by hand)
    would be written once and make a file no load takes: refused, naming both places."""
    tie = first_tie(model._walk("", {id(model)}))  # a module placed twice is walked once
    if tie:
        raise ValueError(f"save: parameters {tie[0]!r} and {tie[1]!r} of the Sequential are one Value (a "
                         f"weight tied by hand); a saved Sequential ties whole modules only: place one "
                         f"Linear twice instead")


def version(architecture):
    """The oldest format version that holds the architecture: 2 only for a module placed twice."""
    return 2 if any("same_as" in module for module in architecture["modules"]) else 1


def parameter_count(architecture):
    return sum((m["in_features"] + m["bias"]) * m["out_features"] for m in architecture["modules"]
               if m.get("type") == "Linear")


def checked_architecture(architecture, version, fail):
    """The stored architecture, after checking every field of every module."""
    if not isinstance(architecture, dict):
        raise fail(f"'architecture' must be an object, got {type(architecture).__name__}")
    _expect_keys(architecture, {"modules"}, "'architecture'", fail)
    modules = architecture["modules"]
    if not isinstance(modules, list) or not modules:
        raise fail("architecture modules must be a non-empty list")
    first_names = set()  # the names a later "same_as" may give
    for i, module in enumerate(modules):
        if isinstance(module, dict) and "same_as" in module:
            _check_same_as(module, i, first_names, version, fail)
            continue
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
        if isinstance(module["name"], str):  # another name is refused when the Sequential is built
            first_names.add(module["name"])
        if kind == "Linear":
            for size in ("in_features", "out_features"):
                if not _is_int(module[size]) or module[size] < 1:
                    raise fail(f"architecture module {i} (Linear) {size} is {_short_repr(module[size])}, "
                               f"expected a positive integer")
            if not isinstance(module["bias"], bool):
                raise fail(f"architecture module {i} (Linear) bias is {module['bias']!r:.40}, expected true or false")
        elif CONSTANT_OF[kind]:
            check_constant(module[CONSTANT_OF[kind]], f"architecture module {i} ({kind}) {CONSTANT_OF[kind]}", fail)
    return architecture


def _check_same_as(module, i, first_names, version, fail):
    """{"name": ..., "same_as": the name of a module placed before it} (version 2 on)."""
    if version < 2:
        raise fail(f"architecture module {i} has 'same_as', which format version {version} does not have "
                   f"(it came in version 2)")
    _expect_keys(module, {"name", "same_as"}, f"architecture module {i} (same_as)", fail)
    if not isinstance(module["same_as"], str) or module["same_as"] not in first_names:
        raise fail(f"architecture module {i} is the same as {_short_repr(module['same_as'])}, which names "
                   f"no module placed before it")


def build(architecture, fail):
    """A new Sequential for a checked architecture (its weights are overwritten by the caller)."""
    try:
        modules = OrderedDict()
        for module in architecture["modules"]:
            if "same_as" in module:
                modules[module["name"]] = modules[module["same_as"]]
                continue
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
