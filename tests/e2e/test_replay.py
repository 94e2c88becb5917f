"""Replays that must be safe: two builds at once, and a build killed mid-load."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb

from pipelines.lib.settings import REPO_ROOT, Settings
from tests.conftest import DEMO_ORDER_LINES, HANDMADE_SHOP, fill_inbox, use_home

HANDMADE_ORDER_LINES = 10  # data/samples/handmade_shop/orders: 10 lines


def start_build(settings: Settings) -> subprocess.Popen:
    env = {**os.environ, "SHOPKPI_HOME": str(settings.home),
           "DAGSTER_HOME": str(settings.dagster_home)}  # fmt: skip
    return subprocess.Popen(
        [sys.executable, "-m", "pipelines.cli", "build"],
        cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip


def audit(settings: Settings, sql: str) -> list[tuple]:
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_two_builds_at_once_take_turns(tmp_path: Path) -> None:
    settings = use_home(tmp_path / "twice")
    fill_inbox(settings, HANDMADE_SHOP)
    files = sum(1 for p in HANDMADE_SHOP.rglob("*") if p.is_file())
    first, second = start_build(settings), start_build(settings)
    outputs = [first.communicate(timeout=600)[0], second.communicate(timeout=600)[0]]
    assert first.returncode == 0, outputs[0][-2000:]
    assert second.returncode == 0, outputs[1][-2000:]
    # every file loaded exactly once; the later build found nothing left to load
    assert audit(settings, "select count(*), count(distinct sha256) from audit.file_loads") == [
        (files, files)
    ]
    assert audit(settings, "select count(*) from raw.orders") == [(HANDMADE_ORDER_LINES,)]
    assert any("waiting" in out for out in outputs)


def test_a_build_killed_mid_load_loses_and_doubles_nothing(
    tmp_path: Path, demo_exports: Path
) -> None:
    settings = use_home(tmp_path / "crash")
    fill_inbox(settings, demo_exports)
    files = sum(1 for p in demo_exports.rglob("*") if p.is_file())
    build = start_build(settings)
    archive = settings.archive / "orders"
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and len(list(archive.rglob("*.csv"))) < 10:
        time.sleep(0.05)
    build.send_signal(signal.SIGKILL)  # kill -9 in the middle of loading orders
    build.wait()
    archived = len(list(archive.rglob("*.csv")))
    assert 10 <= archived < sum(1 for _ in (demo_exports / "orders").iterdir())

    rerun = start_build(settings)
    output = rerun.communicate(timeout=600)[0]
    assert rerun.returncode == 0, output[-2000:]
    assert audit(settings, "select count(*) from raw.orders") == [(DEMO_ORDER_LINES,)]
    assert audit(settings, "select count(distinct sha256) from audit.file_loads") == [(files,)]
    # a file committed but not yet moved when killed is recognised, not loaded twice
    loaded_twice = audit(
        settings,
        "select sha256 from audit.file_loads where status in ('loaded', 'partial') "
        "group by sha256 having count(*) > 1",
    )
    assert loaded_twice == []
    assert not any(p.is_file() for p in settings.inbox.rglob("*"))


def test_a_run_waits_for_the_build_lock_held_elsewhere(tmp_path: Path) -> None:
    """What keeps a `make pipeline` and a daemon-launched run apart: .build.lock."""
    import fcntl

    settings = use_home(tmp_path / "locked")
    fill_inbox(settings, HANDMADE_SHOP)
    with (settings.home / ".build.lock").open("w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # another run is building
        build = start_build(settings)
        # the run says in the build log that it waits; until then, and after, it loads nothing
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and "another build is running" not in _log(settings):
            assert build.poll() is None, "the build ended instead of waiting for the lock"
            time.sleep(0.2)
        assert "another build is running" in _log(settings), "the build never waited"
        assert build.poll() is None, "the build did not wait for the lock"
        assert not any((settings.archive).rglob("*.csv")), "it loaded files while locked out"
    output = build.communicate(timeout=300)[0]
    assert build.returncode == 0, output[-2000:]
    assert audit(settings, "select count(*) from raw.orders") == [(HANDMADE_ORDER_LINES,)]


def _log(settings: Settings) -> str:
    path = settings.build_log
    return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""
