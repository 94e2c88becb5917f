"""Amazon Seller Central's All Orders report."""

from __future__ import annotations

import polars as pl

from pipelines.adapters.base import (
    PLACEHOLDER_CUSTOMER_PREFIX,
    Adapted,
    Adapter,
    Export,
    clean_id,
    clean_text,
    col,
    map_status,
    number,
    with_source_rows,
)
from pipelines.adapters.order_lines import (
    canonical_rows,
    mappings,
    money_columns,
    placeholder_warning,
)
from pipelines.lib.settings import Settings

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
    out = canonical_rows(
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
        **money_columns(),
    )
    return Adapted(
        out,
        0,
        placeholder_warning(out),
        [
            "item-price is the line's total: unit price = item-price / quantity; paid = "
            "purchase-date for orders that are not pending or cancelled"
        ],
    )


ADAPTERS = (
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
        mappings=mappings(
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
