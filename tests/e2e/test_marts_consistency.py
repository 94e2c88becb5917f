"""On the demo shop, the marts agree with each other where their definitions overlap."""

import duckdb
import pytest

from pipelines.lib.settings import Settings


@pytest.fixture(scope="module")
def sql(demo_build: Settings):
    con = duckdb.connect(str(demo_build.warehouse), read_only=True)

    def one(query: str) -> float:
        value = con.execute(query).fetchone()[0]
        return float(value) if value is not None else None

    yield one
    con.close()


def test_revenue_agrees_across_marts(sql) -> None:
    daily = sql("select sum(net_revenue) from marts.fct_daily_kpis")
    assert daily > 0
    assert sql("select sum(cohort_revenue) from marts.customer_cohorts") == pytest.approx(daily)
    assert sql("select sum(net_revenue) from marts.fct_daily_marketing") == pytest.approx(daily)
    assert sql("select sum(net_revenue) from marts.dim_customers") == pytest.approx(daily)


def test_customers_agree_across_marts(sql) -> None:
    new = sql("select sum(new_customers) from marts.fct_daily_kpis")
    assert sql("select sum(new_customers) from marts.repurchase") == new
    assert sql("select count(*) from marts.dim_customers") == new
    assert (
        sql("select sum(cohort_customers) from marts.customer_cohorts where months_since_first = 0")
        == new
    )
    assert sql("select sum(orders) from marts.dim_customers") == sql(
        "select sum(orders) from marts.fct_daily_kpis"
    )


def test_attribution_never_exceeds_the_whole(sql) -> None:
    total = sql("select sum(net_revenue) from marts.fct_daily_kpis")
    attributed = sql("select sum(attributed_revenue) from marts.campaign_roi")
    assert 0 < attributed < total
    assert sql("select sum(attributed_revenue) from marts.fct_daily_marketing") == pytest.approx(
        attributed
    )
    assert sql("select sum(spend) from marts.campaign_roi") == pytest.approx(
        sql("select sum(ad_spend) from marts.fct_daily_marketing")
    )
    assert (
        sql("select count(*) from marts.fct_daily_marketing where attributed_revenue > net_revenue")
        == 0
    )


def test_costs_and_units_agree(sql) -> None:
    assert sql("select sum(cogs) from marts.inventory_turnover") == pytest.approx(
        sql("select sum(cogs) from marts.fct_daily_kpis")
    )
    # every shipment's cost lands in logistics_performance once
    assert sql("select sum(shipping_cost) from marts.logistics_performance") == pytest.approx(
        sql("select sum(cost) from intermediate.int_shipments_converted")
    )
    assert sql("select sum(sessions) from marts.conversion_funnel") == sql(
        "select sum(sessions) from marts.fct_daily_kpis"
    )


def test_rates_stay_in_range(sql) -> None:
    for table, column in [
        ("customer_cohorts", "retention_rate"),
        ("repurchase", "repurchase_rate_90d"),
        ("logistics_performance", "on_time_rate"),
        ("logistics_performance", "return_rate"),
        ("inventory_turnover", "sell_through_rate"),
        ("campaign_roi", "ctr"),
    ]:
        assert sql(f"select count(*) from marts.{table} where {column} < 0 or {column} > 1") == 0, (
            column
        )
    # month 0 of a cohort is everyone
    assert (
        sql("select min(retention_rate) from marts.customer_cohorts where months_since_first = 0")
        == 1.0
    )
