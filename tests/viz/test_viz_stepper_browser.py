"""The stepper page in a real browser (Chromium, driven by Playwright): it never loses the
learner, at any width, on the notes' own network, and its numbers are the engine's."""

import pytest

import viz
import viz.scene
from autograd import Value
from autograd.engine import gradients
from viz.escape import shortened
from viz.style import compact

from tests.viz.test_viz_stepper import neuron_cost, page_id

WIDTHS = (400, 800, 1400)


def open_page(browser, path, width=1400, height=900):
    page = browser.new_page(viewport={"width": width, "height": height})
    problems = []
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on("console", lambda message: problems.append(f"console: {message.text}") if message.type == "error" else None)
    page.on("dialog", lambda dialog: (problems.append(f"dialog: {dialog.message}"), dialog.dismiss()))
    page.on("request", lambda request: problems.append(f"request: {request.url}")
            if not request.url.startswith("file://") else None)
    page.goto(path.resolve().as_uri())
    return page, problems


def part(page, html_id, scene_id):
    return f"[id='{html_id}-{scene_id}']"


def shown_cell(page, html_id, scene, value):
    return page.text_content(f"{part(page, html_id, 'a_g' + str(scene.index[value]))} text")


def box(page, selector):
    return page.eval_on_selector(selector, "e => { const r = e.getBoundingClientRect(); "
                                           "return [r.left, r.top, r.right, r.bottom]; }")


def inside(inner, outer, slack=1.0):
    return (inner[0] >= outer[0] - slack and inner[1] >= outer[1] - slack and
            inner[2] <= outer[2] + slack and inner[3] <= outer[3] + slack)


def figure5_page(tmp_path):
    from demos import notes_network
    from demos.notes_examples import Figure5
    f = Figure5()
    roles = dict(parameters=notes_network.parameters(f), constants=notes_network.targets(f))
    path = viz.stepper(f.cost, tmp_path / "figure5.html", title="note 000, Figure 5", **roles)
    return f, roles, path


@pytest.mark.parametrize("width", WIDTHS)
def test_every_step_of_figure5_keeps_the_explanation_controls_and_node_in_view(browser, tmp_path, width):
    f, roles, path = figure5_page(tmp_path)
    steps = viz.backward_steps(f.cost, **roles)
    page, problems = open_page(browser, path, width=width, height=900 if width > 400 else 800)
    viewport = [0, 0, width, page.viewport_size["height"]]
    html_id = page.get_attribute(".tg-stepper", "id")
    assert page.get_attribute(".tg-explain", "aria-live") == "polite"
    assert page.evaluate("[...document.querySelectorAll('.tg-prev, .tg-next')].map(b => b.tagName)") == ["BUTTON"] * 2
    pane = box(page, ".tg-pane")
    assert inside(box(page, ".tg-canvas svg"), pane)  # opens fitted to its pane
    for k, step in enumerate(steps):
        if k:
            page.click(".tg-next") if k % 2 else page.keyboard.press("ArrowRight")
        assert page.get_attribute(".tg-stepper", "data-step") == str(k)
        for selector in (".tg-explain", ".tg-prev", ".tg-next", ".tg-counter"):
            assert inside(box(page, selector), viewport), (width, k, selector)
        assert page.evaluate("window.scrollX === 0 && window.scrollY === 0")  # the page itself never moved
        assert f"Step {k}: " + step.text.split("\n")[0] in page.text_content(".tg-explain")
        for scene_id in page.get_attribute(".tg-stepper", "data-box").split():
            assert inside(box(page, part(page, html_id, scene_id)), box(page, ".tg-pane")), (width, k, scene_id)
        if k == 6 and width == 800:
            page.screenshot(path=str(tmp_path / f"figure5_{width}_{k}.png"))
    assert page.get_attribute(".tg-next", "disabled") is not None  # at the last step
    page.keyboard.press("Home")
    assert page.get_attribute(".tg-stepper", "data-step") == "0"
    page.keyboard.press("End")
    assert page.get_attribute(".tg-stepper", "data-step") == str(len(steps) - 1)
    assert problems == []


