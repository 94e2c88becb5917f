"""The bench's floor (one DuckDB process over the export files, dbt's compiled SQL, no
orchestration) computes the same nine marts as a build: otherwise the ratio it reports
would compare different work."""

import json

import duckdb
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from pipelines import floor
from pipelines.lib.settings import Settings


def marts(database, table: str) -> pl.DataFrame:
    with duckdb.connect(str(database), read_only=True) as con:
        frame = con.execute(f"select * from marts.{table}").pl()
    return frame.with_columns(pl.col(pl.Decimal).cast(pl.Float64))


@pytest.fixture(scope="module")
def floor_database(demo_build: Settings, demo_exports, tmp_path_factory):
    manifest = json.loads(
        (demo_build.home / "dbt" / "target" / "manifest.json").read_text(encoding="utf-8")
    )
    database = tmp_path_factory.mktemp("floor") / "warehouse.duckdb"
    timings = floor.run(demo_exports, manifest, database, demo_build.timezone)
    assert timings["floor_seconds"] > 0
    return database


@pytest.mark.parametrize("table", floor.FLOOR_MARTS)
def test_the_floor_computes_the_marts_of_a_build(demo_build: Settings, floor_database, table):
    built = marts(demo_build.published, table)
    assert built.height > 0, f"the demo has rows in {table}"
    computed = marts(floor_database, table).select(built.columns)
    assert_frame_equal(
        computed.sort(built.columns, nulls_last=True),
        built.sort(built.columns, nulls_last=True),
        check_dtypes=False,
        rel_tol=1e-9,
        abs_tol=1e-6,
    )
