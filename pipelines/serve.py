"""Serve the dashboards and the Dagster UI (webserver + daemon) until Ctrl-C.

    python -m pipelines.serve [--dashboards-port 8501] [--dagster-port 3000]

Both bind to 127.0.0.1. When either stops, or on Ctrl-C / SIGTERM, both are stopped:
politely first (SIGINT, as a terminal would), then for good after a grace period.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from pipelines.lib.settings import REPO_ROOT

GRACE_SECONDS = 15


def commands(dashboards_port: int, dagster_port: int) -> list[list[str]]:
    bin_dir = Path(sys.executable).parent
    return [
        [str(bin_dir / "streamlit"), "run", "dashboards/streamlit_app.py",
         "--server.address", "127.0.0.1", "--server.port", str(dashboards_port),
         "--server.headless", "true"],
        [str(bin_dir / "dagster"), "dev", "-m", "pipelines.definitions",
         "-h", "127.0.0.1", "-p", str(dagster_port)],
    ]  # fmt: skip


def stop(children: list[subprocess.Popen]) -> None:
    for child in children:
        if child.poll() is None:
            child.send_signal(signal.SIGINT)
    deadline = time.monotonic() + GRACE_SECONDS
    for child in children:
        try:
            child.wait(timeout=max(deadline - time.monotonic(), 0.1))
        except subprocess.TimeoutExpired:
            child.kill()  # its own children go with its process group below
    for child in children:
        # dagster dev leaves its webserver, daemon and code servers in its session's group
        with contextlib.suppress(ProcessLookupError):
            os.killpg(child.pid, signal.SIGKILL)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipelines.serve")
    parser.add_argument("--dashboards-port", type=int, default=8501)
    parser.add_argument("--dagster-port", type=int, default=3000)
    args = parser.parse_args(argv)

    children = [
        subprocess.Popen(command, cwd=REPO_ROOT, start_new_session=True)
        for command in commands(args.dashboards_port, args.dagster_port)
    ]
    print(
        f"dashboards: http://localhost:{args.dashboards_port}   "
        f"Dagster: http://localhost:{args.dagster_port}   (Ctrl-C stops both)",
        flush=True,
    )

    def on_signal(signum, frame) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)  # also when started in the background
    try:
        while all(child.poll() is None for child in children):
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        stop(children)
    return 0


if __name__ == "__main__":
    sys.exit(main())
