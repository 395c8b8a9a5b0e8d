"""The notes check: its JSON rows, that every verdict is true when recomputed, that every
correction agrees, that the notes' known errors are found, and that a wrong formula fails."""

import json
import math

import numpy as np
import pytest

import autograd
from demos import notes_check
from demos.notes_examples import NOTE_000, NOTE_001, NOTE_002
from demos.notes_formulas import FORMULAS, Formula, Undefined


@pytest.fixture(scope="module")
def rows():
    results = notes_check.evaluate()
    return json.loads(json.dumps([notes_check.as_dict(r) for r in results]))


def recomputed_agreement(hand, engine, atol, rtol):
    hand, engine = np.asarray(hand, dtype=float), np.asarray(engine, dtype=float)
    hand = np.broadcast_to(hand, engine.shape)
    return bool(np.all(np.abs(hand - engine) <= atol + rtol * np.abs(engine)))


def test_json_command_prints_a_list_of_rows_with_the_required_keys(capsys):
    notes_check.main(["--json"])
    printed = json.loads(capsys.readouterr().out)
    assert isinstance(printed, list) and len(printed) == len(FORMULAS)
    for row in printed:
        assert {"note", "where", "formula", "hand", "engine", "agrees"} <= set(row)
        assert row["note"] in (NOTE_000, NOTE_001, NOTE_002)
        assert isinstance(row["agrees"], bool)
        assert isinstance(row["formula"], str) and row["formula"]
        if "corrected" in row:
            assert {"formula", "hand", "agrees"} <= set(row["corrected"])


def test_every_agreeing_row_really_agrees(rows):
    for row in rows:
        if row["agrees"]:
            assert recomputed_agreement(row["hand"], row["engine"], row["atol"], row["rtol"]), row["where"]


def test_every_disagreeing_row_really_disagrees(rows):
    for row in rows:
        if not row["agrees"] and row["hand"] is not None:
            assert not recomputed_agreement(row["hand"], row["engine"], row["atol"], row["rtol"]), row["where"]


def test_every_disagreeing_row_has_a_correction_that_agrees(rows):
    wrong = [row for row in rows if not row["agrees"]]
    assert wrong
    for row in wrong:
        corrected = row["corrected"]
        assert corrected["agrees"] is True, row["where"]
        assert recomputed_agreement(corrected["hand"], row["engine"], row["atol"], row["rtol"]), row["where"]


def test_the_required_places_of_each_note_are_covered(rows):
    places = {(row["note"], row["where"]) for row in rows}

    def covered(note, word):
        return any(n == note and word in where for n, where in places)

    for step in ("step 1", "step 2", "step 3", "step 4", "training 3.1", "training 3.4", "mini-batch GD",
                 "stochastic GD", "batch GD", "MSE", "BCE", "cross entropy + softmax"):
        assert covered(NOTE_000, step), step
    for place in ("δ^(L), error output layer", "δ^(L-1)", "δ^(l), l-th error", "∂C/∂w^(l)", "∂C/∂b^(l)",
                  "multivariate, δ^(L)", "multivariate, δ^(l)", "multivariate, ∂C/∂b", "multivariate, ∂C/∂w"):
        assert covered(NOTE_001, place), place
    for label in ("PD1", "PD2", "PD3", "BP1", "BP2", "BP3", "BP4", "BP1'", "BP2'"):
        assert covered(NOTE_002, label), label


def verdict(rows, note, where, formula_start=""):
    matching = [r for r in rows if r["note"] == note and r["where"] == where and r["formula"].startswith(formula_start)]
    assert matching, (note, where)
    return [r["agrees"] for r in matching]


def test_the_errors_in_the_notes_are_found(rows):
    assert verdict(rows, NOTE_000, "step 1") == [False]                      # sign of ∂C/∂ŷ
    assert verdict(rows, NOTE_000, "step 3", "∂z_k") == [False]               # σ' in ∂z/∂θ
    assert verdict(rows, NOTE_001, "δ^(L-1), error hidden layer") == [False]  # σ'(z^(L)) for σ'(z^(L-1))
    assert verdict(rows, NOTE_001, "δ^(l), l-th error hidden layer") == [True]
    assert verdict(rows, NOTE_002, "PD1") == [False]
    assert verdict(rows, NOTE_002, "BP1' (and the summary)") == [False]
    assert verdict(rows, NOTE_002, "BP2' (and the summary)") == [False]
    for label in ("PD2", "PD3", "BP1", "BP2", "BP3", "BP4"):
        assert verdict(rows, NOTE_002, label) == [True], label


def test_ambiguous_formulas_say_how_they_were_read(rows):
    step4 = [r for r in rows if r["note"] == NOTE_000 and r["where"] == "step 4" and "∂θ" in r["formula"]]
    assert len(step4) == 2 and all(r.get("reading") for r in step4)
    assert sorted(r["agrees"] for r in step4) == [False, True]  # literally 0; as intended right when N_4 = 1


def test_a_wrong_formula_is_reported_as_disagreeing():
    wrong = Formula(NOTE_000, "test", "∂C/∂ŷ = 2 (ŷ - y)", "figure5",
                    hand=lambda f: 2 * (f.yhat - f.y[0]), engine=lambda f: f.dC_da[4][0])
    right = Formula(NOTE_000, "test", "∂C/∂ŷ = ŷ - y", "figure5",
                    hand=lambda f: f.yhat - f.y[0], engine=lambda f: f.dC_da[4][0])
    results = notes_check.evaluate([wrong, right])
    assert [r.agrees for r in results] == [False, True]


def test_a_formula_undefined_as_written_disagrees_and_says_why():
    def mismatched(f):
        raise Undefined("W^(l+1) is 3×2, δ has 4 entries")

    formula = Formula(NOTE_002, "test", "δ = W δ", "figure5", hand=mismatched, engine=lambda f: f.dC_dz[3])
    [result] = notes_check.evaluate([formula])
    assert not result.agrees and "3×2" in result.undefined
    assert notes_check.as_dict(result)["hand"] is None


def test_the_table_names_the_notes_and_the_verdicts(capsys):
    notes_check.main([])
    text = capsys.readouterr().out
    for note in (NOTE_000, NOTE_001, NOTE_002):
        assert note in text
    assert "DISAGREES" in text and "agrees" in text and "corrected:" in text and "read as:" in text
    assert "formulas checked" in text


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
