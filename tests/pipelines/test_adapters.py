"""Platform adapters: each fixture (tests/fixtures/platform_exports, written in the
platform's exact format) loads as the canonical rows stated here by hand."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from pipelines import adapters
from pipelines.ingest import IngestSummary, ingest_source
from pipelines.lib.settings import Settings
from pipelines.lib.warehouse import connect, ensure_schemas

FIXTURES = Path(__file__).parents[1] / "fixtures" / "platform_exports"
METADATA = ("_load_id", "_file_name", "_loaded_at", "_row_number")


def load(home: Settings, source: str, *names: str, into: str | None = None) -> IngestSummary:
    folder = home.inbox if into == "inbox" else home.inbox_for(source)
    for name in names:
        shutil.copy(FIXTURES / name, folder / name)
    with connect(home.warehouse) as con:
        ensure_schemas(con)
        return ingest_source(con, home, source)


def query(home: Settings, sql: str, params: list | None = None) -> list[dict]:
    with duckdb.connect(str(home.warehouse), read_only=True) as con:
        cursor = con.execute(sql, params or [])
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def raw(home: Settings, source: str, order_by: str) -> list[dict]:
    rows = query(home, f"select * from raw.{source} order by {order_by}")
    return [{k: v for k, v in row.items() if k not in METADATA} for row in rows]


def outcome(summary: IngestSummary, name: str):
    return next(f for f in summary.files if f.file_name == name)


def test_every_fixture_is_identified_as_its_own_format() -> None:
    from pipelines.lib.readers import read_export

    expected = {
        "ExportOrderList202505.csv": "taobao_order_list",
        "ExportOrderDetailList202505.csv": "taobao_order_detail",
        "tmall_order_report.csv": "tmall_order_report",
        "douyin_orders.csv": "douyin_orders",
        "jd_pop_orders.csv": "jd_pop_orders",
        "pinduoduo_orders.csv": "pinduoduo_orders",
        "shopify_orders_export.csv": "shopify_orders",
        "amazon_all_orders.txt": "amazon_all_orders",
        "google_ads_excel_csv.csv": "google_ads_campaigns",
        "meta_ads_daily.csv": "meta_ads",
        "amazon_ads_search_terms.csv": "amazon_ads_sponsored_products",
        "amazon_ads_campaign_summary.csv": "amazon_ads_sponsored_products",
        "meta_ads_period.csv": "meta_ads",
        "qianchuan_daily.csv": "qianchuan",
        "ga4_traffic.csv": "ga4_traffic",
        "sycm_traffic.csv": "sycm_traffic",
        "shopify_products_export.csv": "shopify_products",
        "shopify_inventory_export.csv": "shopify_inventory",
    }
    for name, adapter in expected.items():
        read = read_export(FIXTURES / name, adapters.looks_like_header)
        found = adapters.identify(read.frame.columns)
        assert found is not None and found.adapter is not None, name
        assert found.adapter.name == adapter, name
    assert adapters.identify(
        read_export(FIXTURES / "taobao_as_canonical.csv").frame.columns
    ) == adapters.Identified("orders", None)


def test_taobao_pair_loads_the_same_rows_as_the_canonical_file(home: Settings, tmp_path) -> None:
    summary = load(home, "orders", "ExportOrderList202505.csv", "ExportOrderDetailList202505.csv")
    assert [(f.file_name, f.status, f.rows_read, f.rows_loaded) for f in summary.files] == [
        ("ExportOrderList202505.csv", "loaded", 4, 4),
        ("ExportOrderDetailList202505.csv", "loaded", 6, 6),
    ]
    from_pair = raw(home, "orders", "order_id, line_id")
    canonical_home = Settings(home=tmp_path / "canonical")
    canonical_home.ensure_dirs()
    load(canonical_home, "orders", "taobao_as_canonical.csv")
    assert from_pair == raw(canonical_home, "orders", "order_id, line_id")
    # the figures the canonical file states, checked once more against the export:
    # T1 charged 37.00 for 40.00 of goods (+5.00 shipping, not revenue)
    t1 = [r for r in from_pair if r["order_id"] == "3021000000000001"]
    assert sum(r["quantity"] * r["unit_price"] - r["discount"] for r in t1) == Decimal("37")
    # T2's 9.50 refund sits on its closed item, and 买家实际支付金额 = 29.50 - 9.50
    t2 = {r["sku"]: r for r in from_pair if r["order_id"] == "3021000000000002"}
    assert (t2["BUB-1"]["status"], t2["BUB-1"]["refund_amount"]) == ("refunded", Decimal("9.5"))
    assert t2["GUN-1"]["status"] == "delivered"


def test_a_pair_file_waits_for_its_partner_then_loads(home: Settings) -> None:
    summary = load(home, "orders", "ExportOrderDetailList202505.csv")
    [waiting] = summary.files
    assert waiting.status == "waiting"
    assert "order list" in waiting.message
    assert (home.inbox_for("orders") / "ExportOrderDetailList202505.csv").exists()
    assert query(home, "select count(*) as n from raw.orders") == [{"n": 0}]
    again = load(home, "orders")  # a second run records the wait once, not twice
    assert [f.status for f in again.files] == ["waiting"]
    waits = query(home, "select count(*) as n from audit.file_loads where status = 'waiting'")
    assert waits == [{"n": 1}]
    summary = load(home, "orders", "ExportOrderList202505.csv")
    assert sorted(f.status for f in summary.files) == ["loaded", "loaded"]
    assert query(home, "select count(*) as n from raw.orders") == [{"n": 6}]


def test_tmall_order_report_refund_counts_once(home: Settings) -> None:
    summary = load(home, "orders", "tmall_order_report.csv")
    assert outcome(summary, "tmall_order_report.csv").status == "loaded"
    rows = raw(home, "orders", "order_id")
    assert [(r["order_id"], r["status"], r["unit_price"], r["refund_amount"]) for r in rows] == [
        ("900001", "paid", Decimal("178.8"), Decimal("0")),
        ("900002", "partially_refunded", Decimal("100"), Decimal("40")),
        ("900003", "refunded", Decimal("50"), Decimal("50")),
        ("900004", "pending", Decimal("80"), Decimal("0")),
    ]
    # net revenue of the paid orders = Σ 买家实际支付金额 (178.8 + 60 + 0): refund once
    paid = [r for r in rows if r["paid_ts"] is not None]
    assert sum(r["unit_price"] - r["refund_amount"] for r in paid) == Decimal("238.8")
    assert {r["sku"] for r in rows} == {adapters.base.ORDER_LEVEL_SKU}
    assert all(r["customer_id"] == f"anonymous:{r['order_id']}" for r in rows)
    kinds = {w["kind"] for w in query(home, "select kind from audit.load_warnings")}
    assert kinds == {"order_level", "placeholder_customer"}


def test_douyin_ids_masked_buyers_and_refunds(home: Settings) -> None:
    load(home, "orders", "douyin_orders.csv")
    rows = raw(home, "orders", "order_id")
    first, refunded, unpaid = rows
    assert first["order_id"] == "6920000000000000001"  # the TAB inside the quotes is gone
    assert first["line_id"] == "6920000000000000011"
    assert first["customer_id"] == "anonymous:6920000000000000001"  # ##密文 buyer
    # 优惠总金额 12.00 = 平台优惠 5.00 (the platform pays) + 商家优惠 7.00 (the shop's)
    assert (first["quantity"], first["unit_price"], first["discount"]) == (
        2, Decimal("49.9"), Decimal("7"),
    )  # fmt: skip
    assert (refunded["status"], refunded["refund_amount"]) == ("refunded", Decimal("49.9"))
    assert (unpaid["status"], unpaid["paid_ts"], unpaid["sku"]) == ("pending", None, "3589")
    assert unpaid["region"] is None  # `-` is no value


def test_pinduoduo_platform_discounts_refunds_and_paid_days(home: Settings) -> None:
    import datetime as dt

    summary = load(home, "orders", "pinduoduo_orders.csv")
    assert [(f.status, f.rows_read, f.rows_loaded) for f in summary.files] == [("loaded", 5, 5)]
    rows = {r["order_id"][-1]: r for r in raw(home, "orders", "order_id")}
    canonical = [
        (r["platform"], r["customer_id"], r["status"], r["sku"], r["quantity"],
         r["unit_price"], r["discount"], r["refund_amount"], r["paid_ts"])
        for r in rows.values()
    ]  # fmt: skip
    assert canonical == [
        # 平台优惠 3.00 and 多多支付立减 1.00 are the platform's: the shop's discount is 5.00
        ("pinduoduo", "anonymous:250618-100000000000001", "delivered", "TEA-RED-250", 2,
         Decimal("29.9"), Decimal("5"), Decimal("0"), dt.datetime(2025, 6, 18, 12, 15)),
        # 未发货，退款成功: the whole line back; no spec code, so the product code
        ("pinduoduo", "anonymous:250618-100000000000002", "refunded", "TEA", 1,
         Decimal("29.9"), Decimal("0"), Decimal("29.9"), dt.datetime(2025, 6, 18, 13, 0)),
        # no 成交时间: paid on the order number's day (00:00 Shanghai); 退款中 is no refund yet
        ("pinduoduo", "anonymous:250619-100000000000003", "shipped", "TEA-GRN-100", 3,
         Decimal("29.9"), Decimal("10"), Decimal("0"), dt.datetime(2025, 6, 18, 16, 0)),
        ("pinduoduo", "anonymous:250619-100000000000004", "cancelled", "TEA-GRN-100", 1,
         Decimal("29.9"), Decimal("0"), Decimal("0"), None),
        ("pinduoduo", "anonymous:250620-100000000000005", "delivered", "CUP-W", 1,
         Decimal("19.9"), Decimal("0"), Decimal("0"), dt.datetime(2025, 6, 20, 0, 30)),
    ]  # fmt: skip
    assert rows["4"]["order_ts"] == dt.datetime(2025, 6, 18, 16, 0)  # cancelled: the id's day
    # the shop's net revenue of valid orders: 54.80 + 0 + 79.70 + 19.90 (shipping left out)
    valid = [r for r in rows.values() if r["status"] != "cancelled"]
    net = sum(r["quantity"] * r["unit_price"] - r["discount"] - r["refund_amount"] for r in valid)
    assert net == Decimal("154.4")
    warnings = {w["kind"]: w["rows"] for w in query(home, "select * from audit.load_warnings")}
    assert warnings == {
        "placeholder_customer": 5, "amounts_disagree": 1, "paid_day_from_order_id": 1
    }  # fmt: skip


def test_jd_order_amount_repeated_per_row_is_used_once(home: Settings) -> None:
    load(home, "orders", "jd_pop_orders.csv")
    rows = raw(home, "orders", "order_id, line_id")
    order = [r for r in rows if r["order_id"] == "280001"]
    # 299 + 45 of goods + 6 shipping - 订单金额 330 = 20 of discount, split 299:45
    assert [r["discount"] for r in order] == [Decimal("17.38"), Decimal("2.62")]
    assert sum(r["quantity"] * r["unit_price"] - r["discount"] for r in order) == Decimal("324")
    second = next(r for r in rows if r["order_id"] == "280002")
    assert (second["status"], second["customer_id"]) == ("paid", "anonymous:280002")


def test_shopify_orders_continuation_rows_take_the_order_columns(home: Settings) -> None:
    load(home, "orders", "shopify_orders_export.csv")
    rows = raw(home, "orders", "order_id, line_id")
    first, second, partial, voided = rows
    assert second["customer_id"] == "ann@example.com"  # from the order's first row
    assert second["currency"] == "USD" and second["status"] == "shipped"
    assert [first["discount"], second["discount"]] == [Decimal("5"), Decimal("5")]
    assert str(first["order_ts"]) == "2025-06-01 06:06:00"  # -0700 kept, stored in UTC
    assert (partial["status"], partial["refund_amount"]) == ("partially_refunded", Decimal("25"))
    assert (voided["status"], voided["customer_id"]) == ("cancelled", "anonymous:#1003")


def test_amazon_item_price_is_the_line_total(home: Settings) -> None:
    summary = load(home, "orders", "amazon_all_orders.txt")
    assert outcome(summary, "amazon_all_orders.txt").status == "loaded"
    shipped, cancelled = raw(home, "orders", "order_id")
    assert (shipped["quantity"], shipped["unit_price"], shipped["discount"]) == (
        2, Decimal("19.99"), Decimal("4"),
    )  # fmt: skip
    assert shipped["paid_ts"] is not None and shipped["status"] == "shipped"
    assert (cancelled["status"], cancelled["paid_ts"], cancelled["currency"]) == (
        "cancelled", None, "USD",
    )  # fmt: skip


def test_google_ads_excel_csv_utf16_with_title_and_totals(home: Settings) -> None:
    summary = load(home, "ads", "google_ads_excel_csv.csv")
    result = outcome(summary, "google_ads_excel_csv.csv")
    assert (result.status, result.rows_read, result.rows_loaded, result.rows_skipped) == (
        "loaded", 4, 3, 1,
    )  # fmt: skip
    rows = raw(home, "ads", "date, campaign_id")
    assert [(str(r["date"]), r["campaign_id"], r["spend"], r["impressions"]) for r in rows] == [
        ("2025-06-01", "GA-3001", Decimal("1234.5"), 10000),
        ("2025-06-01", "GA-3002", Decimal("0"), 0),
        ("2025-06-02", "GA-3001", Decimal("100"), 900),
    ]
    assert rows[1]["conversions"] is None  # ` --`


def test_meta_ads_currency_from_the_column_name_and_a_period_spread(home: Settings) -> None:
    load(home, "ads", "meta_ads_daily.csv")
    rows = raw(home, "ads", "date")
    assert [(r["currency"], r["spend"], r["clicks"]) for r in rows] == [
        ("USD", Decimal("80.25"), 310),
        ("USD", Decimal("70"), 250),
    ]
    load(home, "ads", "meta_ads_period.csv")
    spread = [r for r in raw(home, "ads", "date") if r["currency"] == "EUR"]
    assert [(str(r["date"]), r["spend"], r["impressions"], r["clicks"]) for r in spread] == [
        ("2025-06-01", Decimal("33.34"), 334, 4),
        ("2025-06-02", Decimal("33.33"), 333, 3),
        ("2025-06-03", Decimal("33.33"), 333, 3),
    ]
    assert {r["currency"] for r in spread} == {"EUR"}
    [warning] = query(home, "select kind, rows from audit.load_warnings")
    assert warning == {"kind": "period_report", "rows": 1}


def test_amazon_ads_search_terms_add_up_to_campaign_days(home: Settings) -> None:
    summary = load(home, "ads", "amazon_ads_search_terms.csv")
    found = outcome(summary, "amazon_ads_search_terms.csv")
    assert (found.status, found.rows_read, found.rows_loaded) == ("loaded", 5, 3)
    rows = raw(home, "ads", "date, campaign_id")
    # W_Auto 09-01: two search terms, 16.12 + 1.88 spend, 1,204 + 300 impressions,
    # 31 + 4 clicks, 41 + 0 orders, 1,234.50 + 0 sales; the name is the id
    assert [
        (str(r["date"]), r["ad_platform"], r["campaign_id"], r["currency"], r["spend"],
         r["impressions"], r["clicks"], r["conversions"], r["conversion_value"])
        for r in rows
    ] == [
        ("2026-09-01", "amazon_ads", "SP - Manual Exact", "USD", Decimal("10.8"), 950, 12,
         Decimal("2"), Decimal("59.98")),
        ("2026-09-01", "amazon_ads", "W_Auto", "USD", Decimal("18"), 1504, 35, Decimal("41"),
         Decimal("1234.5")),
        ("2026-09-02", "amazon_ads", "W_Auto", "USD", Decimal("12.5"), 1100, 25, Decimal("10"),
         Decimal("299.9")),
    ]  # fmt: skip
    assert {r["campaign_name"] for r in rows} == {"W_Auto", "SP - Manual Exact"}


def test_amazon_ads_summary_report_is_spread_over_its_days(home: Settings) -> None:
    load(home, "ads", "amazon_ads_campaign_summary.csv")
    rows = raw(home, "ads", "date")
    assert [(str(r["date"]), r["currency"], r["spend"], r["clicks"], r["conversion_value"])
            for r in rows] == [
        ("2026-09-01", "EUR", Decimal("30"), 10, Decimal("150")),
        ("2026-09-02", "EUR", Decimal("30"), 10, Decimal("150")),
        ("2026-09-03", "EUR", Decimal("30"), 10, Decimal("150")),
    ]  # fmt: skip
    [warning] = query(home, "select kind, rows from audit.load_warnings")
    assert warning == {"kind": "period_report", "rows": 1}


def test_qianchuan_totals_row_skipped(home: Settings) -> None:
    load(home, "ads", "qianchuan_daily.csv")
    rows = raw(home, "ads", "date")
    assert [(r["ad_platform"], r["spend"], r["conversion_value"]) for r in rows] == [
        ("ocean_engine", Decimal("5000"), Decimal("18000")),
        ("ocean_engine", Decimal("3000"), Decimal("9000")),
    ]


def test_ga4_comment_preamble_and_totals_row(home: Settings) -> None:
    summary = load(home, "traffic", "ga4_traffic.csv")
    assert outcome(summary, "ga4_traffic.csv").rows_skipped == 1
    rows = raw(home, "traffic", "date")
    assert [(str(r["date"]), r["channel"], r["device"], r["sessions"], r["orders"]) for r in rows] == [
        ("2025-06-01", "Organic Search", "desktop", 1000, 18),
        ("2025-06-02", "Paid Search", "mobile", 800, 12),
    ]  # fmt: skip


def test_sycm_visitors_thousands_and_orders(home: Settings) -> None:
    load(home, "traffic", "sycm_traffic.csv")
    rows = raw(home, "traffic", "channel")
    assert [(r["channel"], r["visitors"], r["sessions"], r["orders"]) for r in rows] == [
        ("手淘搜索", 12000, 12000, 320),
        ("直通车", 5000, 5000, 110),
    ]
    assert {r["platform"] for r in rows} == {"tmall"}


def test_shopify_products_and_inventory(home: Settings) -> None:
    summary = load(home, "products", "shopify_products_export.csv")
    result = outcome(summary, "shopify_products_export.csv")
    # 4 rows: two variants, one image-only row (skipped), a teapot without Cost per item
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined, result.rows_skipped) == (
        4, 2, 1, 1,
    )  # fmt: skip
    products = raw(home, "products", "sku")
    assert [(p["sku"], p["product_name"], p["category"], p["unit_cost"]) for p in products] == [
        ("MUG-W", "White Mug - 11 oz", "Mugs", Decimal("8.5")),
        ("MUG-W15", "White Mug - 15 oz", "Mugs", Decimal("9.75")),
    ]
    summary = load(home, "inventory", "shopify_inventory_export.csv")
    assert outcome(summary, "shopify_inventory_export.csv").rows_skipped == 1  # not stocked
    stock = raw(home, "inventory", "sku")
    assert [(s["sku"], s["warehouse"], s["on_hand_qty"]) for s in stock] == [
        ("MUG-W", "Main Warehouse", 42),
        ("POT-1", "Main Warehouse", 7),
    ]


def test_an_unknown_file_names_the_closest_format_and_missing_columns(home: Settings) -> None:
    summary = load(home, "orders", "unknown_export.csv")
    [rejected] = summary.files
    assert rejected.status == "rejected"
    assert "not a format shopkpi knows (columns: 单号, 金额, 日期)" in rejected.message
    assert "Closest:" in rejected.message and "also needs the column" in rejected.message
    reason = home.quarantine / "orders" / "unknown_export.csv.reason.txt"
    assert "docs/formats.md" in reason.read_text(encoding="utf-8")


def test_a_platform_file_in_the_wrong_folder_names_the_right_one(home: Settings) -> None:
    summary = load(home, "orders", "google_ads_excel_csv.csv")
    [rejected] = summary.files
    assert rejected.message == (
        "it looks like a ads file (Google Ads campaign report (CSV or Excel CSV download)): "
        "put it in inbox/ads/"
    )


def test_files_dropped_into_the_inbox_itself_go_to_their_source(home: Settings) -> None:
    for name in ("qianchuan_daily.csv", "sycm_traffic.csv", "unknown_export.csv"):
        shutil.copy(FIXTURES / name, home.inbox / name)
    with connect(home.warehouse) as con:
        ensure_schemas(con)
        by_source = {s: ingest_source(con, home, s) for s in ("orders", "traffic", "ads")}
    assert [f.status for f in by_source["ads"].files] == ["loaded"]
    assert [f.status for f in by_source["traffic"].files] == ["loaded"]
    [unknown] = by_source["orders"].files
    assert unknown.status == "rejected" and "not recognised" in unknown.message
    assert list(home.inbox.glob("*.csv")) == []
    assert (home.quarantine / "inbox" / "unknown_export.csv").exists()


def test_excel_truncated_ids_are_flagged() -> None:
    import polars as pl

    from pipelines.adapters.base import excel_truncated

    cut = pl.Series(["21407300627014900", "24270488269081200", "1234567890123450", "33"])
    assert excel_truncated(cut) == 3
    # a real 16-digit id ends in 0 one time in ten: not enough to flag the file
    fine = pl.Series([f"30210000000000{i:02d}" for i in range(1, 21)])
    assert excel_truncated(fine) == 0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('"March 27, 2026 - April 23, 2026"', ("2026-03-27", "2026-04-23")),
        ("# Start date: 20250601\n# End date: 20250630", ("2025-06-01", "2025-06-30")),
        ("统计日期：2025-6-1 ~ 2025-6-30", ("2025-06-01", "2025-06-30")),
        ("June 3, 2025", ("2025-06-03", "2025-06-03")),
    ],
)
def test_report_periods_read_from_title_lines(text: str, expected: tuple[str, str]) -> None:
    from pipelines.adapters.base import day_range

    assert day_range(text.splitlines()) == expected


def test_allocation_adds_up_to_the_cent() -> None:
    import polars as pl

    from pipelines.adapters.base import allocate

    frame = pl.DataFrame({"order": ["a", "a", "a", "b"], "w": [1.0, 1.0, 1.0, 5.0]})
    shares = frame.with_columns(allocate(pl.lit(10.0), pl.col("w"), "order").alias("s"))["s"]
    assert shares.to_list() == [3.34, 3.33, 3.33, 10.0]


def test_docs_formats_md_is_written_from_the_adapters() -> None:
    from pipelines.adapters.docs import FORMATS_MD, render

    assert FORMATS_MD.read_text(encoding="utf-8") == render(), (
        "docs/formats.md is out of date: run python -m pipelines.adapters.docs"
    )
    for adapter in adapters.ADAPTERS:
        assert f"### {adapter.title}" in render()


def test_a_workbook_with_title_rows_above_the_header(home: Settings) -> None:
    import xlsxwriter

    path = home.inbox_for("traffic") / "生意参谋_店铺来源.xlsx"
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet()
    sheet.write(0, 0, "生意参谋 · 流量 · 店铺来源")
    sheet.write(1, 0, "统计日期：2025-06-18 ~ 2025-06-18")
    for column, name in enumerate(["统计日期", "流量来源", "访客数", "浏览量"]):
        sheet.write(3, column, name)
    sheet.write_row(4, 0, ["2025-06-18", "手淘搜索", 12000, 30000])
    workbook.close()
    with connect(home.warehouse) as con:
        ensure_schemas(con)
        [result] = ingest_source(con, home, "traffic").files
    assert (result.status, result.adapter, result.rows_loaded) == ("loaded", "sycm_traffic", 1)
    [row] = raw(home, "traffic", "date")
    assert (str(row["date"]), row["channel"], row["visitors"], row["page_views"]) == (
        "2025-06-18", "手淘搜索", 12000, 30000,
    )  # fmt: skip


def test_pair_rows_without_a_partner_row_are_quarantined_in_their_own_file(home: Settings) -> None:
    folder = home.inbox_for("orders")
    order_list = (FIXTURES / "ExportOrderList202505.csv").read_text(encoding="utf-8-sig")
    detail = (FIXTURES / "ExportOrderDetailList202505.csv").read_text(encoding="utf-8-sig")
    extra_order = order_list.splitlines()[1].replace("3021000000000001", "3021000000000009")
    extra_item = detail.splitlines()[1].replace("3021000000000001", "3021000000000008")
    (folder / "ExportOrderList202506.csv").write_text(order_list + extra_order + "\r\n")
    (folder / "ExportOrderDetailList202506.csv").write_text(detail + extra_item + "\r\n")
    with connect(home.warehouse) as con:
        ensure_schemas(con)
        summary = ingest_source(con, home, "orders")
    by_name = {f.file_name: f for f in summary.files}
    listed = by_name["ExportOrderList202506.csv"]
    items = by_name["ExportOrderDetailList202506.csv"]
    assert (listed.status, listed.rows_read, listed.rows_loaded, listed.rows_quarantined) == (
        "partial", 5, 4, 1,
    )  # fmt: skip
    assert (items.status, items.rows_read, items.rows_loaded, items.rows_quarantined) == (
        "partial", 7, 6, 1,
    )  # fmt: skip
    quarantined = query(
        home, "select file_name, row_number, reason from audit.quarantine order by file_name"
    )
    assert [(q["file_name"], q["row_number"]) for q in quarantined] == [
        ("ExportOrderDetailList202506.csv", 7),
        ("ExportOrderList202506.csv", 5),
    ]
    assert "not in the order list" in quarantined[0]["reason"]
    assert "no item rows in the order detail" in quarantined[1]["reason"]
