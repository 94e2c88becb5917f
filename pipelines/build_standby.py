"""A build's own process on standby while `make run` serves a home.

`make pipeline` starts a Python process that imports Dagster, dagster-dbt, the definitions
(with the dbt manifest) and statsforecast for the forecasts: about 3 s of CPU before the
run begins, on two cores that GX's worker, dbt's process and then ingest want too. While
`make run` serves the home, its keeper (standby.py) also keeps one process that has
imported all of that, opened the home's Dagster instance and resolved the job; `make
pipeline` hands it the command (arguments, environment, working folder and standard
streams, as warm_dbt.py hands dbt's) and exits with its exit code. Each process builds
once and exits; the keeper starts the next after the build.

One that imported other code than the repository holds now (an edit since it started)
refuses the command, which then builds in its own process as it would without it.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

from pipelines.lib import warm_dbt
from pipelines.lib.code_files import code_changed_at
from pipelines.lib.settings import REPO_ROOT, Settings, SettingsError

STALE = b"S"  # the answer of a process whose code is not the repository's any more
_serving = False  # this process is the standby, building: it hands nothing over


def socket_path(home: Path) -> Path:
    return warm_dbt.socket_path(home, standby=True, kind="build")


def hand_over(settings: Settings, args: list[str]) -> int | None:
    """The exit code of the build the process on standby ran for `args`; None when no
    process waits for this home, or it refused (the caller builds in its own process)."""
    path = socket_path(settings.home)
    if _serving or not path.is_socket():
        return None
    return warm_dbt.hand_over(path, args, "the build's process on standby", stamp=code_changed_at())


def start(home: Path, log_path: Path) -> subprocess.Popen:
    """Start a process that waits for this home's next `make pipeline`; it stops when its
    parent does."""
    path = socket_path(home)
    return warm_dbt.spawn_listening(
        path, log_path,
        lambda fd: [sys.executable, "-m", "pipelines.build_standby", str(fd), str(path)],
        cwd=REPO_ROOT,
    )  # fmt: skip


def serve(listening: int, path: Path) -> None:
    """Import what a build imports, then run one `pipelines.cli` command and exit."""
    global _serving
    stamp = code_changed_at()  # before importing: a file edited meanwhile is an edit
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    gc.disable()  # as the build's own process: what it imports lives to its end
    parent = os.getppid()
    listener = socket.socket(fileno=listening)
    warm_dbt.keep_dbt_core_out()
    for module in ("statsforecast.models", "statsforecast.utils"):  # the forecasts' fits
        importlib.import_module(module)
    from pipelines import cli
    from pipelines.definitions import defs

    defs()  # the modules under pipelines/defs, dagster-dbt and the manifest
    with contextlib.suppress(SettingsError):
        cli.open_ahead(Settings.from_env())
    gc.freeze()
    conn = warm_dbt.accept_one(listener, path, parent)
    if conn is None:
        return
    request, fds = warm_dbt.receive_request(conn)
    if request.get("stamp") != stamp:
        for fd in fds:
            os.close(fd)
        conn.sendall(STALE)
        conn.close()
        return
    warm_dbt.take_over(request, fds)
    finished = warm_dbt.accept(conn)
    _serving = True
    try:
        code = cli.main(request["args"])
    except SystemExit as exit_:
        code = exit_.code
    except BaseException:  # as the command would: the traceback on stderr, exit 1
        import traceback

        traceback.print_exc()
        code = 1
    warm_dbt.answer(conn, finished, code)


if __name__ == "__main__":
    serve(int(sys.argv[1]), Path(sys.argv[2]))
