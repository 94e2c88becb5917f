"""The dbt command dagster-dbt runs: in the process a build started early, else dbt itself."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from pipelines.lib import warm_dbt
from pipelines.lib.settings import DBT_PROJECT_DIR


def run_command(
    args: list[str], socket: Path | None, env_extra: dict | None = None, **kwargs
) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != warm_dbt.SOCKET_ENV} | (env_extra or {})
    if socket:
        env[warm_dbt.SOCKET_ENV] = str(socket)
    return subprocess.run(
        [*warm_dbt.DBT_COMMAND, *args], env=env, capture_output=True, text=True, **kwargs
    )


def waiting_process(home: Path) -> subprocess.Popen:
    warm_dbt.start(home, home / "build.log")
    process, _ = warm_dbt._started[home.resolve()]
    return process


def test_the_command_runs_in_the_waiting_process_and_returns_dbts_exit_code(tmp_path):
    process = waiting_process(tmp_path)
    socket = warm_dbt.started(tmp_path)
    assert socket is not None
    try:
        # a usage error: dbt's own exit code (2) and message come back through the process
        answer = run_command(["--no-such-flag"], socket, timeout=60)
        assert answer.returncode == 2
        assert "No such option" in answer.stdout + answer.stderr
        assert process.wait(timeout=10) == 0  # it ran the one command and exited
        assert warm_dbt.started(tmp_path) is None
        assert not socket.exists()
    finally:
        warm_dbt.stop(tmp_path)


def test_dbt_runs_in_the_waiting_process_with_the_commands_environment(tmp_path, monkeypatch):
    monkeypatch.delenv(
        "SHOPKPI_HOME", raising=False
    )  # the project needs it: only the command has it
    process = waiting_process(tmp_path)
    socket = warm_dbt.started(tmp_path)
    env = {"SHOPKPI_HOME": str(tmp_path), "DBT_LOG_FORMAT": "json", "DBT_LOG_PATH": str(tmp_path)}
    try:
        answer = run_command(
            ["deps", "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR)],
            socket, timeout=120, cwd=DBT_PROJECT_DIR, env_extra=env,
        )  # fmt: skip
        assert answer.returncode == 0, answer.stdout + answer.stderr
        events = [json.loads(line) for line in answer.stdout.splitlines()]
        assert {event["info"]["pid"] for event in events} == {process.pid}
        assert "DepsNoPackagesFound" in {event["info"]["name"] for event in events}
    finally:
        warm_dbt.stop(tmp_path)


def test_a_command_that_matches_the_manifest_loaded_ahead_runs_with_it(demo_build, tmp_path):
    """The waiting process loads the build's manifest ahead (dbt_manifest.manifest_ahead);
    the command with the parse's arguments runs with it, one with other vars parses for
    itself; both answer as dbt would."""
    from pipelines.lib.dbt_manifest import home_target_dir, manifest_ahead

    ahead = manifest_ahead(demo_build)
    assert ahead is not None  # the demo home has its partial parse
    target = tmp_path / "target"  # the demo's own stays as it is
    shutil.copytree(home_target_dir(demo_build), target)
    ahead["env"] |= {"DBT_TARGET_PATH": str(target), "DBT_LOG_PATH": str(target)}
    log = tmp_path / "build.log"
    other_vars = ["--vars", json.dumps(demo_build.dbt_vars() | {"reporting_currency": "USD"})]
    for args, said in (
        (ahead["args"], "dbt's manifest loaded ahead used"),
        ([*ahead["args"][:2], *other_vars], "not used: arguments differ"),
    ):
        warm_dbt.start(tmp_path, log, ahead)
        try:
            answer = run_command(
                ["ls", "--resource-type", "model", "--output", "name", "--quiet", *args],
                warm_dbt.started(tmp_path), env_extra=ahead["env"], cwd=ahead["cwd"],
                timeout=180,
            )  # fmt: skip
        finally:
            warm_dbt.stop(tmp_path)
        assert answer.returncode == 0, answer.stdout + answer.stderr
        assert "int_orders_summarised" in answer.stdout.split()
        assert said in answer.stderr  # the command's stderr: in a build, the build log
    # dbt's exit code for a command it cannot run, with the manifest loaded ahead too
    warm_dbt.start(tmp_path, log, ahead)
    try:
        answer = run_command(
            ["build", "--no-such-flag", *ahead["args"]], warm_dbt.started(tmp_path),
            env_extra=ahead["env"], cwd=ahead["cwd"], timeout=180,
        )  # fmt: skip
    finally:
        warm_dbt.stop(tmp_path)
    assert answer.returncode == 2
    assert "No such option" in answer.stdout + answer.stderr


def test_without_a_waiting_process_the_command_is_dbt_itself(tmp_path):
    answer = run_command(["--version"], None, timeout=60)
    assert answer.returncode == 0
    assert "Core:" in answer.stdout
    # a socket nobody listens on: the same
    stale = tmp_path / "gone.sock"
    assert run_command(["--no-such-flag"], stale, timeout=60).returncode == 2


def test_an_interrupted_command_stops_dbt_in_the_waiting_process(tmp_path):
    process = waiting_process(tmp_path)
    socket = warm_dbt.started(tmp_path)
    try:
        # a parse from scratch takes seconds: time for the interrupt to arrive while it runs
        command = subprocess.Popen(
            [*warm_dbt.DBT_COMMAND, "parse", "--no-partial-parse", "--project-dir",
             str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
             "--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path)],
            env={**os.environ, warm_dbt.SOCKET_ENV: str(socket), "SHOPKPI_HOME": str(tmp_path)},
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
        assert "Running with dbt" in command.stdout.readline()  # dbt started in the process
        time.sleep(0.5)
        command.send_signal(signal.SIGINT)
        assert command.wait(timeout=60) != 0
        assert "KeyboardInterrupt" in command.stdout.read()  # raised in dbt, as by Ctrl-C
        assert process.wait(timeout=60) is not None
        assert not (tmp_path / "target" / "manifest.json").exists()  # the parse stopped
    finally:
        warm_dbt.stop(tmp_path)


def test_a_process_the_run_did_not_use_is_stopped(tmp_path):
    process = waiting_process(tmp_path)
    socket = warm_dbt.started(tmp_path)
    warm_dbt.stop(tmp_path)
    assert process.poll() is not None
    assert not socket.exists()
    assert warm_dbt.started(tmp_path) is None


def test_the_process_stops_also_when_the_build_ignores_interrupts(tmp_path):
    """A build started in the background ignores SIGINT, and Dagster then gives SIGTERM the
    same disposition: the process, which inherits both, still stops at once."""
    before = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    for sig in before:
        signal.signal(sig, signal.SIG_IGN)
    try:
        process = waiting_process(tmp_path)
    finally:
        for sig, handler in before.items():
            signal.signal(sig, handler)
    time.sleep(1)  # past the point where it set its own handlers
    started = time.perf_counter()
    warm_dbt.stop(tmp_path)
    assert process.returncode == -signal.SIGTERM
    assert time.perf_counter() - started < 5


JOB_WITH_OR_WITHOUT_DBT_CORE = """
import json, sys
from pipelines.lib.warm_dbt import keep_dbt_core_out
if sys.argv[1] == "hidden":
    keep_dbt_core_out()
