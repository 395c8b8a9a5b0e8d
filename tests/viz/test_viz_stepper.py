"""The backward stepper page: self-contained, safe with any label, and right in a real browser."""

import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import autograd
import viz
import viz.scene
from autograd import Value
from autograd.engine import gradients
from viz.escape import visible
from viz.style import compact

from tests.support import launch_chromium, require_chromium

SVG = "{http://www.w3.org/2000/svg}"


def neuron_cost(b_label="b"):
    x = [Value(2.0, label="x1"), Value(-1.0, label="x2")]
    w = [Value(-3.0, label="w1"), Value(1.0, label="w2")]
    z = autograd.dot(w, x, Value(6.8813735870195432, label=b_label))
    z.label = "z"
    a = z.tanh()
    a.label = "a"
    cost = (a - 1) ** 2 * 0.5
    cost.label = "C"
    return cost


class PageParts(HTMLParser):
    """The script elements of a page, and every tag name, as a browser's tokenizer sees them."""

    def __init__(self):
        super().__init__()
        self.scripts, self.tags, self._in_script = [], [], None

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag == "script":
            self._in_script = dict(attrs)
            self.scripts.append([dict(attrs), ""])

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = None

    def handle_data(self, data):
        if self._in_script is not None:
            self.scripts[-1][1] += data


def page_parts(path):
    parser = PageParts()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def test_the_page_is_one_self_contained_file(tmp_path):
    path = viz.stepper(neuron_cost(), tmp_path / "step.html")
    html = path.read_text(encoding="utf-8")
    parts = page_parts(path)
    assert "link" not in parts.tags and "img" not in parts.tags and "iframe" not in parts.tags
    assert all("src" not in attrs for attrs, _ in parts.scripts)
    # the only URLs are XML namespace names, which nothing fetches
    urls = set(re.findall(r"https?://[^\s\"'<>]+", html))
    assert urls <= {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}
    assert "@import" not in html and "url(" not in html
    assert sorted(tmp_path.iterdir()) == [path]


def test_the_page_data_holds_every_step(tmp_path):
    cost = neuron_cost()
    path = viz.stepper(cost, tmp_path / "step.html")
    (data_script,) = [text for attrs, text in page_parts(path).scripts if attrs.get("id") == "steps-data"]
    data = json.loads(data_script)
    steps = viz.backward_steps(cost)
    assert [s["text"] for s in data["steps"]] == [visible(s.text) for s in steps]
    assert [s["exact"] for s in data["steps"][1:]] == [repr(s.grad) for s in steps[1:]]


LABELS = st.text(min_size=1, max_size=30) | st.sampled_from(
    ["</script><script>alert(1)</script>", "<!--", "]]>", "a|b{c}", '"quoted"', "x & y", "\\N", "<b>", "&lt;",
     "%DATA%", "w%SVG%", "%TITLE%", "%HIGHLIGHT%"])  # the page template's own markers


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(label=LABELS)
def test_no_label_can_break_out_of_the_page(tmp_path, label):
    cost = neuron_cost(b_label=label)
    path = viz.stepper(cost, tmp_path / "step.html")
    parts = page_parts(path)
    assert [attrs.get("id") for attrs, _ in parts.scripts] == ["steps-data", None]
    assert "script" not in parts.tags[parts.tags.index("svg"):parts.tags.index("script")]
    data = json.loads(parts.scripts[0][1])
    assert any(s["name"] == visible(label) for s in data["steps"])
    # the SVG inside the page is well-formed XML that shows the label as written
    html = path.read_text(encoding="utf-8")
    svg = html[html.index("<svg"):html.index("</svg>") + len("</svg>")]
    texts = [(t.text or "").replace("\xa0", " ") for t in ET.fromstring(svg).iter(f"{SVG}text")]
    for line in visible(label).split("\n"):
        line = line.replace("\xa0", " ").strip()  # Graphviz writes spaces as no-break spaces
        if line:
            assert any(line == t.strip() for t in texts)


