"""Another engine's gradients beside tracegrad's: does PyTorch (say) agree, node by node?

`reference` maps Value -> float: the other engine's ∂C/∂value for the same graph. The
verdict compares each with the engine's gradient, |engine - reference| <= tolerance, and
says so in one line: "all 9 gradients agree with PyTorch to within 1e-12 (largest
difference 2.8e-17)", or names the values that do not.
"""

from dataclasses import dataclass

from .checks import as_real, as_root, as_text, number_map
from .style import compact


@dataclass(frozen=True)
class Agreement:
    name: str              # the other engine, e.g. "PyTorch"
    tolerance: float
    compared: int          # how many gradients were compared
    largest: float         # the largest |engine - reference|
    disagree: tuple        # ((value name, engine, reference), ...) beyond the tolerance
    text: str

    @property
    def agrees(self):
        return self.compared > 0 and not self.disagree  # nothing compared is no agreement

    def __bool__(self):
        return self.agrees


def check_reference(reference, tolerance):
    """(the mapping as {Value: float}, the tolerance as a float), the tolerance checked even with
    no reference (a bad one is a slip either way); a TypeError/ValueError naming the argument or
    the entry at fault."""
    tolerance = as_real(tolerance, "viz: tolerance")
    if reference is None:
        return {}, tolerance
    if not hasattr(reference, "items"):
        raise TypeError(f"viz: reference= expected a mapping {{Value: float}}, got {type(reference).__name__}")
    if not reference:
        raise ValueError("viz: reference= is empty: there is no gradient to compare with (pass "
                         "{value: the other engine's gradient}, or reference=None)")
    return number_map(reference, "viz: reference"), tolerance


def check_in_graph(reference, graph, root_name):
    """Refuse (ValueError) reference entries for values that are not in the graph: skipped, they
    would count as agreeing. `graph` holds the graph's values; the culprits are named by label."""
    strangers = [value for value in reference if value not in graph]
    if strangers:
        named = _listed([value.label or repr(value) for value in strangers])
        raise ValueError(f"viz: reference= holds {len(strangers)} value{'s' if len(strangers) > 1 else ''} that "
                         f"{'are' if len(strangers) > 1 else 'is'} not in the graph of {root_name}: {named}")


def agreement(grads, reference, names, *, name="PyTorch", tolerance=1e-12):
    """The verdict for the values in both `grads` (engine) and `reference` (the other engine).
    A reference value with no engine gradient (backward failed before it, say) is not compared,
    and the text says so: with nothing compared, it never reads as agreement."""
    compared, largest, disagree, missing = 0, 0.0, [], []
    for value, other in reference.items():
        if value not in grads:
            missing.append(names.get(value, value.label))
            continue
        compared += 1
        difference = abs(grads[value] - other)  # both finite: check_reference refuses nan and inf
        largest = max(largest, difference)
        if not difference <= tolerance:
            disagree.append((names.get(value, value.label), grads[value], other))
    if not compared:
        text = (f"no gradient compared with {name}: the engine has none for "
                f"{_listed(missing)}")
    elif not disagree:
        which = f"all {compared} gradients agree" if compared != 1 else "the 1 gradient agrees"
        text = f"{which} with {name} to within {tolerance:g} (largest difference {largest:.2g})"
    else:
        listed = "; ".join(f"{n}: {compact(g, 17)} here, {compact(o, 17)} in {name}" for n, g, o in disagree[:8])
        more = f"; and {len(disagree) - 8} more" if len(disagree) > 8 else ""
        text = (f"{len(disagree)} of {compared} gradients differ from {name} by more than {tolerance:g}: "
                f"{listed}{more}")
    if compared and missing:
        text += f"; not compared (no gradient here): {_listed(missing)}"
    return Agreement(name, tolerance, compared, largest, tuple(disagree), text)


def _listed(names):
    return ", ".join(names[:8]) + (f" and {len(names) - 8} more" if len(names) > 8 else "")


def compare_gradients(root, reference, *, name="PyTorch", tolerance=1e-12, parameters=None, constants=None,
                      reference_name=None):
    """The `Agreement` of the engine's gradients of `root` with `reference` {Value: float}.
    `reference_name` is `name` under the stepper's keyword (give one of them)."""
    from .steps import Walk
    if reference_name is not None:
        if name != "PyTorch":
            raise TypeError("viz.compare_gradients: give name= or reference_name=, not both")
        name = reference_name
    as_root(root, "viz.compare_gradients")
    as_text(name, "viz.compare_gradients name")
    if reference is None:  # the stepper may go without one; a comparison has nothing to compare
        raise TypeError("viz.compare_gradients: reference is None; pass {value: the other engine's gradient}")
    reference, tolerance = check_reference(reference, tolerance)  # before the walk: a slip is named at once
    walk = Walk(root, parameters, constants)
    check_in_graph(reference, walk.received, walk.names[root])
    return agreement(walk.grad, reference, walk.names, name=name, tolerance=tolerance)
