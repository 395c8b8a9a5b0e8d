"""Loss functions over Values: each takes ONE example's output ŷ and target y and returns C.

A batch's loss is the mean of its per-example losses, as in the notes:

    C = 1/|D| Σ_i C(ŷ(i), y(i))          (`mean_loss`)

    (each Loss's `.formula` is its line here, for pages that say which loss they show)
    sse              C = Σ_c (ŷ_c - y_c)²                     (the notes' RSS, per example)
    mse              C = 1/K Σ_c (ŷ_c - y_c)²    half=True:  1/(2K) Σ_c (ŷ_c - y_c)²  (the notes')
    mae              C = 1/K Σ_c |ŷ_c - y_c|                  (PyTorch's L1Loss per example)
    huber            C = 1/K Σ_c h_δ(ŷ_c - y_c),  h_δ(r) = ½r² if |r| ≤ δ else δ(|r| - ½δ)   (δ = 1)
    bce              C = -[y ln p + (1 - y) ln(1 - p)]        on a probability p = ŷ in (0, 1)
    bce_with_logits  C = ln(1 + e^z) - y z                    on a logit z, stable for any z
    cross_entropy    C = ln Σ_c e^(z_c) - Σ_c y_c z_c         on logits; y a class index or one-hot
    nll              C = -Σ_c y_c ln p_c                      on probabilities (a softmax layer's)
    hinge            C = max(0, 1 - y ŷ)                      y in {-1, +1}: micrograd's max-margin
    l2(params, λ)    λ Σ w²                                   a penalty to add to a loss

Class indices are 0-based (the notes count classes from 1). Each classification loss also
knows how to turn outputs into a predicted class, which `accuracy` and `fit` use.
"""

import inspect
import math

import numpy as np

import autograd
from autograd import Value

from .data import at_example, finite_number, torch_class, torch_name
from .targets import CLASS_TARGET, PROBABILITY_EACH_TARGET, PROBABILITY_TARGET, REAL, SIGN_TARGET, TargetKind


class Loss:
    """A per-example loss with its name, its target rules and (for classifiers) its decision rule.

    Call it as loss(ŷ, y). `target` (kept as `rule`) is the kind of target it takes (an
    nn.targets kind, whose rules judge one example and a whole array of examples alike) or,
    for a loss of your own, any callable(y, n) returning y as the loss takes it. `target(y, n)` checks one example's
    target for n outputs. `decide(outputs)` maps an array of outputs (N, n) to predicted labels
    and `truth(Y)` an array of checked targets to true labels; both are None for regression.
    """

    def __init__(self, name, function, target, decide=None, truth=None, options=None, formula=None):
        self.name, self.function = name, function
        self.rule = target  # as given: a kind of target, or a callable
        self.kind = target if isinstance(target, TargetKind) else None
        self.decide, self.truth = decide, truth
        self.options = dict(options or {})
        self._formula = formula  # a str, or a function of the options (mse's half=True); None: unknown

    @property
    def formula(self):
        """One example's C in the notation above ("C = 1/K Σ_c (ŷ_c - y_c)²"), for pages and
        reports to say which loss they show; None for a loss of your own."""
        return self._formula(self.options) if callable(self._formula) else self._formula

    @property
    def display_name(self):
        """The name its messages give it: the one the user wrote. `name` says which loss it is
        (fit, accuracy and the compiled path go by it); PyTorch's classes show their own."""
        return self.name

    def target(self, y, n):
        """One example's target y for n outputs, checked, as the loss takes it."""
        if self.kind is not None:
            return self.kind.target(y, n, self.display_name)
        return self.rule(y, n)

    def __call__(self, prediction, target, **options):
        outputs = _outputs(prediction, self.display_name, self.for_a_batch() if is_builtin(self) else None)
        return self.function(outputs, self.target(target, len(outputs)), **{**self.options, **options})

    def with_options(self, **options):
        """The same loss with options fixed, e.g. mse.with_options(half=True) for fit."""
        accepted = _option_names(self.function)
        unknown = [name for name in options if accepted is not None and name not in accepted]
        if unknown:
            takes = f"it takes {', '.join(map(repr, accepted))}" if accepted else "it takes no options"
            raise TypeError(f"{self.name}.with_options: unknown option {unknown[0]!r}; {takes}")
        options = {**self.options, **options}
        return Loss(self.name, self.function, self.rule, self.decide, self.truth, options, self._formula)

    def for_a_batch(self):
        """What takes a batch, where this loss takes one example: PyTorch's class of the same
        loss, or mean_loss (the notes' C = 1/|D| Σ_i C(ŷ(i), y(i)))."""
        torch_name = {"mse": "MSELoss", "mae": "L1Loss", "huber": "HuberLoss", "cross_entropy": "CrossEntropyLoss",
                      "bce": "BCELoss", "bce_with_logits": "BCEWithLogitsLoss"}.get(self.name)
        mean = f"nn.mean_loss(nn.{self.name}, outputs, targets)"
        return f"nn.{torch_name}()(outputs, targets) or {mean}" if torch_name else mean

    @property
    def classifies(self):
        return self.decide is not None

    def __repr__(self):
        options = "".join(f", {k}={v!r}" for k, v in self.options.items())
        return f"<loss {self.name}{options}>"


