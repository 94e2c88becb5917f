"""Taobao/Tmall seller centre: the order list (订单报表) and order detail (宝贝报表), loaded
as a pair."""

from __future__ import annotations

import polars as pl

from pipelines.adapters.base import (
    Adapted,
    Adapter,
    Export,
    clean_id,
    clean_text,
    col,
    customer_or_placeholder,
    map_status,
    number,
    truncated_ids_warning,
    with_source_rows,
)
from pipelines.adapters.order_lines import (
    canonical_rows,
    mappings,
    money_columns,
    placeholder_warning,
    refund_status,
    rejected_rows,
    with_money,
)
from pipelines.lib.settings import Settings

TAOBAO_STATUS = {
    "等待买家付款": "pending",
    "买家已付款，等待卖家发货": "paid",
    "卖家部分发货": "paid",
    "卖家已发货，等待买家确认": "shipped",
    "交易成功": "delivered",
    "退款成功": "refunded",
    "交易关闭": "cancelled",  # refunded instead when it had been paid (below)
}


def convert_taobao_pair(order_list: Export, detail: Export, settings: Settings) -> Adapted:
    """Order list (one row per order: buyer, times, amounts) joined on 订单编号 with the
    order detail (one row per item: sku, price, quantity)."""
    orders = with_source_rows(order_list.frame)
    items = with_source_rows(detail.frame)
    orders = orders.with_columns(clean_id(pl.col("订单编号")).alias("_oid"))
    items = items.with_columns(clean_id(pl.col("订单编号")).alias("_oid"))
    joined_ids = set(items["_oid"].drop_nulls().to_list())
    lonely_orders = orders.filter(~pl.col("_oid").is_in(list(joined_ids)))
    known = orders.filter(pl.col("_oid").is_in(list(joined_ids))).unique("_oid", keep="last")
    orphan_items = items.filter(~pl.col("_oid").is_in(known["_oid"].to_list()))
    items = items.filter(pl.col("_oid").is_in(known["_oid"].to_list()))

    lines = items.join(
        known.select(
            "_oid",
            pl.col("买家会员名").alias("_buyer"),
            pl.col("订单创建时间").alias("_created"),
            pl.col("订单付款时间").alias("_paid"),
            pl.col("订单状态").alias("_order_status"),
            number(col(known, "买家应付货款")).alias("_goods"),
            number(col(known, "退款金额")).fill_null(0).alias("_order_refund"),
            col(known, "店铺id").alias("_shop"),
            col(known, "收货地址").alias("_address"),
        ),
        on="_oid",
        how="left",
    ).with_columns(
        number(pl.col("价格")).alias("_price"),
        number(pl.col("购买数量")).alias("_qty"),
        (pl.col("订单状态").str.strip_chars() == "交易关闭").alias("_line_closed"),
        pl.int_range(1, pl.len() + 1).over("_oid").alias("_line_no"),
    )
    # a line closed inside a paid order is a refunded item: the refund goes there first
    gross = pl.col("_price") * pl.col("_qty")
    closed_value = (gross * pl.col("_line_closed")).sum().over("_oid")
    weight = (
        pl.when((closed_value > 0) & (pl.col("_order_refund") <= closed_value + 0.005))
        .then(gross * pl.col("_line_closed"))
        .otherwise(gross)
    )
    lines = lines.with_columns(
        (gross.sum().over("_oid") - pl.col("_goods")).alias("_discount_total")
    )
    lines = with_money(lines, "_oid", pl.col("_discount_total"), pl.col("_order_refund"), weight)

    paid = clean_text(pl.col("_paid"))
    order_status = map_status(pl.col("_order_status"), TAOBAO_STATUS)
    order_status = (
        pl.when((order_status == "cancelled") & paid.is_not_null())
        .then(pl.lit("refunded"))
        .otherwise(order_status)
    )
    line_status = (
        pl.when(pl.col("_line_closed") & paid.is_not_null())
        .then(pl.lit("refunded"))
        .otherwise(order_status)
    )
    out = canonical_rows(
        lines,
        order_id=pl.col("_oid"),
        line_id=pl.col("_line_no"),
        platform=pl.lit(settings.alibaba_platform),
        shop_id=clean_id(pl.col("_shop")),
        customer_id=customer_or_placeholder(pl.col("_buyer"), pl.col("_oid")),
        order_ts=pl.col("_created"),
        paid_ts=paid,
        status=refund_status(line_status),
        sku=pl.coalesce(
            clean_text(col(lines, "商家编码")),
            clean_text(col(lines, "外部系统编号")),
            clean_text(col(lines, "标题")),
        ),
        currency=pl.lit("CNY"),
        region=clean_text(pl.col("_address")).str.split(" ").list.first(),
        **money_columns(),
    )
    rejected = pl.concat(
        [
            rejected_rows(
                orphan_items.drop("_oid"),
                f"the order (订单编号) is not in the order list {order_list.file_name}: "
                "export the order list and the order detail for the same period",
            ).with_columns(pl.lit(detail.file_name).alias("_file")),
            rejected_rows(
                lonely_orders.drop("_oid"),
                f"the order has no item rows in the order detail {detail.file_name}: export "
                "both files for the same period",
                order_list.file_name,
            ),
        ]
    )
    warnings = truncated_ids_warning(orders["_oid"], "order ids in the order list")
    warnings += placeholder_warning(out)
    notes = ["shipping (买家应付邮费) is not revenue and is left out"]
    return Adapted(
        out, 0, warnings, notes, rejected if rejected.height else None, rows_file=detail.file_name
    )


