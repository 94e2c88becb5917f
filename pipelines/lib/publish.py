"""Publish a read-only copy of the marts for the dashboards, swapped in atomically.

DuckDB allows one writer or many readers, never both. The pipeline is the writer of
warehouse.duckdb; the dashboards only ever open published/shopkpi.duckdb, which is
written beside it under a temporary name and moved into place with os.replace, so a
reader sees the previous publish or the new one, never a half-written file. A build that
changes nothing (no new file, same models) leaves the published file as it was, byte for byte.

A mart that is a view (dim_customers) is published as the same view over copies of the
tables it reads. After an incremental build, when the published file holds what the build
before it published (audit.publishes), the new file starts as a copy of it and only the
customers the build rewrote are written again: at ten million order lines, 18,530
customers of a day instead of 4.4 million.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import re
import shutil
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import polars as pl

from pipelines.lib.canonical import SPECS
from pipelines.lib.settings import REPO_ROOT, Settings
from pipelines.lib.warehouse import ensure_schemas, keep_open, kept_cursor, let_go

COPIED_SCHEMAS = ("marts", "audit")

# the published tables that a build changes customer by customer: an incremental publish
# removes the customers the build rewrote (intermediate.int_changed_customers) and copies
# the rows it wrote for them (customer_build_id); every other table is copied whole
PER_CUSTOMER_TABLES = ("int_customer_totals",)
# where the models that the mart views read are, in the warehouse and in the published file
VIEWS_READ_SCHEMA = "intermediate"


def _tables(
    con: duckdb.DuckDBPyConnection,
    schema: str,
    catalog: str | None = None,
    kind: str = "BASE TABLE",
) -> list[str]:
    """The tables (or, with kind="VIEW", the views) of a schema."""
    rows = con.execute(
        "select table_name from information_schema.tables "
        "where table_catalog = coalesce(?, current_database()) and table_schema = ? "
        "and table_type = ? order by table_name",
        [catalog, schema, kind],
    ).fetchall()
    return [r[0] for r in rows]


def _view_sql(con: duckdb.DuckDBPyConnection, schema: str, view: str, catalog: str) -> str:
    """The view's definition as DuckDB keeps it, to create it again in `catalog`."""
    sql = con.execute(
        "select sql from duckdb_views() where database_name = current_database() "
        "and schema_name = ? and view_name = ?",
        [schema, view],
    ).fetchone()[0]
    return re.sub(r"^CREATE VIEW \S+ AS", f"CREATE VIEW {catalog}.{schema}.{view} AS", sql)


def tables_read_by_views(manifest: dict) -> list[str]:
    """Every model a mart view reads: published with the view, which names no database
    (dim_customers.sql), so that it reads these copies. All of them are intermediate
    models (VIEWS_READ_SCHEMA)."""
    nodes = manifest["nodes"]
    read = set()
    for node in nodes.values():
        config = node.get("config", {})
        if (
            node["resource_type"] == "model"
            and config.get("schema") == "marts"
            and config.get("materialized") == "view"
        ):
            for parent in node["depends_on"]["nodes"]:
                if nodes[parent]["resource_type"] == "model":
                    assert nodes[parent]["schema"] == VIEWS_READ_SCHEMA, parent
                    read.add(nodes[parent]["name"])
    return sorted(read)


def source_freshness(
    con: duckdb.DuckDBPyConnection, sources: tuple[str, ...] = tuple(SPECS)
) -> pl.DataFrame:
    """Per source: newest business day in the data and when its last file was loaded (a
    freshness check asks for its own source only: each query reads a whole raw table)."""
    parts = []
    for source in sources:
        spec = SPECS[source]
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
    # in a fixed order: a fresh parse and a partial one list dbt's nodes in other orders,
    # and the docs are part of the fingerprint (a publish would find "changed" for nothing)
    return pl.DataFrame(rows, schema=schema).sort("table_name", "position")


# per table of a published file: (rows, sum of row hashes), kept in meta.table_digests
Digests = dict[tuple[str, str], tuple[int, int]]