def _option_names(function):
    """The keyword options a loss function takes after (outputs, y); None: any (**options)."""
    parameters = list(inspect.signature(function).parameters.values())[2:]
    if any(p.kind is p.VAR_KEYWORD for p in parameters):
        return None
    return [p.name for p in parameters if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]


def mean_loss(loss, predictions, targets):
    """C = 1/N Σ_i loss(ŷ(i), y(i)): the mean of per-example losses, as one graph."""
    predictions, targets = list(predictions), list(targets)
    if len(predictions) != len(targets):
        raise ValueError(f"mean_loss: {len(predictions)} predictions but {len(targets)} targets")
    if not predictions:
        raise ValueError("mean_loss: no examples; expected at least one")
    losses = [loss(p, t) for p, t in zip(predictions, targets)]
    mean = losses[0] if len(losses) == 1 else autograd.sum(losses) * (1.0 / len(losses))
    if not mean.requires_grad and autograd.is_grad_enabled() and any(
            isinstance(o, Value) and o.requires_grad for p in predictions for o in _entries_of(p)):
        raise batch_without_graph(loss)
    return mean


def _entries_of(prediction):
    """One example's outputs as given (numbers among them are constants, with no graph)."""
    return prediction if isinstance(prediction, (list, tuple, np.ndarray)) else [prediction]


def _name_of(loss):
    """An nn Loss's name, or a callable's."""
    return getattr(loss, "name", None) or getattr(loss, "__name__", "the loss")


def batch_without_graph(loss):
    """The error for a batch whose every per-example loss has no graph: one example may give a
    constant (a masked one), but all of them train nothing."""
    name = _name_of(loss)
    return TypeError(f"loss: {name} returned a Value that does not require grad for every "
                     f"example of the batch (computed under no_grad(), detached, or not from the "
                     f"prediction), so the batch has no graph to train on")


def reads_prediction(loss, value, outputs):
    """Whether the per-example loss `value` is computed from the prediction (one of the
    `outputs` among its ancestors), or need not be asked: nn's own losses read it by
    construction, and a value with no graph is the batch's own check's to name."""
    if is_builtin(loss) or not isinstance(value, Value) or not value.requires_grad:
        return True
    outputs_are_ops = all(isinstance(o, Value) and o.parents for o in outputs)
    feeding = set(autograd.topological_order(value, leaves=not outputs_are_ops))
    return any(o in feeding for o in outputs if isinstance(o, Value))


def ignores_prediction(loss, value):
    """The TypeError for a loss of one's own that no example computes from the prediction: a
    fresh Value(1.0), or a graph of the target alone, requires grad and backward runs, but
    nothing trains. (One example may give a constant, as a hinge whose margin is met.)"""
    name = _name_of(loss)
    return TypeError(f"loss: {name} returned {value!r:.60}, which is not computed from the prediction "
                     f"(none of the model's outputs is in its graph, for any example of the first batch), "
                     f"so training would change nothing; write the loss of (prediction, target)")


def check_reads_prediction(loss, value, outputs):
    """ignores_prediction's TypeError unless `value` reads the prediction (one example: the
    compiled path records one graph for them all)."""
    if not reads_prediction(loss, value, outputs):
        raise ignores_prediction(loss, value)