def test_the_graph_pans_and_zooms_inside_its_pane(browser, tmp_path):
    _, _, path = figure5_page(tmp_path)
    page, problems = open_page(browser, path, width=1000, height=800)

    def scale():
        return page.evaluate("new DOMMatrix(getComputedStyle(document.querySelector('.tg-canvas')).transform).a")

    fitted = scale()
    page.click(".tg-zoom-in")
    assert scale() == pytest.approx(fitted * 1.25, rel=1e-4)
    page.click(".tg-zoom-out")
    page.click(".tg-zoom-out")
    assert scale() == pytest.approx(fitted * 0.8, rel=1e-4)
    pane = box(page, ".tg-pane")
    centre = ((pane[0] + pane[2]) / 2, (pane[1] + pane[3]) / 2)
    page.mouse.move(*centre)
    page.mouse.wheel(0, -300)
    assert scale() > fitted * 0.8
    before = box(page, ".tg-canvas svg")
    page.mouse.move(*centre)
    page.mouse.down()
    page.mouse.move(centre[0] + 80, centre[1] + 40, steps=4)
    page.mouse.up()
    after = box(page, ".tg-canvas svg")
    assert after[0] - before[0] == pytest.approx(80, abs=1) and after[1] - before[1] == pytest.approx(40, abs=1)
    # a pinch: two pointers moving apart zoom in around their midpoint
    zoomed = scale()
    page.evaluate("""([x, y]) => {
        const pane = document.querySelector('.tg-pane');
        const at = (type, id, dx) => pane.dispatchEvent(new PointerEvent(type, {pointerId: id, bubbles: true,
            clientX: x + dx, clientY: y, pointerType: 'touch', isPrimary: id === 1}));
        at('pointerdown', 1, -20); at('pointerdown', 2, 20);
        at('pointermove', 2, 30); at('pointermove', 2, 60);
        at('pointerup', 1, -20); at('pointerup', 2, 60);
    }""", list(centre))
    assert scale() == pytest.approx(zoomed * 80 / 50, rel=1e-3)  # the fingers went from 50 px apart to 80
    explain = box(page, ".tg-explain")
    page.click(".tg-fit")
    assert scale() == pytest.approx(fitted, rel=1e-4) and inside(box(page, ".tg-canvas svg"), box(page, ".tg-pane"))
    assert box(page, ".tg-explain") == explain  # the explanation never moves with the graph
    assert problems == []


def test_arrow_keys_and_buttons_walk_backward_with_the_engines_numbers(browser, tmp_path):
    cost = neuron_cost()
    engine = gradients(cost)
    steps = viz.backward_steps(cost)
    scene = viz.scene.build_scene(cost)
    page, problems = open_page(browser, viz.stepper(cost, tmp_path / "step.html"))
    html_id = page_id((tmp_path / "step.html").read_text(encoding="utf-8"))
    assert page.get_attribute(".tg-stepper", "data-step") == "0"
    stepped = [s.node for s in steps if s.node is not None]
    assert all(shown_cell(page, html_id, scene, v) == "?" for v in stepped)  # forward only

    k = next(s.number for s in steps[6:] if s.node is not None)
    for _ in range(k):
        page.keyboard.press("ArrowRight")
    node = steps[k].node
    assert page.get_attribute(".tg-stepper", "data-step") == str(k)
    assert page.get_attribute(".tg-stepper", "data-box") == scene.box_of[node].id
    assert page.get_attribute(part(page, html_id, scene.box_of[node].id), "class") == "node current"
    assert page.text_content(".tg-node-name") == scene.names[node]
    assert page.text_content(".tg-grad-value") == compact(engine[node])
    assert page.text_content(".tg-grad-exact") == f"({engine[node]!r})"
    for step in steps[1:]:  # the gradients known so far are shown, the others are "?"
        if step.node is not None:
            expected = compact(engine[step.node]) if step.number <= k else "?"
            assert shown_cell(page, html_id, scene, step.node) == expected

    page.click(".tg-next")
    page.click(".tg-next")
    page.click(".tg-prev")
    assert page.get_attribute(".tg-stepper", "data-step") == str(k + 1)
    page.keyboard.press("End")
    assert page.get_attribute(".tg-stepper", "data-step") == str(len(steps) - 1)
    assert all(shown_cell(page, html_id, scene, v) == compact(engine[v]) for v in stepped)
    page.fill(".tg-slider", "1")
    page.dispatch_event(".tg-slider", "input")
    assert page.get_attribute(".tg-stepper", "data-box") == scene.box_of[cost].id
    assert page.text_content(".tg-grad-value") == "1"
    assert problems == []


