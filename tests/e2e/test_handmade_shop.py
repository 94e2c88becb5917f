"""The hand-made shop (data/samples/handmade_shop) through `make pipeline`'s code path.

Every expected number below was computed by hand from the sample files; the comments
show the arithmetic. Rates: USD 7.2 on Fri 2025-02-28 (also used Sat and Sun), 7.1 from
Mon 2025-03-03. Unit costs: MUG-01 ¥20, TEA-01 ¥15.

The valid orders, in the reporting currency (net = gross − discount − refund,
gross profit = net − cogs − logistics):
  T1001 tmall tb_a   paid 03-01  net 155      cogs 55  logistics 8     gp 92       utm AM-1
  T1002 tmall tb_b   paid 03-01  net 0        cogs 0   logistics 6+6   gp −12      (refunded)
  T1003 tmall tb_a   paid 03-02  net 65       cogs 30  logistics 7     gp 28       utm AM-1
  #1001 shopify 9001 paid 03-01  net 86.328   cogs 20  logistics 36    gp 30.328   utm GA-1
  #1003 shopify 9001 paid 03-02  net 187.056  cogs 40  logistics 0     gp 147.056
  #1002 shopify 9002 paid 03-03  net 212.787  cogs 45  logistics 28.4  gp 139.387
"""

import hashlib
import json

import dagster as dg
import duckdb
import polars as pl
import pytest

from pipelines import cli
from pipelines.lib.dbt_manifest import home_target_dir, view_models
from pipelines.lib.run_status import last_run_path
from pipelines.lib.settings import Settings
from tests.conftest import HANDMADE_SHOP, fill_inbox, run_build, run_home_dbt

EXPECTED = [
    # tmall 03-01: T1001 (2×59 + 45, discount 8) and T1002 (59, paid 00:10 local = 16:10 UTC
    # the day before, fully refunded: no cogs); T1004 never paid.
    # sessions 100+50, visitors 80+40; shipping SH1 8 + SH2 6 + return RT1 6.
    dict(date="2025-03-01", platform="tmall", orders=2, customers=2, new_customers=2,
         gross_sales=222.0, discounts=8.0, refunds=59.0, net_revenue=155.0, refund_rate=59 / 214,
         aov=107.0, revenue_per_buyer=107.0, sessions=150, conversion_rate=2 / 150,
         visitors=120, buyer_conversion_rate=2 / 120, cogs=55.0, logistics_cost=20.0,
         gross_profit=80.0, gross_margin=80.0 / 155.0),
    # tmall 03-02: T1003 (2×45, discount 5, refund 20) is tb_a's second order; T1005 paid
    # then cancelled, T1006 pending: not counted. Zero sessions: ratios are NULL.
    dict(date="2025-03-02", platform="tmall", orders=1, customers=1, new_customers=0,
         gross_sales=90.0, discounts=5.0, refunds=20.0, net_revenue=65.0, refund_rate=20 / 85,
         aov=85.0, revenue_per_buyer=85.0, sessions=0, conversion_rate=None,
         visitors=0, buyer_conversion_rate=None, cogs=30.0, logistics_cost=7.0,
         gross_profit=28.0, gross_margin=28.0 / 65.0),
    # shopify #1001 paid Fri 18:00 -08:00 = Sat 10:00 Shanghai: 12.99×7.2 = 93.528,
    # discount 1×7.2; shipped Sat 20:00Z = Sun 04:00 Shanghai, 5 USD × 7.2 = 36.
    dict(date="2025-03-01", platform="shopify", orders=1, customers=1, new_customers=1,
         gross_sales=93.528, discounts=7.2, refunds=0.0, net_revenue=86.328, refund_rate=0.0,
         aov=86.328, revenue_per_buyer=86.328, sessions=40, conversion_rate=1 / 40,
         visitors=30, buyer_conversion_rate=1 / 30, cogs=20.0, logistics_cost=36.0,
         gross_profit=30.328, gross_margin=30.328 / 86.328),
    # #1003 paid Sun 07:00 -08:00 = Sun 23:00 Shanghai, 2×12.99×7.2; customer 9001 again.
    dict(date="2025-03-02", platform="shopify", orders=1, customers=1, new_customers=0,
         gross_sales=187.056, discounts=0.0, refunds=0.0, net_revenue=187.056, refund_rate=0.0,
         aov=187.056, revenue_per_buyer=187.056, sessions=60, conversion_rate=1 / 60,
         visitors=50, buyer_conversion_rate=1 / 50, cogs=40.0, logistics_cost=0.0,
         gross_profit=147.056, gross_margin=147.056 / 187.056),
    # #1002 paid Sun 08:30 -08:00 = Mon 00:30 Shanghai: 3×9.99×7.1 = 212.787; shipped
    # Mon 18:00Z = Tue 02:00 Shanghai, 4 USD at Monday's 7.1 = 28.4.
    dict(date="2025-03-03", platform="shopify", orders=1, customers=1, new_customers=1,
         gross_sales=212.787, discounts=0.0, refunds=0.0, net_revenue=212.787, refund_rate=0.0,
         aov=212.787, revenue_per_buyer=212.787, sessions=30, conversion_rate=1 / 30,
         visitors=25, buyer_conversion_rate=1 / 25, cogs=45.0, logistics_cost=28.4,
         gross_profit=139.387, gross_margin=139.387 / 212.787),
]  # fmt: skip


