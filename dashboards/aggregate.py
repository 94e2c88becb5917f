"""Monthly mart rows rolled up over the months a period touches, with the marts' formulas.

Ratios are recomputed from the summed parts (never averaged), NULL when the denominator
is 0, so a quarter's turnover or on-time rate means what the dbt docs say it means.
"""

from __future__ import annotations

import polars as pl

from dashboards.kpis import safe_ratio

RUN_OUT_DAYS = 14  # fewer days of cover than this: reorder now
OVERSTOCK_DAYS = 90  # more days of inventory than this: too much stock


def known_total(column: str) -> pl.Expr:
    """A column's sum, NULL when every value is NULL (unknown stays unknown, never 0)."""
    return pl.when(pl.col(column).count() > 0).then(pl.col(column).sum()).alias(column)


def _turnover_ratios() -> list[pl.Expr]:
    """inventory_turnover's formulas on summed parts (turnover first: the others use it)."""
    turnover = safe_ratio(pl.col("cogs"), pl.col("avg_inventory_value"))
    return [
        turnover.alias("turnover"),
        safe_ratio(pl.col("snapshot_days"), turnover).alias("days_of_inventory"),
        safe_ratio(
            pl.col("units_sold"), pl.col("units_sold") + pl.col("closing_on_hand_qty")
        ).alias("sell_through_rate"),
    ]


def inventory_by_sku(months: pl.DataFrame) -> pl.DataFrame:
    """inventory_turnover (month × sku) -> one row per SKU over the months given."""
    with_stock = months.filter(pl.col("snapshot_days") > 0)
    closing = (
        with_stock.sort("month")
        .group_by("sku")
        .agg(pl.col("closing_on_hand_qty").last().cast(pl.Float64))
    )
    summed = months.group_by("sku", "category").agg(
        pl.col("units_sold").sum().cast(pl.Float64),
        known_total("cogs"),
        pl.col("snapshot_days").sum(),
        known_total("stockout_days").cast(pl.Int64),
        # the mean daily inventory value over every snapshot day of the months
        (pl.col("avg_inventory_value").fill_null(0) * pl.col("snapshot_days"))
        .sum()
        .alias("_value_days"),
    )
    return (
        summed.join(closing, on="sku", how="left")
        .with_columns(
            safe_ratio(pl.col("_value_days"), pl.col("snapshot_days")).alias("avg_inventory_value")
        )
        .with_columns(*_turnover_ratios())
        .with_columns(
            safe_ratio(
                pl.col("closing_on_hand_qty"),
                safe_ratio(pl.col("units_sold"), pl.col("snapshot_days")),
            ).alias("days_of_cover"),
        )
        .drop("_value_days")
        .sort("sku")
    )


def inventory_by_category(by_sku: pl.DataFrame) -> pl.DataFrame:
    """SKU rows -> category rows: cogs and inventory value add up, ratios recomputed."""
    return (
        by_sku.group_by("category")
        .agg(
            pl.col("units_sold").sum(),
            known_total("cogs"),
            pl.col("avg_inventory_value").sum(),
            pl.col("snapshot_days").max(),
            pl.col("closing_on_hand_qty").sum(),
            (pl.col("stockout_days") > 0).sum().alias("skus_with_stockouts"),
        )
        .with_columns(*_turnover_ratios())
        .sort("turnover", descending=True, nulls_last=True)
    )


def logistics_by(months: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    """logistics_performance (month × carrier × region) -> rows per `keys`."""
    return (
        months.group_by(keys)
        .agg(
            pl.col("shipments").sum(),
            pl.col("orders_shipped").sum(),
            pl.col("shipping_cost").sum(),
            pl.col("net_revenue").sum(),
            pl.col("on_time_shipments").sum(),
            pl.col("shipments_with_promise").sum(),
            pl.col("delivered_shipments").sum(),
            (pl.col("avg_delivery_days").fill_null(0) * pl.col("delivered_shipments"))
            .sum()
            .alias("_days"),
            pl.col("orders_returned").sum(),
        )
        .with_columns(
            safe_ratio(pl.col("shipping_cost"), pl.col("orders_shipped")).alias("cost_per_order"),
            safe_ratio(pl.col("shipping_cost"), pl.col("net_revenue")).alias("cost_to_revenue"),
            safe_ratio(pl.col("on_time_shipments"), pl.col("shipments_with_promise")).alias(
                "on_time_rate"
            ),
            (pl.col("shipments_with_promise") - pl.col("on_time_shipments")).alias(
                "late_shipments"
            ),
            safe_ratio(pl.col("_days"), pl.col("delivered_shipments")).alias("avg_delivery_days"),
            safe_ratio(pl.col("orders_returned"), pl.col("orders_shipped")).alias("return_rate"),
        )
        .drop("_days")
        .sort(keys)
    )
