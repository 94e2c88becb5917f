"""Publish a read-only copy of the marts for the dashboards, swapped in atomically.

DuckDB allows one writer or many readers, never both. The pipeline is the writer of
warehouse.duckdb; the dashboards only ever open published/shopkpi.duckdb, which is
written beside it under a temporary name and moved into place with os.replace, so a
reader sees the previous publish or the new one, never a half-written file. A build that
changes nothing (no new file, same models) leaves the published file as it was, byte for byte.
"""

from __future__ import annotations

import functools
import hashlib
import os
import uuid
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import polars as pl

from pipelines.lib.canonical import SPECS
from pipelines.lib.settings import REPO_ROOT, Settings
from pipelines.lib.warehouse import config, let_go

COPIED_SCHEMAS = ("marts", "audit")


def _tables(con: duckdb.DuckDBPyConnection, schema: str, catalog: str | None = None) -> list[str]:
    rows = con.execute(
        "select table_name from information_schema.tables "
        "where table_catalog = coalesce(?, current_database()) and table_schema = ? "
        "order by table_name",
        [catalog, schema],
    ).fetchall()
    return [r[0] for r in rows]


def source_freshness(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Per source: newest business day in the data and when its last file was loaded."""
    parts = []
    for source, spec in SPECS.items():
        column = spec.business_day
        latest = f'cast(max("{column}") as date)' if column else "cast(null as date)"
        parts.append(
            f"select '{source}' as source, {latest} as latest_data_date, "
            f"max(_loaded_at) as last_loaded_at, count(*) as row_count from raw.{source}"
        )
    return con.execute(" union all ".join(parts)).pl()


@functools.cache
def forecast_docs() -> list[dict]:
    """The forecast marts are written by Python; their docs are in dbt's YAML shape.

    One reader for the publish (tooltips) and the forecast assets (column order, schema).
    """
    import yaml

    path = REPO_ROOT / "pipelines" / "defs" / "forecast" / "marts.yml"
    models = yaml.safe_load(path.read_text(encoding="utf-8"))["models"]
    return [
        {"name": m["name"], "description": " ".join(m["description"].split()),
         "config": {"schema": "marts", "meta": m.get("meta", {})}, "resource_type": "model",
         "columns": {c["name"]: c for c in m["columns"]}}
        for m in models
    ]  # fmt: skip


# what the YAML says about a mart column beyond its description: its names, how it is
# shown (format), how it adds up over a chosen period or group (rollup: an aggregate over
# the mart's rows; derive: a formula over the rolled-up columns) and which way is good
COLUMN_META = ("label_zh", "description_zh", "label_en", "format", "rollup", "derive", "better")


def column_docs(manifest: dict) -> pl.DataFrame:
    """Every mart column's definition and rules, written once in the YAML, for the pages."""
    rows = []
    for node in [*manifest["nodes"].values(), *forecast_docs()]:
        if node["resource_type"] != "model" or node["config"].get("schema") != "marts":
            continue
        model_meta = node["config"].get("meta") or {}
        rows.append(
            {"table_name": node["name"], "column_name": "", "position": 0,
             "description": node.get("description", ""),
             **{key: str(model_meta.get(key, "")) for key in COLUMN_META}}
        )  # fmt: skip
        for position, column in enumerate(node["columns"].values(), start=1):
            meta = column.get("meta") or column.get("config", {}).get("meta") or {}
            rows.append(
                {"table_name": node["name"], "column_name": column["name"],
                 "position": position, "description": column.get("description", ""),
                 **{key: str(meta.get(key, "")) for key in COLUMN_META}}
            )  # fmt: skip
    schema = {"table_name": pl.String, "column_name": pl.String, "position": pl.Int32,
              "description": pl.String, **dict.fromkeys(COLUMN_META, pl.String)}  # fmt: skip
    return pl.DataFrame(rows, schema=schema)


def content_fingerprint(
    con: duckdb.DuckDBPyConnection, catalog: str, docs: pl.DataFrame, settings
) -> str:
    """A digest of everything a publish shows except its build time: equal means no change.

    Read from the copy being published: the marts that are views (dim_customers scores
    every customer) are then computed once, by the copy."""
    digest = hashlib.sha256(repr(sorted(settings.shown().items())).encode())
    # audit.quality_checks and audit.transform_builds grow by a row per run: history, not
    # content; a weekly check's verdict is content (/data-health shows it)
    for schema, table in [("marts", t) for t in _tables(con, "marts", catalog)] + [
        ("audit", "file_loads"),
        ("audit", "quarantine"),
        ("audit", "load_warnings"),
        ("audit", "rebuild_checks"),
    ]:
        rows, total = con.execute(
            f"select count(*), coalesce(sum(hash(t)::hugeint), 0) from {catalog}.{schema}.{table} t"
        ).fetchone()
        digest.update(f"{schema}.{table}:{rows}:{total}".encode())
    digest.update(docs.write_csv().encode())
    return digest.hexdigest()


def published_fingerprint(path: Path) -> str | None:
    if not path.exists():
        return None
    try:
        with duckdb.connect(str(path), read_only=True) as con:
            return con.execute("select fingerprint from meta.build").fetchone()[0]
    except duckdb.Error:  # an older publish without a fingerprint: publish again
        return None


def publish(settings: Settings, manifest: dict, run_id: str) -> tuple[str, dict[str, int]]:
    """Copy marts.* and audit.* with build metadata into published/shopkpi.duckdb.

    Returns ("updated" or "unchanged", rows per copied table).
    """
    target = settings.published
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.stem}.{uuid.uuid4().hex}.tmp")
    counts: dict[str, int] = {}
    built_at = datetime.now(UTC).replace(tzinfo=None)
    docs = column_docs(manifest)
    let_go(settings.warehouse)  # opened below without the build's memory limit
    try:
        with duckdb.connect(str(settings.warehouse), config=config(memory_limit=None)) as con:
            con.execute(f"attach '{tmp}' as pub")
            for schema in COPIED_SCHEMAS:
                con.execute(f"create schema pub.{schema}")
                for table in _tables(con, schema):
                    con.execute(
                        f"create table pub.{schema}.{table} as select * from {schema}.{table}"
                    )
                    counts[f"{schema}.{table}"] = con.execute(
                        f"select count(*) from pub.{schema}.{table}"
                    ).fetchone()[0]
            fingerprint = content_fingerprint(con, "pub", docs, settings)
            if fingerprint == published_fingerprint(target):
                con.execute("detach pub")
                return "unchanged", {k: v for k, v in counts.items() if k.startswith("marts.")}
            con.execute("create schema pub.meta")
            freshness = source_freshness(con)  # noqa: F841 - read by the next statement
            con.execute("create table pub.meta.source_freshness as select * from freshness")
            con.execute("create table pub.meta.column_docs as select * from docs")
            shown = pl.DataFrame(  # noqa: F841 - read by the next statement
                {"setting": list(settings.shown()), "value": list(settings.shown().values())}
            )
            con.execute("create table pub.meta.settings as select * from shown")
            con.execute(
                "create table pub.meta.build as select ? as built_at, ? as run_id, ? as timezone, "
                "? as reporting_currency, ? as fingerprint",
                [built_at, run_id, settings.timezone, settings.reporting_currency, fingerprint],
            )
            con.execute("detach pub")
        os.replace(tmp, target)
    finally:
        for leftover in (tmp, Path(f"{tmp}.wal")):
            leftover.unlink(missing_ok=True)
    return "updated", counts
