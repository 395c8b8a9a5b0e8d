"""Training: the notes' three kinds of gradient descent, one loop.

    batch        batch_size=None  the whole set is one batch: one update per epoch
    mini-batch   batch_size=B     ⌈N/B⌉ updates per epoch; the last, partial batch is used
    stochastic   batch_size=1     N updates per epoch

For each batch D(b), the parameters move along the gradient averaged over the batch:

    θ ← θ - η/|D(b)| Σ_i ∂C(x(i), y(i))/∂θ

that is, the gradient of the batch's mean loss. An epoch is one pass over all batches,
reshuffled each epoch when shuffle=True.

The per-batch work (forward, loss, backward, update) sits behind one small interface,
`ScalarPath`, so another implementation (the compiled path, nn.compiled_fit) can replace it
while the one epoch loop, batching, shuffling, history and progress bar stay shared.
"""

import importlib.util
import numbers
import time
import warnings
from dataclasses import dataclass, field
from functools import partial

import numpy as np
from tqdm.std import tqdm as text_bar  # imported with nn, not in a fit's first call

import autograd
from autograd.checks import all_finite_vector, as_count, as_flag, as_number, as_optional_flag

from .compiled_fit import compiled_path
from .classify import classification_rule
from .data import at_example, in_row, torch_class, torch_name
from .init import generator

from .losses import as_loss, batch_without_graph, ignores_prediction, is_builtin, losses_per_example, reads_prediction
from . import optim as optimizers
from .optim import SGD, Optimizer, _hyper, all_frozen
from .record import recorder_for
from .targets import data_set


class StepActivationWarning(UserWarning):
    """The model has a step activation: its gradient is 0 everywhere, so it cannot learn by descent."""


@dataclass
class History:
    """Per-epoch figures of a fit: loss, accuracy (None where it does not apply), validation, time.

    loss[e] is the mean per-example loss over epoch e as it ran (each batch measured before its
    update); val_loss[e] and val_accuracy[e] are measured after the epoch.
    """

    loss: list = field(default_factory=list)
    accuracy: list = field(default_factory=list)
    val_loss: list = field(default_factory=list)
    val_accuracy: list = field(default_factory=list)
    seconds: list = field(default_factory=list)
    updates: list = field(default_factory=list)
    recording: object = None  # an nn.record.Recording when fit(record=...) asked for snapshots

    @property
    def epochs(self):
        return len(self.loss)

    @property
    def total_seconds(self):
        return sum(self.seconds)

    def __repr__(self):
        if not self.loss:
            return "History(no epochs)"
        last = [f"loss {self.loss[-1]:.6g}"]
        if self.accuracy[-1] is not None:
            last.append(f"accuracy {self.accuracy[-1]:.4g}")
        if self.val_loss:
            last.append(f"val_loss {self.val_loss[-1]:.6g}")
        if self.val_accuracy and self.val_accuracy[-1] is not None:
            last.append(f"val_accuracy {self.val_accuracy[-1]:.4g}")
        return (f"History({self.epochs} epochs, {sum(self.updates)} updates, "
                f"{self.total_seconds:.3g} s; last: {', '.join(last)})")


# --- the seam: one batch on the scalar engine -------------------------------------------

