"""Open dashboard pages in Debian's headless Chromium (no browser download) and screenshot them.

    python -m tests.e2e.browser BASE_URL OUT_DIR    # every page, timed, one PNG each

Streamlit renders over a websocket, so "loaded" means: the app says its script is no
longer running and the page has its title. Used by the browser tests, `make screenshot`
(the README's pictures) and `make bench-pages` (the load times).
"""

from __future__ import annotations

import shutil
import sys
import time
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


PAGES = ("overview", "marketing", "customers", "inventory", "logistics", "forecast", "data-health")
DONE = '[data-testid="stApp"][data-test-script-state="notRunning"]'


def wait_for_app(page: Page, timeout_ms: int = 30_000) -> None:
    page.wait_for_selector("h1", timeout=timeout_ms)
    page.wait_for_selector(DONE, timeout=timeout_ms)


def open_page(page: Page, url: str, timeout_ms: int = 30_000) -> float:
    """Go to url and wait until the page is drawn; the seconds it took."""
    start = time.perf_counter()
    page.goto(url)
    wait_for_app(page, timeout_ms)
    return time.perf_counter() - start


def launch(pw):
    return pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)


def wait_for_server(page: Page, url: str) -> None:
    for _ in range(120):  # the server may still be starting
        try:
            page.goto(url)
            return
        except PlaywrightError:
            page.wait_for_timeout(500)
    raise RuntimeError(f"nothing answers at {url}")


def switch_to(page: Page, name: str, title: str, timeout_ms: int = 30_000) -> float:
    """Click the page's link in the sidebar, as a user moves between pages once the app is
    open, and wait until it is drawn; the seconds it took."""
    start = time.perf_counter()
    page.click(f'[data-testid="stSidebarNavLink"][href$="/{name}"]')
    page.wait_for_function(
        """([title, done]) => {
            const h1 = document.querySelector("h1");
            return h1 && h1.innerText.trim() === title && document.querySelector(done) !== null;
        }""",
        arg=[title, DONE],
        timeout=timeout_ms,
    )
    return time.perf_counter() - start


VIEWPORT = {"width": 1400, "height": 1000}


def time_pages(page: Page, base_url: str, out_dir: Path, pages=PAGES) -> dict[str, tuple]:
    """Every page: seconds to load its address on a first and a second visit, and to
    switch to it from the sidebar once the app is open; a PNG of each."""
    timings, titles = {}, {}
    out_dir.mkdir(parents=True, exist_ok=True)
    wait_for_server(page, f"{base_url}/_stcore/health")
    for name in pages:
        first = open_page(page, f"{base_url}/{name}")
        again = open_page(page, f"{base_url}/{name}")
        titles[name] = page.inner_text("h1").strip()
        timings[name] = (first, again)
        page.wait_for_timeout(1500)  # charts draw after the script finishes
        page.screenshot(path=str(out_dir / f"{name}.png"))
    # in-app moves: from the last page round the sidebar twice, each page reached from
    # the one before it; the second round counts
    for _ in range(2):
        for name in pages:
            switched = switch_to(page, name, titles[name])
            timings[name] = (*timings[name][:2], switched)
    return timings


def shoot_pages(base_url: str, out_dir: Path, pages=PAGES) -> dict[str, tuple[float, ...]]:
    """time_pages in a new browser (an empty profile)."""
    with sync_playwright() as pw:
        browser = launch(pw)
        timings = time_pages(browser.new_page(viewport=VIEWPORT), base_url, out_dir, pages)
        browser.close()
    return timings


def print_timings(timings: dict[str, tuple]) -> None:
    print(f"{'page':<12} {'first visit':>12} {'again':>8} {'from sidebar':>13}")
    for name, (first, again, switched) in timings.items():
        print(f"{name:<12} {first:>11.2f}s {again:>7.2f}s {switched:>12.2f}s")


if __name__ == "__main__":
    print_timings(shoot_pages(sys.argv[1].rstrip("/"), Path(sys.argv[2])))