def mart(settings: Settings, table: str, order_by: str) -> list[dict]:
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        frame = con.execute(f"select * from marts.{table} order by {order_by}").pl()
    frame = frame.with_columns(pl.col(pl.Decimal).cast(pl.Float64))
    return [
        {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in row.items()}
        for row in frame.iter_rows(named=True)
    ]


def assert_rows(actual: list[dict], expected: list[dict]) -> None:
    """Every expected column of every expected row; None must be NULL."""
    assert len(actual) == len(expected), actual
    for got, want in zip(actual, expected, strict=True):
        for column, value in want.items():
            if value is None or isinstance(value, str | bool):
                assert got[column] == value, (want, column, got[column])
            else:
                assert got[column] == pytest.approx(value, abs=1e-4), (want, column, got[column])


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Settings:
    from tests.conftest import build_once, use_home

    def build() -> Settings:
        settings = use_home(tmp_path_factory.mktemp("handmade"))
        fill_inbox(settings, HANDMADE_SHOP)
        assert cli.build(settings) == 0  # what `make pipeline` runs
        return settings

    return build_once("handmade", build, tmp_path_factory)


def test_every_kpi_matches_the_hand_computation(built: Settings) -> None:
    with duckdb.connect(str(built.warehouse), read_only=True) as con:
        frame = con.execute("select * from marts.fct_daily_kpis order by platform, date").pl()
    actual = {
        (row["date"].isoformat(), row["platform"]): row
        for row in frame.with_columns(pl.col(pl.Decimal).cast(pl.Float64)).iter_rows(named=True)
    }
    assert sorted(actual) == sorted((e["date"], e["platform"]) for e in EXPECTED)
    for expected in EXPECTED:
        row = actual[(expected["date"], expected["platform"])]
        for column, value in expected.items():
            if column in ("date", "platform"):
                continue
            if value is None:
                assert row[column] is None, (expected["date"], expected["platform"], column)
            else:
                assert row[column] == pytest.approx(value, abs=1e-4), (
                    expected["date"], expected["platform"], column,
                )  # fmt: skip


def test_every_sample_file_loaded_cleanly(built: Settings) -> None:
    files = sorted(p.name for p in HANDMADE_SHOP.rglob("*") if p.is_file())
    with duckdb.connect(str(built.warehouse), read_only=True) as con:
        audit = con.execute(
            "select file_name, status, rows_quarantined, encoding from audit.file_loads order by file_name"
        ).fetchall()
    assert [a[0] for a in audit] == files
    assert {a[1] for a in audit} == {"loaded"}
    encodings = {a[0]: a[3] for a in audit}
    assert encodings["tmall_traffic_2025-03.csv"] == "gb18030"
    assert encodings["tmall_2025-03.csv"] == "utf-8 with BOM"