@pytest.mark.parametrize("marker", ["%DATA%", "%SVG%", "%TITLE%", "%HIGHLIGHT%"])
def test_a_root_label_that_looks_like_a_template_marker_is_shown_as_written(tmp_path, marker):
    cost = neuron_cost()
    cost.label = marker
    html = viz.stepper(cost, tmp_path / "step.html").read_text(encoding="utf-8")
    assert re.search(r"<title>(.*?)</title>", html, re.S)[1] == f"backward through {marker}"
    assert html.count('id="steps-data"') == 1 and html.count("<svg") == 1


def test_frames_have_one_picture_per_step_and_never_move_a_node(tmp_path):
    cost = neuron_cost()
    steps = viz.backward_steps(cost)
    paths = viz.stepper_frames(cost, tmp_path / "frames", format="svg")
    assert len(paths) == len(steps)

    def geometry(path):
        root = ET.fromstring(path.read_text(encoding="utf-8"))
        return {g.get("id"): [(p.get("points"), p.get("cx"), p.get("cy")) for p in g
                              if p.tag in (f"{SVG}polygon", f"{SVG}ellipse")][:1]
                for g in root.iter(f"{SVG}g") if g.get("class") == "node"}

    first = geometry(paths[0])
    assert len(first) > 10
    assert all(geometry(p) == first for p in paths[1:])
    texts0 = ET.fromstring(paths[0].read_text(encoding="utf-8")).iter(f"{SVG}text")
    assert "?" in [t.text for t in texts0]
    lines = (tmp_path / "frames" / "steps.txt").read_text(encoding="utf-8").splitlines()
    assert lines == [f"step {s.number}: {s.text}" for s in steps]
    pngs = viz.stepper_frames(cost, tmp_path / "png", format="png")
    assert all(p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for p in pngs)
    with pytest.raises(ValueError, match="gif"):
        viz.stepper_frames(cost, tmp_path / "x", format="gif")


def test_the_stepper_works_on_a_collapsed_network(tmp_path):
    x = [Value(0.5, label="x_1"), Value(-1.0, label="x_2")]
    hidden = []
    for j in (1, 2):
        z = autograd.dot([Value(0.3 * j, label=f"w(2)_{j},1"), Value(-0.2, label=f"w(2)_{j},2")], x,
                         Value(0.1, label=f"b(2)_{j}"))
        z.label = f"z(2)_{j}"
        hidden.append(z.sigmoid())
        hidden[-1].label = f"a(2)_{j}"
    out = autograd.dot([Value(1.0, label="w(3)_1,1"), Value(-1.0, label="w(3)_1,2")], hidden)
    out.label = "z(3)_1"
    path = viz.stepper(out, tmp_path / "c.html", collapse="neuron")
    data = json.loads(page_parts(path).scripts[0][1])
    boxes = {s["name"]: s["box"] for s in data["steps"][1:]}
    assert boxes["w(2)_1,1"] == boxes["z(2)_1"] == boxes["a(2)_1"]  # folded weights light up their neuron


def test_the_stepper_draws_data_but_never_steps_through_it(tmp_path):
    """Data x (a network fed numbers) is drawn, but it is not in the graph: no step lands on
    its box and its dashed edges never light up as chain-rule terms."""
    import nn
    model = nn.MLP(2, [3, 1], activation="tanh", seed=0)
    cost = (model([0.5, -1.5]) - 1.0) ** 2
    path = viz.stepper(cost, tmp_path / "d.html")
    data = json.loads(page_parts(path).scripts[0][1])
    scene = viz.scene.build_scene(cost)
    (data_box,) = scene.data
    data_edges = {edge.id for edge in scene.edges if edge.tail == data_box.id}
    assert len(data_edges) == 3 and f'id="{data_box.id}"' in path.read_text(encoding="utf-8")
    assert len(data["steps"]) == len(viz.backward_steps(cost))
    assert all(step["box"] != data_box.id for step in data["steps"])
    assert not data_edges & {edge for step in data["steps"] for edge in step["edges"]}
    assert any(step["edges"] for step in data["steps"])  # the other edges do light up


