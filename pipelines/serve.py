"""Serve the dashboards and the Dagster UI (webserver + daemon) until stopped, and keep a
build's process, GX's worker and dbt's process on standby for the home's next build
(pipelines/standby.py; SHOPKPI_STANDBY=0: none).

    python -m pipelines.serve [--dashboards-port 8501] [--dagster-port 3000]

Both bind to 127.0.0.1. When either stops, or on Ctrl-C, SIGTERM or SIGHUP, everything
this started is stopped: politely first (SIGINT, as a terminal would), then for good after
a grace period, down to the webserver, daemon and code servers `dagster dev` started.
That holds when `make run` was started in the background from a script (where SIGINT is
ignored and would be inherited) and when `make` itself is killed.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil

from pipelines.lib.settings import REPO_ROOT

GRACE_SECONDS = 15
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
PR_SET_PDEATHSIG = 1  # linux/prctl.h


def dashboards_command(port: int) -> list[str]:
    """The Streamlit server of the dashboards on 127.0.0.1 (also `make bench-pages`')."""
    return [sys.executable, "-m", "dashboards.server",
            "--server.address", "127.0.0.1", "--server.port", str(port),
            "--server.headless", "true"]  # fmt: skip


def commands(dashboards_port: int, dagster_port: int) -> list[list[str]]:
    bin_dir = Path(sys.executable).parent
    return [
        dashboards_command(dashboards_port),
        [str(bin_dir / "dagster"), "dev", "-m", "pipelines.definitions",
         "-h", "127.0.0.1", "-p", str(dagster_port)],
    ]  # fmt: skip


def helper_commands() -> list[list[str]]:
    """What makes builds faster while `make run` serves: a build's process, GX's worker and
    dbt's process kept on standby for the home's next build (pipelines/standby.py; about
    650 MB while they wait). Not needed: if it stops, the dashboards and Dagster go on.
    SHOPKPI_STANDBY=0 keeps none (builds then start their own)."""
    if os.environ.get("SHOPKPI_STANDBY", "1") == "0":
        return []
    return [[sys.executable, "-m", "pipelines.standby"]]


def _family(children: list[subprocess.Popen]) -> list[psutil.Process]:
    """The children and everything they started, whatever session or group it is in."""
    family = []
    for child in children:
        with contextlib.suppress(psutil.NoSuchProcess):
            parent = psutil.Process(child.pid)
            family += [parent, *parent.children(recursive=True)]
    return family


def stop(children: list[subprocess.Popen]) -> None:
    family = _family(children)  # before anyone exits: orphans are reparented and lost
    for child in children:
        if child.poll() is None:
            child.send_signal(signal.SIGINT)
    _gone, alive = psutil.wait_procs(family, timeout=GRACE_SECONDS)
    for process in alive:
        with contextlib.suppress(psutil.NoSuchProcess):
            process.kill()
    psutil.wait_procs(alive, timeout=5)
    for child in children:
        with contextlib.suppress(subprocess.TimeoutExpired):
            child.wait(timeout=1)


def die_with_parent() -> None:
    """Linux: SIGTERM this process when `make` (its parent) dies, even by SIGKILL."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipelines.serve")
    parser.add_argument("--dashboards-port", type=int, default=8501)
    parser.add_argument("--dagster-port", type=int, default=3000)
    args = parser.parse_args(argv)

    def on_signal(signum, frame) -> None:
        raise KeyboardInterrupt

    # before the children start: a handler (unlike an inherited SIG_IGN) is reset to the
    # default in them, so SIGINT stops them even when `make run` ran in the background
    for signum in STOP_SIGNALS:
        signal.signal(signum, on_signal)
    die_with_parent()
    children = [
        subprocess.Popen(command, cwd=REPO_ROOT, start_new_session=True)
        for command in commands(args.dashboards_port, args.dagster_port)
    ]
    helpers = [
        subprocess.Popen(command, cwd=REPO_ROOT, start_new_session=True)
        for command in helper_commands()
    ]
    print(
        f"dashboards: http://localhost:{args.dashboards_port}   "
        f"Dagster: http://localhost:{args.dagster_port}   (Ctrl-C stops both)",
        flush=True,
    )
    try:
        while all(child.poll() is None for child in children):
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        # a second signal while stopping must not leave half the processes behind
        for signum in STOP_SIGNALS:
            signal.signal(signum, signal.SIG_IGN)
        stop(children + helpers)
    return 0


if __name__ == "__main__":
    sys.exit(main())
