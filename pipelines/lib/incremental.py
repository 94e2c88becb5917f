"""Incremental or full: what kind of dbt build this one is, and why; and the check that the
incremental marts equal a full rebuild.

An incremental build rewrites only the orders, customers and days that the loads since the
last build touched (the incremental models in dbt_project/models find them). That is only
sound when everything else is as the last build left it, so a build is full when:

- it was asked for (`make pipeline FULL=1`, the weekly check);
- the warehouse has no finished build, or the last one stopped half-way;
- the dbt models, the shop's settings or the versions of dbt and DuckDB changed (every
  row may read differently, and the views an incremental build keeps would differ);
- a products or exchange-rate export arrived (unit costs and rates feed every order line);
- an export arrived for the first time (a KPI that was NULL for want of it gets a value).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata

import duckdb

from pipelines.lib.settings import DBT_PROJECT_DIR, Settings

# sources whose new rows change rows of other sources' models: a load of one rebuilds all
FULL_REBUILD_SOURCES = {
    "products": "a products export arrived: unit costs and categories feed every order line",
    "fx_rates": "an exchange-rate export arrived: rates convert every order line's money",
}

NOTHING_NEW = "no new rows since the last build"

# where the weekly check keeps the incremental marts while the full rebuild replaces them
BEFORE_SCHEMA = "rebuild_check_before"


@dataclass(frozen=True)
class BuildPlan:
    full: bool
    reason: str
    through_load_id: int
    fingerprint: str

    @property
    def mode(self) -> str:
        return "full" if self.full else "incremental"


# the packages that turn the models into SQL and run it
ENGINE_PACKAGES = ("dbt-core", "dbt-adapters", "dbt-duckdb", "duckdb")


def models_fingerprint(settings: Settings) -> str:
    """The dbt project's files, every setting and the engine's versions: a change to any of
    them rebuilds in full."""
    versions = {name: metadata.version(name) for name in ENGINE_PACKAGES}
    digest = hashlib.sha256(json.dumps([settings.as_values(), versions], sort_keys=True).encode())
    paths = [DBT_PROJECT_DIR / "dbt_project.yml"]
    for folder in ("models", "macros", "tests"):
        paths += [p for p in (DBT_PROJECT_DIR / folder).rglob("*") if p.is_file()]
    for path in sorted(paths):
        digest.update(str(path.relative_to(DBT_PROJECT_DIR)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


ASKED_FULL = "a full rebuild was asked for"
WEEKLY_CHECK = "the weekly full rebuild that checks the incremental builds"
FIRST_BUILD = "first build of this warehouse"
MODELS_CHANGED = (
    "the dbt models, the shop's settings or the dbt and DuckDB versions changed since the "
    "last build"
)


def plan_build(
    con: duckdb.DuckDBPyConnection, fingerprint: str, asked_full: bool, why: str = ASKED_FULL
) -> BuildPlan:
    through = con.execute(
        "select coalesce(max(load_id), 0) from audit.file_loads "
        "where status in ('loaded', 'partial')"
    ).fetchone()[0]

    def full(reason: str) -> BuildPlan:
        return BuildPlan(True, reason, through, fingerprint)

    if asked_full:
        return full(why)
    last = con.execute(
        "select through_load_id, fingerprint, succeeded from audit.transform_builds "
        "order by started_at desc limit 1"
    ).fetchone()
    if last is None:
        return full(FIRST_BUILD)
    last_through, last_fingerprint, succeeded = last
    if not succeeded:
        return full("the last build stopped before it finished")
    if last_fingerprint != fingerprint:
        return full(MODELS_CHANGED)
    new_sources = [
        row[0]
        for row in con.execute(
            "select distinct source from audit.file_loads where load_id > ? "
            "and status in ('loaded', 'partial') order by source",
            [last_through],
        ).fetchall()
    ]
    for source in new_sources:
        if source in FULL_REBUILD_SOURCES:
            return full(FULL_REBUILD_SOURCES[source])
    known = {
        row[0]
        for row in con.execute(
            "select distinct source from audit.file_loads where load_id <= ? "
            "and status in ('loaded', 'partial')",
            [last_through],
        ).fetchall()
    }
    for source in new_sources:
        if source not in known:
            return full(f"the first {source} export arrived")
    if not new_sources:
        return BuildPlan(False, NOTHING_NEW, through, fingerprint)
    return BuildPlan(
        False, f"new rows of {', '.join(new_sources)} since the last build", through, fingerprint
    )


def build_started(con: duckdb.DuckDBPyConnection, plan: BuildPlan) -> datetime:
    started = datetime.now(UTC).replace(tzinfo=None)
    con.execute(
        "insert into audit.transform_builds values (?, null, ?, ?, ?, ?, false)",
        [started, plan.mode, plan.reason, plan.through_load_id, plan.fingerprint],
    )
    return started


def build_finished(con: duckdb.DuckDBPyConnection, started: datetime) -> None:
    con.execute(
        "update audit.transform_builds set finished_at = ?, succeeded = true where started_at = ?",
        [datetime.now(UTC).replace(tzinfo=None), started],
    )


def _comparable(con: duckdb.DuckDBPyConnection, relation: str) -> str:
    """The relation's columns with doubles rounded: sums of the same numbers added in another
    order may differ in the last bits."""
    columns = con.execute(f"describe {relation}").fetchall()
    parts = [
        f'round("{name}", 9) as "{name}"' if kind in ("DOUBLE", "FLOAT") else f'"{name}"'
        for name, kind, *_ in columns
    ]
    return f"select {', '.join(parts)} from {relation}"


def keep_before_full(con: duckdb.DuckDBPyConnection, marts: list[str]) -> list[str]:
    """Copy the incremental marts aside before the weekly full rebuild replaces them."""
    con.execute(f"create schema if not exists {BEFORE_SCHEMA}")
    present = {
        row[0]
        for row in con.execute(
            "select table_name from information_schema.tables where table_schema = 'marts'"
        ).fetchall()
    }
    kept = [m for m in marts if m in present]
    for mart in kept:
        con.execute(f"create or replace table {BEFORE_SCHEMA}.{mart} as select * from marts.{mart}")
    return kept


def compare_with_full(con: duckdb.DuckDBPyConnection, marts: list[str]) -> list[dict]:
    """Each kept mart against the full rebuild, cell for cell: recorded in
    audit.rebuild_checks (one row per mart) and returned; the copies are dropped."""
    checked_at = datetime.now(UTC).replace(tzinfo=None)
    results = []
    for mart in marts:
        before = _comparable(con, f"{BEFORE_SCHEMA}.{mart}")
        after = _comparable(con, f"marts.{mart}")
        only_before = f"({before} except all {after})"
        only_after = f"({after} except all {before})"
        row = con.execute(
            f"select (select count(*) from {BEFORE_SCHEMA}.{mart}), "
            f"(select count(*) from marts.{mart}), "
            f"(select count(*) from {only_before}), (select count(*) from {only_after})"
        ).fetchone()
        example = None
        if row[2] or row[3]:
            sample = (
                con.execute(f"select * from {only_before} limit 1").fetchone()
                or con.execute(f"select * from {only_after} limit 1").fetchone()
            )
            example = str(sample)[:500]
        result = {
            "mart": mart,
            "incremental_rows": row[0],
            "full_rows": row[1],
            "rows_only_incremental": row[2],
            "rows_only_full": row[3],
            "example": example,
        }
        con.execute(
            "insert into audit.rebuild_checks values (?, ?, ?, ?, ?, ?, ?)",
            [checked_at, *result.values()],
        )
        results.append(result)
    con.execute(f"drop schema if exists {BEFORE_SCHEMA} cascade")
    return results
