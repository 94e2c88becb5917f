"""Pinduoduo 拼多多商家后台 order export (订单查询 > 导出, CSV): one row per order.

A Pinduoduo order is one product (one spec) in some quantity, so each row is one line.
Revenue, worked out from the export's own amounts (DECISIONLOG, "Pinduoduo"):
- 用户实付金额 = 商品总价 + 邮费 - 店铺优惠折扣 - 平台优惠折扣 - 多多支付立减金额;
- 商家实收金额 = 商品总价 + 邮费 - 店铺优惠折扣: the platform pays the shop back for its
  own coupons (平台优惠) and the payment discount (多多支付立减), so they are not the
  shop's discount. gross = 商品总价, discount = 店铺优惠折扣, shipping (邮费) left out.
- 售后状态 退款成功 (or 订单状态 …退款成功) refunds the whole line: the export carries no
  refund amount, and Pinduoduo refunds the goods of a one-product order in full; 退款中 and
  售后处理中 are not refunds yet; 无售后或售后取消 is none.
- paid time: 支付时间 when the export has it, else 拼单成功时间, else 订单成交时间 (the time the
  order became a deal, which is after payment); a shipped or received order with none of
  them takes its day from the order number (YYMMDD-…), with a load warning.
"""

from __future__ import annotations

import polars as pl

