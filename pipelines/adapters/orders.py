"""Order exports: Taobao/Tmall, Tmall order report, Douyin 抖店, JD POP, Shopify, Amazon.

Revenue semantics, the same for all (docs/formats.md has the per-platform detail):
- gross = the goods at their listed unit price x quantity; shipping, taxes and platform
  fees are not revenue and are left out;
- discount = what the shop gave off the goods (the gap between the listed goods and what
  the order charges for them); discounts the platform pays for are not the shop's;
- refund = money given back for goods, capped at what the goods sold for (a refund that
  also returns shipping is cut to the goods part), never also netted out of the price:
  net revenue = gross - discount - refund counts every refund once.
Order-level amounts are split over the lines by their value, to the cent.
"""

from __future__ import annotations

import polars as pl

from pipelines.adapters.base import (
    ORDER_LEVEL_SKU,
    PLACEHOLDER_CUSTOMER_PREFIX,
    Adapted,
    Adapter,
    Export,
    Mapping,
    Warning,
    allocate,
    clean_id,
    clean_text,
    col,
    customer_or_placeholder,
    has,
    map_status,
    money,
    number,
    text_of,
    truncated_ids_warning,
    with_source_rows,
)
from pipelines.lib.parse import REASON, ROW
from pipelines.lib.settings import Settings

CANONICAL = [
    "order_id",
    "line_id",
    "platform",
    "shop_id",
    "customer_id",
    "order_ts",
    "paid_ts",
    "status",
    "sku",
    "quantity",
    "unit_price",
    "discount",
    "refund_amount",
    "currency",
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "region",
    "device",
]


def _canonical(frame: pl.DataFrame, **columns: pl.Expr) -> pl.DataFrame:
    """Select the canonical columns (text) from named expressions; the rest are empty."""
    exprs = [pl.col(ROW)]
    for name in CANONICAL:
        expr = columns.get(name, pl.lit(None, pl.String))
        exprs.append(expr.cast(pl.String).alias(name))
    return frame.select(exprs)


def _placeholder_warning(frame: pl.DataFrame) -> list[Warning]:
    masked = frame.filter(pl.col("customer_id").str.starts_with(PLACEHOLDER_CUSTOMER_PREFIX))
    if masked.is_empty():
        return []
    orders = masked["order_id"].n_unique()
    return [
        Warning(
            "placeholder_customer",
            masked.height,
            f"{orders} order(s) have no usable buyer id (masked or absent): each got a "
            f"placeholder customer ({PLACEHOLDER_CUSTOMER_PREFIX}<order id>) that sales KPIs "
            "count and customer KPIs (new customers, cohorts, repurchase, RFM, CAC) leave out",
        )
    ]


def _with_money(
    lines: pl.DataFrame,
    order: str,
    discount_total: pl.Expr | None,
    refund_total: pl.Expr | None,
    refund_weight: pl.Expr | None = None,
) -> pl.DataFrame:
    """Order-level discount and refund split over the lines: discount by gross, refund by
    what each line sold for (or `refund_weight`), refund capped at the goods' value."""
    lines = lines.with_columns((pl.col("_price") * pl.col("_qty")).alias("_gross"))
    if discount_total is not None:
        lines = lines.with_columns(
            allocate(discount_total.clip(lower_bound=0), pl.col("_gross"), order).alias("_discount")
        )
    lines = lines.with_columns((pl.col("_gross") - pl.col("_discount")).alias("_net"))
    if refund_total is not None:
        capped = pl.min_horizontal(
            refund_total.clip(lower_bound=0), pl.col("_net").sum().over(order)
        )
        weight = refund_weight if refund_weight is not None else pl.col("_net")
        lines = lines.with_columns(allocate(capped, weight, order).alias("_refund"))
    return lines


def _refund_status(status: pl.Expr) -> pl.Expr:
    """A paid line with money given back is refunded (all of it) or partially refunded."""
    refunded_all = pl.col("_refund") >= pl.col("_net") - 0.005
    return (
        pl.when((pl.col("_refund") > 0) & status.is_in(["paid", "shipped", "delivered"]))
        .then(
            pl.when(refunded_all).then(pl.lit("refunded")).otherwise(pl.lit("partially_refunded"))
        )
        .otherwise(status)
    )


