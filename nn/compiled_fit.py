"""fit's compiled path: the model's graph is recorded once, then every batch runs as one numpy program.

    θ ← θ - η ∇θ (1/|D(b)| Σ_i C(x(i), y(i)))      the same update as the scalar path, on arrays

The example's inputs and targets become placeholders (`autograd.compile`), the parameters
stay in one flat vector θ in the optimizer's order, so `optimizer.update(θ, ∇θ)` is the very
rule the scalar path's `optimizer.step()` applies. The Values are written once, at the end.
The graph is recorded on rows of every target value, and before training the program's
per-example losses are compared with the scalar engine's (nn.compiled_check).

The same program's forward pass gives the validation set's losses and outputs after each
epoch, and `compiled_outputs` serves `model.predict` on many examples (a forward-only program).
"""

from contextlib import contextmanager

import numpy as np

import autograd
from autograd.compiled import GraphStructureError

from .compiled_check import LossMismatchError, check_program_loss, rows_to_record
from .data import in_row
from .losses import losses_per_example
from .optim import Optimizer

WHY_NOT = (GraphStructureError, TypeError, ValueError)  # recording failed: this model/loss cannot be compiled
CHUNK = 1024  # examples per forward pass outside training: a (nodes x chunk) buffer stays small


class CompiledPath:
    """The same four methods as `ScalarPath` (see nn.train), on a compiled program, and `epoch`."""

    name = "compiled"

    def __init__(self, model, loss, optimizer, X, targets, Y):
        """targets: the N checked targets as the scalar path takes them; Y: the same as a float
        array (N,) or (N, k), or None when they are not numbers (then nothing compiles)."""
        self.model, self.loss, self.optimizer = model, loss, optimizer
        numbers = targets if Y is None else Y
        self.one_number = np.ndim(numbers[0]) == 0  # bce, hinge: y is one number
        self.X, self.Y = X, np.asarray(numbers, dtype=float).reshape(len(numbers), -1)
        recorded = rows_to_record(self.Y)  # fit checked every row
        self.program = autograd.compile(self._build, examples=(X[recorded], self.Y[recorded]),
                                        parameters=optimizer.params, reduction="mean", check=len(recorded))
        check_program_loss(self.program, model, loss, X, self.Y, targets)
        self.theta, self.grad = self.program.theta, self.program.grad
        self._outputs = np.empty((len(X), len(self.program.outputs)))
        # The array form update(θ, g) is what Optimizer.step applies; a subclass that overrides
        # step() itself is called as it is, on the Values.
        self.steps_itself = type(optimizer).step is not Optimizer.step
        self._truth = None

    def _build(self, xs, ys):
        """One example's loss, from placeholder Values: the scalar path's graph, recorded once."""
        out = self.model(xs)
        outputs = out if isinstance(out, list) else [out]
        y = ys[0] if self.one_number else ys
        return self.loss.function(outputs, y, **self.loss.options), outputs

    def epoch(self, order, batch_size, rule, before_update=None):
        """One epoch over the batches of `order`, all on arrays: (Σ batch loss · |batch|, updates,
        correct predictions). The outputs are kept before each update, as on the scalar path, and
        the accuracy is counted once at the end. The Values get θ after the epoch, so callbacks,
        validation and viz see the trained weights. before_update(path, seen, batch_loss), when
        given, is called with each batch's gradient ready (fit's record=)."""
        program, X, Y = self.program, self.X, self.Y
        total_loss, updates = 0.0, 0
        for first in range(0, len(order), batch_size):
            batch = order[first:first + batch_size]
            try:
                batch_loss = program.gradient(X[batch], Y[batch], check=False)
            except (ArithmeticError, ValueError) as error:
                self.grad.fill(0.0)  # as the scalar path, which zeroed the grads before this batch
                raise in_row(error, batch) from None
            total_loss += batch_loss * len(batch)
            if rule is not None:
                program.last_outputs(out=self._outputs[first:first + len(batch)])
            if before_update is not None:
                before_update(self, seen=first, batch_loss=batch_loss)
            self.update()
            updates += 1
        correct = 0
        if rule is not None:
            if self._truth is None:
                self._truth = np.asarray(rule.truth(self.Y))
            correct = int(np.sum(np.asarray(rule.decide(self._outputs)) == self._truth[order]))
        program.write_parameters()
        return total_loss, updates, correct

    def loss_and_gradients(self, X, targets):
        Y = np.array(targets, dtype=float).reshape(len(X), -1)
        loss = self.program.gradient(X, Y, check=False)  # fit checked the whole data set once
        return loss, self.program.last_outputs()

    def evaluate(self, X, targets, Y, chunk=CHUNK):
        """(every example's loss, outputs) from the program's forward pass, θ as it is now:
        the scalar path's figures to rounding. In chunks, so a big validation set needs little
        memory; targets that are not numbers (Y None) go through the scalar engine."""
        if Y is None:
            return losses_per_example(self.model, self.loss, X, targets)
        Y = np.asarray(Y, dtype=float).reshape(len(X), -1)
        losses, outputs = np.empty(len(X)), np.empty((len(X), len(self.program.outputs)))
        for rows in _chunks(len(X), chunk):
            with _naming_the_examples("fit validation", rows, "X_val"):
                losses[rows] = self.program.run(X[rows], Y[rows], check=False)  # data_set checked them
            self.program.last_outputs(out=outputs[rows])
        return losses, outputs

    def parameter_arrays(self):
        """(parameters, θ, ∂C/∂θ) as the program holds them, in the same order (callers copy)."""
        return self.program.parameters, self.theta, self.grad

    def update(self):
        if self.steps_itself:
            return self._step_on_values()
        self.optimizer.checked_update(self.theta, self.grad)

    def _step_on_values(self):
        """An optimizer with its own step() (a subclass) gets the Values it expects: slower, same result."""
        for p, value, g in zip(self.program.parameters, self.theta.tolist(), self.grad.tolist()):
            p.data, p.grad = value, g
        self.optimizer.step()
        self.program.read_parameters()

    def finish(self):
        """Every parameter Value takes its trained value, and the last batch's gradient as .grad
        (as the scalar path leaves them, also after an update was refused)."""
        self.program.write_parameters()
        for p, g in zip(self.program.parameters, self.grad.tolist()):
            p.grad = g


