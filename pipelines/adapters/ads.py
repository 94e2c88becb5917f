"""Ad platform reports: Google Ads, Meta Ads Manager, Ocean Engine / Qianchuan (千川).

All three let the user pick the columns and whether the report is split by day. A report
split by day loads as it is. A report of one period without a day column (what the
Google Ads UI downloads by default) is spread evenly over the days of its period, to the
cent, and /data-health says so: period totals stay exact, daily figures are an average.
"""

from __future__ import annotations

import datetime as dt
import re

import polars as pl

from pipelines.adapters.base import (
    Adapted,
    Adapter,
    Export,
    Mapping,
    Warning,
    clean_id,
    clean_text,
    col,
    day_range,
    has,
    number,
    spread_over_days,
    text_of,
    with_source_rows,
)
from pipelines.lib.parse import ROW
from pipelines.lib.readers import FileRejected
from pipelines.lib.settings import Settings

CANONICAL = [
    "date",
    "ad_platform",
    "account_id",
    "campaign_id",
    "campaign_name",
    "spend",
    "currency",
    "impressions",
    "clicks",
    "conversions",
    "conversion_value",
]


def _finish(
    frame: pl.DataFrame,
    export: Export,
    platform: str,
    skipped: int,
    notes: list[str],
    day_hint: str,
) -> Adapted:
    """Rows with a day load as they are; a period report is spread over its days."""
    warnings = []
    if frame["date"].null_count() == frame.height and frame.height:
        period = _period(frame, export)
        if period is None:
            raise FileRejected(
                "the report has no day column and no date range to book it on: "
                f"export it again split by day ({day_hint})"
            )
        start, end = period
        if start != end:
            days = (dt.date.fromisoformat(end) - dt.date.fromisoformat(start)).days + 1
            frame = spread_over_days(
                frame.drop("date"),
                start,
                end,
                amounts=["spend", "conversion_value", "conversions"],
                counts=["impressions", "clicks"],
            )
            warnings.append(
                Warning(
                    "period_report",
                    frame[ROW].n_unique(),
                    f"a report of {start}..{end} without a day column: each campaign's "
                    f"totals were spread evenly over the {days} days (conversions too); "
                    f"for true daily figures export it split by day ({day_hint})",
                )
            )
        else:
            frame = frame.with_columns(pl.lit(start).alias("date"))
    frame = frame.with_columns(pl.lit(platform).alias("ad_platform"))
    return Adapted(frame.select(ROW, *CANONICAL), skipped, warnings, notes)


def _period(frame: pl.DataFrame, export: Export) -> tuple[str, str] | None:
    if "_start" in frame.columns and frame["_start"].drop_nulls().n_unique() == 1:
        starts, ends = frame["_start"].drop_nulls(), frame["_end"].drop_nulls()
        if ends.n_unique() == 1:
            return starts[0], ends[0]
    return day_range(export.preamble)


def _totals(frame: pl.DataFrame) -> pl.Expr:
    """Google's `Total: Campaigns`, `Total: Account` rows, or 总计/合计 in Chinese."""
    first_two = frame.columns[1:3]
    return pl.any_horizontal(
        pl.col(c).str.strip_chars().str.contains(r"^(Total:|Totals?$|总计|合计)").fill_null(False)
        for c in first_two
    )


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
    is_total = _totals(frame)
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
    return _finish(out, export, "google_ads", skipped, notes, GOOGLE_DAY_HINT)


_CURRENCY_IN_NAME = re.compile(r"^amount spent \(([a-z]{3})\)$")


