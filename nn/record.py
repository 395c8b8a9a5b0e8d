"""Recording a fit: snapshots of the weights, their gradients and the metrics, to replay it.

    history = nn.fit(model, X, y, ..., record=True)   # a snapshot at the start of every epoch
    history = nn.fit(model, X, y, ..., record=k)      # a snapshot every k updates
    history.recording.snapshots[s].weights            # [(W, b) per layer], W[j, k] = w(l)_j+1,k+1

The model is an nn.MLP or nn.Layer, or an nn.Sequential (or nn.Linear) read as one: its k-th
Linear, with the activation module right after it, is layer l = k + 1, as its labels say.

Snapshot s is the network after `s.update` updates: every weight w(l)_j,k and bias b(l)_j,
and the gradient ∂C/∂w(l)_j,k, ∂C/∂b(l)_j of the batch about to be used, measured at those
very weights, so that the update that follows is (for plain SGD)

    w(l)_j,k ← w(l)_j,k - η ∂C/∂w(l)_j,k

The last snapshot holds the trained weights; no batch follows it, so its gradients are None.

Memory is bounded: a recording holds at most MAX_BYTES (32 MB) of weights and gradients.
When the next snapshot would pass it, every second snapshot is dropped and the interval
doubles (a RecordingThinnedWarning says so once), so a long fit keeps an evenly spaced
recording of the whole run. A network of which two snapshots (the first and the trained one)
do not fit is refused before training.
Nothing here knows how a recording is drawn: it is plain data (numpy arrays and names).
"""

import numbers
import warnings
from dataclasses import dataclass, field
from itertools import chain

import numpy as np

from .activations import Activation
from .torchlike import ActivationModule, Linear, Sequential, Softmax

MAX_BYTES = 32_000_000  # weights + gradients of every snapshot kept, as float64


class RecordingThinnedWarning(UserWarning):
    """A recording reached MAX_BYTES: every second snapshot was dropped and the interval doubled."""


@dataclass(frozen=True)
class Snapshot:
    """The network after `update` updates, at `epoch` (epochs done, fractional within an epoch).

    weights    [(W, b) per layer]: W[j, k] is w(l)_j+1,k+1 (from neuron k+1 of layer l-1 into
               neuron j+1 of layer l, the input layer being layer 1), b[j] is b(l)_j+1
    gradients  [(∂C/∂W, ∂C/∂b) per layer] of the next batch's mean loss C at these weights,
               or None for the last snapshot
    batch_loss that batch's mean loss C, or None
    """

    update: int
    epoch: float
    weights: list
    gradients: list | None
    batch_loss: float | None = None


@dataclass
class Recording:
    """What a recorded fit kept: the network's shape, how its outputs become classes, the snapshots.

    sizes        [n_1, n_2, ..., n_L]: neurons per layer, the inputs being layer 1
    activations  [(name, k) per layer 2..L], as nn.Activation names them ("tanh", None)
    loss         the loss's name as it was given ("bce_with_logits", "sse", "CrossEntropyLoss", ...)
    loss_formula one example's C, as the loss writes it ("C = Σ_c (ŷ_c - y_c)²"); "" for a loss of
                 your own
    decision     how outputs become a class: {"rule": "argmax"}, {"rule": "threshold",
                 "at": t, "classes": [low, high]} (one output: high where it is >= t), or None
                 (the targets are not classes)
    every        the interval between snapshots: ("epoch", n) or ("update", n), after thinning
    updates_per_epoch  updates in one full epoch
    """

    sizes: list
    activations: list
    loss: str
    decision: dict | None
    every: tuple
    updates_per_epoch: int
    snapshots: list = field(default_factory=list)
    thinned: int = 0  # how many times the interval was doubled to stay under MAX_BYTES
    loss_formula: str = ""

    @property
    def bytes(self):
        return sum(_snapshot_bytes(s) for s in self.snapshots)

    def __repr__(self):
        unit, n = self.every
        return (f"Recording({'-'.join(map(str, self.sizes))}, {len(self.snapshots)} snapshots, one every "
                f"{n} {unit}{'s' if n > 1 else ''}, {self.bytes / 1e6:.2g} MB)")


