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


def page_data(path):
    (text,) = [text for attrs, text in page_parts(path).scripts if attrs.get("class") == "tg-data"]
    return json.loads(text)


def page_id(html):
    return re.search(r'<div class="tg-stepper" id="([^"]+)"', html)[1]


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
    data = page_data(path)
    steps = viz.backward_steps(cost)
    assert [s["text"] for s in data["steps"]] == [visible(s.text) for s in steps]
    assert [s["exact"] for s in data["steps"][1:]] == [repr(s.grad) if s.grad is not None else "" for s in steps[1:]]


LABELS = st.text(min_size=1, max_size=30) | st.sampled_from(
    ["</script><script>alert(1)</script>", "<!--", "]]>", "a|b{c}", '"quoted"', "x & y", "\\N", "<b>", "&lt;",
     "%DATA%", "w%SVG%", "%TITLE%", "%ID%", "%CSS%", "%JS%", "%SUMMARY%"])  # the page template's own markers


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(label=LABELS)
def test_no_label_can_break_out_of_the_page(tmp_path, label):
    cost = neuron_cost(b_label=label)
    path = viz.stepper(cost, tmp_path / "step.html")
    parts = page_parts(path)
    assert [attrs.get("class") for attrs, _ in parts.scripts] == ["tg-data", None]
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


@pytest.mark.parametrize("marker", ["%DATA%", "%SVG%", "%TITLE%", "%ID%", "%CSS%", "%JS%", "%SUMMARY%"])
def test_a_root_label_that_looks_like_a_template_marker_is_shown_as_written(tmp_path, marker):
    cost = neuron_cost()
    cost.label = marker
    html = viz.stepper(cost, tmp_path / "step.html").read_text(encoding="utf-8")
    assert re.search(r"<title>(.*?)</title>", html, re.S)[1] == f"backward through {marker}"
    assert html.count('class="tg-data"') == 1 and html.count("<svg") == 1


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
    text = (tmp_path / "frames" / "steps.txt").read_text(encoding="utf-8")
    assert text == "".join(f"step {s.number}: {s.text}\n" for s in steps)
    for path, step in zip(paths, steps):  # each picture carries its own step's text
        shown = " ".join(t.text or "" for t in ET.fromstring(path.read_text(encoding="utf-8")).iter(f"{SVG}text"))
        assert f"Step {step.number}:" in shown.replace("\xa0", " ") and "∂out/∂in" in shown
    pngs = viz.stepper_frames(cost, tmp_path / "png", format="png")
    assert all(p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for p in pngs)
    with pytest.raises(ValueError, match="gif"):
        viz.stepper_frames(cost, tmp_path / "x", format="gif")


def test_frames_written_into_a_reused_folder_leave_no_frame_of_the_earlier_graph(tmp_path):
    # A longer graph's frames, then a shorter one's into the same folder: the old step_0NN.svg
    # past the new last step read as steps of the new graph in a slide deck made from the folder.
    folder = tmp_path / "frames"
    x, w = Value(0.5, label="x"), Value(-1.0, label="w")
    longer = ((x * w).tanh() * 2.0 + 1.0).exp()
    old = viz.stepper_frames(longer, folder, format="svg")
    old_pngs = viz.stepper_frames(longer, folder, format="png")
    (folder / "notes.txt").write_text("mine", encoding="utf-8")
    (folder / "step_notes.svg").write_text("mine", encoding="utf-8")
    shorter = x * w
    new = viz.stepper_frames(shorter, folder, format="svg")
    assert len(new) < len(old) and len(old_pngs) == len(old)
    frames = sorted(p.name for p in folder.iterdir() if p.suffix in (".svg", ".png") and p.stem[5:].isdigit())
    assert frames == [p.name for p in new]
    assert (folder / "notes.txt").read_text(encoding="utf-8") == "mine"  # only frames are touched
    assert (folder / "step_notes.svg").read_text(encoding="utf-8") == "mine"
    steps = (folder / "steps.txt").read_text(encoding="utf-8").splitlines()
    assert len(steps) == len(new)


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
    data = page_data(path)
    boxes = {s["name"]: s["boxes"] for s in data["steps"][1:] if s["name"]}
    assert boxes["w(2)_1,1"] == boxes["z(2)_1"] == boxes["a(2)_1"]  # folded weights light up their neuron


