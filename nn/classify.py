"""Accuracy: how outputs become a predicted class and targets a true class, over whole arrays.

    accuracy = 1/N Σ_i [decide(ŷ(i)) = truth(y(i))]

cross_entropy, nll: the argmax of the outputs; bce: p >= 0.5; bce_with_logits: z >= 0;
hinge: the sign. PyTorch's BCELoss and BCEWithLogitsLoss on several outputs (several labels
per example) threshold each output, and an example is right when all its labels are (the
"exact match" accuracy of multi-label classification). Without a classifying loss the rule
is inferred from the targets.
"""

from dataclasses import dataclass

import numpy as np

from .data import finite_number
from .losses import as_loss
from .targets import data_set


@dataclass(frozen=True)
class ClassificationRule:
    """decide(outputs (N, nout)) -> predicted labels (N,); truth(targets (N,) or (N, k)) -> true labels."""

    decide: object
    truth: object

    def correct(self, outputs, targets):
        """How many examples' predicted class is their true class (targets: checked, as rows)."""
        return self.count(outputs, self.classes(targets))

    def classes(self, targets):
        """The true class of each target (targets: checked, as rows)."""
        return np.asarray(self.truth(np.asarray(targets, dtype=float)))

    def count(self, outputs, classes):
        """How many examples' predicted class is the class given (from `classes`): a training
        loop finds the classes once and counts every epoch on a shuffle of them."""
        matches = np.asarray(self.decide(np.asarray(outputs, dtype=float))) == classes
        if matches.ndim == 2:  # several labels per example (PyTorch's BCELoss on n outputs): all right
            matches = matches.all(axis=1)
        return int(np.count_nonzero(matches))


def _first_column(array):
    array = np.asarray(array)
    return array.reshape(len(array), -1)[:, 0]


def _threshold_rule(threshold, labels):
    low, high = labels
    return ClassificationRule(decide=lambda out: np.where(_first_column(out) >= threshold, high, low),
                              truth=lambda Y: np.where(_first_column(Y) >= threshold, high, low))


def _argmax_rows(array):
    return np.asarray(array).argmax(axis=1)


INDEX_RULE = ClassificationRule(_argmax_rows, lambda Y: _first_column(Y).astype(int))
ONE_HOT_RULE = ClassificationRule(_argmax_rows, _argmax_rows)


def classification_rule(loss, model, Y):
    """The rule accuracy uses, or None where accuracy does not apply (real-valued targets).

    A classifying loss brings its own rule. Otherwise, from the targets Y (an array as
    nn.targets.data_set gives it, or None when they are not numbers): several outputs ->
    argmax, with class indices or one-hot rows as targets; one output with 0/1 targets ->
    output >= 0.5; with -1/+1 targets -> sign; anything else -> None.
    """
    if loss is not None and loss.classifies:
        return ClassificationRule(loss.decide, loss.truth)
    if Y is None:
        return None
    if Y.ndim == 2 and Y.shape[1] == 1:
        Y = Y[:, 0]
    if model.nout > 1:
        if Y.ndim == 1 and np.all((Y == np.floor(Y)) & (Y >= 0) & (Y < model.nout)):
            return INDEX_RULE
        if Y.ndim == 2 and np.all((Y == 0.0) | (Y == 1.0)) and np.all((Y == 1.0).sum(axis=1) == 1):
            return ONE_HOT_RULE
        return None
    labels = set(np.unique(Y).tolist()) if Y.ndim == 1 else set()
    if labels and labels <= {0.0, 1.0}:
        return _threshold_rule(0.5, (0, 1))
    if labels and labels <= {-1.0, 1.0}:
        return _threshold_rule(0.0, (-1, 1))
    return None


def accuracy(model, X, y, *, loss=None):
    """The fraction of examples whose predicted class is the target's class.

    With `loss`, its decision rule is used (e.g. loss=nn.bce_with_logits thresholds the logit
    at 0); without, the rule is inferred as in `classification_rule`.
    """
    loss = None if loss is None else as_loss(loss)
    checker = loss if loss is not None else as_loss(lambda p, t: p)
    X, targets, Y = data_set(model, X, y, checker, "accuracy")
    rule = classification_rule(loss, model, Y)
    if rule is None:
        _name_a_non_number(targets, "accuracy")  # a target that is not a finite number, by name
        raise ValueError("accuracy: the targets are not class labels (expected 0/1 or -1/+1 labels for one "
                         "output, class indices or one-hot rows for several); pass loss=... to choose a rule")
    outputs = model.predict(X).reshape(len(X), -1)
    return rule.correct(outputs, Y) / len(X)


def _name_a_non_number(targets, what):
    """Raise the one check of a number's error for the first entry of the targets that fails it."""
    for i, target in enumerate(targets):
        for entry in np.asarray(target, dtype=object).reshape(-1):
            finite_number(entry, f"{what} y[{i}]")


def predict(model, X):
    """model.predict(X): the outputs for every row of X as a numpy array."""
    return model.predict(X)
