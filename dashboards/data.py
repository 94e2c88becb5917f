"""Read-only loaders of the published marts. All the dashboards' SQL lives here.

The dashboards never open the warehouse the pipeline writes: they read
published/shopkpi.duckdb, which each good build writes under another name and moves into
place (os.replace). One read-only handle per published file, external access off: opening
the file costs more than most queries. A new publish is a new file with a new mtime: the
handle of the old one is let go (the old file lives on until it closes). Queries take
parameters, never text pasted from a widget. Results are cached per file version.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import polars as pl
import streamlit as st

from pipelines.lib.settings import Settings


def published_path() -> Path:
    return Settings.from_env().published


def published_version() -> int | None:
    """The publish's identity for caching: a new publish is a new file with a new mtime."""
    path = published_path()
    return path.stat().st_mtime_ns if path.exists() else None


@st.cache_resource(max_entries=1, show_spinner=False)
def _published(path: str, version: int) -> duckdb.DuckDBPyConnection:
    """The published file attached read-only to a private in-memory database: DuckDB's
    connect() would hand back the instance it already has for this path, the replaced file."""
    del version  # part of the cache key only
    con = duckdb.connect()
    quoted = path.replace("'", "''")
    con.execute(f"attach '{quoted}' as published (read_only)")
    # then no file or network access from any query; the setting cannot be changed back
    con.execute("set enable_external_access = false")
    con.execute("set lock_configuration = true")
    return con


def read(path: str, version: int, sql: str, params: tuple = ()) -> pl.DataFrame:
    """One query on the published file of this version, uncached."""
    # a cursor per query: pages run in threads of their own
    with _published(path, version).cursor() as con:
        con.execute("use published")
        return con.execute(sql, list(params)).pl()


@st.cache_data(max_entries=256, ttl=3600, show_spinner=False)
def _query(path: str, version: int, sql: str, params: tuple) -> pl.DataFrame:
    return read(path, version, sql, params)


def query(sql: str, params: tuple = ()) -> pl.DataFrame | None:
    """Run one read-only query on the published marts; None when nothing is published yet."""
    version = published_version()
    if version is None:
        return None
    return _query(str(published_path()), version, sql, params)


def build_info() -> dict | None:
    frame = query("select * from meta.build")
    return frame.row(0, named=True) if frame is not None and frame.height else None


def source_freshness() -> pl.DataFrame | None:
    return query("select * from meta.source_freshness order by source")


def published_settings() -> pl.DataFrame:
    """The settings the published marts were built with."""
    return frame("select setting, value from meta.settings")


def missing_sources() -> set[str]:
    """Sources that have no rows in the published warehouse: their exports never arrived."""
    frame = source_freshness()
    if frame is None:
        return set()
    return set(frame.filter(pl.col("row_count") == 0)["source"].to_list())


def column_docs(table: str) -> dict[str, dict[str, str]]:
    """column -> its definition and rules from the dbt YAML (via the publish), in YAML order:
    description, label_zh, description_zh, label_en, format, rollup, derive, better."""
    frame = query("select * from meta.column_docs where table_name = ? order by position", (table,))
    if frame is None:
        return {}
    return {row["column_name"]: row for row in frame.iter_rows(named=True)}


def kpi_date_bounds() -> tuple[dt.date, dt.date] | None:
    """The days the marts cover: sales and traffic days, ad days, shipment and stock months.

    A shop with only some exports (ads alone, or shipments alone) still gets a period.
    """
    frame = query(
        "with daily as ("
        " select min(date) as first, max(date) as last from marts.fct_daily_kpis"
        " union all select min(date), max(date) from marts.fct_daily_marketing),"
        " monthly as ("
        " select min(month) as first, last_day(max(month)) as last"
        " from marts.logistics_performance"
        " union all select min(month), last_day(max(month)) from marts.inventory_turnover)"
        # the daily marts know the last day; months only when a shop has no daily data
        " select coalesce((select min(first) from daily), (select min(first) from monthly))"
        " as first, coalesce((select max(last) from daily), (select max(last) from monthly))"
        " as last"
    )
    if frame is None or frame["first"][0] is None:
        return None
    return frame["first"][0], frame["last"][0]


def platforms() -> list[str]:
    frame = query("select distinct platform from marts.fct_daily_kpis order by platform")
    return [] if frame is None else frame["platform"].to_list()


def frame(sql: str, params: tuple = ()) -> pl.DataFrame:
    """A query's rows with money as float; empty when nothing is published yet."""
    result = query(sql, params)
    if result is None:
        return pl.DataFrame()
    return result.with_columns(pl.col(pl.Decimal).cast(pl.Float64))


def daily_kpis(start: dt.date, end: dt.date, platform_list: list[str]) -> pl.DataFrame:
    """fct_daily_kpis rows in [start, end] for the chosen platforms, money as float."""
    return frame(
        "select * from marts.fct_daily_kpis "
        "where date between ? and ? and list_contains(?, platform) order by date, platform",
        (start, end, platform_list),
    )


def monthly_targets(first_month: dt.date, last_month: dt.date) -> pl.DataFrame:
    """fct_monthly_targets rows of the months given (every platform and 'all')."""
    return frame(
        "select * from marts.fct_monthly_targets where month between ? and ? "
        "order by month, platform = 'all' desc, platform",
        (first_month, last_month),
    )