def test_a_hostile_label_stays_text_in_the_browser(browser, tmp_path):
    label = "</script><script>alert('owned')</script><img src=x onerror=alert(1)> & \"b\" \\N"
    cost = neuron_cost(b_label=label)
    path = viz.stepper(cost, tmp_path / "hostile.html")
    page, problems = open_page(browser, path)
    html_id = page_id(path.read_text(encoding="utf-8"))
    assert page.evaluate("document.scripts.length") == 2
    assert page.evaluate("document.images.length") == 0
    scene = viz.scene.build_scene(cost)
    b = next(v for v in scene.order if v.label == label)
    steps = viz.backward_steps(cost)
    k = next(s.number for s in steps if s.node is b)
    for _ in range(k):
        page.keyboard.press("ArrowRight")
    assert page.text_content(".tg-node-name") == label
    # too long for a box: shortened there with an ellipsis, whole in the box's tooltip
    assert page.text_content(f"{part(page, html_id, scene.box_of[b].id)} text") == shortened(label)[0]
    tooltips = page.evaluate("[...document.querySelectorAll('a')].map(a => "
                             "a.getAttributeNS('http://www.w3.org/1999/xlink', 'title'))")
    assert label in tooltips
    assert problems == []


def test_a_reference_gradient_shows_in_the_picture_only_once_its_step_is_reached(browser, tmp_path):
    cost = neuron_cost()
    engine = gradients(cost)
    scene = viz.scene.build_scene(cost)
    w = next(v for v in scene.order if v.label == "w1")
    path = viz.stepper(cost, tmp_path / "r.html", reference={w: engine[w]})
    page, problems = open_page(browser, path)
    html_id = page_id(path.read_text(encoding="utf-8"))
    cell = f"{part(page, html_id, 'a_r' + str(scene.index[w]))} text"
    assert page.text_content(cell) == "?"
    k = next(s.number for s in viz.backward_steps(cost) if s.node is w)
    for _ in range(k):
        page.keyboard.press("ArrowRight")
    assert page.text_content(cell) == compact(engine[w])
    assert "PyTorch: " in page.text_content(".tg-reference") and "agrees" in page.text_content(".tg-reference")
    assert "the 1 gradient agrees with PyTorch" in page.text_content(".tg-summary")
    assert problems == []


def test_a_reference_that_disagrees_is_named_in_the_visible_verdict_line(browser, tmp_path):
    """The verdict line is the one message a comparison exists for: it shows a disagreement
    too (an Agreement that disagrees is falsy, and the line was left empty, hidden by :empty)."""
    cost = neuron_cost()
    engine = gradients(cost)
    w = next(v for v in viz.scene.build_scene(cost).order if v.label == "w1")
    path = viz.stepper(cost, tmp_path / "d.html", reference={w: engine[w] + 1e-6})
    page, problems = open_page(browser, path)
    summary = page.locator(".tg-summary")
    assert summary.is_visible()
    assert summary.text_content() == viz.compare_gradients(cost, {w: engine[w] + 1e-6}).text
    assert summary.text_content().startswith("1 of 1 gradients differ from PyTorch") and "w1" in summary.text_content()
    assert problems == []


