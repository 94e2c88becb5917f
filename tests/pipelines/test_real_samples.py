"""The real exports in ../shared/real-samples load with reconciled counts and totals.

Every expected figure is computed here from the files with the csv module, sharing no
code with the adapters. Skipped where `shared/` does not sit beside the checkout (CI has
it).
"""

from __future__ import annotations

import csv
import io
import shutil
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from pipelines.ingest import ingest_source
from pipelines.lib.settings import REPO_ROOT, Settings
from pipelines.lib.warehouse import connect, ensure_schemas
from tests.conftest import shared_path

SAMPLES = REPO_ROOT.parent / "shared" / "real-samples"


@pytest.fixture(autouse=True)
def _samples_are_here() -> None:
    shared_path("real-samples")


def rows_of(path: Path, encoding: str = "utf-8-sig", skip: int = 0) -> list[dict]:
    text = path.read_bytes().decode(encoding)
    lines = io.StringIO(text)
    for _ in range(skip):
        lines.readline()
    return [{k.strip(): v for k, v in row.items()} for row in csv.DictReader(lines)]


def money(text: str) -> Decimal:
    return Decimal(text.replace(",", "").strip() or "0")


def ingest(home: Settings, source: str, *files: str):
    for name in files:
        shutil.copy(SAMPLES / name, home.inbox_for(source) / Path(name).name)
    with connect(home.warehouse) as con:
        ensure_schemas(con)
        summary = ingest_source(con, home, source)
    return {f.file_name: f for f in summary.files}


def one(home: Settings, sql: str) -> tuple:
    with duckdb.connect(str(home.warehouse), read_only=True) as con:
        return con.execute(sql).fetchone()


def test_taobao_order_list_and_detail(home: Settings) -> None:
    orders = rows_of(SAMPLES / "taobao_2017/ExportOrderList201705.csv")
    items = rows_of(SAMPLES / "taobao_2017/ExportOrderDetailList201705.csv")
    goods = sum(money(r["买家应付货款"]) for r in orders)
    gross = sum(money(r["价格"]) * int(r["购买数量"]) for r in items)
    # the refund counts once, capped at the goods (the rest returned shipping)
    refunds = sum(min(money(r["退款金额"]), money(r["买家应付货款"])) for r in orders)
    paid = sum(money(r["买家实际支付金额"]) for r in orders)
    shipping = sum(money(r["买家应付邮费"]) for r in orders)
    assert paid == sum(money(r["总金额"]) - money(r["退款金额"]) for r in orders)

    outcomes = ingest(
        home, "orders", "taobao_2017/ExportOrderList201705.csv",
        "taobao_2017/ExportOrderDetailList201705.csv",
    )  # fmt: skip
    order_list = outcomes["ExportOrderList201705.csv"]
    detail = outcomes["ExportOrderDetailList201705.csv"]
    assert (order_list.rows_read, order_list.rows_loaded) == (len(orders), len(orders))
    assert (detail.rows_read, detail.rows_loaded, detail.rows_quarantined) == (
        len(items),
        len(items),
        0,
    )
    lines, distinct, got_gross, got_discount, got_refund, net = one(
        home,
        "select count(*), count(distinct order_id), sum(quantity * unit_price), sum(discount), "
        "sum(refund_amount), sum(quantity * unit_price - discount - refund_amount) from raw.orders",
    )
    assert (lines, distinct) == (len(items), len({r["订单编号"].strip() for r in orders}))
    assert got_gross == gross
    assert got_discount == gross - goods
    assert got_refund == refunds
    assert net == goods - refunds
    # net revenue is what buyers paid less the shipping they paid and kept paying
    assert net == paid - shipping + (sum(money(r["退款金额"]) for r in orders) - refunds)
    [(rows,)] = [one(home, "select rows from audit.load_warnings where kind = 'truncated_ids'")]
    assert rows == len(orders)  # every id is 15 digits + zeros: Excel cut them all


