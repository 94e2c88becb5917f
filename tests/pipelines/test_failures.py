"""A build keeps the rows of the dbt tests that failed or warned, and nothing for the
ones that passed (pipelines/lib/failures.py, keep_failing_rows)."""

from __future__ import annotations

import duckdb

from pipelines.lib.failures import keep_failing_rows

NODES = {
    "test.shopkpi.rate": {"resource_type": "test", "name": "rate", "alias": "rate"},
    "test.shopkpi.sku": {"resource_type": "test", "name": "sku_long", "alias": "sku_hashed"},
    "test.shopkpi.key": {"resource_type": "test", "name": "key", "alias": "key"},
    "model.shopkpi.m": {"resource_type": "model", "name": "m", "alias": "m"},
}


def _result(unique_id: str, status: str, code: str) -> dict:
    return {"unique_id": unique_id, "status": status, "compiled_code": code}


def test_failing_and_warning_tests_keep_their_rows_passing_ones_none() -> None:
    con = duckdb.connect()
    con.execute("create table lines as select * from (values ('A', 'EUR'), ('B', 'CNY')) t(id, c)")
    # a table left by an earlier build whose test passes now
    con.execute("create schema test_failures")
    con.execute("create table test_failures.key as select 1 as stale")
    written = keep_failing_rows(
        con,
        {
            "results": [
                _result("test.shopkpi.rate", "fail", "select c from lines where c != 'CNY'"),
                _result("test.shopkpi.sku", "warn", "select id from lines where id = 'B'"),
                _result("test.shopkpi.key", "pass", "select * from lines where false"),
                _result("model.shopkpi.m", "success", "select 1"),
            ]
        },
        NODES,
    )
    assert written == ["rate", "sku_hashed"]
    assert con.execute("select * from test_failures.rate").fetchall() == [("EUR",)]
    assert con.execute("select * from test_failures.sku_hashed").fetchall() == [("B",)]
    tables = con.execute(
        "select table_name from information_schema.tables where table_schema = 'test_failures' "
        "order by 1"
    ).fetchall()
    assert tables == [("rate",), ("sku_hashed",)]  # the passing test's table is gone


def test_a_run_of_passing_tests_writes_nothing() -> None:
    con = duckdb.connect()
    written = keep_failing_rows(
        con, {"results": [_result("test.shopkpi.key", "pass", "select 1 where false")]}, NODES
    )
    assert written == []
    assert con.execute(
        "select count(*) from information_schema.tables where table_schema = 'test_failures'"
    ).fetchone() == (0,)
