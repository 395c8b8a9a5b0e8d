"""Check every hand-derived statement of the three notes against the engine.

    python -m demos.notes_check            # the table, the corrections, the verdict
    python -m demos.notes_check --json     # the same rows as JSON

Each statement (see `demos.notes_formulas`, where they are written exactly as the notes
write them, with their line) is evaluated on a concrete network twice: its hand side from
the note's formula in numpy, from the network's weights, inputs and targets only, and its
engine side from the engine (gradients, forward values) or from nn (matrix sizes, counts
of updates). A row agrees when |hand - engine| <= atol + rtol |engine| for every entry.
For each row that disagrees, the corrected formula is evaluated too.

Only rows whose hand side is independent of the engine are counted, and only the rows of
formulas the notes write make the notes' verdict; formulas the notes imply and checks of
the program's own reading are counted apart. Statements in words are listed with the
program's reading of them.
"""

import argparse
import json
import sys
import textwrap
from dataclasses import dataclass

import numpy as np

from .notes_examples import DESCRIPTIONS, EXAMPLES
from .notes_formulas import FORMULAS, IMPLIES, KINDS, READING, WRITES, Undefined

NOT_INDEPENDENT = "not independent"
LISTED = "listed"


@dataclass
class Result:
    """One statement, evaluated: hand and engine values, the verdict, and the corrected form."""

    formula: object           # the Claim
    hand: object = None       # float, numpy array, or None (undefined as written, or listed)
    engine: object = None
    agrees: bool | None = None    # None: listed, or not counted (hand side not independent)
    max_abs_diff: float | None = None
    undefined: str = ""       # why the hand value could not be computed as written
    corrected_hand: object = None
    corrected_agrees: bool | None = None
    corrected_max_abs_diff: float | None = None

    @property
    def counted(self):
        return not self.formula.listed and self.formula.independent

    @property
    def verdict(self):
        if self.formula.listed:
            return LISTED
        if not self.formula.independent:
            return NOT_INDEPENDENT
        return "agrees" if self.agrees else "disagrees"


def compare(hand, engine, atol, rtol):
    """(agrees, max |hand - engine|). A scalar hand value is compared with every entry."""
    hand, engine = np.asarray(hand, dtype=float), np.asarray(engine, dtype=float)
    try:
        difference = np.abs(np.broadcast_to(hand, engine.shape) - engine)
    except ValueError:
        return False, float("inf")
    agrees = bool(np.all(difference <= atol + rtol * np.abs(engine)))
    return agrees, float(difference.max()) if difference.size else 0.0


def hand_value(formula, example):
    """The hand side: from the numpy side only, unless the row says it is not independent."""
    if formula.independent:
        return formula.hand(example.numbers)
    return formula.hand(example.numbers, example)


def evaluate(formulas=FORMULAS):
    """Evaluate every statement; the example networks are built once each."""
    examples, results = {}, []
    for formula in formulas:
        if formula.listed:
            results.append(Result(formula))
            continue
        if formula.example not in examples:
            examples[formula.example] = EXAMPLES[formula.example]()
        example = examples[formula.example]
        engine = formula.engine(example)
        try:
            hand = hand_value(formula, example)
            agrees, diff = compare(hand, engine, formula.atol, formula.rtol)
            result = Result(formula, hand, engine, agrees, diff)
        except Undefined as why:
            result = Result(formula, None, engine, False, float("inf"), undefined=str(why))
        if formula.corrected_hand is not None:
            result.corrected_hand = formula.corrected_hand(example.numbers)
            result.corrected_agrees, result.corrected_max_abs_diff = compare(
                result.corrected_hand, engine, formula.atol, formula.rtol)
        if not formula.independent:
            result.agrees = None
        results.append(result)
    return results


# --- output ----------------------------------------------------------------------------

def _plain(value):
    """A JSON-ready number or nested list."""
    if value is None:
        return None
    array = np.asarray(value, dtype=float) + 0.0  # + 0.0: a -0.0 prints as 0
    return float(array) if array.ndim == 0 else array.tolist()


