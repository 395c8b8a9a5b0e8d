"""fit's compiled path: the model's graph is recorded once, then every batch runs as one numpy program.

    θ ← θ - η ∇θ (1/|D(b)| Σ_i C(x(i), y(i)))      the same update as the scalar path, on arrays

The example's inputs and targets become placeholders (`autograd.compile`), the parameters
stay in one flat vector θ in the optimizer's order, so `optimizer.update(θ, ∇θ)` is the very
rule the scalar path's `optimizer.step()` applies. The Values are written at the end, and after
an epoch for a callback (a validation set runs on θ itself); θ is taken back after a callback
(`resume`), which may have changed them.
The graph is recorded on rows of every target value, and before training the program's
per-example losses are compared with the scalar engine's (nn.compiled_check). It is recorded at
the initial weights, on rows the scalar path reaches in their batch, after the updates before
it: an op failing there (an overflow, a domain error) is a reason to train on the scalar engine.

The same program's forward pass gives the validation set's losses and outputs after each
epoch (`model.predict` on many examples compiles a forward-only program: nn.inference).
"""

import math

import numpy as np

import autograd
from autograd.checks import all_finite_vector
from autograd.compiled import GraphStructureError, reworded

from .compiled_check import LossMismatchError, check_program_loss, rows_to_record
from .data import in_row
from .inference import CHUNK, chunks, naming_the_examples
from .losses import check_reads_prediction, losses_per_example
from .optim import Optimizer, carries_non_finite, frozen_positions

GATHER_PER_EPOCH_BYTES = 4 * 2**20  # about a core's share of the last-level cache
# recording failed: this model/loss cannot be compiled (ArithmeticError: an op failed on a recorded row)
WHY_NOT = (GraphStructureError, TypeError, ValueError, ArithmeticError)


