"""The notes check: its JSON rows, that every verdict is true when recomputed, that every
correction agrees, that the notes' known errors are found, that every statement sits where
its row says, and that the committed tour files are what the code prints."""

import json
import math
import os
import re
from pathlib import Path

import numpy as np
import pytest

import autograd
from demos import notes_check
from demos.notes_examples import NOTE_000, NOTE_001, NOTE_002
from demos.notes_formulas import FORMULAS, IMPLIES, READING, WRITES, Claim, Undefined


ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def rows():
    return json.loads(notes_check.to_json(notes_check.evaluate()))


def recomputed_agreement(hand, engine, atol, rtol):
    hand, engine = np.asarray(hand, dtype=float), np.asarray(engine, dtype=float)
    hand = np.broadcast_to(hand, engine.shape)
    return bool(np.all(np.abs(hand - engine) <= atol + rtol * np.abs(engine)))


def test_json_command_prints_a_list_of_rows_with_the_required_keys(capsys):
    notes_check.main(["--json"])
    printed = json.loads(capsys.readouterr().out)
    assert isinstance(printed, list) and len(printed) == len(FORMULAS)
    for row in printed:
        assert {"note", "line", "where", "formula", "kind", "judge", "independent", "verdict", "hand", "engine",
                "agrees"} <= set(row)
        assert row["note"] in (NOTE_000, NOTE_001, NOTE_002)
        assert row["kind"] in (WRITES, IMPLIES, READING)
        assert isinstance(row["independent"], bool) and isinstance(row["line"], int)
        assert row["verdict"] in ("agrees", "disagrees", "listed", "not independent")
        assert isinstance(row["formula"], str) and row["formula"]
        if row["verdict"] == "listed":
            assert row["agrees"] is None and row.get("reading"), row["formula"]
        else:
            assert row["judge"] in ("gradient", "value", "shape", "count"), row["where"]
        if "corrected" in row:
            assert {"formula", "hand", "agrees"} <= set(row["corrected"])


def test_every_agreeing_row_really_agrees(rows):
    for row in rows:
        if row["agrees"]:
            assert recomputed_agreement(row["hand"], row["engine"], row["atol"], row["rtol"]), row["where"]


def test_every_disagreeing_row_really_disagrees(rows):
    for row in rows:
        if row["agrees"] is False and row["hand"] is not None:
            assert not recomputed_agreement(row["hand"], row["engine"], row["atol"], row["rtol"]), row["where"]


def test_every_disagreeing_row_has_a_correction_that_agrees(rows):
    wrong = [row for row in rows if row["agrees"] is False]
    assert wrong
    for row in wrong:
        corrected = row["corrected"]
        assert corrected["agrees"] is True, row["where"]
        assert recomputed_agreement(corrected["hand"], row["engine"], row["atol"], row["rtol"]), row["where"]


# (note, line) of every statement the issue names, and of every hand derivation of the notes
REQUIRED = {
    NOTE_000: [83, 111, 112, 113, 116, 117, 122, 126, 142, 157, 164, 176, 184, 220, 228, 232, 246, 248, 250, 258,
               268, 274, 280, 284, 307, 315, 324, 328, 345, 349, 351, 363, 369, 373, 377, 387, 391, 395, 399, 403, 405,
               409, 413, 437, 444, 445, 466, 480, 486, 496, 502, 511, 515],
    NOTE_001: [17, 27, 35, 42, 56, 60, 64],
    NOTE_002: [15, 31, 41, 61, 69, 100, 122, 137, 147, 159, 176, 198, 226, 228, 247, 259, 269, 279, 294, 302, 310, 321, 379, 401,
               408, 421, 424, 430, 451, 475, 483, 484, 485, 495, 504, 513, 523, 533, 546, 560, 592, 603, 649],
}


def test_every_required_statement_of_each_note_has_a_row(rows):
    places = {(row["note"], row["line"]) for row in rows}
    for note, lines in REQUIRED.items():
        for line in lines:
            assert (note, line) in places, (note, line)


