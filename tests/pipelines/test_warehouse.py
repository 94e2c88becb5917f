"""The warehouse a run keeps open between its steps, and lets go before dbt writes it."""

import subprocess
import sys
from pathlib import Path

from pipelines.lib.warehouse import compact, connect, keep_open, let_go


def open_elsewhere(path: Path) -> subprocess.CompletedProcess:
    """What dbt's process does: open the file for writing."""
    return subprocess.run(
        [sys.executable, "-c", f"import duckdb; duckdb.connect({str(path)!r}).close()"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip


def test_steps_share_the_kept_warehouse_and_dbt_can_write_it_after_let_go(
    tmp_path: Path,
) -> None:
    path = tmp_path / "home" / "warehouse.duckdb"
    keep_open(path)
    try:
        with connect(path) as con:  # one step commits a load
            con.execute("create table loaded as select 42 as answer")
        with connect(path) as con:  # the next step reads it through the same database
            assert con.execute("select answer from loaded").fetchall() == [(42,)]
        # the steps closed their connections, the database stays open: dbt could not write
        assert "lock" in open_elsewhere(path).stderr.lower()
    finally:
        let_go(path)
    assert open_elsewhere(path).returncode == 0
    let_go(path)  # letting go twice is harmless (the dbt step, then the run's end)


def row_groups(con, table: str) -> int:
    return con.execute(
        f"select count(distinct row_group_id) from pragma_storage_info('{table}')"
    ).fetchone()[0]


def test_daily_appends_stay_apart_until_a_full_rebuild_compacts_them(tmp_path: Path) -> None:
    """Merging a day's few rows into the table's last row group at every checkpoint cost
    0.7 s per large table at ten million lines: the pipeline's connections leave them, and
    `compact` (after a full rebuild) merges them."""
    path = tmp_path / "warehouse.duckdb"
    with connect(path) as con:
        con.execute("create schema audit")
        con.execute("create table t as select range as i from range(150_000)")
        full_table = row_groups(con, "t")
    for day in range(4):  # four daily builds, each its own connection and checkpoint
        with connect(path) as con:
            con.execute(f"insert into t select {day} from range(1_000)")
    with connect(path) as con:
        assert row_groups(con, "t") == full_table + 4
        compact(con)
        assert row_groups(con, "t") <= full_table + 1  # the four days' rows in one
        assert con.execute("select count(*) from t").fetchone()[0] == 154_000
        assert con.execute("select count(*) from audit.compacted_at").fetchone()[0] == 1
        # the connection goes on without merging
        assert con.execute("select current_setting('max_vacuum_tasks')").fetchone()[0] == 0
