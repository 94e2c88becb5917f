"""`make bench-pages`: every page's load time in headless Chromium on SHOPKPI_HOME's publish.

    python -m tests.e2e.bench_pages [--port 8597]

As a user meets the dashboards after `make run` restarts them: one browser, left open, and
two servers one after the other:
1. a first server, opened once by that browser while it has never seen the dashboards: the
   view that also fetches and compiles Streamlit's JavaScript (which the browser then keeps:
   Streamlit serves it as immutable for a year), printed on its own;
2. a new server, and the same browser (a new tab): each page's address opened twice (the
   first is the page's first view; the overview's is the first view after the server
   started), then round the sidebar twice, the second round counting.
A browser process launched afresh compiles Streamlit's JavaScript again (about 1.5 s more
on its first view here): that is the browser starting, not the page, and not timed here.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from pipelines.serve import dashboards_command
from tests.e2e.browser import (
    CHROMIUM_ARGS,
    VIEWPORT,
    chromium_path,
    open_page,
    print_timings,
    time_pages,
    wait_for_server,
)


def start_server(port: int) -> subprocess.Popen:
    return subprocess.Popen(
        dashboards_command(port), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def stop_server(server: subprocess.Popen) -> None:
    server.terminate()
    server.wait(timeout=30)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.e2e.bench_pages")
    parser.add_argument("--port", type=int, default=8597)
    args = parser.parse_args(argv)
    base_url = f"http://127.0.0.1:{args.port}"
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            for server_number in (1, 2):
                server = start_server(args.port)
                page = browser.new_page(viewport=VIEWPORT)
                try:
                    if server_number == 1:
                        wait_for_server(page, f"{base_url}/_stcore/health")
                        never_seen = open_page(page, f"{base_url}/overview")
                    else:
                        timings = time_pages(page, base_url, Path(tmp) / "png")
                finally:
                    page.close()
                    stop_server(server)
        finally:
            browser.close()
    print(
        f"/overview in a browser that never saw the dashboards (fetches Streamlit's "
        f"JavaScript): {never_seen:.2f}s"
    )
    print("a new server, the same browser:")
    print_timings(timings)
    return 0


if __name__ == "__main__":
    sys.exit(main())