def notes_dir():
    """The notes are source material next to the repository (../shared/notes), not in it;
    TRACEGRAD_NOTES names another folder."""
    here = [Path(os.environ["TRACEGRAD_NOTES"])] if os.environ.get("TRACEGRAD_NOTES") else []
    for candidate in here + [ROOT.parent / "shared" / "notes", ROOT.parents[1] / "shared" / "notes"]:
        if (candidate / NOTE_000).exists():
            return candidate
    return None


def test_every_row_quotes_the_line_it_names():
    where = notes_dir()
    if where is None:  # not a tool CI installs: the notes are not part of the repository
        pytest.skip("!!! the notes are not in ../shared/notes (or $TRACEGRAD_NOTES), so the rows' line numbers "
                    "were NOT checked here !!!")
    texts = {note: (where / note).read_text(encoding="utf-8").splitlines() for note in (NOTE_000, NOTE_001, NOTE_002)}
    for claim in FORMULAS:
        assert claim.quote, (claim.note, claim.line, claim.where)
        assert claim.quote in texts[claim.note][claim.line - 1], (claim.note, claim.line, claim.quote)


def verdicts(rows, note, line, where_start=""):
    matching = [r for r in rows if r["note"] == note and r["line"] == line and r["where"].startswith(where_start)]
    assert matching, (note, line)
    return [r["verdict"] for r in matching]


def test_the_errors_in_the_notes_are_found(rows):
    for note, line in [(NOTE_000, 363), (NOTE_000, 387), (NOTE_000, 395), (NOTE_000, 399), (NOTE_000, 403),
                       (NOTE_000, 248), (NOTE_000, 280), (NOTE_000, 351), (NOTE_001, 60), (NOTE_002, 41),
                       (NOTE_002, 69), (NOTE_002, 147), (NOTE_002, 176), (NOTE_002, 226), (NOTE_002, 302), (NOTE_002, 408),
                       (NOTE_002, 451), (NOTE_002, 475), (NOTE_002, 523), (NOTE_002, 533), (NOTE_002, 546),
                       (NOTE_002, 649)]:
        assert "disagrees" in verdicts(rows, note, line), (note, line)
    for note, line in [(NOTE_000, 164), (NOTE_000, 246), (NOTE_000, 250), (NOTE_000, 284), (NOTE_000, 315),
                       (NOTE_000, 373), (NOTE_000, 437), (NOTE_000, 466), (NOTE_002, 198),
                       (NOTE_000, 486), (NOTE_000, 496), (NOTE_000, 511), (NOTE_001, 35), (NOTE_001, 42),
                       (NOTE_002, 379), (NOTE_002, 401), (NOTE_002, 560), (NOTE_002, 603), (NOTE_002, 294)]:
        assert set(verdicts(rows, note, line)) == {"agrees"}, (note, line)
    assert verdicts(rows, NOTE_001, 60, "δ^(l), l-th") == ["agrees"]
    assert verdicts(rows, NOTE_000, 116, "activation table: tanh") == ["agrees", "agrees", "agrees"]


def row_at(rows, note, line, text):
    """The one row at (note, line) whose formula contains `text`."""
    [row] = [r for r in rows if r["note"] == note and r["line"] == line and text in r["formula"]]
    return row


def test_a_product_of_two_columns_is_read_by_one_rule_in_every_note(rows):
    # Θ^(L)ᵀ a^(L) (246), θ_(:,j) a (437) and δ^l a^(l-1) (002, 560) each multiply two columns
    for note, line, text, product in [(NOTE_000, 246, "Θ^(L)ᵀ a^(L)", "dot product"),
                                      (NOTE_000, 437, "θ_(:,j)^(l-1) a^(l-1)", "dot product"),
                                      (NOTE_002, 560, "δ^l a^(l-1)", "outer product")]:
        row = row_at(rows, note, line, text)
        assert row["verdict"] == "agrees" and product in row["reading"], (note, line)
        assert "undefined" not in row and "corrected" not in row, (note, line)
    # the row of line 250, which would make 246 undefined, is judged on lines 248/250
    assert "line 250" in row_at(rows, NOTE_000, 246, "Θ^(L)ᵀ")["reading"]
    assert row_at(rows, NOTE_000, 248, "(1 × N_L)")["verdict"] == "disagrees"


