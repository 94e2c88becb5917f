"""While `make run` serves a home, dbt's process waits on standby for its next build
(pipelines/lib/dbt_standby.py): the build uses it, and the next one is started after."""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil

from pipelines import cli
from pipelines.lib import warm_dbt
from pipelines.lib.dbt_standby import build_running
from pipelines.lib.settings import REPO_ROOT
from tests.conftest import HANDMADE_SHOP, fill_inbox, use_home

NEXT_DAY_ORDER = (
    "order_id,line_id,platform,customer_id,order_ts,paid_ts,status,sku,quantity,"
    "unit_price,discount,refund_amount,currency\n"
    "T2001,T2001-1,tmall,tb_new,2025-03-05 09:58:00,2025-03-05 10:00:00,paid,MUG-01,1,"
    "59.00,0,0,CNY\n"
)


def wait_until(condition, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"not within {timeout} s"
        time.sleep(0.2)


def standby_pid(home: Path) -> int | None:
    """The pid of the process listening on the home's standby socket, if any."""
    path = warm_dbt.socket_path(home, standby=True)
    for process in psutil.process_iter(["cmdline"]):
        cmdline = process.info["cmdline"] or []
        if "--serve" in cmdline and str(path) in cmdline:
            return process.pid
    return None


def test_a_held_build_lock_is_seen_without_taking_it(tmp_path) -> None:
    assert not build_running(tmp_path)  # no lock file: no build ever ran
    with (tmp_path / ".build.lock").open("w") as handle:
        assert not build_running(tmp_path)
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        assert build_running(tmp_path)
        fcntl.flock(handle, fcntl.LOCK_UN)
        assert not build_running(tmp_path)


def test_the_next_build_runs_dbt_in_the_process_on_standby(tmp_path) -> None:
    settings = use_home(tmp_path / "home")
    fill_inbox(settings, HANDMADE_SHOP)
    assert cli.build(settings) == 0  # the first build: the home gets its partial parse
    home = settings.home.resolve()
    keeper = subprocess.Popen(
        [sys.executable, "-m", "pipelines.lib.dbt_standby"],
        cwd=REPO_ROOT, env={**os.environ, "SHOPKPI_HOME": str(home)},
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        wait_until(lambda: warm_dbt.on_standby(home) is not None)
        first = standby_pid(home)
        assert first is not None and psutil.Process(first).ppid() == keeper.pid
        # it has imported dbt-core and loaded the manifest ahead: a build may come any time
        (settings.inbox_for("orders") / "tmall_next_day.csv").write_text(
            NEXT_DAY_ORDER, encoding="utf-8"
        )
        assert cli.build(settings) == 0
        log = settings.build_log.read_text(encoding="utf-8").split("RUN_START")[-1]
        assert "dbt runs in the process `make run` keeps on standby for this home" in log
        assert "dbt's manifest loaded ahead used" in log
        assert "dbt build: incremental (new rows of orders since the last build)" in log
        assert not psutil.pid_exists(first) or psutil.Process(first).status() == "zombie"
        # the next one waits for the build after
        wait_until(lambda: standby_pid(home) not in (None, first))
        second = standby_pid(home)
    finally:
        keeper.send_signal(signal.SIGINT)  # as `make run` stops it
        output = keeper.communicate(timeout=30)[0]
    assert keeper.returncode == 0, output
    assert warm_dbt.on_standby(home) is None
    assert not psutil.pid_exists(second) or psutil.Process(second).status() == "zombie"


def test_without_a_standby_a_build_starts_its_own_dbt_process(tmp_path) -> None:
    """The standby socket of another home is never taken, and a standby socket left by a
    process that died makes the command run as dbt itself (warm_dbt.command)."""
    stale = warm_dbt.socket_path(tmp_path, standby=True)
    assert warm_dbt.on_standby(tmp_path) is None
    assert warm_dbt.started(tmp_path) is None
    import socket

    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as listener:
        listener.bind(str(stale))  # bound, never listened on: refuses connections
    try:
        assert warm_dbt.started(tmp_path) == stale
        answer = subprocess.run(
            [*warm_dbt.DBT_COMMAND, "--version"],
            env={**os.environ, warm_dbt.SOCKET_ENV: str(stale)},
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert answer.returncode == 0 and "Core:" in answer.stdout
    finally:
        stale.unlink(missing_ok=True)
