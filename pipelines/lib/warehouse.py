"""DuckDB access for the pipeline (the only writer) and the schemas it owns."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from pipelines.lib.canonical import SPECS, raw_table_ddl

AUDIT_DDL = (
    "create schema if not exists raw",
    "create schema if not exists audit",
    "create sequence if not exists audit.load_id_seq start 1",
    """
    create table if not exists audit.file_loads (
        load_id bigint,
        file_name varchar,
        source varchar,
        sha256 varchar,
        format varchar,
        encoding varchar,
        rows_read bigint,
        rows_loaded bigint,
        rows_quarantined bigint,
        status varchar,
        message varchar,
        loaded_at timestamp,
        stored_as varchar
    )
    """,
    """
    create table if not exists audit.quality_checks (
        source varchar,
        checked_at timestamp,
        last_load_id bigint,
        rows_checked bigint,
        expectations bigint,
        success boolean,
        failures varchar,
        docs_path varchar
    )
    """,
    # added with the platform adapters: which adapter read the file, rows it left out on
    # purpose (totals, continuation rows), and what the analyst should know about a load
    "alter table audit.file_loads add column if not exists adapter varchar",
    "alter table audit.file_loads add column if not exists rows_skipped bigint",
    # the settings a file was read with (Settings.read_with): a change re-reads the archive
    "alter table audit.file_loads add column if not exists read_with varchar",
    """
    create table if not exists audit.load_warnings (
        load_id bigint,
        source varchar,
        file_name varchar,
        kind varchar,
        rows bigint,
        message varchar
    )
    """,
    # each dbt build, incremental or full, and why (pipelines/lib/incremental.py)
    """
    create table if not exists audit.transform_builds (
        started_at timestamp,
        finished_at timestamp,
        mode varchar,
        reason varchar,
        through_load_id bigint,
        fingerprint varchar,
        succeeded boolean
    )
    """,
    # what each publish left in published/shopkpi.duckdb: the content fingerprint after
    # the dbt build it published (pipelines/lib/publish.py), also when it was unchanged
    """
    create table if not exists audit.publishes (
        transform_started_at timestamp,
        fingerprint varchar,
        published_at timestamp,
        outcome varchar
    )
    """,
    # the weekly full rebuild against the incremental marts it replaced, one row per mart
    """
    create table if not exists audit.rebuild_checks (
        checked_at timestamp,
        mart varchar,
        incremental_rows bigint,
        full_rows bigint,
        rows_only_incremental bigint,
        rows_only_full bigint,
        example varchar
    )
    """,
    """
    create table if not exists audit.quarantine (
        load_id bigint,
        source varchar,
        file_name varchar,
        row_number bigint,
        reason varchar,
        record varchar
    )
    """,
)


# what one DuckDB (the build's, or dbt's) may hold in memory before it spills to disk
# (warehouse.duckdb.tmp/): a build of ten million order lines stays within a laptop's
# means; DuckDB's default would take 80% of the machine's memory
MEMORY_LIMIT = "1GB"
# dbt's DuckDB runs in a process of its own while the build's process (Dagster, the
# loaded libraries, what ingest and the checks left: about 400 MB at ten million lines)
# waits beside it: it gets less, so the two stay within 2 GB. 700 MB ran out when dbt's
# two threads paired int_customer_totals with logistics_performance in a full build
DBT_MEMORY_LIMIT = "900MB"
# ingest's DuckDB runs while the Great Expectations worker validates the rows loaded before
# (ten million order lines, the orders' ingest alone: 1,224 MB at 500 MB, 1,005 MB at
# 300 MB, 903 MB at 200 MB; no slower, within this machine's noise of 68-91 s)
INGEST_MEMORY_LIMIT = "300MB"


# A build that adds a day appends a few rows to large tables and replaces a few (raw
# orders, each incremental model). DuckDB's checkpoint then merges the small row groups this
# leaves into their neighbours, whichever connection checkpoints next: at ten million order
# lines 0.7 s for raw.orders alone, about 2 s of a day's build in all. Every connection
# leaves them; a full rebuild other than the first merges them once (`compact`).
NO_VACUUM = 0  # DuckDB's max_vacuum_tasks; its default is 100
VACUUM_TASKS = 100


def config(memory_limit: str | None = MEMORY_LIMIT) -> dict[str, str | int]:
    """How every connection of the pipeline opens the warehouse (memory_limit None:
    DuckDB's own)."""
    limit = {"memory_limit": memory_limit} if memory_limit else {}
    return {**limit, "max_vacuum_tasks": NO_VACUUM}


def compact(con: duckdb.DuckDBPyConnection) -> None:
    """Merge the row groups the incremental builds left small (see NO_VACUUM). DuckDB
    merges them at a checkpoint with something to write: the time of this one, in
    audit.compacted_at."""
    con.execute(f"set max_vacuum_tasks = {VACUUM_TASKS}")
    try:
        con.execute(  # in UTC, as the other audit tables
            "create or replace table audit.compacted_at as select ?::timestamp as at",
            [datetime.now(UTC).replace(tzinfo=None)],
        )
        con.execute("checkpoint")
    finally:
        con.execute(f"set max_vacuum_tasks = {NO_VACUUM}")


# the warehouse a run keeps open between its ingest and check steps (`keep_open`)
_kept: dict[Path, duckdb.DuckDBPyConnection] = {}


@contextmanager
def connect(path: Path, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    kept = None if read_only else _kept.get(path)
    if kept is not None:  # a connection of its own to the database the run keeps open
        con = kept.cursor()
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect(str(path), read_only=read_only, config=config())
    try:
        yield con
    finally:
        con.close()


def keep_open(path: Path) -> None:
    """Keep the warehouse open in this process until `let_go`: the steps of a run before
    dbt (eight ingest steps, sixteen checks) each opened the file and wrote a checkpoint
    when closing it, about 75 ms a step on a small shop, more on a large one. Every
    `connect` in between reuses the open database; each load still commits on its own."""
    if path not in _kept:
        path.parent.mkdir(parents=True, exist_ok=True)
        _kept[path] = duckdb.connect(str(path), config=config())


def kept_cursor(path: Path) -> duckdb.DuckDBPyConnection:
    """A connection of its own to the database `keep_open` keeps (close it when done), for
    work that outlives a `with connect(...)` block or runs in another thread."""
    return _kept[path].cursor()


def let_go(path: Path) -> None:
    """Close what `keep_open` kept (DuckDB writes its checkpoint now): dbt's own process
    is about to write the file, and DuckDB lets one process write it at a time."""
    kept = _kept.pop(path, None)
    if kept is not None:
        kept.close()


def ensure_schemas(con: duckdb.DuckDBPyConnection) -> None:
    """Create raw.* and audit.* when missing: dbt sources need them even before any file."""
    for statement in AUDIT_DDL:
        con.execute(statement)
    for spec in SPECS.values():
        con.execute(raw_table_ddl(spec))
