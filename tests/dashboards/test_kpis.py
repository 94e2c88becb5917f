"""The roll-up rules of the marts' YAML, as the pages apply them over a chosen period:
sums stay unknown when every day is unknown, ratios are ratios of sums, NULL over 0."""

import duckdb
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from dashboards.kpis import OVERVIEW_KPIS, period_value, roll_up, safe_ratio
from pipelines.lib.settings import Settings
from tests.dashboards.mart_docs import mart_docs

KPIS = mart_docs("fct_daily_kpis")
# the marts the pages roll up over periods and groups, with their grain
ROLLED_MARTS = {
    "fct_daily_kpis": ["date", "platform"],
    "fct_daily_marketing": ["date"],
    "campaign_roi": ["date", "ad_platform", "campaign_id"],
    "logistics_performance": ["month", "carrier", "region"],
    "inventory_turnover": ["month", "sku"],
}


def test_a_ratio_of_columns_is_null_without_a_denominator() -> None:
    frame = pl.DataFrame({"a": [3.0, 2.0, 1.0, None], "b": [2.0, 0.0, None, 4.0]})
    got = frame.select(safe_ratio(pl.col("a"), pl.col("b")).alias("r"))["r"].to_list()
    assert got == [1.5, None, None, None]


def days(**columns) -> pl.DataFrame:
    base = {"gross_sales": [100.0, 300.0], "discounts": [0.0, 100.0], "refunds": [10.0, 0.0],
            "orders": [1, 9], "customers": [1, 4], "sessions": [None, None],
            "gross_profit": [20.0, None], "net_revenue": [90.0, 200.0]}  # fmt: skip
    return pl.DataFrame(base | columns)


def test_a_period_value_is_the_ratio_of_its_sums() -> None:
    rows = days()
    assert period_value(rows, KPIS, "aov") == pytest.approx(300 / 10)  # not mean(100, 22.2)
    assert period_value(rows, KPIS, "revenue_per_buyer") == pytest.approx(300 / 5)
    assert period_value(rows, KPIS, "refund_rate") == pytest.approx(10 / 300)
    # a margin over the days whose gross profit is known
    assert period_value(rows, KPIS, "gross_margin") == pytest.approx(20 / 90)


def test_unknown_stays_unknown_and_zero_denominators_are_null() -> None:
    rows = days(orders=[0, 0])
    assert period_value(rows, KPIS, "sessions") is None  # no traffic export: not 0
    assert period_value(rows, KPIS, "conversion_rate") is None
    assert period_value(rows, KPIS, "aov") is None  # no orders: NULL, not inf
    assert period_value(rows.clear(), KPIS, "net_revenue") is None  # an empty period


def test_groups_roll_up_by_the_same_rules() -> None:
    rows = days().with_columns(pl.Series("platform", ["jd", "tmall"]))
    by_platform = roll_up(rows, KPIS, by=["platform"])
    assert by_platform["platform"].to_list() == ["jd", "tmall"]
    assert by_platform["aov"].to_list() == [pytest.approx(100.0), pytest.approx(200 / 9)]
    assert by_platform["orders"].dtype == pl.Int64


def test_every_overview_card_and_rolled_mart_column_has_its_rules() -> None:
    for column in OVERVIEW_KPIS:
        doc = KPIS[column]
        assert doc.get("rollup") or doc.get("derive"), f"{column} has no roll-up rule"
    for table, grain in ROLLED_MARTS.items():
        for column, doc in mart_docs(table).items():
            assert doc.get("format"), f"{table}.{column} has no meta.format"
            if column not in grain and doc["format"] not in ("text", "date"):
                assert doc.get("rollup") or doc.get("derive"), f"{table}.{column}: no roll-up"


@pytest.mark.parametrize("table", ROLLED_MARTS)
def test_rolling_up_one_row_gives_back_the_mart(demo_build: Settings, table: str) -> None:
    """The YAML's roll-up rule and the mart's SQL formula say the same thing: every row of
    the demo's mart, rolled up alone, comes back unchanged."""
    with duckdb.connect(str(demo_build.published), read_only=True) as con:
        rows = con.execute(f"select * from marts.{table}").pl()
    rows = rows.with_columns(pl.col(pl.Decimal).cast(pl.Float64))
    grain = ROLLED_MARTS[table]
    rolled = roll_up(rows, mart_docs(table), by=grain)
    columns = [c for c in rows.columns if c in rolled.columns]
    assert len(columns) == rows.width, set(rows.columns) - set(columns)
    assert_frame_equal(
        rolled.select(columns).sort(grain, nulls_last=True),
        rows.select(columns).sort(grain, nulls_last=True),
        check_dtypes=False,
        rel_tol=1e-9,
    )


def test_a_period_whose_sales_days_lack_costs_has_no_gross_profit() -> None:
    """A day without orders has a gross profit of 0 whatever is known of the costs: summed
    with the sales days whose costs are unknown it read 0 on the overview, not unknown."""
    rows = days(orders=[1, 0], gross_profit=[None, 0.0])
    assert period_value(rows, KPIS, "gross_profit") is None
    assert period_value(days(gross_profit=[20.0, 5.0]), KPIS, "gross_profit") == 25.0


def test_a_segment_with_a_customer_of_unknown_costs_has_no_gross_profit(
    tmp_path, monkeypatch
) -> None:
    """The RFM table summed the gross profit of a segment's customers whose costs are
    known and showed it as the segment's."""
    from dashboards import data

    settings = Settings.from_env(tmp_path)
    settings.published.parent.mkdir(parents=True)
    with duckdb.connect(str(settings.published)) as con:
        con.execute("create schema marts")
        con.execute(
            "create table marts.dim_customers as select * from (values "
            "('tmall', 'a', 'Lost', '已流失客户', 1, 10.0, 4.0, 400), "
            "('tmall', 'b', 'Lost', '已流失客户', 1, 20.0, null, 500), "
            "('tmall', 'c', 'New', '新客户', 1, 30.0, 9.0, 3), "
            "('tmall', 'd', 'New', '新客户', 1, 40.0, 6.0, 5)) "
            "as t(platform, customer_id, rfm_segment, rfm_segment_zh, orders, net_revenue, "
            "gross_profit, recency_days)"
        )
        # the roll-up rules as the publish writes them from the YAML
        docs = pl.DataFrame(  # noqa: F841 - read by the next statement
            [{"table_name": "dim_customers", "column_name": name, "position": position,
              "rollup": doc.get("rollup", "")}
             for position, (name, doc) in enumerate(mart_docs("dim_customers").items())]
        )  # fmt: skip
        con.execute("create schema meta")
        con.execute("create table meta.column_docs as select * from docs")
    monkeypatch.setenv("SHOPKPI_HOME", str(tmp_path))
    segments = {row["rfm_segment"]: row for row in data.rfm_segments(["tmall"]).to_dicts()}
    assert segments["Lost"]["net_revenue"] == 30 and segments["Lost"]["gross_profit"] is None
    assert segments["New"]["gross_profit"] == 15
