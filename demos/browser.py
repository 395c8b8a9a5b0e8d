"""Debian's Chromium through Playwright, for what a demo or a benchmark must see in a browser:
the tour's screenshots of its pages (demos.training --screenshots) and the page benchmark
(bench.training_page). Playwright comes with the test extra; it is imported only here."""

from contextlib import contextmanager
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


@contextmanager
def chromium():
    """A headless Chromium (never `playwright install`: the system's browser, offline)."""
    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"{CHROMIUM} is absent: apt-get install chromium")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


def screenshot(browser, html, png, prepare=None, width=1200):
    """A picture of the whole page at `html`, after `prepare(page)` (clicks, slider moves)."""
    page = browser.new_page(viewport={"width": width, "height": 900}, device_scale_factor=1)
    page.goto(Path(html).resolve().as_uri())
    if prepare is not None:
        prepare(page)
    page.screenshot(path=str(png), full_page=True)
    page.close()
    return Path(png)