class ScalarPath:
    """fit's per-batch work on the scalar engine (one graph per batch, Values as parameters).

    One epoch loop (`_run_epoch`) drives every path; a replacement (nn.compiled_fit) provides
    the same methods:

    begin_epoch(order)
        the epoch's order of the training examples (a permutation of the rows of X); the
        batches are order[first:last]. A path may gather its data once here.
    loss_and_gradients(first, last, outputs) -> loss
        the mean per-example loss of the batch order[first:last], a float, keeping
        ∂(mean loss)/∂θ ready for `update`; fills `outputs` (an array (last - first, nout),
        or None when nothing needs them) with the model's outputs before the update. An
        error in one example carries its place in the batch as `error.example` (and its
        words as `error.reason`), so that fit can name the row of X (nn.data.in_row)
    parameter_arrays() -> (parameters, θ, ∂C/∂θ)
                 the optimizer's parameter Values and, in the same order, their values and
                 the batch's gradient as flat arrays (callers copy them)
    update()     applies ONE optimizer update with those gradients
    finish()     writes anything held elsewhere back into the model's Values (nothing, here):
                 each parameter's data, and as .grad the last batch's gradient (as backward
                 leaves it here); called after training, and also after each epoch when a
                 callback looks at the model, so it must be safe to call repeatedly
    resume(θ)    takes the model's Values back (nothing to do here) after a callback, which may
                 have changed them: loaded the best weights, clipped them, frozen a layer
                 (requires_grad); the next epoch trains from the model as the callback left it.
                 θ: the parameters' data as fit has just read and checked them, a float array
                 in the optimizer's order (fit reads the Values once, for both)
    replaced_parameters() -> bool
                 whether a callback put new Values in the model that this path cannot see (fit
                 then goes on on this scalar path, which reads the model afresh for every example)
    evaluate(X, targets, Y) -> (losses, outputs)
                 every example's loss C(ŷ(i), y(i)) and outputs ŷ(i) with the parameters as
                 trained so far, for the validation set (Y: the targets as a float array, or
                 None when they are not numbers); fit does not call finish() first, so a path
                 that reads the Values there writes them itself
    """

    def __init__(self, model, loss, optimizer, X, targets):
        self.model, self.loss, self.optimizer = model, loss, optimizer
        self.X, self.targets, self.order = X, targets, None
        self._reads_prediction = False  # checked on the first batch fit trains on

    def begin_epoch(self, order):
        self.order = order

    def loss_and_gradients(self, first, last, outputs):
        self.optimizer.zero_grad()
        batch = self.order[first:last]
        per_example = []
        for example, (x, target) in enumerate(zip(self.X[batch].tolist(), [self.targets[i] for i in batch])):
            try:
                out = self.model(x)
                out = out if isinstance(out, list) else [out]
                per_example.append(self.loss.function(out, target, **self.loss.options))
            except (ArithmeticError, ValueError) as error:
                raise at_example(error, example) from None
            if not self._reads_prediction:
                self._reads_prediction = reads_prediction(self.loss, per_example[-1], out)
            if outputs is not None:
                outputs[example] = [o.data for o in out]
        if not self._reads_prediction:  # no example of the first batch read it
            raise ignores_prediction(self.loss, per_example[0])
        batch_loss = per_example[0]
        if len(per_example) > 1:
            batch_loss = autograd.sum(per_example) * (1.0 / len(per_example))  # C = 1/|D(b)| Σ_i C_i
        if not batch_loss.requires_grad:
            raise batch_without_graph(self.loss)
        try:
            batch_loss.backward()
        except (ArithmeticError, ValueError) as error:
            example = _failing_example(per_example)
            raise (error if example is None else at_example(error, example)) from None
        return batch_loss.data

    def parameter_arrays(self):
        """(parameters, θ, ∂C/∂θ): the Values the optimizer updates, with their data and grads as arrays."""
        params = self.optimizer.params
        return params, np.array([p.data for p in params]), np.array([p.grad for p in params])

    def update(self):
        self.optimizer.step()

    def finish(self):
        pass

    def resume(self, theta):
        pass

    def replaced_parameters(self):
        return False  # the model is read afresh for every example

    def evaluate(self, X, targets, Y=None):
        """(per-example losses (N,), outputs (N, nout)) with the model as it is; no graph is kept."""
        return losses_per_example(self.model, self.loss, X, targets)


def _failing_example(per_example):
    """Which example's loss cannot be differentiated (the batch's backward failed), or None."""
    for example, loss in enumerate(per_example):
        try:
            autograd.engine.gradients(loss)
        except (ArithmeticError, ValueError):
            return example
    return None


