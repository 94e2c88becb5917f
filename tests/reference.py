"""An independent computation of fct_daily_kpis from export files, in plain polars.

It shares no code with the pipeline: it reads the demo's canonical files directly
(knowing how the demo writes them) and applies kpis.md, so a mistake in the
pipeline's parsing, conversion or SQL shows up as a difference.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

TZ = "Asia/Shanghai"


def _read_csvs(folder: Path) -> pl.DataFrame:
    frames = []
    for path in sorted(folder.glob("*.csv")):
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = raw.decode("gb18030")
        frames.append(pl.read_csv(text.encode(), infer_schema=False))
    return pl.concat(frames, how="diagonal")


def _utc(column: str) -> pl.Expr:
    text = pl.col(column).str.replace_all("/", "-").str.replace("T", " ")
    aware = text.str.to_datetime("%Y-%m-%d %H:%M:%S %z", strict=False)
    zulu = text.str.to_datetime("%Y-%m-%d %H:%M:%SZ", strict=False, time_zone="UTC")
    iso_offset = text.str.to_datetime("%Y-%m-%d %H:%M:%S%:z", strict=False)
    naive = text.str.to_datetime("%Y-%m-%d %H:%M:%S", strict=False).dt.replace_time_zone(TZ)
    return pl.coalesce(
        aware.dt.convert_time_zone("UTC"),
        zulu,
        iso_offset.dt.convert_time_zone("UTC"),
        naive.dt.convert_time_zone("UTC"),
    )


def _local_date(column: str) -> pl.Expr:
    return _utc(column).dt.convert_time_zone(TZ).dt.date()


def read_orders(exports: Path) -> pl.DataFrame:
    return _read_csvs(exports / "orders").with_columns(
        _utc("paid_ts").alias("paid_at"),
        _local_date("paid_ts").alias("paid_date"),
        _local_date("order_ts").alias("order_date"),
        pl.col("quantity").cast(pl.Int64),
        pl.col("unit_price", "discount", "refund_amount").cast(pl.Float64),
    )


def _rates(exports: Path) -> pl.DataFrame:
    fx = _read_csvs(exports / "fx_rates").select(
        pl.col("date").str.to_date(), "currency", pl.col("rate").cast(pl.Float64)
    )
    return fx.sort("currency", "date")


def _convert(
    frame: pl.DataFrame, fx: pl.DataFrame, day: str, reporting: str = "CNY"
) -> pl.DataFrame:
    """Attach `rate`: 1 for the reporting currency, else the latest rate on or before `day`."""
    joined = frame.sort("currency", day).join_asof(
        fx, left_on=day, right_on="date", by="currency", strategy="backward"
    )
    return joined.with_columns(
        pl.when(pl.col("currency") == reporting).then(1.0).otherwise(pl.col("rate")).alias("rate")
    )


def _products(exports: Path) -> pl.DataFrame:
    folder = exports / "products"
    xlsx = sorted(folder.glob("*.xlsx"))
    frame = pl.read_excel(xlsx[0]) if xlsx else _read_csvs(folder)
    return frame.select(
        pl.col("sku").cast(pl.String),
        pl.col("unit_cost").cast(pl.Float64).alias("product_cost"),
        pl.col("currency").alias("cost_currency"),
    )


def daily_kpis(exports: Path) -> pl.DataFrame:
    fx = _rates(exports)
    lines = read_orders(exports).filter(
        pl.col("paid_ts").is_not_null() & ~pl.col("status").is_in(["pending", "cancelled"])
    )
    lines = _convert(lines, fx, "paid_date")
    products = _products(exports)
    lines = lines.join(products, on="sku", how="left")
    cost_rate = _convert(
        lines.select(
            "order_id", "sku", "paid_date", pl.col("cost_currency").alias("currency")
        ).unique(),
        fx,
        "paid_date",
    ).select("order_id", "sku", pl.col("rate").alias("cost_rate"))
    lines = lines.join(cost_rate, on=["order_id", "sku"], how="left").with_columns(
        (pl.col("quantity") * pl.col("unit_price") * pl.col("rate")).alias("gross"),
        (pl.col("discount") * pl.col("rate")).alias("disc"),
        (pl.col("refund_amount").fill_null(0) * pl.col("rate")).alias("refund"),
        pl.when(pl.col("status") == "refunded")
        .then(0.0)
        .otherwise(pl.col("quantity") * pl.col("product_cost") * pl.col("cost_rate"))
        .alias("line_cogs"),
    )
    orders = lines.group_by("platform", "order_id").agg(
        pl.col("customer_id").first(),
        pl.col("paid_at").min(),
        pl.col("paid_date").min(),
        pl.col("gross", "disc", "refund", "line_cogs").sum(),
    )
    shipments = _read_csvs(exports / "logistics").with_columns(
        _local_date("ship_ts").alias("ship_date"), pl.col("cost").cast(pl.Float64)
    )
    shipments = _convert(shipments, fx, "ship_date").with_columns(
        (pl.col("cost") * pl.col("rate")).alias("ship_cost")
    )
    shipping = shipments.group_by("order_id").agg(pl.col("ship_cost").sum())
    orders = orders.join(shipping, on="order_id", how="left").with_columns(
        pl.col("ship_cost").fill_null(0.0),
        (pl.col("paid_at").rank("ordinal").over("platform", "customer_id") == 1).alias("first"),
    )
    by_day = orders.group_by(pl.col("paid_date").alias("date"), "platform").agg(
        pl.len().alias("orders"),
        pl.col("customer_id").n_unique().alias("customers"),
        pl.col("first").sum().alias("new_customers"),
        pl.col("gross").sum().alias("gross_sales"),
        pl.col("disc").sum().alias("discounts"),
        pl.col("refund").sum().alias("refunds"),
        pl.col("line_cogs").sum().alias("cogs"),
        pl.col("ship_cost").sum().alias("logistics_cost"),
    )
    traffic = (
        _read_csvs(exports / "traffic")
        .with_columns(pl.col("date").str.to_date(), pl.col("sessions", "visitors").cast(pl.Int64))
        .group_by("date", "platform")
        .agg(pl.col("sessions", "visitors").sum())
    )
    kpis = by_day.join(traffic, on=["date", "platform"], how="full", coalesce=True)
    # a day without orders sold nothing; a day without traffic rows has unknown sessions
    zero = ["orders", "customers", "new_customers", "gross_sales", "discounts", "refunds", "cogs",
            "logistics_cost"]  # fmt: skip
    kpis = kpis.with_columns(pl.col(zero).fill_null(0))
    sales = pl.col("gross_sales") - pl.col("discounts")

    def ratio(numerator: pl.Expr, denominator: str) -> pl.Expr:
        # a ratio over zero is NULL, as in kpis.md
        return pl.when(pl.col(denominator) > 0).then(numerator / pl.col(denominator))

    return kpis.with_columns(
        (sales - pl.col("refunds")).alias("net_revenue"),
        ratio(sales, "orders").alias("aov"),
        ratio(sales, "customers").alias("revenue_per_buyer"),
        ratio(pl.col("orders"), "sessions").alias("conversion_rate"),
        ratio(pl.col("customers"), "visitors").alias("buyer_conversion_rate"),
    ).with_columns(
        (pl.col("net_revenue") - pl.col("cogs") - pl.col("logistics_cost")).alias("gross_profit"),
    )
