"""Meta Ads Manager exports."""

from __future__ import annotations

import re

import polars as pl

from pipelines.adapters.ad_reports import (
    finish_report,
    total_rows,
)
from pipelines.adapters.base import (
    Adapted,
    Adapter,
    Export,
    Mapping,
    clean_id,
    clean_text,
    col,
    number,
    text_of,
    with_source_rows,
)
from pipelines.lib.parse import ROW
from pipelines.lib.readers import FileRejected
from pipelines.lib.settings import Settings

_CURRENCY_IN_NAME = re.compile(r"^amount spent \(([a-z]{3})\)$")


def convert_meta_ads(export: Export, settings: Settings) -> Adapted:
    frame = with_source_rows(export.frame)
    spent = next((c for c in frame.columns if _CURRENCY_IN_NAME.match(c)), None)
    if spent is None:  # the signature guarantees a spend column; this is a safety net
        raise FileRejected("no 'Amount spent (XXX)' column")
    currency = _CURRENCY_IN_NAME.match(spent).group(1).upper()
    is_total = total_rows(frame) | (
        col(frame, "Campaign name").is_null() & col(frame, "Campaign ID").is_null()
    )
    skipped = frame.filter(is_total).height
    frame = frame.filter(~is_total)
    name = clean_text(col(frame, "Campaign name"))
    value_column = next(
        (
            c
            for c in (
                "purchases conversion value",
                "website purchases conversion value",
                "results value",
            )
            if c in frame.columns
        ),
        None,
    )
    starts, ends = col(frame, "Reporting starts"), col(frame, "Reporting ends")
    out = frame.select(
        ROW,
        pl.coalesce(col(frame, "Day", "Date"), pl.when(starts == ends).then(starts)).alias("date"),
        starts.alias("_start"),
        ends.alias("_end"),
        clean_id(col(frame, "Account ID")).alias("account_id"),
        pl.coalesce(clean_id(col(frame, "Campaign ID")), name).alias("campaign_id"),
        name.alias("campaign_name"),
        text_of(number(pl.col(spent)).fill_null(0)).alias("spend"),
        pl.lit(currency).alias("currency"),
        text_of(number(col(frame, "Impressions")).fill_null(0)).alias("impressions"),
        text_of(number(col(frame, "Link clicks", "Clicks (all)")).fill_null(0)).alias("clicks"),
        text_of(number(col(frame, "Purchases", "Website purchases", "Results"))).alias(
            "conversions"
        ),
        text_of(number(pl.col(value_column)) if value_column else pl.lit(None, pl.Float64)).alias(
            "conversion_value"
        ),
    )
    no_days = out.height and out["date"].null_count() == out.height
    if no_days and (out["_start"].n_unique() > 1 or out["_end"].n_unique() > 1):
        raise FileRejected(
            "rows of this report cover different periods and none is one day: export "
            "it again with Breakdown > By time > Day"
        )
    notes = [f"{skipped} total row(s) skipped"] if skipped else []
    return finish_report(
        out, export, "meta_ads", skipped, notes, "in Ads Manager: Breakdown > By time > Day"
    )


ADAPTERS = (
    Adapter(
        name="meta_ads",
        title="Meta Ads Manager export",
        source="ads",
        signature=("campaign name", "reporting starts", "reporting ends", "impressions"),
        convert=convert_meta_ads,
        how_to_export="Ads Manager > Campaigns > Reports > Export table data (CSV or XLSX); "
        "Breakdown > By time > Day",
        mappings=(
            Mapping(
                "date",
                "Day, or Reporting starts when it equals Reporting ends",
                "a longer period is spread evenly over its days",
            ),
            Mapping("ad_platform", "(constant)", "meta_ads"),
            Mapping("account_id", "Account ID", "if present"),
            Mapping("campaign_id", "Campaign ID", "the campaign name when absent"),
            Mapping("campaign_name", "Campaign name"),
            Mapping("spend", "Amount spent (XXX)"),
            Mapping("currency", "(from the spend column's name)", "e.g. USD in Amount spent (USD)"),
            Mapping("impressions", "Impressions"),
            Mapping("clicks", "Link clicks, else Clicks (all)"),
            Mapping("conversions", "Purchases, Website purchases or Results"),
            Mapping("conversion_value", "Purchases conversion value"),
        ),
    ),
)
