"""Watch a network learn: one offline page that replays a recorded `nn.fit`.

    history = nn.fit(model, X, y, ..., record=True)
    page = viz.training(history, X, y)      # shows itself inline in Jupyter
    page.save("training.html")              # one self-contained file, opens from file://

The page has a slider and Play/Pause across the snapshots; the network with every weight
w(l)_j,k as an edge (colour: sign, width: size) and every neuron's bias b(l)_j, with a
switch to show the gradients ∂C/∂w(l)_j,k, ∂C/∂b(l)_j instead; the loss and accuracy
curves with a marker at the snapshot; and for 2-input data the decision regions with the
data points, for other data the confusion matrix and the accuracy per class.

Everything the page shows is computed here, in Python: the regions and predictions by
replaying each snapshot's weights with numpy (viz.replay). The page only draws.

A big network (more than MAX_NEURONS_DRAWN neurons in a layer, or more than MAX_EDGES_DRAWN
weights) is drawn by layer: each W(l) as a heatmap, each b(l) as a strip. A page is at most
MAX_PAGE_BYTES (5 MB): a longer recording is thinned to evenly spaced snapshots, with a
TrainingPageThinnedWarning, and a network of which two snapshots would not fit is refused.
"""

import re
import warnings
from importlib.resources import files

import numpy as np

from .checks import as_choice, as_digits, as_int, as_real, as_text
from .escape import script_json, xml_text
from .page import HtmlPage, unique_id
from .replay import Decision, forward

MAX_PAGE_BYTES = 5_000_000
MAX_NEURONS_DRAWN = 24   # per layer, to draw by neuron
MAX_EDGES_DRAWN = 800    # weights in the whole network, to draw by neuron
MAX_POINTS_DRAWN = 600   # data points over the decision regions (the accuracy uses them all)
GRID = 50                # decision regions: GRID x GRID cells per snapshot
LEVELS = 4               # shades of sureness per class in the regions
CODES = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_"  # region cell: class * LEVELS + shade
MAX_REGION_CLASSES = len(CODES) // LEVELS
MAX_CONFUSION_CLASSES = 30


_MARKER = re.compile(r"%(ID|TITLE|CSS|DATA|JS)%")


class TrainingPageThinnedWarning(UserWarning):
    """The recording had more snapshots than fit in MAX_PAGE_BYTES; the page shows evenly spaced ones."""


def training(history, X, y, *, by=None, grid=GRID, digits=4, max_bytes=MAX_PAGE_BYTES, title=None):
    """The replay page of a recorded fit, as a viz.page.HtmlPage (`.save(path)`, inline in Jupyter).

    history    what nn.fit(..., record=True or k) returned (its `.recording` is used)
    X, y       the data to show: decision regions with these points (2 inputs), or their
               confusion matrix; usually the training set
    by         "neuron" or "layer" (heatmaps); None: by neuron when the network is small enough
    grid       decision-region cells per side, computed per snapshot
    digits     significant digits of every number on the page
    max_bytes  the page's size limit; past it, snapshots are thinned evenly
    """
    recording = _recording(history)
    X, y = _data(recording, X, y)
    by = _by(recording, by)
    grid, digits = _grid(grid), as_digits(digits, "viz.training digits")
    as_real(max_bytes, "viz.training max_bytes", positive=True)
    as_text(title, "viz.training title", optional=True)
    decision = Decision(recording.decision, recording.activations) if recording.decision else None
    _check_classes(decision, y, recording.sizes[-1])
    classes = decision.names(recording.sizes[-1]) if decision else None
    regions = decision is not None and X.shape[1] == 2 and len(classes) <= MAX_REGION_CLASSES
    view = _View(recording, X, y, decision, regions, grid, digits)

    fixed = view.fixed(history, by, classes, title)
    fixed.update(thinned="x" * 200, snapshots=[])  # room for the note a thinned page carries
    base = len(_page(fixed).html.encode("utf-8"))
    count = len(recording.snapshots)
    sample = sorted(set(np.linspace(0, count - 1, min(count, 12)).round().astype(int).tolist()))
    one = max(len(script_json(view.snapshot(i))) + 1 for i in sample)
    fits = count
    while True:
        chosen, note = _fit_in(count, one, base, max_bytes, recording, fits)
        fixed.update(thinned=note, snapshots=[view.snapshot(i) for i in chosen])
        page = _page(fixed)
        size = len(page.html.encode("utf-8"))
        if size <= max_bytes:
            break
        fits = len(chosen) - max(1, int(len(chosen) * (1 - max_bytes / size)) + 1)  # the sample underestimated
    if note:
        warnings.warn(f"viz.training: {note}", TrainingPageThinnedWarning, stacklevel=2)
    return page


def _recording(history):
    if not hasattr(history, "recording"):
        raise TypeError(f"viz.training history: expected the History that nn.fit(..., record=True) returns, "
                        f"got {type(history).__name__} {history!r:.60}")
    recording = history.recording
    if recording is None:
        raise ValueError("viz.training: this History has no recording; train with "
                         "nn.fit(..., record=True) (a snapshot per epoch) or record=k (every k updates)")
    if len(recording.snapshots) < 1:
        raise ValueError("viz.training: the recording has no snapshots")
    return recording