from pipelines.adapters.base import (
    Adapted,
    Adapter,
    Export,
    Warning,
    clean_id,
    clean_text,
    col,
    customer_or_placeholder,
    map_status,
    money,
    number,
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

PDD_STATUS = {
    "待支付": "pending",
    "待付款": "pending",
    "待成团": "pending",  # a group order not formed yet: paid back if it never forms
    "待发货": "paid",
    "已支付": "paid",
    "未发货": "paid",
    "已发货": "shipped",
    "已发货，待收货": "shipped",
    "已发货，待签收": "shipped",
    "待收货": "shipped",
    "已收货": "delivered",
    "已签收": "delivered",
    "交易成功": "delivered",
    "已完成": "delivered",
    "已取消": "cancelled",
    "交易已取消": "cancelled",
    "已关闭": "cancelled",
    # a refund written into the order status: the refund rule below makes it refunded
    "未发货，退款成功": "paid",
    "已发货，退款成功": "shipped",
    "已收货，退款成功": "delivered",
    "退款成功": "paid",
}
REFUNDED = "退款成功"
AMOUNT_TOLERANCE = 0.01


def convert_pinduoduo(export: Export, settings: Settings) -> Adapted:
    del settings  # Pinduoduo sells in CNY and names its own platform
    frame = with_source_rows(export.frame)
    order_id = clean_id(pl.col("订单号"))
    frame = frame.with_columns(
        order_id.alias("_oid"),
        number(col(frame, "商品数量(件)", "商品数量")).alias("_qty"),
        money(frame, "商品总价").alias("_gross"),
        money(frame, "店铺优惠折扣").fill_null(0).alias("_discount"),
        money(frame, "邮费").fill_null(0).alias("_shipping"),
        money(frame, "商家实收金额").alias("_received"),
    )
    after_sale = clean_text(col(frame, "售后状态")).fill_null("")
    order_status = clean_text(pl.col("订单状态")).fill_null("")
    refunded = after_sale.str.contains(REFUNDED) | order_status.str.contains(REFUNDED)
    explicit_refund = money(frame, "退款金额")
    net = pl.col("_gross") - pl.col("_discount")
    frame = frame.with_columns(
        (pl.col("_gross") / pl.col("_qty")).alias("_price"),
        net.alias("_net"),
        pl.when(refunded)
        .then(pl.coalesce(explicit_refund, net))
        .otherwise(pl.coalesce(explicit_refund, pl.lit(0.0)))
        .clip(lower_bound=0)
        .alias("_refund"),
    )
    frame = frame.with_columns(pl.min_horizontal("_refund", "_net").alias("_refund"))

    status = map_status(pl.col("订单状态"), PDD_STATUS)
    # an unpaid or cancelled order received nothing: its amounts are not checked
    frame = frame.with_columns(
        (~status.is_in(["pending", "cancelled"])).alias("_received_something")
    )
    paid = pl.coalesce(
        clean_text(col(frame, "支付时间")),
        clean_text(col(frame, "拼单成功时间")),
        clean_text(col(frame, "订单成交时间")),
    )
    # 250618-123456789012345: the order's day, for a row whose time columns are empty
    id_day = (
        pl.lit("20")
        + pl.col("_oid")
        .str.extract(r"^(\d{6})-", 1)
        .str.replace(r"(\d{2})(\d{2})(\d{2})", "$1-$2-$3")
        + pl.lit(" 00:00:00")
    )
    beyond_payment = status.is_in(["shipped", "delivered"]) | refunded
    paid_from_id = paid.is_null() & beyond_payment & id_day.is_not_null()
    frame = frame.with_columns(paid_from_id.alias("_paid_from_id"))
    paid = pl.when(pl.col("_paid_from_id")).then(id_day).otherwise(paid)
    ordered = pl.coalesce(clean_text(col(frame, "订单创建时间", "下单时间")), paid, id_day)

    out = canonical_rows(
        frame,
        order_id=pl.col("_oid"),
        platform=pl.lit("pinduoduo"),
        customer_id=customer_or_placeholder(
            clean_text(col(frame, "买家昵称", "用户昵称", "收货人")), pl.col("_oid")
        ),
        order_ts=ordered,
        paid_ts=paid,
        status=refund_status(status),
        sku=pl.coalesce(
            clean_text(clean_id(col(frame, "商家编码-规格维度"))),
            clean_text(clean_id(col(frame, "商家编码-商品维度"))),
            clean_text(clean_id(col(frame, "样式ID", "规格ID"))),
            clean_text(clean_id(col(frame, "商品id", "商品ID"))),
        ),
        currency=pl.lit("CNY"),
        region=clean_text(col(frame, "省", "收货省份")),
        **money_columns(),
    )
    warnings = placeholder_warning(out) + _disagreeing_amounts(frame) + _days_from_ids(frame)
    return Adapted(
        out,
        0,
        warnings,
        ["shipping (邮费) and the platform's own discounts (平台优惠, 多多支付立减) are not the "
         "shop's revenue or discount"],
    )  # fmt: skip


def _disagreeing_amounts(frame: pl.DataFrame) -> list[Warning]:
    """商家实收 should be 商品总价 + 邮费 - 店铺优惠: say so when a row's amounts disagree."""
    expected = pl.col("_gross") + pl.col("_shipping") - pl.col("_discount")
    off = frame.filter(
        pl.col("_received_something")
        & pl.col("_received").is_not_null()
        & ((pl.col("_received") - expected).abs() > AMOUNT_TOLERANCE)
    )
    if off.is_empty():
        return []
    return [
        Warning(
            "amounts_disagree",
            off.height,
            f"{off.height} row(s) where 商家实收金额 is not 商品总价 + 邮费 - 店铺优惠折扣 (e.g. "
            f"order {off['_oid'][0]}): revenue is taken from 商品总价 - 店铺优惠折扣; check the "
            "export's amounts against the back office",
        )
    ]


def _days_from_ids(frame: pl.DataFrame) -> list[Warning]:
    rows = int(frame["_paid_from_id"].sum())
    if not rows:
        return []
    return [
        Warning(
            "paid_day_from_order_id",
            rows,
            f"{rows} shipped or received order(s) have no payment time (订单成交时间 empty): "
            "their day comes from the order number (YYMMDD-…), at 00:00",
        )
    ]


ADAPTERS = (
    Adapter(
        name="pinduoduo_orders",
        statuses=PDD_STATUS,
        title="Pinduoduo 拼多多 order export (商家后台 订单查询 > 导出)",
        source="orders",
        signature=("订单号", "订单状态", "商品总价(元)", "商家实收金额(元)", "商品数量(件)"),
        convert=convert_pinduoduo,
        how_to_export="拼多多商家后台 > 订单 > 订单查询 > 导出 (CSV)",
        revenue_semantics="gross = 商品总价; discount = 店铺优惠折扣 (平台优惠折扣 and "
        "多多支付立减金额 are paid by the platform: 商家实收金额 = 商品总价 + 邮费 - 店铺优惠折扣); "
        "refund = the line's net when 售后状态 (or 订单状态) says 退款成功, or 退款金额 when the "
        "export has it; 退款中 is not a refund yet; 邮费 left out; paid time = 支付时间, else "
        "拼单成功时间, else 订单成交时间",
        mappings=mappings(
            ("order_id", "订单号", 'a TAB or ="…" around it is removed'),
            ("platform", "(constant)", "pinduoduo"),
            ("customer_id", "(placeholder)", "the export names no buyer: one per order"),
            ("order_ts", "订单创建时间", "else the paid time"),
            (
                "paid_ts",
                "支付时间 / 拼单成功时间 / 订单成交时间",
                "else the order number's day for a shipped or received order",
            ),
            ("status", "订单状态 + 售后状态"),
            ("sku", "商家编码-规格维度", "else 商家编码-商品维度, 样式ID, 商品id"),
            ("quantity", "商品数量(件)"),
            ("unit_price", "商品总价(元) / 商品数量(件)"),
            ("discount", "店铺优惠折扣(元)"),
            ("refund_amount", "售后状态", "退款成功: the line's net"),
            ("currency", "(constant)", "CNY"),
            ("region", "省", "if present"),
        ),
    ),
)