def _money_columns() -> dict[str, pl.Expr]:
    return {
        "unit_price": text_of(pl.col("_price")),
        "quantity": text_of(pl.col("_qty")),
        "discount": text_of(pl.col("_discount")),
        "refund_amount": text_of(pl.col("_refund")),
    }


def _rejected(frame: pl.DataFrame, reason: str, file_name: str | None = None) -> pl.DataFrame:
    out = frame.select(
        pl.col(ROW),
        pl.lit(reason).alias(REASON),
        pl.struct(pl.all().exclude(ROW)).struct.json_encode().alias("record"),
    )
    return out.with_columns(pl.lit(file_name, pl.String).alias("_file"))


# ---------------------------------------------------------------- Taobao / Tmall seller centre

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
    lines = _with_money(lines, "_oid", pl.col("_discount_total"), pl.col("_order_refund"), weight)

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
    out = _canonical(
        lines,
        order_id=pl.col("_oid"),
        line_id=pl.col("_line_no"),
        platform=pl.lit(settings.alibaba_platform),
        shop_id=clean_id(pl.col("_shop")),
        customer_id=customer_or_placeholder(pl.col("_buyer"), pl.col("_oid")),
        order_ts=pl.col("_created"),
        paid_ts=paid,
        status=_refund_status(line_status),
        sku=pl.coalesce(
            clean_text(col(lines, "商家编码")),
            clean_text(col(lines, "外部系统编号")),
            clean_text(col(lines, "标题")),
        ),
        currency=pl.lit("CNY"),
        region=clean_text(pl.col("_address")).str.split(" ").list.first(),
        **_money_columns(),
    )
    rejected = pl.concat(
        [
            _rejected(
                orphan_items.drop("_oid"),
                f"the order (订单编号) is not in the order list {order_list.file_name}: "
                "export the order list and the order detail for the same period",
            ).with_columns(pl.lit(detail.file_name).alias("_file")),
            _rejected(
                lonely_orders.drop("_oid"),
                f"the order has no item rows in the order detail {detail.file_name}: export "
                "both files for the same period",
                order_list.file_name,
            ),
        ]
    )
    warnings = truncated_ids_warning(orders["_oid"], "order ids in the order list")
    warnings += _placeholder_warning(out)
    notes = ["shipping (买家应付邮费) is not revenue and is left out"]
    return Adapted(out, 0, warnings, notes, rejected if rejected.height else None)


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
    out = _canonical(
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


# ---------------------------------------------------------------- Douyin 抖店

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
    out = _canonical(
        frame,
        order_id=pl.col("_oid"),
        line_id=pl.col("_line"),
        platform=pl.lit("douyin"),
        shop_id=clean_id(col(frame, "店铺id", "店铺ID")),
        customer_id=customer_or_placeholder(clean_text(buyer), pl.col("_oid")),
        order_ts=clean_text(pl.col("订单提交时间")),
        paid_ts=paid,
        status=_refund_status(status),
        sku=pl.coalesce(
            clean_text(clean_id(col(frame, "商家编码"))), clean_text(clean_id(col(frame, "商品id")))
        ),
        currency=pl.lit("CNY"),
        utm_source=clean_text(col(frame, "流量来源")),
        utm_medium=clean_text(col(frame, "流量渠道", "流量类型")),
        utm_campaign=clean_id(col(frame, "广告计划id", "计划id")),
        region=clean_text(col(frame, "省", "收件省")),
        **_money_columns(),
    )
    warnings = _placeholder_warning(out) + truncated_ids_warning(frame["_oid"], "order ids")
    return Adapted(
        out,
        0,
        warnings,
        ["shipping (运费) and platform-funded discounts are not the shop's revenue or discount"],
    )


# ---------------------------------------------------------------- JD POP 京东商家

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
    frame = _with_money(frame, "_oid", items + shipping - order_amount, refund)
    paid = clean_text(col(frame, "付款确认时间", "支付时间"))
    status = map_status(pl.col("订单状态"), JD_STATUS)
    out = _canonical(
        frame,
        order_id=pl.col("_oid"),
        line_id=clean_id(pl.col("商品id")),
        platform=pl.lit("jd"),
        customer_id=customer_or_placeholder(
            clean_text(col(frame, "下单帐号", "下单账号")), pl.col("_oid")
        ),
        order_ts=clean_text(pl.col("下单时间")),
        paid_ts=paid,
        status=_refund_status(status),
        sku=pl.coalesce(clean_id(col(frame, "商家skuid", "商品货号")), clean_id(pl.col("商品id"))),
        currency=pl.lit("CNY"),
        region=clean_text(col(frame, "省", "客户地址")).str.split(" ").list.first(),
        **_money_columns(),
    )
    warnings = _placeholder_warning(out) + truncated_ids_warning(frame["_oid"], "order ids")
    return Adapted(out, 0, warnings, ["订单金额 repeats on every SKU row: used once per order"])


# ---------------------------------------------------------------- Shopify

SHOPIFY_STATUS = {
    "pending": "pending",
    "authorized": "pending",
    "paid": "paid",
    "partially_paid": "paid",
    "partially_refunded": "partially_refunded",
    "refunded": "refunded",
    "voided": "cancelled",
    "expired": "cancelled",
}
# order-level columns Shopify leaves empty on the second and later line-item rows
SHOPIFY_ORDER_COLUMNS = (
    "email",
    "financial status",
    "paid at",
    "fulfillment status",
    "currency",
    "subtotal",
    "shipping",
    "taxes",
    "total",
    "discount amount",
    "created at",
    "cancelled at",
    "refunded amount",
    "id",
    "source",
    "shipping province",
    "billing province",
    "shipping province name",
    "billing province name",
)


def convert_shopify_orders(export: Export, settings: Settings) -> Adapted:
    frame = with_source_rows(export.frame)
    present = [c for c in SHOPIFY_ORDER_COLUMNS if c in frame.columns]
    name = clean_id(pl.col("name"))
    frame = frame.with_columns(name.alias("_oid")).with_columns(
        pl.col(c).forward_fill().over("_oid") for c in present
    )
    frame = frame.with_columns(
        number(pl.col("lineitem price")).alias("_price"),
        number(pl.col("lineitem quantity")).alias("_qty"),
    )
    line_discount = number(col(frame, "lineitem discount")).fill_null(0)
    order_discount = number(col(frame, "discount amount")).fill_null(0)
    weight = (
        pl.when(line_discount.sum().over("_oid") > 0)
        .then(line_discount)
        .otherwise(pl.col("_price") * pl.col("_qty"))
    )
    frame = frame.with_columns(
        allocate(order_discount, weight, "_oid").alias("_discount"),
        pl.int_range(1, pl.len() + 1).over("_oid").alias("_line_no"),
    )
    frame = _with_money(frame, "_oid", None, number(col(frame, "refunded amount")).fill_null(0))
    financial = map_status(col(frame, "financial status"), SHOPIFY_STATUS)
    fulfilled = col(frame, "fulfillment status").str.strip_chars().str.to_lowercase() == "fulfilled"
    status = (
        pl.when(col(frame, "cancelled at").is_not_null() & (financial == "paid"))
        .then(pl.lit("refunded"))
        .when(col(frame, "cancelled at").is_not_null() & (financial == "pending"))
        .then(pl.lit("cancelled"))
        .when((financial == "paid") & fulfilled.fill_null(False))
        .then(pl.lit("shipped"))
        .otherwise(financial)
    )
    status = (
        pl.when(status.is_in(["refunded", "partially_refunded"]))
        .then(status)
        .otherwise(_refund_status(status))
    )
    out = _canonical(
        frame,
        order_id=pl.col("_oid"),
        line_id=pl.col("_line_no"),
        platform=pl.lit("shopify"),
        customer_id=customer_or_placeholder(clean_text(col(frame, "email")), pl.col("_oid")),
        order_ts=pl.col("created at"),
        paid_ts=clean_text(col(frame, "paid at")),
        status=status,
        sku=pl.coalesce(
            clean_text(col(frame, "lineitem sku")), clean_text(col(frame, "lineitem name"))
        ),
        currency=col(frame, "currency"),
        utm_source=clean_text(col(frame, "source")),
        region=clean_text(
            col(
                frame,
                "shipping province name",
                "shipping province",
                "billing province name",
                "billing province",
            )
        ),
        **_money_columns(),
    )
    return Adapted(
        out, 0, _placeholder_warning(out), ["shipping and taxes are not revenue and are left out"]
    )


# ---------------------------------------------------------------- Amazon All Orders

AMAZON_STATUS = {
    "pending": "pending",
    "pending - waiting for pick up": "pending",
    "unshipped": "paid",
    "partiallyshipped": "paid",
    "shipping": "paid",
    "shipped": "shipped",
    "shipped - delivered to buyer": "delivered",
    "shipped - out for delivery": "shipped",
    "shipped - picked up": "shipped",
    "shipped - returned to seller": "refunded",
    "shipped - rejected by buyer": "refunded",
    "shipped - returning to seller": "refunded",
    "cancelled": "cancelled",
    "canceled": "cancelled",
}


def convert_amazon(export: Export, settings: Settings) -> Adapted:
    frame = with_source_rows(export.frame)
    qty = number(pl.col("quantity"))
    line_total = number(pl.col("item-price")).fill_null(0)  # item-price is for the whole line
    frame = frame.with_columns(
        qty.alias("_qty"),
        pl.when(qty > 0).then(line_total / qty).otherwise(line_total).alias("_price"),
        number(col(frame, "item-promotion-discount")).abs().fill_null(0).alias("_discount"),
        pl.lit(0.0).alias("_refund"),
    )
    frame = frame.with_columns(
        ((pl.col("_price") * pl.col("_qty")) - pl.col("_discount")).alias("_net")
    )
    item_status = col(frame, "item-status").str.strip_chars().str.to_lowercase()
    status = (
        pl.when(item_status == "cancelled")
        .then(pl.lit("cancelled"))
        .otherwise(map_status(pl.col("order-status"), AMAZON_STATUS))
    )
    oid = clean_id(pl.col("amazon-order-id"))
    paid = (
        pl.when(status.is_in(["pending", "cancelled"]))
        .then(None)
        .otherwise(pl.col("purchase-date"))
    )
    out = _canonical(
        frame,
        order_id=oid,
        platform=pl.lit("amazon"),
        shop_id=clean_text(col(frame, "sales-channel")),
        customer_id=pl.lit(PLACEHOLDER_CUSTOMER_PREFIX) + oid,
        order_ts=pl.col("purchase-date"),
        paid_ts=paid,
        status=status,
        sku=clean_id(pl.col("sku")),
        # a cancelled line has no price and no currency: the file's currency is meant
        currency=clean_text(col(frame, "currency")).fill_null(
            clean_text(col(frame, "currency")).drop_nulls().mode().first()
        ),
        region=clean_text(col(frame, "ship-state")),
        **_money_columns(),
    )
    return Adapted(
        out,
        0,
        _placeholder_warning(out),
        [
            "item-price is the line's total: unit price = item-price / quantity; paid = "
            "purchase-date for orders that are not pending or cancelled"
        ],
    )


def _m(*rows: tuple[str, str] | tuple[str, str, str]) -> tuple[Mapping, ...]:
    return tuple(Mapping(*row) for row in rows)


TAOBAO_LIST = Adapter(
    name="taobao_order_list",
    statuses=TAOBAO_STATUS,
    title="Taobao/Tmall seller centre order list (订单报表, ExportOrderList)",
    source="orders",
    signature=("订单编号", "买家会员名", "买家应付货款", "总金额", "买家实际支付金额", "订单状态"),
    convert=lambda export, settings: _needs_partner(),
    partner="taobao_order_detail",
    how_to_export="卖家中心 > 已卖出的宝贝 > 批量导出: download both 订单报表 and 宝贝报表 "
    "(order list and order detail) for the same period and drop both",
    revenue_semantics="总金额 = 买家应付货款 (goods after the shop's discounts) + 买家应付邮费; "
    "买家实际支付金额 = 总金额 - 退款金额. gross = Σ 价格 x 购买数量 of the detail rows; "
    "discount = gross - 买家应付货款; refund = 退款金额 capped at 买家应付货款 (the rest is "
    "returned shipping), put on the order's closed (交易关闭) items first; shipping left out",
    mappings=_m(
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


ADAPTERS = (
    TAOBAO_LIST,
    TAOBAO_DETAIL,
    Adapter(
        name="tmall_order_report",
        title="Tmall order report (order level)",
        source="orders",
        signature=("订单编号", "总金额", "买家实际支付金额", "订单创建时间", "退款金额"),
        convert=convert_tmall_report,
        how_to_export="for SKUs and buyers use the seller centre order list + detail instead",
        revenue_semantics=TMALL_REPORT_STATUS_NOTE,
        mappings=_m(
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
        mappings=_m(
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
        mappings=_m(
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
    Adapter(
        name="shopify_orders",
        statuses=SHOPIFY_STATUS,
        title="Shopify orders export",
        source="orders",
        signature=("name", "financial status", "lineitem quantity", "lineitem price", "created at"),
        convert=convert_shopify_orders,
        how_to_export="Shopify admin > Orders > Export > CSV for Excel or plain CSV",
        revenue_semantics="gross = Lineitem price x Lineitem quantity; discount = Discount "
        "Amount (the order's total discount) split by Lineitem discount when given, else by "
        "value; refund = Refunded Amount capped at the goods (the rest was shipping or tax); "
        "Shipping and Taxes left out",
        mappings=_m(
            ("order_id", "Name", "e.g. #1001; continuation rows take the order's columns"),
            ("line_id", "(row order)", "1, 2, ... within the order"),
            ("platform", "(constant)", "shopify"),
            ("customer_id", "Email", "placeholder when empty"),
            ("order_ts", "Created at", "with its UTC offset"),
            ("paid_ts", "Paid at"),
            ("status", "Financial Status, Fulfillment Status, Cancelled at"),
            ("sku", "Lineitem sku", "else Lineitem name"),
            ("quantity", "Lineitem quantity"),
            ("unit_price", "Lineitem price"),
            ("discount", "Discount Amount / Lineitem discount"),
            ("refund_amount", "Refunded Amount"),
            ("currency", "Currency"),
            ("utm_source", "Source"),
            ("region", "Shipping Province Name"),
        ),
    ),
    Adapter(
        name="amazon_all_orders",
        statuses=AMAZON_STATUS,
        title="Amazon All Orders report (flat file, tab-separated)",
        source="orders",
        signature=("amazon-order-id", "purchase-date", "order-status", "sku", "item-price"),
        convert=convert_amazon,
        how_to_export="Seller Central > Reports > Fulfillment > All Orders > Download (.txt)",
        revenue_semantics="item-price is the line total (quantity included): unit price = "
        "item-price / quantity; discount = item-promotion-discount; item-tax, "
        "shipping-price and gift wrap left out; refunds are not in this report (returned "
        "orders come in as refunded)",
        mappings=_m(
            ("order_id", "amazon-order-id"),
            ("platform", "(constant)", "amazon"),
            ("shop_id", "sales-channel"),
            ("customer_id", "(placeholder)", "no buyer in the report"),
            ("order_ts", "purchase-date"),
            ("paid_ts", "purchase-date", "unless pending or cancelled"),
            ("status", "order-status, item-status"),
            ("sku", "sku"),
            ("quantity", "quantity"),
            ("unit_price", "item-price / quantity"),
            ("discount", "item-promotion-discount"),
            ("currency", "currency"),
            ("region", "ship-state"),
        ),
    ),
)