def _finite(x):
    return x if x is not None and np.isfinite(x) else None


def as_dict(result):
    f = result.formula
    row = {
        "note": f.note, "line": f.line, "where": f.where, "formula": f.formula, "kind": f.kind,
        "judge": f.judge, "independent": f.independent, "verdict": result.verdict,
        "hand": _plain(result.hand), "engine": _plain(result.engine), "agrees": result.agrees,
        "max_abs_diff": _finite(result.max_abs_diff), "atol": f.atol, "rtol": f.rtol, "example": f.example or None,
    }
    if f.reading:
        row["reading"] = f.reading
    if result.undefined:
        row["undefined"] = result.undefined
    if f.corrected:
        row["corrected"] = {
            "formula": f.corrected, "hand": _plain(result.corrected_hand),
            "agrees": result.corrected_agrees, "max_abs_diff": _finite(result.corrected_max_abs_diff),
        }
    return row


def rows(results):
    return [as_dict(r) for r in results]


def to_json(results):
    return json.dumps(rows(results), indent=1, ensure_ascii=False) + "\n"


def compact(value, width=2):
    """A number as %.4g; an array as its first `width` entries and its size."""
    if value is None:
        return "undefined"
    array = np.ravel(np.asarray(value, dtype=float)) + 0.0
    if array.size == 1:
        return f"{array[0]:.4g}"
    shown = ", ".join(f"{v:.3g}" for v in array[:width])
    return f"[{shown}{', …' if array.size > width else ''}] ({array.size})"


def verdict_text(result):
    if result.verdict in (LISTED, NOT_INDEPENDENT):
        return {LISTED: "listed (words)", NOT_INDEPENDENT: "* not counted"}[result.verdict]
    diff = result.max_abs_diff
    if result.agrees:
        return f"agrees ({diff:.0e})"
    return "DISAGREES" if not np.isfinite(diff) else f"DISAGREES ({diff:.1e})"


COLUMNS = [("note", 4), ("line", 4), ("where", 22), ("kind", 7), ("what the note says", 54), ("hand", 28),
           ("engine", 28), ("verdict", 18)]


def _cells(r):
    f = r.formula
    text = textwrap.wrap(f.formula, COLUMNS[4][1])
    if f.reading:
        label = "listed as: " if f.listed else "read as: "
        text += textwrap.wrap(label + f.reading, COLUMNS[4][1], initial_indent="  ", subsequent_indent="  ")
    where = textwrap.wrap(f.where, COLUMNS[2][1])
    if f.listed:
        hand, engine = "", ""
    else:
        hand = compact(r.hand) if not r.undefined else "undefined as written"
        engine = compact(r.engine)
    return [f.note[:3], str(f.line)], where, text, [f.kind + ("*" if not f.independent else "")], \
        [hand, engine, verdict_text(r)]


def table(results):
    """The table as text: one row per statement; long texts wrap in their column."""
    header = "  ".join(f"{name:<{width}}" for name, width in COLUMNS)
    lines = [header, "-" * len(header)]
    for r in results:
        first, where, text, kind, last = _cells(r)
        for i in range(max(len(where), len(text))):
            row = (first if i == 0 else ["", ""]) + [where[i] if i < len(where) else ""] + \
                (kind if i == 0 else [""]) + [text[i] if i < len(text) else ""] + (last if i == 0 else ["", "", ""])
            lines.append("  ".join(f"{c:<{w}}" for c, (_, w) in zip(row, COLUMNS)).rstrip())
    return "\n".join(lines)


def corrections(results):
    lines = []
    for r in results:
        if r.agrees is not False or not r.formula.corrected:
            continue
        f = r.formula
        lines.append(f"{f.note[:3]} line {f.line}  {f.where}")
        lines.append(f"    as written: {f.formula}")
        if r.undefined:
            lines.append(f"                ({r.undefined})")
        lines.append(f"    corrected:  {f.corrected}")
        ok = "agrees" if r.corrected_agrees else "DISAGREES"
        lines.append(f"    corrected hand {compact(r.corrected_hand, 3)}   engine {compact(r.engine, 3)}   {ok} "
                     f"({r.corrected_max_abs_diff:.0e})")
    return "\n".join(lines)