def test_the_smallest_extremum_is_not_the_global_minimum(rows):
    row = row_at(rows, NOTE_002, 226, "smallest of these extrema is the global minimum")
    assert row["kind"] == WRITES and row["verdict"] == "disagrees"
    np.testing.assert_allclose(row["hand"], [-1.0, 1.0, -2.0], atol=1e-12)      # f' = 0 at ±1, f(1) = -2
    np.testing.assert_allclose(row["engine"], [-1.0, 1.0, -18.0], atol=1e-12)   # the engine: f(-3) = -18
    assert row["corrected"]["agrees"] and "ends" in row["corrected"]["formula"]


def test_the_worked_numbers_of_the_quadratic_cost_are_checked(rows):
    row = row_at(rows, NOTE_002, 198, "100/25 = 4")
    assert row["kind"] == WRITES and row["verdict"] == "agrees"
    assert row["hand"] == [100.0, 25.0, 4.0, 2.0] and row["judge"] == "value"


def test_lines_325_and_326_are_judged_with_the_rows_of_w0_and_b0(rows):
    assert "325" in row_at(rows, NOTE_002, 176, "W^0")["where"]
    assert "326" in row_at(rows, NOTE_002, 147, "b^0")["where"]
    assert "C(W^0, W^1, ..., W^l, B)" in row_at(rows, NOTE_002, 176, "W^0")["formula"]
    assert "b^0_0" in row_at(rows, NOTE_002, 147, "b^0")["formula"]
    assert {row_at(rows, NOTE_002, 176, "W^0")["verdict"], row_at(rows, NOTE_002, 147, "b^0")["verdict"]} == \
        {"disagrees"}


def test_tanh_and_the_negative_log_likelihood_is_listed_with_a_reading(rows):
    row = row_at(rows, NOTE_000, 116, "negative log likelihood")
    assert row["verdict"] == "listed" and "(0, 1]" in row["reading"] and "σ(2z)" in row["reading"]


def test_lines_355_and_373_are_judged_by_one_numbering(rows):
    figure5 = row_at(rows, NOTE_000, 351, "θ_(:,1)^(4)")       # line 355's θ^(4): one layer off
    assert figure5["verdict"] == "disagrees" and "355" in figure5["where"] and "line 373" in figure5["reading"]
    step2 = row_at(rows, NOTE_000, 373, "θ_(:,1)^(3)")          # line 373's θ^(3): the numbering of line 146
    assert step2["verdict"] == "agrees" and "line 146" in step2["reading"]


def test_the_infinitely_large_change_is_quoted_and_judged(rows):
    row = row_at(rows, NOTE_002, 69, "infinitely large change in the output (from 0 to 1)")
    assert row["verdict"] == "disagrees" and row["engine"] == [1.0, 1.0]
    assert row["corrected"]["agrees"] and "ΔP/Δw" in row["corrected"]["formula"]
    assert not [r for r in rows if r["note"] == NOTE_002 and "changes P from 0 to 1" in r["formula"]]


def test_always_positive_is_read_as_non_negative_and_says_so(rows):
    row = row_at(rows, NOTE_002, 206, "always positive")
    assert row["verdict"] == "listed" and "non-negative" in row["reading"] and "contradicts" in row["reading"]


