"""What the viz tests share: one headless Chromium per test module (tests/support.py's)."""

import pytest

from tests.support import launch_chromium, require_chromium


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium through Playwright; skips loudly without it (fails on CI)."""
    require_chromium()
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()