def _digest(con: duckdb.DuckDBPyConnection, relation: str) -> tuple[int, int]:
    """(rows, sum of row hashes) of a table or a query in parentheses: one rule for a whole
    table and for the rows an update adds, so that carried sums stay those of the table."""
    return con.execute(
        f"select count(*), coalesce(sum(hash(t)::hugeint), 0) from {relation} t"
    ).fetchone()


def content_fingerprint(
    con: duckdb.DuckDBPyConnection,
    catalog: str,
    docs: pl.DataFrame,
    settings,
    known: Digests | None = None,
) -> tuple[str, Digests]:
    """A digest of everything a publish shows except its build time: equal means no change;
    and each table's part of it.

    Read from the copy being published. A view's rows follow from its definition and the
    tables it reads, which are hashed instead (dim_customers scores every customer when
    read). An order-free sum of row hashes: a file updated customer by customer and one
    written whole from the same rows have the same digest, and an update carries a table's
    sum forward (`known`: minus the rows it deleted, plus those it inserted) instead of
    hashing its millions of rows again."""
    digest = hashlib.sha256(repr(sorted(settings.shown().items())).encode())
    # audit.quality_checks and audit.transform_builds grow by a row per run: history, not
    # content; a weekly check's verdict is content (/data-health shows it)
    tables = [
        *[("marts", t) for t in _tables(con, "marts", catalog)],
        *[(VIEWS_READ_SCHEMA, t) for t in _tables(con, VIEWS_READ_SCHEMA, catalog)],
        ("audit", "file_loads"),
        ("audit", "quarantine"),
        ("audit", "load_warnings"),
        ("audit", "rebuild_checks"),
    ]
    digests: Digests = {}
    for schema, table in tables:
        if known and (schema, table) in known:
            rows, total = known[(schema, table)]
        else:
            rows, total = _digest(con, f"{catalog}.{schema}.{table}")
        digests[(schema, table)] = (rows, total)
        digest.update(f"{schema}.{table}:{rows}:{total}".encode())
    for (sql,) in con.execute(
        "select sql from duckdb_views() where database_name = ? and schema_name = 'marts' "
        "order by view_name",
        [catalog],
    ).fetchall():
        digest.update(sql.encode())
    digest.update(docs.write_csv().encode())
    return digest.hexdigest(), digests


@dataclass(frozen=True)
class PublishedFile:
    """What the published file says about itself (None where it says nothing)."""

    fingerprint: str | None = None
    # the per-customer tables' columns: an update needs the warehouse's
    layout: tuple = ()
    # its tables' parts of the fingerprint (none in a file published before they were kept)
    digests: Digests = field(default_factory=dict)


def _layout(con: duckdb.DuckDBPyConnection, published: bool) -> tuple:
    """The columns of the per-customer tables: the published file's, or the warehouse's as
    the publish writes them (without build ids)."""
    return tuple(
        con.execute(
            "select table_name, column_name, data_type from information_schema.columns "
            "where table_catalog = current_database() and table_schema = ? "
            "and list_contains(?, table_name) and (? or column_name not like '%build_id') "
            "order by table_name, ordinal_position",
            [VIEWS_READ_SCHEMA, list(PER_CUSTOMER_TABLES), published],
        ).fetchall()
    )


def _published_file(path: Path) -> PublishedFile:
    if not path.exists():
        return PublishedFile()
    try:
        with duckdb.connect(str(path), read_only=True) as con:
            fingerprint = con.execute("select fingerprint from meta.build").fetchone()[0]
            layout = _layout(con, published=True)
            digests = {}
            if "table_digests" in _tables(con, "meta"):
                digests = {
                    (schema, table): (rows, total)
                    for schema, table, rows, total in con.execute(
                        "select * from meta.table_digests"
                    ).fetchall()
                }
            return PublishedFile(fingerprint, layout, digests)
    except duckdb.Error:  # an older publish without a fingerprint: publish again
        return PublishedFile()


def _last_builds(con: duckdb.DuckDBPyConnection) -> list[tuple[datetime, str, bool]]:
    """The warehouse's last two dbt builds, newest first: started_at, mode, succeeded."""
    return con.execute(
        "select started_at, mode, succeeded from audit.transform_builds "
        "order by started_at desc limit 2"
    ).fetchall()


