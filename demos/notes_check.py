"""Check every hand-derived gradient formula of the notes against the engine.

    python -m demos.notes_check            # the table, then the corrections
    python -m demos.notes_check --json     # the same rows as JSON

Each formula (see `demos.notes_formulas`, where they are written exactly as the notes
write them) is evaluated on a concrete network and compared with the engine's value of
the same quantity. A row agrees when |hand - engine| <= atol + rtol |engine| for every
entry. For each formula that disagrees, the corrected formula is evaluated too.
"""

import argparse
import json
import sys
import textwrap
from dataclasses import dataclass

import numpy as np

from .notes_examples import DESCRIPTIONS, EXAMPLES
from .notes_formulas import FORMULAS, Undefined


@dataclass
class Result:
    """One formula, evaluated: hand and engine values, the verdict, and the corrected form."""

    formula: object           # the Formula
    hand: object              # float, numpy array, or None when undefined as written
    engine: object
    agrees: bool
    max_abs_diff: float
    undefined: str = ""       # why the hand value could not be computed as written
    corrected_hand: object = None
    corrected_agrees: bool | None = None
    corrected_max_abs_diff: float | None = None


def compare(hand, engine, atol, rtol):
    """(agrees, max |hand - engine|). A scalar hand value is compared with every entry."""
    hand, engine = np.asarray(hand, dtype=float), np.asarray(engine, dtype=float)
    try:
        difference = np.abs(np.broadcast_to(hand, engine.shape) - engine)
    except ValueError:
        return False, float("inf")
    agrees = bool(np.all(difference <= atol + rtol * np.abs(engine)))
    return agrees, float(difference.max()) if difference.size else 0.0


def evaluate(formulas=FORMULAS):
    """Evaluate every formula; the example networks are built once each."""
    examples, results = {}, []
    for formula in formulas:
        if formula.example not in examples:
            examples[formula.example] = EXAMPLES[formula.example]()
        example = examples[formula.example]
        engine = formula.engine(example)
        try:
            hand = formula.hand(example)
            agrees, diff = compare(hand, engine, formula.atol, formula.rtol)
            result = Result(formula, hand, engine, agrees, diff)
        except Undefined as why:
            result = Result(formula, None, engine, False, float("inf"), undefined=str(why))
        if formula.corrected_hand is not None:
            result.corrected_hand = formula.corrected_hand(example)
            result.corrected_agrees, result.corrected_max_abs_diff = compare(
                result.corrected_hand, engine, formula.atol, formula.rtol)
        results.append(result)
    return results


# --- output ----------------------------------------------------------------------------

def _plain(value):
    """A JSON-ready number or nested list."""
    if value is None:
        return None
    array = np.asarray(value, dtype=float)
    return float(array) if array.ndim == 0 else array.tolist()


def as_dict(result):
    f = result.formula
    row = {
        "note": f.note, "where": f.where, "formula": f.formula,
        "hand": _plain(result.hand), "engine": _plain(result.engine), "agrees": result.agrees,
        "max_abs_diff": result.max_abs_diff if np.isfinite(result.max_abs_diff) else None,
        "atol": f.atol, "rtol": f.rtol, "example": f.example,
    }
    if f.reading:
        row["reading"] = f.reading
    if result.undefined:
        row["undefined"] = result.undefined
    if f.corrected:
        row["corrected"] = {
            "formula": f.corrected, "hand": _plain(result.corrected_hand),
            "agrees": result.corrected_agrees, "max_abs_diff": result.corrected_max_abs_diff,
        }
    return row


def compact(value, width=2):
    """A number as %.4g; an array as its first `width` entries and its size."""
    if value is None:
        return "undefined"
    array = np.ravel(np.asarray(value, dtype=float))
    if array.size == 1:
        return f"{array[0]:.4g}"
    shown = ", ".join(f"{v:.4g}" for v in array[:width])
    return f"[{shown}{', …' if array.size > width else ''}] ({array.size})"