def test_the_stepper_draws_data_but_never_steps_through_it(tmp_path):
    """Data x (a network fed numbers) is drawn, but it is not in the graph: no step lands on
    its box and its dashed edges never light up as chain-rule terms."""
    import nn
    model = nn.MLP(2, [3, 1], activation="tanh", seed=0)
    cost = (model([0.5, -1.5]) - 1.0) ** 2
    path = viz.stepper(cost, tmp_path / "d.html")
    data = page_data(path)
    scene = viz.scene.build_scene(cost)
    (data_box,) = scene.data
    data_edges = {edge.id for edge in scene.edges if edge.tail == data_box.id}
    assert len(data_edges) == 3 and f'-{data_box.id}"' in path.read_text(encoding="utf-8")
    assert len(data["steps"]) == len(viz.backward_steps(cost))
    assert all(data_box.id not in step["boxes"] for step in data["steps"])
    assert not data_edges & {edge for step in data["steps"] for edge in step["edges"]}
    assert any(step["edges"] for step in data["steps"])  # the other edges do light up




# --- Jupyter, saving, and the other engine's gradients -----------------------------------

def test_without_a_path_the_stepper_is_an_object_that_shows_itself_in_jupyter(tmp_path):
    cost = neuron_cost()
    page = viz.stepper(cost)
    assert isinstance(page, viz.HtmlPage) and "backward through C" in repr(page)
    fragment = page._repr_html_()
    assert fragment.startswith('<div class="tg-stepper"') and fragment.rstrip().endswith("</div>")
    assert "<html" not in fragment and "<body" not in fragment  # a fragment, for an output cell
    saved = page.save(tmp_path / "p.html")
    # each render gets a fresh id (the same page may be shown twice in a notebook): equal but for it
    same = lambda html: html.replace(page_id(html), "ID")  # noqa: E731
    assert saved == tmp_path / "p.html" and same(saved.read_text(encoding="utf-8")) == same(page.html)
    assert page.html.startswith("<!DOCTYPE html>") and same(fragment) in same(page.html)
    assert sorted(tmp_path.iterdir()) == [saved]  # no temporary file left behind
    with pytest.raises(IsADirectoryError, match=str(tmp_path)):
        page.save(tmp_path)


def test_two_steppers_share_no_id(tmp_path):
    cost = neuron_cost()
    first, second = viz.stepper(cost)._repr_html_(), viz.stepper(cost)._repr_html_()
    ids = [set(re.findall(r'\bid="([^"]+)"', html)) for html in (first, second)]
    assert ids[0] and not ids[0] & ids[1]
    prefix = page_id(first)
    assert all(i == prefix or i.startswith(prefix + "-") for i in ids[0])


def test_one_page_rendered_twice_shares_no_id():
    """`display(page)` in two cells renders the page twice: the copies must not find each other."""
    page = viz.stepper(neuron_cost())
    first, second = page._repr_html_(), page._repr_html_()
    ids = [set(re.findall(r'\bid="([^"]+)"', html)) for html in (first, second, page.html)]
    assert ids[0] and not ids[0] & ids[1] and not ids[0] & ids[2] and not ids[1] & ids[2]
    assert first.replace(page_id(first), "ID") == second.replace(page_id(second), "ID")
    assert first.count(page_id(first)) == second.count(page_id(second)) > 3  # root, script, svg parts


def test_the_same_page_saves_to_the_same_bytes_and_another_page_to_another_id(tmp_path):
    """A saved document holds one fragment: its id is a digest of the content, so `make demo`
    rewrites docs/tour only where a page changed, not every id of every page on every run."""
    first, again = viz.stepper(neuron_cost()), viz.stepper(neuron_cost())
    assert first.save(tmp_path / "a.html").read_bytes() == again.save(tmp_path / "b.html").read_bytes()
    assert first.html == first.html and page_id(first.html) != page_id(first._repr_html_())
    x = Value(3.0, label="x")
    other = viz.stepper((x * x).tanh())
    assert page_id(other.html) != page_id(first.html)


def test_the_page_ships_as_resource_files():
    from viz.stepper import resource
    for name in ("stepper.html", "stepper.css", "stepper.js"):
        assert len(resource(name)) > 100
    import tomllib
    from pathlib import Path
    project = tomllib.loads((Path(__file__).parents[2] / "pyproject.toml").read_text(encoding="utf-8"))
    shipped = project["tool"]["setuptools"]["package-data"]["viz"]
    assert {"*.html", "*.css", "*.js"} <= set(shipped)