def test_step_4_as_intended_with_the_notes_own_step_2_value_has_the_wrong_sign(rows):
    [literal, as_intended, generous, two_outputs] = [r for r in rows if r["note"] == NOTE_000 and r["line"] == 413]
    assert literal["verdict"] == as_intended["verdict"] == "disagrees"
    assert as_intended["kind"] == WRITES and "step 2" in as_intended["reading"]
    assert np.all(np.sign(as_intended["hand"]) == -np.sign(as_intended["engine"]))
    # the generous reading (step 2's sign corrected) is the program's, not the note's verdict
    assert generous["kind"] == two_outputs["kind"] == READING
    assert generous["verdict"] == "agrees" and two_outputs["verdict"] == "disagrees"


def test_the_directional_derivative_row_is_tested_at_several_learning_rates(rows):
    [row] = [r for r in rows if r["note"] == NOTE_002 and r["line"] == 302]
    assert len(row["hand"]) >= 3 and len(set(row["engine"])) == 1  # the directional derivative has no η
    etas = [h / row["corrected"]["hand"][0] for h in row["hand"]]
    assert len(set(np.round(etas, 12))) == len(etas) and not any(math.isclose(eta, 1.0) for eta in etas)
    assert row["verdict"] == "disagrees" and row["corrected"]["agrees"]


def test_the_summary_counts_each_kind_apart_and_only_independent_rows(rows):
    results = notes_check.evaluate()
    counts, by_judge = notes_check.tally(results)
    counted = [r for r in rows if r["verdict"] in ("agrees", "disagrees")]
    for kind in (WRITES, IMPLIES, READING):
        of_kind = [r for r in counted if r["kind"] == kind]
        assert counts[kind]["agree"] == sum(r["agrees"] for r in of_kind)
        assert counts[kind]["disagree"] == sum(not r["agrees"] for r in of_kind)
    text = notes_check.summary(results)
    w = counts[WRITES]
    assert f"{w['agree']} agree with the engine, {w['disagree']} do not" in text
    assert sum(c["agree"] + c["disagree"] for c in by_judge.values()) == w["agree"] + w["disagree"]


def test_a_row_that_needs_the_engine_is_marked_and_not_counted():
    dependent = Claim(NOTE_000, 369, "test", "∂C/∂z = ∂C/∂a · ∂a/∂z", WRITES, "figure5",
                      hand=lambda n, f: f.dC_da[4][0] * f.da_dz[4][0], engine=lambda f: f.dC_dz[4][0],
                      judge="gradient", independent=False)
    [result] = notes_check.evaluate([dependent])
    row = notes_check.as_dict(result)
    assert row["independent"] is False and row["agrees"] is None and row["verdict"] == "not independent"
    counts, _ = notes_check.tally([result])
    assert counts[WRITES] == {"agree": 0, "disagree": 0, "corrected": 0}
    assert "* not counted" in notes_check.table([result]) and "writes*" in notes_check.table([result])


def test_a_wrong_formula_is_reported_as_disagreeing():
    wrong = Claim(NOTE_000, 363, "test", "∂C/∂ŷ = 2 (ŷ - y)", WRITES, "figure5",
                  hand=lambda n: 2 * (n.yhat - n.y[0]), engine=lambda f: f.dC_da[4][0], judge="gradient")
    right = Claim(NOTE_000, 363, "test", "∂C/∂ŷ = ŷ - y", WRITES, "figure5",
                  hand=lambda n: n.yhat - n.y[0], engine=lambda f: f.dC_da[4][0], judge="gradient")
    assert [r.agrees for r in notes_check.evaluate([wrong, right])] == [False, True]


def test_a_formula_undefined_as_written_disagrees_and_says_why():
    def mismatched(n):
        raise Undefined("W^(l+1) is 3×2, δ has 4 entries")

    formula = Claim(NOTE_002, 546, "test", "δ = W δ", WRITES, "figure5", hand=mismatched,
                    engine=lambda f: f.dC_dz[3], judge="gradient")
    [result] = notes_check.evaluate([formula])
    assert result.agrees is False and "3×2" in result.undefined
    assert notes_check.as_dict(result)["hand"] is None