def _data(recording, X, y):
    X = _numbers(X, "X")
    n_in = recording.sizes[0]
    if X.ndim != 2 or X.shape[1] != n_in:
        raise ValueError(f"viz.training X: expected an array (N, {n_in}) for this {n_in}-input network, "
                         f"got shape {X.shape}")
    if len(X) == 0:  # the regions' extent and the accuracy need at least one point
        raise ValueError(f"viz.training X: expected at least one example, got shape {X.shape}")
    if not np.all(np.isfinite(X)):
        raise ValueError("viz.training X: holds nan or inf")
    given, y = y, _numbers(y, "y")
    if y.ndim == 0:  # a number, or None (which numpy reads as nan)
        raise TypeError(f"viz.training y: expected one target per row of X, got {type(given).__name__} {given!r:.60}")
    if len(y) != len(X):
        raise ValueError(f"viz.training y: expected {len(X)} targets (one per row of X), got {len(y)}")
    shapes = list(dict.fromkeys([(len(X),), (len(X), 1), (len(X), recording.sizes[-1])]))
    if y.shape not in shapes:
        raise ValueError(f"viz.training y: expected shape {', '.join(map(str, shapes[:-1]))} or {shapes[-1]}, "
                         f"got {y.shape}")
    if not np.all(np.isfinite(y)):
        raise ValueError("viz.training y: holds nan or inf")
    return X, y


def _numbers(array, name):
    """An array of floats; numpy's own error ("could not convert string to float") names no argument."""
    try:
        return np.asarray(array, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"viz.training {name}: expected an array of numbers, got {type(array).__name__} "
                        f"{array!r:.60}") from None


def _check_classes(decision, y, nout):
    """Class indices (argmax, one index per example) must be classes of the network: the confusion
    matrix would clip one out of range into the last class. Errors as nn's losses give them."""
    if decision is None or decision.rule != "argmax" or y.shape[1:] not in ((), (1,)):
        return
    index = y.reshape(-1)
    wrong = np.flatnonzero((index != np.floor(index)) | (index < 0) | (index >= nout))
    if wrong.size:
        i, c = int(wrong[0]), float(index[wrong[0]])
        if c != int(c):
            raise ValueError(f"viz.training y[{i}]: a class index must be a whole number, got {c:g} ({nout} classes)")
        raise IndexError(f"viz.training y[{i}]: class index {c:g} is out of range for {nout} classes "
                         f"(expected 0 to {nout - 1})")


def _by(recording, by):
    by = as_choice(by, "viz.training by", ("neuron", "layer", None), hint=" (choose by size)")
    if by is not None:
        return by
    sizes = recording.sizes
    edges = sum(a * b for a, b in zip(sizes, sizes[1:]))
    return "neuron" if max(sizes) <= MAX_NEURONS_DRAWN and edges <= MAX_EDGES_DRAWN else "layer"


def _grid(grid):
    """Cells per side, an int as digits= is: grid=2.0 or True is a TypeError, grid=2 a ValueError."""
    return as_int(grid, "viz.training grid", 4, 200, hint=" (cells per side)")


