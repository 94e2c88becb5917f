"""Product and stock exports: Shopify products (with `Cost per item`) and inventory."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import polars as pl

from pipelines.adapters.base import (
    Adapted,
    Adapter,
    Export,
    Mapping,
    clean_text,
    col,
    number,
    text_of,
    with_source_rows,
)
from pipelines.lib.parse import ROW
from pipelines.lib.settings import Settings


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
