"""What several test packages need: the optional tools (a browser, torch, a Jupyter kernel)
and the one rule for their absence.

On a newcomer's machine `make test` must not need apt or several GB of torch, so a test
that needs a missing tool skips and says how to get it. On CI (CI=true) `.ci/run` installs
every tool, so there an absent tool is a broken install, and the test fails instead.
"""

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