class CompiledPath:
    """`ScalarPath`'s methods (see nn.train) on a compiled program."""

    name = "compiled"

    def __init__(self, model, loss, optimizer, X, targets, Y):
        """targets: the N checked targets as the scalar path takes them; Y: the same as a float
        array (N,) or (N, k), or None when they are not numbers (then nothing compiles)."""
        self.model, self.loss, self.optimizer = model, loss, optimizer
        numbers = targets if Y is None else Y
        self.one_number = np.ndim(numbers[0]) == 0  # bce, hinge: y is one number
        self.X, self.Y = X, np.asarray(numbers, dtype=float).reshape(len(numbers), -1)
        recorded = rows_to_record(self.Y)  # fit checked every row
        try:
            self.program = autograd.compile(self._build, examples=(X[recorded], self.Y[recorded]),
                                            parameters=optimizer.params, reduction="mean", check=len(recorded))
        except (ArithmeticError, ValueError) as error:
            if getattr(error, "example", None) is None:  # not an op failing on one example
                raise
            raise _in_its_row(error, recorded) from None
        check_program_loss(self.program, model, loss, X, self.Y, targets)
        self.theta, self.grad = self.program.theta, self.program.grad
        self._frozen = frozen_positions(self.program.parameters)
        self._theta_before = np.empty_like(self.theta)  # the optimizer's copy of θ during an update
        # The array form update(θ, g) is what Optimizer.step applies; a subclass that overrides
        # step() itself is called as it is, on the Values.
        self.steps_itself = type(optimizer).step is not Optimizer.step
        self.check_gradient = not carries_non_finite(optimizer)  # else update's check of θ covers ∇θ
        self._order = self._epoch_X = self._epoch_Y = None
        self._values_current = True  # the Values hold θ (and their .grad): nothing trained since

    def _build(self, xs, ys):
        """One example's loss, from placeholder Values: the scalar path's graph, recorded once."""
        out = self.model(xs)
        outputs = out if isinstance(out, list) else [out]
        y = ys[0] if self.one_number else ys
        value = self.loss.function(outputs, y, **self.loss.options)
        check_reads_prediction(self.loss, value, outputs)
        return value, outputs

    def begin_epoch(self, order):
        """Small data is gathered once per epoch, each batch then a slice (a view) of the copy.
        Past GATHER_PER_EPOCH_BYTES each batch gathers its own rows: a copy of all of X no
        longer fits in the cache, so writing it and reading it back costs more than the
        batches' own small gathers (784-30-10 on 10,000 examples: bench/fast.py)."""
        self._order = order
        self._values_current = False
        if self.X.nbytes <= GATHER_PER_EPOCH_BYTES:
            self._epoch_X, self._epoch_Y = self.X[order], self.Y[order]
        else:
            self._epoch_X = self._epoch_Y = None

    def loss_and_gradients(self, first, last, outputs):
        if self._epoch_X is not None:
            X, Y = self._epoch_X[first:last], self._epoch_Y[first:last]
        else:
            rows = self._order[first:last]
            X, Y = self.X[rows], self.Y[rows]
        self._batch = X, Y, first, last
        try:
            # fit checked the whole data set once, and runs the epoch under np.errstate(all="ignore").
            # ∇θ is checked by the update, which checks θ after the step (see update).
            loss = self.program.gradient(X, Y, check=False, check_gradient=self.check_gradient)
        except (ArithmeticError, ValueError):
            self.grad.fill(0.0)  # as the scalar path, which zeroed the grads before this batch
            raise
        if self._frozen is not None:
            self.grad[self._frozen] = 0.0  # backward gives a frozen parameter no gradient
        if outputs is not None:
            np.copyto(outputs, self.program._last.T)
        return loss

    def evaluate(self, X, targets, Y, chunk=CHUNK):
        """(every example's loss, outputs) from the program's forward pass, θ as it is now:
        the scalar path's figures to rounding. In chunks, so a big validation set needs little
        memory; targets that are not numbers (Y None) go through the scalar engine."""
        if Y is None:
            self.finish()  # the scalar engine runs on the Values
            return losses_per_example(self.model, self.loss, X, targets)
        Y = np.asarray(Y, dtype=float).reshape(len(X), -1)
        losses, outputs = np.empty(len(X)), np.empty((len(X), len(self.program.outputs)))
        for rows in chunks(len(X), chunk):
            with naming_the_examples("fit validation", rows, "X_val"):
                losses[rows] = self.program.run(X[rows], Y[rows], check=False)  # data_set checked them
            self.program.last_outputs(out=outputs[rows])
        return losses, outputs

    def parameter_arrays(self):
        """(parameters, θ, ∂C/∂θ) as the program holds them, in the same order (callers copy).
        Before the update checks ∇θ (a recording's snapshot), it is checked here."""
        if not (self.check_gradient or all_finite_vector(self.grad)):
            self._explain_gradient()
        return self.program.parameters, self.theta, self.grad

    def update(self):
        """One step, θ checked after it: with a built-in optimizer, a ∇θ that is not finite
        cannot pass (θ - η g is not finite: optim.carries_non_finite), so this one check of θ is
        also the batch's check of ∇θ. Where ∇θ is what
        failed, the scalar engine names the node (as backward would have), or gives finite
        numbers where only the program's order of summation overflowed, and the step runs on those."""
        if self.steps_itself:
            return self._step_on_values()
        try:
            self._step()
        except FloatingPointError:
            if all_finite_vector(self.grad):
                raise  # θ itself: the step overflowed, or θ was not finite before it
            self._explain_gradient()
            self._step()

    def _step(self):
        # fit's epoch loop has numpy's warnings off
        self.optimizer.checked_update(self.theta, self.grad, quiet=True, before=self._theta_before,
                                      frozen=self._frozen)

    def _explain_gradient(self):
        """The scalar engine's ∇θ of the batch into self.grad, or its error naming the node."""
        X, Y, first, last = self._batch
        try:
            self.program.explain_gradient(X, Y)
        except (ArithmeticError, ValueError) as error:
            self.grad.fill(0.0)  # as loss_and_gradients leaves it when the batch fails
            raise in_row(error, self._order[first:last]) from None
        if self._frozen is not None:
            self.grad[self._frozen] = 0.0

    def _step_on_values(self):
        """An optimizer with its own step() (a subclass) gets the Values it expects: slower, same result."""
        for p, value, g in zip(self.program.parameters, self.theta.tolist(), self.grad.tolist()):
            p.data, p.grad = value, g
        self.optimizer.step()
        self.program.read_parameters()

    def finish(self):
        """Every parameter Value takes its trained value, and the last batch's gradient as .grad
        (as the scalar path leaves them, also after an update was refused). Not again before
        the next epoch: a callback since may have changed the Values, and they are the model."""
        if self._values_current:
            return
        self.program.write_parameters()
        for p, g in zip(self.program.parameters, self.grad.tolist()):
            p.grad = g
        self._values_current = True

    def resume(self, theta):
        """θ ← theta, the parameter Values' data as fit read them after a callback, and which of
        them are frozen: it may have loaded the best weights, clipped them or frozen a layer,
        which the scalar path sees at once. The optimizer's state is its own (not in θ), so it
        carries on as on that path."""
        self.theta[:] = theta
        self._frozen = frozen_positions(self.program.parameters)

    def replaced_parameters(self):
        """Whether the model's parameters are no longer the Values the program was compiled
        with (a callback put a new Value in): the program would go on computing with the old."""
        return not set(map(id, self.model.parameters())) <= set(map(id, self.program.parameters))