def test_the_exact_gradient_shown_at_each_step_is_what_grad_holds(browser, tmp_path):
    """Where ReLU's gradient makes a product -0.0, the page says (0.0), as x.grad prints."""
    x, w = Value(-1.0, label="x"), Value(-2.0, label="w")
    y = x.relu() * w
    steps = viz.backward_steps(y)
    page, problems = open_page(browser, viz.stepper(y, tmp_path / "zero.html"))
    y.backward()
    seen = {}
    for step in steps[1:]:
        page.click(".tg-next")
        assert page.get_attribute(".tg-stepper", "data-step") == str(step.number)
        if step.node is not None:
            seen[step.node] = page.text_content(".tg-grad-exact")
    assert seen[x] == "(0.0)"
    assert seen == {node: f"({node.grad!r})" for node in seen}
    assert problems == []


def apart(a, b):
    """True when the rectangles [left, top, right, bottom] do not overlap."""
    return a[2] <= b[0] + 1 or b[2] <= a[0] + 1 or a[3] <= b[1] + 1 or b[3] <= a[1] + 1


@pytest.mark.parametrize("width, height", [(1000, 500), (800, 600), (600, 700), (400, 700)])
def test_the_open_help_scrolls_in_its_panel_and_never_runs_under_the_graph(browser, tmp_path, width, height):
    _, _, path = figure5_page(tmp_path)
    page, problems = open_page(browser, path, width=width, height=height)
    if not page.evaluate("document.querySelector('.tg-help').open"):
        page.click(".tg-help summary")
    for _ in range(12):
        page.keyboard.press("ArrowRight")
    pane = box(page, ".tg-pane")
    for where in ("0", "e.scrollHeight"):  # the help's start, then (scrolled) its end: each in sight
        page.eval_on_selector(".tg-help", f"e => {{ e.scrollTop = {where}; }}")
        page.eval_on_selector(".tg-panel", f"e => {{ e.scrollTop = {where}; }}")
        help_box, panel = box(page, ".tg-help"), box(page, ".tg-panel")
        shown = [help_box[0], max(help_box[1], panel[1]), help_box[2], min(help_box[3], panel[3])]
        if where == "0":
            top = box(page, ".tg-help p:first-of-type")[1]
            assert shown[1] - 1 <= top < shown[3], (width, height, top, shown)
        else:
            bottom = box(page, ".tg-help p:last-of-type")[3]
            assert shown[1] < bottom <= shown[3] + 1, (width, height, bottom, shown)
        assert apart(shown, pane) and apart(panel, pane), (width, height, shown, pane)
    assert page.get_attribute(".tg-stepper", "data-step") == "12"
    assert problems == []


TOOLTIP_OF = """el => {  // what the browser shows on hover: the nearest <title> child or <a xlink:title>
    for (; el && el.tagName !== 'svg'; el = el.parentElement) {
        if (el.tagName === 'a' && el.getAttributeNS('http://www.w3.org/1999/xlink', 'title'))
            return el.getAttributeNS('http://www.w3.org/1999/xlink', 'title');
        const title = [...el.children].find(c => c.tagName === 'title');
        if (title) return title.textContent;
    }
    return null;
}"""


def test_no_tooltip_shows_graphvizs_internal_names(browser, tmp_path):
    cost = neuron_cost()
    scene = viz.scene.build_scene(cost)
    path = viz.stepper(cost, tmp_path / "tips.html")
    page, problems = open_page(browser, path)
    assert page.evaluate("document.querySelectorAll('.tg-canvas svg title').length") == 0
    internal = {b.id for b in scene.boxes} | {o.id for o in scene.ops} | {e.id for e in scene.edges} | {"tracegrad"}
    seen = page.eval_on_selector_all(".tg-canvas svg g.node *, .tg-canvas svg g.edge *",
                                     f"els => els.map(el => [el.closest('g.node, g.edge').className.baseVal, "
                                     f"({TOOLTIP_OF})(el)])")
    assert seen
    for kind, tooltip in seen:
        assert tooltip is None or (tooltip not in internal and "->" not in tooltip), tooltip
    # every op and every edge says what it is
    ops = page.eval_on_selector_all(".tg-canvas svg g.node ellipse", f"els => els.map({TOOLTIP_OF})")
    edges = page.eval_on_selector_all(".tg-canvas svg g.edge path", f"els => els.map({TOOLTIP_OF})")
    assert len(ops) == len(scene.ops) and all(": the op that computes " in t for t in ops)
    assert len(edges) == len(scene.edges) and all(t and ("∂" in t or "the result of" in t) for t in edges)
    assert problems == []


