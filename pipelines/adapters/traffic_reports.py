"""What the traffic adapters share: the canonical columns and one way to read a funnel."""

from __future__ import annotations

import polars as pl

from pipelines.adapters.base import (
    Adapted,
    clean_text,
    col,
    number,
    text_of,
)
from pipelines.lib.parse import ROW

CANONICAL = [
    "date",
    "platform",
    "channel",
    "device",
    "sessions",
    "visitors",
    "page_views",
    "product_views",
    "add_to_cart",
    "checkouts",
    "orders",
]


def traffic_rows(
    frame: pl.DataFrame, names: dict, platform: str, all_channels: str, date_fmt
) -> Adapted:
    date = clean_text(col(frame, *names["date"]))
    total = date.is_null() | date.str.contains(r"(?i)^(grand )?totals?$|^(汇总|合计|总计)")
    skipped = frame.filter(total).height
    frame = frame.filter(~total)
    counts = {
        k: text_of(number(col(frame, *names[k]))).alias(k)
        for k in (
            "sessions",
            "visitors",
            "page_views",
            "product_views",
            "add_to_cart",
            "checkouts",
            "orders",
        )
    }
    out = frame.select(
        ROW,
        date_fmt(clean_text(col(frame, *names["date"]))).alias("date"),
        pl.lit(platform).alias("platform"),
        pl.coalesce(clean_text(col(frame, *names["channel"])), pl.lit(all_channels)).alias(
            "channel"
        ),
        clean_text(col(frame, *names["device"])).alias("device"),
        *counts.values(),
    )
    notes = [f"{skipped} total row(s) skipped"] if skipped else []
    return Adapted(out.select(ROW, *CANONICAL), skipped, [], notes)