def training_path(model, loss, optimizer, compiled, X, targets, Y):
    """The per-batch implementation fit uses, and a note for the progress bar.

    compiled=None: the compiled path (nn.compiled_fit) for a built-in loss where the model and
    loss compile and the program's losses equal the scalar engine's, else the scalar engine;
    True: the compiled path or an error saying why not; False: scalar.
    X (N, nin), targets (N, checked by the loss) and Y (them as floats, or None) are the whole
    training set.
    """
    compiled = as_optional_flag(compiled, "fit compiled")
    if compiled is False:
        return ScalarPath(model, loss, optimizer, X, targets), "scalar"
    if compiled is None and not is_builtin(loss):
        return ScalarPath(model, loss, optimizer, X, targets), "scalar: custom loss, compiled=True to compile it"
    path, why_not = compiled_path(model, loss, optimizer, X, targets, Y, required=compiled is True)
    if path is not None:
        return path, "compiled"
    return ScalarPath(model, loss, optimizer, X, targets), f"scalar: not compiled, {why_not}"


# --- fit ----------------------------------------------------------------------------------

def fit(model, X, y, *, loss, epochs, batch_size=None, lr=None, optimizer=None, shuffle=True, seed=None,
        validation=None, progress=True, callback=None, compiled=None, record=None):
    """Train `model` on (X, y) by gradient descent and return a History.

    loss        an nn loss (nn.mse, nn.cross_entropy, ...), its name, or a callable(ŷ, y) -> Value
    epochs      passes over the data set
    batch_size  None: batch descent; B: mini-batches of B; 1: stochastic descent
    lr          learning rate η of a plain SGD optimizer, or
    optimizer   an nn optimizer over model.parameters() (give one of lr and optimizer)
    shuffle     reshuffle the examples each epoch (with the fit's own Generator, from seed)
    seed        an int, None, or a numpy Generator to draw the shuffles from: one Generator for
                several fits gives one run's orders, and its bit_generator.state, saved in a
                checkpoint and set back, resumes the shuffles where they stopped
    validation  (X_val, y_val), measured after each epoch
    progress    show a tqdm bar with epoch, loss and accuracy
    callback    callback(epoch, history) after each epoch, with the model's weights as they are
                (and as each .grad the epoch's last batch's gradient, on either path). True (or
                np.True_) stops training, None or False goes on, anything else is a TypeError. It
                may change the model (load the best state_dict, clip p.data, set requires_grad):
                training goes on from the model as it left it, and ends with it
    compiled    None (default): for a built-in loss (nn.mse, "cross_entropy", ... with or
                without options), the compiled path (autograd.compile: the graph recorded once,
                then each batch as one numpy program) where the model and loss compile, else
                the scalar engine. A custom loss (a callable) trains on the scalar engine
                unless compiled=True: Python code in it may test the target or a value
                (`if t == 1`), which a recording replays one way for every example.
                True: compiled or an error (GraphStructureError when the graph depends on the
                data, or when the program's per-example losses differ from the scalar engine's
                on rows of every target value: a loss that branches on its target);
                False: the scalar engine. The progress bar says which ("fit [compiled]");
                the results agree to rounding. A failing example is named by its row of X.
    record      True: keep a snapshot of every weight, bias and their gradients at the start of
                each epoch (and the trained network at the end) in history.recording; k: one
                every k updates. At most nn.record.MAX_BYTES are kept (thinned past it). For
                viz.training, which replays the fit. See nn.record.
    """
    loss = as_loss(loss)
    X, targets, Y = data_set(model, X, y, loss, "fit")
    validation = _validation_set(model, validation, loss)
    epochs = as_count(epochs, "fit epochs")
    batch_size = len(X) if batch_size is None else as_count(batch_size, "fit batch_size")
    shuffle, progress = as_flag(shuffle, "fit shuffle"), as_flag(progress, "fit progress")
    optimizer = _optimizer(model, lr, optimizer)
    if callback is not None and not callable(callback):
        raise TypeError(f"fit callback: expected a callable(epoch, history), got {type(callback).__name__}")
    _warn_if_cannot_learn(model)
    _warn_if_squashed_twice(model, loss)
    rule = classification_rule(loss, model, Y)
    if validation is not None:  # the training targets' rule: {1.0} alone fits both 0/1 and ±1 labels
        validation = (*validation, rule)
    recorder = recorder_for(record, model, loss, Y, len(X), batch_size)
    path, how = training_path(model, loss, optimizer, compiled, X, targets, Y)
    classes = None if rule is None else rule.classes(targets if Y is None else Y)  # once, not every epoch
    rng = _shuffle_generator(seed)
    history = History()
    try:
        # The bar counts an epoch when it is done, with that epoch's figures beside the count;
        # iterating it would show the count tqdm last drew (0% through a fast fit) and force a
        # line per epoch into a notebook's saved output.
        with _progress_bar()(total=epochs, disable=not progress, unit="epoch", desc=f"fit [{how}]") as bar:
            for epoch in range(epochs):
                hook = recorder and partial(recorder.before_update, epoch=epoch, n_examples=len(X))
                _run_epoch(path, len(X), classes, batch_size, shuffle, rng, rule, history, hook)
                _validate(path, validation, history)
                bar.set_postfix(_postfix(history), refresh=False)
                bar.update(1)
                if callback is not None and _callback_stops(callback, epoch, history, path, optimizer.params):
                    break
                if callback is not None and path.replaced_parameters():
                    # a callback put a new Value into the model: only the scalar engine reads the
                    # model afresh each batch (the new Value used, the optimizer's own trained), as torch
                    path.finish()
                    path = ScalarPath(model, loss, optimizer, X, targets)
                    bar.set_description("fit [scalar: a callback replaced a parameter]", refresh=False)
    finally:
        path.finish()
    if recorder:
        history.recording = recorder.finish(path, history.epochs)
    return history