def test_a_focus_stepper_says_when_the_current_node_is_not_drawn(browser, tmp_path):
    xs = [Value(float(i), label=f"x{i}") for i in range(30)]
    s = xs[0]
    for x in xs[1:]:
        s = s + x * 0.5
    s.label = "S"
    scene = viz.scene.build_scene(s, focus=xs[15], depth=2)
    steps = viz.backward_steps(s)
    page, problems = open_page(browser, viz.stepper(s, tmp_path / "focus.html", focus=xs[15], depth=2))
    said = []
    for step in steps[1:]:
        page.click(".tg-next")
        name = page.text_content(".tg-node-name")
        drawn = step.node in scene.box_of
        assert name.endswith("(not in this picture)") == (not drawn), (step.number, name)
        assert (page.get_attribute(".tg-stepper", "data-box") != "") == drawn
        said.append(drawn)
    assert any(said) and not all(said)
    assert problems == []


def test_one_page_shown_twice_gives_two_steppers_that_each_work(browser, tmp_path):
    """`display(page)` in two cells (or `page` in a later cell): each copy steps on its own."""
    stepper = viz.stepper(neuron_cost())
    document = viz.HtmlPage("twice", "<div>" + stepper._repr_html_() + "</div><div>" + stepper._repr_html_() + "</div>")
    page, problems = open_page(browser, document.save(tmp_path / "twice.html"))
    first, second = page.locator(".tg-stepper").nth(0), page.locator(".tg-stepper").nth(1)
    last = len(stepper.steps) - 1
    assert first.locator(".tg-counter").text_content() == second.locator(".tg-counter").text_content() == f"step 0 / {last}"
    second.locator(".tg-next").click()
    second.locator(".tg-next").click()
    assert (first.get_attribute("data-step"), second.get_attribute("data-step")) == ("0", "2")
    assert second.locator(".tg-explain").text_content().startswith("Step 2: ")
    assert second.locator(".node.current").count() == 1 and first.locator(".node.current").count() == 0
    first.locator(".tg-next").click()
    assert (first.get_attribute("data-step"), second.get_attribute("data-step")) == ("1", "2")
    assert problems == []


def test_two_steppers_directly_in_one_body_leave_the_keys_and_the_layout_to_the_focused_one(browser, tmp_path):
    """Two fragments side by side in a document's body: while the first one's script runs the
    second is not parsed yet, so the first looked alone. It took every arrow key of the page and
    made it a full-window page without scrolling (tg-alone), leaving the second out of reach."""
    stepper = viz.stepper(neuron_cost())
    document = viz.HtmlPage("two", stepper._repr_html_() + stepper._repr_html_())
    page, problems = open_page(browser, document.save(tmp_path / "two.html"))
    first, second = page.locator(".tg-stepper").nth(0), page.locator(".tg-stepper").nth(1)
    assert page.evaluate("document.querySelectorAll('.tg-alone').length") == 0
    page.keyboard.press("ArrowRight")  # nothing has the focus: neither stepper moves
    assert (first.get_attribute("data-step"), second.get_attribute("data-step")) == ("0", "0")
    second.locator(".tg-canvas").click()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert (first.get_attribute("data-step"), second.get_attribute("data-step")) == ("0", "2")
    assert problems == []