def test_fct_daily_marketing(built: Settings) -> None:
    assert_rows(
        mart(built, "fct_daily_marketing", '"date"'),
        [
            # spend: AM-1 ¥50 + GA-1 3 USD × 7.2; revenue: T1001, T1002, #1001; all three are
            # first orders; attributed: T1001 (AM-1) and #1001 (GA-1)
            dict(date="2025-03-01", ad_spend=71.6, net_revenue=241.328, mer=241.328 / 71.6,
                 new_customers=3, blended_cac=71.6 / 3, attributed_revenue=241.328,
                 roas=241.328 / 71.6),
            # GA-1 2 USD × 7.2 (Sunday uses Friday's rate); T1003 (AM-1) and #1003; no new buyer
            dict(date="2025-03-02", ad_spend=14.4, net_revenue=252.056, mer=252.056 / 14.4,
                 new_customers=0, blended_cac=None, attributed_revenue=65.0, roas=65 / 14.4),
            # no spend: MER and ROAS have no denominator
            dict(date="2025-03-03", ad_spend=0.0, net_revenue=212.787, mer=None,
                 new_customers=1, blended_cac=0.0, attributed_revenue=0.0, roas=None),
        ],
    )  # fmt: skip


def test_campaign_roi(built: Settings) -> None:
    assert_rows(
        mart(built, "campaign_roi", '"date", ad_platform, campaign_id'),
        [
            dict(date="2025-03-01", ad_platform="alimama", campaign_id="AM-1",
                 campaign_name="直通车-核心词", spend=50.0, impressions=2000, clicks=40, ctr=0.02,
                 cpc=1.25, attributed_orders=1, attributed_revenue=155.0,
                 attributed_gross_profit=92.0, roas=3.1, roi=(92 - 50) / 50, new_customers=1,
                 cac=50.0),
            dict(date="2025-03-01", ad_platform="google_ads", campaign_id="GA-1", spend=21.6,
                 impressions=500, clicks=10, ctr=0.02, cpc=2.16, attributed_orders=1,
                 attributed_revenue=86.328, attributed_gross_profit=30.328,
                 roas=86.328 / 21.6, roi=(30.328 - 21.6) / 21.6, new_customers=1, cac=21.6),
            # orders but no spend: T1003 is tb_a's second order
            dict(date="2025-03-02", ad_platform="alimama", campaign_id="AM-1", spend=0.0,
                 impressions=0, clicks=0, ctr=None, cpc=None, attributed_orders=1,
                 attributed_revenue=65.0, attributed_gross_profit=28.0, roas=None, roi=None,
                 new_customers=0, cac=None),
            # spend but no orders: the whole spend is lost
            dict(date="2025-03-02", ad_platform="google_ads", campaign_id="GA-1", spend=14.4,
                 impressions=400, clicks=8, ctr=0.02, cpc=1.8, attributed_orders=0,
                 attributed_revenue=0.0, attributed_gross_profit=0.0, roas=0.0, roi=-1.0,
                 new_customers=0, cac=None),
        ],
    )  # fmt: skip


def test_conversion_funnel(built: Settings) -> None:
    rows = {
        (r["date"], r["platform"], r["channel"]): r
        for r in mart(built, "conversion_funnel", '"date", platform, channel')
    }
    assert len(rows) == 6
    assert_rows(
        [rows[("2025-03-01", "tmall", "手淘搜索")], rows[("2025-03-02", "tmall", "手淘搜索")]],
        [
            dict(device="无线端", sessions=100, product_views=60, add_to_cart=10, checkouts=5,
                 orders=1, conversion_rate=0.01, cart_rate=0.1, checkout_rate=0.5),
            # a day with zero sessions: every rate is NULL, not 0
            dict(sessions=0, orders=0, conversion_rate=None, cart_rate=None, checkout_rate=None),
        ],
    )  # fmt: skip


def test_customer_cohorts_and_repurchase(built: Settings) -> None:
    # one cohort, March 2025: tb_a, tb_b, 9001, 9002; revenue = every valid order's net
    assert_rows(
        mart(built, "customer_cohorts", "cohort_month, months_since_first"),
        [dict(cohort_month="2025-03-01", months_since_first=0, cohort_customers=4,
              active_customers=4, retention_rate=1.0,
              cohort_revenue=155 + 0 + 65 + 86.328 + 187.056 + 212.787)],
    )  # fmt: skip
    # tb_a (T1003) and 9001 (#1003) came back within 90 days; 9002's window is still open
    assert_rows(
        mart(built, "repurchase", "cohort_month"),
        [dict(cohort_month="2025-03-01", new_customers=4, repurchased_90d=2,
              repurchase_rate_90d=0.5, window_complete=False)],
    )  # fmt: skip


