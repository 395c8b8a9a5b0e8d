"""The committed tour page (docs/tour/notes_network_stepper.html) is what the code writes today:
`make demo` regenerates it, and this test fails when the code and the committed page drift apart."""

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

from demos import notes_network
from demos.notes_examples import Figure5

TOUR = Path(__file__).parents[2] / "docs" / "tour"


def without_page_id(html):
    """The page with its random id (unique per stepper object) replaced by a fixed one."""
    page_id = re.search(r'<div class="tg-stepper" id="([^"]+)"', html)[1]
    return html.replace(page_id, "PAGE-ID")


def test_the_committed_figure5_stepper_is_what_the_code_writes(tmp_path):
    _, page = notes_network.pictures(Figure5(), tmp_path)
    committed = (TOUR / "notes_network_stepper.html").read_text(encoding="utf-8")
    assert without_page_id(page.read_text(encoding="utf-8")) == without_page_id(committed), (
        "docs/tour is out of date: run `make demo` (or python -m demos.notes_network --out docs/tour)")


def test_the_tour_page_steps_through_figure5_in_the_notes_words():
    html = (TOUR / "notes_network_stepper.html").read_text(encoding="utf-8")
    data = json.loads(re.search(r'<script type="application/json" class="tg-data">(.*?)</script>', html, re.S)[1])
    texts = [step["text"] for step in data["steps"]]
    assert len(texts) == 46 and texts[-1].startswith("∂C/∂x_4 = Σ_j δ(2)_j · w(2)_j,4")
    for equation in ("(BP1", "(BP2)", "(BP3)", "(BP4)"):
        assert any(equation in text for text in texts)
    svg = html[html.index("<svg"):html.index("</svg>") + 6]
    shown = [t.text or "" for t in ET.fromstring(svg).iter("{http://www.w3.org/2000/svg}text")]
    for text in texts + shown + [step["name"] for step in data["steps"]]:
        assert not re.search(r"#\d", text), text