def convert_meta_ads(export: Export, settings: Settings) -> Adapted:
    frame = with_source_rows(export.frame)
    spent = next((c for c in frame.columns if _CURRENCY_IN_NAME.match(c)), None)
    if spent is None:  # the signature guarantees a spend column; this is a safety net
        raise FileRejected("no 'Amount spent (XXX)' column")
    currency = _CURRENCY_IN_NAME.match(spent).group(1).upper()
    is_total = _totals(frame) | (
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
    return _finish(
        out, export, "meta_ads", skipped, notes, "in Ads Manager: Breakdown > By time > Day"
    )


# Ocean Engine (巨量引擎) and Qianchuan (巨量千川) report downloads
OCEAN = {
    "day": ("日期", "时间", "统计日期"),
    "campaign_id": ("计划ID", "广告计划ID", "计划id", "广告计划id"),
    "campaign": ("计划名称", "广告计划", "计划"),
    "account": ("账户ID", "广告主ID", "账户id"),
    "spend": ("整体消耗", "消耗"),
    "impressions": ("整体展示次数", "展示次数", "展示数"),
    "clicks": ("整体点击次数", "点击次数", "点击数"),
    "conversions": ("整体成交订单数", "转化数", "成交订单数"),
    "conversion_value": ("整体成交金额", "成交金额"),
}


def convert_ocean_engine(export: Export, settings: Settings) -> Adapted:
    frame = with_source_rows(export.frame)
    o = {k: col(frame, *v) for k, v in OCEAN.items()}
    is_total = _totals(frame) | o["day"].str.contains(r"^(总计|合计|全部)").fill_null(False)
    skipped = frame.filter(is_total).height
    frame = frame.filter(~is_total)
    name = clean_text(o["campaign"])
    out = frame.select(
        ROW,
        clean_text(o["day"]).str.slice(0, 10).alias("date"),
        clean_id(o["account"]).alias("account_id"),
        pl.coalesce(clean_id(o["campaign_id"]), name).alias("campaign_id"),
        name.alias("campaign_name"),
        text_of(number(o["spend"]).fill_null(0)).alias("spend"),
        pl.lit("CNY").alias("currency"),
        text_of(number(o["impressions"]).fill_null(0)).alias("impressions"),
        text_of(number(o["clicks"]).fill_null(0)).alias("clicks"),
        text_of(number(o["conversions"])).alias("conversions"),
        text_of(number(o["conversion_value"])).alias("conversion_value"),
    )
    notes = [f"{skipped} total row(s) skipped"] if skipped else []
    return _finish(out, export, "ocean_engine", skipped, notes, "choose 分日 (by day) before 下载")


def _mappings(pairs: dict[str, tuple[str, ...]], canonical: dict[str, str], notes: dict[str, str]):
    return tuple(
        Mapping(canonical[k], " / ".join(v), notes.get(k, ""))
        for k, v in pairs.items()
        if k in canonical
    )


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
        mappings=_mappings(
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
    Adapter(
        name="ocean_engine",
        title="Ocean Engine / Qianchuan (巨量引擎 / 巨量千川) report",
        source="ads",
        signature=("消耗", "计划名称"),
        convert=convert_ocean_engine,
        how_to_export="巨量千川 > 数据 > 推广数据 > 计划 > 分日 > 下载",
        mappings=_mappings(
            OCEAN,
            {
                "day": "date",
                "campaign_id": "campaign_id",
                "campaign": "campaign_name",
                "account": "account_id",
                "spend": "spend",
                "impressions": "impressions",
                "clicks": "clicks",
                "conversions": "conversions",
                "conversion_value": "conversion_value",
            },
            {"spend": "in 元; currency CNY", "campaign_id": "the plan name when no ID column"},
        ),
    ),
    Adapter(
        name="qianchuan",
        title="Qianchuan (巨量千川) report with 整体 metrics",
        source="ads",
        signature=("整体消耗",),
        convert=convert_ocean_engine,
        how_to_export="巨量千川 > 数据 > 推广数据 > 分日 > 下载",
        mappings=_mappings(
            OCEAN,
            {
                "day": "date",
                "campaign_id": "campaign_id",
                "campaign": "campaign_name",
                "spend": "spend",
                "impressions": "impressions",
                "clicks": "clicks",
                "conversions": "conversions",
                "conversion_value": "conversion_value",
            },
            {
                "conversion_value": "整体成交金额 (the platform's own attribution; shopkpi's ROAS uses orders' utm_campaign)"
            },
        ),
    ),
)
