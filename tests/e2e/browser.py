"""Open dashboard pages in Debian's headless Chromium (no browser download) and screenshot them.

    python -m tests.e2e.browser URL OUT.png

Streamlit renders over a websocket, so "loaded" means: the app's status widget is gone
and the page has its title. Used by the README screenshot and the browser tests.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, sync_playwright

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        raise RuntimeError("headless Chromium is missing: apt-get install -y chromium")
    return path


def wait_for_app(page: Page, timeout_ms: int = 30_000) -> None:
    page.wait_for_selector("h1", timeout=timeout_ms)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=timeout_ms
    )
    page.wait_for_timeout(1500)  # charts draw after the script finishes


def screenshot(url: str, out: Path, width: int = 1400, height: int = 1000) -> None:
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": width, "height": height})
        for _ in range(60):  # the server may still be starting
            try:
                page.goto(url)
                break
            except PlaywrightError:
                page.wait_for_timeout(500)
        wait_for_app(page)
        out.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(out), full_page=True)
        browser.close()


if __name__ == "__main__":
    screenshot(sys.argv[1], Path(sys.argv[2]))