def _snapshot_bytes(snapshot):
    arrays = [a for pair in snapshot.weights for a in pair]
    if snapshot.gradients is not None:
        arrays += [a for pair in snapshot.gradients for a in pair]
    return sum(a.nbytes for a in arrays)


def check_record(record):
    """record: False/None (off), True (every epoch) or an int k >= 1 (every k updates)."""
    if record is None or isinstance(record, (bool, np.bool_)):
        return None if record is None else bool(record)
    if isinstance(record, numbers.Integral) and not isinstance(record, bool):
        if record < 1:
            raise ValueError(f"fit record: expected True (every epoch) or a number of updates k >= 1, got {record}")
        return int(record)
    raise TypeError(f"fit record: expected True (every epoch) or an int k (every k updates), "
                    f"got {type(record).__name__} {record!r:.40}")


class Recorder:
    """Takes the snapshots during fit; `fit` calls `before_update` before every update and `finish` once.

    The training path (scalar or compiled) is asked only for `parameter_arrays()`: its
    parameter Values, their values θ and gradients ∂C/∂θ as flat arrays in the same order.
    """

    def __init__(self, record, model, loss, decision, n_examples, batch_size, max_bytes=None):
        self.layers = _layers(model)
        self.max_bytes = MAX_BYTES if max_bytes is None else max_bytes
        sizes = [self.layers[0][0]] + [len(W) for _, W, _, _ in self.layers]
        updates_per_epoch = -(-n_examples // batch_size)
        every = ("epoch", 1) if record is True else ("update", record)
        self.recording = Recording(sizes, [(a.name, a.k) for _, _, _, a in self.layers], loss.display_name,
                                   decision, every, updates_per_epoch, loss_formula=loss.formula or "")
        one = 16 * sum(n_in * n_out + n_out for n_in, n_out in zip(sizes, sizes[1:]))
        if 2 * one > self.max_bytes:
            raise ValueError(f"fit record: one snapshot of this {'-'.join(map(str, sizes))} network takes "
                             f"{one / 1e6:.3g} MB (weights and gradients); a recording holds at most "
                             f"{self.max_bytes / 1e6:.3g} MB (nn.record.MAX_BYTES), so record a smaller network")
        self.update, self._index, self._counts, self._bytes = 0, None, [], 0

    def before_update(self, path, epoch, seen, n_examples, batch_loss):
        """Called with ∂C/∂θ of the next batch ready; `seen` examples of this epoch came before it."""
        unit, n = self.recording.every
        count = epoch if unit == "epoch" else self.update  # snapshots sit at multiples of n of it
        if (unit == "update" or seen == 0) and count % n == 0:
            self._take(path, count, epoch + seen / n_examples, batch_loss, gradients=True)
        self.update += 1

    def finish(self, path, epochs_done):
        """The trained network, after the last update (no gradient: no batch follows)."""
        snapshots = self.recording.snapshots
        if not snapshots or snapshots[-1].update != self.update:
            self._take(path, None, float(epochs_done), None, gradients=False)
        return self.recording

    def _take(self, path, count, epoch, batch_loss, gradients):
        parameters, theta, grad = path.parameter_arrays()
        index = self._positions(parameters)
        weights = [(theta[w], theta[b]) for w, b in index]
        grads = [(grad[w], grad[b]) for w, b in index] if gradients else None
        snapshot = Snapshot(self.update, float(epoch), weights, grads, None if batch_loss is None else float(batch_loss))
        self.recording.snapshots.append(snapshot)
        self._counts.append(count)
        self._bytes += _snapshot_bytes(snapshot)
        while self._bytes > self.max_bytes and len(self.recording.snapshots) > 2:
            self._thin()

    def _thin(self):
        """Keep the snapshots at multiples of twice the interval: the same even spacing, half the memory.

        The first snapshot (count 0) stays, and so does the last one of a finished fit (count None)."""
        recording = self.recording
        unit, n = recording.every
        kept = [(s, c) for s, c in zip(recording.snapshots, self._counts) if c is None or c % (2 * n) == 0]
        recording.snapshots, self._counts = [s for s, _ in kept], [c for _, c in kept]
        self._bytes = sum(_snapshot_bytes(s) for s in recording.snapshots)
        recording.every = (unit, 2 * n)
        if recording.thinned == 0:
            warnings.warn(f"fit record: the recording reached {self.max_bytes / 1e6:.3g} MB (nn.record.MAX_BYTES), "
                          f"so every second snapshot was dropped; it now keeps one every {2 * n} {unit}s "
                          f"(and doubles the interval again when needed)", RecordingThinnedWarning, stacklevel=2)
        recording.thinned += 1

    def _positions(self, parameters):
        """Per layer, the index arrays of W (nout, nin) and b (nout) into the path's flat θ."""
        if self._index is None:
            where = {id(p): i for i, p in enumerate(parameters)}
            try:
                self._index = [(np.array([[where[id(w)] for w in row] for row in W]),
                                np.array([where[id(bias)] for bias in b]))
                               for _, W, b, _ in self.layers]
            except KeyError:
                raise ValueError("fit record: the optimizer does not update every weight of the model") from None
        return self._index


def _layers(model):
    """[(nin, W, b, activation) per layer]: W the rows of weight Values (nout × nin), b the bias
    Values, of an nn.MLP, nn.Layer, nn.Linear or nn.Sequential: what a recording can describe."""
    if isinstance(model, (Linear, Sequential)):
        return _sequential_layers(model)
    layers = getattr(model, "layers", None)
    if layers is None and hasattr(model, "neurons"):
        layers = [model]
    if not layers or not all(hasattr(layer, "neurons") and hasattr(layer, "activation") for layer in layers):
        raise TypeError(f"fit record: a recording describes a network by its layers; {type(model).__name__} "
                        f"has none (record an nn.MLP or nn.Layer, or an nn.Sequential of nn.Linear layers, "
                        f"each followed by at most one activation module)")
    return [(layer.nin, [neuron.w for neuron in layer.neurons], [neuron.b for neuron in layer.neurons],
             layer.activation) for layer in layers]


def _sequential_layers(model):
    """The layers of a Sequential read as an MLP's: its k-th Linear (depth first, as its labels
    count them) is layer k + 1, its activation the module right after it ("linear" if none).

    An Identity (a = z, no node) is passed over; anything else that is not one Linear and at
    most one activation after it is refused by position, as a recording has no word for it."""
    layers, owner = [], {}  # owner: id of a weight Value -> (name, module) of the Linear holding it
    activated = None  # (name, module) of the activation of the last layer, once it has one
    for name, module in _modules(model):
        if _is_identity(module):
            continue
        if _is_linear(module):
            _check_linear(name, module, owner)
            layers.append((module.in_features, module.weight, module.bias, Activation("linear")))
            activated = None
        elif _is_activation(module):
            if not layers:
                raise TypeError(f"fit record: {_where(name, module)} comes before any Linear; a recording "
                                f"applies each activation to the z of the layer before it")
            if activated:
                raise TypeError(f"fit record: {_where(name, module)} follows another activation, "
                                f"{_where(*activated)}; a recording gives each layer one activation")
            layers[-1] = layers[-1][:3] + (module.activation,)
            activated = (name, module)
        else:
            raise TypeError(f"fit record: {_where(name, module)} is not a layer; a recording describes a "
                            f"Sequential of nn.Linear layers, each followed by at most one activation module "
                            f"(nn.Tanh, nn.Sigmoid, nn.ReLU, nn.Softmax, ...)")
    return layers


def _check_linear(name, linear, owner):
    """A recorded layer has a bias per neuron and weights of its own (owner: the Values met so far)."""
    if linear.bias is None:
        raise TypeError(f"fit record: {_where(name, linear)} has no bias; a recording's layer has a bias "
                        f"b(l)_j per neuron (use bias=True to record it)")
    values = list(chain(chain.from_iterable(linear.weight), linear.bias))
    for value in values:
        if id(value) in owner:
            first = owner[id(value)]
            again = "the same Linear as" if first[1] is linear else "a Linear sharing weights with"
            raise TypeError(f"fit record: {_where(name, linear)} is {again} {_where(*first)}: tied "
                            f"weights, and a recording gives each layer weights of its own")
    owner.update((id(value), (name, linear)) for value in values)


def _modules(model):
    """(dotted name, module) of a Linear or Sequential, through the Sequentials inside it, depth
    first: the order its forward runs them (a Sequential that runs its own way is left whole)."""
    if not isinstance(model, Sequential) or not _runs_as(model, Sequential, "__call__", "forward"):
        yield "", model
        return
    for name, module in model.named_children():
        if isinstance(module, Sequential) and _runs_as(module, Sequential, "__call__", "forward"):
            yield from ((f"{name}.{inner}", m) for inner, m in _modules(module))
        else:
            yield name, module


def _runs_as(module, cls, *methods):
    """Whether module computes what cls does: it is one, and overrides none of these methods."""
    return isinstance(module, cls) and all(getattr(type(module), m) is getattr(cls, m) for m in methods)


def _is_linear(module):
    return _runs_as(module, Linear, "__call__", "forward")


def _is_activation(module):
    """An activation module applying its nn.Activation as the notes' σ (Softmax: the whole layer)."""
    if isinstance(module, Softmax):
        return _runs_as(module, Softmax, "forward")
    return _runs_as(module, ActivationModule, "forward")


def _is_identity(module):
    """a = z, no node at all: an Identity, or linear with k = 1, is no part of any layer."""
    return _is_activation(module) and module.activation.name == "linear" and module.activation.k == 1.0


def _where(name, module):
    """"the Sequential's module '1.0' (Tanh())": a module's position and its repr's first line."""
    shown = repr(module)
    if "\n" in shown:  # Module's repr: a heading, then one line per child
        shown = shown.split("\n", 1)[0].removesuffix("(")
    shown = shown if len(shown) <= 80 else shown[:77] + "..."
    return f"the Sequential's module {name!r} ({shown})" if name else shown


def decision(loss, nout, Y):
    """How outputs become a class, as data: what nn.classify's rule does for this loss and targets."""
    if nout > 1:
        if loss.name in ("bce", "bce_with_logits"):  # PyTorch's BCE losses: n labels, no one class
            return None
        return {"rule": "argmax"} if loss.classifies or _class_targets(Y, nout) else None
    named = {"bce": (0.5, [0, 1]), "bce_with_logits": (0.0, [0, 1]), "hinge": (0.0, [-1, 1])}
    if loss.name in named:
        at, classes = named[loss.name]
        return {"rule": "threshold", "at": at, "classes": classes}
    labels = set() if Y is None else set(np.unique(np.asarray(Y, dtype=float)).tolist())
    if labels and labels <= {0.0, 1.0}:
        return {"rule": "threshold", "at": 0.5, "classes": [0, 1]}
    if labels and labels <= {-1.0, 1.0}:
        return {"rule": "threshold", "at": 0.0, "classes": [-1, 1]}
    return None


def _class_targets(Y, nout):
    if Y is None:
        return False
    Y = np.asarray(Y, dtype=float)
    if Y.ndim == 2 and Y.shape[1] == 1:
        Y = Y[:, 0]
    if Y.ndim == 1:
        return bool(np.all((Y == np.floor(Y)) & (Y >= 0) & (Y < nout)))
    return bool(np.all((Y == 0.0) | (Y == 1.0)) and np.all((Y == 1.0).sum(axis=1) == 1))


def recorder_for(record, model, loss, Y, n_examples, batch_size):
    """fit's Recorder for record=True / k, or None when record is None or False."""
    record = check_record(record)
    if not record:
        return None
    return Recorder(record, model, loss, decision(loss, model.nout, Y), n_examples, batch_size)
