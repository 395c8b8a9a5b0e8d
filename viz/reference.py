"""Another engine's gradients beside tracegrad's: does PyTorch (say) agree, node by node?

`reference` maps Value -> float: the other engine's ∂C/∂value for the same graph. The
verdict compares each with the engine's gradient, |engine - reference| <= tolerance, and
says so in one line: "all 9 gradients agree with PyTorch to within 1e-12 (largest
difference 2.8e-17)", or names the values that do not.
"""

import math
from dataclasses import dataclass

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
        return not self.disagree

    def __bool__(self):
        return self.agrees


def check_reference(reference, tolerance):
    """The mapping as {Value: float}; a TypeError/ValueError naming the entry at fault."""
    if reference is None:
        return {}
    if not hasattr(reference, "items"):
        raise TypeError(f"viz: reference= expected a mapping {{Value: float}}, got {type(reference).__name__}")
    if not (isinstance(tolerance, (int, float)) and tolerance >= 0 and math.isfinite(tolerance)):
        raise ValueError(f"viz: tolerance={tolerance!r}: expected a finite number >= 0")
    checked = {}
    for value, number in reference.items():
        if not (hasattr(value, "data") and hasattr(value, "parents")):
            raise TypeError(f"viz: reference= keys must be Values, got {type(value).__name__} {value!r:.60}")
        try:
            checked[value] = float(number)
        except (TypeError, ValueError, OverflowError):
            raise TypeError(f"viz: reference[{value.label or value!r}] = {number!r:.60}: expected a number") from None
    return checked


def agreement(grads, reference, names, *, name="PyTorch", tolerance=1e-12):
    """The verdict for the values in both `grads` (engine) and `reference` (the other engine)."""
    compared, largest, disagree = 0, 0.0, []
    for value, other in reference.items():
        if value not in grads:
            continue
        compared += 1
        difference = abs(grads[value] - other) if math.isfinite(other) else math.inf
        largest = max(largest, difference)
        if not difference <= tolerance:
            disagree.append((names.get(value, value.label), grads[value], other))
    if not disagree:
        which = f"all {compared} gradients agree" if compared != 1 else "the 1 gradient agrees"
        text = f"{which} with {name} to within {tolerance:g} (largest difference {largest:.2g})"
    else:
        listed = "; ".join(f"{n}: {compact(g, 17)} here, {compact(o, 17)} in {name}" for n, g, o in disagree[:8])
        more = f"; and {len(disagree) - 8} more" if len(disagree) > 8 else ""
        text = (f"{len(disagree)} of {compared} gradients differ from {name} by more than {tolerance:g}: "
                f"{listed}{more}")
    return Agreement(name, tolerance, compared, largest, tuple(disagree), text)


def compare_gradients(root, reference, *, name="PyTorch", tolerance=1e-12, parameters=None, constants=None):
    """The `Agreement` of the engine's gradients of `root` with `reference` {Value: float}."""
    from .steps import Walk
    walk = Walk(root, parameters, constants)
    return agreement(walk.grad, check_reference(reference, tolerance), walk.names, name=name, tolerance=tolerance)