def losses_per_example(model, loss, X, targets):
    """(C(ŷ(i), y(i)) for every row x(i) of X, the outputs ŷ(i) as an (N, nout) array), on the
    scalar engine under no_grad: no graph is kept. targets: as loss.target checked them.
    An error carries the failing row's place in X (nn.data.at_example), for the caller to name."""
    outputs, losses = [], []
    with autograd.no_grad():
        for example, (x, t) in enumerate(zip(X.tolist(), targets)):
            try:
                out = model(x)
                out = out if isinstance(out, list) else [out]
                losses.append(loss.function(out, t, **loss.options).data)
            except (ArithmeticError, ValueError) as error:
                raise at_example(error, example) from None
            outputs.append(out)
    return np.array(losses, dtype=float), np.array([[o.data for o in out] for out in outputs], dtype=float)


# --- what a prediction may be (what a target may be: nn.targets) -----------------------

_WHAT_IT_READS = {"cross_entropy": "logits", "bce_with_logits": "logit", "bce": "probability",
                  "nll": "probabilities"}


def _outputs(prediction, name, for_a_batch=None):
    """ŷ as a list of Values (a lone Value or number is a list of one).

    A number is a constant (requires_grad False), as a float tensor is in PyTorch: a loss of
    numbers alone (say predict()'s outputs) has no graph, and its backward raises, where a
    leaf that requires grad would let backward run and leave every weight's .grad at 0.
    for_a_batch: what to use for a batch, named when the prediction is a list of lists."""
    if isinstance(prediction, np.ndarray):
        prediction = prediction.tolist()
    if not isinstance(prediction, (list, tuple)):
        prediction = [prediction]
    if not prediction:
        raise ValueError(f"{name}: the prediction is empty; expected at least one output")
    if for_a_batch and any(isinstance(p, (list, tuple, np.ndarray)) for p in prediction):
        raise TypeError(f"{name}: takes one example's {_WHAT_IT_READS.get(name, 'outputs')} (a Value or a "
                        f"list of Values), got a list of {len(prediction)} lists, a batch; for a batch "
                        f"use {for_a_batch}")
    return [p if isinstance(p, Value) else Value(finite_number(p, f"{name}: prediction"), requires_grad=False)
            for p in prediction]


# --- the losses ----------------------------------------------------------------------

def _squares(outputs, targets):
    squares = [(p - t) ** 2 for p, t in zip(outputs, targets)]
    return squares[0] if len(squares) == 1 else autograd.sum(squares)


def _sse(outputs, targets):
    return _squares(outputs, targets)


def _mse(outputs, targets, half=False):
    scale = (0.5 if half else 1.0) / len(outputs)
    total = _squares(outputs, targets)
    return total if scale == 1.0 else total * scale


def _mean_of(terms):
    return terms[0] if len(terms) == 1 else autograd.sum(terms) * (1.0 / len(terms))


def _mae(outputs, targets):
    return _mean_of([abs(p - t) for p, t in zip(outputs, targets)])


def _huber(outputs, targets, delta=1.0):
    """h_δ(r) = ½r² for |r| ≤ δ, else δ(|r| - ½δ), written as m (|r| - ½m) with m = min(|r|, δ):
    one graph for every r (no branch on a number, so it compiles), and its derivative r inside
    and δ·sign(r) outside falls out of the chain rule (at |r| = δ, min's ½ and ½ give δ too)."""
    delta = positive_number(delta, "huber delta")
    terms = []
    for p, t in zip(outputs, targets):
        size = abs(p - t)
        m = size.minimum(delta)
        terms.append(m * (size - 0.5 * m))
    return _mean_of(terms)


def _smooth_l1(outputs, targets, beta=1.0):
    """PyTorch's SmoothL1Loss: h_β(r)/β, which is |r| - ½β outside |r| ≤ β (so β → 0 gives |r|,
    and β = 0 is the mean absolute error, as in torch)."""
    beta = non_negative_number(beta, "SmoothL1Loss beta")
    if beta == 0:
        return _mae(outputs, targets)
    return _huber(outputs, targets, beta) * (1.0 / beta)


def positive_number(number, what):
    """A finite number > 0 (huber's δ), else a TypeError/ValueError naming `what`."""
    number = finite_number(number, what)
    if number <= 0:
        raise ValueError(f"{what}: must be > 0, got {number}")
    return number


def non_negative_number(number, what):
    """A finite number >= 0 (SmoothL1Loss's β), else a TypeError/ValueError naming `what`."""
    number = finite_number(number, what)
    if number < 0:
        raise ValueError(f"{what}: must be >= 0, got {number}")
    return number


def _bce(outputs, y):
    return _binary_cross_entropy(outputs[0], y, "bce", "bce_with_logits")


