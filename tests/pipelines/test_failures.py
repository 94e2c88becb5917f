"""A build keeps the rows of the dbt tests that failed or warned, and nothing for the
ones that passed (pipelines/lib/failures.py, keep_failing_rows)."""

from __future__ import annotations

import json

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


def _dbt_failed_run(home, generated_at: str, message: str) -> tuple:
    from pipelines.lib.failures import explain
    from tests.conftest import use_home

    settings = use_home(home)
    target = settings.home / "dbt" / "target"
    target.mkdir(parents=True, exist_ok=True)
    (target / "run_results.json").write_text(json.dumps({
        "metadata": {"generated_at": generated_at},
        "results": [
            {"unique_id": "model.shopkpi.int_customer_totals", "status": "error", "message": message},
            {"unique_id": "model.shopkpi.fct_daily_kpis", "status": "success", "message": "OK"},
            {"unique_id": "test.shopkpi.not_null_x", "status": "error", "message": "a test"},
        ],
    }))  # fmt: skip
    summary = {
        "status": "failure",
        "started_at": "2026-12-06T19:15:00",
        "step_errors": {"shopkpi_dbt_models": "The dbt CLI process with command."},
    }
    return explain, summary, settings


def test_a_failed_dbt_build_names_the_model_and_its_error(tmp_path) -> None:
    explain, summary, settings = _dbt_failed_run(
        tmp_path, "2026-12-06T19:18:55.1Z",
        "Out of Memory Error: could not allocate block of size 256.0 KiB\n  (900.0 MiB/900.0 MiB used)",
    )  # fmt: skip
    causes = explain(summary, settings)
    assert [c["en"] for c in causes] == [
        "The dbt model int_customer_totals failed: Out of Memory Error: could not allocate "
        "block of size 256.0 KiB (900.0 MiB/900.0 MiB used). DuckDB ran out of the memory a "
        "build may use: close what else uses memory and run make pipeline again."
    ]
    assert "int_customer_totals" in causes[0]["zh"]


def test_the_results_of_an_earlier_dbt_build_are_not_this_runs_cause(tmp_path) -> None:
    explain, summary, settings = _dbt_failed_run(
        tmp_path, "2026-12-06T19:14:59Z", "Binder Error: an old one"
    )
    causes = explain(summary, settings)
    assert len(causes) == 1
    assert causes[0]["en"].startswith("The step shopkpi_dbt_models stopped")
