"""An incremental build tests the rows it loaded; a full build tests whole tables
(dbt_project/macros/tests_on_new_rows.sql).

raw.logistics and raw.orders each hold a key twice in loads before the last finished
build, twice in loads since, and once in each (a pair ingest never leaves: it replaces
the older row, pipelines/ingest/load.py). An incremental `dbt build` of the two staging
views finds the pair loaded since; a full one (--full-refresh) finds all three.
"""

from __future__ import annotations

from datetime import datetime

import duckdb

from pipelines.lib.settings import Settings
from pipelines.lib.warehouse import connect, ensure_schemas
from tests.dbt.test_unit_tests import _dbt

FAILURES = "test_failures.unique_stg_shop__shipments_shipment_id"
# dbt shortens the name of the order lines' key test with a hash: found by its start (the
# only such test of the two models)
LINE_KEY_FAILURES = "unique_combination_of_columns%"


def _duplicated_ids(settings: Settings, full: bool) -> list[str]:
    built = _dbt(
        [
            "build",
            "--select",
            "stg_shop__order_lines stg_shop__shipments",
            *(["--full-refresh"] if full else []),
            "--store-failures",  # a shop's build keeps them itself (failures.py)
        ],
        settings,
    )
    # the two key tests fail either way; the views and every other test of them pass
    summary = next(line for line in built.stdout.splitlines() if "Done. PASS=" in line)
    assert "ERROR=2 " in summary and "PASS=0 " not in summary, built.stdout[-3000:]
    assert "Compilation Error" not in built.stdout, built.stdout[-3000:]
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        rows = con.execute(f"select unique_field from {FAILURES} order by 1").fetchall()
        (line_keys,) = con.execute(
            "select table_name from information_schema.tables "
            "where table_schema = 'test_failures' and table_name like ?",
            [LINE_KEY_FAILURES],
        ).fetchone()
        rows += con.execute(
            f'select order_id from test_failures."{line_keys}" order by 1'
        ).fetchall()
    return [row[0] for row in rows]


def test_an_incremental_build_tests_only_the_rows_it_loaded(home: Settings) -> None:
    with connect(home.warehouse) as con:
        ensure_schemas(con)
        con.execute(
            "insert into raw.logistics (shipment_id, order_id, direction, _load_id) values "
            "('OLD', 'A', 'outbound', 1), ('OLD', 'A', 'outbound', 2), "
            "('NEW', 'B', 'outbound', 3), ('NEW', 'B', 'outbound', 4), "
            "('ACROSS', 'C', 'outbound', 1), ('ACROSS', 'C', 'outbound', 4)"
        )
        # order lines: the same three pairs, and a new order of its own
        con.execute(
            "insert into raw.orders (platform, order_id, line_id, _load_id) values "
            "('tmall', 'OLD-ORDER', 'L1', 1), ('tmall', 'OLD-ORDER', 'L1', 2), "
            "('tmall', 'NEW-ORDER', 'L1', 3), ('tmall', 'NEW-ORDER', 'L1', 4), "
            "('tmall', 'ACROSS-ORDER', 'L1', 1), ('tmall', 'ACROSS-ORDER', 'L1', 4), "
            "('tmall', 'OTHER', 'L1', 3)"
        )
        con.execute(
            "insert into audit.transform_builds values (?, ?, 'incremental', 'test', 2, '', true)",
            [datetime(2025, 3, 1), datetime(2025, 3, 1, 0, 1)],
        )
    # every model exists (empty): the tests of the two views read others
    assert _dbt(["run", "--empty", "--quiet"], home).returncode == 0
    assert _duplicated_ids(home, full=False) == ["NEW", "NEW-ORDER"]
    assert _duplicated_ids(home, full=True) == [
        "ACROSS", "NEW", "OLD", "ACROSS-ORDER", "NEW-ORDER", "OLD-ORDER",
    ]  # fmt: skip