def test_a_reference_engine_is_shown_beside_each_gradient_with_a_verdict(tmp_path):
    cost = neuron_cost()
    engine = gradients(cost)
    leaves = [v for v in autograd.topological_order(cost) if not v.op and v.label]
    reference = {v: engine[v] + (1e-14 if k == 0 else 0.0) for k, v in enumerate(leaves)}
    page = viz.stepper(cost, reference=reference)
    assert page.agreement.agrees and page.agreement.compared == len(leaves)
    assert page.agreement.text.startswith(f"all {len(leaves)} gradients agree with PyTorch to within 1e-12")
    assert viz.compare_gradients(cost, reference).text == page.agreement.text
    html = page.html
    assert page.agreement.text in html
    data = page_data(page.save(tmp_path / "r.html"))
    shown = [s for s in data["steps"] if s["reference"]]
    assert len(shown) == len(leaves) and all(s["agrees"] for s in shown)
    assert "PyTorch: " in shown[0]["reference"]
    # a disagreement is named, on the page and in the verdict
    wrong = dict(reference)
    wrong[leaves[0]] += 1e-6
    bad = viz.stepper(cost, reference=wrong, reference_name="torch")
    assert not bad.agreement and leaves[0].label in bad.agreement.text
    assert bad.agreement.text.startswith(f"1 of {len(leaves)} gradients differ from torch by more than 1e-12")
    assert "tg-summary tg-disagree" in bad.html
    with pytest.raises(TypeError, match="reference"):
        viz.stepper(cost, reference=[1.0])
    with pytest.raises(TypeError, match="reference"):
        viz.stepper(cost, reference={leaves[0]: "x"})


def test_where_backward_raises_the_page_shows_the_error_not_nan(tmp_path):
    root = (-2.0) ** Value(3.0, label="y")
    with pytest.raises(FloatingPointError) as raised:
        root.backward()
    data = page_data(viz.stepper(root, tmp_path / "e.html"))
    assert data["steps"][-1]["kind"] == "error" and str(raised.value) in data["steps"][-1]["text"]
    html = (tmp_path / "e.html").read_text(encoding="utf-8")
    svg = html[html.index("<svg"):html.index("</svg>")]
    assert ">nan<" not in svg and ">inf<" not in svg


def test_the_exact_gradient_on_the_page_is_what_grad_holds_minus_zero_too(tmp_path):
    """y = ReLU(x) · w at x = -1: the product (-2) × 0 is -0.0, but x.grad holds 0.0, and the page
    shows 0.0, as it shows every other gradient: the repr of what .grad holds after backward."""
    x, w = Value(-1.0, label="x"), Value(-2.0, label="w")
    y = x.relu() * w
    data = page_data(viz.stepper(y, tmp_path / "zero.html"))
    steps = viz.backward_steps(y)
    y.backward()
    shown = {s.node: d["exact"] for s, d in zip(steps, data["steps"]) if s.node is not None}
    assert shown[x] == "0.0"
    assert all(exact == repr(node.grad) for node, exact in shown.items())


BAD_STEPPER_OPTIONS = {
    "digits=True": ({"digits": True}, TypeError, r"digits=True: expected an int from 1 to 17"),
    "max_nodes='5'": ({"max_nodes": "5"}, TypeError, r"max_nodes='5': expected an int >= 1"),
    "max_values=-1": ({"max_values": -1}, ValueError, r"max_values=-1: expected an int >= 1"),
    "edge_derivatives='no'": ({"edge_derivatives": "no"}, TypeError, r"edge_derivatives='no'"),
}


@pytest.mark.parametrize("case", BAD_STEPPER_OPTIONS)
@pytest.mark.parametrize("make", ["stepper", "stepper_frames"])
def test_a_bad_stepper_option_is_refused_naming_the_argument(make, case, tmp_path):
    options, error, message = BAD_STEPPER_OPTIONS[case]
    with pytest.raises(error, match=message):
        if make == "stepper":
            viz.stepper(neuron_cost(), **options)
        else:
            viz.stepper_frames(neuron_cost(), tmp_path / "frames", **options)
    assert not (tmp_path / "frames").exists()  # refused before anything is written


