"""Before fit trains on a compiled program: does it compute the loss the scalar engine computes?

    C_program(x(i), y(i)) = C_scalar(x(i), y(i))      on a sample of rows i, to rounding

A program is recorded with placeholder Values for the targets, so Python code in a loss that
tests the target itself (`t == 1` compares identities: always False; `if t:` is always True)
takes the same branch for every example, and no recording can see it. Comparing per-example
losses on rows of every target value (and a few rows spread over the data) does.
"""

import numpy as np

import autograd
from autograd.compiled import GraphStructureError

from .losses import losses_per_example

DISTINCT_TARGETS = 32   # rows of different target values to compare on, at most
SPREAD = 5              # and rows spread evenly over the data set
RECORDED_TARGETS = 2    # rows of different target values to record the graph on, at most


class LossMismatchError(GraphStructureError):
    """The compiled program's loss differs from the scalar engine's: train on the scalar engine.

    `short` says it in a few words, for fit's progress bar."""

    def __init__(self, message, short="its loss differs from the scalar engine's"):
        super().__init__(message)
        self.short = short


def rows_of_distinct_targets(Y, limit):
    """The first row of each distinct target (row of Y), in order, at most `limit` of them.

    One pass with a dict of each row's bytes: np.unique(axis=0) would sort all N rows."""
    first = {}
    for i, row in enumerate(Y.reshape(len(Y), -1)):
        first.setdefault(row.tobytes(), i)
        if len(first) == limit:
            break
    return list(first.values())


def rows_to_record(Y):
    """The rows compile records the graph on: the first and the last, and the first row of two
    target values, so a loss that branches on a target's .data changes structure there. (Each
    recording is a scalar forward pass; `check_program_loss` covers every target value.)"""
    n = len(Y)
    return sorted({0, n - 1, *rows_of_distinct_targets(Y, RECORDED_TARGETS)})


def rows_to_compare(Y):
    n = len(Y)
    spread = np.linspace(0, n - 1, min(SPREAD, n)).round().astype(int).tolist()
    return sorted({*rows_of_distinct_targets(Y, DISTINCT_TARGETS), *spread})


def check_program_loss(program, model, loss, X, Y, targets):
    """Raise LossMismatchError unless the program's per-example losses equal the scalar engine's
    on `rows_to_compare`. Y: the targets as the program takes them (N, k); targets: as the
    scalar path takes them (checked by the loss).

    The outputs do not depend on the targets, and compile has checked the program's outputs
    against the scalar engine's, so the scalar engine only runs the loss, on the program's
    outputs: a few ops a row, where running the model too would cost a forward pass. Where
    the program fails (a domain error at the initial weights), every row runs the whole
    scalar engine, and a row where that fails too is not compared: training meets it on
    either path."""
    rows = rows_to_compare(Y)
    try:
        got = program.run(X[rows], Y[rows], check=False).reshape(-1)
    except (ArithmeticError, ValueError):
        return _compare_with_model(program, model, loss, X, Y, targets, rows)
    outputs = program.last_outputs()
    expected = []
    with autograd.no_grad():
        for k, i in enumerate(rows):
            try:
                out = [autograd.Value(o) for o in outputs[k].tolist()]
                expected.append(loss.function(out, targets[i], **loss.options).data)
            except (ArithmeticError, ValueError):
                expected.append(got[k])  # the scalar loss fails here: training meets it on either path
    _compare(got, np.array(expected), rows, targets)


def _compare_with_model(program, model, loss, X, Y, targets, rows):
    kept, expected = [], []
    for i in rows:
        try:
            losses, _ = losses_per_example(model, loss, X[i:i + 1], [targets[i]])
        except (ArithmeticError, ValueError):
            continue
        kept.append(i)
        expected.append(losses[0])
    if not kept:
        return
    try:
        got = np.asarray(program.run(X[kept], Y[kept], check=False), dtype=float).reshape(-1)
    except (ArithmeticError, ValueError) as error:
        raise LossMismatchError(_explain(f"the compiled program fails ({error}) where the scalar "
                                         f"engine does not")) from None
    _compare(got, np.array(expected), kept, targets)


def _compare(got, expected, rows, targets):
    scale = max(1.0, float(np.max(np.abs(expected))))
    wrong = np.flatnonzero(~(np.abs(got - expected) <= 1e-7 * np.abs(expected) + 1e-9 * scale))
    if len(wrong):
        k = int(wrong[0])
        row = rows[k]
        raise LossMismatchError(_explain(
            f"at row {row} of X (target {_show(targets[row])}) the compiled loss is {got[k]:.6g} but "
            f"the scalar engine gives {expected[k]:.6g}"), short=f"its loss differs from the scalar "
                                                                 f"engine's at row {row} of X")


def _explain(what):
    return (f"{what}. The loss was recorded with placeholder Values for the targets, so Python code "
            f"that tests the target itself (`t == 1` is always False, `if t:` always True) took one "
            f"branch for every example (or write such a branch as arithmetic: t * a + (1 - t) * b)")


def _show(target):
    text = repr(target)
    return text if len(text) <= 40 else text[:37] + "..."