def _shuffle_generator(seed):
    """The Generator of fit's shuffles: seed itself when it is one (a run resumed from a
    checkpoint sets its state back), else a new one from seed."""
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is not None and (isinstance(seed, (bool, np.bool_)) or not isinstance(seed, numbers.Integral)):
        raise TypeError(f"fit seed: expected an int, None or a numpy.random.Generator, got "
                        f"{type(seed).__name__} {seed!r:.40}")
    return generator(seed)


def _progress_bar():
    """tqdm's notebook widget where ipywidgets is installed, else its text bar. tqdm.auto in a
    notebook without ipywidgets warns "IProgress not found" into the learner's first cell."""
    if importlib.util.find_spec("ipywidgets") is None:
        return text_bar
    from tqdm.auto import tqdm
    return tqdm


def _callback_stops(callback, epoch, history, path, params):
    """Whether callback(epoch, history) asks to stop: True. The path takes back the
    model as the callback left it, also when it raised, so that what it changed is kept."""
    name = getattr(callback, "__qualname__", type(callback).__name__)
    path.finish()  # the callback looks at the model's Values: their data and .grad
    try:
        result = callback(epoch, history)
    finally:
        path.resume(_parameter_data(params, f"fit: after callback {name}"))
    if result is None or isinstance(result, (bool, np.bool_)):
        return bool(result)
    # Only a bool says "stop": load_state_dict's IncompatibleKeys, a loss, a list are truthy
    # without meaning it, and a callback that returns one would stop after its first epoch.
    raise TypeError(f"fit callback {name} returned {type(result).__name__} {result!r:.60}; return True "
                    f"(or np.True_, as a comparison of numpy numbers gives) to stop training, None or False to go on")