def _fit_in(count, one, base, max_bytes, recording, at_most):
    """Which snapshots the page keeps (indices), and a note when not all: evenly spaced, first and last kept."""
    fits = min(at_most, (max_bytes - base) // one if max_bytes > base else 0)
    if fits >= count:
        return list(range(count)), None
    if fits < 2:
        raise ValueError(f"viz.training: one snapshot of this {'-'.join(map(str, recording.sizes))} network "
                         f"takes {one / 1e6:.3g} MB of the page and the rest {base / 1e6:.3g} MB, so not even "
                         f"two fit in max_bytes={max_bytes / 1e6:.3g} MB; pass a larger max_bytes=, fewer "
                         f"points or a smaller grid=")
    chosen = sorted(set(np.linspace(0, count - 1, int(fits)).round().astype(int).tolist()))
    return chosen, (f"this page shows {len(chosen)} of the recording's {count} snapshots, evenly spaced, "
                    f"to stay under {max_bytes / 1e6:.3g} MB (viz.training max_bytes=)")


class _View:
    """Per-snapshot page data, computed from the recording with numpy."""

    def __init__(self, recording, X, y, decision, regions, grid, digits):
        self.recording, self.X, self.decision, self.digits = recording, X, decision, digits
        self.truth = decision.truth(y, len(X)) if decision else None
        self.grid = None
        if regions:
            (x0, x1), (y0, y1) = [(c.min(), c.max()) for c in X.T]
            pad_x, pad_y = 0.1 * (x1 - x0 or 1.0), 0.1 * (y1 - y0 or 1.0)
            self.box = [x0 - pad_x, x1 + pad_x, y0 - pad_y, y1 + pad_y]
            gx = np.linspace(self.box[0], self.box[1], grid)
            gy = np.linspace(self.box[3], self.box[2], grid)  # top row first, as an image
            self.grid = np.column_stack([np.tile(gx, grid), np.repeat(gy, grid)])
            self.grid_size = grid
            shown = np.random.default_rng(0).permutation(len(X))[:MAX_POINTS_DRAWN]
            self.shown = np.sort(shown)

    def number(self, value):
        return float(f"{value:.{self.digits}g}")

    def numbers(self, array):
        return [float(f"{v:.{self.digits}g}") for v in np.asarray(array).ravel().tolist()]

    def fixed(self, history, by, classes, title):
        r = self.recording
        unit, n = r.every
        data = {
            "title": title or f"Training a {'-'.join(map(str, r.sizes))} network ({r.loss})",
            "sizes": r.sizes,
            "activations": [name if k is None or (name == "linear" and k == 1.0) else f"{name}(k={k:g})"
                            for name, k in r.activations],
            "activationSpecs": [[name, k] for name, k in r.activations],  # the page writes a = f(z) from these
            "loss": r.loss,
            "lossFormula": r.loss_formula,
            "by": by,
            "classes": classes,
            "every": f"every {n} {unit}{'s' if n > 1 else ''}" if n > 1 else f"every {unit}",
            "updatesPerEpoch": r.updates_per_epoch,
            "curves": _curves(history, self.number),
            "scale": self.scales(),
            "examples": len(self.X),
        }
        if self.grid is not None:
            data["regions"] = {"grid": self.grid_size, "box": self.numbers(self.box), "levels": LEVELS,
                               "codes": CODES,
                               "points": [self.numbers(self.X[i]) + [int(self.truth[i])] for i in self.shown]}
        return data

    def scales(self):
        """Per layer, the largest |w| and |b| over the whole recording: each layer's colour scale,
        fixed for every snapshot (so a weight's colour changes only when the weight does)."""
        snapshots = self.recording.snapshots
        layers = range(len(self.recording.sizes) - 1)
        w = [max(float(np.max(np.abs(s.weights[l][0]), initial=0.0)) for s in snapshots) for l in layers]
        b = [max(float(np.max(np.abs(s.weights[l][1]), initial=0.0)) for s in snapshots) for l in layers]
        return {"w": [self.number(v or 1.0) for v in w], "b": [self.number(v or 1.0) for v in b]}

    def snapshot(self, i):
        s = self.recording.snapshots[i]
        data = {"update": s.update, "epoch": self.number(s.epoch),
                "loss": None if s.batch_loss is None else self.number(s.batch_loss),
                "w": [self.numbers(W) for W, _ in s.weights], "b": [self.numbers(b) for _, b in s.weights],
                "gw": None, "gb": None}
        if s.gradients is not None:
            data["gw"] = [self.numbers(W) for W, _ in s.gradients]
            data["gb"] = [self.numbers(b) for _, b in s.gradients]
        if self.decision is not None:
            data.update(self.classified(s.weights))
        return data

    def classified(self, weights):
        activations = self.recording.activations
        predicted = self.decision.classes(forward(weights, activations, self.X))
        right = predicted == self.truth
        data = {"accuracy": self.number(float(np.mean(right)))}
        if self.grid is not None:
            outputs = forward(weights, activations, self.grid)
            cls, sure = self.decision.classes(outputs), self.decision.sureness(outputs)
            k = len(self.decision.names(self.recording.sizes[-1]))
            shade = np.clip(((sure - 1.0 / k) / (1.0 - 1.0 / k) * LEVELS).astype(int), 0, LEVELS - 1)
            data["region"] = "".join(CODES[c] for c in (cls * LEVELS + shade).tolist())
            data["wrong"] = [int(j) for j, i in enumerate(self.shown) if not right[i]]
        else:
            k = len(self.decision.names(self.recording.sizes[-1]))
            if k <= MAX_CONFUSION_CLASSES:
                confusion = np.zeros((k, k), dtype=int)
                np.add.at(confusion, (self.truth.clip(0, k - 1), predicted), 1)
                data["confusion"] = confusion.tolist()
            per_class = [float(np.mean(right[self.truth == c])) if np.any(self.truth == c) else None
                         for c in range(k)]
            data["perClass"] = [None if a is None else self.number(a) for a in per_class]
        return data


def _curves(history, number):
    def series(values):
        values = list(values or [])
        return [None if v is None else number(v) for v in values] if any(v is not None for v in values) else None
    return {"loss": series(history.loss), "accuracy": series(history.accuracy),
            "valLoss": series(history.val_loss), "valAccuracy": series(history.val_accuracy)}


def _resource(name):
    return files("viz").joinpath(name).read_text(encoding="utf-8")


def _page(data):
    """The HtmlPage of this data; each render of it gets its own root id (see viz.page)."""
    root = unique_id("tg-training")
    parts = {"ID": root, "TITLE": xml_text(data["title"]), "CSS": _resource("training.css"),
             "DATA": script_json(data), "JS": _resource("training.js")}
    # One pass over the template, so that a title containing "%DATA%" (say) is never replaced.
    return HtmlPage(data["title"], _MARKER.sub(lambda m: parts[m[1]], _resource("training.html")), root)

