"""Tmall's order report: one row per order, no SKUs (an order-level export)."""

from __future__ import annotations

import polars as pl

from pipelines.adapters.base import (
    ORDER_LEVEL_SKU,
    PLACEHOLDER_CUSTOMER_PREFIX,
    Adapted,
    Adapter,
    Export,
    Warning,
    clean_id,
    clean_text,
    col,
    number,
    text_of,
    truncated_ids_warning,
    with_source_rows,
)
from pipelines.adapters.order_lines import (
    canonical_rows,
    mappings,
)
from pipelines.lib.settings import Settings

TMALL_REPORT_STATUS_NOTE = (
    "总金额 = what the order charged (goods and any shipping, not split); 买家实际支付金额 = "
    "总金额 - 退款金额 (the refund is already netted out of it); gross = 总金额, refund = "
    "退款金额, so net revenue = 买家实际支付金额 and the refund counts once"
)


def convert_tmall_report(export: Export, settings: Settings) -> Adapted:
    frame = with_source_rows(export.frame).with_columns(clean_id(pl.col("订单编号")).alias("_oid"))
    total = number(pl.col("总金额"))
    actually_paid = number(pl.col("买家实际支付金额"))
    refund = number(col(frame, "退款金额")).fill_null(0)
    paid = clean_text(col(frame, "订单付款时间"))
    status = (
        pl.when(paid.is_null())
        .then(pl.lit("pending"))
        .when(refund >= total - 0.005)
        .then(pl.lit("refunded"))
        .when(refund > 0)
        .then(pl.lit("partially_refunded"))
        .otherwise(pl.lit("paid"))
    )
    out = canonical_rows(
        frame,
        order_id=pl.col("_oid"),
        platform=pl.lit("tmall"),
        customer_id=pl.lit(PLACEHOLDER_CUSTOMER_PREFIX) + pl.col("_oid"),
        order_ts=pl.col("订单创建时间"),
        paid_ts=paid,
        status=status,
        sku=pl.lit(ORDER_LEVEL_SKU),
        quantity=pl.lit("1"),
        unit_price=text_of(total),
        discount=pl.lit("0"),
        refund_amount=text_of(pl.min_horizontal(refund, total)),
        currency=pl.lit("CNY"),
        region=clean_text(col(frame, "收货地址")).str.split(" ").list.first(),
    )
    mismatched = frame.filter(
        paid.is_not_null() & ((actually_paid - (total - refund)).abs() > 0.005)
    ).height
    warnings = [
        Warning(
            "order_level",
            frame.height,
            f"an order-level report: each order is one line with SKU '{ORDER_LEVEL_SKU}', so "
            "it has no cost of goods (gross profit counts none) and no SKU in inventory or "
            "forecasts; export the order detail (宝贝明细) for SKUs",
        ),
        Warning(
            "placeholder_customer",
            frame.height,
            "the report names no buyer: each order got a placeholder customer that customer "
            "KPIs leave out",
        ),
    ]
    if mismatched:
        warnings.append(
            Warning(
                "amounts_disagree",
                mismatched,
                f"{mismatched} paid order(s) where 买家实际支付金额 is not 总金额 - 退款金额: "
                "net revenue uses 总金额 - 退款金额",
            )
        )
    warnings += truncated_ids_warning(frame["_oid"], "order ids")
    return Adapted(out, 0, warnings, [TMALL_REPORT_STATUS_NOTE])


ADAPTERS = (
    Adapter(
        name="tmall_order_report",
        title="Tmall order report (order level)",
        source="orders",
        signature=("订单编号", "总金额", "买家实际支付金额", "订单创建时间", "退款金额"),
        convert=convert_tmall_report,
        how_to_export="for SKUs and buyers use the seller centre order list + detail instead",
        revenue_semantics=TMALL_REPORT_STATUS_NOTE,
        mappings=mappings(
            ("order_id", "订单编号"),
            ("platform", "(constant)", "tmall"),
            ("customer_id", "(placeholder)", "the report names no buyer"),
            ("order_ts", "订单创建时间"),
            ("paid_ts", "订单付款时间"),
            (
                "status",
                "(derived)",
                "unpaid: pending; 退款金额 = 总金额: refunded; some: partially_refunded; else paid",
            ),
            ("sku", "(placeholder)", ORDER_LEVEL_SKU),
            ("quantity", "(constant)", "1"),
            ("unit_price", "总金额"),
            ("discount", "(constant)", "0"),
            ("refund_amount", "退款金额"),
            ("currency", "(constant)", "CNY"),
            ("region", "收货地址", "the first part"),
        ),
    ),
)
