"""How big and how quick viz.training's pages are (`python -m bench.training_page`).

Two pages of the notes' 64-32-10 digits network (drawn by layer), measured in Chromium:
- the tour's page: 20 epochs, a snapshot per epoch (demos.training.digits_page);
- the largest page there can be: a snapshot at every one of 2,880 updates, which the page
  thins to MAX_PAGE_BYTES (5 MB).
For each: the file's size, Python's time to build it, the time from opening the file to the
page being drawn (median of LOADS fresh tabs), and the time to draw one snapshot after a
slider move (median over every snapshot, weights and gradients), layout included.
"""

import argparse
import statistics
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

import nn
import viz
from demos import digits, training

from .common import print_table

LOADS = 5

# In the page: move the slider to every snapshot and time each redraw, layout included.
RENDER_EVERY_SNAPSHOT = """(mode) => {
  const root = document.querySelector('.tg-training'), slider = root.querySelector('.tg-slider');
  root.querySelector('.tg-show input[value=' + mode + ']').click();
  const times = [];
  for (let i = 0; i <= +slider.max; i++) {
    const start = performance.now();
    slider.value = String(i);
    slider.dispatchEvent(new Event('input'));
    void root.offsetHeight;
    times.push(performance.now() - start);
  }
  return times;
}"""


def every_update_history(epochs=digits.EPOCHS):
    X_train, X_test, y_train, y_test = digits.load_sklearn_digits()
    model = digits.network(64, digits.HIDDEN)
    with warnings.catch_warnings():  # expected: 2,880 snapshots of 38.6 kB pass nn.record.MAX_BYTES
        warnings.simplefilter("ignore", nn.RecordingThinnedWarning)
        history = nn.fit(model, X_train, np.eye(10)[y_train], loss=nn.sse, epochs=epochs,
                         batch_size=digits.BATCH_SIZE,
                         lr=digits.ETA / 2, seed=0, progress=False, record=1,
                         validation=(X_test, np.eye(10)[y_test]))
    return history, X_test, y_test


def build_pages(out, quick=False):
    """[(name, path, seconds to build, snapshots in the page, snapshots recorded)]."""
    start = time.perf_counter()
    tour = training.digits_page(out, quick=quick)
    pages = [("tour: a snapshot per epoch", tour.path, time.perf_counter() - start,
              len(tour.history.recording.snapshots), len(tour.history.recording.snapshots))]
    history, X, y = every_update_history(epochs=2 if quick else digits.EPOCHS)
    start = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        page = viz.training(history, X, y)
    path = page.save(Path(out) / "training_digits_every_update.html")
    kept = page.html.count('"update":')
    note = " (thinned)" if any(issubclass(w.category, viz.TrainingPageThinnedWarning) for w in caught) else ""
    pages.append((f"a snapshot every update{note}", path, time.perf_counter() - start, kept,
                  len(history.recording.snapshots)))
    return pages


def measure_in_chromium(path, loads=LOADS):
    """(median load seconds, median ms per snapshot drawn with weights, with gradients)."""
    from demos.browser import chromium
    with chromium() as browser:
        seconds = []
        for _ in range(loads):
            tab = browser.new_page(viewport={"width": 1280, "height": 1000})
            start = time.perf_counter()
            tab.goto(Path(path).resolve().as_uri())
            tab.wait_for_selector(".tg-training[data-ready='1']")
            seconds.append(time.perf_counter() - start)
            tab.close()
        tab = browser.new_page(viewport={"width": 1280, "height": 1000})
        tab.goto(Path(path).resolve().as_uri())
        tab.wait_for_selector(".tg-training[data-ready='1']")
        per_snapshot = [statistics.median(tab.evaluate(RENDER_EVERY_SNAPSHOT, mode)) for mode in ("w", "g")]
    return statistics.median(seconds), per_snapshot


def run(quick=False):
    """Rows of [page, snapshots kept of recorded, size, build, load, draw w, draw ∂C/∂w]."""
    with tempfile.TemporaryDirectory() as out:
        rows = []
        for name, path, build, kept, recorded in build_pages(out, quick):
            try:
                load, (weights_ms, grads_ms) = measure_in_chromium(path, 2 if quick else LOADS)
                shown = [f"{load * 1e3:.0f} ms", f"{weights_ms:.1f} ms", f"{grads_ms:.1f} ms"]
            except RuntimeError as error:  # no Chromium here: say so, keep the sizes
                shown = [str(error)] + [""] * 2
            rows.append([name, f"{kept} of {recorded}", f"{Path(path).stat().st_size / 1e6:.2f} MB",
                         f"{build:.2f} s", *shown])
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.training_page", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="a few epochs and 2 loads: checks that it runs, no figures to quote")
    args = parser.parse_args(argv)
    rows = run(args.quick)
    print_table("viz.training pages of the 64-32-10 digits network (drawn by layer), in Chromium "
                f"(load: median of {LOADS} fresh tabs; per snapshot: median over every snapshot)",
                ["page", "snapshots", "size", "build (Python)", "load", "draw a snapshot: w", "draw: ∂C/∂w"], rows)
    return rows


if __name__ == "__main__":
    main()