def last_run() -> dict | None:
    """How the latest build ended (published/last_run.json), also when it failed."""
    from pipelines.lib.run_status import last_run_path, read_last_run

    return read_last_run(last_run_path(Settings.from_env()))


def campaign_days(start: dt.date, end: dt.date) -> pl.DataFrame:
    """campaign_roi rows (date × ad platform × campaign) in [start, end]."""
    return frame(
        "select * from marts.campaign_roi where date between ? and ? "
        "order by date, ad_platform, campaign_id",
        (start, end),
    )


def daily_marketing(start: dt.date, end: dt.date) -> pl.DataFrame:
    return frame(
        "select * from marts.fct_daily_marketing where date between ? and ? order by date",
        (start, end),
    )


def cohorts(first_month: dt.date, last_month: dt.date) -> pl.DataFrame:
    return frame(
        "select * from marts.customer_cohorts where cohort_month between ? and ? "
        "order by cohort_month, months_since_first",
        (first_month, last_month),
    )


def repurchase(first_month: dt.date, last_month: dt.date) -> pl.DataFrame:
    return frame(
        "select * from marts.repurchase where cohort_month between ? and ? order by cohort_month",
        (first_month, last_month),
    )


def rfm_segments(platform_list: list[str]) -> pl.DataFrame:
    """Customers, orders and value per RFM segment for the chosen platforms; gross profit by
    its roll-up rule in the YAML (unknown when any customer's is)."""
    gross_profit = column_docs("dim_customers").get("gross_profit", {}).get("rollup") or "null"
    return frame(
        "select rfm_segment, rfm_segment_zh, count(*) as customers, sum(orders) as orders, "
        f"sum(net_revenue) as net_revenue, {gross_profit} as gross_profit, "
        "avg(recency_days) as avg_recency_days "
        "from marts.dim_customers where list_contains(?, platform) "
        "group by all order by net_revenue desc",
        (platform_list,),
    )


def inventory_months(first_month: dt.date, last_month: dt.date) -> pl.DataFrame:
    return frame(
        "select * from marts.inventory_turnover where month between ? and ? order by month, sku",
        (first_month, last_month),
    )


def logistics_months(first_month: dt.date, last_month: dt.date) -> pl.DataFrame:
    return frame(
        "select * from marts.logistics_performance where month between ? and ? "
        "order by month, carrier, region",
        (first_month, last_month),
    )


def file_loads() -> pl.DataFrame:
    """Every file the pipeline has seen and what became of it, newest first."""
    return frame("select * from audit.file_loads order by load_id desc")


def load_warnings() -> pl.DataFrame:
    """What the platform adapters flagged per load: placeholder buyers, order-level rows,
    period reports spread over days, ids cut by Excel. Empty for a publish made before
    the adapters existed."""
    if not _audit_table_exists("load_warnings"):
        return pl.DataFrame()
    return frame(
        "select source, file_name, kind, rows, message from audit.load_warnings "
        "order by load_id desc"
    )


def quarantined_rows(limit: int = 1000) -> pl.DataFrame:
    return frame(
        "select load_id, source, file_name, row_number, reason, record "
        "from audit.quarantine order by load_id desc, row_number limit ?",
        (limit,),
    )


def quality_history() -> pl.DataFrame:
    """The latest Great Expectations verdict per source."""
    return frame(
        "select * from audit.quality_checks "
        "qualify row_number() over (partition by source order by checked_at desc) = 1 "
        "order by source"
    )


def forecast_series_list() -> pl.DataFrame:
    """Every forecast series with its type and chosen model, biggest first."""
    return frame(
        "select series, series_type, any_value(model) as model, "
        "sum(yhat) filter (where kind = 'future') as horizon_total "
        "from marts.sales_forecast group by series, series_type "
        "order by case series_type when 'all' then 0 when 'category' then 1 else 2 end, "
        "horizon_total desc nulls last, series"
    )


def forecast_rows(series: str) -> pl.DataFrame:
    return frame("select * from marts.sales_forecast where series = ? order by date", (series,))


def forecast_accuracy(series: str | None = None) -> pl.DataFrame:
    if series is None:
        return frame("select * from marts.forecast_accuracy")
    return frame(
        "select * from marts.forecast_accuracy where series = ? order by is_selected desc, mase",
        (series,),
    )


def inventory_risk() -> pl.DataFrame:
    return frame("select * from marts.inventory_risk order by stockout_date nulls last, sku")


def _audit_table_exists(name: str) -> bool:
    return not frame(
        "select 1 from information_schema.tables where table_schema = 'audit' and table_name = ?",
        (name,),
    ).is_empty()


def transform_builds(limit: int = 10) -> pl.DataFrame:
    """The latest dbt builds, newest first: incremental or full, and why. Empty for a
    publish made before incremental builds existed."""
    if not _audit_table_exists("transform_builds"):
        return pl.DataFrame()
    return frame(
        "select started_at, mode, reason, succeeded, "
        "date_diff('millisecond', started_at, finished_at) / 1000.0 as seconds "
        "from audit.transform_builds order by started_at desc limit ?",
        (limit,),
    )


def rebuild_check() -> pl.DataFrame:
    """The latest weekly check, one row per mart: the incremental marts against the full
    rebuild that replaced them."""
    if not _audit_table_exists("rebuild_checks"):
        return pl.DataFrame()
    return frame(
        "select * from audit.rebuild_checks "
        "where checked_at = (select max(checked_at) from audit.rebuild_checks) order by mart"
    )
