"""viz.training in a notebook: executed with nbclient the page is an inline HTML output (no
server, no widget); exported with nbconvert, the two pages on it work in Chromium."""

import re
from pathlib import Path

import pytest

from tests.support import launch_chromium, offline_page, require_chromium, require_jupyter_kernel

REPO = Path(__file__).resolve().parents[2]

CELLS = [
    f"import sys; sys.path.insert(0, {str(REPO)!r})",
    "import nn, viz\n"
    "from nn.datasets import two_moons\n"
    "X, y = two_moons(60, noise=0.1, seed=0)\n"
    "model = nn.MLP(2, [5, 1], activation='tanh', seed=0)\n"
    "history = nn.fit(model, X, y, loss=nn.bce_with_logits, epochs=6, batch_size=20, lr=0.3,\n"
    "                 progress=False, record=True)",
    "viz.training(history, X, y)",
    "viz.training(history, X, y, title='the same fit, again')",
]


@pytest.fixture(scope="module")
def executed():
    require_jupyter_kernel()
    import nbformat
    from nbclient import NotebookClient
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in CELLS])
    NotebookClient(notebook, timeout=120, kernel_name="python3").execute()
    return notebook


def html_outputs(notebook):
    return [output["data"]["text/html"] for cell in notebook.cells for output in cell.get("outputs", [])
            if "text/html" in output.get("data", {})]


def test_the_page_is_an_inline_html_output(executed):
    pages = html_outputs(executed)
    assert len(pages) == 2
    assert all('class="tg-training"' in page and 'class="tg-data"' in page for page in pages)
    assert all("<html" not in page and "<iframe" not in page for page in pages)  # a fragment, inline
    errors = [o for cell in executed.cells for o in cell.get("outputs", []) if o.get("output_type") == "error"]
    assert errors == []


def test_the_exported_notebook_plays_in_chromium(executed, tmp_path):
    require_chromium()
    from nbconvert import HTMLExporter
    from playwright.sync_api import sync_playwright
    body, _ = HTMLExporter().from_notebook_node(executed)
    path = tmp_path / "notebook.html"
    path.write_text(body, encoding="utf-8")
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" and _ours(m) else None)
        page.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file://")
                   else route.abort())  # the template's CDN scripts (MathJax, require.js): not ours, offline
        page.goto(path.as_uri())
        roots = page.locator(".tg-training[data-ready='1']")
        roots.nth(1).wait_for()
        assert roots.count() == 2
        roots.nth(0).locator(".tg-slider").fill("4")
        roots.nth(1).locator(".tg-play").click()
        page.wait_for_function("document.querySelectorAll('.tg-training')[1].dataset.snapshot >= 2")
        assert roots.nth(0).get_attribute("data-snapshot") == "4"
        browser.close()
    assert errors == []


def test_one_page_shown_in_two_cells_gives_two_working_copies_in_the_export(tmp_path):
    """`display(page)`, then `page` in a later cell: two outputs of one page, each its own root."""
    require_jupyter_kernel()
    import nbformat
    from nbclient import NotebookClient
    from nbconvert import HTMLExporter
    cells = CELLS[:2] + ["page = viz.training(history, X, y)\ndisplay(page)", "page"]
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    NotebookClient(notebook, timeout=120, kernel_name="python3").execute()
    pages = html_outputs(notebook)
    ids = [re.search(r'class="tg-training" id="([^"]+)"', html)[1] for html in pages]
    assert len(ids) == 2 and ids[0] != ids[1]
    body, _ = HTMLExporter().from_notebook_node(notebook)
    path = tmp_path / "notebook.html"
    path.write_text(body, encoding="utf-8")
    with offline_page(path, viewport=(1280, 1000)) as (page, errors):
        roots = page.locator(".tg-training[data-ready='1']")
        roots.nth(1).wait_for()
        assert roots.nth(1).locator(".tg-net svg").count() == 1  # the second copy is drawn, not blank
        roots.nth(1).locator(".tg-next").click()
        assert roots.nth(0).get_attribute("data-snapshot") == "0"
        assert roots.nth(1).get_attribute("data-snapshot") == "1"
    assert errors == []


def _ours(message):
    """A console error of the page itself, not a refused fetch of the export template's CDN files."""
    return "net::ERR_FAILED" not in message.text and "Failed to load resource" not in message.text
