"""Ocean Engine (巨量引擎) and Qianchuan (巨量千川) report downloads."""

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
    clean_id,
    clean_text,
    col,
    number,
    text_of,
    with_source_rows,
)
from pipelines.lib.parse import ROW
from pipelines.lib.settings import Settings

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
    is_total = total_rows(frame) | o["day"].str.contains(r"^(总计|合计|全部)").fill_null(False)
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
    return finish_report(
        out, export, "ocean_engine", skipped, notes, "choose 分日 (by day) before 下载"
    )


ADAPTERS = (
    Adapter(
        name="ocean_engine",
        title="Ocean Engine / Qianchuan (巨量引擎 / 巨量千川) report",
        source="ads",
        signature=("消耗", "计划名称"),
        convert=convert_ocean_engine,
        how_to_export="巨量千川 > 数据 > 推广数据 > 计划 > 分日 > 下载",
        mappings=column_mappings(
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
        mappings=column_mappings(
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