TAOBAO_LIST = Adapter(
    name="taobao_order_list",
    statuses=TAOBAO_STATUS,
    title="Taobao/Tmall seller centre order list (订单报表, ExportOrderList)",
    source="orders",
    signature=("订单编号", "买家会员名", "买家应付货款", "总金额", "买家实际支付金额", "订单状态"),
    convert=lambda export, settings: _needs_partner(),
    partner="taobao_order_detail",
    convert_pair=convert_taobao_pair,
    how_to_export="卖家中心 > 已卖出的宝贝 > 批量导出: download both 订单报表 and 宝贝报表 "
    "(order list and order detail) for the same period and drop both",
    revenue_semantics="总金额 = 买家应付货款 (goods after the shop's discounts) + 买家应付邮费; "
    "买家实际支付金额 = 总金额 - 退款金额. gross = Σ 价格 x 购买数量 of the detail rows; "
    "discount = gross - 买家应付货款; refund = 退款金额 capped at 买家应付货款 (the rest is "
    "returned shipping), put on the order's closed (交易关闭) items first; shipping left out",
    mappings=mappings(
        ("order_id", "订单编号", "trailing spaces removed; Excel-truncated ids flagged"),
        ("line_id", "(detail row order)", "1, 2, ... within the order"),
        ("platform", "(setting)", "SHOPKPI_ALIBABA_PLATFORM, default tmall"),
        ("shop_id", "店铺Id"),
        ("customer_id", "买家会员名", "placeholder when masked"),
        ("order_ts", "订单创建时间"),
        ("paid_ts", "订单付款时间"),
        (
            "status",
            "订单状态 (list), 订单状态 (detail)",
            "a closed item in a paid order is refunded",
        ),
        ("sku", "商家编码 (detail)", "else 外部系统编号, else 标题"),
        ("quantity", "购买数量 (detail)"),
        ("unit_price", "价格 (detail)"),
        ("discount", "Σ 价格 x 购买数量 - 买家应付货款", "split over the items by value"),
        ("refund_amount", "退款金额", "split over the items"),
        ("currency", "(constant)", "CNY"),
        ("region", "收货地址", "the first part (province)"),
    ),
)
TAOBAO_DETAIL = Adapter(
    name="taobao_order_detail",
    title="Taobao/Tmall seller centre order detail (宝贝报表, ExportOrderDetailList)",
    source="orders",
    signature=("订单编号", "标题", "价格", "购买数量", "商品属性"),
    convert=lambda export, settings: _needs_partner(),
    partner="taobao_order_list",
    how_to_export=TAOBAO_LIST.how_to_export,
)


def _needs_partner():  # pragma: no cover - ingest pairs these two before converting
    raise RuntimeError("the Taobao order list and detail are converted as a pair")


ADAPTERS = (TAOBAO_LIST, TAOBAO_DETAIL)