def _in_its_row(error, rows):
    """An op's error recording the graph on compile's example `error.example`, the row rows[it]
    of X, naming that row as the scalar path does; `.row` keeps it."""
    failure = in_row(error, rows)
    failure.row = int(rows[error.example])
    return failure


def compiled_path(model, loss, optimizer, X, targets, Y, required):
    """A CompiledPath, or None (with the reason) when this model and loss cannot be compiled, or
    when the compiled loss differs from the scalar engine's (see nn.compiled_check), or when an
    op fails on a row the graph is recorded on (at the initial weights, where the scalar path
    meets that row later, or at the same step with the same error).

    required=True turns the reason into an error that says how to train anyway.
    """
    try:
        return CompiledPath(model, loss, optimizer, X, targets, Y), None
    except WHY_NOT as error:
        if required:
            raise reworded(error, f"fit(compiled=True): cannot compile this model and loss: {error}"
                                  f"{_advice(error, optimizer.params)}") from None
        return None, _short(error)


def _advice(error, params):
    """How to train anyway, after the error compiled=True raises."""
    bad = next((k for k, p in enumerate(params) if not _finite_number(p.data)), None)
    if bad is not None:  # a .data set by hand: no path trains on it
        where = ", where compile records the graph at the initial weights" if getattr(error, "row", None) is not None else ""
        return f"{where}; the scalar engine (compiled=False) fails on parameter {params[bad].label or bad!r} too"
    if getattr(error, "row", None) is None:
        return "" if "compiled=False" in str(error) else " (train with compiled=False to use the scalar engine)"
    where = ", where compile records the graph at the initial weights"
    return (f"{where}. The scalar engine (compiled=False) reaches row {error.row} in its batch, with the "
            f"weights the batches before it have moved, so it may train: fit with compiled=False, or "
            f"compiled=None (the default), which falls back to it")


def _finite_number(x):
    """Whether x is a number the engine takes (autograd.as_number's one rule, not a second one)."""
    try:
        autograd.as_number(x)
    except (TypeError, ValueError):
        return False
    return True


def _short(error):
    """The reason in a few words, for the progress bar."""
    if isinstance(error, LossMismatchError):
        return error.short
    if getattr(error, "row", None) is not None:
        return f"{type(error).__name__} in row {error.row} of X at the initial weights"
    if isinstance(error, GraphStructureError):
        return f"the graph's structure depends on the {error.depends_on}"
    text = str(error).split(";")[0]
    return f"{type(error).__name__}: {text[:70]}{'...' if len(text) > 70 else ''}"