from pipelines.definitions import defs
graph = defs().resolve_job_def("daily_build").asset_layer.asset_graph
print(json.dumps({
    "assets": sorted(key.to_user_string() for key in graph.get_all_asset_keys()),
    "checks": sorted(f"{key.asset_key.to_user_string()}:{key.name}"
                     for key in graph.asset_check_keys),
    "dbt_modules": sorted(name for name in sys.modules if name.split(".")[0] == "dbt"
                          and sys.modules[name] is not None),
}))
"""


def test_a_builds_process_loads_the_same_job_without_dbt_core(tmp_path):
    def load(how: str) -> dict:
        done = subprocess.run(
            [sys.executable, "-c", JOB_WITH_OR_WITHOUT_DBT_CORE, how],
            env=os.environ | {"SHOPKPI_HOME": str(tmp_path)},
            capture_output=True, text=True, timeout=180, check=True,
        )  # fmt: skip
        return json.loads(done.stdout.splitlines()[-1])

    hidden, normal = load("hidden"), load("normal")
    assert hidden["dbt_modules"] == []  # not imported: dagster-dbt's stand-ins served
    assert normal["dbt_modules"]  # the check can fail: dagster-dbt imports dbt-core if it can
    # every model, source and dbt test is the same asset or check either way
    assert hidden["assets"] == normal["assets"]
    assert hidden["checks"] == normal["checks"]
    assert any(check.startswith("marts/fct_daily_kpis:") for check in hidden["checks"])


def test_a_build_with_much_to_load_starts_dbt_after_the_ingest_that_leaves_little(tmp_path):
    inbox = tmp_path / "inbox" / "orders"
    inbox.mkdir(parents=True)
    big = inbox / "orders.csv"
    with big.open("wb") as f:  # sparse: its size is what counts
        f.truncate(warm_dbt.SMALL_INBOX_BYTES + 1)
    try:
        warm_dbt.start_if_little_to_load(tmp_path, inbox.parent, tmp_path / "build.log")
        assert warm_dbt.started(tmp_path) is None  # ingest needs the memory first
        warm_dbt.after_ingest(tmp_path, inbox.parent, tmp_path / "build.log")
        assert warm_dbt.started(tmp_path) is None  # still much to load
        big.unlink()  # loaded: moved to archive/
        warm_dbt.after_ingest(tmp_path, inbox.parent, tmp_path / "build.log")
        assert warm_dbt.started(tmp_path) is not None
    finally:
        warm_dbt.stop(tmp_path)


def test_a_run_not_started_by_make_pipeline_never_starts_dbt_from_ingest(tmp_path):
    """In the Dagster UI or the daemon the dbt step starts its own process."""
    (tmp_path / "inbox").mkdir()
    warm_dbt.after_ingest(tmp_path, tmp_path / "inbox", tmp_path / "build.log")
    assert warm_dbt.started(tmp_path) is None
