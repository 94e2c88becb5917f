"""What every order export adapter shares: the canonical order-line columns, order-level
money split over the lines, placeholder buyers, rows an adapter refuses.

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
    PLACEHOLDER_CUSTOMER_PREFIX,
    Mapping,
    Warning,
    allocate,
    text_of,
)
from pipelines.lib.parse import REASON, ROW

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


def canonical_rows(frame: pl.DataFrame, **columns: pl.Expr) -> pl.DataFrame:
    """Select the canonical columns (text) from named expressions; the rest are empty."""
    exprs = [pl.col(ROW)]
    for name in CANONICAL:
        expr = columns.get(name, pl.lit(None, pl.String))
        exprs.append(expr.cast(pl.String).alias(name))
    return frame.select(exprs)


def placeholder_warning(frame: pl.DataFrame) -> list[Warning]:
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


def with_money(
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


def refund_status(status: pl.Expr) -> pl.Expr:
    """A paid line with money given back is refunded (all of it) or partially refunded."""
    refunded_all = pl.col("_refund") >= pl.col("_net") - 0.005
    return (
        pl.when((pl.col("_refund") > 0) & status.is_in(["paid", "shipped", "delivered"]))
        .then(
            pl.when(refunded_all).then(pl.lit("refunded")).otherwise(pl.lit("partially_refunded"))
        )
        .otherwise(status)
    )


def money_columns() -> dict[str, pl.Expr]:
    return {
        "unit_price": text_of(pl.col("_price")),
        "quantity": text_of(pl.col("_qty")),
        "discount": text_of(pl.col("_discount")),
        "refund_amount": text_of(pl.col("_refund")),
    }


def rejected_rows(frame: pl.DataFrame, reason: str, file_name: str | None = None) -> pl.DataFrame:
    out = frame.select(
        pl.col(ROW),
        pl.lit(reason).alias(REASON),
        pl.struct(pl.all().exclude(ROW)).struct.json_encode().alias("record"),
    )
    return out.with_columns(pl.lit(file_name, pl.String).alias("_file"))


def mappings(*rows: tuple[str, str] | tuple[str, str, str]) -> tuple[Mapping, ...]:
    return tuple(Mapping(*row) for row in rows)
