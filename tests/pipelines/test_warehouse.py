"""The warehouse a run keeps open between its steps, and lets go before dbt writes it."""

import subprocess
import sys
from pathlib import Path

from pipelines.lib.warehouse import connect, keep_open, let_go


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
