"""Monthly mart rows rolled up over the months a period touches, by the marts' YAML rules.

Over months (and carriers, regions) every column adds up as its YAML says (`kpis.roll_up`).
Across SKUs, inventory adds up differently from over months: the inventory value of a
category is the sum of its SKUs' (not a mean over days), so that one roll-up is here; its
ratios still come from the YAML's derive formulas.
"""

from __future__ import annotations

import polars as pl

from dashboards.kpis import derive, roll_up, safe_ratio

RUN_OUT_DAYS = 14  # fewer days of cover than this: reorder now
OVERSTOCK_DAYS = 90  # more days of inventory than this: too much stock


def known_total(column: str) -> pl.Expr:
    """A column's sum, NULL when every value is NULL (unknown stays unknown, never 0)."""
    return pl.when(pl.col(column).count() > 0).then(pl.col(column).sum()).alias(column)


def inventory_by_sku(months: pl.DataFrame, docs: dict[str, dict[str, str]]) -> pl.DataFrame:
    """inventory_turnover (month × sku) -> one row per SKU over the months given, plus its
    forward days of cover (closing stock / mean daily units sold)."""
    return (
        roll_up(months, docs, by=["sku"])
        .with_columns(
            safe_ratio(
                pl.col("closing_on_hand_qty"),
                safe_ratio(pl.col("units_sold"), pl.col("snapshot_days")),
            ).alias("days_of_cover"),
        )
        .sort("sku")
    )


def inventory_by_category(by_sku: pl.DataFrame, docs: dict[str, dict[str, str]]) -> pl.DataFrame:
    """SKU rows -> category rows: cogs and inventory value add up, ratios recomputed."""
    summed = by_sku.group_by("category").agg(
        pl.col("units_sold").sum(),
        known_total("cogs"),
        pl.col("avg_inventory_value").sum(),
        pl.col("snapshot_days").max(),
        pl.col("closing_on_hand_qty").sum(),
        (pl.col("stockout_days") > 0).sum().alias("skus_with_stockouts"),
    )
    ratios = ("turnover", "days_of_inventory", "sell_through_rate")
    return derive(summed, {name: docs[name] for name in ratios}).sort(
        "turnover", descending=True, nulls_last=True
    )


def logistics_by(
    months: pl.DataFrame, keys: list[str], docs: dict[str, dict[str, str]]
) -> pl.DataFrame:
    """logistics_performance (month × carrier × region) -> rows per `keys`, plus the late
    shipments (promised ones not on time)."""
    return roll_up(months, docs, by=keys).with_columns(
        (pl.col("shipments_with_promise") - pl.col("on_time_shipments")).alias("late_shipments")
    )
