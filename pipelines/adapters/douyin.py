"""Douyin 抖店 order export."""

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
    has,
    map_status,
    money,
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
)
from pipelines.lib.settings import Settings

DOUYIN_STATUS = {
    "待支付": "pending",
    "待付款": "pending",
    "已支付": "paid",
    "待发货": "paid",
    "备货中": "paid",
    "部分发货": "paid",
    "已发货": "shipped",
    "待收货": "shipped",
    "已签收": "delivered",
    "已完成": "delivered",
    "交易成功": "delivered",
    "已关闭": "cancelled",
    "已取消": "cancelled",
    "交易关闭": "cancelled",
}
DOUYIN_REFUNDED = ("退款成功", "售后完成", "退货退款成功", "已退款")


def convert_douyin(export: Export, settings: Settings) -> Adapted:
    frame = with_source_rows(export.frame)
    frame = frame.with_columns(
        clean_id(pl.col("主订单编号")).alias("_oid"),
        clean_id(pl.col("子订单编号")).alias("_line"),
        money(frame, "商品单价").alias("_price"),
        number(pl.col("商品数量")).alias("_qty"),
    )
    shop_discount = (
        money(frame, "商家优惠")
        if has(frame, "商家优惠", "商家优惠(分)", "商家优惠（分）")
        else (money(frame, "优惠总金额").fill_null(0) - money(frame, "平台优惠").fill_null(0))
    )
    frame = frame.with_columns(shop_discount.fill_null(0).alias("_discount"))
    paid = clean_text(col(frame, "支付完成时间", "支付时间"))
    after_sale = clean_text(col(frame, "售后状态")).fill_null("")
    line_refund = money(frame, "退款金额")
    gross = pl.col("_price") * pl.col("_qty")
    refund = pl.coalesce(
        line_refund, pl.when(after_sale.is_in(DOUYIN_REFUNDED)).then(gross - pl.col("_discount"))
    ).fill_null(0)
    frame = frame.with_columns(
        (gross - pl.col("_discount")).alias("_net"),
        pl.min_horizontal(refund, gross - pl.col("_discount")).clip(lower_bound=0).alias("_refund"),
    )
    status = map_status(pl.col("订单状态"), DOUYIN_STATUS)
    status = (
        pl.when((status == "cancelled") & paid.is_not_null() & (pl.col("_refund") > 0))
        .then(
            pl.lit("delivered")  # closed after paying = refunded: _refund_status makes it so
        )
        .otherwise(status)
    )
    buyer = col(frame, "买家昵称", "用户昵称", "收件人")
    out = canonical_rows(
        frame,
        order_id=pl.col("_oid"),
        line_id=pl.col("_line"),
        platform=pl.lit("douyin"),
        shop_id=clean_id(col(frame, "店铺id", "店铺ID")),
        customer_id=customer_or_placeholder(clean_text(buyer), pl.col("_oid")),
        order_ts=clean_text(pl.col("订单提交时间")),
        paid_ts=paid,
        status=refund_status(status),
        sku=pl.coalesce(
            clean_text(clean_id(col(frame, "商家编码"))), clean_text(clean_id(col(frame, "商品id")))
        ),
        currency=pl.lit("CNY"),
        utm_source=clean_text(col(frame, "流量来源")),
        utm_medium=clean_text(col(frame, "流量渠道", "流量类型")),
        utm_campaign=clean_id(col(frame, "广告计划id", "计划id")),
        region=clean_text(col(frame, "省", "收件省")),
        **money_columns(),
    )
    warnings = placeholder_warning(out) + truncated_ids_warning(frame["_oid"], "order ids")
    return Adapted(
        out,
        0,
        warnings,
        ["shipping (运费) and platform-funded discounts are not the shop's revenue or discount"],
    )


ADAPTERS = (
    Adapter(
        name="douyin_orders",
        statuses=DOUYIN_STATUS,
        title="Douyin 抖店 order export (订单管理 > 批量导出)",
        source="orders",
        signature=("主订单编号", "子订单编号", "商品数量", "订单状态", "订单提交时间"),
        convert=convert_douyin,
        how_to_export="抖店 > 订单 > 订单管理 > 批量导出",
        revenue_semantics="gross = 商品单价 x 商品数量; discount = 商家优惠 (else 优惠总金额 - "
        "平台优惠: the platform pays its own coupons to the shop); refund = 退款金额, or the "
        "line's net when 售后状态 is 退款成功; 运费 left out; amounts in 分 when the header says (分)",
        mappings=mappings(
            ("order_id", "主订单编号", "the TAB Douyin puts before ids is removed"),
            ("line_id", "子订单编号"),
            ("platform", "(constant)", "douyin"),
            ("customer_id", "买家昵称 / 收件人", "##密文 or *** masked: placeholder"),
            ("order_ts", "订单提交时间"),
            ("paid_ts", "支付完成时间"),
            ("status", "订单状态 + 售后状态"),
            ("sku", "商家编码", "else 商品ID"),
            ("quantity", "商品数量"),
            ("unit_price", "商品单价"),
            ("discount", "商家优惠"),
            ("refund_amount", "退款金额 / 售后状态"),
            ("currency", "(constant)", "CNY"),
            ("utm_source", "流量来源"),
            ("utm_medium", "流量渠道"),
            ("utm_campaign", "广告计划ID", "if present"),
            ("region", "省"),
        ),
    ),
)
