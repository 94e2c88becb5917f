"""The hand-made shop (data/samples/handmade_shop) through `make pipeline`'s code path.

Every expected number below was computed by hand from the sample files; the comments
show the arithmetic. Rates: USD 7.2 on Fri 2025-02-28 (also used Sat and Sun), 7.1 from
Mon 2025-03-03. Unit costs: MUG-01 ¥20, TEA-01 ¥15.
"""

import duckdb
import polars as pl
import pytest

from pipelines import cli
from pipelines.lib.settings import Settings
from tests.conftest import HANDMADE_SHOP, fill_inbox

EXPECTED = [
    # tmall 03-01: T1001 (2×59 + 45, discount 8) and T1002 (59, paid 00:10 local = 16:10 UTC
    # the day before, fully refunded: no cogs); T1004 never paid.
    # sessions 100+50, visitors 80+40; shipping SH1 8 + SH2 6 + return RT1 6.
    dict(date="2025-03-01", platform="tmall", orders=2, customers=2, new_customers=2,
         gross_sales=222.0, discounts=8.0, refunds=59.0, net_revenue=155.0,
         aov=107.0, revenue_per_buyer=107.0, sessions=150, conversion_rate=2 / 150,
         visitors=120, buyer_conversion_rate=2 / 120, cogs=55.0, logistics_cost=20.0,
         gross_profit=80.0),
    # tmall 03-02: T1003 (2×45, discount 5, refund 20) is tb_a's second order; T1005 paid
    # then cancelled, T1006 pending: not counted. Zero sessions: ratios are NULL.
    dict(date="2025-03-02", platform="tmall", orders=1, customers=1, new_customers=0,
         gross_sales=90.0, discounts=5.0, refunds=20.0, net_revenue=65.0,
         aov=85.0, revenue_per_buyer=85.0, sessions=0, conversion_rate=None,
         visitors=0, buyer_conversion_rate=None, cogs=30.0, logistics_cost=7.0,
         gross_profit=28.0),
    # shopify #1001 paid Fri 18:00 -08:00 = Sat 10:00 Shanghai: 12.99×7.2 = 93.528,
    # discount 1×7.2; shipped Sat 20:00Z = Sun 04:00 Shanghai, 5 USD × 7.2 = 36.
    dict(date="2025-03-01", platform="shopify", orders=1, customers=1, new_customers=1,
         gross_sales=93.528, discounts=7.2, refunds=0.0, net_revenue=86.328,
         aov=86.328, revenue_per_buyer=86.328, sessions=40, conversion_rate=1 / 40,
         visitors=30, buyer_conversion_rate=1 / 30, cogs=20.0, logistics_cost=36.0,
         gross_profit=30.328),
    # #1003 paid Sun 07:00 -08:00 = Sun 23:00 Shanghai, 2×12.99×7.2; customer 9001 again.
    dict(date="2025-03-02", platform="shopify", orders=1, customers=1, new_customers=0,
         gross_sales=187.056, discounts=0.0, refunds=0.0, net_revenue=187.056,
         aov=187.056, revenue_per_buyer=187.056, sessions=60, conversion_rate=1 / 60,
         visitors=50, buyer_conversion_rate=1 / 50, cogs=40.0, logistics_cost=0.0,
         gross_profit=147.056),
    # #1002 paid Sun 08:30 -08:00 = Mon 00:30 Shanghai: 3×9.99×7.1 = 212.787; shipped
    # Mon 18:00Z = Tue 02:00 Shanghai, 4 USD at Monday's 7.1 = 28.4.
    dict(date="2025-03-03", platform="shopify", orders=1, customers=1, new_customers=1,
         gross_sales=212.787, discounts=0.0, refunds=0.0, net_revenue=212.787,
         aov=212.787, revenue_per_buyer=212.787, sessions=30, conversion_rate=1 / 30,
         visitors=25, buyer_conversion_rate=1 / 25, cogs=45.0, logistics_cost=28.4,
         gross_profit=139.387),
]  # fmt: skip


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Settings:
    from tests.conftest import use_home

    settings = use_home(tmp_path_factory.mktemp("handmade"))
    fill_inbox(settings, HANDMADE_SHOP)
    assert cli.build(settings) == 0  # what `make pipeline` runs
    return settings


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