def verdict(agrees, diff):
    if agrees:
        return f"agrees ({diff:.0e})"
    return "DISAGREES" if not np.isfinite(diff) else f"DISAGREES ({diff:.1e})"


COLUMNS = [("note", 24), ("where", 22), ("formula as written", 58), ("hand", 30), ("engine", 30), ("verdict", 18)]


def table(results):
    """The table as text: one row per formula; long formulas and readings wrap in their column."""
    header = "  ".join(f"{name:<{width}}" for name, width in COLUMNS)
    lines = [header, "-" * len(header)]
    previous_note = None
    for r in results:
        f = r.formula
        text = textwrap.wrap(f.formula, COLUMNS[2][1])
        if f.reading:
            text += textwrap.wrap("read as: " + f.reading, COLUMNS[2][1], initial_indent="  ",
                                  subsequent_indent="  ")
        where = textwrap.wrap(f.where, COLUMNS[1][1])
        hand = compact(r.hand) if not r.undefined else "undefined (see JSON)"
        cells = [f.note if f.note != previous_note else "", where, text, hand, compact(r.engine),
                 verdict(r.agrees, r.max_abs_diff)]
        previous_note = f.note
        height = max(len(where), len(text))
        for i in range(height):
            row = [cells[0] if i == 0 else "", where[i] if i < len(where) else "",
                   text[i] if i < len(text) else ""] + [c if i == 0 else "" for c in cells[3:]]
            lines.append("  ".join(f"{c:<{w}}" for c, (_, w) in zip(row, COLUMNS)).rstrip())
    return "\n".join(lines)


def corrections(results):
    lines = []
    for r in results:
        if r.agrees or not r.formula.corrected:
            continue
        f = r.formula
        lines.append(f"{f.note}  {f.where}")
        lines.append(f"    as written: {f.formula}")
        if r.undefined:
            lines.append(f"                ({r.undefined})")
        lines.append(f"    corrected:  {f.corrected}")
        lines.append(f"    corrected hand {compact(r.corrected_hand, 3)}   engine {compact(r.engine, 3)}   "
                     f"{verdict(r.corrected_agrees, r.corrected_max_abs_diff)}")
    return "\n".join(lines)


def summary(results):
    """One paragraph: how many formulas agree, and which do not (with the fate of their fixes)."""
    wrong = [r for r in results if not r.agrees]
    fixed = [r for r in wrong if r.corrected_agrees]
    lines = [f"{len(results)} formulas checked: {len(results) - len(wrong)} agree with the engine, "
             f"{len(wrong)} do not ({len(fixed)} of those corrected and confirmed):"]
    for r in wrong:
        mark = "corrected ✓" if r.corrected_agrees else "no correction"
        lines.append(f"  {r.formula.note[:3]} {r.formula.where:<42} {_shortened(r.formula.formula, 70)}  [{mark}]")
    return "\n".join(lines)


def _shortened(text, width):
    """text cut to about `width` characters at a space, marked with … (never mid-symbol)."""
    if len(text) <= width:
        return text
    cut = text.rfind(" ", 0, width)
    return text[:cut if cut > width // 2 else width].rstrip() + " …"


def report(results):
    used = dict.fromkeys(r.formula.example for r in results)
    legend = "\n".join(f"  {name:<20} {DESCRIPTIONS[name]}" for name in used)
    return "\n\n".join([
        "Examples (fixed seeds):\n" + legend,
        table(results),
        "Corrections (each evaluated on the same example):\n" + corrections(results),
        summary(results),
    ])


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m demos.notes_check", description=__doc__.split("\n")[0])
    parser.add_argument("--json", action="store_true", help="print the rows as a JSON list")
    args = parser.parse_args(argv)
    results = evaluate()
    if args.json:
        json.dump([as_dict(r) for r in results], sys.stdout, indent=1, ensure_ascii=False)
        print()
    else:
        print(report(results))
    return results


if __name__ == "__main__":
    main()
