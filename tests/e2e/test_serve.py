"""`make run`'s last step: both UIs come up on localhost and Ctrl-C stops every process."""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import psutil

from pipelines.lib.settings import REPO_ROOT, Settings


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, timeout: float = 90) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.status
        except OSError:
            time.sleep(1)
    raise AssertionError(f"{url} did not answer within {timeout} s")


def test_dashboards_and_dagster_serve_and_stop_on_ctrl_c(demo_build: Settings, tmp_path) -> None:
    dash, dagster = free_port(), free_port()
    (tmp_path / "dagster_home").mkdir()  # Dagster wants its home to exist
    # no processes on standby for the demo home other tests read (test_standby.py)
    env = {**os.environ, "SHOPKPI_HOME": str(demo_build.home), "SHOPKPI_STANDBY": "0",
           "DAGSTER_HOME": str(tmp_path / "dagster_home")}  # fmt: skip
    serve = subprocess.Popen(
        [sys.executable, "-m", "pipelines.serve", "--dashboards-port", str(dash),
         "--dagster-port", str(dagster)],
        cwd=REPO_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        assert wait_for(f"http://127.0.0.1:{dash}/_stcore/health") == 200
        assert wait_for(f"http://127.0.0.1:{dagster}/server_info") == 200
        family = [serve.pid] + [p.pid for p in psutil.Process(serve.pid).children(recursive=True)]
        assert len(family) >= 4  # serve, streamlit, dagster dev, its webserver and daemon
        # both listen on loopback only, never on every interface
        listening = {
            (conn.laddr.ip, conn.laddr.port)
            for pid in family if psutil.pid_exists(pid)
            for conn in psutil.Process(pid).net_connections(kind="inet")
            if conn.status == psutil.CONN_LISTEN
        }  # fmt: skip
        ports = {port for _, port in listening}
        assert {dash, dagster} <= ports
        assert {ip for ip, port in listening if port in (dash, dagster)} == {"127.0.0.1"}
    finally:
        serve.send_signal(signal.SIGINT)
        serve.wait(timeout=60)
    time.sleep(1)
    alive = [
        pid for pid in family if psutil.pid_exists(pid) and psutil.Process(pid).status() != "zombie"
    ]
    assert alive == []


def test_everything_make_run_started_stops_when_make_is_killed(tmp_path) -> None:
    """Started in the background from a script (SIGINT ignored, inherited by everything it
    starts), then the `make` above it killed outright: serve gets SIGTERM from the kernel
    (it asked to die with its parent) and no webserver, daemon, process on standby or port
    is left behind. A home of its own: the keeper's processes set up there."""
    dash, dagster = free_port(), free_port()
    (tmp_path / "dagster_home").mkdir()  # Dagster wants its home to exist
    env = {**os.environ, "SHOPKPI_HOME": str(tmp_path / "home"),
           "DAGSTER_HOME": str(tmp_path / "dagster_home")}  # fmt: skip
    serve_cmd = (f"{sys.executable} -m pipelines.serve --dashboards-port {dash} "
                 f"--dagster-port {dagster}")  # fmt: skip
    # like `make run &` in a script: the background job inherits an ignored SIGINT; the
    # shell stays the parent (as make is), so killing it is killing make
    parent = subprocess.Popen(
        ["bash", "-c", f"{serve_cmd}; true"], cwd=REPO_ROOT, env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),
    )  # fmt: skip
    try:
        assert wait_for(f"http://127.0.0.1:{dagster}/server_info") == 200
        assert wait_for(f"http://127.0.0.1:{dash}/_stcore/health") == 200
        [serve] = psutil.Process(parent.pid).children()
        family = [serve, *serve.children(recursive=True)]
        assert len(family) >= 4
        # the keeper and, on a home never built, the build's and GX's processes on standby
        commands = [" ".join(p.cmdline()) for p in family]
        for module in ("pipelines.standby", "pipelines.build_standby", "quality_worker"):
            deadline = time.monotonic() + 60
            while not any(module in c for c in commands) and time.monotonic() < deadline:
                time.sleep(0.5)
                family = [serve, *serve.children(recursive=True)]
                commands = [" ".join(p.cmdline()) for p in family]
            assert any(module in c for c in commands), (module, commands)
        parent.kill()
        _gone, alive = psutil.wait_procs(family, timeout=60)
        assert not alive, [p.cmdline() for p in alive]
    finally:
        with contextlib.suppress(psutil.NoSuchProcess):
            for process in psutil.Process(parent.pid).children(recursive=True):
                process.kill()
        parent.kill()
        parent.wait(timeout=10)
    for port in (dash, dagster):  # the next `make run` can start: nobody listens there
        with socket.socket() as sock:
            # as the servers do: connections of the test itself may linger in TIME_WAIT
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind(("127.0.0.1", port))
