"""Why a build failed, in the analyst's words: one line per cause, what happened and what to do.

`make pipeline`, the failed-build banner and /data-health all show these lines (English and
Chinese); the tracebacks stay in the build log and the Dagster UI. A cause names the file,
source, check or setting it is about.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

import duckdb

from pipelines.lib.settings import Settings

Cause = dict[str, str]  # {"en": ..., "zh": ...}

GX_CHECK = re.compile(r"^gx_raw_(?P<source>\w+)$")


FAILURES_SCHEMA = "test_failures"

# how dagster-dbt's error for a failed dbt command begins (it names no model)
DBT_FAILED = "The dbt CLI process"


def keep_failing_rows(
    con: duckdb.DuckDBPyConnection, run_results: dict[str, Any], nodes: dict[str, Any]
) -> list[str]:
    """The rows of each data test that failed or warned in this dbt run, as a table of
    schema test_failures named as dbt names it (the test's alias); the table of a test
    that passed this time is dropped. Returns the tables written.

    The query is the one the test ran (dbt's compiled code): it finds the same rows."""
    con.execute(f"create schema if not exists {FAILURES_SCHEMA}")
    kept = _failure_tables(con)
    written = []
    for result in run_results["results"]:
        node = nodes.get(result["unique_id"])
        if node is None or node["resource_type"] != "test":
            continue
        table = node.get("alias") or node["name"]
        if result["status"] in ("fail", "warn") and result.get("compiled_code"):
            con.execute(
                f'create or replace table {FAILURES_SCHEMA}."{table}" as {result["compiled_code"]}'
            )
            written.append(table)
        elif result["status"] == "pass" and table in kept:
            con.execute(f'drop table {FAILURES_SCHEMA}."{table}"')
    return written


def _failure_tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    rows = con.execute(
        "select table_name from information_schema.tables "
        "where table_catalog = current_database() and table_schema = ?",
        [FAILURES_SCHEMA],
    ).fetchall()
    return {row[0] for row in rows}


def _rows_of(con: duckdb.DuckDBPyConnection, table: str) -> list[dict[str, Any]]:
    if table not in _failure_tables(con):
        return []
    frame = con.execute(f'select * from {FAILURES_SCHEMA}."{table}" limit 5').pl()
    return list(frame.iter_rows(named=True))


def _missing_rate_causes(rows: list[dict[str, Any]], settings: Settings) -> list[Cause]:
    causes = []
    for row in rows:
        currency, day, source = row["currency"], row["first_day_without_rate"], row["source"]
        causes.append(
            {
                "en": f"No exchange rate from {currency} to {settings.reporting_currency} "
                f"(needed from {day} on, {row['rows_without_rate']} {source} row(s)): drop a "
                f"rates file (date, currency, rate) into inbox/fx_rates/, or set "
                f"reporting_currency in shopkpi.toml to the shop's currency.",
                "zh": f"缺少 {currency} 兑 {settings.reporting_currency} 的汇率（{day} 起需要，"
                f"{source} 共 {row['rows_without_rate']} 行）：请把汇率文件（date, currency, "
                f"rate）放入 inbox/fx_rates/，或在 shopkpi.toml 中把 reporting_currency 设为店铺"
                f"的币种。",
            }
        )
    return causes


def _check_cause(check: dict[str, Any], settings: Settings, con) -> list[Cause]:
    name, detail = check["check"], check.get("description") or ""
    if name == "assert_every_currency_has_a_rate" and con is not None:
        rows = _rows_of(con, name)
        if rows:
            return _missing_rate_causes(rows, settings)
    gx = GX_CHECK.match(name)
    if gx:
        source = gx["source"]
        return [
            {
                "en": f"The data check of the {source} data failed ({detail}). A file brought "
                f"rows that break the format: find it on /data-health, fix or remove it, and "
                f"run make pipeline again.",
                "zh": f"{source} 数据的质量检查未通过（{detail}）。有文件带来了不符合格式的行："
                f"请在「数据健康」页找到该文件，修正或移除后重新运行 make pipeline。",
            }
        ]
    return [
        {
            "en": f"The check {name} on {check['asset']} failed ({detail or 'see the log'}): "
            f"its rows are in the warehouse's schema test_failures; fix the export it names "
            f"and run make pipeline again.",
            "zh": f"{check['asset']} 的检查 {name} 未通过（{detail or '见日志'}）：出错的行在仓库的"
            f" test_failures 模式中；请修正相应的导出文件后重新运行 make pipeline。",
        }
    ]


def explain(summary: dict[str, Any], settings: Settings) -> list[Cause]:
    """One cause per failed blocking check, then one per failed step no check explains."""
    if summary.get("status") != "failure":
        return []
    failed_checks = [
        c for c in summary.get("checks", []) if not c["passed"] and c["severity"] == "ERROR"
    ]
    causes: list[Cause] = []
    con = None
    if settings.warehouse.exists():
        try:
            con = duckdb.connect(str(settings.warehouse), read_only=True)
        except duckdb.Error:  # held by another writer: explain without the failing rows
            con = None
    try:
        for check in failed_checks:
            causes.extend(_check_cause(check, settings, con))
    finally:
        if con is not None:
            con.close()
    explained = bool(failed_checks)
    for step, error in (summary.get("step_errors") or {}).items():
        if explained and error.startswith(("1 blocking asset check", DBT_FAILED)):
            continue  # the checks above already say why
        if error.startswith(DBT_FAILED):
            # dagster-dbt says only that dbt failed: dbt's own results name the model
            models = _dbt_errors(settings, summary.get("started_at"))
            if models:
                causes.extend(models)
                continue
        causes.append(
            {
                "en": f"The step {step} stopped: {error}. The log says more (see below).",
                "zh": f"步骤 {step} 中止：{error}。详情见下方日志。",
            }
        )
    if not causes:
        causes.append(
            {
                "en": "The build stopped before it finished (interrupted?): run make pipeline "
                "again; the log says more.",
                "zh": "构建未完成就中止了（被中断？）：请重新运行 make pipeline；详情见日志。",
            }
        )
    return causes


def _dbt_errors(settings: Settings, run_started: str | None) -> list[Cause]:
    """One cause per dbt model (or snapshot, seed) that ended in an error in this run's dbt
    build, from the home's run_results.json; none when dbt wrote no results for this run."""
    path = settings.home / "dbt" / "target" / "run_results.json"
    try:
        results = json.loads(path.read_text(encoding="utf-8"))
        generated = _naive_utc(results["metadata"]["generated_at"])
        if run_started and generated < _naive_utc(run_started):
            return []  # the last build's results: this run's dbt wrote none
    except (OSError, ValueError, KeyError):
        return []
    causes = []
    for result in results.get("results", []):
        if result.get("status") != "error" or result["unique_id"].startswith("test."):
            continue
        model = result["unique_id"].split(".")[-1]
        # dbt's first line names the error's kind and the model, the next ones say why
        lines = [line.strip() for line in (result.get("message") or "").splitlines()]
        message = " ".join(line for line in lines if line)[:300] or "no message"
        if "out of memory" in message.lower():
            todo_en = (
                "DuckDB ran out of the memory a build may use: close what else uses "
                "memory and run make pipeline again"
            )
            todo_zh = (
                "DuckDB 超出了构建可用的内存：请关闭其他占用内存的程序后重新运行 make pipeline"
            )
        else:
            todo_en = "run make pipeline again; if it fails again, the log below has dbt's error"
            todo_zh = "请重新运行 make pipeline；若再次失败，下方日志有 dbt 的完整错误"
        causes.append(
            {
                "en": f"The dbt model {model} failed: {message}. {todo_en}.",
                "zh": f"dbt 模型 {model} 失败：{message}。{todo_zh}。",
            }
        )
    return causes


def _naive_utc(text: str) -> datetime:
    """An ISO time as naive UTC (run summaries write naive UTC, dbt writes "...Z")."""
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment
