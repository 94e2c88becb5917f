"""Resources, registered in one place. Settings are read when a run asks, not at import."""

import sys
from pathlib import Path

import dagster as dg
from dagster_dbt import DbtCliResource

from pipelines.lib.dbt_manifest import dbt_project
from pipelines.lib.settings import Settings


class ShopSettings(dg.ConfigurableResource):
    """Where the data lives (SHOPKPI_HOME) and how the shop reports (timezone, currency)."""

    def get(self) -> Settings:
        settings = Settings.from_env()
        settings.ensure_dirs()
        return settings


defs = dg.Definitions(
    resources={
        "shop": ShopSettings(),
        "dbt": DbtCliResource(
            project_dir=dbt_project(),
            profiles_dir=str(dbt_project().project_dir),
            # the venv's dbt, also when the venv is not activated
            dbt_executable=str(Path(sys.executable).with_name("dbt")),
        ),
    },
    # one DuckDB file has one writer: the steps of a run take turns in one process
    executor=dg.in_process_executor,
)