# --- in a real browser --------------------------------------------------------------------

@pytest.fixture(scope="module")
def browser():
    require_chromium()
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()


def open_page(browser, path):
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    problems = []
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on("dialog", lambda dialog: (problems.append(f"dialog: {dialog.message}"), dialog.dismiss()))
    page.on("request", lambda request: problems.append(f"request: {request.url}")
            if not request.url.startswith("file://") else None)
    page.goto(path.resolve().as_uri())
    return page, problems


def shown_cell(page, scene, value):
    return page.text_content(f"#a_g{scene.index[value]} text")


def test_arrow_keys_and_buttons_walk_backward_with_the_engines_numbers(browser, tmp_path):
    cost = neuron_cost()
    engine = gradients(cost)
    steps = viz.backward_steps(cost)
    scene = viz.scene.build_scene(cost)
    page, problems = open_page(browser, viz.stepper(cost, tmp_path / "step.html"))

    assert page.get_attribute("body", "data-step") == "0"
    assert all(shown_cell(page, scene, v) == "?" for v in scene.order)  # forward only

    k = 6
    for _ in range(k):
        page.keyboard.press("ArrowRight")
    node = steps[k].node
    assert page.get_attribute("body", "data-step") == str(k)
    assert page.get_attribute("body", "data-box") == scene.box_of[node].id
    assert page.get_attribute(f"#{scene.box_of[node].id}", "class") == "node current"
    assert page.text_content("#node-name") == node.label
    assert page.text_content("#grad-value") == compact(engine[node])
    assert page.text_content("#grad-exact") == f"({engine[node]!r})"
    assert shown_cell(page, scene, node) == compact(engine[node])
    assert steps[k].text in page.text_content("#explain")
    for step in steps[1:]:  # the gradients known so far are shown, the others are "?"
        expected = compact(engine[step.node]) if step.number <= k else "?"
        assert shown_cell(page, scene, step.node) == expected
    page.screenshot(path=str(tmp_path / "step6.png"), full_page=True)

    page.click("#next")
    page.click("#next")
    page.click("#prev")
    assert page.get_attribute("body", "data-step") == str(k + 1)
    assert page.text_content("#grad-value") == compact(engine[steps[k + 1].node])
    page.keyboard.press("End")
    assert page.get_attribute("body", "data-step") == str(len(steps) - 1)
    assert all(shown_cell(page, scene, v) == compact(engine[v]) for v in scene.order)
    page.fill("#slider", "1")  # the slider
    page.dispatch_event("#slider", "input")
    assert page.get_attribute("body", "data-box") == scene.box_of[cost].id
    assert page.text_content("#grad-value") == "1"
    assert problems == []
    assert (tmp_path / "step6.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_hostile_label_stays_text_in_the_browser(browser, tmp_path):
    label = "</script><script>alert('owned')</script><img src=x onerror=alert(1)> & \"b\" \\N"
    cost = neuron_cost(b_label=label)
    page, problems = open_page(browser, viz.stepper(cost, tmp_path / "hostile.html"))
    assert page.evaluate("document.scripts.length") == 2
    assert page.evaluate("document.images.length") == 0
    page.keyboard.press("End")
    scene = viz.scene.build_scene(cost)
    b = next(v for v in scene.order if v.label == label)
    steps = viz.backward_steps(cost)
    k = next(s.number for s in steps if s.node is b)
    for _ in range(len(steps) - 1 - k):
        page.keyboard.press("ArrowLeft")
    assert page.text_content("#node-name") == label
    assert page.text_content(f"#{scene.box_of[b].id} text") == label
    assert problems == []
    page.screenshot(path=str(tmp_path / "hostile.png"), full_page=True)
