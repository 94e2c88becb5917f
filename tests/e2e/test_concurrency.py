"""Dashboards read while builds run: no lock error, never a half-published file."""

import threading
import time
from pathlib import Path

import pytest

from dashboards import data
from pipelines.lib.dbt_manifest import load_manifest, mart_models
from pipelines.lib.publish import forecast_docs
from tests.conftest import HANDMADE_SHOP, fill_inbox, use_home
from tests.e2e.test_replay import start_build


def read_forever(path: Path, stop: threading.Event, seen: list, errors: list) -> None:
    while not stop.is_set():
        if not path.exists():  # before the first publish the dashboards say "no data yet"
            time.sleep(0.01)
            continue
        try:
            # as the pages read, uncached: the handle of the file of this mtime
            version = path.stat().st_mtime_ns
            built_at = data.read(str(path), version, "select built_at from meta.build").item()
            rows = data.read(str(path), version, "select count(*) from marts.fct_daily_kpis")
            tables = data.read(
                str(path),
                version,
                "select count(*) from information_schema.tables "
                "where table_catalog = 'published' and table_schema = 'marts'",
            )
            seen.append((built_at, rows.item(), tables.item()))
        except Exception as err:  # any error is a failure of the publish contract
            errors.append(repr(err))
        # twenty reads a second each: many reads per publish, and most of a core left to
        # the build they read beside
        time.sleep(0.05)


def builds_while_reading(tmp_path: Path, builds: int) -> None:
    """`builds` builds one after the other while two readers read: the first publishes the
    hand-made shop, each later one a new traffic day."""
    settings = use_home(tmp_path / "busy")
    fill_inbox(settings, HANDMADE_SHOP)
    stop, seen, errors = threading.Event(), [], []
    readers = [
        threading.Thread(target=read_forever, args=(settings.published, stop, seen, errors))
        for _ in range(2)
    ]
    for reader in readers:
        reader.start()
    try:
        for day in range(builds):
            if day:  # each later build brings a new traffic day, so each publish differs
                (settings.inbox_for("traffic") / f"extra_{day}.csv").write_text(
                    "date,platform,channel,sessions,visitors\n"
                    f"2025-03-{10 + day:02d},tmall,搜索,{50 + day},40\n",
                    encoding="utf-8",
                )
            build = start_build(settings)
            output = build.communicate(timeout=300)[0]
            assert build.returncode == 0, output[-2000:]
    finally:
        stop.set()
        for reader in readers:
            reader.join()
    assert errors == []
    assert len(seen) > 100
    publishes = {built_at for built_at, _, _ in seen}
    assert len(publishes) >= builds  # the readers saw the publishes change under them
    marts = len(mart_models(load_manifest())) + len(forecast_docs())
    assert {tables for _, _, tables in seen} == {marts}  # never a file with part of the marts
    assert max(rows for _, rows, _ in seen) == 5 + builds - 1


def test_dashboards_read_while_builds_run(tmp_path: Path) -> None:
    # two publishes under the readers here; minutes of it in the slow tier below
    builds_while_reading(tmp_path, builds=2)


@pytest.mark.slow
def test_dashboards_read_while_builds_run_for_minutes(tmp_path: Path) -> None:
    builds_while_reading(tmp_path, builds=13)
