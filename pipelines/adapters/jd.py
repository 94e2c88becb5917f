"""JD POP 京东商家 order export."""

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
    with_money,
)
from pipelines.lib.settings import Settings

JD_STATUS = {
    "等待付款": "pending",
    "等待出库": "paid",
    "等待发货": "paid",
    "暂停": "paid",
    "等待确认收货": "shipped",
    "已发货": "shipped",
    "完成": "delivered",
    "已完成": "delivered",
    "已取消": "cancelled",
    "取消": "cancelled",
    "(删除)锁定": "cancelled",
    "锁定": "cancelled",
    "退款成功": "refunded",
}


def convert_jd(export: Export, settings: Settings) -> Adapted:
    frame = with_source_rows(export.frame).with_columns(
        clean_id(pl.col("订单号")).alias("_oid"),
        number(pl.col("京东价")).alias("_price"),
        number(pl.col("订购数量")).alias("_qty"),
    )
    # 订单金额 (and 运费金额, 退款金额) repeat on every SKU row of an order: taken once
    order_amount = number(pl.col("订单金额")).first().over("_oid")
    shipping = number(col(frame, "运费金额", "运费")).fill_null(0).first().over("_oid")
    items = (pl.col("_price") * pl.col("_qty")).sum().over("_oid")
    refund = number(col(frame, "退款金额")).fill_null(0).first().over("_oid")
    frame = with_money(frame, "_oid", items + shipping - order_amount, refund)
    paid = clean_text(col(frame, "付款确认时间", "支付时间"))
    status = map_status(pl.col("订单状态"), JD_STATUS)
    out = canonical_rows(
        frame,
        order_id=pl.col("_oid"),
        line_id=clean_id(pl.col("商品id")),
        platform=pl.lit("jd"),
        customer_id=customer_or_placeholder(
            clean_text(col(frame, "下单帐号", "下单账号")), pl.col("_oid")
        ),
        order_ts=clean_text(pl.col("下单时间")),
        paid_ts=paid,
        status=refund_status(status),
        sku=pl.coalesce(clean_id(col(frame, "商家skuid", "商品货号")), clean_id(pl.col("商品id"))),
        currency=pl.lit("CNY"),
        region=clean_text(col(frame, "省", "客户地址")).str.split(" ").list.first(),
        **money_columns(),
    )
    warnings = placeholder_warning(out) + truncated_ids_warning(frame["_oid"], "order ids")
    return Adapted(out, 0, warnings, ["订单金额 repeats on every SKU row: used once per order"])


ADAPTERS = (
    Adapter(
        name="jd_pop_orders",
        statuses=JD_STATUS,
        title="JD POP order export (京东商家后台 订单导出)",
        source="orders",
        signature=("订单号", "商品id", "订购数量", "京东价", "订单金额", "订单状态"),
        convert=convert_jd,
        how_to_export="京东商家后台 > 订单管理 > 订单查询 > 导出",
        revenue_semantics="one row per SKU; 订单金额 (what the order charges, shipping "
        "included) repeats on every row and is used once: discount = Σ 京东价 x 订购数量 + "
        "运费金额 - 订单金额, split by value; refund = 退款金额 once per order",
        mappings=mappings(
            ("order_id", "订单号"),
            ("line_id", "商品ID"),
            ("platform", "(constant)", "jd"),
            ("customer_id", "下单帐号", "placeholder when masked"),
            ("order_ts", "下单时间"),
            ("paid_ts", "付款确认时间"),
            ("status", "订单状态"),
            ("sku", "商家SKUID", "else 商品货号, else 商品ID"),
            ("quantity", "订购数量"),
            ("unit_price", "京东价"),
            ("discount", "(derived)", "see revenue"),
            ("refund_amount", "退款金额"),
            ("currency", "(constant)", "CNY"),
        ),
    ),
)