def _binary_cross_entropy(p, y, name, on_logits):
    """-[y ln p + (1 - y) ln(1 - p)]; its messages name the loss and the one on logits as the
    user wrote them: nn's own (bce, bce_with_logits) or PyTorch's (BCELoss, nn.BCEWithLogitsLoss)."""
    if not 0.0 <= p.data <= 1.0:
        raise ValueError(f"{name}: the prediction {p.data}{_named(p)} is not a probability in (0, 1); "
                         f"use a sigmoid output, or {on_logits} on a linear output")
    if isinstance(y, Value):
        # A target that is a Value (the placeholders `autograd.compile` records with) stays in the
        # graph, so no term can be left out for one example: xlogy takes 0 · ln 0 as 0, and refuses
        # ln 0 with a coefficient that is not 0, as the scalar form does below.
        return -(autograd.xlogy(y, p) + autograd.xlogy(1.0 - y, 1.0 - p))
    # A term whose coefficient is 0 is left out, so a saturated p = 0 or 1 is fine where it is right.
    uses_log_p, uses_log_1_minus_p = y != 0.0, y != 1.0
    if (uses_log_p and p.data == 0.0) or (uses_log_1_minus_p and p.data == 1.0):
        raise ValueError(f"{name}: the probability {p.data}{_named(p)} saturated, and ln 0 is -∞ for target "
                         f"{y}; use {on_logits} on a linear output, which is stable for any logit")
    terms = []
    if uses_log_p:
        terms.append(y * p.log())
    if uses_log_1_minus_p:
        terms.append((1.0 - y) * (1.0 - p).log())
    return -(terms[0] if len(terms) == 1 else terms[0] + terms[1])


def _bce_with_logits(outputs, y):
    z = outputs[0]
    zero = Value(0.0, requires_grad=False)  # a constant: with numbers alone the loss has no graph
    softplus = autograd.logsumexp([zero, z])  # ln(1 + e^z) = ln(e^0 + e^z), never overflows
    return softplus if (not isinstance(y, Value) and y == 0.0) else softplus - y * z


def _cross_entropy(outputs, y):
    lse = autograd.logsumexp(outputs)
    if any(isinstance(yc, Value) for yc in y):
        # Targets that are Values (the placeholders `autograd.compile` records with) stay in the
        # graph: C = logΣexp(z) Σ_c y_c - Σ_c y_c z_c, the same number as below for any target.
        return lse * autograd.sum(y) - autograd.dot(y, outputs)
    hot = [c for c, yc in enumerate(y) if yc != 0.0]
    if len(hot) == 1 and y[hot[0]] == 1.0:  # one-hot: C = logΣexp(z) - z_c
        return lse - outputs[hot[0]]
    weights = [Value(yc, requires_grad=False) for yc in y]  # the target is data
    return lse * math.fsum(y) - autograd.dot(weights, outputs)


def _nll(outputs, y):
    _probabilities(outputs, "nll")
    if any(isinstance(yc, Value) for yc in y):
        # Targets that are Values (autograd.compile's placeholders): every class's term stays in
        # the graph, and xlogy takes 0 · ln 0 as 0, so a class of target 0 may have p_c = 0.
        terms = [autograd.xlogy(yc, p) for p, yc in zip(outputs, y)]
        return -(terms[0] if len(terms) == 1 else autograd.sum(terms))
    terms = []
    for c, (p, yc) in enumerate(zip(outputs, y)):
        if yc == 0.0:
            continue
        if p.data <= 0.0:
            raise ValueError(f"nll: the probability of class {c} is {p.data}{_named(p)} but its target "
                             f"is {yc}; ln 0 is -∞ (use cross_entropy on logits)")
        terms.append(p.log() * yc if yc != 1.0 else p.log())
    return -(terms[0] if len(terms) == 1 else autograd.sum(terms))


def _named(p):
    """ ('label') after a prediction's number in a message, when it has a label."""
    return f" ('{p.label}')" if p.label else ""


def _probabilities(outputs, name):
    """nll takes probabilities (nn's nll takes their log itself, where PyTorch's NLLLoss takes
    log-probabilities and checks nothing): an entry outside [0, 1] would make -ln p < 0 a
    "loss" that training drives to -∞. A sum that is not 1 is not refused: a sigmoid per class
    gives probabilities too, and a softmax's sum is 1 only to rounding."""
    for c, p in enumerate(outputs):
        if not 0.0 <= p.data <= 1.0:
            label = _named(p)
            raise ValueError(f"{name}: the prediction's entry {c} (class {c}) is {p.data}{label}, not a "
                             f"probability in [0, 1]; use a softmax output, or cross_entropy on logits")


