"""The whole Dagster job on a small demo shop, checked against an independent computation."""

import duckdb
import polars as pl
from polars.testing import assert_frame_equal

from pipelines.lib.settings import Settings
from tests import reference
from tests.conftest import run_build

KPI_COLUMNS = [
    "orders", "customers", "new_customers", "gross_sales", "discounts", "refunds", "net_revenue",
    "aov", "revenue_per_buyer", "sessions", "conversion_rate", "visitors",
    "buyer_conversion_rate", "cogs", "logistics_cost", "gross_profit",
]  # fmt: skip


def read_mart(path, table: str = "fct_daily_kpis") -> pl.DataFrame:
    with duckdb.connect(str(path), read_only=True) as con:
        frame = con.execute(f"select * from marts.{table}").pl()
    return frame.with_columns(pl.col(pl.Decimal).cast(pl.Float64))


def test_fct_daily_kpis_matches_an_independent_computation(
    demo_build: Settings, demo_exports
) -> None:
    built = read_mart(demo_build.warehouse).sort("date", "platform")
    expected = reference.daily_kpis(demo_exports).sort("date", "platform")
    assert built.height == expected.height > 700
    assert_frame_equal(
        built.select("date", "platform", *KPI_COLUMNS),
        expected.select("date", "platform", *KPI_COLUMNS),
        check_dtypes=False,
        abs_tol=0.05,  # per-line conversion is rounded to 4 decimals in the warehouse
        rel_tol=1e-6,
    )


def test_the_published_copy_holds_the_same_marts_and_build_metadata(demo_build: Settings) -> None:
    assert read_mart(demo_build.published).equals(read_mart(demo_build.warehouse))
    with duckdb.connect(str(demo_build.published), read_only=True) as con:
        build = con.execute("select timezone, reporting_currency from meta.build").fetchall()
        docs = con.execute(
            "select description from meta.column_docs where table_name = 'fct_daily_kpis' "
            "and column_name = 'buyer_conversion_rate'"
        ).fetchone()
        freshness = dict(
            con.execute("select source, row_count from meta.source_freshness").fetchall()
        )
    assert build == [("Asia/Shanghai", "CNY")]
    assert "visitor" in docs[0]
    assert freshness["orders"] == 6_000


def test_every_file_is_accounted_for(demo_build: Settings, demo_exports) -> None:
    files = sum(1 for p in demo_exports.rglob("*") if p.is_file())
    with duckdb.connect(str(demo_build.warehouse), read_only=True) as con:
        audit = con.execute(
            "select count(*), sum(rows_read), sum(rows_loaded), sum(rows_quarantined) "
            "from audit.file_loads where status in ('loaded', 'partial')"
        ).fetchone()
    assert audit[0] == files
    assert audit[1] == audit[2] + audit[3]
    assert audit[3] == 0  # the demo writes clean files
    assert not any(p.is_file() for p in demo_build.inbox.rglob("*"))


def test_a_second_build_with_the_same_files_changes_nothing(
    tmp_path, demo_build, demo_exports
) -> None:
    """Same files twice: identical marts, files skipped (a rerun with no files at all is
    tested byte for byte on the hand-made shop). The first build is the shared one, copied."""
    import shutil

    from tests.conftest import fill_inbox

    shutil.copytree(demo_build.home, tmp_path / "twice", ignore=shutil.ignore_patterns("*.lock"))
    settings = Settings.from_values(tmp_path / "twice", demo_build.as_values())
    first = read_mart(settings.warehouse).sort("date", "platform")
    fill_inbox(settings, demo_exports)  # the analyst drops the same exports again
    assert run_build(settings).success
    assert_frame_equal(read_mart(settings.warehouse).sort("date", "platform"), first)
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        statuses = dict(
            con.execute("select status, count(*) from audit.file_loads group by 1").fetchall()
        )
        raw_orders = con.execute("select count(*) from raw.orders").fetchone()[0]
    assert statuses["skipped"] == statuses["loaded"]
    assert raw_orders == 6_000