def _parameter_data(params, where):
    """The parameters' data as a float array, read once: every parameter must hold a finite number
    (a callback may have set p.data to anything), else the error as_number gives, naming the
    parameter: the next epoch would fail on it anyway, further from the cause (the scalar path
    on a row of X, the compiled one on reading θ)."""
    data = [p.data for p in params]
    if all(map(float.__instancecheck__, data)):  # in C: the usual case (np.float64 is a float)
        theta = np.array(data, dtype=float)
        if all_finite_vector(theta):
            return theta
    for k, (p, value) in enumerate(zip(params, data)):
        as_number(value, f"{where}, parameter {p.label or k!r}")
    return np.array(data, dtype=float)


def _run_epoch(path, n, classes, batch_size, shuffle, rng, rule, history, before_update=None):
    """One epoch over the n training examples, the same loop for every path: the batches of a
    (shuffled) order, one update each. The outputs are kept before each update, and the
    accuracy counted once at the end (classes: each example's true class, by `rule`).
    before_update(path, seen=first, batch_loss=loss), when given, runs with each batch's
    gradient ready, just before its update (path.parameter_arrays() gives θ and ∂C/∂θ)."""
    start = time.perf_counter()
    order = rng.permutation(n) if shuffle else np.arange(n)
    outputs = None if rule is None else np.empty((n, path.model.nout))
    path.begin_epoch(order)
    # Numpy's warnings off for the whole epoch, once: every path checks its numbers itself (the
    # scalar engine raises, the compiled path checks the loss and ∇θ, the optimizer θ), and
    # entering errstate for every batch costs more than a small layer's matmul.
    with np.errstate(all="ignore"):
        total_loss, updates = _run_batches(path, order, batch_size, outputs, before_update)
    history.loss.append(total_loss / n)
    if rule is None:
        history.accuracy.append(None)
    else:
        history.accuracy.append(rule.count(outputs, classes[order]) / n)
    history.updates.append(updates)
    history.seconds.append(time.perf_counter() - start)


def _run_batches(path, order, batch_size, outputs, before_update):
    """The batches of one epoch, one update each: (Σ over the batches of loss × size, updates)."""
    n = len(order)
    total_loss, updates = 0.0, 0
    for first in range(0, n, batch_size):
        last = min(first + batch_size, n)
        try:
            batch_loss = path.loss_and_gradients(first, last, None if outputs is None else outputs[first:last])
        except (ArithmeticError, ValueError) as error:
            raise in_row(error, order[first:last]) from None
        total_loss += batch_loss * (last - first)
        if before_update is not None:
            before_update(path, seen=first, batch_loss=batch_loss)
        path.update()
        updates += 1
    return total_loss, updates


def _validate(path, validation, history):
    """The validation set's mean loss and accuracy with the model as it is after the epoch."""
    if validation is None:
        return
    X, targets, Y, rule = validation
    try:
        losses, outputs = path.evaluate(X, targets, Y)
    except (ArithmeticError, ValueError) as error:
        if getattr(error, "example", None) is None:  # named already (the compiled path names its rows)
            raise
        # the validation set is evaluated in order: the example's place is its row of X_val
        raise type(error)(f"fit validation: {error.reason} (in row {error.example} of X_val)") from None
    history.val_loss.append(float(np.mean(losses)))
    correct = None if rule is None else rule.correct(outputs, targets if Y is None else Y)
    history.val_accuracy.append(None if correct is None else correct / len(X))


def _postfix(history):
    """The last epoch's figures for the bar, Keras' short names: loss, acc, val_loss, val_acc
    (an accuracy only where the loss or the targets define one)."""
    shown = {"loss": f"{history.loss[-1]:.4g}"}
    if history.accuracy[-1] is not None:
        shown["acc"] = f"{history.accuracy[-1]:.3f}"
    if history.val_loss:
        shown["val_loss"] = f"{history.val_loss[-1]:.4g}"
    if history.val_accuracy and history.val_accuracy[-1] is not None:
        shown["val_acc"] = f"{history.val_accuracy[-1]:.3f}"
    return shown


# --- checks -------------------------------------------------------------------------------

