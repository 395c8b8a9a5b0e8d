"""Another engine's gradients beside tracegrad's: does PyTorch (say) agree, node by node?

`reference` maps Value -> float: the other engine's ∂C/∂value for the same graph. The
verdict compares each with the engine's gradient,

    |engine - reference| <= tolerance + rtol · max(|engine|, |reference|)

(as torch.allclose does: an absolute part for gradients near 0, a relative part for large
ones), and says so in one line: "all 9 gradients agree with PyTorch to within 1e-12 + 1e-12 ×
|gradient| (largest difference 2.8e-17, largest relative 3.1e-16)", or names the values that
do not.
"""

import math
from dataclasses import dataclass

from .checks import as_real, as_root, as_text, number_map

# Two float64 engines summing the same few terms in another order differ by a few ulps (1 ulp
# is 1.1e-16 relative), and a sum of a few hundred terms by a few hundred; 1e-12 relative (4500
# ulps) leaves room for that, while a wrong gradient (a missing term, a wrong local derivative,
# a float32 slip at 6e-8) is off by far more. Without it, gradients of 1e6 one ulp apart
# (1.2e-10) would "differ" at the absolute 1e-12.
RTOL = 1e-12


@dataclass(frozen=True)
class Agreement:
    name: str              # the other engine, e.g. "PyTorch"
    tolerance: float       # absolute
    compared: int          # how many gradients were compared
    largest: float         # the largest |engine - reference|
    disagree: tuple        # ((value name, engine, reference), ...) beyond the tolerance
    text: str
    rtol: float = RTOL     # relative, to max(|engine|, |reference|)
    largest_relative: float = 0.0  # the largest |engine - reference| / max(|engine|, |reference|)

    @property
    def agrees(self):
        return self.compared > 0 and not self.disagree  # nothing compared is no agreement

    def __bool__(self):
        return self.agrees


def check_reference(reference, tolerance, rtol=RTOL):
    """(the mapping as {Value: float}, the tolerance, rtol), the tolerances checked even with no
    reference (a bad one is a slip either way); a TypeError/ValueError naming the argument or
    the entry at fault."""
    tolerance, rtol = as_real(tolerance, "viz: tolerance"), check_rtol(rtol)
    if reference is None:
        return {}, tolerance, rtol
    if not hasattr(reference, "items"):
        raise TypeError(f"viz: reference= expected a mapping {{Value: float}}, got {type(reference).__name__}")
    if not reference:
        raise ValueError("viz: reference= is empty: there is no gradient to compare with (pass "
                         "{value: the other engine's gradient}, or reference=None)")
    return number_map(reference, "viz: reference"), tolerance, rtol


def check_rtol(rtol):
    """rtol from 0 to below 1: at 1, any two gradients of one sign would agree."""
    number = as_real(rtol, "viz: rtol")
    if number >= 1:
        raise ValueError(f"viz: rtol={rtol!r:.60}: expected a number below 1 (1e-12, say): at 1 any two "
                         f"gradients of one sign agree")
    return number


def within(engine, other, tolerance, rtol):
    """|engine - other| <= tolerance + rtol · max(|engine|, |other|), false for an engine
    gradient that is inf or nan (`other` is finite: check_reference refuses the rest)."""
    if not math.isfinite(engine):
        return False  # else inf would be within rtol · inf of any number
    return abs(engine - other) <= tolerance + rtol * max(abs(engine), abs(other))


def relative(engine, other):
    """|engine - other| / max(|engine|, |other|), 0 when both are 0."""
    scale = max(abs(engine), abs(other))
    return abs(engine - other) / scale if scale else 0.0


def tolerance_text(tolerance, rtol):
    return f"{tolerance:g} + {rtol:g} × |gradient|"


def check_in_graph(reference, graph, root_name):
    """Refuse (ValueError) reference entries for values that are not in the graph: skipped, they
    would count as agreeing. `graph` holds the graph's values; the culprits are named by label."""
    strangers = [value for value in reference if value not in graph]
    if strangers:
        named = _listed([value.label or repr(value) for value in strangers])
        raise ValueError(f"viz: reference= holds {len(strangers)} value{'s' if len(strangers) > 1 else ''} that "
                         f"{'are' if len(strangers) > 1 else 'is'} not in the graph of {root_name}: {named}")


def agreement(grads, reference, names, *, name="PyTorch", tolerance=1e-12, rtol=RTOL):
    """The verdict for the values in both `grads` (engine) and `reference` (the other engine),
    each `within` tolerance + rtol · max(|engine|, |reference|). A reference value with no
    engine gradient (backward failed before it, say) is not compared, and the text says so:
    with nothing compared, it never reads as agreement."""
    compared, largest, largest_relative, disagree, missing = 0, 0.0, 0.0, [], []
    for value, other in reference.items():
        if value not in grads:
            missing.append(names.get(value, value.label))
            continue
        compared += 1
        largest = max(largest, abs(grads[value] - other))
        largest_relative = max(largest_relative, relative(grads[value], other))
        if not within(grads[value], other, tolerance, rtol):
            disagree.append((names.get(value, value.label), grads[value], other))
    if not compared:
        text = (f"no gradient compared with {name}: the engine has none for "
                f"{_listed(missing)}")
    elif not disagree:
        which = f"all {compared} gradients agree" if compared != 1 else "the 1 gradient agrees"
        text = (f"{which} with {name} to within {tolerance_text(tolerance, rtol)} (largest difference "
                f"{largest:.2g}, largest relative {largest_relative:.2g})")
    else:
        # repr, the shortest text that reads back as the same float: two numbers look alike only if equal
        listed = "; ".join(f"{n}: {g!r} here, {o!r} in {name}" for n, g, o in disagree[:8])
        more = f"; and {len(disagree) - 8} more" if len(disagree) > 8 else ""
        text = (f"{len(disagree)} of {compared} gradients differ from {name} by more than "
                f"{tolerance_text(tolerance, rtol)}: {listed}{more}")
    if compared and missing:
        text += f"; not compared (no gradient here): {_listed(missing)}"
    return Agreement(name, tolerance, compared, largest, tuple(disagree), text, rtol, largest_relative)


def _listed(names):
    return ", ".join(names[:8]) + (f" and {len(names) - 8} more" if len(names) > 8 else "")


def compare_gradients(root, reference, *, name="PyTorch", tolerance=1e-12, rtol=RTOL, parameters=None,
                      constants=None, reference_name=None):
    """The `Agreement` of the engine's gradients of `root` with `reference` {Value: float}: each
    agrees when |engine - reference| <= tolerance + rtol · max(|engine|, |reference|).
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
    reference, tolerance, rtol = check_reference(reference, tolerance, rtol)  # before the walk: a slip is named at once
    walk = Walk(root, parameters, constants)
    check_in_graph(reference, walk.received, walk.names[root])
    # A value given as a constant shows no gradient in the stepper, so it is not compared here either.
    shown = {value: g for value, g in walk.grad.items() if value is root or walk.role(value) != "constant"}
    return agreement(shown, reference, walk.names, name=name, tolerance=tolerance, rtol=rtol)