def test_dim_customers_with_rfm(built: Settings) -> None:
    # as of 2025-03-03; M is the quintile of net revenue over the four customers
    assert_rows(
        mart(built, "dim_customers", "platform, customer_id"),
        [
            dict(platform="shopify", customer_id="9001", first_order_date="2025-03-01",
                 last_order_date="2025-03-02", orders=2, net_revenue=273.384,
                 gross_profit=177.384, recency_days=1, r_score=5, f_score=2, m_score=4,
                 rfm_segment="Promising", rfm_segment_zh="潜力客户"),
            dict(platform="shopify", customer_id="9002", orders=1, net_revenue=212.787,
                 recency_days=0, r_score=5, f_score=1, m_score=2, rfm_segment="New"),
            dict(platform="tmall", customer_id="tb_a", orders=2, net_revenue=220.0,
                 gross_profit=120.0, recency_days=1, m_score=3, rfm_segment="Promising"),
            dict(platform="tmall", customer_id="tb_b", orders=1, net_revenue=0.0,
                 gross_profit=-12.0, recency_days=2, m_score=1, rfm_segment="New",
                 rfm_segment_zh="新客户"),
        ],
    )  # fmt: skip


def test_inventory_turnover(built: Settings) -> None:
    assert_rows(
        mart(built, "inventory_turnover", '"month", sku'),
        [
            # units: T1001 2, T1002 1 (refunded: no cogs), #1001 1, #1003 2; stock value
            # 10 × 20 and 8 × 20 -> mean 180; closing stock 8
            dict(month="2025-03-01", sku="MUG-01", category="厨房用品", units_sold=6,
                 cogs=100.0, avg_inventory_value=180.0, turnover=100 / 180,
                 days_of_inventory=2 / (100 / 180), sell_through_rate=6 / 14,
                 closing_on_hand_qty=8, snapshot_days=2, stockout_days=0),
            # units: T1001 1, T1003 2, #1002 3; stock 5 × 15 then 0 (a stock-out day)
            dict(month="2025-03-01", sku="TEA-01", category="食品饮料", units_sold=6,
                 cogs=90.0, avg_inventory_value=37.5, turnover=2.4, days_of_inventory=2 / 2.4,
                 sell_through_rate=1.0, closing_on_hand_qty=0, snapshot_days=2,
                 stockout_days=1),
        ],
    )  # fmt: skip


def test_logistics_performance(built: Settings) -> None:
    assert_rows(
        mart(built, "logistics_performance", '"month", carrier, region'),
        [
            # USD costs at the ship day's rate: SS1 ships Sun (local) 5 × 7.2, SS2 Tue 4 × 7.1
            dict(carrier="UPS", region="CA", shipments=1, orders_shipped=1, shipping_cost=36.0,
                 cost_per_order=36.0, cost_to_revenue=36 / 86.328,
                 on_time_rate=0.0,  # delivered 03-06 08:00Z, promised 03-05 20:00Z: late
                 avg_delivery_days=4.5, orders_returned=0, return_rate=0.0),
            dict(carrier="USPS", region="NY", shipments=1, shipping_cost=28.4,
                 cost_to_revenue=28.4 / 212.787, on_time_rate=None, avg_delivery_days=None),
            # outbound SH2 ¥6 plus the return RT1 ¥6; T1002's net revenue is 0 (refunded)
            dict(carrier="中通快递", region="广东", shipments=1, orders_shipped=1,
                 shipping_cost=12.0, cost_per_order=12.0, net_revenue=0.0, cost_to_revenue=None,
                 on_time_rate=1.0, avg_delivery_days=1.25, orders_returned=1, return_rate=1.0),
            # SH1: 03-01 12:00 -> 03-03 15:00 = 2.125 days, before the promise
            dict(carrier="中通快递", region="浙江", shipping_cost=8.0,
                 cost_to_revenue=8 / 155, on_time_rate=1.0, avg_delivery_days=2.125,
                 return_rate=0.0),
            # SH3 is not delivered yet: no on-time rate, no delivery days
            dict(carrier="顺丰速运", region="浙江", shipping_cost=7.0, cost_to_revenue=7 / 65,
                 on_time_rate=None, avg_delivery_days=None),
        ],
    )  # fmt: skip


