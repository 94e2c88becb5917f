"""Traffic exports: GA4 (the shop's own site) and 生意参谋 (Taobao/Tmall)."""

from __future__ import annotations

import polars as pl

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

GA4 = {
    "date": ("Date",),
    "channel": (
        "Session default channel group",
        "Session primary channel group (Default Channel Group)",
        "Default channel group",
        "First user default channel group",
        "Session source / medium",
    ),
    "device": ("Device category",),
    "sessions": ("Sessions",),
    "visitors": ("Total users", "Active users", "Users"),
    "page_views": ("Views", "Screen page views", "Page views"),
    "product_views": ("Items viewed", "Item views", "Item-list views"),
    "add_to_cart": ("Add to carts", "Items added to cart"),
    "checkouts": ("Checkouts", "Items checked out"),
    "orders": ("Transactions", "Ecommerce purchases", "Purchases"),
}

SYCM = {
    "date": ("统计日期", "日期"),
    "channel": ("流量来源", "来源", "一级来源"),
    "device": ("终端", "设备", "终端类型"),
    "sessions": ("访客数",),
    "visitors": ("访客数",),
    "page_views": ("浏览量",),
    "product_views": ("商品访客数",),
    "add_to_cart": ("加购人数", "加购件数"),
    "checkouts": ("下单买家数",),
    "orders": ("支付子订单数", "支付订单数", "支付买家数"),
}


def _traffic(
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


def convert_ga4(export: Export, settings: Settings) -> Adapted:
    frame = with_source_rows(export.frame)
    if not has(frame, "Date"):
        raise FileRejected(
            "the GA4 export has no Date column, so its sessions cannot be put on days: add "
            "Date as the first dimension (Explore > Dimensions > Date) and export again"
        )
    return _traffic(frame, GA4, settings.web_platform, "(all)", lambda d: d)


def convert_sycm(export: Export, settings: Settings) -> Adapted:
    frame = with_source_rows(export.frame)
    return _traffic(frame, SYCM, settings.alibaba_platform, "全部", lambda d: d.str.slice(0, 10))


ADAPTERS = (
    Adapter(
        name="ga4_traffic",
        title="Google Analytics 4 report or exploration export",
        source="traffic",
        signature=("sessions",),
        convert=convert_ga4,
        how_to_export="GA4 > Explore (free form): Date, Session default channel group, Device "
        "category as dimensions; Sessions, Total users, Views, Add to carts, Checkouts, "
        "Transactions as metrics; Export > CSV",
        mappings=(
            *tuple(
                Mapping(
                    k,
                    " / ".join(v),
                    "`#` comment lines and totals rows skipped" if k == "date" else "",
                )
                for k, v in GA4.items()
            ),
            Mapping("platform", "(setting)", "SHOPKPI_WEB_PLATFORM, default shopify"),
        ),
    ),
    Adapter(
        name="sycm_traffic",
        title="生意参谋 traffic export (流量看板 / 店铺来源)",
        source="traffic",
        signature=("访客数", "浏览量"),
        convert=convert_sycm,
        how_to_export="生意参谋 > 流量 > 流量看板 or 店铺来源 > 下载, by day (日)",
        mappings=(
            *tuple(
                Mapping(
                    k,
                    " / ".join(v),
                    {
                        "sessions": "生意参谋 has no sessions: 访客数 (daily unique visitors) is "
                        "the closest unit, so conversion_rate there is per visitor",
                        "orders": "支付子订单数, else 支付订单数, else 支付买家数",
                        "channel": "全部 when the export is not split by source",
                    }.get(k, ""),
                )
                for k, v in SYCM.items()
            ),
            Mapping("platform", "(setting)", "SHOPKPI_ALIBABA_PLATFORM, default tmall"),
        ),
    ),
)