@pytest.mark.parametrize(
    "name", ["google_ads/campaign_report_utf8_EUR.csv", "google_ads/campaign_report_utf8_INR.csv"]
)
def test_google_ads_period_reports(home: Settings, name: str) -> None:
    report = rows_of(SAMPLES / name, skip=2)
    campaigns = [r for r in report if not r["Campaign status"].startswith("Total:")]
    totals = len(report) - len(campaigns)
    outcome = ingest(home, "ads", name)[Path(name).name]
    assert (outcome.rows_read, outcome.rows_loaded, outcome.rows_skipped) == (
        len(report), len(campaigns), totals,
    )  # fmt: skip
    period_line = (SAMPLES / name).read_text(encoding="utf-8").splitlines()[1]
    import datetime as dt

    start, end = (dt.datetime.strptime(d.strip(), "%B %d, %Y").date()
                  for d in period_line.strip('"').split(" - "))  # fmt: skip
    days = (end - start).days + 1
    rows, spend, impressions, first, last = one(
        home, "select count(*), sum(spend), sum(impressions), min(date), max(date) from raw.ads"
    )
    assert rows == len(campaigns) * days
    assert (first, last) == (start, end)
    assert spend == sum(money(r["Cost"]) for r in campaigns)
    assert impressions == sum(int(money(r["Impr."])) for r in campaigns)


def test_shopify_products(home: Settings) -> None:
    rows = rows_of(SAMPLES / "shopify/products_export_1.csv")
    images_only = [r for r in rows if not r["Variant SKU"] and not r["Variant Price"]]
    usable = [r for r in rows if r["Variant SKU"] and r["Cost per item"]]
    outcome = ingest(home, "products", "shopify/products_export_1.csv")["products_export_1.csv"]
    assert outcome.rows_read == len(rows)
    assert outcome.rows_skipped == len(images_only)
    assert (
        outcome.rows_read == outcome.rows_loaded + outcome.rows_quarantined + outcome.rows_skipped
    )
    # the last row of a SKU wins within a file (earlier ones are quarantined as duplicates)
    last_cost = {r["Variant SKU"]: money(r["Cost per item"]) for r in usable}
    count, cost = one(home, "select count(*), sum(unit_cost) from raw.products")
    assert count == len(last_cost)
    assert cost == sum(last_cost.values())


def test_shopify_inventory(home: Settings) -> None:
    rows = rows_of(SAMPLES / "shopify/inventory_export_1.csv")
    not_stocked = [r for r in rows if r["On hand (current)"] == "not stocked"]
    stocked = [r for r in rows if r["On hand (current)"] != "not stocked"]
    # quarantined: no SKU, or negative stock (Shopify lets a shop oversell below zero)
    valid = [r for r in stocked if r["SKU"] and int(r["On hand (current)"]) >= 0]
    outcome = ingest(home, "inventory", "shopify/inventory_export_1.csv")["inventory_export_1.csv"]
    assert (outcome.rows_read, outcome.rows_skipped) == (len(rows), len(not_stocked))
    assert (
        outcome.rows_read == outcome.rows_loaded + outcome.rows_quarantined + outcome.rows_skipped
    )
    last = {(r["SKU"], r["Location"]): int(r["On hand (current)"]) for r in valid}
    count, on_hand = one(home, "select count(*), sum(on_hand_qty) from raw.inventory")
    assert (count, on_hand) == (len(last), sum(last.values()))
    assert outcome.rows_quarantined == len(stocked) - len(last)


def test_taobao_item_list_is_rejected_naming_what_it_lacks(home: Settings) -> None:
    outcome = ingest(home, "products", "taobao_2017/items_attribute_gbk.csv")[
        "items_attribute_gbk.csv"
    ]
    assert outcome.status == "rejected"
    assert "宝贝ID, 标题, 价格" in outcome.message  # read as GBK: the names are right
    assert "Closest:" in outcome.message
