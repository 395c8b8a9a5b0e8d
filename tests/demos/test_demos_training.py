"""demos.training and the tour's section 4: the two replay pages, their content and size, and
the screenshots taken in Chromium."""

import json
import re

import pytest

from demos import __main__ as tour
from demos import training

from tests.support import require_chromium


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    out = tmp_path_factory.mktemp("training")
    return training.run(out=out, quick=True)[0], out


def page_data(path):
    text = path.read_text(encoding="utf-8")
    return json.loads(re.search(r'<script type="application/json" class="tg-data">(.*?)</script>', text, re.S)[1])


def test_the_moons_page_is_drawn_by_neuron_with_decision_regions(pages):
    moons = pages[0][0]
    data = page_data(moons.path)
    assert moons.path.name == "training_moons.html" and data["sizes"] == [2, 16, 16, 1]
    assert data["by"] == "neuron" and "regions" in data and data["curves"]["valLoss"] is not None
    assert len(data["snapshots"]) == moons.history.epochs + 1  # one per epoch, and the trained network
    assert data["snapshots"][-1]["accuracy"] == pytest.approx(moons.accuracy, abs=1e-4)


def test_the_digits_page_is_drawn_by_layer_with_a_confusion_matrix(pages):
    digits = pages[0][1]
    data = page_data(digits.path)
    assert data["sizes"] == [64, 32, 10] and data["by"] == "layer" and "regions" not in data
    last = data["snapshots"][-1]
    assert len(last["confusion"]) == 10 and sum(map(sum, last["confusion"])) == data["examples"]
    assert last["accuracy"] == pytest.approx(digits.accuracy, abs=1e-4)


def test_the_tour_writes_both_pages(tmp_path, capsys):
    tour.main(["--quick", "--out", str(tmp_path)])
    listed = {p.split("/")[-1] for p in capsys.readouterr().out.split("wrote:")[-1].split()}
    assert {"training_moons.html", "training_digits.html"} <= listed


def test_screenshots_are_pictures_of_the_pages(pages):
    require_chromium()
    found, out = pages
    pngs = training.screenshots(found, out)
    assert [p.name for p in pngs] == ["training_moons.png", "training_digits.png"]
    assert all(p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and p.stat().st_size > 20_000 for p in pngs)