def _can_update(
    con: duckdb.DuckDBPyConnection, builds: list[tuple[datetime, str, bool]], published: str | None
) -> bool:
    """Whether the published file can be brought up to date customer by customer: the last
    build was incremental and the file holds what the publish of that build or of the one
    before it left (audit.publishes: the same fingerprint, also when that publish found
    nothing changed). The customers the last build rewrote are then all that differ, and
    writing them twice changes nothing."""
    if not builds or published is None:
        return False
    (last_started, last_mode, last_succeeded), *before = builds
    if not last_succeeded or last_mode != "incremental":
        return False
    mirrored = con.execute(
        "select count(*) from audit.publishes where fingerprint = ? "
        "and list_contains(?, transform_started_at)",
        [published, [last_started, *(started for started, _, _ in before)]],
    ).fetchone()[0]
    return mirrored > 0


def _copy_tables(
    con: duckdb.DuckDBPyConnection,
    views_read: list[str],
    update: bool,
    digests_before: Digests,
    later: tuple[tuple[str, str], ...] = (),
) -> tuple[dict[str, int], Digests]:
    """Write marts.*, audit.* and the tables the mart views read into the attached `pub`,
    then the views; with update, pub is the previous publish: its per-customer tables
    change only the customers this build rewrote; the `later` tables are left for the
    caller to copy. Returns rows per table and view, and the per-customer tables' digests
    carried forward from `digests_before` (those it has)."""
    counts: dict[str, int] = {}
    carried: Digests = {}
    if update:  # all but the per-customer tables is written again
        for schema in (*COPIED_SCHEMAS, "meta"):
            con.execute(f"drop schema if exists pub.{schema} cascade")
        for table in _tables(con, VIEWS_READ_SCHEMA, "pub"):
            if table not in PER_CUSTOMER_TABLES:
                con.execute(f"drop table pub.{VIEWS_READ_SCHEMA}.{table}")
    con.execute(f"create schema if not exists pub.{VIEWS_READ_SCHEMA}")
    changed = f"select platform, customer_id from {VIEWS_READ_SCHEMA}.int_changed_customers"
    # the rows the build wrote for them carry its id (customer_build_id): appended last, so
    # a constant finds them from the row groups' min/max (ten million order lines: 0.27 s
    # for the customers' keys against all 4.4 million, a few ms)
    rewritten = [
        str(uuid.UUID(build_id))  # a dbt invocation id; checked before it becomes SQL text
        for (build_id,) in con.execute(
            f"select distinct build_id from {VIEWS_READ_SCHEMA}.int_changed_customers"
        ).fetchall()
    ]
    written_by = ", ".join(f"'{build_id}'" for build_id in rewritten) or "null"
    # which build wrote a row is the warehouse's bookkeeping, not content: a rebuild of the
    # same rows leaves the published file as it was
    content = "columns(c -> c not like '%build_id')"
    for table in views_read:
        name = f"{VIEWS_READ_SCHEMA}.{table}"
        if update and table in PER_CUSTOMER_TABLES:
            # the rows going and coming, hashed: the table's digest without reading it all
            # (a DELETE ... RETURNING reads every column of every row, 0.3 s more here)
            con.execute("begin")  # no checkpoint moves a row between finding and deleting it
            con.execute(
                f"create temp table leaving as select rowid as row_id, hash({table}) as row_hash "
                f"from pub.{name} where (platform, customer_id) in ({changed})"
            )
            con.execute(f"delete from pub.{name} where rowid in (select row_id from leaving)")
            deleted = con.execute(
                "select count(*), coalesce(sum(row_hash::hugeint), 0) from leaving"
            ).fetchone()
            con.execute("drop table leaving")
            con.execute("commit")
            arriving = f"select {content} from {name} where customer_build_id in ({written_by})"
            con.execute(f"insert into pub.{name} {arriving}")
            inserted = _digest(con, f"({arriving})")
            if (VIEWS_READ_SCHEMA, table) in digests_before:
                rows, total = digests_before[(VIEWS_READ_SCHEMA, table)]
                carried[(VIEWS_READ_SCHEMA, table)] = (
                    rows - deleted[0] + inserted[0],
                    total - deleted[1] + inserted[1],
                )
        else:
            con.execute(f"create table pub.{name} as select {content} from {name}")
    for schema in COPIED_SCHEMAS:
        con.execute(f"create schema pub.{schema}")
        for table in _tables(con, schema):
            if (schema, table) not in later:
                counts[f"{schema}.{table}"] = _copy_table(con, schema, table)
        # after the tables they read
        for view in _tables(con, schema, kind="VIEW"):
            con.execute(_view_sql(con, schema, view, "pub"))
            counts[f"{schema}.{view}"] = con.execute(
                f"select count(*) from pub.{schema}.{view}"
            ).fetchone()[0]
    return counts, carried