def test_the_table_names_the_notes_the_lines_and_the_verdicts(capsys):
    notes_check.main([])
    text = capsys.readouterr().out
    for note in ("000", "001", "002"):
        assert f"\n{note}  " in text
    assert "DISAGREES" in text and "agrees" in text and "corrected:" in text and "read as:" in text
    assert "listed as:" in text and "The notes' verdict" in text


def _without_rounding(text):
    """The report with the size of each agreement's difference (rounding: it moves with the last
    bits of the engine's sums) left out."""
    return re.sub(r"\((\d(\.\d)?e[+-]\d\d)\)", "(…)", text)


def _close(a, b):
    """JSON values equal, numbers to 1e-9 relative (the last bits of a sum may move)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_close(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_close(x, y) for x, y in zip(a, b))
    if isinstance(a, float) or isinstance(b, float):
        return isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool) and \
            abs(a - b) <= 1e-9 * max(abs(a), abs(b)) + 1e-15
    return a == b


def test_the_committed_tour_files_are_what_the_code_prints():
    # `make demo` (python -m demos --out docs/tour) writes them; regenerate after changing a row
    results = notes_check.evaluate()
    committed = (ROOT / "docs/tour/notes_check.txt").read_text(encoding="utf-8")
    assert _without_rounding(committed) == _without_rounding(notes_check.report(results) + "\n")
    committed_rows = json.loads((ROOT / "docs/tour/notes_check.json").read_text(encoding="utf-8"))
    assert _close(committed_rows, json.loads(notes_check.to_json(results)))


def test_make_demo_writes_the_tour_into_docs_tour():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "-m demos --out docs/tour" in makefile


def test_the_corrected_step_2_formula_passes_gradcheck():
    # The README's five lines: a hand-derived ∂C/∂z checked against the engine and central differences.
    y = 0.3
    report = autograd.gradcheck(lambda z: 0.5 * (y - z.sigmoid()) ** 2, {"z": 0.7},
                                hand={"z": lambda z: sig(z) * (1 - sig(z)) * (sig(z) - y)})
    assert report.ok
    as_written = autograd.gradcheck(lambda z: 0.5 * (y - z.sigmoid()) ** 2, {"z": 0.7},
                                    hand={"z": lambda z: sig(z) * (1 - sig(z)) * (y - sig(z))})
    assert not as_written.ok


def sig(z):
    return 1 / (1 + math.exp(-z))


def test_the_readme_gives_the_counts_the_code_prints():
    results = notes_check.evaluate()
    counts, _ = notes_check.tally(results)
    w, i, r = counts[WRITES], counts[IMPLIES], counts[READING]
    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    assert (f"Of {len(results)} statements, the notes **write {w['agree'] + w['disagree']} formulas and numbers: "
            f"{w['agree']} agree with the engine and {w['disagree']} do not**, and each of the {w['disagree']} has "
            f"a correction the engine confirms") in readme
    assert w["corrected"] == w["disagree"]
    assert f"The {i['agree']} formulas the notes imply all agree" in readme and i["disagree"] == 0
    assert f"of the program's {r['agree'] + r['disagree']} readings {r['agree']} agree and {r['disagree']}" in readme
    assert f"{sum(x.formula.listed for x in results)} statements in words are listed" in readme
    table = [line for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
             if line.startswith(("| 000 |", "| 001 |", "| 002 |"))]
    assert {line.split("|")[1].strip() for line in table} == {"000", "001", "002"}


def test_the_tour_file_comparison_catches_a_changed_value_or_verdict():
    rows = json.loads(notes_check.to_json(notes_check.evaluate()))
    changed = json.loads(json.dumps(rows))
    changed[0]["engine"][0] *= 1 + 1e-6
    assert _close(rows, rows) and not _close(rows, changed)
    assert _without_rounding("agrees (7e-18)") == _without_rounding("agrees (3e-17)")
    assert _without_rounding("agrees (7e-18)") != _without_rounding("DISAGREES (7e-18)")