def test_monthly_targets(built: Settings) -> None:
    # March's sales: tmall 155 + 65, shopify 86.328 + 187.056 + 212.787; the last sales
    # day is 03-03, 3 of March's 31 days. The USD target counts at 03-01's rate, 7.2
    # (Friday 02-28's, carried over the weekend).
    assert_rows(
        mart(built, "fct_monthly_targets", "platform"),
        [
            dict(month="2025-03-01", platform="all", net_revenue_target=1000.0,
                 net_revenue=706.171, target_attainment=706.171 / 1000, month_elapsed=3 / 31),
            dict(platform="shopify", net_revenue_target=720.0, net_revenue=486.171,
                 target_attainment=486.171 / 720, month_elapsed=3 / 31),
            dict(platform="tmall", net_revenue_target=300.0, net_revenue=220.0,
                 target_attainment=220 / 300),
        ],
    )  # fmt: skip


def test_a_currency_without_any_rate_stops_the_build_and_is_named(tmp_path, capsys) -> None:
    """Money in EUR with no EUR rate is neither dropped nor mixed in: the build fails."""
    from tests.conftest import use_home

    settings = use_home(tmp_path / "eur")
    fill_inbox(settings, HANDMADE_SHOP)
    (settings.inbox_for("orders") / "eu_shop.csv").write_text(
        "order_id,platform,customer_id,order_ts,paid_ts,status,sku,quantity,unit_price,"
        "discount,currency\n"
        "E1,shopify_eu,c9,2025-03-02 10:00:00,2025-03-02 10:00:00,paid,MUG-01,1,9.90,0,EUR\n",
        encoding="utf-8",
    )
    assert cli.build(settings) == 1
    err = capsys.readouterr().err
    # one plain line that names the currency, the first day and what to do
    assert "No exchange rate from EUR to CNY (needed from 2025-03-02 on, 1 orders row(s))" in err
    assert "inbox/fx_rates/" in err
    assert "Traceback" not in err and "DagsterDbtCliRuntimeError" not in err
    cause = last_run(settings)["causes"][0]
    assert cause["zh"].startswith("缺少 EUR 兑 CNY 的汇率（2025-03-02 起需要")
    assert not settings.published.exists()  # nothing half-right was published


def test_orders_that_name_no_campaign_leave_attribution_unknown(tmp_path) -> None:
    """An orders export without utm_campaign (most marketplaces', Shopify's): spend and MER
    are known, what each campaign brought is not: NULL, never a silent 0."""
    from tests.conftest import use_home

    settings = use_home(tmp_path / "no_utm")
    fill_inbox(settings, HANDMADE_SHOP)
    for path in settings.inbox_for("orders").glob("*.csv"):
        orders = pl.read_csv(path, infer_schema=False)
        orders.drop("utm_source", "utm_medium", "utm_campaign", strict=False).write_csv(path)
    assert cli.build(settings) == 0
    campaigns = mart(settings, "campaign_roi", "date, campaign_id")
    assert campaigns and all(row["spend"] is not None for row in campaigns)
    for column in ("attributed_orders", "attributed_revenue", "roas", "roi", "new_customers"):
        assert {row[column] for row in campaigns} == {None}, column
    days = mart(settings, "fct_daily_marketing", "date")
    assert {row["attributed_revenue"] for row in days} == {None}
    assert {row["roas"] for row in days} == {None}
    assert any(row["mer"] is not None for row in days)  # the whole shop's return is known


def last_run(settings: Settings) -> dict:
    return json.loads(last_run_path(settings).read_text(encoding="utf-8"))


def compacted(settings: Settings) -> bool:
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        return bool(
            con.execute(
                "select count(*) from duckdb_tables() "
                "where schema_name = 'audit' and table_name = 'compacted_at'"
            ).fetchone()[0]
        )


