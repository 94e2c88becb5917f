"""Rolling monthly marts up over a period must keep the marts' formulas."""

import duckdb
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from dashboards import aggregate
from pipelines.lib.settings import Settings
from tests.dashboards.mart_docs import mart_docs

LOGISTICS = mart_docs("logistics_performance")


def mart(settings: Settings, table: str) -> pl.DataFrame:
    with duckdb.connect(str(settings.published), read_only=True) as con:
        frame = con.execute(f"select * from marts.{table}").pl()
    return frame.with_columns(pl.col(pl.Decimal).cast(pl.Float64))


def test_one_month_per_group_gives_back_the_mart_logistics(demo_build: Settings) -> None:
    months = mart(demo_build, "logistics_performance")
    rolled = aggregate.logistics_by(months, ["month", "carrier", "region"], LOGISTICS)
    ratios = ["cost_per_order", "cost_to_revenue", "on_time_rate", "avg_delivery_days",
              "return_rate"]  # fmt: skip
    keys = ["month", "carrier", "region"]
    assert_frame_equal(
        rolled.select(*keys, *ratios).sort(keys, nulls_last=True),
        months.select(*keys, *ratios).sort(keys, nulls_last=True),
        check_dtypes=False,
        rel_tol=1e-9,
    )


def test_a_carrier_over_many_months_is_a_ratio_of_sums(demo_build: Settings) -> None:
    months = mart(demo_build, "logistics_performance")
    carrier = months["carrier"][0]
    rows = months.filter(pl.col("carrier") == carrier)
    rolled = aggregate.logistics_by(months, ["carrier"], LOGISTICS).filter(
        pl.col("carrier") == carrier
    )
    assert rolled["on_time_rate"][0] == pytest.approx(
        rows["on_time_shipments"].sum() / rows["shipments_with_promise"].sum()
    )
    assert rolled["cost_per_order"][0] == pytest.approx(
        rows["shipping_cost"].sum() / rows["orders_shipped"].sum()
    )
    # not the mean of monthly rates, which weighs a quiet month like a busy one
    assert rolled["on_time_rate"][0] != pytest.approx(rows["on_time_rate"].mean(), rel=1e-9)


def test_one_month_per_sku_gives_back_the_mart_inventory(demo_build: Settings) -> None:
    months = mart(demo_build, "inventory_turnover")
    month = months.filter(pl.col("snapshot_days") > 0)["month"].max()
    one = months.filter(pl.col("month") == month)
    rolled = aggregate.inventory_by_sku(one, mart_docs("inventory_turnover"))
    columns = ["sku", "turnover", "days_of_inventory", "sell_through_rate", "avg_inventory_value"]
    assert_frame_equal(
        rolled.select(columns).sort("sku"),
        one.select(columns).sort("sku"),
        check_dtypes=False,
        rel_tol=1e-9,
    )
