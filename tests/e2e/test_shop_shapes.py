"""Real shops are not the demo: each shape builds with `make pipeline`'s code path, its marts
hold the values computed here by hand, and every page renders in AppTest, saying which
export would unlock what is missing.

Shapes: a Brazilian marketplace shop (orders, shipments and products only; BRL,
America/Sao_Paulo; promised delivery as a bare date; a 3,000-SKU catalogue), a US Shopify
shop with its orders export only (USD, America/Los_Angeles), a Chinese shop with only a
Tmall order report (no SKUs), a shop with only a Google Ads report, and the real Taobao
sample in ../shared/real-samples (orders only, 3,989 real orders).
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from pipelines import cli
from pipelines.lib.settings import REPO_ROOT, Settings
from tests.conftest import build_once, shared_path
from tests.dashboards.test_pages import PAGES, open_page

FIXTURES = REPO_ROOT / "tests" / "fixtures" / "platform_exports"
SAMPLES = REPO_ROOT.parent / "shared" / "real-samples"


def write_marketplace(inbox: Path) -> None:
    """Orders, shipments and products of a marketplace shop in São Paulo (UTC-3 in 2025)."""
    (inbox / "orders" / "pedidos.csv").write_text(
        "order_id,platform,customer_id,order_ts,paid_ts,status,sku,quantity,unit_price,"
        "discount,refund_amount,currency,region\n"
        # paid five minutes before local midnight: 1 March in São Paulo, 2 March in UTC
        "M1,mercadolivre,u1,2025-03-01 23:50:00,2025-03-01 23:55:00,delivered,P0001,2,50.00,"
        "10.00,0,BRL,SP\n"
        "M2,mercadolivre,u2,2025-03-02 00:01:00,2025-03-02 00:05:00,delivered,P0002,1,120.00,"
        "0,0,BRL,RJ\n"
        # a SKU the products export does not list: its cost is unknown
        "M3,mercadolivre,u1,2025-03-02 13:55:00,2025-03-02 14:00:00,shipped,X-NOVO,1,80.00,0,0,"
        "BRL,SP\n"
        "M4,mercadolivre,u3,2025-03-02 14:55:00,2025-03-02 15:00:00,refunded,P0003,1,30.00,0,"
        "30.00,BRL,SP\n"
        "M5,mercadolivre,u4,2025-03-03 10:00:00,,pending,P0001,1,50.00,0,0,BRL,SP\n",
        encoding="utf-8",
    )
    (inbox / "logistics" / "envios.csv").write_text(
        "shipment_id,order_id,carrier,direction,ship_ts,promised_ts,delivered_ts,region,cost,"
        "currency\n"
        # promised by 5 March (a bare date: that whole day), delivered that afternoon: on time
        "S1,M1,Correios,outbound,2025-03-02 09:00:00,2025-03-05,2025-03-05 16:00:00,SP,15.00,BRL\n"
        "S2,M2,Correios,outbound,2025-03-02 10:00:00,2025-03-04,2025-03-06 10:00:00,RJ,20.00,BRL\n"
        "S3,M3,Jadlog,outbound,2025-03-03 08:00:00,2025-03-07,,SP,12.00,BRL\n"
        "S4,M4,Jadlog,outbound,2025-03-02 18:00:00,2025-03-06,2025-03-04 09:00:00,SP,10.00,BRL\n"
        "R4,M4,Jadlog,return,2025-03-08 11:00:00,,,SP,10.00,BRL\n",
        encoding="utf-8",
    )
    costs = {"P0001": "20.00", "P0002": "70.00", "P0003": "12.00"}
    lines = ["sku,product_name,category,unit_cost,currency"]
    lines += [
        f"P{i:04d},Produto {i},{'Casa' if i % 2 else 'Cozinha'},{costs.get(f'P{i:04d}', '10.00')},BRL"
        for i in range(1, 3001)
    ]
    (inbox / "products" / "catalogo.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


def copy_fixture(source: str, name: str) -> Callable[[Path], None]:
    def fill(inbox: Path) -> None:
        shutil.copy(FIXTURES / name, inbox / source / name)

    return fill


def copy_taobao_sample(inbox: Path) -> None:
    for name in ("ExportOrderList201705.csv", "ExportOrderDetailList201705.csv"):
        shutil.copy(SAMPLES / "taobao_2017" / name, inbox / "orders" / name)


@dataclass(frozen=True)
class Shape:
    timezone: str
    currency: str
    fill: Callable[[Path], None]
    sources: frozenset[str]  # the exports the shop sends


SHAPES = {
    "marketplace_brl": Shape(
        "America/Sao_Paulo", "BRL", write_marketplace,
        frozenset({"orders", "logistics", "products"}),
    ),
    "shopify_us_orders_only": Shape(
        "America/Los_Angeles", "USD", copy_fixture("orders", "shopify_orders_export.csv"),
        frozenset({"orders"}),
    ),
    "tmall_order_report_only": Shape(
        "Asia/Shanghai", "CNY", copy_fixture("orders", "tmall_order_report.csv"),
        frozenset({"orders"}),
    ),
    "google_ads_only": Shape(
        "America/Los_Angeles", "USD", copy_fixture("ads", "google_ads_excel_csv.csv"),
        frozenset({"ads"}),
    ),
    "taobao_real_sample": Shape(
        "Asia/Shanghai", "CNY", copy_taobao_sample, frozenset({"orders"})
    ),
}  # fmt: skip


@pytest.fixture(scope="module", params=list(SHAPES))
def shop(request, tmp_path_factory) -> Iterator[tuple[str, Settings]]:
    """Each shop shape built once, the way `make pipeline` builds it."""
    name = request.param
    if name == "taobao_real_sample":
        shared_path("real-samples")
    yield (
        name,
        build_once(f"shape:{name}", lambda: build_shape(name, tmp_path_factory), tmp_path_factory),
    )


def build_shape(name: str, tmp_path_factory) -> Settings:
    shape = SHAPES[name]
    home = tmp_path_factory.mktemp(name)
    # the shop's settings file, as an analyst edits it (written with defaults, then changed)
    Settings.from_env(home).ensure_dirs()
    toml = home / "shopkpi.toml"
    toml.write_text(
        toml.read_text(encoding="utf-8")
        + f'timezone = "{shape.timezone}"\nreporting_currency = "{shape.currency}"\n',
        encoding="utf-8",
    )
    settings = Settings.from_env(home)
    assert (settings.timezone, settings.reporting_currency) == (shape.timezone, shape.currency)
    shape.fill(settings.inbox)
    assert cli.build(settings) == 0, f"{name} did not build"
    return settings


def rows(settings: Settings, sql: str) -> list[dict]:
    with duckdb.connect(str(settings.published), read_only=True) as con:
        cursor = con.execute(sql)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def close(actual: object, expected: object) -> bool:
    if expected is None or actual is None:
        return actual is expected
    if isinstance(expected, float | int | Decimal) and not isinstance(expected, bool):
        return abs(float(actual) - float(expected)) < 1e-4
    return actual == expected


def assert_rows(actual: list[dict], expected: list[dict]) -> None:
    assert len(actual) == len(expected), actual
    for got, want in zip(actual, expected, strict=True):
        for column, value in want.items():
            assert close(got[column], value), (column, got[column], value, got)


# ----------------------------------------------------------------- every shape


def test_every_mart_exists_and_the_missing_exports_are_named(shop) -> None:
    name, settings = shop
    published = rows(settings, "select source, row_count from meta.source_freshness")
    sent = {r["source"] for r in published if r["row_count"]}
    assert sent == SHAPES[name].sources
    tables = {r["table_name"] for r in rows(settings, "select table_name from "
              "information_schema.tables where table_schema = 'marts'")}  # fmt: skip
    assert {"fct_daily_kpis", "campaign_roi", "inventory_turnover", "logistics_performance",
            "sales_forecast", "inventory_risk"} <= tables  # fmt: skip
    shown = {r["setting"]: r["value"] for r in rows(settings, "select * from meta.settings")}
    assert (shown["timezone"], shown["reporting_currency"]) == (
        SHAPES[name].timezone, SHAPES[name].currency,
    )  # fmt: skip
    # the cross-mart consistency rules hold for every shape (dbt tests in every build)
    last = json.loads((settings.published.parent / "last_run.json").read_text("utf-8"))
    rules = [c for c in last["checks"] if c["check"].startswith("assert_")]
    assert len(rules) >= 6, rules
    assert [c["check"] for c in rules if not c["passed"]] == []
    notes = cli.missing_export_notes(settings)
    for source in {"orders", "traffic", "ads", "logistics", "inventory", "products"} - sent:
        assert any(f"inbox/{source}/" in note for note in notes), (source, notes)


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_and_says_what_is_missing(shop, monkeypatch, page) -> None:
    name, settings = shop
    # every shape in Chinese; English once (the demo shop's pages test both languages)
    languages = ("zh", "en") if name == "tmall_order_report_only" else ("zh",)
    for lang in languages:
        app = open_page(settings.home, monkeypatch, page, lang)
        assert not app.error, [e.value for e in app.error]
        texts = " ".join([i.value for i in app.info] + [c.value for c in app.caption])
        missing = {"traffic", "ads", "logistics", "inventory", "products", "orders"} - (
            SHAPES[name].sources
        )
        page_sources = {"overview": {"orders", "traffic", "products", "logistics"},
                        "marketing": {"ads", "orders"}, "customers": {"orders"},
                        "inventory": {"inventory", "orders", "products"},
                        "logistics": {"logistics", "orders"},
                        "forecast": {"orders", "inventory"}}.get(page, set())  # fmt: skip
        for source in sorted(missing & page_sources):
            assert f"inbox/{source}/" in texts, (page, lang, source, texts)
        if page == "inventory" and name == "marketplace_brl":
            # no stock counts: what sold, per SKU, is still shown
            shown = {sku for frame in app.dataframe for sku in frame.value.get("sku", [])}
            assert {"P0001", "P0002", "P0003"} <= shown, shown
        if page == "data_health" and missing - {"fx_rates"}:
            marked = " ".join(m.value for m in app.markdown)
            assert all(f"inbox/{s}/" in marked for s in missing), marked


def test_no_made_up_sku_in_sku_lists(shop) -> None:
    _, settings = shop
    for table, column in (("inventory_turnover", "sku"), ("inventory_risk", "sku")):
        skus = {r["sku"] for r in rows(settings, f"select {column} as sku from marts.{table}")}
        assert "(order level)" not in skus and None not in skus
    series = rows(settings, "select distinct series, series_type from marts.sales_forecast")
    assert not [s for s in series if s["series"] in ("(order level)", "(none)")]


# ----------------------------------------------------------------- hand-computed values


def only(name: str):
    """The test reads one shape's values: run it with that shape's build alone."""
    return pytest.mark.parametrize("shop", [name], indirect=True)


@only("marketplace_brl")
def test_marketplace_brl_by_hand(shop) -> None:
    _, settings = shop
    kpis = rows(settings, 'select * from marts.fct_daily_kpis order by "date"')
    assert_rows(kpis, [
        # M1 paid 23:55 on 1 March in São Paulo (02:55 UTC on the 2nd): a 1 March order
        {"date": dt.date(2025, 3, 1), "platform": "mercadolivre", "orders": 1, "customers": 1,
         "new_customers": 1, "gross_sales": 100, "discounts": 10, "refunds": 0,
         "net_revenue": 90, "aov": 90.0, "sessions": None, "conversion_rate": None,
         "cogs": 40, "cogs_coverage": 1.0, "logistics_cost": 15, "gross_profit": 35},
        # M2 (paid 00:05), M3 (X-NOVO: no unit cost), M4 (refunded: goods came back)
        {"date": dt.date(2025, 3, 2), "platform": "mercadolivre", "orders": 3, "customers": 3,
         "new_customers": 2, "returning_customers": 1, "gross_sales": 230, "discounts": 0, "refunds": 30,
         "net_revenue": 200, "cogs": 70, "net_revenue_with_cost": 120, "cogs_coverage": 0.6,
         "logistics_cost": 52, "gross_profit": 78, "sessions": None},
    ])  # fmt: skip
    logistics = rows(settings, "select * from marts.logistics_performance order by carrier, region")
    assert_rows(logistics, [
        # S2 promised 4 March, delivered the 6th: late; 4 days in transit
        {"month": dt.date(2025, 3, 1), "carrier": "Correios", "region": "RJ", "shipments": 1,
         "shipping_cost": 20, "on_time_rate": 0.0, "avg_delivery_days": 4.0,
         "cost_to_revenue": 20 / 120, "return_rate": 0.0},
        # S1 promised "2025-03-05" and delivered at 16:00 that day: on time
        {"carrier": "Correios", "region": "SP", "shipments": 1, "shipping_cost": 15,
         "on_time_rate": 1.0, "avg_delivery_days": 3 + 7 / 24, "cost_to_revenue": 15 / 90},
        # S3 not delivered yet; S4 early; M4 came back (R4)
        {"carrier": "Jadlog", "region": "SP", "shipments": 2, "shipping_cost": 32,
         "cost_per_order": 16, "on_time_rate": 1.0, "avg_delivery_days": 1 + 15 / 24,
         "return_rate": 0.5, "cost_to_revenue": 32 / 80},
    ])  # fmt: skip
    turnover = rows(settings, "select * from marts.inventory_turnover order by sku")
    assert_rows(turnover, [
        {"sku": "P0001", "units_sold": 2, "cogs": 40, "avg_inventory_value": None,
         "stockout_days": None},
        {"sku": "P0002", "units_sold": 1, "cogs": 70},
        {"sku": "P0003", "units_sold": 1, "cogs": 0},  # refunded: no cost of goods
        {"sku": "X-NOVO", "units_sold": 1, "cogs": None, "category": None},
    ])  # fmt: skip
    assert_rows(rows(settings, "select * from marts.repurchase"), [
        {"cohort_month": dt.date(2025, 3, 1), "new_customers": 3, "repurchased_90d": 1},
    ])  # fmt: skip


@only("shopify_us_orders_only")
def test_shopify_us_orders_only_by_hand(shop) -> None:
    _, settings = shop
    kpis = rows(settings, 'select * from marts.fct_daily_kpis order by "date"')
    assert_rows(kpis, [
        # #1001 paid 23:06 on 31 May in Los Angeles: a 31 May order (1 June in UTC)
        {"date": dt.date(2025, 5, 31), "platform": "shopify", "orders": 1, "customers": 1,
         "new_customers": 1, "gross_sales": 100, "discounts": 10, "refunds": 0,
         "net_revenue": 90, "aov": 90.0, "sessions": None, "conversion_rate": None,
         "buyer_conversion_rate": None, "cogs": None, "logistics_cost": None,
         "gross_profit": None},
        # #1002: 3 x 20.00, 25.00 refunded; #1003 was voided (never counts)
        {"date": dt.date(2025, 6, 1), "orders": 1, "new_customers": 1, "gross_sales": 60,
         "refunds": 25, "net_revenue": 35, "aov": 60.0, "cogs": None, "gross_profit": None},
    ])  # fmt: skip
    marketing = rows(settings, 'select * from marts.fct_daily_marketing order by "date"')
    assert [(r["ad_spend"], r["mer"], float(r["net_revenue"])) for r in marketing] == [
        (None, None, 90.0), (None, None, 35.0),
    ]  # fmt: skip


@only("tmall_order_report_only")
def test_tmall_order_report_only_by_hand(shop) -> None:
    _, settings = shop
    kpis = rows(settings, 'select * from marts.fct_daily_kpis order by "date"')
    assert_rows(kpis, [
        # three paid orders, one never paid; buyers unnamed: placeholders, never new customers
        {"date": dt.date(2020, 2, 21), "platform": "tmall", "orders": 3, "customers": 3,
         "new_customers": 0, "returning_customers": 0, "gross_sales": 328.8, "refunds": 90, "net_revenue": 238.8,
         "aov": 109.6, "cogs": None, "gross_profit": None, "sessions": None},
    ])  # fmt: skip
    assert rows(settings, "select count(*) as n from marts.inventory_turnover") == [{"n": 0}]
    assert rows(settings, "select count(*) as n from marts.dim_customers") == [{"n": 0}]


@only("google_ads_only")
def test_google_ads_only_by_hand(shop) -> None:
    _, settings = shop
    assert rows(settings, "select count(*) as n from marts.fct_daily_kpis") == [{"n": 0}]
    marketing = rows(settings, 'select * from marts.fct_daily_marketing order by "date"')
    assert_rows(marketing, [
        {"date": dt.date(2025, 6, 1), "ad_spend": 1234.5, "net_revenue": None, "mer": None,
         "attributed_revenue": None, "roas": None},
        {"date": dt.date(2025, 6, 2), "ad_spend": 100, "net_revenue": None},
    ])  # fmt: skip
    campaigns = rows(settings, 'select * from marts.campaign_roi order by "date", campaign_id')
    assert_rows(campaigns, [
        {"campaign_id": "GA-3001", "spend": 1234.5, "ctr": 0.05, "cpc": 2.469,
         "attributed_orders": None, "attributed_revenue": None, "roas": None, "roi": None},
        {"campaign_id": "GA-3002", "spend": 0, "ctr": None, "cpc": None},
        {"campaign_id": "GA-3001", "spend": 100, "ctr": 0.05, "cpc": 100 / 45},
    ])  # fmt: skip


@only("taobao_real_sample")
def test_taobao_real_sample_marts_equal_the_file(shop) -> None:
    from tests.pipelines.test_real_samples import money, rows_of

    _, settings = shop
    orders = rows_of(SAMPLES / "taobao_2017" / "ExportOrderList201705.csv")
    items = rows_of(SAMPLES / "taobao_2017" / "ExportOrderDetailList201705.csv")
    paid = [r for r in orders if r["订单付款时间"].strip()]
    goods = sum(money(r["买家应付货款"]) for r in paid)
    refunds = sum(min(money(r["退款金额"]), money(r["买家应付货款"])) for r in paid)
    gross = sum(
        money(r["价格"]) * int(r["购买数量"])
        for r in items
        if r["订单编号"].strip() in {o["订单编号"].strip() for o in paid}
    )
    buyers = {r["买家会员名"].strip() for r in paid if not r["买家会员名"].startswith("##")}
    [total] = rows(
        settings,
        "select sum(orders) as orders, sum(gross_sales) as gross, sum(discounts) as discounts, "
        "sum(refunds) as refunds, sum(net_revenue) as net, sum(new_customers) as new, "
        "max(cogs) as cogs, max(sessions) as sessions from marts.fct_daily_kpis",
    )
    assert total["orders"] == len(paid) == 3989
    assert total["gross"] == gross
    assert total["discounts"] == gross - goods
    assert total["refunds"] == refunds
    assert total["net"] == goods - refunds
    assert total["new"] == len(buyers)
    assert total["cogs"] is None and total["sessions"] is None  # no products, no traffic