def test_a_failed_quality_check_blocks_the_marts_and_keeps_the_last_publish(
    tmp_path, capsys
) -> None:
    """A bad row that reached raw.* some other way: the GX check stops the build."""
    from tests.conftest import use_home

    settings = use_home(tmp_path / "blocked")
    fill_inbox(settings, HANDMADE_SHOP)
    assert cli.build(settings) == 0
    assert last_run(settings)["published"] == "updated"
    published = hashlib.sha256(settings.published.read_bytes()).hexdigest()
    run_id = last_run(settings)["run_id"]
    # a rerun with no new files, settings or code: nothing to build, said in a second
    capsys.readouterr()
    assert cli.build(settings) == 0
    assert capsys.readouterr().out.startswith("nothing new: no files in ")
    assert last_run(settings)["run_id"] == run_id  # no run at all
    assert hashlib.sha256(settings.published.read_bytes()).hexdigest() == published
    # FULL=1 builds anyway: the marts come out byte-identical, the file is not even rewritten
    assert not compacted(settings)  # a first build has nothing to merge
    assert cli.build(settings, full=True) == 0
    assert last_run(settings)["published"] == "unchanged"
    assert hashlib.sha256(settings.published.read_bytes()).hexdigest() == published
    assert compacted(settings), "a full rebuild merges the row groups the daily builds left"
    with duckdb.connect(str(settings.warehouse)) as con:
        con.execute(
            "insert into raw.orders (order_id, platform, customer_id, order_ts, status, sku, "
            "quantity, unit_price, discount, currency, _load_id) values ('X1', 'tmall', 'c', "
            "timestamp '2025-03-02 01:00:00', 'paid', 'MUG-01', -5, 59, 0, 'CNY', 1000)"
        )
    assert cli.build(settings) == 1
    err = capsys.readouterr().err
    assert "The data check of the orders data failed (" in err and "quantity" in err
    assert "Traceback" not in err
    # dashboards keep the last good publish, and last_run.json tells them the build failed
    assert hashlib.sha256(settings.published.read_bytes()).hexdigest() == published
    failed = last_run(settings)
    assert failed["status"] == "failure" and failed["published"] is None
    assert failed["failed_steps"]
    gx = next(c for c in failed["checks"] if c["check"] == "gx_raw_orders")
    assert gx["passed"] is False and gx["blocking"] is True
    assert "quantity" in gx["description"]
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        failures = con.execute(
            "select failures from audit.quality_checks where source = 'orders' and not success"
        ).fetchone()[0]
        marts_orders = con.execute("select sum(orders) from marts.fct_daily_kpis").fetchone()[0]
    assert "expect_column_values_to_be_between quantity" in failures
    assert marts_orders == 6  # the marts were not rebuilt with the bad row


def test_the_first_build_of_a_home_does_not_parse_the_dbt_project_in_its_dbt_step(
    built: Settings,
) -> None:
    # the home got dbt's parse before the dbt step (the one kept for its settings, or one
    # made while ingest ran: tests/pipelines/test_dbt_parse_cache.py); the build's dbt only
    # checked for changed files instead of parsing from scratch
    log = built.build_log.read_text(encoding="utf-8")
    assert "dbt build:" in log
    assert "Unable to do partial parsing" not in log, "the build's dbt parsed again"
    assert "dbt parse ahead of the build failed" not in log


def test_the_checks_ran_beside_ingest_in_the_gx_worker(built: Settings) -> None:
    # each source's new rows went to the GX worker as ingest loaded them; every check
    # collected the worker's verdict instead of validating in the build's process
    log = built.build_log.read_text(encoding="utf-8")
    with duckdb.connect(str(built.warehouse), read_only=True) as con:
        checked = con.execute(
            "select source, rows_checked from audit.quality_checks where rows_checked > 0"
        ).fetchall()
    assert {source for source, _ in checked} >= {"orders", "logistics", "ads", "traffic"}
    for source, rows in checked:
        assert f"gx_raw_{source} - {rows} row(s) validated by the GX worker" in log
    assert "validating in this process" not in log
    assert built.data_docs_index.exists()  # written by the worker once the checks were done
    assert not (built.home / "gx" / "uncommitted" / "docs_stale").exists()