def compiled_path(model, loss, optimizer, X, targets, Y, required):
    """A CompiledPath, or None (with the reason) when this model and loss cannot be compiled, or
    when the compiled loss differs from the scalar engine's (see nn.compiled_check).

    required=True turns the reason into an error that says how to train anyway.
    """
    try:
        return CompiledPath(model, loss, optimizer, X, targets, Y), None
    except WHY_NOT as error:
        if required:
            raise type(error)(f"fit(compiled=True): cannot compile this model and loss: {error} "
                              f"(train with compiled=False to use the scalar engine)") from None
        return None, _short(error)


def _short(error):
    """The reason in a few words, for the progress bar."""
    if isinstance(error, LossMismatchError):
        return error.short
    if isinstance(error, GraphStructureError):
        return "the graph's structure depends on the data"
    text = str(error).split(";")[0]
    return f"{type(error).__name__}: {text[:70]}{'...' if len(text) > 70 else ''}"


# --- outside training: a whole data set through the compiled forward pass -------------------

def compiled_outputs(model, X, required=False):
    """The model's outputs (N, nout) for every row of X from a compiled forward program (the
    scalar engine's numbers to float rounding), or None when the model cannot be compiled.

    required=True turns the reason into an error that says how to predict anyway.
    """
    def forward(xs):
        out = model(xs)
        outputs = out if isinstance(out, list) else [out]
        if not all(o.parents for o in outputs):  # the network's outputs are always made by ops
            raise TypeError("inside autograd.no_grad() no graph is recorded")
        return outputs

    try:
        program = autograd.compile(forward, examples=X, parameters=model.parameters())
    except WHY_NOT as error:
        if required:
            raise type(error)(f"predict(compiled=True): cannot compile this model: {error} "
                              f"(use compiled=False for the scalar engine)") from None
        return None
    outputs = np.empty((len(X), model.nout))
    for rows in _chunks(len(X), CHUNK):
        with _naming_the_examples("predict", rows):
            outputs[rows] = program.run(X[rows], check=False).reshape(-1, model.nout)  # X was checked
    return outputs


def _chunks(n, size):
    return [slice(first, min(first + size, n)) for first in range(0, n, size)]


@contextmanager
def _naming_the_examples(what, rows, name="X"):
    """A domain error inside a chunk names the example within the chunk: name its row of X."""
    try:
        yield
    except (ArithmeticError, ValueError) as error:
        if getattr(error, "example", None) is not None:
            raise type(error)(f"{what}: {error.reason} (in row {rows.start + error.example} of {name})") from None
        raise type(error)(f"{what}, the batch of examples {rows.start} to {rows.stop - 1}: {error}") from None
