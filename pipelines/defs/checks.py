"""Blocking data checks on raw.* (Great Expectations), run before dbt builds the marts."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import dagster as dg

from pipelines.defs.resources import ShopSettings
from pipelines.lib import quality_worker
from pipelines.lib.canonical import SPECS, missing_export_note
from pipelines.lib.publish import source_freshness
from pipelines.lib.quality import last_passing_load, validate_rows_after
from pipelines.lib.settings import SOURCES
from pipelines.lib.warehouse import connect, ensure_schemas, keep_open


def build_quality_check(source: str) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=dg.AssetKey(["raw", source]),
        name=f"gx_raw_{source}",
        blocking=True,
        description=(
            f"Great Expectations suite raw_{source} on the rows loaded since the last passing "
            "check: columns, types, required values, ranges and allowed values. Blocking: a failure stops the marts; Data Docs in SHOPKPI_HOME/gx/. An empty "
            "source passes with a note: the marts that need it stay empty."
        ),
    )
    def quality_check(
        context: dg.AssetCheckExecutionContext, shop: ShopSettings
    ) -> dg.AssetCheckResult:
        settings = shop.get()
        worker = quality_worker.running(settings.home)
        keep_open(settings.warehouse)  # as ingest left it, until dbt starts
        with connect(settings.warehouse) as con:
            ensure_schemas(con)
            last_ok = last_passing_load(con, source)
            table_rows, newest = con.execute(
                f"select count(*), coalesce(max(_load_id), 0) from raw.{source}"
            ).fetchone()
            # the rows ingest handed to the validation worker, checked while ingest went on
            result = worker.result(source, last_ok) if worker else None
            if result is not None:
                context.log.info(
                    f"{result.rows_checked} row(s) validated by the GX worker while ingest ran"
                )
            else:
                if worker and worker.failure:
                    context.log.warning(f"validating in this process: {worker.failure}")
                result = validate_rows_after(con, settings.home, source, last_ok)
            con.execute(
                "insert into audit.quality_checks values (?, ?, ?, ?, ?, ?, ?, ?)",
                [source, datetime.now(UTC).replace(tzinfo=None), newest, result.rows_checked,
                 result.evaluated, result.success, "; ".join(result.failed),
                 str(result.docs_path or "")],
            )  # fmt: skip
        if table_rows == 0:
            summary = missing_export_note(source)
        elif result.rows_checked == 0:
            summary = f"no rows loaded since the last passing check ({table_rows} checked before)"
        else:
            summary = "; ".join(result.failed) or f"{result.evaluated} expectations passed"
        return dg.AssetCheckResult(
            passed=result.success,
            severity=dg.AssetCheckSeverity.ERROR,
            description=summary,
            metadata={
                "rows_checked": result.rows_checked,
                "expectations": result.evaluated,
                "failures": len(result.failed),
                "data_docs": dg.MetadataValue.path(str(result.docs_path or "")),
            },
        )

    return quality_check


def build_freshness_check(source: str) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=dg.AssetKey(["raw", source]),
        name=f"freshness_raw_{source}",
        blocking=False,
        description=(
            f"Warns when the newest day in raw.{source} is more than SHOPKPI_FRESHNESS_DAYS "
            "(default 2) days before today in the shop's timezone: an export was not dropped."
        ),
    )
    def freshness_check(shop: ShopSettings) -> dg.AssetCheckResult:
        settings = shop.get()
        keep_open(settings.warehouse)
        with connect(settings.warehouse) as con:
            ensure_schemas(con)
            row = source_freshness(con, (source,)).row(0, named=True)
        today = datetime.now(ZoneInfo(settings.timezone)).date()
        latest = row["latest_data_date"]
        age = (today - latest).days if latest else None
        fresh = latest is not None and age <= settings.freshness_days
        return dg.AssetCheckResult(
            # an export that never arrived is a note, not stale data
            passed=fresh or latest is None,
            severity=dg.AssetCheckSeverity.WARN,
            description=(
                f"newest day {latest}, {age} day(s) before {today}"
                if latest
                else missing_export_note(source)
            ),
            metadata={
                "latest_data_date": str(latest),
                "age_days": age,
                "max_age_days": settings.freshness_days,
            },
        )

    return freshness_check


quality_checks = [build_quality_check(source) for source in SOURCES]
# a source without a business day (products) has no freshness to check
freshness_checks = [build_freshness_check(s) for s in SOURCES if SPECS[s].business_day]