def compiled_views(settings: Settings) -> dict[str, str]:
    """The SQL dbt last compiled for each view model of this home, by name."""
    manifest = json.loads((home_target_dir(settings) / "manifest.json").read_text("utf-8"))
    compiled = home_target_dir(settings) / "compiled" / "shopkpi"
    return {
        view["name"]: (compiled / view["original_file_path"]).read_text(encoding="utf-8")
        for view in view_models(manifest)
    }


def test_a_next_day_keeps_the_views_and_still_runs_their_tests(tmp_path) -> None:
    """An incremental build leaves dbt's views as the last build made them
    (dbt_manifest.KEEP_VIEWS): none is in dbt's results, every data test is, and Dagster
    records each view as up to date in this run."""
    from tests.conftest import use_home

    settings = use_home(tmp_path / "next_day")
    fill_inbox(settings, HANDMADE_SHOP)
    assert cli.build(settings) == 0
    made = compiled_views(settings)  # as the first (full) build made them
    next_day = settings.inbox_for("orders") / "tmall_next_day.csv"
    next_day.write_text(
        "order_id,line_id,platform,customer_id,order_ts,paid_ts,status,sku,quantity,"
        "unit_price,discount,refund_amount,currency\n"
        "T2001,T2001-1,tmall,tb_new,2025-03-05 09:58:00,2025-03-05 10:00:00,paid,MUG-01,1,"
        "59.00,0,0,CNY\n",
        encoding="utf-8",
    )
    assert cli.build(settings) == 0
    log = settings.build_log.read_text(encoding="utf-8").split("RUN_START")[-1]
    assert "dbt build: incremental (new rows of orders since the last build)" in log
    # dbt ran with the manifest its waiting process loaded while ingest ran (warm_dbt.py)
    assert "dbt's manifest loaded ahead used" in log
    manifest = json.loads((home_target_dir(settings) / "manifest.json").read_text("utf-8"))
    results = json.loads((home_target_dir(settings) / "run_results.json").read_text("utf-8"))
    ran = {result["unique_id"] for result in results["results"]}
    views = {node["unique_id"] for node in view_models(manifest)}
    data_tests = {uid for uid, node in manifest["nodes"].items() if node["resource_type"] == "test"}
    assert "model.shopkpi.stg_shop__order_lines" in views and not ran & views
    assert data_tests <= ran, sorted(data_tests - ran)  # the views' tests among them
    assert "test.shopkpi.unique_stg_shop__shipments_shipment_id.f5bf9f8504" in ran
    # a kept view is only right if this build would have made the same one: no view may
    # compile to SQL that names its build or what the warehouse held (invocation_id, a
    # value read when compiling)
    dbt = run_home_dbt(
        settings,
        ["compile", "--quiet", "--select", "config.materialized:view"],
        home_target_dir(settings),
    )
    assert dbt.returncode == 0, dbt.stdout[-2000:]
    assert compiled_views(settings) == made
    run_id = last_run(settings)["run_id"]
    with dg.DagsterInstance.from_config(str(settings.dagster_home)) as instance:
        for view in ("staging/stg_shop__order_lines", "marts/dim_customers"):
            event = instance.get_latest_materialization_event(dg.AssetKey(view.split("/")))
            assert event.run_id == run_id, view
            assert "view kept" in event.asset_materialization.metadata["dbt"].value
    # the new order went through the kept views into the marts
    day = mart(settings, "fct_daily_kpis", "platform")
    assert [(r["date"], r["orders"]) for r in day if r["date"] == "2025-03-05"] == [
        ("2025-03-05", 1)
    ]
    # a run of some models from the Dagster UI is dagster-dbt's own selection: a view
    # selected there is built, and its tests run (the plan is still incremental)
    view = dg.AssetKey(["staging", "stg_shop__order_lines"])
    subset = run_build(settings, asset_selection=[view])
    assert subset.success
    assert [event.asset_key for event in subset.get_asset_materialization_events()] == [view]
    results = json.loads((home_target_dir(settings) / "run_results.json").read_text("utf-8"))
    ran = {result["unique_id"] for result in results["results"]}
    assert "model.shopkpi.stg_shop__order_lines" in ran
    assert (
        "test.shopkpi.accepted_values_stg_shop__order_lines_status__pending__paid__shipped__delivered__cancelled__refunded__partially_refunded.fa1798c2af"
        in ran
    )
