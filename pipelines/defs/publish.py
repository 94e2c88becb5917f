"""The last step of a build: a read-only copy of the marts for the dashboards."""

from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg

from pipelines.defs.resources import ShopSettings
from pipelines.lib.dbt_manifest import load_manifest, mart_models
from pipelines.lib.publish import BEGUN, Publication, publish
from pipelines.lib.quality import build_docs_if_stale
from pipelines.lib.settings import Settings
from pipelines.lib.warehouse import let_go

PUBLISHED = dg.AssetKey(["published", "marts"])
# the manifest these definitions were made from, and the one the build's dbt command runs
# with (a process on standby refuses a build once the project changed): read once, not
# again for the publish (0.25 s at each build)
MANIFEST = load_manifest()


def begin_beside(
    context: dg.AssetExecutionContext, settings: Settings, later: tuple[tuple[str, str], ...]
) -> Publication | None:
    """Begin the run's publish in a thread of its own, every table but the `later` ones
    the calling step is computing, when the run publishes (else None). The caller waits for
    it (Publication.wait) before it writes the warehouse."""
    if PUBLISHED not in context.job_def.asset_layer.selected_asset_keys:
        return None
    publication = Publication(settings, MANIFEST, context.run_id, later)
    publication.begin_beside()
    BEGUN[context.run_id] = publication
    return publication


@contextmanager
def publish_beside(
    context: dg.AssetExecutionContext, settings: Settings, later: tuple[tuple[str, str], ...]
) -> Iterator[Publication | None]:
    """`begin_beside` for the block of a step that keeps the warehouse open (keep_open):
    a failure in it drops the publish begun; without a publish the warehouse is let go."""
    publication = begin_beside(context, settings, later)
    try:
        yield publication
    except BaseException:
        if publication is not None:
            BEGUN.pop(context.run_id, None)
            publication.close()
        raise
    finally:
        if publication is None:
            let_go(settings.warehouse)


@dg.asset(
    key=PUBLISHED,
    group_name="publish",
    kinds={"duckdb"},
    deps=[dg.AssetKey(["marts", node["name"]]) for node in mart_models(MANIFEST)]
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
    publication = BEGUN.pop(context.run_id, None)
    if publication is None:  # no step of this run began it: both parts here
        outcome, counts, written = publish(settings, MANIFEST, context.run_id)
    else:
        outcome, counts, written = publication.finish()  # which closes it, come what may
    build_docs_if_stale(settings.home)  # when the checks ran in this process, not the worker
    return dg.MaterializeResult(
        metadata={
            "outcome": outcome,
            "written from": written,
            "path": dg.MetadataValue.path(str(settings.published)),
            **{f"rows {name}": n for name, n in counts.items() if name.startswith("marts.")},
        }
    )
