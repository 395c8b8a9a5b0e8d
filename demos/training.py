"""Watch a network learn: the replay pages of two recorded fits (viz.training).

    python -m demos.training [--out DIR] [--quick] [--screenshots]

1. two moons: an MLP 2-16-16-1 (tanh, a linear output read as a logit, BCE with logits) trained
   by mini-batch SGD, a snapshot per epoch. Drawn by neuron: every weight w(l)_j,k an edge,
   every bias b(l)_j on its neuron, and the decision regions over the plane with the points.
2. the notes' 64-32-10 logistic network on scikit-learn's 8x8 digits (C_x = 1/2 ‖y - a‖²,
   η = 3, m = 10, as in demos.digits), a snapshot per epoch. Drawn by layer (W(l) as heatmaps),
   with the confusion matrix of the held-out digits.

Each page is one offline HTML file. --screenshots also takes a PNG of each in Chromium (the
pictures of the README and the tour).
"""

from dataclasses import dataclass

import numpy as np

import nn
import viz
from nn.datasets import two_moons

from . import digits
from .common import output_dir, parser

MOONS_EPOCHS, DIGITS_EPOCHS = 40, 20


@dataclass
class Page:
    name: str
    path: object
    history: object
    accuracy: float       # on the data the page shows, at the last snapshot
    kilobytes: float


def moons_page(out, quick=False):
    X, y = two_moons(100, noise=0.15, seed=0)
    validation = two_moons(100, noise=0.15, seed=1)
    model = nn.MLP(2, [16, 16, 1], activation="tanh", seed=0)
    history = nn.fit(model, X, y, loss=nn.bce_with_logits, epochs=10 if quick else MOONS_EPOCHS, batch_size=10,
                     lr=0.1, seed=0, progress=False, record=True, validation=validation)
    page = viz.training(history, X, y, title="Two moons: an MLP 2-16-16-1 learns to separate them")
    path = page.save(output_dir(out) / "training_moons.html")
    return Page("two moons", path, history, nn.accuracy(model, X, y, loss=nn.bce_with_logits),
                path.stat().st_size / 1e3)


def digits_page(out, quick=False):
    X_train, X_test, y_train, y_test = digits.load_sklearn_digits()
    if quick:
        X_train, y_train = X_train[:300], y_train[:300]
    model = digits.network(64, digits.HIDDEN)
    # the notes' C_x itself (not nn.sse = 2 C_x at η/2): the page shows its C and ∂C/∂w
    history = nn.fit(model, X_train, np.eye(10)[y_train], loss=digits.QUADRATIC_COST,
                     epochs=3 if quick else DIGITS_EPOCHS, batch_size=digits.BATCH_SIZE, lr=digits.ETA, seed=0,
                     progress=False, record=True, validation=(X_test, np.eye(10)[y_test]), compiled=True)
    page = viz.training(history, X_test, y_test,
                        title="Handwritten digits: the notes' 64-32-10 logistic network, mini-batch SGD")
    path = page.save(output_dir(out) / "training_digits.html")
    accuracy = float(np.mean(model.predict(X_test).argmax(axis=1) == y_test))
    return Page("digits", path, history, accuracy, path.stat().st_size / 1e3)


def screenshots(pages, out):
    """One PNG per page in Chromium, at a snapshot early in training where the learning shows."""
    from .browser import chromium, screenshot

    def moons(page):
        page.fill(".tg-slider", "6")
        page.click(".tg-net .tg-hit >> nth=20")   # pin a weight: the panel shows its value and gradient

    def digits_view(page):
        page.fill(".tg-slider", "10")
        page.hover(".tg-tiles canvas >> nth=4")  # one hidden neuron's weights as an 8x8 picture

    prepare = {"two moons": moons, "digits": digits_view}
    with chromium() as browser:
        return [screenshot(browser, p.path, output_dir(out) / p.path.with_suffix(".png").name, prepare[p.name])
                for p in pages]


def run(out="out", quick=False, pictures=False):
    pages = [moons_page(out, quick), digits_page(out, quick)]
    return pages, screenshots(pages, out) if pictures else []


def main(argv=None):
    p = parser("demos.training", "watch a network learn: replay pages of two recorded fits")
    p.add_argument("--screenshots", action="store_true", help="also a PNG of each page, taken in Chromium")
    args = p.parse_args(argv)
    pages, pngs = run(args.out, args.quick, args.screenshots)
    for page in pages:
        recording = page.history.recording
        print(f"{page.name}: {'-'.join(map(str, recording.sizes))}, {len(recording.snapshots)} snapshots, "
              f"accuracy {page.accuracy:.1%} at the end; {page.path} ({page.kilobytes:.0f} kB)")
    for png in pngs:
        print(f"wrote {png}")
    return pages


if __name__ == "__main__":
    main()
