"""What several test packages need: the optional tools (a browser, torch, a Jupyter kernel)
and the one rule for their absence.

On a newcomer's machine `make test` must not need apt or several GB of torch, so a test
that needs a missing tool skips and says how to get it. On CI (CI=true) `.ci/run` installs
every tool, so there an absent tool is a broken install, and the test fails instead.
"""

import contextlib
import importlib.util
import os

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def require(available, what, how):
    """Skip (fail on CI) unless `available`, naming what is missing and how to install it."""
    if available:
        return
    message = f"!!! {what} is absent, so this test did NOT run here. To run it: {how} !!!"
    if os.environ.get("CI"):
        pytest.fail(message + " (CI must install it: see .ci/run)")
    pytest.skip(message)


def require_chromium():
    require(os.path.exists(CHROMIUM), CHROMIUM, "apt-get install chromium")


def require_torch():
    require(importlib.util.find_spec("torch") is not None, "torch",
            "pip install -e '.[torch]' (torch==2.13.0, the CPU build)")


def require_jupyter_kernel():
    require(importlib.util.find_spec("nbclient") is not None and importlib.util.find_spec("ipykernel") is not None,
            "nbclient/ipykernel", "pip install -e '.[test]'")


def launch_chromium(playwright):
    """Debian's Chromium, headless, with its calls home switched off (this network is closed)."""
    require_chromium()
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)


@contextlib.contextmanager
def offline_page(path, viewport=(1200, 900)):
    """(page, errors): the file at `path` opened in Chromium with every request beyond file://
    refused (an nbconvert export links CDN scripts for other outputs; offline here), and the
    page's uncaught errors collected."""
    require_chromium()
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file://")
                   else route.abort())
        page.goto(path.resolve().as_uri())
        try:
            yield page, errors
        finally:
            browser.close()