def _hinge(outputs, y):
    return (1.0 - y * outputs[0]).relu()


def _mean_over_outputs(loss_of_one, outputs, y):
    """1/n Σ_c C(ŷ_c, y_c): an elementwise loss on one example's n outputs, as PyTorch's BCELoss
    and BCEWithLogitsLoss take it (their mean over a batch is then the mean over every entry).
    One output is its one term, the very graph of nn's own loss."""
    return _mean_of([loss_of_one([o], t) for o, t in zip(outputs, y)])


def _bce_each(outputs, y):
    """PyTorch's BCELoss per example: its messages name BCELoss, which the user wrote."""
    return _mean_over_outputs(_bce_of_torch, outputs, y)


def _bce_of_torch(outputs, y):
    return _binary_cross_entropy(outputs[0], y, "BCELoss", "nn.BCEWithLogitsLoss")


def _bce_with_logits_each(outputs, y):
    return _mean_over_outputs(_bce_with_logits, outputs, y)


def _at_least(threshold):
    """Labels 0/1, output >= threshold: (N,) for one output, (N, n) rows for n outputs (n labels)."""
    def labels(array):
        array = np.asarray(array, dtype=float)
        array = array if array.ndim == 2 else array.reshape(-1, 1)
        decided = (array >= threshold).astype(int)
        return decided[:, 0] if decided.shape[1] == 1 else decided
    return labels


def _argmax(outputs):
    outputs = np.asarray(outputs)
    return outputs.argmax(axis=1) if outputs.ndim == 2 else np.zeros(len(outputs), dtype=int)


sse = Loss("sse", _sse, REAL, formula="C = Σ_c (ŷ_c - y_c)²")
mse = Loss("mse", _mse, REAL,
           formula=lambda options: f"C = 1/{'(2K)' if options.get('half') else 'K'} Σ_c (ŷ_c - y_c)²")
mae = Loss("mae", _mae, REAL, formula="C = 1/K Σ_c |ŷ_c - y_c|")
huber = Loss("huber", _huber, REAL,
             formula=lambda options: (f"C = 1/K Σ_c h(ŷ_c - y_c), h(r) = ½r² if |r| ≤ δ else δ(|r| - ½δ), "
                                      f"δ = {options.get('delta', 1.0):g}"))
bce = Loss("bce", _bce, PROBABILITY_TARGET, formula="C = -[y ln p + (1 - y) ln(1 - p)]",
           decide=lambda out: (np.asarray(out).reshape(-1) >= 0.5).astype(int),
           truth=lambda Y: (np.asarray(Y).reshape(-1) >= 0.5).astype(int))
bce_with_logits = Loss("bce_with_logits", _bce_with_logits, PROBABILITY_TARGET,
                       formula="C = ln(1 + e^z) - y z, on a logit z",
                       decide=lambda out: (np.asarray(out).reshape(-1) >= 0.0).astype(int),
                       truth=lambda Y: (np.asarray(Y).reshape(-1) >= 0.5).astype(int))
cross_entropy = Loss("cross_entropy", _cross_entropy, CLASS_TARGET, decide=_argmax, truth=_argmax,
                     formula="C = ln Σ_c e^(z_c) - Σ_c y_c z_c, on logits z")
nll = Loss("nll", _nll, CLASS_TARGET, decide=_argmax, truth=_argmax, formula="C = -Σ_c y_c ln p_c")
hinge = Loss("hinge", _hinge, SIGN_TARGET, formula="C = max(0, 1 - y ŷ)",
             decide=lambda out: np.where(np.asarray(out).reshape(-1) >= 0.0, 1, -1),
             truth=lambda Y: np.asarray(Y).reshape(-1).astype(int))

LOSSES = {loss.name: loss for loss in (sse, mse, mae, huber, bce, bce_with_logits, cross_entropy, nll, hinge)}

# The per-output forms under PyTorch's BCELoss and BCEWithLogitsLoss (nn.torch_losses): the same
# loss on each of any number of outputs, averaged over them; accuracy counts an example right when
# every one of its labels is (nn.classify). One output: exactly bce and bce_with_logits.
bce_each = Loss("bce", _bce_each, PROBABILITY_EACH_TARGET, decide=_at_least(0.5), truth=_at_least(0.5),
                formula="C = -1/K Σ_c [y_c ln p_c + (1 - y_c) ln(1 - p_c)]")
