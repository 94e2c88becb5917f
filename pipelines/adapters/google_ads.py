"""Google Ads campaign reports, English and Chinese UI."""

from __future__ import annotations

import polars as pl

from pipelines.adapters.ad_reports import (
    column_mappings,
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
    has,
    number,
    text_of,
    with_source_rows,
)
from pipelines.lib.parse import ROW
from pipelines.lib.readers import FileRejected
from pipelines.lib.settings import Settings

# Google Ads: the UI download (UTF-8 CSV, or "Excel CSV" = UTF-16LE TSV), English or 中文 UI
GOOGLE = {
    "campaign": ("Campaign", "广告系列"),
    "campaign_id": ("Campaign ID", "广告系列 ID", "广告系列ID"),
    "day": ("Day", "Date", "天", "日期"),
    "cost": ("Cost", "费用"),
    "impressions": ("Impr.", "Impressions", "展示次数"),
    "clicks": ("Clicks", "点击次数", "Interactions", "互动次数"),  # video: interactions
    "conversions": ("Conversions", "转化次数"),
    "conversion_value": ("Conv. value", "All conv. value", "转化价值"),
    "currency": ("Currency code", "Currency", "货币代码"),
    "account": ("Customer ID", "Account", "客户 ID"),
}
GOOGLE_DAY_HINT = "in Google Ads: Segment > Time > Day, then Download"


def convert_google_ads(export: Export, settings: Settings) -> Adapted:
    frame = with_source_rows(export.frame)
    g = {k: col(frame, *v) for k, v in GOOGLE.items()}
    if not has(frame, *GOOGLE["currency"]):
        raise FileRejected(
            "the report has no Currency code column, so the cost cannot be converted: "
            "add it (Columns > Attributes > Currency code) and download again"
        )
    is_total = total_rows(frame)
    skipped = frame.filter(is_total).height
    frame = frame.filter(~is_total)
    campaign = clean_text(g["campaign"], nulls=("--", "-"))
    out = frame.select(
        ROW,
        g["day"].str.strip_chars().alias("date"),
        clean_id(g["account"]).alias("account_id"),
        pl.coalesce(clean_id(g["campaign_id"]), campaign).alias("campaign_id"),
        campaign.alias("campaign_name"),
        text_of(number(g["cost"]).fill_null(0)).alias("spend"),
        clean_text(g["currency"]).alias("currency"),
        text_of(number(g["impressions"]).fill_null(0)).alias("impressions"),
        text_of(number(g["clicks"]).fill_null(0)).alias("clicks"),
        text_of(number(g["conversions"])).alias("conversions"),
        text_of(number(g["conversion_value"])).alias("conversion_value"),
    )
    notes = [f"{skipped} total row(s) skipped"] if skipped else []
    return finish_report(out, export, "google_ads", skipped, notes, GOOGLE_DAY_HINT)


ADAPTERS = (
    Adapter(
        name="google_ads_campaigns",
        title="Google Ads campaign report (CSV or Excel CSV download)",
        source="ads",
        signature=("campaign", "cost", "impr."),
        convert=convert_google_ads,
        how_to_export="Google Ads > Campaigns > Download (CSV or Excel CSV); add Segment > "
        "Time > Day and the Campaign ID and Currency code columns",
        mappings=(
            Mapping(
                "date",
                "Day",
                "without it: the period from the line under the title, spread evenly over its days",
            ),
            Mapping("ad_platform", "(constant)", "google_ads"),
            Mapping("account_id", "Customer ID", "if present"),
            Mapping("campaign_id", "Campaign ID", "the campaign name when the column is absent"),
            Mapping("campaign_name", "Campaign"),
            Mapping("spend", "Cost", "` --` is 0; thousands separators removed"),
            Mapping("currency", "Currency code", "required"),
            Mapping("impressions", "Impr."),
            Mapping("clicks", "Clicks", "else Interactions (video campaigns)"),
            Mapping("conversions", "Conversions"),
            Mapping("conversion_value", "Conv. value"),
            Mapping("(skipped)", "Total: ... rows", "Google's own totals"),
        ),
    ),
    Adapter(
        name="google_ads_campaigns_zh",
        title="Google Ads 广告系列报告 (Chinese UI)",
        source="ads",
        signature=("广告系列", "费用", "展示次数"),
        convert=convert_google_ads,
        how_to_export="Google Ads > 广告系列 > 下载; 细分 > 时间 > 天",
        mappings=column_mappings(
            {k: tuple(x for x in v if not x.isascii()) for k, v in GOOGLE.items()},
            {
                "day": "date",
                "campaign": "campaign_name",
                "campaign_id": "campaign_id",
                "cost": "spend",
                "impressions": "impressions",
                "clicks": "clicks",
                "conversions": "conversions",
                "conversion_value": "conversion_value",
                "currency": "currency",
                "account": "account_id",
            },
            {"day": "as in the English report"},
        ),
    ),
)
