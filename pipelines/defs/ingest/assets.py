"""One ingest asset per source: new files in inbox/<source>/ -> raw.<source>."""

import dagster as dg

from pipelines.defs.resources import ShopSettings
from pipelines.ingest import ingest_source
from pipelines.lib import quality_worker, warm_dbt
from pipelines.lib.canonical import SPECS
from pipelines.lib.settings import SOURCES
from pipelines.lib.warehouse import INGEST_MEMORY_LIMIT, connect, ensure_schemas, keep_open


def build_ingest_asset(source: str) -> dg.AssetsDefinition:
    spec = SPECS[source]

    @dg.asset(
        key=["raw", source],
        group_name="ingest",
        kinds={"polars", "duckdb"},
        description=(
            f"raw.{source}: {spec.description}. Loads every new file in inbox/{source}/ "
            "(and those in inbox/ recognised as this source): the canonical format or a "
            "platform export (docs/formats.md), CSV, XLSX or Parquet, encoding detected; "
            "the latest file wins per natural key "
            f"({', '.join(spec.natural_key)}); bad rows go to audit.quarantine, unusable "
            "files to quarantine/, loaded files to archive/."
        ),
    )
    def ingest(context: dg.AssetExecutionContext, shop: ShopSettings) -> dg.MaterializeResult:
        settings = shop.get()
        keep_open(settings.warehouse)  # until dbt starts (the dbt step lets go)
        with connect(settings.warehouse) as con:
            ensure_schemas(con)
            # loads commit in batches, many per build: DuckDB's default would write a
            # checkpoint after every 16 MB of them (at a million lines, 6 s of the orders')
            con.execute("set checkpoint_threshold = '256MB'")
            # the GX worker validates beside ingest: DuckDB's cache of raw.* pages gives way
            # (see INGEST_MEMORY_LIMIT)
            con.execute(f"set memory_limit = '{INGEST_MEMORY_LIMIT}'")
            # GX checks each batch's rows in its own process while the next batch loads
            summary = ingest_source(
                con,
                settings,
                source,
                after_commit=lambda: quality_worker.hand_over(
                    con, settings.home, settings.build_log, source
                ),
            )
            row_count = con.execute(f"select count(*) from raw.{source}").fetchone()[0]
        warm_dbt.after_ingest(settings.home, settings.inbox, settings.build_log)
        for problem in summary.problems:
            context.log.error(problem)
        for note in summary.notes:
            context.log.info(note)
        for outcome in summary.with_status("rejected"):
            context.log.warning(f"{source}/{outcome.file_name} rejected: {outcome.message}")
        for outcome in summary.with_status("partial"):
            context.log.warning(f"{source}/{outcome.file_name}: {outcome.message}")
        return dg.MaterializeResult(
            metadata={
                "dagster/row_count": row_count,
                "files_loaded": len(summary.with_status("loaded", "partial")),
                "files_skipped": len(summary.with_status("skipped")),
                "files_rejected": len(summary.with_status("rejected")),
                "rows_loaded": summary.count("rows_loaded"),
                "rows_quarantined": summary.count("rows_quarantined"),
            }
        )

    return ingest


ingest_assets = [build_ingest_asset(source) for source in SOURCES]
