"""Every counted agreement of the notes check can fail, and no hand side leans on the engine.

The engine is deliberately broken inside this test process, one way at a time:
- its gradients scaled by (1 + 1e-3), plus 1e-9 so that a zero gradient moves too
  (autograd.grad, the chain-rule walker, Value.backward);
- its forward values scaled by (1 + 1e-2) on every read of a Value's data;
- nn's structure: each weight matrix reported with one column more and one layer more, one
  parameter more, and one update more per epoch.
Under each, every counted agreement whose engine side reads what was broken becomes a
disagreement, and every hand side stays bit for bit what it was.
"""

import dataclasses
import sys

import numpy as np
import pytest

import autograd
import nn
from autograd import Value
from demos import notes_check

GRADIENT_SCALE = 1 + 1e-3
GRADIENT_SHIFT = 1e-9      # above every gradient row's atol (1e-10): a zero gradient is broken too
DATA_SCALE = 1 + 1e-2


def _broken(result, factor):
    if isinstance(result, dict):
        return {k: v * factor + GRADIENT_SHIFT for k, v in result.items()}
    if isinstance(result, (list, tuple)):
        return type(result)(v * factor + GRADIENT_SHIFT for v in result)
    return result * factor + GRADIENT_SHIFT


def _rebind_everywhere(monkeypatch, original, replacement):
    """Replace `original` in every loaded module of the project that holds it by name."""
    for name, module in list(sys.modules.items()):
        if module is None or not name.split(".")[0] in ("autograd", "nn", "demos"):
            continue
        for attribute, value in list(vars(module).items()):
            if value is original:
                monkeypatch.setattr(module, attribute, replacement)


def scale_gradients(monkeypatch, factor=GRADIENT_SCALE):
    walkers = {id(f): f for f in (autograd.grad, getattr(autograd, "gradients", None),
                                  getattr(getattr(autograd, "engine", None), "gradients", None)) if callable(f)}
    for original in walkers.values():
        def scaled(*args, _original=original, **kwargs):
            return _broken(_original(*args, **kwargs), factor)
        _rebind_everywhere(monkeypatch, original, scaled)
    backward = Value.backward

    def scaled_backward(self, *args, **kwargs):
        nodes = list(autograd.topological_order(self))
        before = {id(v): v.grad for v in nodes}
        backward(self, *args, **kwargs)
        for v in nodes:
            v.grad = before[id(v)] + (v.grad - before[id(v)]) * factor + GRADIENT_SHIFT
    monkeypatch.setattr(Value, "backward", scaled_backward)


def scale_data(monkeypatch, factor=DATA_SCALE):
    slot = Value.__dict__.get("data")
    if slot is not None and hasattr(slot, "__get__") and hasattr(slot, "__set__"):
        def get(self):
            return slot.__get__(self, Value) * factor

        def put(self, v):
            slot.__set__(self, v)
    else:
        def get(self):
            return self.__dict__["data"] * factor

        def put(self, v):
            self.__dict__["data"] = v
    monkeypatch.setattr(Value, "data", property(get, put))


def break_structure(monkeypatch):
    weights, parameters, fit = nn.MLP.weights, nn.MLP.parameters, nn.fit

    def wider(self):
        pairs = [(np.column_stack([W, np.zeros(len(W))]), b) for W, b in weights(self)]
        return pairs + [pairs[-1]]

    def one_more(self):
        return list(parameters(self)) + [Value(0.0)]

    def one_more_update(*args, **kwargs):
        history = fit(*args, **kwargs)
        history.updates = [u + 1 for u in history.updates]
        return history
    monkeypatch.setattr(nn.MLP, "weights", wider)
    monkeypatch.setattr(nn.MLP, "parameters", one_more)
    monkeypatch.setattr(nn, "fit", one_more_update)


@pytest.fixture(scope="module")
def honest():
    return notes_check.evaluate()


BREAKS = {"gradients": (scale_gradients, {"gradient"}), "data": (scale_data, {"value"}),
          "structure": (break_structure, {"shape", "count"})}


@pytest.mark.parametrize("name", list(BREAKS))
def test_every_counted_agreement_fails_when_the_engine_is_broken(name, honest, monkeypatch):
    breaks, judges = BREAKS[name]
    agreements = [i for i, r in enumerate(honest) if r.counted and r.agrees and r.formula.judge in judges]
    assert agreements
    breaks(monkeypatch)
    try:
        broken = notes_check.evaluate()
    except (ArithmeticError, ValueError) as error:  # a broken engine may also refuse outright
        pytest.fail(f"the notes check could not run on the broken engine ({name}): {error}")
    still = [honest[i].formula.where for i in agreements if broken[i].agrees]
    assert not still, f"these agreements survive broken {name}: {still}"


@pytest.mark.parametrize("name", list(BREAKS))
def test_the_hand_sides_do_not_change_when_the_engine_is_broken(name, honest, monkeypatch):
    BREAKS[name][0](monkeypatch)
    broken = notes_check.evaluate()
    for before, after in zip(honest, broken):
        for a, b in ((before.hand, after.hand), (before.corrected_hand, after.corrected_hand)):
            assert (a is None) == (b is None), before.formula.where
            if a is not None:
                assert np.array_equal(np.asarray(a, dtype=float), np.asarray(b, dtype=float)), before.formula.where


def test_every_counted_agreement_is_judged_by_one_of_the_breaks(honest):
    judged = set().union(*(judges for _, judges in BREAKS.values()))
    assert {r.formula.judge for r in honest if r.counted} <= judged


# the verdict rows the review of the three notes added or changed: (note, line, text of the formula)
REVIEWED = [("000", 246, "Θ^(L)ᵀ a^(L)"), ("000", 373, "θ_(:,1)^(3)"), ("002", 69, "infinitely large"),
            ("002", 198, "100/25 = 4"), ("002", 226, "global minimum")]


def _perturbed(claim, agrees):
    """The claim with a hand side that should flip its verdict: an agreeing hand moved by 1e-3,
    a disagreeing one replaced by its correction."""
    if agrees:
        return dataclasses.replace(claim, hand=lambda n: np.asarray(claim.hand(n), dtype=float) * (1 + 1e-3) + 1e-3)
    return dataclasses.replace(claim, hand=claim.corrected_hand)


@pytest.mark.parametrize("note, line, text", REVIEWED)
def test_each_reviewed_row_flips_when_its_hand_side_is_perturbed(note, line, text, honest):
    [result] = [r for r in honest if r.formula.note.startswith(note) and r.formula.line == line
                and text in r.formula.formula]
    assert result.counted
    [flipped] = notes_check.evaluate([_perturbed(result.formula, result.agrees)])
    assert flipped.agrees is (not result.agrees), (note, line)
