"""The stepper in Jupyter: `viz.stepper(root)` displays inline as self-contained HTML. A
notebook with two steppers is executed with nbclient, exported with nbconvert to HTML, and
the export is driven in Chromium: each stepper steps on its own."""

import pytest

from tests.support import launch_chromium, offline_page, require_chromium, require_jupyter_kernel

CELLS = [
    """import autograd, viz
from autograd import Value
x = Value(0.5, label="x"); w = Value(-1.5, label="w")
first = (x * w).tanh(); first.label = "first"
a = Value(2.0, label="a"); b = Value(-3.0, label="b"); c = Value(10.0, label="c")
second = (a * b + c) * Value(-2.0, label="f"); second.label = "second"
viz.stepper(first)""",
    "viz.stepper(second, reference={a: 6.0, b: -4.0}, reference_name='hand')",
    "viz.draw(first)",
]


def run_notebook(tmp_path, cells=CELLS):
    require_jupyter_kernel()
    import nbformat
    from nbclient import NotebookClient
    from nbconvert import HTMLExporter
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(cell) for cell in cells])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    NotebookClient(notebook, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    html, _ = HTMLExporter().from_notebook_node(notebook)
    path = tmp_path / "notebook.html"
    path.write_text(html, encoding="utf-8")
    return notebook, path


def test_two_steppers_in_an_exported_notebook_step_independently(tmp_path, monkeypatch):
    import os
    from pathlib import Path
    worktree = str(Path(__file__).parents[2])
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [worktree, os.environ.get("PYTHONPATH")])))
    notebook, path = run_notebook(tmp_path)
    outputs = [cell.outputs for cell in notebook.cells]
    for cell_outputs in outputs[:2]:  # text/html, displayed: no widget, no server
        (result,) = [o for o in cell_outputs if o.output_type == "execute_result"]
        assert "text/html" in result.data and 'class="tg-stepper"' in result.data["text/html"]
    assert "image/svg+xml" in [o for o in outputs[2] if o.output_type == "execute_result"][0].data

    require_chromium()
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        problems = []
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file://")
                   else route.abort())  # the export links CDN scripts for other outputs; offline here
        page.goto(path.resolve().as_uri())
        steppers = page.query_selector_all(".tg-stepper")
        assert len(steppers) == 2
        first, second = steppers
        assert first.get_attribute("id") != second.get_attribute("id")

        def step_of(root):
            return int(root.get_attribute("data-step"))

        first.query_selector(".tg-next").click()
        first.query_selector(".tg-next").click()
        assert (step_of(first), step_of(second)) == (2, 0)
        second.query_selector(".tg-next").click()
        assert (step_of(first), step_of(second)) == (2, 1)
        second.click(position={"x": 5, "y": 5})  # a click gives the stepper the keys
        page.keyboard.press("End")
        last = len(second.query_selector(".tg-slider").get_attribute("max"))
        assert step_of(second) == int(second.query_selector(".tg-slider").get_attribute("max")) and last
        assert step_of(first) == 2
        assert "first" in first.query_selector(".tg-title").text_content()
        assert "agree with hand" in second.query_selector(".tg-summary").text_content()
        assert first.query_selector(".tg-explain").text_content().startswith("Step 2:")
        assert problems == []
        browser.close()


TWICE = [CELLS[0].rsplit("\n", 1)[0] + "\npage = viz.stepper(first)\ndisplay(page)", "page"]


def test_one_stepper_shown_in_two_cells_gives_two_working_copies_in_the_export(tmp_path, monkeypatch):
    import os
    from pathlib import Path
    worktree = str(Path(__file__).parents[2])
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [worktree, os.environ.get("PYTHONPATH")])))
    _, path = run_notebook(tmp_path, TWICE)
    with offline_page(path) as (page, problems):
        first, second = page.query_selector_all(".tg-stepper")
        assert first.get_attribute("id") != second.get_attribute("id")
        last = int(first.query_selector(".tg-slider").get_attribute("max"))
        assert second.query_selector(".tg-counter").text_content() == f"step 0 / {last}"
        second.query_selector(".tg-next").click()
        assert (first.get_attribute("data-step"), second.get_attribute("data-step")) == ("0", "1")
        first.query_selector(".tg-next").click()
        first.query_selector(".tg-next").click()
        assert (first.get_attribute("data-step"), second.get_attribute("data-step")) == ("2", "1")
        assert problems == []