def _validation_set(model, validation, loss):
    if validation is None:
        return None
    if not isinstance(validation, (tuple, list)) or len(validation) != 2:
        raise TypeError("fit validation: expected a pair (X_val, y_val)")
    return data_set(model, *validation, loss, "fit validation")


def _optimizer(model, lr, optimizer):
    if optimizer is None and lr is None:
        raise ValueError("fit: give a learning rate lr=... or an optimizer=...")
    if optimizer is not None and lr is not None:
        raise ValueError("fit: give lr or optimizer, not both (set the optimizer's own lr)")
    if optimizer is None:  # an optimizer may start at lr 0 (a warm-up); a fit's own SGD would train nothing
        return _trainable(SGD(model.parameters(), _hyper(lr, "fit learning rate lr", inclusive=False)))
    if not isinstance(optimizer, Optimizer):
        given = type(optimizer).__name__
        if torch_name(optimizer):
            name = torch_class(optimizer).__name__
            ours = (f"build nn's of the same name from the model, nn.{name}(model.parameters(), ...)"
                    if isinstance(getattr(optimizers, name, None), type) else "nn has nn.SGD, nn.Adam and nn.AdamW")
            given = f"a {torch_name(optimizer)}, PyTorch's own, which updates tensors; {ours}"
        raise TypeError(f"fit optimizer: expected an nn optimizer (nn.SGD, nn.Adam), got {given}")
    unknown = {id(p) for p in model.parameters()} - {id(p) for p in optimizer.params}
    if unknown:
        raise ValueError(f"fit: the optimizer does not hold {len(unknown)} of the model's parameters; "
                         f"build it from model.parameters(). To fine-tune some layers only, freeze the "
                         f"others, as in PyTorch: model[0].requires_grad_(False) (an MLP's "
                         f"model.layers[0]; any module's requires_grad_), then an optimizer over "
                         f"model.parameters() leaves them as they are")
    return _trainable(optimizer)


def _trainable(optimizer):
    """The optimizer, unless every parameter is frozen (requires_grad False): nothing to train."""
    if all_frozen(optimizer.params):
        raise ValueError("fit: every parameter of the model is frozen (requires_grad False), so "
                         "there is nothing to train; set requires_grad = True on those to train")
    return optimizer



def _activations(model):
    if hasattr(model, "activations"):
        return list(model.activations)
    return [model.activation] if hasattr(model, "activation") else []


class OutputLossMismatchWarning(UserWarning):
    """The loss squashes outputs that the model's output layer has already squashed."""


def _warn_if_squashed_twice(model, loss):
    """cross_entropy and bce_with_logits take logits: a softmax or sigmoid output layer squashes twice."""
    activations = _activations(model)
    if not activations:
        return
    last = activations[-1].name
    better = {("cross_entropy", "softmax"): "nn.nll on the softmax output, or a linear output layer",
              ("bce_with_logits", "sigmoid"): "nn.bce on the sigmoid output, or a linear output layer"}
    advice = better.get((loss.name, last))
    if advice and loss.display_name != loss.name:  # PyTorch's class (nn.CrossEntropyLoss): torch's advice
        advice = f"a linear output layer (no {last} at the end): {loss.display_name} applies the {last} itself"
    if advice:
        warnings.warn(f"fit: {loss.display_name} expects logits, but the output layer is already a {last}; "
                      f"use {advice}", OutputLossMismatchWarning, stacklevel=3)


def _warn_if_cannot_learn(model):
    every = model._every_activation() if hasattr(model, "_every_activation") else _activations(model)
    steps = [act.describe() for act in every if not act.learns]
    if steps:
        warnings.warn(f"fit: the model has a step activation ({', '.join(steps)}); its gradient is 0 "
                      f"everywhere, so gradient descent cannot change the weights before it: the network "
                      f"cannot learn (use sigmoid or tanh to train, step only to decide)",
                      StepActivationWarning, stacklevel=3)
