"""Shopify: the order export (Orders > Export), the product export and the inventory export."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import polars as pl

from pipelines.adapters.base import (
    Adapted,
    Adapter,
    Export,
    Mapping,
    allocate,
    clean_id,
    clean_text,
    col,
    customer_or_placeholder,
    map_status,
    number,
    text_of,
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
from pipelines.lib.parse import ROW
from pipelines.lib.settings import Settings

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
    frame = with_money(frame, "_oid", None, number(col(frame, "refunded amount")).fill_null(0))
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
        .otherwise(refund_status(status))
    )
    out = canonical_rows(
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
        **money_columns(),
    )
    return Adapted(
        out, 0, placeholder_warning(out), ["shipping and taxes are not revenue and are left out"]
    )


def convert_shopify_products(export: Export, settings: Settings) -> Adapted:
    frame = with_source_rows(export.frame)
    # a product's first row carries Title, Type, ...; its variant and image rows only Handle
    product_columns = [
        c for c in ("title", "product category", "type", "vendor") if c in frame.columns
    ]
    frame = frame.with_columns(pl.col(c).forward_fill().over("handle") for c in product_columns)
    image_only = col(frame, "variant sku").is_null() & col(frame, "variant price").is_null()
    skipped = frame.filter(image_only).height
    frame = frame.filter(~image_only)
    option = clean_text(col(frame, "option1 value"))
    title = clean_text(col(frame, "title"))
    name = (
        pl.when(option.is_null() | (option == "Default Title"))
        .then(title)
        .otherwise(title + pl.lit(" - ") + option)
    )
    category = pl.coalesce(
        clean_text(col(frame, "product category")).str.split(" > ").list.last(),
        clean_text(col(frame, "type")),
        pl.lit("(uncategorised)"),
    )
    out = frame.select(
        ROW,
        clean_text(col(frame, "variant sku")).alias("sku"),
        name.alias("product_name"),
        category.alias("category"),
        text_of(number(col(frame, "cost per item"))).alias("unit_cost"),
        text_of(number(col(frame, "variant price"))).alias("list_price"),
        pl.lit(settings.shopify_currency).alias("currency"),
        pl.lit(None, pl.String).alias("launch_date"),
    )
    notes = [f"{skipped} image-only row(s) skipped"] if skipped else []
    return Adapted(out, skipped, [], notes)


def convert_shopify_inventory(export: Export, settings: Settings) -> Adapted:
    frame = with_source_rows(export.frame)
    on_hand = col(frame, "on hand (current)", "on hand", "available (not editable)", "available")
    not_stocked = on_hand.str.strip_chars().str.to_lowercase() == "not stocked"
    skipped = frame.filter(not_stocked.fill_null(False)).height
    frame = frame.filter(~not_stocked.fill_null(False))
    # the export is the stock at download time: its day is the file's day in the shop's zone
    modified = export.modified.astimezone(ZoneInfo(settings.timezone)) if export.modified else None
    day = modified.date().isoformat() if modified else None
    out = frame.select(
        ROW,
        pl.lit(day, pl.String).alias("snapshot_date"),
        clean_text(col(frame, "sku")).alias("sku"),
        clean_text(col(frame, "location")).alias("warehouse"),
        text_of(number(on_hand)).alias("on_hand_qty"),
        pl.lit(None, pl.String).alias("unit_cost"),
    )
    notes = [f"{skipped} row(s) 'not stocked' at their location skipped"] if skipped else []
    return Adapted(out, skipped, [], notes)


ADAPTERS = (
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
        mappings=mappings(
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
        name="shopify_products",
        title="Shopify products export",
        source="products",
        signature=("handle", "title", "variant sku", "variant price"),
        convert=convert_shopify_products,
        how_to_export="Shopify admin > Products > Export > All products > CSV",
        mappings=(
            Mapping("sku", "Variant SKU", "a variant without SKU is quarantined"),
            Mapping(
                "product_name",
                "Title (+ ' - ' Option1 Value)",
                "Title is on the product's first row only",
            ),
            Mapping("category", "Product Category (last level)", "else Type"),
            Mapping("unit_cost", "Cost per item", "required: fill it in Shopify"),
            Mapping("list_price", "Variant Price"),
            Mapping("currency", "(setting)", "SHOPKPI_SHOPIFY_CURRENCY, default USD"),
            Mapping("(skipped)", "rows with only Handle and Image Src", "extra product images"),
        ),
    ),
    Adapter(
        name="shopify_inventory",
        title="Shopify inventory export (per location)",
        source="inventory",
        signature=("handle", "sku", "location"),
        convert=convert_shopify_inventory,
        how_to_export="Shopify admin > Products > Inventory > Export > CSV",
        mappings=(
            Mapping(
                "snapshot_date",
                "(the file's modification day)",
                "the export is the stock when downloaded",
            ),
            Mapping("sku", "SKU"),
            Mapping("warehouse", "Location"),
            Mapping("on_hand_qty", "On hand (current)", "else On hand, else Available"),
            Mapping(
                "(skipped)",
                "rows whose quantities are 'not stocked'",
                "the SKU is not kept at that location",
            ),
        ),
    ),
)