def tally(results):
    """{kind: {"agree": n, "disagree": n, "corrected": n}} over the counted rows, and by judge for WRITES."""
    counts = {kind: {"agree": 0, "disagree": 0, "corrected": 0} for kind in KINDS}
    by_judge = {}
    for r in results:
        if not r.counted:
            continue
        kind = counts[r.formula.kind]
        judge = by_judge.setdefault(r.formula.judge, {"agree": 0, "disagree": 0}) if r.formula.kind == WRITES \
            else {"agree": 0, "disagree": 0}
        key = "agree" if r.agrees else "disagree"
        kind[key] += 1
        judge[key] += 1
        if not r.agrees and r.corrected_agrees:
            kind["corrected"] += 1
    return counts, by_judge


def summary(results):
    """The verdict: the notes' own formulas first, then the other kinds, then the disagreements."""
    counts, by_judge = tally(results)
    listed_rows = sum(r.formula.listed for r in results)
    dependent = sum(not r.formula.listed and not r.formula.independent for r in results)
    w = counts[WRITES]
    judges = ", ".join(f"{name}s {c['agree']}/{c['agree'] + c['disagree']}" for name, c in sorted(by_judge.items()))
    lines = [
        f"{len(results)} statements of the three notes, formulas checked with every hand side in numpy, from the "
        f"note's formula and the network's numbers.",
        f"The notes' verdict, on the {w['agree'] + w['disagree']} formulas and numbers they write: "
        f"{w['agree']} agree with the engine, {w['disagree']} do not ({w['corrected']} of those corrected and "
        f"confirmed). By what the engine side reads (agree / rows): {judges}.",
        f"Formulas the notes imply: {counts[IMPLIES]['agree']} agree, {counts[IMPLIES]['disagree']} do not. "
        f"Checks of the program's own reading: {counts[READING]['agree']} agree, {counts[READING]['disagree']} do "
        f"not (not the notes' verdict).",
        f"Listed (statements in words, with the program's reading): {listed_rows}. "
        f"Rows whose hand side needs the engine (marked *, not counted): {dependent}.",
        "The notes' formulas that disagree:",
    ]
    for r in results:
        if r.counted and r.formula.kind == WRITES and not r.agrees:
            mark = "corrected ✓" if r.corrected_agrees else "no correction"
            lines.append(f"  {r.formula.note[:3]} line {r.formula.line:<4} {_shortened(r.formula.where, 34):<36} "
                         f"{_shortened(r.formula.formula, 64)}  [{mark}]")
    other = [r for r in results if r.counted and r.formula.kind != WRITES and not r.agrees]
    if other:
        lines.append("Other rows that disagree:")
        for r in other:
            lines.append(f"  {r.formula.note[:3]} line {r.formula.line:<4} [{r.formula.kind}] "
                         f"{_shortened(r.formula.where, 40)}")
    return "\n".join(lines)


def _shortened(text, width):
    """text cut to about `width` characters at a space, marked with … (never mid-symbol)."""
    if len(text) <= width:
        return text
    cut = text.rfind(" ", 0, width)
    return text[:cut if cut > width // 2 else width].rstrip() + " …"


def report(results):
    used = dict.fromkeys(r.formula.example for r in results if r.formula.example)
    legend = "\n".join(f"  {name:<20} {DESCRIPTIONS[name]}" for name in used)
    kinds = "\n".join(f"  {kind:<8} {text}" for kind, text in KINDS.items())
    return "\n\n".join([
        "Examples (fixed seeds):\n" + legend,
        "Kinds of row:\n" + kinds + "\n  (* : the hand side needs the engine; not counted)",
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
        sys.stdout.write(to_json(results))
    else:
        print(report(results))
    return results


if __name__ == "__main__":
    main()
