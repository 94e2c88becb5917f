"""Resources, registered in one place. Settings are read when a run asks, not at import."""

import fcntl
import sys
from collections.abc import Iterator
from contextlib import contextmanager
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


class BuildLock(dg.ConfigurableResource):
    """One build at a time per SHOPKPI_HOME, however it was started.

    The daemon queues its own runs (max_concurrent_runs: 1), but `make pipeline` runs in
    its own process; both take this lock for the whole run, so a second build waits for
    the first instead of colliding on the DuckDB file.
    """

    @contextmanager
    def yield_for_execution(self, context: dg.InitResourceContext) -> Iterator["BuildLock"]:
        settings = Settings.from_env()
        settings.home.mkdir(parents=True, exist_ok=True)
        with (settings.home / ".build.lock").open("w") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if context.log:
                    context.log.info("another build is running on this SHOPKPI_HOME: waiting")
                fcntl.flock(handle, fcntl.LOCK_EX)
            yield self


defs = dg.Definitions(
    resources={
        "shop": ShopSettings(),
        "build_lock": BuildLock(),
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
