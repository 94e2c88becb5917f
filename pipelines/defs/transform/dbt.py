"""dbt models as Dagster assets: staging -> intermediate -> marts, tests as asset checks."""

import time
from collections.abc import Iterator, Mapping
from typing import Any

import dagster as dg
import duckdb
import psutil
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets

from pipelines.defs.resources import ShopSettings
from pipelines.lib import failures, forecast, incremental, quality_worker, warm_dbt
from pipelines.lib.dbt_manifest import (
    KEEP_VIEWS,
    dbt_build_args,
    dbt_project,
    ensure_manifest,
    environment_for_dbt,
    home_target_dir,
    load_manifest,
    manifest_ahead,
    view_models,
    wait_for_parse_ahead,
)
from pipelines.lib.warehouse import compact, connect, ensure_schemas, let_go
from pipelines.lib.workers import return_freed_memory


class DbtBuildConfig(dg.Config):
    """How this run's dbt build goes: incremental when it may (pipelines/lib/incremental.py)."""

    full_rebuild: bool = False  # `make pipeline FULL=1`, the weekly check
    # keep the incremental marts, rebuild in full, record any difference on /data-health
    check_incremental: bool = False


def dbt_marts(manifest: Mapping[str, Any]) -> list[str]:
    """The tables dbt builds in schema marts (the forecast marts are Python's)."""
    return sorted(
        node["name"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["config"].get("schema") == "marts"
    )


def _with_kept_views(
    context: dg.AssetExecutionContext, events: Iterator[Any], manifest: Mapping[str, Any]
) -> Iterator[Any]:
    """dagster-dbt's events, and each view the build kept reported as materialized as soon as
    the models it reads are: up to date, it shows their new rows. (Dagster takes a
    multi-asset's assets in dependency order; dbt finishes a view's readers after the models
    the view reads.)"""
    translator = ShopkpiTranslator()
    nodes = manifest["nodes"]
    waiting = {
        translator.get_asset_key(view): {
            translator.get_asset_key(nodes[parent])
            for parent in view["depends_on"]["nodes"]
            if nodes.get(parent, {}).get("resource_type") == "model"
        }
        for view in view_models(manifest)
    }
    done: set[dg.AssetKey] = set()

    def ready() -> Iterator[dg.MaterializeResult]:
        while keys := [key for key, parents in waiting.items() if parents <= done]:
            for key in keys:
                del waiting[key]
                done.add(key)
                yield dg.MaterializeResult(
                    asset_key=key,
                    metadata={"dbt": "view kept as the last build made it (same definition)"},
                )

    yield from ready()
    for event in events:
        yield event
        if isinstance(event, dg.Output):
            done.add(context.assets_def.keys_by_output_name[event.output_name])
            yield from ready()


class ShopkpiTranslator(DagsterDbtTranslator):
    """Asset keys are <schema>/<model> (marts/fct_daily_kpis); groups follow the layers."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "model":
            schema = dbt_resource_props["config"].get("schema") or "main"
            return dg.AssetKey([schema, dbt_resource_props["name"]])
        return super().get_asset_key(dbt_resource_props)  # sources: meta.dagster.asset_key

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "model":
            return dbt_resource_props["config"].get("schema")
        return None


def _keep_failing_rows(context, con, invocation, dbt_started: float) -> None:
    """The rows of the tests that failed or warned, for the analyst (failures.py); after
    an error dbt may have written no run results (or only the last build's)."""
    results = invocation.target_path / "run_results.json"
    if not results.exists() or results.stat().st_mtime < dbt_started:
        return
    try:
        failures.keep_failing_rows(
            con, invocation.get_artifact("run_results.json"), invocation.manifest["nodes"]
        )
    except duckdb.Error as err:  # dbt's own verdict stands; only the rows are missing
        context.log.warning(f"the failing rows of dbt's tests were not kept: {err}")


@dbt_assets(
    manifest=ensure_manifest(),
    project=dbt_project(),
    dagster_dbt_translator=ShopkpiTranslator(),
)
def shopkpi_dbt_models(
    context: dg.AssetExecutionContext,
    dbt: DbtCliResource,
    shop: ShopSettings,
    config: DbtBuildConfig,
):
    """Build and test every selected dbt model with the shop's timezone and currency:
    incremental when nothing but new rows of orders, shipments, traffic, ads, inventory or
    targets arrived since the last build, else in full (the reason is logged).

    dbt unit tests pin formulas on the developers' fixtures (China time, CNY): they run in
    `make test` (tests/dbt/test_unit_tests.py), never in a shop's build.
    """
    settings = shop.get()
    # the checks are done: the GX worker writes the Data Docs and exits, and dbt's process
    # imports dbt-core while this step plans the build (seconds at ten million lines),
    # unless the build started it early (warm_dbt.py). Both are sure to have the memory
    # ingest and the checks freed.
    quality_worker.ask_to_finish(settings.home)
    if warm_dbt.started(settings.home) is None:
        return_freed_memory()
        warm_dbt.start(settings.home, settings.build_log, manifest_ahead(settings))
    fingerprint = incremental.models_fingerprint(settings)
    kept: list[str] = []
    with connect(settings.warehouse) as con:
        ensure_schemas(con)
        why = incremental.WEEKLY_CHECK if config.check_incremental else incremental.ASKED_FULL
        plan = incremental.plan_build(con, fingerprint, config.full_rebuild, why)
        if config.check_incremental:
            as_is = incremental.plan_build(con, fingerprint, asked_full=False)
            if as_is.full or as_is.reason != incremental.NOTHING_NEW:
                context.log.warning(
                    "incremental marts not checked against the full rebuild: "
                    f"{as_is.reason if as_is.full else 'new rows arrived since the last build'}"
                )
            else:
                kept = incremental.keep_before_full(con, dbt_marts(load_manifest()))
        started = incremental.build_started(con, plan)
        if not plan.full:
            forecast.import_statsforecast_meanwhile(con)
    let_go(settings.warehouse)  # what ingest and the checks kept open: dbt writes it now
    context.log.info(f"dbt build: {plan.mode} ({plan.reason})")
    problem = wait_for_parse_ahead(settings)
    if problem:
        context.log.warning(problem)
    released = return_freed_memory()
    holds = psutil.Process().memory_info().rss
    context.log.debug(
        f"before dbt starts this process holds {holds / 1e6:.0f} MB "
        f"(handed back {released / 1e6:.0f} MB)"
    )
    # a run of some of the models (from the Dagster UI) is dagster-dbt's own selection
    keep_views = not plan.full and not context.is_subset
    dbt_started = time.time()
    waiting = warm_dbt.started(settings.home)
    if waiting is not None and waiting == warm_dbt.on_standby(settings.home):
        context.log.info("dbt runs in the process `make run` keeps on standby for this home")
    try:
        # the build profile's ~/warehouse.duckdb; dbt's waiting process
        with environment_for_dbt(settings, waiting):
            invocation = dbt.cli(
                [
                    "build",
                    *(["--full-refresh"] if plan.full else []),
                    # the build profile and this shop's settings (the same in every build)
                    *dbt_build_args(settings),
                    "--exclude-resource-type",
                    "unit_test",
                    *(KEEP_VIEWS if keep_views else []),
                ],
                context=context,
                # one target folder per home: the next build reuses dbt's partial parse
                target_path=home_target_dir(settings),
                raise_on_error=False,  # raised below, once the failing rows are kept
            )
        events = invocation.stream()
        yield from _with_kept_views(context, events, invocation.manifest) if keep_views else events
    finally:  # also when dbt failed: the worker has its Data Docs written by now
        quality_worker.finish(settings.home)
    with connect(settings.warehouse) as con:
        _keep_failing_rows(context, con, invocation, dbt_started)
        error = invocation.get_error()
        if error:
            raise error
        incremental.build_finished(con, started)
        if plan.full and plan.reason != incremental.FIRST_BUILD:
            compact(con)  # what the incremental builds since the last full one left
        for result in incremental.compare_with_full(con, kept):
            if result["rows_only_incremental"] or result["rows_only_full"]:
                context.log.warning(
                    f"{result['mart']}: the incremental build differs from the full rebuild "
                    f"({result['rows_only_incremental']} rows only in the incremental, "
                    f"{result['rows_only_full']} only in the full), e.g. {result['example']}"
                )