def test_a_saved_stepper_alone_answers_the_keys_before_any_click(browser, tmp_path):
    page, problems = open_page(browser, viz.stepper(neuron_cost(), tmp_path / "alone.html"))
    assert page.evaluate("document.body.classList.contains('tg-alone')")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("End")
    page.keyboard.press("ArrowLeft")
    last = int(page.get_attribute(".tg-stepper", "data-step"))
    assert last > 1 and page.get_attribute("body", "data-step") == str(last)
    assert problems == []


def test_a_stepper_made_while_hidden_centres_its_gradients_in_their_cells_once_shown(browser, tmp_path):
    """A stepper rendered hidden (a collapsed output, a background tab) has no layout while its
    script runs: each grad cell's "?" must still sit in the middle of its cell once shown, as in
    a copy that was visible from the start, never at x = 0 outside the box."""
    stepper = viz.stepper(neuron_cost())
    document = viz.HtmlPage("hidden", '<div id="hidden" style="display: none">' + stepper._repr_html_() +
                            "</div><div>" + stepper._repr_html_() + "</div>")
    page, problems = open_page(browser, document.save(tmp_path / "hidden.html"))
    page.evaluate("document.getElementById('hidden').style.display = 'block'")
    centres = """root => Array.from(root.querySelectorAll("g[id*='-a_g']")).map(group => {
        const box = group.querySelector('polygon').getBBox();
        return [Number(group.querySelector('text').getAttribute('x')), box.x + box.width / 2]; })"""
    hidden, shown = (page.locator(".tg-stepper").nth(i).evaluate(centres) for i in (0, 1))
    assert hidden and len(hidden) == len(shown)
    for (x, middle), (x_shown, _) in zip(hidden, shown):
        assert x == pytest.approx(middle, abs=0.01) and x == pytest.approx(x_shown, abs=0.01)
    assert problems == []


def test_without_javascript_the_page_says_why_it_does_not_step(browser, tmp_path):
    """An untrusted notebook or a preview such as GitHub's shows the output without running its
    script: the learner gets dead buttons, so the explanation says why, and the picture is the
    graph after backward. With the script, step 0 replaces that text."""
    path = viz.stepper(neuron_cost(), tmp_path / "step.html")
    context = browser.new_context(java_script_enabled=False)
    still = context.new_page()
    still.goto(path.resolve().as_uri())
    said = still.text_content(".tg-explain")
    assert "need JavaScript" in said and "every gradient after backward" in said
    context.close()
    page, problems = open_page(browser, path)
    assert page.text_content(".tg-explain").startswith("Step 0: Forward pass")
    assert problems == []


def test_in_a_notebook_the_keys_keep_working_after_next_or_prev_is_disabled_under_the_focus(browser, tmp_path):
    """Among other outputs a stepper takes the keys once clicked. Clicking Next up to the last
    step disables the very button that has the focus, which dropped it to the page's body: the
    arrow keys then did nothing. So did Home with the focus on Prev."""
    stepper = viz.stepper(neuron_cost())
    document = viz.HtmlPage("cells", "<div>a cell</div><div>" + stepper._repr_html_() + "</div>")
    page, problems = open_page(browser, document.save(tmp_path / "cells.html"))
    root = page.locator(".tg-stepper")
    last = len(stepper.steps) - 1
    # the browser moves the focus off a disabled element when it next renders: wait for that,
    # as a person's next key press does
    rendered = "new Promise(done => requestAnimationFrame(() => requestAnimationFrame(() => done(true))))"
    for _ in range(last):
        root.locator(".tg-next").click()
    assert page.evaluate(rendered)
    assert root.get_attribute("data-step") == str(last) and root.locator(".tg-next").is_disabled()
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    assert root.get_attribute("data-step") == str(last - 2)
    root.locator(".tg-prev").click()
    page.keyboard.press("Home")
    assert page.evaluate(rendered)
    page.keyboard.press("ArrowRight")
    assert root.get_attribute("data-step") == "1"
    assert problems == []