bce_with_logits_each = Loss("bce_with_logits", _bce_with_logits_each, PROBABILITY_EACH_TARGET,
                            decide=_at_least(0.0), truth=_at_least(0.5),
                            formula="C = 1/K Σ_c [ln(1 + e^(z_c)) - y_c z_c], on logits z")
# PyTorch's SmoothL1Loss, Huber's loss scaled by 1/β (nn.torch_losses)
smooth_l1 = Loss("smooth_l1", _smooth_l1, REAL,
                 formula=lambda options: (f"C = 1/K Σ_c h(ŷ_c - y_c)/β, h(r) = ½r² if |r| ≤ β else β(|r| - ½β), "
                                          f"β = {options.get('beta', 1.0):g}"))
BUILTIN_FUNCTIONS = {loss.function for loss in (*LOSSES.values(), bce_each, bce_with_logits_each, smooth_l1)}


def l2(params, strength=1e-4):
    """The L2 penalty λ Σ w² over `params` (micrograd's regularisation), as one dot node."""
    params = list(params)
    strength = finite_number(strength, "l2 strength")
    if strength < 0:
        raise ValueError(f"l2: the strength must be >= 0, got {strength}")
    if not params:
        raise ValueError("l2: no parameters given")
    penalty = autograd.dot(params, params) * strength
    penalty.label = "L2"
    return penalty


def _a_graph(result, outputs, name):
    """A custom loss's result, if it is a Value: a float would leave every .grad at 0 and train
    nothing, silently (PyTorch fails too: a float has no .backward()). A Value with no graph is
    fine for one example (a masked one); mean_loss refuses a batch of them."""
    if not isinstance(result, Value):
        got = "None" if result is None else f"{type(result).__name__} {result!r:.40}"
        raise TypeError(f"loss: {name} returned {got}; expected a Value computed from the prediction "
                        f"(a number has no graph to train on)")
    return result


def is_builtin(loss):
    """True for one of nn's own losses (LOSSES, or the per-output forms under PyTorch's names),
    with or without options; False for a callable."""
    return loss.function in BUILTIN_FUNCTIONS


def _nn_counterpart(name):
    from . import torch_losses  # which imports this module
    if isinstance(getattr(torch_losses, name, None), type):
        return f"use nn's of the same name, nn.{name}()"
    if name == "NLLLoss":  # nn's 'nll' is another loss: on probabilities, where NLLLoss takes their logs
        return ("nn has no NLLLoss (its 'nll' takes probabilities, not log-probabilities); log_softmax + NLLLoss is "
                "nn.CrossEntropyLoss() on the logits")
    return f"nn has no {name}; its losses are {', '.join(map(repr, LOSSES))} and their PyTorch-named classes"


def as_loss(loss):
    """A Loss from a Loss, a name such as "mse", or any callable(ŷ, y) -> Value."""
    if isinstance(loss, Loss):
        if getattr(loss, "reduction", "mean") != "mean":  # nn.MSELoss(reduction="sum") and the like
            raise ValueError(f"{loss!r}: fit and accuracy average each batch's per-example losses, "
                             f"which is reduction='mean'; use that")
        return loss
    if isinstance(loss, type) and issubclass(loss, Loss):  # nn.CrossEntropyLoss, not nn.CrossEntropyLoss()
        raise TypeError(f"loss={loss.__name__} is the class; pass an instance, {loss.__name__}()")
    if isinstance(loss, str):
        if loss not in LOSSES:
            raise ValueError(f"unknown loss {loss!r}; expected one of {', '.join(map(repr, LOSSES))}")
        return LOSSES[loss]
    if torch_name(loss):  # callable, but on tensors: its own TypeError would name a tensor argument
        raise TypeError(f"loss: {torch_name(loss)} is PyTorch's own loss, which takes tensors; "
                        f"{_nn_counterpart(torch_class(loss).__name__)}")
    if callable(loss):
        name = getattr(loss, "__name__", "loss")

        def function(outputs, y):
            return _a_graph(loss(outputs[0] if len(outputs) == 1 else outputs, y), outputs, name)
        return Loss(name, function, lambda y, n: y)
    raise TypeError(f"loss: expected an nn loss, a loss name or a callable(prediction, target), "
                    f"got {type(loss).__name__}")
