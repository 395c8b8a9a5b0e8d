"""Before fit trains on a compiled program: does it compute the loss the scalar engine computes?

    C_program(x(i), y(i)) = C_scalar(x(i), y(i))      on a sample of rows i, to rounding

A program is recorded with placeholder Values for the targets, so Python code in a loss that
tests the target itself (`t == 1` compares identities: always False; `if t:` is always True)
takes the same branch for every example, and no recording can see it. Comparing per-example
losses on rows of every target value (and a few rows spread over the data) does.
"""

import numpy as np

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
    """The rows compile records the graph on: the first, the second and the last, and the first
    row of each target value, so a loss that branches on a target's .data changes structure there."""
    n = len(Y)
    return sorted({0, min(1, n - 1), n - 1, *rows_of_distinct_targets(Y, RECORDED_TARGETS)})


def rows_to_compare(Y):
    n = len(Y)
    spread = np.linspace(0, n - 1, min(SPREAD, n)).round().astype(int).tolist()
    return sorted({*rows_of_distinct_targets(Y, DISTINCT_TARGETS), *spread})


def check_program_loss(program, model, loss, X, Y, targets):
    """Raise LossMismatchError unless the program's per-example losses equal the scalar engine's
    on `rows_to_compare`. Y: the targets as the program takes them (N, k); targets: as the
    scalar path takes them (checked by the loss). A row where the scalar engine raises (a domain
    error at the initial weights) is not compared: training will meet it on either path."""
    rows, expected = [], []
    for i in rows_to_compare(Y):
        try:
            losses, _ = losses_per_example(model, loss, X[i:i + 1], [targets[i]])
        except (ArithmeticError, ValueError):
            continue
        rows.append(i)
        expected.append(losses[0])
    if not rows:
        return
    expected = np.array(expected)
    try:
        got = np.asarray(program.run(X[rows], Y[rows], check=False), dtype=float).reshape(-1)
    except (ArithmeticError, ValueError) as error:
        raise LossMismatchError(_explain(f"the compiled program fails ({error}) where the scalar "
                                         f"engine does not")) from None
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