WHOLE = "whole"
CHANGED_CUSTOMERS = "the previous publish with the customers this build rewrote"


class Publication:
    """A publish in two parts. `begin` copies every table but the `later` ones, which a
    step of the same run is still computing; `finish` copies those, compares the content
    with the published file's and swaps the new file in (or leaves the old one when
    nothing changed). A daily build begins its publish beside the forecasts' model fits
    (`begin_beside`): DuckDB copies the marts while Python fits, on the other core.

    It reads and writes the warehouse through the database this process keeps open
    (warehouse.keep_open), which the steps of a run share, and lets it go when finished."""

    def __init__(
        self,
        settings: Settings,
        manifest: dict,
        run_id: str,
        later: tuple[tuple[str, str], ...] = (),
    ) -> None:
        self.settings = settings
        self.run_id = run_id
        self.later = later
        self.docs = column_docs(manifest)
        self.views_read = tables_read_by_views(manifest)
        target = settings.published
        self.tmp = target.with_name(f".{target.stem}.{uuid.uuid4().hex}.tmp")
        self.begun_seconds = 0.0  # how long `begin` took
        self._con: duckdb.DuckDBPyConnection | None = None
        self._thread: threading.Thread | None = None
        self._failed: BaseException | None = None

    def begin(self) -> None:
        started = time.perf_counter()
        target = self.settings.published
        target.parent.mkdir(parents=True, exist_ok=True)
        self.built_at = datetime.now(UTC).replace(tzinfo=None)
        self.published = _published_file(target)
        keep_open(self.settings.warehouse)
        con = self._con = kept_cursor(self.settings.warehouse)
        ensure_schemas(con)  # audit.publishes in a warehouse built before it
        self.builds = _last_builds(con)
        update = _can_update(con, self.builds, self.published.fingerprint) and (
            # else the models or this code changed
            self.published.layout == _layout(con, published=False)
        )
        self.written = CHANGED_CUSTOMERS if update else WHOLE
        if update:
            shutil.copyfile(target, self.tmp)
        con.execute(f"attach '{self.tmp}' as pub")
        self.counts, self.carried = _copy_tables(
            con, self.views_read, update, self.published.digests, self.later
        )
        _write_meta(con, self.docs, self.settings)
        # written to the file now, beside the step that computes the `later` tables: the
        # detach in `finish` then writes only what came after (0.35 s of ten million lines)
        con.execute("checkpoint pub")
        self.begun_seconds = time.perf_counter() - started

    def begin_beside(self) -> None:
        """`begin` in a thread of its own; `wait` for it before writing the warehouse."""

        def begin() -> None:
            try:
                self.begin()
            except BaseException as error:  # raised again by `finish`, in the publish step
                self._failed = error

        self._thread = threading.Thread(target=begin, name="publish-begin", daemon=True)
        self._thread.start()

    def wait(self) -> None:
        """Until `begin` is done (or failed: the step beside it goes on, the publish step
        fails with the reason)."""
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    @property
    def failed(self) -> bool:
        """Whether `begin` failed (its reason is raised by `finish`)."""
        return self._failed is not None

    def finish(self) -> tuple[str, dict[str, int], str]:
        """Returns "updated" or "unchanged", rows per copied table and view, and how the
        file was written (WHOLE or CHANGED_CUSTOMERS)."""
        self.wait()
        con, settings = self._con, self.settings
        try:
            if self._failed is not None:
                raise self._failed
            for schema, table in self.later:
                self.counts[f"{schema}.{table}"] = _copy_table(con, schema, table)
            fingerprint, digests = content_fingerprint(
                con, "pub", self.docs, settings, self.carried
            )
            outcome = "unchanged" if fingerprint == self.published.fingerprint else "updated"
            con.execute(
                "insert into audit.publishes values (?, ?, ?, ?)",
                [self.builds[0][0] if self.builds else None, fingerprint, self.built_at, outcome],
            )
            if outcome == "unchanged":
                con.execute("detach pub")
                marts = {k: v for k, v in self.counts.items() if k.startswith("marts.")}
                return "unchanged", marts, self.written
            _write_build(con, digests, settings, self.run_id, self.built_at, fingerprint)
            con.execute("detach pub")
            os.replace(self.tmp, settings.published)
            return "updated", self.counts, self.written
        finally:
            self.close()

    def close(self) -> None:
        """Let go of the warehouse and remove the new file unless it was swapped in."""
        self.wait()
        if self._con is not None:
            with contextlib.suppress(duckdb.Error):
                self._con.execute("detach database if exists pub")
            self._con.close()
            self._con = None
        let_go(self.settings.warehouse)
        for leftover in (self.tmp, Path(f"{self.tmp}.wal")):
            leftover.unlink(missing_ok=True)