@pytest.mark.parametrize("call, error, message", [
    (lambda c, tmp: viz.stepper(c, 3), TypeError, r"path=3: expected a path"),
    (lambda c, tmp: viz.stepper(c).save(None), TypeError, r"path=None: expected a path"),
    (lambda c, tmp: viz.stepper(c, reference_name=3), TypeError, r"reference_name=3: expected a str"),
    (lambda c, tmp: viz.stepper(c, title=3), TypeError, r"title=3: expected a str"),
    (lambda c, tmp: viz.stepper(c, reference={}, tolerance=10 ** 400), ValueError, r"tolerance: .*too large"),
    (lambda c, tmp: viz.stepper_frames(c, None), TypeError, r"folder=None: expected a path"),
    (lambda c, tmp: viz.stepper_frames(c, tmp, format="png", dpi="x"), TypeError, r"dpi: expected a real number"),
    (lambda c, tmp: viz.stepper_frames(c, tmp, format="png", dpi=-1), ValueError, r"dpi=-1: expected a number > 0"),
], ids=["path=3", "save(None)", "reference_name=3", "title=3", "tolerance=10**400", "folder=None", "dpi='x'",
        "dpi=-1"])
def test_a_bad_path_name_title_or_dpi_is_refused_by_name(call, error, message, tmp_path):
    with pytest.raises(error, match=message):
        call(neuron_cost(), tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_a_reference_of_a_non_number_is_refused_by_the_stepper_too():
    cost = neuron_cost()
    w1 = next(v for v in autograd.topological_order(cost) if v.label == "w1")
    with pytest.raises(TypeError, match=r"reference\[w1\]: expected a real number.*'1\.5'"):
        viz.stepper(cost, reference={w1: "1.5"})
    with pytest.raises(ValueError, match=r"reference\[w1\]: .*too large for a float"):
        viz.stepper(cost, reference={w1: 10 ** 400})


def test_a_focus_frame_says_when_its_node_is_not_drawn(tmp_path):
    xs = [Value(float(i), label=f"x{i}") for i in range(12)]
    s = xs[0]
    for x in xs[1:]:
        s = s + x * 0.5
    scene = viz.scene.build_scene(s, focus=xs[6], depth=1)
    steps = viz.backward_steps(s)
    frames = viz.stepper_frames(s, tmp_path / "f", focus=xs[6], depth=1)
    for step, frame in zip(steps, frames):
        said = "this step&#39;s node is not in this picture" in frame.read_text(encoding="utf-8")
        assert said == (step.number > 0 and step.node not in scene.box_of), step.number


WRONG_KIND_OF_STEPPER_CHOICE = {
    "rankdir=None": ({"rankdir": None}, TypeError, r"viz: rankdir=None: expected 'LR', 'TB', 'RL' or 'BT', got NoneType"),
    "rankdir=3": ({"rankdir": 3}, TypeError, r"rankdir=3: .*got int"),
    "rankdir='up'": ({"rankdir": "up"}, ValueError, r"rankdir='up': expected 'LR', 'TB', 'RL' or 'BT'$"),
    "collapse=True": ({"collapse": True}, TypeError, r"collapse=True: expected None, 'neuron' or 'layer', got bool"),
    "collapse='all'": ({"collapse": "all"}, ValueError, r"collapse='all': expected None, 'neuron' or 'layer'$"),
}


@pytest.mark.parametrize("case", WRONG_KIND_OF_STEPPER_CHOICE)
@pytest.mark.parametrize("make", ["stepper", "stepper_frames"])
def test_a_stepper_choice_of_the_wrong_type_is_a_type_error_and_a_wrong_str_a_value_error(make, case, tmp_path):
    options, error, message = WRONG_KIND_OF_STEPPER_CHOICE[case]
    with pytest.raises(error, match=message):
        if make == "stepper":
            viz.stepper(neuron_cost(), tmp_path / "frames" / "page.html", **options)
        else:
            viz.stepper_frames(neuron_cost(), tmp_path / "frames", **options)
    assert not (tmp_path / "frames").exists()  # refused before anything is written


@pytest.mark.parametrize("format, error, message", [
    (None, TypeError, r"viz: stepper_frames format=None: expected 'svg' or 'png', got NoneType"),
    (True, TypeError, r"format=True: expected 'svg' or 'png', got bool"),
    (["svg"], TypeError, r"format=\['svg'\]: .*got list"),
    ("pdf", ValueError, r"format='pdf': expected 'svg' or 'png'$"),
], ids=["None", "True", "['svg']", "'pdf'"])
def test_a_frames_format_of_the_wrong_type_is_a_type_error(format, error, message, tmp_path):
    with pytest.raises(error, match=message):
        viz.stepper_frames(neuron_cost(), tmp_path / "frames", format=format)
    assert not (tmp_path / "frames").exists()


def test_a_reference_for_a_single_input_sum_is_compared_as_compare_gradients_does():
    # A Σ of one input is not drawn and has no step (it is its input), but it has a gradient:
    # the page's verdict must not call it "not compared", and must say what compare_gradients says.
    x = Value(3.0, label="x")
    s = autograd.sum([x])
    s.label = "s"
    cost = s * 2
    cost.label = "C"
    reference = {s: 2.0, x: 2.0}
    page = viz.stepper(cost, reference=reference)
    assert page.agreement.compared == 2 and page.agreement.agrees
    assert "not compared" not in page.agreement.text
    assert page.agreement.text == viz.compare_gradients(cost, reference).text
    wrong = viz.stepper(cost, reference={s: 2.5, x: 2.0}).agreement
    assert not wrong.agrees and "2.0 here, 2.5 in PyTorch" in wrong.text


def test_a_directory_as_the_page_path_is_refused_naming_it_never_a_temporary_file(tmp_path):
    folder = tmp_path / "pages"
    folder.mkdir()
    with pytest.raises(IsADirectoryError, match=re.escape(f"viz.stepper path={str(folder)!r} is a directory")):
        viz.stepper(neuron_cost(), folder)
    with pytest.raises(IsADirectoryError) as raised:
        viz.stepper(neuron_cost()).save(folder)
    assert str(raised.value) == f"[Errno 21] viz: cannot write {folder}: Is a directory"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pages"]  # no temporary file left behind


def test_mathjax_leaves_the_picture_and_the_text_alone_in_jupyterlab_and_exports():
    # JupyterLab typesets HTML outputs with MathJax (nbconvert's export loads it too): a label
    # such as "$x_1$" would be turned into math inside the SVG, where it cannot be drawn. Both
    # MathJax 2's and 3's class for "skip this" must wrap the title, the steps and the picture.
    x = Value(2.0, label="$x_1$")
    cost = x * x
    cost.label = "$C$"
    html = viz.stepper(cost)._repr_html_()
    wrapper = re.search(r'<div class="tg-layout ([^"]*)">', html)
    assert wrapper and {"tex2jax_ignore", "mathjax_ignore"} <= set(wrapper[1].split())
    inside = html[wrapper.end():]
    assert 'class="tg-title"' in inside and 'class="tg-explain"' in inside and "<svg" in inside


def test_a_value_given_as_a_constant_is_not_compared_by_compare_gradients_as_on_the_page():
    x, y = Value(2.0, label="x"), Value(3.0, label="y")  # y requires grad, but is passed as a constant
    C = (x - y) ** 2
    C.backward()
    reference = {x: -2.0, y: 2.0}
    verdict = viz.compare_gradients(C, reference, constants=[y])
    page = viz.stepper(C, reference=reference, constants=[y])
    assert verdict.compared == 1 and "not compared (no gradient here): y" in verdict.text
    assert page.agreement.text == verdict.text


@pytest.mark.parametrize("what", ["constants", "parameters"])
@pytest.mark.parametrize("show", [viz.draw, viz.stepper, viz.backward_steps])
def test_an_op_node_given_as_a_parameter_or_constant_is_refused_by_name(what, show):
    x = Value(2.0, label="x")
    z = x * 3.0
    z.label = "z"
    with pytest.raises(ValueError, match=rf"{what}= takes leaves, got the '\*' node 'z' \(data 6\)"):
        show(z.tanh(), **{what: [z]})


def test_a_list_of_outputs_as_the_root_is_refused_with_what_to_pass():
    outputs = [Value(1.0) * 2.0, Value(3.0) * 2.0]
    with pytest.raises(TypeError, match=r"got list .*; pass one of these Values, or a loss made of them"):
        viz.stepper(outputs)


def test_a_stepper_page_says_what_it_is():
    assert repr(viz.stepper(Value(2.0, label="x").tanh())).startswith("<viz.StepperPage 'backward through")


# --- what a learner meets after training, and their slips ------------------------------------

def _summary(page):
    return re.search(r'class="tg-summary[^"]*">(.*?)</div>', page.html, re.S).group(1)


def test_gradients_left_over_from_training_are_said_on_the_page():
    """nn.fit leaves its last batch's gradients in .grad: backward() then adds to them, so
    viz.draw shows the sums where the steps show this backward's own gradients."""
    import numpy as np
    import nn
    model = nn.MLP(2, [3, 1], seed=0)
    X = np.random.default_rng(0).normal(size=(8, 2))
    nn.fit(model, X, X[:, 0] > 0, loss="bce_with_logits", epochs=2, lr=0.1, seed=0, progress=False)
    cost = nn.mse(model(nn.inputs([0.5, -0.2])), 1.0)
    note = _summary(viz.stepper(cost, parameters=model))
    held = sum(1 for p in model.parameters() if p.grad != 0.0)
    assert held > 0 and re.search(rf"^{held} of these values hold a .grad other than these steps give \(w\(3\)_1,1 "
                                  r"-?[0-9.e-]+ where the steps give -?[0-9.e-]+, ", note)
    assert "call zero_grad() (model.zero_grad(), or autograd.zero_grad(C)) before backward()" in note
    model.zero_grad()
    assert _summary(viz.stepper(cost, parameters=model)) == ""
    cost.backward()  # the README's way: backward, then the stepper: .grad is what the steps give
    assert _summary(viz.stepper(cost, parameters=model)) == ""
    cost.backward()  # twice: every .grad is now twice the steps'
    twice = _summary(viz.stepper(cost, parameters=model))
    assert re.match(r"\d+ of these values hold a .grad other than these steps give \(out 2 where the steps give 1, ", twice)


def test_the_failure_step_shows_the_gradient_the_failing_node_was_given():
    x = Value(0.0, label="z")
    r = x.sqrt()
    r.label = "r"
    page = viz.stepper(r)
    last = json.loads(re.search(r'<script type="application/json" class="tg-data">(.*?)</script>', page.html, re.S)
                      .group(1))["steps"][-1]
    assert page.steps[-1].kind == "error" and page.steps[-1].grad == 1.0
    assert last["exact"] == "1.0" and last["name"] == "r"


@pytest.mark.parametrize("given, message", [
    (lambda: [Value(1.0, label="w")], r"parameters= holds 1 value \(w\), none of them in this graph: are they its values\?$"),
    (lambda: __import__("nn").MLP(2, [1], seed=0),
     r"parameters= holds 3 values \(w\(2\)_1,1, w\(2\)_1,2, b\(2\)_1\), none of them in this graph: is it the "
     r"model that computed it\?"),
])
def test_parameters_outside_the_graph_are_refused_as_reference_is(given, message):
    x = Value(2.0, label="x")
    with pytest.raises(ValueError, match=message):
        viz.stepper((x * 3.0).tanh(), parameters=given())
    with pytest.raises(ValueError, match=r"constants= holds 1 value \(y\), none of them in this graph"):
        viz.draw((x * 3.0).tanh(), constants=[Value(1.0, label="y")])


def test_a_model_or_its_parameters_may_hold_weights_this_graph_does_not_use():
    import nn
    model = nn.MLP(2, [3, 2], seed=0)
    first_output = model([1.0, 2.0])[0]  # the second output neuron's weights are not in its graph
    for given in (model, model.parameters(), list(model.parameters())):
        assert viz.stepper(first_output, parameters=given).steps


def test_a_focus_too_big_at_depth_1_says_how_many_values_it_is_next_to():
    v = Value(0.5, label="v")
    total = v * 1.0
    for _ in range(600):
        total = total + v * 2.0
    with pytest.raises(ValueError, match=r"a smaller depth= \(it is 1; depth=0 draws the focused value alone\), or focus "
                                         r"on another value: 602 values lie within 1 step of this one"):
        viz.draw(total, focus=v, depth=1)
    assert viz.draw(total, focus=v, depth=0).dot.startswith("digraph")
