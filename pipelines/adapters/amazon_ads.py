"""Amazon Ads console reports: Sponsored Products (campaign, search term, targeting,
advertised product) downloaded from Seller Central > Advertising > Reports.

The console writes dates as `Sep 01, 2026`, money as `$1,234.50`, percentages as `2.57%`,
and some header names with a trailing space (`7 Day Total Sales `). It has no campaign id:
the campaign's name is its id. A report finer than the campaign (search terms, targets,
ad groups) has several rows per campaign and day; they add up to the campaign's day.
"""

from __future__ import annotations

import polars as pl

from pipelines.adapters.ad_reports import finish_report, total_rows
from pipelines.adapters.base import (
    Adapted,
    Adapter,
    Export,
    Mapping,
    clean_text,
    col,
    has,
    number,
    text_of,
    with_source_rows,
)
from pipelines.lib.parse import ROW
from pipelines.lib.readers import FileRejected
from pipelines.lib.settings import Settings

DAY_HINT = "in Amazon Ads: Reports > Sponsored Products > Time unit: Daily"
# attribution windows, shortest first: Sponsored Products reports 7 days by default
SALES = ("7 day total sales", "14 day total sales", "total sales")
ORDERS = ("7 day total orders (#)", "14 day total orders (#)", "total orders (#)")
AMOUNTS = ("spend", "impressions", "clicks", "conversions", "conversion_value")


def console_date(expr: pl.Expr) -> pl.Expr:
    """`Sep 01, 2026` -> 2026-09-01; an ISO date stays; anything else stays as written, so
    the row is quarantined naming it."""
    text = expr.str.strip_chars()
    parsed = text.str.strptime(pl.Date, "%b %d, %Y", strict=False).cast(pl.String)
    return pl.coalesce(parsed, text)


def convert_amazon_ads(export: Export, settings: Settings) -> Adapted:
    frame = with_source_rows(export.frame)
    if not has(frame, "currency"):
        raise FileRejected(
            "the report has no Currency column, so the spend cannot be converted: "
            "download the report again from Amazon Ads > Reports (CSV or Excel)"
        )
    is_total = total_rows(frame)
    is_blank = ~is_total & clean_text(col(frame, "campaign name")).is_null()
    totals, blanks = frame.filter(is_total).height, frame.filter(is_blank).height
    skipped = totals + blanks
    frame = frame.filter(~is_total & ~is_blank)
    campaign = clean_text(col(frame, "campaign name"))
    rows = frame.select(
        ROW,
        console_date(col(frame, "date")).alias("date"),
        console_date(col(frame, "start date")).alias("_start"),
        console_date(col(frame, "end date")).alias("_end"),
        pl.lit(None, pl.String).alias("account_id"),
        campaign.alias("campaign_id"),
        campaign.alias("campaign_name"),
        clean_text(col(frame, "currency")).alias("currency"),
        number(col(frame, "spend")).fill_null(0).alias("spend"),
        number(col(frame, "impressions")).fill_null(0).alias("impressions"),
        number(col(frame, "clicks")).fill_null(0).alias("clicks"),
        number(col(frame, *ORDERS)).alias("conversions"),
        number(col(frame, *SALES)).alias("conversion_value"),
    )
    # search terms, targets or ad groups of one campaign and day add up to its day
    keys = ["date", "_start", "_end", "account_id", "campaign_id", "campaign_name", "currency"]
    finer = rows.height - rows.select(keys).unique().height
    out = (
        rows.group_by(keys, maintain_order=True)
        .agg(
            pl.col(ROW).min(),
            # a column every row leaves empty stays empty (unknown), not 0
            *(pl.when(pl.col(c).count() > 0).then(pl.col(c).sum()).alias(c) for c in AMOUNTS),
        )
        .with_columns(text_of(pl.col(c)) for c in AMOUNTS)
    )
    notes = [f"{totals} total row(s) skipped"] if totals else []
    if blanks:
        notes.append(f"{blanks} row(s) without a campaign name skipped")
    if finer:
        notes.append(f"{rows.height} rows added up to {out.height} campaign days")
    return finish_report(out, export, "amazon_ads", skipped, notes, DAY_HINT)


ADAPTERS = (
    Adapter(
        name="amazon_ads_sponsored_products",
        title="Amazon Ads Sponsored Products report (console download)",
        source="ads",
        signature=("campaign name", "spend", "impressions", "currency"),
        convert=convert_amazon_ads,
        how_to_export="Amazon Ads (Seller Central > Advertising) > Reports > Create report: "
        "Sponsored Products, Campaign (or Search term), Time unit: Daily; download CSV or Excel",
        mappings=(
            Mapping(
                "date",
                "Date (`Sep 01, 2026`)",
                "without it: Start Date..End Date, spread evenly over its days",
            ),
            Mapping("ad_platform", "(constant)", "amazon_ads"),
            Mapping("campaign_id", "Campaign Name", "the console report has no campaign id"),
            Mapping("campaign_name", "Campaign Name"),
            Mapping("spend", "Spend", "`$1,234.50`: sign and separators removed"),
            Mapping("currency", "Currency", "required"),
            Mapping("impressions", "Impressions"),
            Mapping("clicks", "Clicks"),
            Mapping("conversions", "7 Day Total Orders (#)", "else the 14-day window"),
            Mapping("conversion_value", "7 Day Total Sales", "else the 14-day window"),
            Mapping(
                "(summed)",
                "several rows of a campaign and day",
                "search term, targeting and ad group reports add up to the campaign's day",
            ),
        ),
    ),
)
