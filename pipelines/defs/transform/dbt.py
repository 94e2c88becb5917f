"""dbt models as Dagster assets: staging -> intermediate -> marts, tests as asset checks."""

import json
from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets

from pipelines.defs.resources import ShopSettings
from pipelines.lib.dbt_manifest import dbt_project, ensure_manifest, home_profiles_dir


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


@dbt_assets(
    manifest=ensure_manifest(),
    project=dbt_project(),
    dagster_dbt_translator=ShopkpiTranslator(),
)
def shopkpi_dbt_models(
    context: dg.AssetExecutionContext,
    dbt: DbtCliResource,
    shop: ShopSettings,
):
    """Build and test every selected dbt model with the shop's timezone and currency.

    dbt unit tests pin formulas on the developers' fixtures (China time, CNY): they run in
    `make test` (tests/dbt/test_unit_tests.py), never in a shop's build.
    """
    settings = shop.get()
    yield from dbt.cli(
        [
            "build",
            # the profile of this run's home (the resource's default reads SHOPKPI_HOME)
            "--profiles-dir",
            str(home_profiles_dir(settings)),
            "--exclude-resource-type",
            "unit_test",
            "--vars",
            json.dumps(settings.dbt_vars()),
        ],
        context=context,
        # one target folder per home: the next build reuses dbt's partial parse
        target_path=home_profiles_dir(settings) / "target",
    ).stream()
