"""Resources, registered in one place. Settings are read when a run starts, not at import."""

import fcntl
import importlib.metadata
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property

import dagster as dg
from dagster_dbt import DbtCliResource
from packaging import version
from pydantic import PrivateAttr

from pipelines.lib import quality_worker, warm_dbt
from pipelines.lib.dbt_manifest import dbt_project
from pipelines.lib.publish import abandon_begun
from pipelines.lib.settings import Settings
from pipelines.lib.warehouse import let_go


class ShopSettings(dg.ConfigurableResource):
    """The shop a run builds: its settings, resolved once when the run starts, and its home
    held for the whole run.

    `make pipeline` hands the run the settings it read (`home` and `values`); a run the
    daemon launches reads SHOPKPI_HOME, shopkpi.toml and SHOPKPI_* once, at its start.
    Every step of the run then sees the same object. One build at a time per home: the
    daemon queues its own runs (max_concurrent_runs: 1), but `make pipeline` runs in its
    own process; both take .build.lock for the whole run, so a second build waits for
    the first instead of colliding on the DuckDB file.
    """

    home: str | None = None  # None: SHOPKPI_HOME
    values: dict[str, str] | None = None  # Settings.as_values(); None: shopkpi.toml, SHOPKPI_*
    _settings: Settings | None = PrivateAttr(default=None)

    def _resolve(self) -> Settings:
        if self.values:
            settings = Settings.from_values(self.home or Settings.from_env().home, self.values)
        else:
            settings = Settings.from_env()
        settings.ensure_dirs()
        return settings

    @contextmanager
    def yield_for_execution(self, context: dg.InitResourceContext) -> Iterator["ShopSettings"]:
        self._settings = self._resolve()
        with (self._settings.home / ".build.lock").open("w") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if context.log:
                    context.log.info("another build is running on this SHOPKPI_HOME: waiting")
                fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield self
            finally:  # a run that stopped at a check leaves its validation worker behind
                quality_worker.stop(self._settings.home)
                warm_dbt.stop(self._settings.home)  # and the dbt process it did not use
                abandon_begun()  # and a publish begun beside a step that failed
                let_go(self._settings.warehouse)  # and the warehouse its steps kept open

    def get(self) -> Settings:
        if self._settings is None:  # invoked directly (a test), not in a run
            self._settings = self._resolve()
        return self._settings

    @staticmethod
    def run_config(settings: Settings) -> dict:
        """The run config that makes a run build with exactly these settings."""
        return {"config": {"home": str(settings.home), "values": settings.as_values()}}


class ShopDbtCliResource(DbtCliResource):
    """dagster-dbt's dbt resource, without the two things it does in this process before
    each dbt command (2 s each a build)."""

    @cached_property
    def _cli_version(self) -> version.Version:
        # not `dbt --version` in a subprocess: our dbt is the dbt-core of this venv (uv.lock)
        return version.parse(importlib.metadata.version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args):
        # no adapter loaded with all of dbt's macros: dagster-dbt uses it only to fetch column
        # metadata and row counts, which these assets do not ask for
        return None


defs = dg.Definitions(
    resources={
        "shop": ShopSettings(),
        "dbt": ShopDbtCliResource(
            project_dir=dbt_project(),
            profiles_dir=str(dbt_project().project_dir),
            # the venv's dbt, by way of the process a build may have started early for it
            dbt_executable=warm_dbt.DBT_COMMAND[0],
            global_config_flags=warm_dbt.DBT_COMMAND[1:],
        ),
    },
    # one DuckDB file has one writer: the steps of a run take turns in one process
    executor=dg.in_process_executor,
)
