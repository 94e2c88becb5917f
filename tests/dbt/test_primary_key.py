"""A table's key test (dbt_project/tests/generic/primary_key.sql) fails on a key shared
by two rows and on a key left empty, and keeps both as failing rows; a key of one row
passes."""

from __future__ import annotations

import duckdb

from pipelines.lib.settings import Settings
from pipelines.lib.warehouse import connect, ensure_schemas
from tests.dbt.test_unit_tests import _dbt

FAILURES = "test_failures.primary_key_stg_shop__products_sku"


def test_a_shared_or_empty_key_fails_and_is_kept(home: Settings) -> None:
    with connect(home.warehouse) as con:
        ensure_schemas(con)
        con.execute(
            "insert into raw.products (sku, unit_cost, currency, _load_id) values "
            "('MUG-01', 10, 'CNY', 1), ('MUG-01', 11, 'CNY', 1), "
            "(null, 5, 'CNY', 1), ('TEA-01', 7, 'CNY', 1)"
        )
    built = _dbt(
        [
            "build",
            "--select",
            "stg_shop__products",
            "--indirect-selection",
            "cautious",
            "--store-failures",
        ],
        home,
    )
    summary = next(line for line in built.stdout.splitlines() if "Done. PASS=" in line)
    assert "ERROR=1 " in summary, built.stdout[-3000:]
    assert "FAIL 2 primary_key_stg_shop__products_sku" in built.stdout, built.stdout[-3000:]
    with duckdb.connect(str(home.warehouse), read_only=True) as con:
        kept = con.execute(
            f"select sku, rows_with_this_key from {FAILURES} order by sku nulls last"
        ).fetchall()
    assert kept == [("MUG-01", 2), (None, 1)]
