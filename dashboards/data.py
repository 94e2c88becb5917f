"""Read-only loaders of the published marts. All the dashboards' SQL lives here.

The dashboards never open the warehouse the pipeline writes: they open
published/shopkpi.duckdb (swapped in atomically after each good build) read-only, with
external access off, for the length of one query. Queries take parameters, never text
pasted from a widget. Results are cached per file version (its mtime).
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


@st.cache_data(max_entries=256, ttl=3600, show_spinner=False)
def _query(path: str, version: int, sql: str, params: tuple) -> pl.DataFrame:
    del version  # part of the cache key only
    config = {"enable_external_access": False}
    with duckdb.connect(path, read_only=True, config=config) as con:
        return con.execute(sql, list(params)).pl()


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


def column_docs(table: str) -> dict[str, dict[str, str]]:
    """column -> {description, label_zh, description_zh}, from the dbt YAML via the publish."""
    frame = query(
        "select column_name, description, label_zh, description_zh from meta.column_docs "
        "where table_name = ?",
        (table,),
    )
    if frame is None:
        return {}
    return {row["column_name"]: row for row in frame.iter_rows(named=True)}


def kpi_date_bounds() -> tuple[dt.date, dt.date] | None:
    frame = query("select min(date) as first, max(date) as last from marts.fct_daily_kpis")
    if frame is None or frame["first"][0] is None:
        return None
    return frame["first"][0], frame["last"][0]


def platforms() -> list[str]:
    frame = query("select distinct platform from marts.fct_daily_kpis order by platform")
    return [] if frame is None else frame["platform"].to_list()


def daily_kpis(start: dt.date, end: dt.date, platform_list: list[str]) -> pl.DataFrame:
    """fct_daily_kpis rows in [start, end] for the chosen platforms, money as float."""
    frame = query(
        "select * from marts.fct_daily_kpis "
        "where date between ? and ? and list_contains(?, platform) order by date, platform",
        (start, end, platform_list),
    )
    if frame is None:
        return pl.DataFrame()
    return frame.with_columns(pl.col(pl.Decimal).cast(pl.Float64))
