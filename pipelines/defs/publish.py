"""The last step of a build: a read-only copy of the marts for the dashboards."""

import dagster as dg

from pipelines.defs.resources import ShopSettings
from pipelines.lib.dbt_manifest import load_manifest, mart_models
from pipelines.lib.publish import publish
from pipelines.lib.quality import build_docs_if_stale


@dg.asset(
    key=["published", "marts"],
    group_name="publish",
    kinds={"duckdb"},
    deps=[dg.AssetKey(["marts", node["name"]]) for node in mart_models(load_manifest())]
    + [
        dg.AssetKey(["marts", name])
        for name in ("forecast_accuracy", "sales_forecast", "inventory_risk")
    ],
    description=(
        "published/shopkpi.duckdb: marts.*, audit.* and build metadata, swapped in atomically "
        "after every successful build that changed something. The dashboards read only this file."
    ),
)
def published_marts(context: dg.AssetExecutionContext, shop: ShopSettings) -> dg.MaterializeResult:
    settings = shop.get()
    outcome, counts, written = publish(settings, load_manifest(), context.run_id)
    build_docs_if_stale(settings.home)  # when the checks ran in this process, not the worker
    return dg.MaterializeResult(
        metadata={
            "outcome": outcome,
            "written from": written,
            "path": dg.MetadataValue.path(str(settings.published)),
            **{f"rows {name}": n for name, n in counts.items() if name.startswith("marts.")},
        }
    )