# this process's publishes begun beside another step of their run, by run id: the publish
# step finishes its run's (pipelines/defs/publish.py)
BEGUN: dict[str, Publication] = {}


def abandon_begun() -> None:
    """Close the publishes begun and never finished (a step between failed; the run ends):
    the warehouse let go, their new files removed, the published file as it was."""
    while BEGUN:
        BEGUN.popitem()[1].close()


def _copy_table(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> int:
    """A table of the warehouse written into the attached `pub` as it is; its rows."""
    con.execute(f"create table pub.{schema}.{table} as select * from {schema}.{table}")
    return con.execute(f"select count(*) from pub.{schema}.{table}").fetchone()[0]


def _write_meta(con: duckdb.DuckDBPyConnection, docs: pl.DataFrame, settings: Settings) -> None:
    """pub.meta: what the pages say about the data beside the marts."""
    con.execute("create schema pub.meta")
    freshness = source_freshness(con)  # noqa: F841 - read by the next statement
    con.execute("create table pub.meta.source_freshness as select * from freshness")
    con.execute("create table pub.meta.column_docs as select * from docs")
    shown = pl.DataFrame(  # noqa: F841 - read by the next statement
        {"setting": list(settings.shown()), "value": list(settings.shown().values())}
    )
    con.execute("create table pub.meta.settings as select * from shown")


def _write_build(
    con: duckdb.DuckDBPyConnection,
    digests: Digests,
    settings: Settings,
    run_id: str,
    built_at: datetime,
    fingerprint: str,
) -> None:
    """pub.meta's build and its fingerprint, with each table's part of it."""
    con.execute(
        "create table pub.meta.table_digests (schema_name varchar, table_name varchar, "
        "row_count bigint, hash_sum hugeint)"
    )
    con.executemany(  # the sums as text: a Python int beyond 64 bits
        "insert into pub.meta.table_digests values (?, ?, ?, cast(? as hugeint))",
        [[schema, table, rows, str(total)] for (schema, table), (rows, total) in digests.items()],
    )
    con.execute(
        "create table pub.meta.build as select ? as built_at, ? as run_id, ? as timezone, "
        "? as reporting_currency, ? as fingerprint",
        [built_at, run_id, settings.timezone, settings.reporting_currency, fingerprint],
    )


def publish(settings: Settings, manifest: dict, run_id: str) -> tuple[str, dict[str, int], str]:
    """Copy marts.* and audit.* with build metadata into published/shopkpi.duckdb, in one
    go (Publication). Returns what Publication.finish returns."""
    publication = Publication(settings, manifest, run_id)
    try:
        publication.begin()
        return publication.finish()
    finally:
        publication.close()
