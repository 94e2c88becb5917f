"""While `make run` serves a home, a build's process, GX's worker and dbt's process wait on
standby for its next build (pipelines/standby.py): `make pipeline` hands its command to
the first, ingest its rows to the second, the dbt step its command to the third, and the
keeper starts the next ones after the build."""

from __future__ import annotations

import fcntl
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import psutil

from pipelines import build_standby, cli
from pipelines.lib import quality_worker, warm_dbt
from pipelines.lib.dbt_manifest import home_target_dir
from pipelines.lib.settings import REPO_ROOT
from pipelines.standby import build_running
from tests.conftest import HANDMADE_SHOP, fill_inbox, use_home

NEXT_DAY_ORDER = (
    "order_id,line_id,platform,customer_id,order_ts,paid_ts,status,sku,quantity,"
    "unit_price,discount,refund_amount,currency\n"
    "T2001,T2001-1,tmall,tb_new,2025-03-05 09:58:00,2025-03-05 10:00:00,paid,MUG-01,1,"
    "59.00,0,0,CNY\n"
)


def wait_until(condition, timeout: float = 120, what=lambda: "") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"not within {timeout} s: {what()}"
        time.sleep(0.2)


def listening_on(path: Path) -> int | None:
    """The pid of the waiting process started with this socket's path, if any."""
    for process in psutil.process_iter(["cmdline"]):
        if str(path) in (process.info["cmdline"] or []):
            return process.pid
    return None


def settled(pid: int) -> bool:
    """Done loading: its CPU time stands still for a second."""
    process = psutil.Process(pid)
    before = sum(process.cpu_times()[:2])
    time.sleep(1)
    return sum(process.cpu_times()[:2]) == before


def gone(pid: int | None) -> bool:
    return pid is None or not psutil.pid_exists(pid) or psutil.Process(pid).status() == "zombie"


def test_a_held_build_lock_is_seen_without_taking_it(tmp_path) -> None:
    assert not build_running(tmp_path)  # no lock file: no build ever ran
    with (tmp_path / ".build.lock").open("w") as handle:
        assert not build_running(tmp_path)
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        assert build_running(tmp_path)
        fcntl.flock(handle, fcntl.LOCK_UN)
        assert not build_running(tmp_path)


def test_the_next_build_runs_in_the_processes_on_standby(tmp_path) -> None:
    settings = use_home(tmp_path / "home")
    fill_inbox(settings, HANDMADE_SHOP)
    assert cli.build(settings) == 0  # the first build: the home gets its partial parse
    home = settings.home.resolve()
    env = {**os.environ, "SHOPKPI_HOME": str(home)}
    sockets = (
        build_standby.socket_path(home),
        quality_worker.standby_socket_path(home),
        warm_dbt.socket_path(home, standby=True),
    )
    keeper = subprocess.Popen(
        [sys.executable, "-m", "pipelines.standby"], cwd=REPO_ROOT, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        wait_until(lambda: all(listening_on(path) for path in sockets))
        first = [listening_on(path) for path in sockets]
        assert {psutil.Process(pid).ppid() for pid in first} == {keeper.pid}
        (settings.inbox_for("orders") / "tmall_next_day.csv").write_text(
            NEXT_DAY_ORDER, encoding="utf-8"
        )
        # as `make pipeline`: the command's own process hands the build over and exits
        # with its exit code, its output on the command's streams
        done = subprocess.run(
            [sys.executable, "-m", "pipelines.cli", "build"], cwd=REPO_ROOT, env=env,
            capture_output=True, text=True, timeout=600,
        )  # fmt: skip
        assert done.returncode == 0, done.stdout + done.stderr
        assert "build succeeded" in done.stdout
        log = settings.build_log.read_text(encoding="utf-8").split("RUN_START")[-1]
        assert f"Executing steps in process (pid: {first[0]})" in log  # the standby's
        assert "dbt runs in the process `make run` keeps on standby for this home" in log
        assert "dbt's manifest loaded ahead used" in log
        assert re.search(r"dbt's macros compiled ahead \(\d{3,}\)", log)  # dbt's and ours
        assert "dbt build: incremental (new rows of orders since the last build)" in log
        # each served this build (GX's worker validated its rows) and stopped
        assert all(gone(pid) for pid in first)
        # the next ones wait for the build after
        wait_until(
            lambda: all(listening_on(path) not in (None, *first) for path in sockets),
            what=lambda: [(p.name, listening_on(p)) for p in sockets] + [first],
        )
        second = [listening_on(path) for path in sockets]
        # dbt's next one loaded its manifest without replacing the build's on disk, which
        # keeps the compiled SQL (the floor and `make docs` read it)
        wait_until(lambda: settled(second[2]))
        manifest = json.loads((home_target_dir(settings) / "manifest.json").read_text("utf-8"))
        assert "compiled_code" in manifest["nodes"]["model.shopkpi.fct_daily_kpis"]
    finally:
        keeper.send_signal(signal.SIGINT)  # as `make run` stops it
        output = keeper.communicate(timeout=30)[0]
    assert keeper.returncode == 0, output
    assert not any(path.exists() for path in sockets)
    assert all(gone(pid) for pid in second)


def test_a_build_process_on_standby_with_older_code_refuses_the_command(tmp_path) -> None:
    """An edit since it imported: the command builds in its own process instead."""
    process = build_standby.start(tmp_path, tmp_path / "build.log")
    try:
        refused = warm_dbt.hand_over(
            build_standby.socket_path(tmp_path), ["build"], "the build's process", stamp=0.0
        )
        assert refused is None
        assert process.wait(timeout=120) == 0
        assert not build_standby.socket_path(tmp_path).exists()
    finally:
        process.kill()
        process.wait()


def test_without_a_standby_a_build_starts_its_own_dbt_process(tmp_path) -> None:
    """No standby: nothing found. A standby socket left by a process that died refuses
    the command, which then runs as dbt itself (warm_dbt.command)."""
    assert warm_dbt.on_standby(tmp_path) is None
    assert warm_dbt.started(tmp_path) is None
    stale = warm_dbt.socket_path(tmp_path, standby=True)
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as listener:
        listener.bind(str(stale))  # bound, never listening: refuses connections
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
